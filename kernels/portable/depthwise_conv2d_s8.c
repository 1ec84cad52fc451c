// DEPTHWISE_CONV_2D, int8, per-channel requantization, any depth multiplier.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

int32_t sprat_portable_depthwise_conv2d_s8_get_buffer_size(const sprat_conv_params *p) {
  (void)p;
  return 0;
}

int32_t sprat_portable_depthwise_conv2d_s8_bias_words(const sprat_conv_params *p) { return p->out.c; }

void sprat_portable_depthwise_conv2d_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                        const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                        int8_t *out, void *scratch, int32_t row_begin, int32_t row_end) {
  (void)scratch;
  const sprat_shape4 *is = &p->in, *fs = &p->filter, *os = &p->out;
  const int32_t dm = p->depth_multiplier;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      for (int32_t ox = 0; ox < os->w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        for (int32_t ic = 0; ic < is->c; ++ic) {
          for (int32_t m = 0; m < dm; ++m) {
            const int32_t oc = ic * dm + m;
            int32_t acc = 0;
            for (int32_t ky = 0; ky < fs->h; ++ky) {
              const int32_t y = y0 + p->dilation_h * ky;
              if (y < 0 || y >= is->h) continue;
              for (int32_t kx = 0; kx < fs->w; ++kx) {
                const int32_t x = x0 + p->dilation_w * kx;
                if (x < 0 || x >= is->w) continue;
                const int32_t v = in[((b * is->h + y) * is->w + x) * is->c + ic];
                // At most 2^16 taps (the runtime bounds them): no overflow.
                acc += (int32_t)filter[(ky * fs->w + kx) * fs->c + oc] * (v + p->input_offset);
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
}
