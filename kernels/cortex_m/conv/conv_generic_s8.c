// CONV_2D in layout ARMV7EM, any shape (groups, dilation, padding): the
// fast kernels' fallback (conv_s8.c). The bias is folded with the input
// offset, so a padded tap reads as the input zero point (it then adds
// nothing); the filter is in the layout's order (filter_order.h).
#include "kernels/cortex_m/conv/filter_order.h"
#include "kernels/cortex_m/cortex_m.h"
#include "kernels/portable/fixedpoint.h"

void sprat_cm_conv2d_s8_generic(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out,
                                int32_t row_begin, int32_t row_end) {
  const sprat_shape4 *is = &p->in, *fs = &p->filter, *os = &p->out;
  const int32_t fdepth = fs->c, per_group = os->c / (is->c / fdepth);
  const int32_t zp = -p->input_offset, depth = fs->h * fs->w * fdepth;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      for (int32_t ox = 0; ox < os->w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        for (int32_t oc = 0; oc < os->c; ++oc) {
          const int32_t ic0 = (oc / per_group) * fdepth;
          int32_t acc = bias[oc];
          for (int32_t ky = 0; ky < fs->h; ++ky) {
            const int32_t y = y0 + p->dilation_h * ky;
            const int inside_y = y >= 0 && y < is->h;
            for (int32_t kx = 0; kx < fs->w; ++kx) {
              const int32_t x = x0 + p->dilation_w * kx;
              const int32_t k0 = (ky * fs->w + kx) * fdepth;
              const int inside = inside_y && x >= 0 && x < is->w;
              const int8_t *ip = inside ? in + ((b * is->h + y) * is->w + x) * is->c + ic0 : 0;
              for (int32_t ic = 0; ic < fdepth; ++ic)
                acc = sprat_wrap_add(acc, (int32_t)filter[sprat_cm_filter_index(oc, k0 + ic, os->c, depth)] *
                                              (ip ? ip[ic] : zp));
            }
          }
          acc = sprat_wrap_add(sprat_mbqm(acc, multiplier[oc], shift[oc]), p->output_offset);
          out[((b * os->h + oy) * os->w + ox) * os->c + oc] = (int8_t)sprat_clamp(acc, p->act_min, p->act_max);
        }
      }
    }
  }
}
