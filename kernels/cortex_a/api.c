// The Cortex-A (AArch64 NEON) library: its own kernels for CONV_2D,
// DEPTHWISE_CONV_2D and FULLY_CONNECTED in layout PLAIN (the layout every
// target's blob may carry) and for ADD/SUB, AVERAGE_POOL_2D and
// MAX_POOL_2D, the portable kernels for everything else.
#include "kernels/cortex_a/cortex_a.h"

#if defined(SPRAT_CA_DOTPROD) && !defined(__ARM_FEATURE_DOTPROD)
#error "SPRAT_CA_DOTPROD needs a core with the dot product (-mcpu=cortex-a55 or +dotprod)"
#endif

uint32_t sprat_kernel_layouts(void) { return 1u << SPRAT_LAYOUT_PLAIN; }

const char *sprat_kernel_library(void) {
#ifdef SPRAT_CA_DOTPROD
  return "cortex_a_dotprod";
#else
  return "cortex_a_neon";
#endif
}

#define SPRAT_OVERRIDES_conv2d_s8
#define SPRAT_OVERRIDES_depthwise_conv2d_s8
#define SPRAT_OVERRIDES_fully_connected_s8
#define SPRAT_OVERRIDES_add_s8
#define SPRAT_OVERRIDES_avg_pool2d_s8
#define SPRAT_OVERRIDES_max_pool2d_s8
#include "kernels/portable/forwards.inc"

void sprat_conv2d_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter, const int32_t *bias,
                     const int32_t *multiplier, const int32_t *shift, int8_t *out, void *scratch, int32_t row_begin,
                     int32_t row_end) {
  (void)scratch;
  if (p->layout == SPRAT_LAYOUT_PLAIN)
    SPRAT_CA(conv_s8)(p, in, filter, bias, multiplier, shift, out, row_begin, row_end);
  else
    sprat_portable_conv2d_s8(p, in, filter, bias, multiplier, shift, out, scratch, row_begin, row_end);
}

void sprat_depthwise_conv2d_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                               const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out,
                               void *scratch, int32_t row_begin, int32_t row_end) {
  (void)scratch;
  if (p->layout == SPRAT_LAYOUT_PLAIN)
    SPRAT_CA(depthwise_conv_s8)(p, in, filter, bias, multiplier, shift, out, row_begin, row_end);
  else
    sprat_portable_depthwise_conv2d_s8(p, in, filter, bias, multiplier, shift, out, scratch, row_begin, row_end);
}

void sprat_fully_connected_s8(const sprat_fc_params *p, const int8_t *in, const int8_t *filter, const int32_t *bias,
                              const int32_t *multiplier, const int32_t *shift, int8_t *out) {
  // TFLM's double rounding (a model only TFLM runs) is the portable kernel's.
  if (p->layout == SPRAT_LAYOUT_PLAIN && !(p->flags & SPRAT_FC_DOUBLE_ROUNDING))
    SPRAT_CA(fully_connected_s8)(p, in, filter, bias, multiplier, shift, out);
  else
    sprat_portable_fully_connected_s8(p, in, filter, bias, multiplier, shift, out);
}

void sprat_add_s8(const sprat_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  SPRAT_CA(add_s8)(p, in1, in2, out);
}

void sprat_avg_pool2d_s8(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                         int32_t row_end) {
  SPRAT_CA(avg_pool2d_s8)(p, in, out, row_begin, row_end);
}

void sprat_max_pool2d_s8(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                         int32_t row_end) {
  SPRAT_CA(max_pool2d_s8)(p, in, out, row_begin, row_end);
}
