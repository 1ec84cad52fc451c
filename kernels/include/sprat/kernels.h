// sprat's kernel API: what every kernel library (portable C, Cortex-M DSP,
// Helium, NEON, RVV, generated code) implements.
//
// Kernels take plain parameter structs and raw pointers; they never see the
// model blob. The *_params structs are also the records the converter writes
// into the blob (all fields int32_t, little-endian, 4-byte aligned), so the
// runtime hands them over unchanged after checking their size.
#ifndef SPRAT_KERNELS_H_
#define SPRAT_KERNELS_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// A 4-D shape, NHWC; lower-rank tensors are padded with leading 1s.
typedef struct {
  int32_t n, h, w, c;
} sprat_shape4;

// ---- weight layouts -------------------------------------------------------
// How a convolution's or fully connected layer's filter and bias are stored
// in the blob. The converter picks the layout of the target's kernel
// library (`sprat convert --target`); the runtime refuses at init a layout
// the linked library cannot run (SPRAT_ERR_LAYOUT), never computing with it.
enum {
  // TFLite's filter order; bias as in the model (absent: zeros).
  SPRAT_LAYOUT_PLAIN = 0,
  // kernels/cortex_m (ARMv7E-M DSP): bias always present and folded,
  //   bias'[c] = bias[c] + input_offset * sum(filter[c]),
  // so kernels accumulate raw int8 products (padded taps read as the input
  // zero point); filter order as documented in kernels/cortex_m/README.md.
  SPRAT_LAYOUT_ARMV7EM = 1,
};

// Bit k set: the linked kernel library runs layout k.
uint32_t sprat_kernel_layouts(void);
// The linked kernel library's name, e.g. "portable" or "cortex_m_dsp".
const char *sprat_kernel_library(void);

// sprat_conv_params.flags / sprat_fc_params.flags
enum {
  // For every output channel c: shift[c] <= -1 (a right shift only) and
  // every reachable accumulator (bias included) lies in (-2^30, 2^30). Then
  // TFLite's doubling high multiply equals a rounding high multiply of
  // acc << 1 (SMMULR), and its rounding shift needs no zero-shift case.
  // The converter proves it from the weights; a blob that lies about it
  // gets wrong numbers, never an out-of-bounds access.
  SPRAT_CONV_FAST_REQUANT = 1,
  // The bias input carries, after its out_c values, the constants the
  // layout's kernels would otherwise build in scratch at every call (the
  // Cortex-M library's requantization records, and its depthwise filter
  // split into SXTB16 lanes), made offline: less scratch, no set-up per
  // call. *_bias_words() says how many words the bias then holds.
  SPRAT_CONV_PREPARED = 2,
  // int16 (16x8) layers only: the bias is int32, and TFLite sums in 32 bits
  // (wrapping) and requantizes as its int8 layers do. Without it the bias
  // is int64 and the sum 64-bit, requantized by sprat_mbqm64 (FULLY_CONNECTED:
  // in double, either way).
  SPRAT_CONV_BIAS32 = 4,
  // FULLY_CONNECTED 16x8 only: requantized by sprat_mbqm64 with (multiplier,
  // shift) pairs, as TFLM computes it, instead of LiteRT's double product
  // (the converter picks TFLM's where only TFLM runs the model).
  SPRAT_FC_FIXED_POINT = 8,
  // FULLY_CONNECTED int8, layout PLAIN only: requantized with gemmlowp's two
  // roundings (sprat_mbqm), as TFLM's kernel does, instead of LiteRT's one
  // (the converter picks TFLM's where only TFLM runs the model).
  SPRAT_FC_DOUBLE_ROUNDING = 16,
};

// ---- convolutions -------------------------------------------------------
// Per-output-channel requantization: out = clamp(out_offset +
// mbqm(acc, multiplier[c], shift[c])) with TFLite's rounding.
typedef struct {
  sprat_shape4 in, filter, out;  // filter: [out_c, kh, kw, in_c]; depthwise [1, kh, kw, out_c]
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left;
  int32_t input_offset;   // -input zero point
  int32_t output_offset;  // output zero point
  int32_t act_min, act_max;
  int32_t depth_multiplier;  // depthwise only
  int32_t layout;            // SPRAT_LAYOUT_*: how filter and bias are stored
  int32_t flags;             // SPRAT_CONV_*: facts the converter proved offline
} sprat_conv_params;
// bias: [out_c], NULL when absent (layout PLAIN only); depthwise: out_c =
// in_c * depth_multiplier.

