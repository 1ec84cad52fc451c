// TFLite's per-channel requantization (MultiplyByQuantizedMultiplier plus
// the output offset and activation clamp), bit-exact, cheap on ARMv7E-M.
//
// Why the fast path is exact: TFLite computes
//   y = SaturatingRoundingDoublingHighMul(acc << left, m)   (m >= 0)
//   out = RoundingDivideByPOT(y, right)
// Its nudge (1 - 2^30 for negative products, then truncation toward zero)
// works out to floor((acc * m + 2^30) / 2^31) for every sign, which is
// SMMULR(acc << 1, m) = floor((2 * acc * m + 2^31) / 2^32) whenever acc << 1
// fits in int32. RoundingDivideByPOT rounds halves away from zero:
// (y + 2^(r-1) - (y < 0)) >> r for r >= 1. SPRAT_CONV_FAST_REQUANT (set by
// the converter) promises left = 0, r >= 1 and |acc| < 2^30 for a layer.
#ifndef SPRAT_KERNELS_CORTEX_M_REQUANT_H_
#define SPRAT_KERNELS_CORTEX_M_REQUANT_H_

#include <stdint.h>

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif

// floor((a * b + 2^31) / 2^32)
static inline int32_t sprat_cm_smmulr(int32_t a, int32_t b) {
#if defined(__ARM_FEATURE_DSP)
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
#else
  return (int32_t)(((int64_t)a * b + ((int64_t)1 << 31)) >> 32);
#endif
}

// Layers with SPRAT_CONV_FAST_REQUANT: right = -shift >= 1, round =
// 1 << (right - 1), |acc| < 2^30. No output offset, no clamp.
static inline int32_t sprat_cm_requant_fast(int32_t acc, int32_t mult, int32_t right, int32_t round) {
  const int32_t y = sprat_cm_smmulr((int32_t)((uint32_t)acc << 1), mult);
  return (y + round + (y >> 31)) >> right;
}

// Any layer: the same arithmetic in 64 bits, any shift in [-31, 30].
static inline int32_t sprat_cm_requant_exact(int32_t acc, int32_t mult, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const int64_t ab = (int64_t)(int32_t)((uint32_t)acc << left) * mult;
  const int32_t y = (int32_t)((ab + ((int64_t)1 << 30)) >> 31);
  if (right == 0) return y;
  return (int32_t)(((int64_t)y + ((int64_t)1 << (right - 1)) + (y >> 31)) >> right);
}

static inline int32_t sprat_cm_clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

#endif  // SPRAT_KERNELS_CORTEX_M_REQUANT_H_
