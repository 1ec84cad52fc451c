// AVERAGE_POOL_2D and MAX_POOL_2D, int8, 8 or more channels: 16 (then 8)
// channels a step over the taps inside the image (the last 8 or 16
// channels again when the count is not a multiple), one output pixel at a
// time in raster order (converter/access.py's allowance). Averages of up
// to 256 taps sum in int16 and divide exactly by a reciprocal (below);
// larger windows, fewer channels and windows with no tap inside the image
// run the portable kernel's arithmetic.
#include "kernels/cortex_a/cortex_a.h"
#include "kernels/cortex_a/neon.h"

#define CA_AVG_MAX_TAPS 256

typedef struct {
  const sprat_pool_params *p;
  const int8_t *in;
  int8_t *out;
  int is_max;
} ca_pool;

// floor(n / d) for 0 <= n < 2^16 and 1 <= d <= 256 as (n * m) >> 24 with
// m = floor(2^24 / d) + 1: the product overshoots n / d by less than
// n / 2^24 < 1 / d, which no fraction of n / d leaves room to carry over.
CA_INLINE uint32x4_t ca_div(uint32x4_t n, uint32x2_t m) {
  const uint64x2_t lo = vmull_u32(vget_low_u32(n), m), hi = vmull_high_u32(n, vcombine_u32(m, m));
  return vcombine_u32(vshrn_n_u64(lo, 24), vshrn_n_u64(hi, 24));
}

// TFLite's average of a sum s over d taps: halves away from zero,
// sign(s) * floor((|s| + d / 2) / d), clamped.
CA_INLINE int16x4_t ca_avg4(int32x4_t s, uint32x2_t m, uint32x4_t half, int32x4_t lo, int32x4_t hi) {
  const uint32x4_t q = ca_div(vaddq_u32(vreinterpretq_u32_s32(vabsq_s32(s)), half), m);
  const int32x4_t sign = vshrq_n_s32(s, 31);
  const int32x4_t v = vsubq_s32(veorq_s32(vreinterpretq_s32_u32(q), sign), sign);
  return vmovn_s32(vminq_s32(vmaxq_s32(v, lo), hi));
}

// Channels [c, c + 8 * H) of one output pixel at o: taps [ky0, ky1) x
// [kx0, kx1) of the window whose (0, 0) tap is at in[x].
CA_INLINE void ca_pool_step(const int H, const int MAX, const ca_pool *k, int32_t c, intptr_t x, int32_t ky0,
                            int32_t ky1, int32_t kx0, int32_t kx1, int8_t *o) {
  const sprat_pool_params *p = k->p;
  const intptr_t row = (intptr_t)p->in.w * p->in.c, col = p->in.c;
  if (MAX) {
    int8x16_t m = vdupq_n_s8(-128);
    for (int32_t ky = ky0; ky < ky1; ++ky) {
      const int8_t *xr = k->in + (x + ky * row + kx0 * col + c);
      for (int32_t kx = kx0; kx < kx1; ++kx, xr += col)
        m = H == 2 ? vmaxq_s8(m, vld1q_s8(xr)) : vcombine_s8(vmax_s8(vget_low_s8(m), vld1_s8(xr)), vdup_n_s8(0));
    }
    m = vminq_s8(vmaxq_s8(m, vdupq_n_s8((int8_t)p->act_min)), vdupq_n_s8((int8_t)p->act_max));
    if (H == 2)
      vst1q_s8(o + c, m);
    else
      vst1_s8(o + c, vget_low_s8(m));
    return;
  }
  int16x8_t s0 = vdupq_n_s16(0), s1 = vdupq_n_s16(0);
  for (int32_t ky = ky0; ky < ky1; ++ky) {
    const int8_t *xr = k->in + (x + ky * row + kx0 * col + c);
    for (int32_t kx = kx0; kx < kx1; ++kx, xr += col) {
      if (H == 2) {
        const int8x16_t v = vld1q_s8(xr);
        s0 = vaddw_s8(s0, vget_low_s8(v)), s1 = vaddw_high_s8(s1, v);
      } else {
        s0 = vaddw_s8(s0, vld1_s8(xr));
      }
    }
  }
  const uint32_t d = (uint32_t)((ky1 - ky0) * (kx1 - kx0));
  const uint32x2_t m = vdup_n_u32((1u << 24) / d + 1u);
  const uint32x4_t half = vdupq_n_u32(d / 2);
  const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
  const int8x8_t r0 = vmovn_s16(vcombine_s16(ca_avg4(vmovl_s16(vget_low_s16(s0)), m, half, lo, hi),
                                             ca_avg4(vmovl_high_s16(s0), m, half, lo, hi)));
  if (H == 2) {
    const int8x8_t r1 = vmovn_s16(vcombine_s16(ca_avg4(vmovl_s16(vget_low_s16(s1)), m, half, lo, hi),
                                               ca_avg4(vmovl_high_s16(s1), m, half, lo, hi)));
    vst1q_s8(o + c, vcombine_s8(r0, r1));
  } else {
    vst1_s8(o + c, r0);
  }
}

