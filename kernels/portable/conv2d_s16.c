// CONV_2D 16x8: int16 input and output (zero points 0), int8 per-channel
// filter. TFLite accumulates in 64 bits with an int64 bias; with an int32
// bias (SPRAT_CONV_BIAS32) in 32 bits, requantized as its int8 layers are.
// Grouped convolution when in_c is a multiple of the filter's depth.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_conv2d_s16(const sprat_conv_params *p, const int16_t *in, const int8_t *filter,
                               const void *bias, const int32_t *multiplier, const int32_t *shift, int16_t *out,
                               int32_t row_begin, int32_t row_end) {
  const sprat_shape4 *is = &p->in, *fs = &p->filter, *os = &p->out;
  const int32_t fdepth = fs->c;
  const int32_t per_group = os->c / (is->c / fdepth);
  const int bias32 = (p->flags & SPRAT_CONV_BIAS32) != 0;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      for (int32_t ox = 0; ox < os->w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        for (int32_t oc = 0; oc < os->c; ++oc) {
          const int32_t ic0 = (oc / per_group) * fdepth;
          // At most 2^32 products below 2^22: no overflow.
          int64_t acc = 0;
          for (int32_t ky = 0; ky < fs->h; ++ky) {
            const int32_t y = y0 + p->dilation_h * ky;
            if (y < 0 || y >= is->h) continue;  // padding contributes zero
            for (int32_t kx = 0; kx < fs->w; ++kx) {
              const int32_t x = x0 + p->dilation_w * kx;
              if (x < 0 || x >= is->w) continue;
              const int16_t *ip = in + ((b * is->h + y) * is->w + x) * is->c + ic0;
              const int8_t *fp = filter + ((oc * fs->h + ky) * fs->w + kx) * fdepth;
              for (int32_t ic = 0; ic < fdepth; ++ic) acc += (int32_t)fp[ic] * ip[ic];
            }
          }
          int32_t r;
          if (bias32) {  // TFLite's int32 sum wraps; so does its low half
            int32_t a = (int32_t)(uint32_t)(uint64_t)acc;
            if (bias) a = sprat_wrap_add(a, ((const int32_t *)bias)[oc]);
            r = sprat_mbqm(a, multiplier[oc], shift[oc]);
          } else {
            if (bias) acc = (int64_t)((uint64_t)acc + (uint64_t)((const int64_t *)bias)[oc]);
            r = sprat_mbqm64(acc, multiplier[oc], shift[oc]);
          }
          out[((b * os->h + oy) * os->w + ox) * os->c + oc] = (int16_t)sprat_clamp(r, p->act_min, p->act_max);
        }
      }
    }
  }
}
