// AVERAGE_POOL_2D, int8: four channels per word summed into two halfword
// pairs with SXTAB16 (even and odd bytes), one rounded division per channel
// by the window's count of positions inside the input, as TFLite: halves
// away from zero, (sum +- count / 2) / count truncated, 0 for an empty
// window. 256 int8 values sum inside int16, so the halfword sums are moved
// to int32 every 256 taps; the division is SDIV, which is exact.
#include "kernels/cortex_m/cortex_m.h"
#include "kernels/cortex_m/pooling/pool_common.h"

#define SPRAT_CM_POOL_TAPS16 256

static inline int32_t average(int32_t sum, int32_t count) {
  const int32_t half = count / 2;
  return (sum > 0 ? sum + half : sum - half) / count;
}

void sprat_cm_avg_pool2d_s8(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                            int32_t row_end) {
  const sprat_shape4 *is = &p->in, *os = &p->out;
  if (row_begin < 0 || row_end > os->h || !sprat_cm_pool_fast_ok(p, in, out)) {
    sprat_portable_avg_pool2d_s8(p, in, out, row_begin, row_end);
    return;
  }
  const int32_t C = os->c, row_step = is->w * C, lo = p->act_min, hi = p->act_max;
  const uint32_t lo4 = sprat_cm_rep8(lo), hi4 = sprat_cm_rep8(hi);
  const int8_t empty = (int8_t)sprat_cm_min_i32(sprat_cm_max_i32(0, lo), hi);
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
          for (int32_t c = 0; c < C; ++c) o[c] = empty;
          continue;
        }
        const int32_t count = rows * cols;
        const int8_t *win = in + ((b * is->h + y0 + ky0) * is->w + x0 + kx0) * C;
        int32_t c = 0;
        if (count <= SPRAT_CM_POOL_TAPS16) {
          for (; c + 4 <= C; c += 4) {
            uint32_t se = 0, so = 0;
            const int8_t *r = win + c;
            for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
              const int8_t *q = r;
              for (int32_t kx = 0; kx < cols; ++kx, q += C) {
                const uint32_t w = sprat_cm_load32(q);
                se = sprat_cm_sxtab16(se, w);
                so = sprat_cm_sxtab16_ror8(so, w);
              }
            }
            const int32_t a0 = average((int16_t)se, count), a1 = average((int16_t)so, count);
            const int32_t a2 = average((int32_t)se >> 16, count), a3 = average((int32_t)so >> 16, count);
            const uint32_t w = sprat_cm_pack4(__ssat(a0, 8), __ssat(a1, 8), __ssat(a2, 8), __ssat(a3, 8));
            sprat_cm_store32(o + c, sprat_cm_min8(sprat_cm_max8(w, lo4), hi4));
          }
        } else {
          for (; c + 4 <= C; c += 4) {
            int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, pending = 0;
            uint32_t se = 0, so = 0;
            const int8_t *r = win + c;
            for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
              const int8_t *q = r;
              for (int32_t kx = 0; kx < cols;) {
                int32_t step = sprat_cm_min_i32(cols - kx, SPRAT_CM_POOL_TAPS16 - pending);
                kx += step, pending += step;
                for (; step > 0; --step, q += C) {
                  const uint32_t w = sprat_cm_load32(q);
                  se = sprat_cm_sxtab16(se, w);
                  so = sprat_cm_sxtab16_ror8(so, w);
                }
                if (pending == SPRAT_CM_POOL_TAPS16) {
                  s0 += (int16_t)se, s1 += (int16_t)so, s2 += (int32_t)se >> 16, s3 += (int32_t)so >> 16;
                  se = so = 0, pending = 0;
                }
              }
            }
            s0 += (int16_t)se, s1 += (int16_t)so, s2 += (int32_t)se >> 16, s3 += (int32_t)so >> 16;
            const int32_t a0 = average(s0, count), a1 = average(s1, count);
            const int32_t a2 = average(s2, count), a3 = average(s3, count);
            const uint32_t w = sprat_cm_pack4(__ssat(a0, 8), __ssat(a1, 8), __ssat(a2, 8), __ssat(a3, 8));
            sprat_cm_store32(o + c, sprat_cm_min8(sprat_cm_max8(w, lo4), hi4));
          }
        }
        for (; c < C; ++c) {
          int32_t s = 0;
          const int8_t *r = win + c;
          for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
            const int8_t *q = r;
            for (int32_t kx = 0; kx < cols; ++kx, q += C) s += *q;
          }
          o[c] = (int8_t)sprat_cm_min_i32(sprat_cm_max_i32(average(s, count), lo), hi);
        }
      }
    }
  }
}
