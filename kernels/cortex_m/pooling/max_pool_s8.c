// MAX_POOL_2D, int8: four channels per word, the running maximum kept with
// SSUB8 + SEL (a bytewise signed max), then clamped the same way. The
// maximum starts at -128, which no input is below, so it equals the
// portable kernel's INT32_MIN start; an empty window (padding only) stays
// at -128 and clamps to act_min, as the portable kernel's does.
#include "kernels/cortex_m/cortex_m.h"
#include "kernels/cortex_m/pooling/pool_common.h"

void sprat_cm_max_pool2d_s8(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                            int32_t row_end) {
  const sprat_shape4 *is = &p->in, *os = &p->out;
  if (row_begin < 0 || row_end > os->h || !sprat_cm_pool_fast_ok(p, in, out)) {
    sprat_portable_max_pool2d_s8(p, in, out, row_begin, row_end);
    return;
  }
  const int32_t C = os->c, row_step = is->w * C;
  const uint32_t lo4 = sprat_cm_rep8(p->act_min), hi4 = sprat_cm_rep8(p->act_max);
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      const int32_t ky0 = sprat_cm_max_i32(0, -y0), ky1 = sprat_cm_min_i32(p->filter_h, is->h - y0);
      int8_t *o = out + ((b * os->h + oy) * os->w) * C;
      for (int32_t ox = 0; ox < os->w; ++ox, o += C) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        const int32_t kx0 = sprat_cm_max_i32(0, -x0), kx1 = sprat_cm_min_i32(p->filter_w, is->w - x0);
        const int32_t rows = ky1 - ky0, cols = kx1 - kx0;
        if (rows <= 0 || cols <= 0) {
          for (int32_t c = 0; c < C; ++c) o[c] = (int8_t)p->act_min;
          continue;
        }
        const int8_t *win = in + ((b * is->h + y0 + ky0) * is->w + x0 + kx0) * C;
        int32_t c = 0;
        for (; c + 8 <= C; c += 8) {
          uint32_t m0 = 0x80808080u, m1 = 0x80808080u;
          const int8_t *r = win + c;
          for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
            const int8_t *q = r;
            for (int32_t kx = 0; kx < cols; ++kx, q += C) {
              m0 = sprat_cm_max8(m0, sprat_cm_load32(q));
              m1 = sprat_cm_max8(m1, sprat_cm_load32(q + 4));
            }
          }
          sprat_cm_store32(o + c, sprat_cm_min8(sprat_cm_max8(m0, lo4), hi4));
          sprat_cm_store32(o + c + 4, sprat_cm_min8(sprat_cm_max8(m1, lo4), hi4));
        }
        for (; c + 4 <= C; c += 4) {
          uint32_t m = 0x80808080u;
          const int8_t *r = win + c;
          for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
            const int8_t *q = r;
            for (int32_t kx = 0; kx < cols; ++kx, q += C) m = sprat_cm_max8(m, sprat_cm_load32(q));
          }
          sprat_cm_store32(o + c, sprat_cm_min8(sprat_cm_max8(m, lo4), hi4));
        }
        for (; c < C; ++c) {
          int32_t m = -128;
          const int8_t *r = win + c;
          for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
            const int8_t *q = r;
            for (int32_t kx = 0; kx < cols; ++kx, q += C) m = sprat_cm_max_i32(m, *q);
          }
          o[c] = (int8_t)sprat_cm_min_i32(sprat_cm_max_i32(m, p->act_min), p->act_max);
        }
      }
    }
  }
}