// ---- fully connected ----------------------------------------------------
// in: [batches, depth]; filter: [units, depth]; out: [batches, units].
typedef struct {
  int32_t batches, depth, units;
  int32_t input_offset, filter_offset, output_offset;
  int32_t act_min, act_max;
  int32_t per_channel;  // 1: multiplier/shift have `units` entries, 0: one
  int32_t layout;       // SPRAT_LAYOUT_*
  int32_t flags;        // SPRAT_CONV_*
} sprat_fc_params;

// ---- pooling ------------------------------------------------------------
typedef struct {
  sprat_shape4 in, out;
  int32_t stride_h, stride_w;
  int32_t filter_h, filter_w;
  int32_t pad_top, pad_left;
  int32_t act_min, act_max;
} sprat_pool_params;

// ---- elementwise binary (with broadcasting up to 6-D) --------------------
#define SPRAT_MAX_DIMS 6

// Strides in elements of each operand over the output's index space, 0 on
// broadcast dimensions; the converter computes them.
typedef struct {
  int32_t ndim;
  int32_t out_dims[SPRAT_MAX_DIMS];
  int32_t in1_strides[SPRAT_MAX_DIMS];
  int32_t in2_strides[SPRAT_MAX_DIMS];
} sprat_broadcast;

typedef struct {
  int32_t input1_offset, input2_offset, output_offset;
  int32_t left_shift;
  int32_t input1_multiplier, input1_shift;
  int32_t input2_multiplier, input2_shift;
  int32_t output_multiplier, output_shift;
  int32_t act_min, act_max;
  int32_t subtract;  // 1: SUB
  sprat_broadcast bc;
} sprat_add_params;


typedef struct {
  int32_t input1_offset, input2_offset, output_offset;
  int32_t output_multiplier, output_shift;
  int32_t act_min, act_max;
  sprat_broadcast bc;
} sprat_mul_params;


// MAXIMUM and MINIMUM: on the raw int8 values, as TFLite (which expects
// inputs and output to share quantization).
typedef struct {
  int32_t is_min;
  sprat_broadcast bc;
} sprat_max_min_params;


// PRELU: out = x >= 0 ? x * m1 : x * alpha * m2 (requantized), alpha
// broadcast over the input (bc: in1 = input, in2 = alpha).
typedef struct {
  int32_t input_offset, alpha_offset, output_offset;
  int32_t multiplier_pos, shift_pos;
  int32_t multiplier_neg, shift_neg;
  sprat_broadcast bc;
} sprat_prelu_params;


// ---- reductions -----------------------------------------------------------
// MEAN over the middle axis of an [outer, reduced, inner] view.
typedef struct {
  int32_t outer, reduced, inner;
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier, shift;  // already divided by the element count
} sprat_mean_params;


// REDUCE_MAX over the middle axis of an [outer, reduced, inner] view
// (same quantization in and out).
typedef struct {
  int32_t outer, reduced, inner;
} sprat_reduce_params;


// ARG_MAX over the middle axis of an [outer, reduced, inner] view.
typedef struct {
  int32_t outer, reduced, inner;
  int32_t output_is_int64;
  int32_t input_type;  // the input's type code (sprat.h): SPRAT_INT8 or SPRAT_FLOAT32
} sprat_arg_max_params;


// ---- activations and lookup tables ---------------------------------------
// SOFTMAX over the last axis, int8 in, int8 out (scale 1/256, zero point
// -128, as TFLite requires), in fixed point as LiteRT's reference kernel.
typedef struct {
  int32_t rows, depth;
  int32_t input_multiplier;  // beta * input scale in Q5.26, as a Q31 and
  int32_t input_left_shift;  // a left shift
  int32_t diff_min;          // differences below it contribute nothing
} sprat_softmax_params;
// exp_table: NULL, or the 256 values exp_on_negative(scaled(-d)) for the
// differences d = 0 .. 255 from the row's maximum (converter/quant.py), so
// that wide rows (a classifier's 1000 classes) look the exponential up
// instead of computing it twice per value. The same bytes either way.


