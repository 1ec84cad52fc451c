// TRANSPOSE_CONV, 16x8: int16 input and output (zero points 0), int8
// per-channel filter, int64 bias; each input element scatters its products
// into int64 accumulators, requantized as TFLite's 64-bit path does.
#include <string.h>

#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_transpose_conv_s16(const sprat_conv_params *p, const int16_t *in, const int8_t *filter,
                                       const int64_t *bias, const int32_t *multiplier, const int32_t *shift,
                                       int16_t *out, int64_t *acc) {
  const sprat_shape4 *is = &p->in, *fs = &p->filter, *os = &p->out;
  const size_t n = (size_t)os->n * os->h * os->w * os->c;
  memset(acc, 0, n * sizeof(int64_t));
  for (int32_t b = 0; b < is->n; ++b) {
    for (int32_t iy = 0; iy < is->h; ++iy) {
      for (int32_t ix = 0; ix < is->w; ++ix) {
        const int32_t y0 = iy * p->stride_h - p->pad_top, x0 = ix * p->stride_w - p->pad_left;
        for (int32_t ic = 0; ic < is->c; ++ic) {
          const int32_t v = in[((b * is->h + iy) * is->w + ix) * is->c + ic];
          for (int32_t ky = 0; ky < fs->h; ++ky) {
            const int32_t oy = y0 + ky;
            if (oy < 0 || oy >= os->h) continue;
            for (int32_t kx = 0; kx < fs->w; ++kx) {
              const int32_t ox = x0 + kx;
              if (ox < 0 || ox >= os->w) continue;
              int64_t *a = acc + ((size_t)(b * os->h + oy) * os->w + ox) * os->c;
              for (int32_t oc = 0; oc < os->c; ++oc) a[oc] += v * filter[((oc * fs->h + ky) * fs->w + kx) * fs->c + ic];
            }
          }
        }
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const int32_t oc = (int32_t)(i % (size_t)os->c);
    // Two's complement wrap, as TFLite's int64 sum of a crafted bias would.
    const int64_t a = (int64_t)((uint64_t)acc[i] + (uint64_t)(bias ? bias[oc] : 0));
    out[i] = (int16_t)sprat_clamp(sprat_mbqm64(a, multiplier[oc], shift[oc]), p->act_min, p->act_max);
  }
}
