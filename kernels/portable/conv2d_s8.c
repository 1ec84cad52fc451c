// CONV_2D, int8 in/out, int8 filter with per-channel requantization.
// Grouped convolution when in_c is a multiple of the filter's depth.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

int32_t sprat_portable_conv2d_s8_get_buffer_size(const sprat_conv_params *p) {
  (void)p;
  return 0;
}

int32_t sprat_portable_conv2d_s8_bias_words(const sprat_conv_params *p) { return p->out.c; }

void sprat_portable_conv2d_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                              const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out,
                              void *scratch, int32_t row_begin, int32_t row_end) {
  (void)scratch;
  const sprat_shape4 *is = &p->in, *fs = &p->filter, *os = &p->out;
  const int32_t fdepth = fs->c;
  const int32_t groups = is->c / fdepth;
  const int32_t per_group = os->c / groups;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      for (int32_t ox = 0; ox < os->w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        for (int32_t oc = 0; oc < os->c; ++oc) {
          const int32_t ic0 = (oc / per_group) * fdepth;
          int32_t acc = 0;
          for (int32_t ky = 0; ky < fs->h; ++ky) {
            const int32_t y = y0 + p->dilation_h * ky;
            if (y < 0 || y >= is->h) continue;  // padding contributes zero
            for (int32_t kx = 0; kx < fs->w; ++kx) {
              const int32_t x = x0 + p->dilation_w * kx;
              if (x < 0 || x >= is->w) continue;
              const int8_t *ip = in + ((b * is->h + y) * is->w + x) * is->c + ic0;
              const int8_t *fp = filter + ((oc * fs->h + ky) * fs->w + kx) * fdepth;
              // At most 2^16 products of at most 2^15 each (the runtime
              // bounds fdepth): the partial sum fits; the total wraps.
              int32_t part = 0;
              for (int32_t ic = 0; ic < fdepth; ++ic) part += (int32_t)fp[ic] * ((int32_t)ip[ic] + p->input_offset);
              acc = sprat_wrap_add(acc, part);
            }
          }
          if (bias) acc = sprat_wrap_add(acc, bias[oc]);
          acc = sprat_wrap_add(sprat_mbqm(acc, multiplier[oc], shift[oc]), p->output_offset);
          out[((b * os->h + oy) * os->w + ox) * os->c + oc] = (int8_t)sprat_clamp(acc, p->act_min, p->act_max);
        }
      }
    }
  }
}