// SOFTMAX, int16 in and out (zero points 0, output scale 1/32768): the
// difference from the row's maximum requantized to TFLite's exp table,
// whose 513 entries and those of its 1/(1 + x) table the converter makes.
typedef struct {
  int32_t rows, depth;
  int32_t input_multiplier, input_left_shift;
} sprat_softmax_s16_params;

// LOGISTIC and TANH, int16 (zero points 0, output scale 2^-15): the input
// times input_multiplier (at most 32767), rounded right by input_left_shift
// (0 to 31), interpolated in the 256-entry nondecreasing sigmoid table the
// converter makes (TFLite's numbers).
typedef struct {
  int32_t count;
  int32_t input_multiplier, input_left_shift;
} sprat_sigmoid_s16_params;

// ABS, int16 (zero points 0): |x|; rescale 1: times multiplier/shift; 2:
// unquantized values (|-32768| wraps to -32768, as TFLite's).
typedef struct {
  int32_t count;
  int32_t rescale, multiplier, shift;
} sprat_abs_s16_params;

// out[i] = table[(uint8_t)in[i]]: LOGISTIC and TANH (tables made offline).

// RELU, RELU6, RELU_N1_TO_1 and clamps: requantize then clamp.
typedef struct {
  int32_t count;
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier, shift;
  int32_t act_min, act_max;
} sprat_relu_params;


typedef struct {
  int32_t count;
  int32_t input_zero_point, output_zero_point;
  int32_t identity_multiplier, identity_shift;
  int32_t alpha_multiplier, alpha_shift;
} sprat_leaky_relu_params;


typedef struct {
  int32_t count;
  int32_t input_zero_point, output_zero_point;
  int32_t reluish_multiplier_fixedpoint_int16, reluish_multiplier_exponent;
  int32_t output_multiplier_fixedpoint_int16, output_multiplier_exponent;
} sprat_hard_swish_params;


// ---- quantization ---------------------------------------------------------
typedef struct {
  int32_t count;
  int32_t output_zero_point;
  float output_scale;
} sprat_quantize_f32_params;


typedef struct {
  int32_t count;
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier, shift;
} sprat_requantize_params;


typedef struct {
  int32_t count;
  int32_t input_zero_point;
  float input_scale;
} sprat_dequantize_params;

// QUANTIZE between int8 and int16 (one of them int16): sprat_requantize_params
// and the types' codes (sprat.h: 1 int8, 2 int16).
typedef struct {
  int32_t count;
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier, shift;
  int32_t input_type, output_type;
} sprat_requantize_s16_params;


// ---- data movement --------------------------------------------------------
// A general N-D gather: out[i] walks the output's index space; each output
// dimension has an input stride and a start offset. PAD, STRIDED_SLICE,
// TRANSPOSE and CONCATENATION (one call per input) reduce to it.
typedef struct {
  int32_t ndim;
  int32_t elem_size;             // bytes
  int32_t dims[SPRAT_MAX_DIMS];  // extent walked
  int32_t in_start;              // element offset of the first input element
  int32_t in_strides[SPRAT_MAX_DIMS];
  int32_t out_start;
  int32_t out_strides[SPRAT_MAX_DIMS];
} sprat_copy_params;


// PAD: fill the output with `value`, then copy the input into it.
typedef struct {
  int32_t value;  // the border's element value (int8: the zero point)
  int32_t count;  // elements of the output
  sprat_copy_params copy;
} sprat_pad_params;

// GATHER along one axis with indices known offline: the input is viewed as
// [outer, axis_size, inner_bytes], the output as [outer, n_indices,
// inner_bytes].
typedef struct {
  int32_t outer, axis_size, inner_bytes, n_indices;
} sprat_gather_params;


// Fill `count` elements of `elem_size` bytes with one value, sign-extended
// (PAD's border).

// RESIZE_NEAREST_NEIGHBOR: source row/column per output row/column are
// computed offline.
typedef struct {
  int32_t batches, in_h, in_w, channels, out_h, out_w;
} sprat_resize_params;

