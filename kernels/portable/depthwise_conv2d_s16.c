// DEPTHWISE_CONV_2D 16x8: int16 input and output (zero points 0), int8
// per-channel filter, int64 bias (the only one TFLite takes here), 64-bit
// accumulation, any depth multiplier.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_depthwise_conv2d_s16(const sprat_conv_params *p, const int16_t *in, const int8_t *filter,
                                         const int64_t *bias, const int32_t *multiplier, const int32_t *shift,
                                         int16_t *out, int32_t row_begin, int32_t row_end) {
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
            int64_t acc = 0;
            for (int32_t ky = 0; ky < fs->h; ++ky) {
              const int32_t y = y0 + p->dilation_h * ky;
              if (y < 0 || y >= is->h) continue;
              for (int32_t kx = 0; kx < fs->w; ++kx) {
                const int32_t x = x0 + p->dilation_w * kx;
                if (x < 0 || x >= is->w) continue;
                acc += (int32_t)filter[(ky * fs->w + kx) * fs->c + oc] * in[((b * is->h + y) * is->w + x) * is->c + ic];
              }
            }
            if (bias) acc = (int64_t)((uint64_t)acc + (uint64_t)bias[oc]);
            const int32_t r = sprat_mbqm64(acc, multiplier[oc], shift[oc]);
            out[((b * os->h + oy) * os->w + ox) * os->c + oc] = (int16_t)sprat_clamp(r, p->act_min, p->act_max);
          }
        }
      }
    }
  }
}
