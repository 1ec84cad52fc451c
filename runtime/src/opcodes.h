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
  // int16 activations with int8 weights (TFLite's 16x8 mode); from 40 on
  // so that other new ops keep the numbers after 26.
  SPRAT_OP_CONV_2D_S16 = 40,
  SPRAT_OP_DEPTHWISE_CONV_2D_S16 = 41,
  SPRAT_OP_FULLY_CONNECTED_S16 = 42,
  SPRAT_OP_AVERAGE_POOL_2D_S16 = 43,
  SPRAT_OP_MAX_POOL_2D_S16 = 44,
  SPRAT_OP_ADD_S16 = 45,  // and SUB
  SPRAT_OP_MUL_S16 = 46,
  SPRAT_OP_QUANTIZE_S16 = 47,  // float32 -> int16
  SPRAT_OP_REQUANTIZE_S16 = 48,  // int8/int16 -> int8/int16, one of them int16
  SPRAT_OP_DEQUANTIZE_S16 = 49,
  SPRAT_OP_RELU_S16 = 50,  // RELU, RELU6
  SPRAT_OP_LEAKY_RELU_S16 = 51,
  SPRAT_OP_SOFTMAX_S16 = 54,
  SPRAT_OP_MEAN_S16 = 55,
  SPRAT_OP_TRANSPOSE_CONV_S16 = 56,
  // Ops with state (format 2.3).
  SPRAT_OP_SVDF = 110,
  SPRAT_OP_CIRCULAR_BUFFER = 111,
  // recurrent: 100-109
  SPRAT_OP_UNIDIRECTIONAL_SEQUENCE_LSTM = 100,  // int8, int16 cell state
  // The gather family (index-driven movement, batched matmul): 90-99.
  SPRAT_OP_GATHER_RT = 90,  // GATHER (and EMBEDDING_LOOKUP) with indices read at run time
  SPRAT_OP_GATHER_ND = 91,
  SPRAT_OP_EMBEDDING_LOOKUP_HYBRID = 92,  // int8 rows to float32
  SPRAT_OP_DYNAMIC_UPDATE_SLICE = 93,
  SPRAT_OP_BROADCAST_ARGS = 94,
  SPRAT_OP_BATCH_MATMUL = 95,
  SPRAT_OP_BATCH_MATMUL_S16 = 96,
  // The norm family: 80-89.
  SPRAT_OP_REDUCE_ND = 80,  // SUM, MEAN, REDUCE_MIN, REDUCE_MAX over any axes, int8 and int16
  SPRAT_OP_ARG_MIN = 81,
  SPRAT_OP_CUMSUM = 82,
  SPRAT_OP_L2_NORMALIZATION = 83,
  SPRAT_OP_LOG_SOFTMAX = 84,
  SPRAT_OP_L2_POOL_2D = 85,  // float32
  SPRAT_OP_RESIZE_BILINEAR = 86,  // int8 and int16
  SPRAT_OP_RESIZE_NEAREST_S16 = 87,
  // The arith family (runtime/ops/arith.c), 70..79.
  SPRAT_OP_ARITH = 70,  // DIV, FLOOR_DIV, FLOOR_MOD, SQUARED_DIFFERENCE, MAXIMUM, MINIMUM on one raw type
  SPRAT_OP_ARITH_UNARY = 71,  // FLOOR, CEIL, ROUND, SQUARE, float32
  SPRAT_OP_DIV = 72,  // int8
  SPRAT_OP_SQUARED_DIFFERENCE = 73,  // int8
  SPRAT_OP_SQUARED_DIFFERENCE_S16 = 74,
  SPRAT_OP_ADD_N = 75,  // int8
  SPRAT_OP_ADD_N_TYPED = 76,  // float32, int32
  // TFLite_Detection_PostProcess (the detect family, 140-149).
  SPRAT_OP_DETECTION_POSTPROCESS = 140,
  // comparisons, logical ops, SELECT_V2, CAST (bool tensors); 60-69
  SPRAT_OP_COMPARE = 60,  // EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL
  SPRAT_OP_LOGICAL = 61,  // LOGICAL_AND, LOGICAL_OR, LOGICAL_NOT
  SPRAT_OP_SELECT = 62,  // SELECT_V2
  SPRAT_OP_CAST = 63,
  SPRAT_OP_REDUCE_BOOL = 64,  // REDUCE_ALL, REDUCE_ANY
};

#endif  // SPRAT_RUNTIME_OPCODES_H_