// ---- index-driven movement and batched matmul (the gather family) ---------
// Indices are read at run time (a model input, another op's output, or a
// constant), `index_size` bytes each (2, 4 or 8: int16, int32, int64).
// TFLite stops with an error on an index out of range; sprat's kernels
// never read out of bounds and give that index's slice the value `fill`
// (the zero point: real 0), elements of `elem_size` bytes.

// GATHER: input [batch, outer, axis_size, inner_bytes], indices [batch,
// n_indices], output [batch, outer, n_indices, inner_bytes].
typedef struct {
  int32_t batch, outer, axis_size, inner_bytes, n_indices;
  int32_t index_size, elem_size, fill;
} sprat_gather_rt_params;

// GATHER_ND: indices [n_slices, nd], each row one position in the first nd
// dimensions of the input [dims[0], ..., dims[nd - 1], slice_bytes]; output
// [n_slices, slice_bytes]. A row with any coordinate out of range gets the
// fill.
typedef struct {
  int32_t n_slices, nd, slice_bytes;
  int32_t index_size, elem_size, fill;
  int32_t dims[SPRAT_MAX_DIMS];
} sprat_gather_nd_params;

// EMBEDDING_LOOKUP of int8 rows into float32 (TFLite's hybrid lookup): out
// row i = values row lookup[i] times its scale (scales[row] per row, else
// scales[0]), one float product per element; an out-of-range row gives 0.0.
typedef struct {
  int32_t n_lookups, rows, cols;
  int32_t per_row;
} sprat_embedding_hybrid_params;

// DYNAMIC_UPDATE_SLICE: the output is the operand with the update written
// at start indices read at run time, each clamped into [0, operand_dims[d]
// - update_dims[d]] as TFLite clamps them.
typedef struct {
  int32_t ndim, elem_size, index_size;
  int32_t operand_dims[SPRAT_MAX_DIMS];
  int32_t update_dims[SPRAT_MAX_DIMS];
} sprat_dynamic_update_slice_params;

// BROADCAST_ARGS of two shape vectors (int32, or int64 read as TFLite reads
// them: truncated to int32), aligned at their ends, n_out = max(n1, n2).
// A dimension that does not broadcast (neither is 1, and they differ) comes
// out 0, where TFLite aborts.
typedef struct {
  int32_t n1, n2, n_out, is_int64;
} sprat_broadcast_args_params;

// BATCH_MATMUL: for every output batch b (up to 3 dimensions, each input's
// element stride 0 where it broadcasts), out[b][i][j] = requantized
// sum_k (lhs[b][i][k] + lhs_offset) * (rhs[b][k][j] + rhs_offset); adj_x and
// adj_y are the row/depth and depth/col strides. int8 sums in int32
// (wrapping), requantized as LiteRT's int8 kernels (sprat_mbqm); int16 sums
// in int64, requantized with the 64-bit flavour (sprat_mbqm64, shift <= 7).
typedef struct {
  int32_t batch[3];
  int32_t lhs_batch_strides[3], rhs_batch_strides[3];
  int32_t rows, cols, depth;
  int32_t lhs_row_stride, lhs_depth_stride;
  int32_t rhs_depth_stride, rhs_col_stride;
  int32_t lhs_offset, rhs_offset, output_offset;  // -zero points, the output's zero point
  int32_t multiplier, shift;
  int32_t act_min, act_max;
} sprat_batch_matmul_params;


// ---- state -----------------------------------------------------------------
// SVDF, int8 input and output, its activation state (the op's memory of the
// last `memory` feature values of every filter, kept across invokes) and time
// weights int16 (TFLite's) or int8 (state_is_int8, TFLM's variant with a
// state zero point). Per invoke: the state shifts one step, the feature
// matmul's newest values enter it, the time weights reduce it.
typedef struct {
  int32_t batches, input_size, filters, rank, memory;
  int32_t input_offset;      // -input zero point
  int32_t state_zero_point;  // 0 for an int16 state
  int32_t output_offset;
  int32_t feature_multiplier, feature_shift;  // input x feature weights -> state
  int32_t output_multiplier, output_shift;    // state x time weights -> output
  int32_t state_is_int8;
} sprat_svdf_params;

