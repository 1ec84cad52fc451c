// DEPTHWISE_CONV_2D in layout ARMV7EM, any shape: the fast kernel's
// fallback (depthwise_s8.c) when it is given no scratch. Padded taps
// read as the input zero point (bias folded); the filter is in the
// layout's order (dw_filter_order.h).
#include "kernels/cortex_m/cortex_m.h"
#include "kernels/cortex_m/depthwise/dw_filter_order.h"
#include "kernels/portable/fixedpoint.h"

void sprat_cm_depthwise_conv2d_s8_generic(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                          const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                          int8_t *out, int32_t row_begin, int32_t row_end) {
  const sprat_shape4 *is = &p->in, *fs = &p->filter, *os = &p->out;
  const int32_t dm = p->depth_multiplier, zp = -p->input_offset;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      for (int32_t ox = 0; ox < os->w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        for (int32_t oc = 0; oc < os->c; ++oc) {
          const int32_t ic = oc / dm;
          int32_t acc = bias[oc];
          for (int32_t ky = 0; ky < fs->h; ++ky) {
            const int32_t y = y0 + p->dilation_h * ky;
            for (int32_t kx = 0; kx < fs->w; ++kx) {
              const int32_t x = x0 + p->dilation_w * kx;
              const int32_t v = (y >= 0 && y < is->h && x >= 0 && x < is->w)
                                    ? in[((b * is->h + y) * is->w + x) * is->c + ic]
                                    : zp;
              acc = sprat_wrap_add(
                  acc, (int32_t)filter[sprat_cm_dw_filter_index(ky * fs->w + kx, oc, fs->h * fs->w, fs->c)] * v);
            }
          }
          acc = sprat_wrap_add(sprat_mbqm(acc, multiplier[oc], shift[oc]), p->output_offset);
          out[((b * os->h + oy) * os->w + ox) * os->c + oc] = (int8_t)sprat_clamp(acc, p->act_min, p->act_max);
        }
      }
    }
  }
}
