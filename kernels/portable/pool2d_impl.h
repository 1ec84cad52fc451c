// The body of AVERAGE_POOL_2D and MAX_POOL_2D, once per element type
// (pool2d_s8.c and pool2d_s16.c include it with POOL_T and POOL_FN
// defined, which it undefines at its end). Windows only count positions
// inside the input, as TFLite does; the sum of at most 2^16 int16 values
// fits int32. An empty window (all padding) gives 0, or act_min for MAX.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

static inline int32_t POOL_FN(max_i32)(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t POOL_FN(min_i32)(int32_t a, int32_t b) { return a < b ? a : b; }

static void POOL_FN(pool)(const sprat_pool_params *p, const POOL_T *in, POOL_T *out, int32_t row_begin,
                          int32_t row_end, int is_max) {
  const sprat_shape4 *is = &p->in, *os = &p->out;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      const int32_t ky0 = POOL_FN(max_i32)(0, -y0), ky1 = POOL_FN(min_i32)(p->filter_h, is->h - y0);
      for (int32_t ox = 0; ox < os->w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        const int32_t kx0 = POOL_FN(max_i32)(0, -x0), kx1 = POOL_FN(min_i32)(p->filter_w, is->w - x0);
        for (int32_t c = 0; c < os->c; ++c) {
          int32_t acc = is_max ? INT32_MIN : 0, count = 0;  // INT32_MIN clamps to act_min
          for (int32_t ky = ky0; ky < ky1; ++ky) {
            for (int32_t kx = kx0; kx < kx1; ++kx) {
              const int32_t v = in[((b * is->h + y0 + ky) * is->w + x0 + kx) * is->c + c];
              acc = is_max ? POOL_FN(max_i32)(acc, v) : acc + v;
              ++count;
            }
          }
          if (!is_max) {
            // Rounds halves away from zero.
            if (count == 0) acc = 0;
            else acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          }
          out[((b * os->h + oy) * os->w + ox) * os->c + c] = (POOL_T)sprat_clamp(acc, p->act_min, p->act_max);
        }
      }
    }
  }
}

#undef POOL_T
#undef POOL_FN