// ---- recurrent --------------------------------------------------------------
// UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights, int16 cell
// state (TFLite's integer 8x8_16 LSTM without CIFG, peephole, projection or
// layer normalisation). Gates in the order input, forget, cell, output.
typedef struct {
  int32_t batches, steps, n_input, n_cell;  // the output state has n_cell values per batch row
  int32_t time_major;                       // input [steps, batches, n_input], else [batches, steps, n_input]
  int32_t cell_scale_log2;                  // the cell state's scale is 2^cell_scale_log2, in [-15, -9]
  int32_t cell_clip;                        // 0, or the cell state is clamped to +-cell_clip (<= 32767)
  int32_t hidden_zp;                        // the output state's zero point
  int32_t hidden_multiplier, hidden_shift;  // 2^-30 / the output state's scale
  int32_t multiplier[8], shift[8];          // the input matmuls' of each gate, then the recurrent ones'
} sprat_lstm_s8_params;
// The same LSTM as TFLM computes it (lstm_tflm_s8: int8 activations, int32
// biases; lstm_tflm_s16: 16x8, int16 activations, int64 biases): TFLite's
// int16 sigmoid table for every gate, int16 Muls into the cell and hidden
// state. Gates in the order input, forget, cell, output.
typedef struct {
  int32_t batches, steps, n_input, n_cell;      // the output state has n_cell values per batch row
  int32_t time_major;                           // input [steps, batches, n_input], else [batches, steps, n_input]
  int32_t cell_clip;                            // -1: none; else the cell state is clamped to +-cell_clip (<= 32767)
  int32_t hidden_zp;                            // the output state's zero point
  int32_t tanh_multiplier, tanh_shift;          // tanh(cell state)'s input rescale (sprat_sigmoid_s16_params')
  int32_t forget_multiplier, forget_shift;      // forget gate x cell state -> cell state
  int32_t input_multiplier, input_shift;        // input gate x cell gate -> cell state
  int32_t hidden_multiplier, hidden_shift;      // output gate x tanh(cell state) -> output state
  int32_t multiplier[8], shift[8];              // the input matmuls' of each gate, then the recurrent ones'
} sprat_lstm_tflm_params;

// ---- norm family: reductions over any axes, normalizations, resizing -----
// A reduction over any set of axes: the input's dimensions, merged where
// neighbours are both kept or both reduced, split into the kept ones (the
// output's, in order: the output is dense over them) and the reduced ones,
// each with its stride in the input (elements).
enum { SPRAT_REDUCE_SUM = 0, SPRAT_REDUCE_MIN = 1, SPRAT_REDUCE_MAX = 2 };
typedef struct {
  int32_t kind;  // SPRAT_REDUCE_*
  int32_t type;  // the tensors' type code (sprat.h): 1 int8, 2 int16
  int32_t n_out;
  int32_t out_dims[SPRAT_MAX_DIMS], out_strides[SPRAT_MAX_DIMS];
  int32_t n_red;
  int32_t red_dims[SPRAT_MAX_DIMS], red_strides[SPRAT_MAX_DIMS];
  // SUM (and MEAN, its multiplier divided by the count offline): the
  // wrapped int32 sum less zero point * count, requantized, clamped.
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier, shift;
} sprat_reduce_nd_params;

// CUMSUM, int8, as TFLM computes it: each (x - zp) << left_shift scaled by
// input_multiplier into an int32 running sum that starts at the scaled
// -zp (not 0), the sum requantized by output_multiplier.
typedef struct {
  int32_t outer, depth, inner;  // elements before, along and after the axis
  int32_t exclusive, reverse;
  int32_t input_offset, output_offset;  // -input zero point, output zero point
  int32_t left_shift;
  int32_t input_multiplier, input_shift;
  int32_t output_multiplier, output_shift;
} sprat_cumsum_params;

// L2_NORMALIZATION, int8 in, int8 out with scale 1/128 and zero point 0,
// over the last axis.
typedef struct {
  int32_t rows, depth;
  int32_t input_zero_point;
} sprat_l2norm_params;

// LOG_SOFTMAX, int8 in, int8 out with scale 16/256 and zero point 127,
// over the last axis (beta 1), as TFLite's Prepare sets it up.
typedef struct {
  int32_t rows, depth;
  int32_t input_multiplier, input_left_shift;
  int32_t reverse_scaling_divisor, reverse_scaling_right_shift;
  int32_t diff_min;
} sprat_log_softmax_params;

