// TFLite's integer requantization arithmetic, in its two flavours: LiteRT's
// reference kernels requantize with gemmlowp's two roundings, except
// FULLY_CONNECTED, whose int8 path rounds once (ad01's FC layers tell the two
// apart; see docs/kernels.md). Which op uses which is pinned by the op tests.
#ifndef SPRAT_PORTABLE_FIXEDPOINT_H_
#define SPRAT_PORTABLE_FIXEDPOINT_H_

#include <stdint.h>

static inline int32_t sprat_sat_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  // Division, not a shift: truncation toward zero is part of the semantics.
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static inline int32_t sprat_rounding_divide_by_pot(int32_t x, int exponent) {
  int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * multiplier * 2^shift, multiplier a Q31 in [0.5, 1): a doubling high
// multiply rounded half away from zero, then a rounding right shift.
static inline int32_t sprat_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  int left = shift > 0 ? shift : 0;
  int right = shift > 0 ? 0 : -shift;
  return sprat_rounding_divide_by_pot(
      sprat_sat_rounding_doubling_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}

// The same product rounded once (halves up), shift in [-31, 30].
static inline int32_t sprat_mbqm_single(int32_t x, int32_t multiplier, int32_t shift) {
  const int total = 31 - shift;
  const int64_t round = (int64_t)1 << (total - 1);
  return (int32_t)(((int64_t)x * multiplier + round) >> total);
}

// TFLite's requantization of a 64-bit accumulator (16x8 convolutions), the
// same in both roundings: the multiplier cut to 16 bits, then one rounding
// shift; shift in [-31, 7]. Wraps where TFLite's product would overflow.
static inline int32_t sprat_mbqm64(int64_t x, int32_t multiplier, int32_t shift) {
  const int64_t m = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
  const int total = 15 - shift;
  const uint64_t v = (uint64_t)x * (uint64_t)m + ((uint64_t)1 << (total - 1));
  return (int32_t)(uint32_t)(uint64_t)((int64_t)v >> total);
}

// a + b wrapping around as two's complement (TFLite's int32 sums do on
// every compiler; in C a signed overflow would be undefined). Only a blob
// with absurd weights or biases gets there.
static inline int32_t sprat_wrap_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }

static inline int32_t sprat_clamp(int32_t x, int32_t lo, int32_t hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

static inline int16_t sprat_sat16(int32_t v) { return (int16_t)sprat_clamp(v, INT16_MIN, INT16_MAX); }

// b + w . v over n int8 values, wrapping as TFLite's int32 sums do: in
// parts of 2^16 products of at most 2^14, each of which fits int32.
static inline int32_t sprat_dot_s8(int32_t b, const int8_t *w, const int8_t *v, int32_t n) {
  int32_t acc = b;
  for (int32_t d0 = 0; d0 < n; d0 += 1 << 16) {
    const int32_t d1 = n - d0 < (1 << 16) ? n : d0 + (1 << 16);
    int32_t part = 0;
    for (int32_t d = d0; d < d1; ++d) part += (int32_t)w[d] * v[d];
    acc = sprat_wrap_add(acc, part);
  }
  return acc;
}

#endif  // SPRAT_PORTABLE_FIXEDPOINT_H_
