// Shared by the Cortex-A kernels: TFLite's requantization on four lanes,
// exact for every multiplier and shift the runtime accepts, and the int8
// dot products, as SDOT where the core has it (SPRAT_CA_DOTPROD) and as
// SMULL + SADALP otherwise.
#ifndef SPRAT_KERNELS_CORTEX_A_NEON_H_
#define SPRAT_KERNELS_CORTEX_A_NEON_H_

#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#define CA_INLINE static inline __attribute__((always_inline))
// Loops over a kernel's registers: unrolled whole, so that GCC keeps the
// accumulators in registers.
#define CA_UNROLL _Pragma("GCC unroll 16")

// Per-lane requantization constants: the multiplier, the left shift
// (max(shift, 0)) and the right shift as a negative count (min(shift, 0)).
typedef struct {
  int32x4_t mult, left, right;
} ca_rq;

CA_INLINE ca_rq ca_rq_make(int32x4_t mult, int32x4_t shift) {
  const int32x4_t zero = vdupq_n_s32(0);
  ca_rq r = {mult, vmaxq_s32(shift, zero), vminq_s32(shift, zero)};
  return r;
}

// sprat_mbqm (kernels/portable/fixedpoint.h) on four lanes. SQRDMULH is
// exactly TFLite's saturating rounding doubling high multiply (its nudge of
// 1 - 2^30 on negative products, truncated, is rounding half up as well),
// and SSHL's left shift wraps as the portable kernel's uint32 shift does.
// TFLite's rounding right shift rounds halves away from zero, SRSHL rounds
// them up: negative values lose 1 first where the shift is non-zero (the
// AND with the negative shift count keeps the sign bit only there); the
// saturating add only matters at INT32_MIN, which has no half to round.
CA_INLINE int32x4_t ca_mbqm(int32x4_t x, const ca_rq *q) {
  const int32x4_t h = vqrdmulhq_s32(vshlq_s32(x, q->left), q->mult);
  const int32x4_t fix = vshrq_n_s32(vandq_s32(h, q->right), 31);
  return vrshlq_s32(vqaddq_s32(h, fix), q->right);
}

// sprat_mbqm_single (FULLY_CONNECTED: one rounding, halves up) on four
// lanes: the 64-bit product, SRSHL by 31 - shift (in [1, 62]; its
// rounding constant is added without overflow), truncated to 32 bits.
CA_INLINE int32x4_t ca_mbqm_single(int32x4_t x, int32x4_t mult, int32x4_t neg_total) {
  const int64x2_t nlo = vmovl_s32(vget_low_s32(neg_total)), nhi = vmovl_high_s32(neg_total);
  const int64x2_t lo = vrshlq_s64(vmull_s32(vget_low_s32(x), vget_low_s32(mult)), nlo);
  const int64x2_t hi = vrshlq_s64(vmull_high_s32(x, mult), nhi);
  return vcombine_s32(vmovn_s64(lo), vmovn_s64(hi));
}

// + output offset (wrapping, as sprat_wrap_add), clamped, as int16 lanes.
CA_INLINE int16x4_t ca_finish(int32x4_t v, int32x4_t out_offset, int32x4_t lo, int32x4_t hi) {
  return vmovn_s32(vminq_s32(vmaxq_s32(vaddq_s32(v, out_offset), lo), hi));
}

// Eight (or sixteen) requantized lanes to int8: + output offset (wrapping,
// as sprat_wrap_add), narrowed with saturation, then clamped; saturating
// first changes nothing, as the clamp's bounds lie inside int8.
CA_INLINE int8x8_t ca_pack8(int32x4_t a, int32x4_t b, int32x4_t out_offset, int8x8_t lo, int8x8_t hi) {
  const int16x8_t h = vqmovn_high_s32(vqmovn_s32(vaddq_s32(a, out_offset)), vaddq_s32(b, out_offset));
  return vmin_s8(vmax_s8(vqmovn_s16(h), lo), hi);
}

CA_INLINE int8x16_t ca_pack16(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d, int32x4_t out_offset,
                              int8x16_t lo, int8x16_t hi) {
  const int16x8_t h0 = vqmovn_high_s32(vqmovn_s32(vaddq_s32(a, out_offset)), vaddq_s32(b, out_offset));
  const int16x8_t h1 = vqmovn_high_s32(vqmovn_s32(vaddq_s32(c, out_offset)), vaddq_s32(d, out_offset));
  return vminq_s8(vmaxq_s8(vqmovn_high_s16(vqmovn_s16(h0), h1), lo), hi);
}

