// The op table: opcode -> glue. A kernel library is chosen at build time
// (Bazel select() on the platform's constraints); the table stays the same.
#include <stddef.h>

#include "runtime/src/op_api.h"

extern const sprat_op_registration sprat_op_conv_2d, sprat_op_depthwise_conv_2d, sprat_op_fully_connected,
    sprat_op_average_pool_2d, sprat_op_max_pool_2d, sprat_op_add, sprat_op_mul, sprat_op_mean, sprat_op_softmax,
    sprat_op_lut, sprat_op_relu, sprat_op_leaky_relu, sprat_op_hard_swish, sprat_op_quantize, sprat_op_requantize,
    sprat_op_dequantize, sprat_op_copy, sprat_op_pad, sprat_op_resize_nearest, sprat_op_arg_max, sprat_op_max_min,
    sprat_op_reduce_max, sprat_op_prelu, sprat_op_gather, sprat_op_transpose_conv, sprat_op_fused_rows;
extern const sprat_op_registration sprat_op_conv_2d_s16, sprat_op_depthwise_conv_2d_s16, sprat_op_fully_connected_s16,
    sprat_op_average_pool_2d_s16, sprat_op_max_pool_2d_s16, sprat_op_add_s16, sprat_op_mul_s16, sprat_op_quantize_s16,
    sprat_op_requantize_s16, sprat_op_dequantize_s16, sprat_op_relu_s16, sprat_op_leaky_relu_s16,
    sprat_op_softmax_s16, sprat_op_mean_s16, sprat_op_logistic_s16, sprat_op_tanh_s16, sprat_op_abs_s16,
    sprat_op_prelu_s16, sprat_op_dequantize_u8;
extern const sprat_op_registration sprat_op_svdf, sprat_op_circular_buffer, sprat_op_transpose_conv_s16,
    sprat_op_softmax_s8_s16;
extern const sprat_op_registration sprat_op_unidirectional_sequence_lstm;
extern const sprat_op_registration sprat_op_lstm_tflm_s8, sprat_op_lstm_tflm_s16;
extern const sprat_op_registration sprat_op_gather_rt, sprat_op_gather_nd, sprat_op_embedding_hybrid,
    sprat_op_dynamic_update_slice, sprat_op_broadcast_args, sprat_op_batch_matmul, sprat_op_batch_matmul_s16;
extern const sprat_op_registration sprat_op_reduce_nd, sprat_op_arg_min, sprat_op_cumsum, sprat_op_l2_normalization,
    sprat_op_log_softmax, sprat_op_l2_pool_2d, sprat_op_resize_bilinear, sprat_op_resize_nearest_s16;
extern const sprat_op_registration sprat_op_arith, sprat_op_arith_unary, sprat_op_div_s8, sprat_op_squared_difference_s8,
    sprat_op_squared_difference_s16, sprat_op_add_n_s8, sprat_op_add_n;
extern const sprat_op_registration sprat_op_detection_postprocess;
extern const sprat_op_registration sprat_op_compare, sprat_op_logical, sprat_op_select, sprat_op_cast,
    sprat_op_reduce_bool;
extern const sprat_op_registration sprat_op_signal_window, sprat_op_signal_fft_auto_scale, sprat_op_signal_rfft_s16,
    sprat_op_signal_irfft_s16, sprat_op_signal_rfft_s32, sprat_op_signal_irfft_s32, sprat_op_signal_rfft_f32,
    sprat_op_signal_irfft_f32, sprat_op_signal_energy, sprat_op_signal_filter_bank, sprat_op_signal_filter_bank_sqrt,
    sprat_op_signal_filter_bank_log, sprat_op_signal_spectral_subtraction, sprat_op_signal_pcan,
    sprat_op_signal_framer, sprat_op_signal_stacker, sprat_op_signal_valid, sprat_op_signal_delay,
    sprat_op_signal_overlap_add;