CA_INLINE void ca_pool_pixel(const int MAX, const ca_pool *k, intptr_t x, int32_t ky0, int32_t ky1, int32_t kx0,
                             int32_t kx1, int8_t *o) {
  const int32_t ch = k->p->in.c;
  int32_t c = 0;
  for (; c + 16 <= ch; c += 16) ca_pool_step(2, MAX, k, c, x, ky0, ky1, kx0, kx1, o);
  if (c + 8 <= ch) ca_pool_step(1, MAX, k, c, x, ky0, ky1, kx0, kx1, o), c += 8;
  if (c < ch) ca_pool_step(1, MAX, k, ch - 8, x, ky0, ky1, kx0, kx1, o);
}

static void ca_pool_rows(const int MAX, const ca_pool *k, int32_t row_begin, int32_t row_end) {
  const sprat_pool_params *p = k->p;
  const sprat_shape4 *is = &p->in, *os = &p->out;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      const int32_t ky0 = y0 < 0 ? -y0 : 0, ky1 = p->filter_h < is->h - y0 ? p->filter_h : is->h - y0;
      for (int32_t ox = 0; ox < os->w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        const int32_t kx0 = x0 < 0 ? -x0 : 0, kx1 = p->filter_w < is->w - x0 ? p->filter_w : is->w - x0;
        int8_t *o = k->out + (((intptr_t)b * os->h + oy) * os->w + ox) * os->c;
        if (ky0 >= ky1 || kx0 >= kx1) {
          // No tap inside the image: the portable kernel's value.
          const int32_t v = MAX ? p->act_min : (0 < p->act_min ? p->act_min : 0 > p->act_max ? p->act_max : 0);
          for (int32_t c = 0; c < os->c; ++c) o[c] = (int8_t)v;
          continue;
        }
        const intptr_t x = (((intptr_t)b * is->h + y0) * is->w + x0) * is->c;
        ca_pool_pixel(MAX, k, x, ky0, ky1, kx0, kx1, o);
      }
    }
  }
}

void SPRAT_CA(avg_pool2d_s8)(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                             int32_t row_end) {
  if (p->in.c < 8 || (int64_t)p->filter_h * p->filter_w > CA_AVG_MAX_TAPS) {
    sprat_portable_avg_pool2d_s8(p, in, out, row_begin, row_end);
    return;
  }
  const ca_pool k = {p, in, out, 0};
  ca_pool_rows(0, &k, row_begin, row_end);
}

void SPRAT_CA(max_pool2d_s8)(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                             int32_t row_end) {
  if (p->in.c < 8) {
    sprat_portable_max_pool2d_s8(p, in, out, row_begin, row_end);
    return;
  }
  const ca_pool k = {p, in, out, 1};
  ca_pool_rows(1, &k, row_begin, row_end);
}