// L2_POOL_2D, float32 (TFLite has no quantized one): sqrt of the mean of
// the squares over the window's positions inside the input, clamped.
typedef struct {
  sprat_shape4 in, out;
  int32_t stride_h, stride_w;
  int32_t filter_h, filter_w;
  int32_t pad_top, pad_left;
  float act_min, act_max;
} sprat_l2_pool_params;

// RESIZE_BILINEAR, int8 or int16 (TFLite's integer path, weights in
// 1/1024): per output row, (y0, y1, weight of y1 = input_y - 1024 * y0),
// per output column the same, computed offline.
typedef struct {
  int32_t batches, in_h, in_w, channels, out_h, out_w;
  int32_t type;  // 1 int8, 2 int16
} sprat_resize_bilinear_params;
// ---- arith (converter/ops/arith.py): DIV, FLOOR_DIV, FLOOR_MOD,
// SQUARED_DIFFERENCE, ADD_N, MAXIMUM/MINIMUM beyond int8, FLOOR, CEIL,
// ROUND, SQUARE --------------------------------------------------------------
enum {
  SPRAT_ARITH_DIV = 1,
  SPRAT_ARITH_FLOOR_DIV = 2,
  SPRAT_ARITH_FLOOR_MOD = 3,
  SPRAT_ARITH_SQUARED_DIFFERENCE = 4,
  SPRAT_ARITH_MAXIMUM = 5,
  SPRAT_ARITH_MINIMUM = 6,
  SPRAT_ARITH_FLOOR = 7,
  SPRAT_ARITH_CEIL = 8,
  SPRAT_ARITH_ROUND = 9,
  SPRAT_ARITH_SQUARE = 10,
  SPRAT_ARITH_ADD = 11,  // int32 and float32 ADD, SUB, MUL: raw values, the fused activation's clamp
  SPRAT_ARITH_SUB = 12,
  SPRAT_ARITH_MUL = 13,
};

// A binary op on the raw values of one type (sprat.h's code: int8, int16,
// int32, int64 or float32; which op takes which: runtime/ops/arith.c), with
// broadcasting. Integer division by 0 gives 0 (TFLite stops with an error)
// and INT_MIN / -1 wraps to INT_MIN; floats follow IEEE.
typedef struct {
  int32_t op;    // SPRAT_ARITH_DIV .. SPRAT_ARITH_MINIMUM
  int32_t type;  // the element type's code (sprat.h)
  int32_t act_min, act_max;    // DIV int32: the fused activation's clamp
  float act_min_f, act_max_f;  // DIV float32: the same
  sprat_broadcast bc;
} sprat_arith_params;


// FLOOR, CEIL, ROUND (halves to even), SQUARE on float32.
typedef struct {
  int32_t op;  // SPRAT_ARITH_FLOOR .. SPRAT_ARITH_SQUARE
  int32_t count;
} sprat_arith_unary_params;


// DIV int8, in fixed point as TFLite: the divisor's Newton-Raphson
// reciprocal, then one requantization.
typedef struct {
  int32_t input1_offset, input2_offset, output_offset;
  int32_t output_multiplier, output_shift;
  int32_t act_min, act_max;
  sprat_broadcast bc;
} sprat_div_params;


// SQUARED_DIFFERENCE int8 (left_shift 7) and int16 (left_shift 0, offsets 0):
// both inputs brought to a common scale, the difference squared, requantized.
typedef struct {
  int32_t input1_offset, input2_offset, output_offset;
  int32_t left_shift;
  int32_t input1_multiplier, input1_shift;
  int32_t input2_multiplier, input2_shift;
  int32_t output_multiplier, output_shift;
  sprat_broadcast bc;
} sprat_squared_difference_params;


// ADD_N int8: inputs of one shape and quantization, each scaled with
// left_shift bits of headroom, summed, requantized (TFLM's scheme).
typedef struct {
  int32_t count, n_inputs;
  int32_t input_offset, output_offset;
  int32_t left_shift;
  int32_t input_multiplier, input_shift;
  int32_t output_multiplier, output_shift;
} sprat_add_n_s8_params;


// ADD_N float32 or int32: ((in0 + in1) + in2) ..., as LiteRT sums.
typedef struct {
  int32_t count, n_inputs;
  int32_t type;  // SPRAT_FLOAT32 or SPRAT_INT32 of sprat.h
} sprat_add_n_params;



