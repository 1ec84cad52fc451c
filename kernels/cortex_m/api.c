// The ARMv7E-M DSP library: its own kernels for layout ARMV7EM, the portable
// kernels for layout PLAIN and for every op it does not override.
#include "kernels/cortex_m/cortex_m.h"

uint32_t sprat_kernel_layouts(void) { return (1u << SPRAT_LAYOUT_PLAIN) | (1u << SPRAT_LAYOUT_ARMV7EM); }
const char *sprat_kernel_library(void) { return "cortex_m_dsp"; }

#define SPRAT_OVERRIDES_conv2d_s8_get_buffer_size
#define SPRAT_OVERRIDES_conv2d_s8
#define SPRAT_OVERRIDES_conv2d_s8_bias_words
#define SPRAT_OVERRIDES_depthwise_conv2d_s8_bias_words
#define SPRAT_OVERRIDES_depthwise_conv2d_s8_get_buffer_size
#define SPRAT_OVERRIDES_depthwise_conv2d_s8
#define SPRAT_OVERRIDES_fully_connected_s8
#define SPRAT_OVERRIDES_add_s8
#define SPRAT_OVERRIDES_mul_s8
#define SPRAT_OVERRIDES_avg_pool2d_s8
#define SPRAT_OVERRIDES_max_pool2d_s8
#include "kernels/portable/forwards.inc"

int32_t sprat_conv2d_s8_get_buffer_size(const sprat_conv_params *p) {
  return p->layout == SPRAT_LAYOUT_ARMV7EM ? sprat_cm_conv2d_s8_get_buffer_size(p)
                                            : sprat_portable_conv2d_s8_get_buffer_size(p);
}

int32_t sprat_conv2d_s8_bias_words(const sprat_conv_params *p) {
  return p->layout == SPRAT_LAYOUT_ARMV7EM ? sprat_cm_conv2d_s8_bias_words(p) : sprat_portable_conv2d_s8_bias_words(p);
}

int32_t sprat_depthwise_conv2d_s8_bias_words(const sprat_conv_params *p) {
  return p->layout == SPRAT_LAYOUT_ARMV7EM ? sprat_cm_depthwise_conv2d_s8_bias_words(p)
                                            : sprat_portable_depthwise_conv2d_s8_bias_words(p);
}

void sprat_conv2d_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter, const int32_t *bias,
                     const int32_t *multiplier, const int32_t *shift, int8_t *out, void *scratch, int32_t row_begin,
                     int32_t row_end) {
  if (p->layout == SPRAT_LAYOUT_ARMV7EM)
    sprat_cm_conv2d_s8(p, in, filter, bias, multiplier, shift, out, scratch, row_begin, row_end);
  else
    sprat_portable_conv2d_s8(p, in, filter, bias, multiplier, shift, out, scratch, row_begin, row_end);
}

int32_t sprat_depthwise_conv2d_s8_get_buffer_size(const sprat_conv_params *p) {
  return p->layout == SPRAT_LAYOUT_ARMV7EM ? sprat_cm_depthwise_conv2d_s8_get_buffer_size(p)
                                            : sprat_portable_depthwise_conv2d_s8_get_buffer_size(p);
}

void sprat_depthwise_conv2d_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                               const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out,
                               void *scratch, int32_t row_begin, int32_t row_end) {
  if (p->layout == SPRAT_LAYOUT_ARMV7EM)
    sprat_cm_depthwise_conv2d_s8(p, in, filter, bias, multiplier, shift, out, scratch, row_begin, row_end);
  else
    sprat_portable_depthwise_conv2d_s8(p, in, filter, bias, multiplier, shift, out, scratch, row_begin, row_end);
}

void sprat_fully_connected_s8(const sprat_fc_params *p, const int8_t *in, const int8_t *filter, const int32_t *bias,
                              const int32_t *multiplier, const int32_t *shift, int8_t *out) {
  if (p->layout == SPRAT_LAYOUT_ARMV7EM)
    sprat_cm_fully_connected_s8(p, in, filter, bias, multiplier, shift, out);
  else
    sprat_portable_fully_connected_s8(p, in, filter, bias, multiplier, shift, out);
}

void sprat_add_s8(const sprat_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  sprat_cm_add_s8(p, in1, in2, out);
}

void sprat_mul_s8(const sprat_mul_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  sprat_cm_mul_s8(p, in1, in2, out);
}

void sprat_avg_pool2d_s8(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                         int32_t row_end) {
  sprat_cm_avg_pool2d_s8(p, in, out, row_begin, row_end);
}

void sprat_max_pool2d_s8(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                         int32_t row_end) {
  sprat_cm_max_pool2d_s8(p, in, out, row_begin, row_end);
}
