// CONV_2D in layout ARMV7EM: the library's entry points over the kernel
// template (conv_s8_impl.h), which generated layers instantiate too.
#include "kernels/cortex_m/conv/conv_s8_impl.h"

int32_t sprat_cm_conv2d_s8_get_buffer_size(const sprat_conv_params *p) {
  if (!fast_shape(p)) return 0;
  const int32_t depth = conv_depth(p), quads = (depth + 3) >> 2;
  const int32_t stage = 2 * quads > (p->out.c + 3) >> 2 ? 2 * quads : (p->out.c + 3) >> 2;
  return (conv_prepared(p) ? 0 : 4 * conv_record_words(p)) + 16 * quads + 4 * stage;
}

int32_t sprat_cm_conv2d_s8_bias_words(const sprat_conv_params *p) {
  return p->out.c + (conv_prepared(p) ? conv_record_words(p) : 0);
}

void sprat_cm_conv2d_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter, const int32_t *bias,
                        const int32_t *multiplier, const int32_t *shift, int8_t *out, void *scratch,
                        int32_t row_begin, int32_t row_end) {
  sprat_cm_conv2d_s8_impl(p, in, filter, bias, multiplier, shift, out, scratch, row_begin, row_end);
}
