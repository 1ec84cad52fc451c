// L2_POOL_2D, float32, as TFLite's reference (which has no quantized one):
// the squares summed in float in window order, divided by the count of
// positions inside the input, sqrtf, then clamped. Every step is an IEEE
// operation rounded once (the library builds with -ffp-contract=off), so
// every target gives TFLite's bits.
#include <math.h>

#include "kernels/portable/portable.h"

static inline int32_t max_i32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t min_i32(int32_t a, int32_t b) { return a < b ? a : b; }

void sprat_portable_l2_pool2d_f32(const sprat_l2_pool_params *p, const float *in, float *out) {
  const sprat_shape4 *is = &p->in, *os = &p->out;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = 0; oy < os->h; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      const int32_t ky0 = max_i32(0, -y0), ky1 = min_i32(p->filter_h, is->h - y0);
      for (int32_t ox = 0; ox < os->w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        const int32_t kx0 = max_i32(0, -x0), kx1 = min_i32(p->filter_w, is->w - x0);
        for (int32_t c = 0; c < os->c; ++c) {
          float sum = 0.0f;
          int32_t count = 0;
          for (int32_t ky = ky0; ky < ky1; ++ky) {
            for (int32_t kx = kx0; kx < kx1; ++kx) {
              const float v = in[((b * is->h + y0 + ky) * is->w + x0 + kx) * is->c + c];
              sum += v * v;
              ++count;
            }
          }
          float r = sqrtf(sum / (float)count);
          // std::max then std::min, as TFLite's ActivationFunctionWithMinMax.
          r = r < p->act_min ? p->act_min : r;
          r = p->act_max < r ? p->act_max : r;
          out[((b * os->h + oy) * os->w + ox) * os->c + c] = r;
        }
      }
    }
  }
}
