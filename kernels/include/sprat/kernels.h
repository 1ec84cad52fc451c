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

// ---- convolutions -------------------------------------------------------
// Per-output-channel requantization: out = clamp(out_offset +
// mbqm(acc, multiplier[c], shift[c])) with TFLite's rounding.
typedef struct {
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left;
  int32_t input_offset;   // -input zero point
  int32_t output_offset;  // output zero point
  int32_t act_min, act_max;
  int32_t depth_multiplier;  // depthwise only
} sprat_conv_params;

// filter: [out_c, kh, kw, in_c]; bias: [out_c] or NULL.
void sprat_conv2d_s8(const sprat_conv_params *p, const sprat_shape4 *in_shape, const int8_t *in,
                     const sprat_shape4 *filter_shape, const int8_t *filter, const int32_t *bias,
                     const int32_t *multiplier, const int32_t *shift, const sprat_shape4 *out_shape,
                     int8_t *out);

// filter: [1, kh, kw, out_c] with out_c = in_c * depth_multiplier.
void sprat_depthwise_conv2d_s8(const sprat_conv_params *p, const sprat_shape4 *in_shape,
                               const int8_t *in, const sprat_shape4 *filter_shape,
                               const int8_t *filter, const int32_t *bias,
                               const int32_t *multiplier, const int32_t *shift,
                               const sprat_shape4 *out_shape, int8_t *out);

// TRANSPOSE_CONV: filter [out_c, kh, kw, in_c]; every input element is
// scattered into an int32 accumulator per output element (`acc`, as many as
// the output has), then requantized. Uses stride, pad, offsets and act_*.
void sprat_transpose_conv_s8(const sprat_conv_params *p, const sprat_shape4 *in_shape, const int8_t *in,
                             const sprat_shape4 *filter_shape, const int8_t *filter, const int32_t *bias,
                             const int32_t *multiplier, const int32_t *shift, const sprat_shape4 *out_shape,
                             int8_t *out, int32_t *acc);

// ---- fully connected ----------------------------------------------------
typedef struct {
  int32_t input_offset, filter_offset, output_offset;
  int32_t act_min, act_max;
  int32_t per_channel;  // 1: multiplier/shift have `units` entries, 0: one
} sprat_fc_params;

// in: [batches, depth]; filter: [units, depth]; out: [batches, units].
void sprat_fully_connected_s8(const sprat_fc_params *p, int32_t batches, int32_t depth,
                              int32_t units, const int8_t *in, const int8_t *filter,
                              const int32_t *bias, const int32_t *multiplier,
                              const int32_t *shift, int8_t *out);

// ---- pooling ------------------------------------------------------------
typedef struct {
  int32_t stride_h, stride_w;
  int32_t filter_h, filter_w;
  int32_t pad_top, pad_left;
  int32_t act_min, act_max;
} sprat_pool_params;

void sprat_avg_pool2d_s8(const sprat_pool_params *p, const sprat_shape4 *in_shape, const int8_t *in,
                         const sprat_shape4 *out_shape, int8_t *out);
void sprat_max_pool2d_s8(const sprat_pool_params *p, const sprat_shape4 *in_shape, const int8_t *in,
                         const sprat_shape4 *out_shape, int8_t *out);

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

void sprat_add_s8(const sprat_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out);

typedef struct {
  int32_t input1_offset, input2_offset, output_offset;
  int32_t output_multiplier, output_shift;
  int32_t act_min, act_max;
  sprat_broadcast bc;
} sprat_mul_params;

void sprat_mul_s8(const sprat_mul_params *p, const int8_t *in1, const int8_t *in2, int8_t *out);

// MAXIMUM and MINIMUM: on the raw int8 values, as TFLite (which expects
// inputs and output to share quantization).
typedef struct {
  int32_t is_min;
  sprat_broadcast bc;
} sprat_max_min_params;

void sprat_max_min_s8(const sprat_max_min_params *p, const int8_t *in1, const int8_t *in2, int8_t *out);

// PRELU: out = x >= 0 ? x * m1 : x * alpha * m2 (requantized), alpha
// broadcast over the input (bc: in1 = input, in2 = alpha).
typedef struct {
  int32_t input_offset, alpha_offset, output_offset;
  int32_t multiplier_pos, shift_pos;
  int32_t multiplier_neg, shift_neg;
  sprat_broadcast bc;
} sprat_prelu_params;

void sprat_prelu_s8(const sprat_prelu_params *p, const int8_t *in, const int8_t *alpha, int8_t *out);

// ---- reductions -----------------------------------------------------------
// MEAN over the middle axis of an [outer, reduced, inner] view.
typedef struct {
  int32_t outer, reduced, inner;
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier, shift;  // already divided by the element count
} sprat_mean_params;

