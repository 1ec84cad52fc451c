// DEPTHWISE_CONV_2D in layout ARMV7EM: the library's entry points over the kernel
// template (depthwise_s8_impl.h), which generated layers instantiate too.
#include "kernels/cortex_m/depthwise/depthwise_s8_impl.h"

int32_t sprat_cm_depthwise_conv2d_s8_get_buffer_size(const sprat_conv_params *p) {
  const int64_t window = (int64_t)p->filter.h * p->filter.w * p->out.c;
  if (window > (1 << 24)) return -1;  // beyond any real layer: the runtime refuses it
  return records_bytes(p) + lanes_bytes(p) + (((int32_t)window + 3) & ~3);
}

int32_t sprat_cm_depthwise_conv2d_s8_bias_words(const sprat_conv_params *p) {
  return p->out.c + (dw_prepared(p) ? 3 * p->out.c + (uses_asm(p) ? 2 * p->filter.h * p->filter.w * (p->out.c >> 2) : 0)
                                    : 0);
}

void sprat_cm_depthwise_conv2d_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                  const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out,
                                  void *scratch, int32_t row_begin, int32_t row_end) {
  sprat_cm_depthwise_conv2d_s8_impl(p, in, filter, bias, multiplier, shift, out, scratch, row_begin, row_end);
}
