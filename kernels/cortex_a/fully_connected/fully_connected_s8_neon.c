// FULLY_CONNECTED, int8, layout PLAIN: a GEMV per batch row, four units a
// pass. The products are of raw int8 values (SDOT, or SMULL + SADALP);
//   sum (w + fo) (x + io) = sum w x + io sum w + fo sum x + depth fo io
// modulo 2^32, the arithmetic the portable kernel wraps in, so the row
// sums are taken in the same pass and the offsets applied at the end.
// Requantized with one rounding (ca_mbqm_single), as LiteRT's int8 FC.
#include "kernels/cortex_a/cortex_a.h"
#include "kernels/cortex_a/neon.h"

// The sums of x's n bytes.
static int32_t ca_sum(const int8_t *x, int32_t n) {
  int32x4_t s = vdupq_n_s32(0);
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) s = vpadalq_s16(s, vpaddlq_s8(vld1q_s8(x + i)));
  uint32_t t = (uint32_t)vaddvq_s32(s);
  for (; i < n; ++i) t += (uint32_t)(int32_t)x[i];
  return (int32_t)t;
}

// Dot products of x with rows w[0..3] (n bytes each) into *dot (lane o),
// and the rows' sums into *ws.
static void ca_dot4(const int8_t *x, const int8_t *const *w, int32_t n, int32x4_t *dot, int32x4_t *ws) {
  int32x4_t a[4], s[4];
  for (int o = 0; o < 4; ++o) a[o] = s[o] = vdupq_n_s32(0);
  int32_t d = 0;
#ifdef SPRAT_CA_DOTPROD
  for (; d + 16 <= n; d += 16) {
    const int8x16_t xv = vld1q_s8(x + d);
    for (int o = 0; o < 4; ++o) {
      const int8x16_t wv = vld1q_s8(w[o] + d);
      a[o] = ca_dot16(a[o], wv, xv);
      s[o] = ca_sum16(s[o], wv);
    }
  }
#else
  // The row sums in int16 lanes (SADALP of bytes: two a step), widened
  // every 64 steps, long before 2 * 64 * 128 could overflow.
  while (d + 16 <= n) {
    int16x8_t h[4] = {vdupq_n_s16(0), vdupq_n_s16(0), vdupq_n_s16(0), vdupq_n_s16(0)};
    const int32_t end = n - d > 64 * 16 ? d + 64 * 16 : n;
    for (; d + 16 <= end; d += 16) {
      const int8x16_t xv = vld1q_s8(x + d);
      CA_UNROLL
      for (int o = 0; o < 4; ++o) {
        const int8x16_t wv = vld1q_s8(w[o] + d);
        a[o] = ca_dot16(a[o], wv, xv);
        h[o] = vpadalq_s8(h[o], wv);
      }
    }
    CA_UNROLL
    for (int o = 0; o < 4; ++o) s[o] = vpadalq_s16(s[o], h[o]);
  }
#endif
  if (d + 8 <= n) {
    const int8x8_t xv = vld1_s8(x + d);
    for (int o = 0; o < 4; ++o) {
      const int8x8_t wv = vld1_s8(w[o] + d);
      a[o] = ca_dot8(a[o], wv, xv);
      s[o] = ca_sum8(s[o], wv);
    }
    d += 8;
  }
  if (d < n) {
    const int32_t r = n - d;
    int8x8_t xv, wv[4];
    if (n >= 8) {
      const int8x8_t m = ca_tail_mask8(r);
      xv = vld1_s8(x + n - 8);
      for (int o = 0; o < 4; ++o) wv[o] = vand_s8(vld1_s8(w[o] + n - 8), m);
    } else {
      xv = ca_load_partial8(x, r);
      for (int o = 0; o < 4; ++o) wv[o] = ca_load_partial8(w[o], r);
    }
    for (int o = 0; o < 4; ++o) {
      a[o] = ca_dot8(a[o], wv[o], xv);
      s[o] = ca_sum8(s[o], wv[o]);
    }
  }
  *dot = ca_reduce4(a[0], a[1], a[2], a[3]);
  *ws = ca_reduce4(s[0], s[1], s[2], s[3]);
}

void SPRAT_CA(fully_connected_s8)(const sprat_fc_params *p, const int8_t *in, const int8_t *filter,
                                  const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                  int8_t *out) {
  const int32_t depth = p->depth, units = p->units;
  const int32x4_t io = vdupq_n_s32(p->input_offset), oo = vdupq_n_s32(p->output_offset);
  const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
  const int32x4_t m1 = vdupq_n_s32(multiplier[0]), t1 = vdupq_n_s32(shift[0] - 31);
  const uint32_t ff = (uint32_t)depth * (uint32_t)p->filter_offset * (uint32_t)p->input_offset;
  for (int32_t b = 0; b < p->batches; ++b) {
    const int8_t *x = in + (intptr_t)b * depth;
    // What does not depend on the unit: fo sum x + depth fo io.
    const uint32_t xs = (uint32_t)ca_sum(x, depth) * (uint32_t)p->filter_offset + ff;
    const int32x4_t common = vdupq_n_s32((int32_t)xs);
    for (int32_t u = 0; u < units; u += 4) {
      const int32_t n = units - u < 4 ? units - u : 4;
      const int8_t *w[4];
      int32x4_t bq, mq = m1, tq = t1;
      if (n == 4) {
        w[0] = filter + (intptr_t)u * depth, w[1] = w[0] + depth, w[2] = w[1] + depth, w[3] = w[2] + depth;
        bq = bias ? vld1q_s32(bias + u) : vdupq_n_s32(0);
        if (p->per_channel) mq = vld1q_s32(multiplier + u), tq = vaddq_s32(vld1q_s32(shift + u), vdupq_n_s32(-31));
      } else {
        // The last units: lanes past them repeat the last one.
        int32_t bv[4], mv[4], sv[4];
        for (int o = 0; o < 4; ++o) {
          const int32_t k = u + (o < n ? o : n - 1);
          w[o] = filter + (intptr_t)k * depth;
          bv[o] = bias ? bias[k] : 0;
          mv[o] = multiplier[p->per_channel ? k : 0], sv[o] = shift[p->per_channel ? k : 0] - 31;
        }
        bq = vld1q_s32(bv), mq = vld1q_s32(mv), tq = vld1q_s32(sv);
      }
      int32x4_t dot, ws;
      ca_dot4(x, w, depth, &dot, &ws);
      int32x4_t acc = vaddq_s32(vmlaq_s32(dot, ws, io), vaddq_s32(common, bq));
      acc = ca_mbqm_single(acc, mq, tq);
      const int8x8_t r = vmovn_s16(vcombine_s16(ca_finish(acc, oo, lo, hi), vdup_n_s16(0)));
      int8_t *o = out + (intptr_t)b * units + u;
      if (n == 4) {
        vst1_lane_u32((uint32_t *)(void *)o, vreinterpret_u32_s8(r), 0);
      } else {
        int8_t t[8];
        vst1_s8(t, r);
        for (int32_t i = 0; i < n; ++i) o[i] = t[i];
      }
    }
  }
}