// ---- detection -------------------------------------------------------------
// TFLite_Detection_PostProcess (SSD heads), as LiteRT's kernel computes it in
// float: boxes decoded against constant anchors ([num_boxes, 4] float32: y,
// x, h, w), per-class score thresholds, non-max suppression (regular: per
// class, then the best max_detections; fast: each anchor by its best class,
// keeping its max_classes_per_detection best classes). Box encodings
// ([num_boxes, box_stride], the first 4 of each row read) are codes, uint8 or
// int8 (box_is_int8, read as code + 128), looked up in decode_table: 4 x 256
// doubles, per coordinate (y, x, h, w) y / y_scale, x / x_scale,
// 0.5 * exp(h / h_scale), 0.5 * exp(w / w_scale) of the dequantized code,
// computed offline as TFLite computes them (exp is not the same to the last
// bit in every C library). Class scores ([num_boxes,
// classes_with_background], the last num_classes of each row read) are
// float32 or codes looked up in score_table: 2 x 256 float32, the first
// for the scores before flat index score_table_split, the second from it
// on (LiteRT dequantizes uint8 scores 8 at a time in SIMD arithmetic and
// the rest one by one in double). The output packs
// TFLite's four: boxes [slots, 4] | classes [slots] | scores [slots] | count,
// slots = max_detections * max_classes_per_detection, unused slots 0.
// Scratch: SPRAT_KFN(detection_postprocess_get_buffer_size)(p) bytes,
// 4-byte aligned.
enum { SPRAT_DETECTION_SCORES_FLOAT32 = 0, SPRAT_DETECTION_SCORES_UINT8 = 1, SPRAT_DETECTION_SCORES_INT8 = 2 };

typedef struct {
  int32_t num_boxes, box_stride, box_is_int8;
  int32_t num_classes, classes_with_background;  // with background: one more
  int32_t scores_kind;                           // SPRAT_DETECTION_SCORES_*
  int32_t score_table_split;
  int32_t max_detections, max_classes_per_detection;
  int32_t detections_per_class;  // regular NMS: at most max_detections
  int32_t use_regular_nms;
  float score_threshold, iou_threshold;
} sprat_detection_params;

// ---- comparisons, logical ops, SELECT, CAST (bool tensors: 1 byte, 0 or 1) --
// Element types in these records are sprat.h's type codes (1 int8, 2 int16,
// 3 int32, 4 float32, 5 uint8, 6 int64, 7 bool).
enum { SPRAT_CMP_EQ = 0, SPRAT_CMP_NE = 1, SPRAT_CMP_GT = 2, SPRAT_CMP_GE = 3, SPRAT_CMP_LT = 4, SPRAT_CMP_LE = 5 };

// EQUAL ... LESS_EQUAL with broadcasting, a bool output. `scaled` (int8,
// uint8, int16 with quantization): TFLite's rescaling of both inputs to a
// common scale first, v = mbqm((x + offset) << left_shift, multiplier,
// shift) with shift <= 0; else the raw values (floats exactly, bools as 0/1).
typedef struct {
  int32_t kind;        // SPRAT_CMP_*
  int32_t input_type;  // of both inputs
  int32_t scaled;
  int32_t left_shift;
  int32_t input1_offset, input1_multiplier, input1_shift;
  int32_t input2_offset, input2_multiplier, input2_shift;
  sprat_broadcast bc;
} sprat_compare_params;

enum { SPRAT_LOGICAL_AND = 0, SPRAT_LOGICAL_OR = 1, SPRAT_LOGICAL_NOT = 2 };

// LOGICAL_AND, LOGICAL_OR with broadcasting; LOGICAL_NOT (in2 unused, its
// strides 0).
typedef struct {
  int32_t kind;  // SPRAT_LOGICAL_*
  sprat_broadcast bc;
} sprat_logical_params;

// SELECT_V2: out = cond ? x : y, all three broadcast over the output (bc:
// in1 = x, in2 = y), elements copied as bytes.
typedef struct {
  int32_t elem_size;  // 1, 2, 4 or 8
  int32_t cond_strides[SPRAT_MAX_DIMS];
  sprat_broadcast bc;
} sprat_select_params;