void sprat_mean_s8(const sprat_mean_params *p, const int8_t *in, int8_t *out);

// REDUCE_MAX over the middle axis of an [outer, reduced, inner] view
// (same quantization in and out).
typedef struct {
  int32_t outer, reduced, inner;
} sprat_reduce_params;

void sprat_reduce_max_s8(const sprat_reduce_params *p, const int8_t *in, int8_t *out);

// ARG_MAX over the middle axis of an [outer, reduced, inner] view.
typedef struct {
  int32_t outer, reduced, inner;
  int32_t output_is_int64;
  int32_t input_type;  // the input's type code (sprat.h): SPRAT_INT8 or SPRAT_FLOAT32
} sprat_arg_max_params;

void sprat_arg_max(const sprat_arg_max_params *p, const void *in, void *out);

// ---- activations and lookup tables ---------------------------------------
// SOFTMAX over the last axis, int8 in, int8 out (scale 1/256, zero point
// -128, as TFLite requires), in fixed point as LiteRT's reference kernel.
typedef struct {
  int32_t rows, depth;
  int32_t input_multiplier;  // beta * input scale in Q5.26, as a Q31 and
  int32_t input_left_shift;  // a left shift
  int32_t diff_min;          // differences below it contribute nothing
} sprat_softmax_params;

void sprat_softmax_s8(const sprat_softmax_params *p, const int8_t *in, int8_t *out);

// out[i] = table[(uint8_t)in[i]]: LOGISTIC and TANH (tables made offline).
void sprat_lut_s8(int32_t count, const int8_t *table, const int8_t *in, int8_t *out);

// RELU, RELU6, RELU_N1_TO_1 and clamps: requantize then clamp.
typedef struct {
  int32_t count;
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier, shift;
  int32_t act_min, act_max;
} sprat_relu_params;

void sprat_relu_s8(const sprat_relu_params *p, const int8_t *in, int8_t *out);

typedef struct {
  int32_t count;
  int32_t input_zero_point, output_zero_point;
  int32_t identity_multiplier, identity_shift;
  int32_t alpha_multiplier, alpha_shift;
} sprat_leaky_relu_params;

void sprat_leaky_relu_s8(const sprat_leaky_relu_params *p, const int8_t *in, int8_t *out);

typedef struct {
  int32_t count;
  int32_t input_zero_point, output_zero_point;
  int32_t reluish_multiplier_fixedpoint_int16, reluish_multiplier_exponent;
  int32_t output_multiplier_fixedpoint_int16, output_multiplier_exponent;
} sprat_hard_swish_params;

void sprat_hard_swish_s8(const sprat_hard_swish_params *p, const int8_t *in, int8_t *out);

// ---- quantization ---------------------------------------------------------
typedef struct {
  int32_t count;
  int32_t output_zero_point;
  float output_scale;
} sprat_quantize_f32_params;

void sprat_quantize_f32_s8(const sprat_quantize_f32_params *p, const float *in, int8_t *out);

typedef struct {
  int32_t count;
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier, shift;
} sprat_requantize_params;

void sprat_requantize_s8(const sprat_requantize_params *p, const int8_t *in, int8_t *out);

typedef struct {
  int32_t count;
  int32_t input_zero_point;
  float input_scale;
} sprat_dequantize_params;

void sprat_dequantize_s8_f32(const sprat_dequantize_params *p, const int8_t *in, float *out);

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

void sprat_strided_copy(const sprat_copy_params *p, const void *in, void *out);

// PAD: fill the output with `value`, then copy the input into it.
typedef struct {
  int32_t value;  // the border's element value (int8: the zero point)
  sprat_copy_params copy;
} sprat_pad_params;

// GATHER along one axis with indices known offline: the input is viewed as
// [outer, axis_size, inner_bytes], the output as [outer, n_indices,
// inner_bytes].
typedef struct {
  int32_t outer, axis_size, inner_bytes, n_indices;
} sprat_gather_params;

void sprat_gather(const sprat_gather_params *p, const int32_t *indices, const void *in, void *out);

// Fill `count` elements of `elem_size` bytes with one value (PAD's border).
void sprat_fill(int32_t count, int32_t elem_size, int32_t value, void *out);

// RESIZE_NEAREST_NEIGHBOR: source row/column per output row/column are
// computed offline.
typedef struct {
  int32_t batches, in_h, in_w, channels, out_h, out_w;
} sprat_resize_params;

void sprat_resize_nearest_s8(const sprat_resize_params *p, const int32_t *src_y,
                             const int32_t *src_x, const int8_t *in, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif  // SPRAT_KERNELS_H_
