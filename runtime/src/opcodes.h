// sprat's op codes in the model blob (docs/model_format.md). The converter
// (converter/blob.py) writes the same numbers. New ops take new numbers;
// numbers are never reused.
#ifndef SPRAT_RUNTIME_OPCODES_H_
#define SPRAT_RUNTIME_OPCODES_H_

enum {
  SPRAT_OP_CONV_2D = 1,
  SPRAT_OP_DEPTHWISE_CONV_2D = 2,
  SPRAT_OP_FULLY_CONNECTED = 3,
  SPRAT_OP_AVERAGE_POOL_2D = 4,
  SPRAT_OP_MAX_POOL_2D = 5,
  SPRAT_OP_ADD = 6,  // and SUB
  SPRAT_OP_MUL = 7,
  SPRAT_OP_MEAN = 8,
  SPRAT_OP_SOFTMAX = 9,
  SPRAT_OP_LUT = 10,  // LOGISTIC, TANH
  SPRAT_OP_RELU = 11,  // RELU, RELU6, RELU_N1_TO_1
  SPRAT_OP_LEAKY_RELU = 12,
  SPRAT_OP_HARD_SWISH = 13,
  SPRAT_OP_QUANTIZE = 14,  // float32 -> int8
  SPRAT_OP_REQUANTIZE = 15,  // int8 -> int8
  SPRAT_OP_DEQUANTIZE = 16,
  SPRAT_OP_COPY = 17,  // RESHAPE, TRANSPOSE, STRIDED_SLICE, CONCATENATION
  SPRAT_OP_PAD = 18,
  SPRAT_OP_RESIZE_NEAREST = 19,
  SPRAT_OP_ARG_MAX = 20,
  SPRAT_OP_MAX_MIN = 21,  // MAXIMUM, MINIMUM
  SPRAT_OP_REDUCE_MAX = 22,
  SPRAT_OP_PRELU = 23,
  SPRAT_OP_GATHER = 24,
  SPRAT_OP_TRANSPOSE_CONV = 25,
  SPRAT_OP_FUSED_ROWS = 26,  // a chain of convolutions (and ADD) computed a few rows at a time
};

#endif  // SPRAT_RUNTIME_OPCODES_H_