// acc += the products of a and b, summed in groups of four consecutive
// lanes (SDOT) or pairs (SMULL + SADALP; an int8 product fits int16, a pair
// of them int32): either way the lanes of acc hold partial sums whose
// total is the dot product.
CA_INLINE int32x4_t ca_dot16(int32x4_t acc, int8x16_t a, int8x16_t b) {
#ifdef SPRAT_CA_DOTPROD
  return vdotq_s32(acc, a, b);
#else
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(b)));
  return vpadalq_s16(acc, vmull_high_s8(a, b));
#endif
}

// The same where no lane of a is -128 (TFLite's int8 weights are in
// [-127, 127]): then |a b| <= 127 * 128 and two products fit int16, so
// SMULL + SMLAL2 + SADALP do 16 in 3 instructions.
CA_INLINE int32x4_t ca_dot16_w127(int32x4_t acc, int8x16_t a, int8x16_t b) {
#ifdef SPRAT_CA_DOTPROD
  return vdotq_s32(acc, a, b);
#else
  return vpadalq_s16(acc, vmlal_high_s8(vmull_s8(vget_low_s8(a), vget_low_s8(b)), a, b));
#endif
}

// The same on 8 bytes (SDOT on the vectors zero-extended: a load into a
// D register clears the upper half anyway).
CA_INLINE int32x4_t ca_dot8(int32x4_t acc, int8x8_t a, int8x8_t b) {
#ifdef SPRAT_CA_DOTPROD
  return vdotq_s32(acc, vcombine_s8(a, vdup_n_s8(0)), vcombine_s8(b, vdup_n_s8(0)));
#else
  return vpadalq_s16(acc, vmull_s8(a, b));
#endif
}

// acc += partial sums of the lanes of a (a dot product with ones).
CA_INLINE int32x4_t ca_sum16(int32x4_t acc, int8x16_t a) {
#ifdef SPRAT_CA_DOTPROD
  return vdotq_s32(acc, a, vdupq_n_s8(1));
#else
  return vpadalq_s16(acc, vpaddlq_s8(a));
#endif
}

CA_INLINE int32x4_t ca_sum8(int32x4_t acc, int8x8_t a) {
#ifdef SPRAT_CA_DOTPROD
  return vdotq_s32(acc, vcombine_s8(a, vdup_n_s8(0)), vdupq_n_s8(1));
#else
  return vpadalq_s16(acc, vmovl_s8(a));
#endif
}

// The sums of each of four vectors' lanes, in one vector.
CA_INLINE int32x4_t ca_reduce4(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) {
  return vpaddq_s32(vpaddq_s32(a, b), vpaddq_s32(c, d));
}

// n (1..7) bytes at p in the low lanes, zeros above: no byte past p + n
// is read.
CA_INLINE int8x8_t ca_load_partial8(const int8_t *p, int32_t n) {
  uint64_t v = 0;
  for (int32_t i = 0; i < n; ++i) v |= (uint64_t)(uint8_t)p[i] << (8 * i);
  return vreinterpret_s8_u64(vcreate_u64(v));
}

// Lanes >= 8 - n set (n in 1..7): the last n of 8 bytes loaded ending at
// a run's end, the others counted already.
CA_INLINE int8x8_t ca_tail_mask8(int32_t n) {
  return vreinterpret_s8_u64(vcreate_u64(~(uint64_t)0 << (8 * (8 - n))));
}

// Stores the first n (0..4) bytes of lanes [4k, 4k + 4) of v at o.
CA_INLINE void ca_store_lanes(int8_t *o, int8x8_t v, const int k, int32_t n) {
  if (n == 4) {
    vst1_lane_u32((uint32_t *)(void *)o, vreinterpret_u32_s8(v), k);
    return;
  }
  uint32_t w = vget_lane_u32(vreinterpret_u32_s8(v), k);
  if (n & 2) {
    const uint16_t h = (uint16_t)w;
    memcpy(o, &h, 2);
    w >>= 16;
    o += 2;
  }
  if (n & 1) *o = (int8_t)(uint8_t)w;
}

#endif  // SPRAT_KERNELS_CORTEX_A_NEON_H_
