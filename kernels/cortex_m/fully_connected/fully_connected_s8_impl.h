// FULLY_CONNECTED in layout ARMV7EM: filter zero point 0, bias folded with
// the input offset, filter rows in the GEMM order (conv/filter_order.h);
// rounded once, as LiteRT's int8 FULLY_CONNECTED.
//
// A GEMV per batch, four rows per pass: each four inputs are loaded and
// unpacked (SXTB16) once for the four rows, whose weights come two rows per
// LDRD. Every weight is used once per batch, so its load and unpacking (3
// instructions per 4 weights) bound the pass near 0.8 MAC per instruction.
#ifndef SPRAT_KERNELS_CORTEX_M_FULLY_CONNECTED_S8_IMPL_H_
#define SPRAT_KERNELS_CORTEX_M_FULLY_CONNECTED_S8_IMPL_H_

#include <string.h>

#include "kernels/cortex_m/conv/filter_order.h"
#include "kernels/cortex_m/conv/gemm_s8.h"
#include "kernels/cortex_m/cortex_m.h"
#include "kernels/cortex_m/requant.h"
#include "kernels/cortex_m/simd.h"
#include "kernels/portable/fixedpoint.h"

// floor(a * b / 2^32)
static inline int32_t smmul(int32_t a, int32_t b) {
  int32_t r;
  __asm__("smmul %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

// sprat_mbqm_single: floor((acc * m + 2^(t-1)) / 2^t), t = 31 - shift. For
// t >= 33 the low word of the product cannot carry into the rounded high
// word, so the high word plus 2^(t-33), shifted by t - 32, is exact.
// For t = 31 - shift in [1, 31] (a multiplier of 1/2 or more, as in
// autoencoders), the low word of the rounded 64-bit product shifted by t,
// from its two words with 32-bit shifts: SMLAL and three instructions
// instead of a 64-bit shift.
static inline int32_t requant_single(int32_t acc, int32_t m, int32_t shift) {
  if (shift <= -2) {
    const int32_t r = -shift - 1;
    return (smmul(acc, m) + (1 << (r - 1))) >> r;
  }
  if (shift == -1) return sprat_cm_smmulr(acc, m);
  if (shift <= 30) {
    const int32_t t = 31 - shift;
    const uint64_t p = (uint64_t)((int64_t)acc * m) + ((uint64_t)1 << (t - 1));
    return (int32_t)(((uint32_t)(p >> 32) << (32 - t)) | ((uint32_t)p >> t));
  }
  return sprat_mbqm_single(acc, m, shift);
}

// Row u's multiplier or shift: its own (per channel) or the layer's.
static inline int32_t row_q(const int32_t *v, int32_t all, int32_t per_channel, int32_t u) {
  return per_channel ? v[u] : all;
}

static inline int8_t finish(const sprat_fc_params *p, int32_t acc, int32_t m, int32_t shift) {
  return (int8_t)sprat_clamp(sprat_wrap_add(requant_single(acc, m, shift), p->output_offset), p->act_min, p->act_max);
}

static __attribute__((unused)) void fallback(const sprat_fc_params *p, const int8_t *in, const int8_t *filter, const int32_t *bias,
                     const int32_t *multiplier, const int32_t *shift, int8_t *out) {
  const int32_t depth = p->depth, units = p->units;
  for (int32_t b = 0; b < p->batches; ++b) {
    const int8_t *row = in + b * depth;
    for (int32_t u = 0; u < units; ++u) {
      int32_t acc = bias[u];
      for (int32_t d = 0; d < depth; ++d)
        acc = sprat_wrap_add(acc, (int32_t)filter[sprat_cm_filter_index(u, d, units, depth)] * row[d]);
      const int32_t q = p->per_channel ? u : 0;
      out[b * units + u] = finish(p, acc, multiplier[q], shift[q]);
    }
  }
}

// The kernel as a template: the library calls it with the blob's record,
// generated layers with a constant one that GCC folds into the loops.
SPRAT_CM_INLINE void sprat_cm_fully_connected_s8_impl(const sprat_fc_params *p, const int8_t *in,
                                                      const int8_t *filter, const int32_t *bias,
                                                      const int32_t *multiplier, const int32_t *shift, int8_t *out) {
  const int32_t depth = p->depth, units = p->units, groups = depth >> 2, t = depth & 3;
  // LDRD needs the filter word-aligned; blobs align their constants to 16.
  if (groups == 0 || ((uintptr_t)filter & 3u)) {
    fallback(p, in, filter, bias, multiplier, shift, out);
    return;
  }
  const uint32_t tail_mask = t ? 0xFFFFFFFFu << (8 * (4 - t)) : 0;
  const int8_t *tails = filter + 4 * groups * units;
  const int32_t qstep = p->per_channel ? 1 : 0;
  // One multiplier and shift for all rows: read once, as the stores to
  // `out` (int8, which may alias anything) would force a reload per row.
  const int32_t m_all = multiplier[0], s_all = shift[0];
  for (int32_t b = 0; b < p->batches; ++b, out += units) {
    const int8_t *row = in + b * depth;
    const uint32_t xt = t ? sprat_cm_load32(row + depth - 4) & tail_mask : 0;
    const uint32_t xte = SXTB16(xt), xto = SXTB16_ROR8(xt);
    const int8_t *wp = filter;
    int32_t u = 0;
    for (; u + 3 < units; u += 4) {
      int32_t acc[4] = {bias[u], bias[u + 1], bias[u + 2], bias[u + 3]};
      sprat_cm_dot4(acc, row, wp, wp + 8 * groups, groups);
      wp += 16 * groups;
      int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
      if (t) {
        const int8_t *tw = tails + (u + 1) * t - 4;
        uint32_t w = sprat_cm_load32(tw);
        a0 = SMLAD(SXTB16_ROR8(w), xto, SMLAD(SXTB16(w), xte, a0));
        w = sprat_cm_load32(tw + t);
        a1 = SMLAD(SXTB16_ROR8(w), xto, SMLAD(SXTB16(w), xte, a1));
        w = sprat_cm_load32(tw + 2 * t);
        a2 = SMLAD(SXTB16_ROR8(w), xto, SMLAD(SXTB16(w), xte, a2));
        w = sprat_cm_load32(tw + 3 * t);
        a3 = SMLAD(SXTB16_ROR8(w), xto, SMLAD(SXTB16(w), xte, a3));
      }
      out[u] = finish(p, a0, row_q(multiplier, m_all, qstep, u), row_q(shift, s_all, qstep, u));
      out[u + 1] = finish(p, a1, row_q(multiplier, m_all, qstep, u + 1), row_q(shift, s_all, qstep, u + 1));
      out[u + 2] = finish(p, a2, row_q(multiplier, m_all, qstep, u + 2), row_q(shift, s_all, qstep, u + 2));
      out[u + 3] = finish(p, a3, row_q(multiplier, m_all, qstep, u + 3), row_q(shift, s_all, qstep, u + 3));
    }
    // Up to three rows left: a pair, then an odd last row (groups alone).
    for (; u < units; ++u) {
      const int odd_last = (units & 1) && u == units - 1;
      const uint32_t *w = (const uint32_t *)(const void *)(wp + (odd_last ? 0 : 4 * (u & 1)));
      const int32_t step = odd_last ? 1 : 2;
      int32_t a = bias[u];
      const int8_t *x = row;
      for (int32_t g = 0; g < groups; ++g, w += step) {
        const uint32_t xv = sprat_cm_load32(x);
        x += 4;
        a = SMLAD(SXTB16(*w), SXTB16(xv), a);
        a = SMLAD(SXTB16_ROR8(*w), SXTB16_ROR8(xv), a);
      }
      if (t) {
        const uint32_t wt = sprat_cm_load32(tails + (u + 1) * t - 4);
        a = SMLAD(SXTB16(wt), xte, a);
        a = SMLAD(SXTB16_ROR8(wt), xto, a);
      }
      if (u & 1) wp += 8 * groups;
      out[u] = finish(p, a, row_q(multiplier, m_all, qstep, u), row_q(shift, s_all, qstep, u));
    }
  }
}

#endif  // SPRAT_KERNELS_CORTEX_M_FULLY_CONNECTED_S8_IMPL_H_