// CAST: integers wrap (two's complement), floats truncate toward zero and
// saturate to the integer type (NaN: its maximum), anything to bool is
// "!= 0", integers to float32 round to nearest even.
typedef struct {
  int32_t count;
  int32_t input_type, output_type;
} sprat_cast_params;

// REDUCE_ALL, REDUCE_ANY over any set of axes: input element i (its index
// over dims) goes into output element sum(index[d] * out_strides[d]).
typedef struct {
  int32_t any;  // 0: ALL, 1: ANY
  int32_t ndim;
  int32_t dims[SPRAT_MAX_DIMS];
  int32_t out_strides[SPRAT_MAX_DIMS];  // 0 on the reduced axes
  int32_t out_count;
} sprat_reduce_bool_params;

// ---- signal ----------------------------------------------------------------
// TFLM's Signal library (audio front ends: window, FFT, energy, mel filter
// bank, log, noise reduction, framing), its integer arithmetic to the bit.
// WINDOW: `rows` runs of `size` samples, each times the window, >> shift.
typedef struct {
  int32_t rows, size, shift;
} sprat_signal_window_params;

// RFFT / IRFFT, as TFLM's kiss_fft (v130) computes them: a complex FFT of
// fft_length / 2 points, mixed radix, `factors` its radices (2, 3, 4, 5)
// outermost first, as kiss_fft factors it; the integer ones scale by 1/radix
// at every stage. Twiddles (a constant input): fft_length / 2 complex ones,
// then fft_length / 4 of the real FFT's split. `in_length`: real samples a
// row of the RFFT's input holds (zero padded to fft_length), complex values
// a row of the IRFFT's input holds (it reads fft_length / 2 + 1).
#define SPRAT_SIGNAL_FFT_MAX_FACTORS 24
typedef struct {
  int32_t rows, in_length, fft_length, n_factors;
  int32_t factors[SPRAT_SIGNAL_FFT_MAX_FACTORS];
} sprat_signal_fft_params;

// ENERGY: |x[i]|^2 of complex int16 values, for i in [start, end) of
// `size` outputs (0 elsewhere).
typedef struct {
  int32_t start, end, size;
} sprat_signal_energy_params;

// FILTER_BANK: channels + 1 (weight, unweight) sums over the spectrum, as
// TFLM's FilterbankAccumulateChannels; channel 0 is dropped. The index
// arrays (channels + 1 each) were checked against input_size and
// weights_size.
typedef struct {
  int32_t channels, input_size, weights_size;
} sprat_signal_filter_bank_params;

typedef struct {
  int32_t channels, correction_bits, output_scale;
} sprat_signal_log_params;

// SPECTRAL_SUBTRACTION: TFLM's unsigned fields, as int32 bit patterns.
typedef struct {
  int32_t channels, smoothing, one_minus_smoothing, alternate_smoothing, alternate_one_minus_smoothing;
  int32_t min_signal_remaining, smoothing_bits, spectral_subtraction_bits, clamping;
} sprat_signal_spectral_subtraction_params;

typedef struct {
  int32_t channels, snr_shift;
} sprat_signal_pcan_params;

// FRAMER: per outer row, a buffer of `capacity` samples (its state) of
// which meta[0] are filled; meta[1]: whether the last invoke's frames were
// all complete (its valid output).
typedef struct {
  int32_t outer, frames, frame_size, frame_step, capacity;
} sprat_signal_framer_params;

// STACKER: a buffer of `size` = channels * (left + right + 1) samples, then
// the last complete stack (2 * size in all); meta: [filled, has the first
// frame, valid].
typedef struct {
  int32_t channels, left, right, step, size;
} sprat_signal_stacker_params;

typedef struct {
  int32_t outer, frame, delay;
} sprat_signal_delay_params;

typedef struct {
  int32_t outer, frames, frame_size, frame_step;
  int32_t is_float;  // float32 samples, else int16
} sprat_signal_overlap_add_params;


// The functions, named sprat_<op>: the library linked in (kernels/BUILD
// picks it per platform) defines them.
#define SPRAT_KFN(name) sprat_##name
#include "sprat/kernel_functions.inc"
#undef SPRAT_KFN

#ifdef __cplusplus
}
#endif

#endif  // SPRAT_KERNELS_H_