static const sprat_op_registration *const kOps[] = {
    &sprat_op_conv_2d,  &sprat_op_depthwise_conv_2d, &sprat_op_fully_connected, &sprat_op_average_pool_2d,
    &sprat_op_max_pool_2d, &sprat_op_add,          &sprat_op_mul,             &sprat_op_mean,
    &sprat_op_softmax,  &sprat_op_lut,               &sprat_op_relu,            &sprat_op_leaky_relu,
    &sprat_op_hard_swish, &sprat_op_quantize,        &sprat_op_requantize,      &sprat_op_dequantize,
    &sprat_op_copy,     &sprat_op_pad,               &sprat_op_resize_nearest,  &sprat_op_arg_max,
    &sprat_op_max_min,  &sprat_op_reduce_max,        &sprat_op_prelu,           &sprat_op_gather,
    &sprat_op_transpose_conv, &sprat_op_fused_rows,
    &sprat_op_conv_2d_s16, &sprat_op_depthwise_conv_2d_s16, &sprat_op_fully_connected_s16,
    &sprat_op_average_pool_2d_s16, &sprat_op_max_pool_2d_s16, &sprat_op_add_s16, &sprat_op_mul_s16,
    &sprat_op_quantize_s16, &sprat_op_requantize_s16, &sprat_op_dequantize_s16, &sprat_op_relu_s16,
    &sprat_op_leaky_relu_s16, &sprat_op_softmax_s16, &sprat_op_mean_s16, &sprat_op_logistic_s16, &sprat_op_tanh_s16,
    &sprat_op_abs_s16, &sprat_op_prelu_s16, &sprat_op_dequantize_u8,
    &sprat_op_svdf, &sprat_op_circular_buffer, &sprat_op_transpose_conv_s16, &sprat_op_softmax_s8_s16,
    &sprat_op_unidirectional_sequence_lstm,
    &sprat_op_lstm_tflm_s8, &sprat_op_lstm_tflm_s16,
    &sprat_op_gather_rt, &sprat_op_gather_nd, &sprat_op_embedding_hybrid, &sprat_op_dynamic_update_slice,
    &sprat_op_broadcast_args, &sprat_op_batch_matmul, &sprat_op_batch_matmul_s16,
    &sprat_op_reduce_nd, &sprat_op_arg_min, &sprat_op_cumsum, &sprat_op_l2_normalization, &sprat_op_log_softmax,
    &sprat_op_l2_pool_2d, &sprat_op_resize_bilinear, &sprat_op_resize_nearest_s16,
    &sprat_op_arith, &sprat_op_arith_unary, &sprat_op_div_s8, &sprat_op_squared_difference_s8,
    &sprat_op_squared_difference_s16, &sprat_op_add_n_s8, &sprat_op_add_n,
    &sprat_op_detection_postprocess,
    &sprat_op_compare, &sprat_op_logical, &sprat_op_select, &sprat_op_cast, &sprat_op_reduce_bool,
    &sprat_op_signal_window, &sprat_op_signal_fft_auto_scale, &sprat_op_signal_rfft_s16, &sprat_op_signal_irfft_s16,
    &sprat_op_signal_rfft_s32, &sprat_op_signal_irfft_s32, &sprat_op_signal_rfft_f32, &sprat_op_signal_irfft_f32,
    &sprat_op_signal_energy, &sprat_op_signal_filter_bank, &sprat_op_signal_filter_bank_sqrt,
    &sprat_op_signal_filter_bank_log, &sprat_op_signal_spectral_subtraction, &sprat_op_signal_pcan,
    &sprat_op_signal_framer, &sprat_op_signal_stacker, &sprat_op_signal_valid, &sprat_op_signal_delay,
    &sprat_op_signal_overlap_add,
};

const sprat_op_registration *sprat_find_op(uint16_t opcode) {
  for (size_t i = 0; i < sizeof kOps / sizeof kOps[0]; ++i)
    if (kOps[i]->opcode == opcode) return kOps[i];
  return NULL;
}
