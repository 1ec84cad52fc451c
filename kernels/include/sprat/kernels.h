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
