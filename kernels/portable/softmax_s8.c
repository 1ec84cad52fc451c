// SOFTMAX, int8, as LiteRT's reference kernel computes it: all in fixed
// point (gemmlowp's exp on negative values in Q5.26, a Q12.19 sum, and a
// Newton-Raphson reciprocal), so every target gives the same bytes without
// floating point.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

static inline int32_t srdhm(int32_t a, int32_t b) { return sprat_sat_rounding_doubling_high_mul(a, b); }
static inline int32_t rdpot(int32_t x, int e) { return sprat_rounding_divide_by_pot(x, e); }

// x * 2^e for e > 0, saturating.
static inline int32_t shl_sat(int32_t x, int e) {
  const int32_t threshold = (int32_t)((1u << (31 - e)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << e);
}

// exp(a) for a in [-1/4, 0), a and the result in Q0.31: a Taylor expansion
// around -1/8.
static int32_t exp_quarter(int32_t a) {
  const int32_t exp_minus_1_8 = 1895147668;  // exp(-1/8) in Q0.31
  const int32_t one_third = 715827883;       // 1/3 in Q0.31
  const int32_t x = a + (1 << 28);           // a + 1/8
  const int32_t x2 = srdhm(x, x), x3 = srdhm(x2, x), x4 = srdhm(x2, x2);
  const int32_t poly = rdpot(srdhm(rdpot(x4, 2) + x3, one_third) + x2, 1);
  return exp_minus_1_8 + srdhm(exp_minus_1_8, x + poly);
}

// exp(a) for a <= 0 in Q5.26; the result in Q0.31. Splits a into a multiple
// of 1/4 and the rest, then multiplies by exp(-2^k) for each set bit.
static int32_t exp_on_negative(int32_t a) {
  static const int32_t kExpNegPow2[7] = {  // exp(-2^k) in Q0.31, k = -2..4
      1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  const int32_t mask = (1 << 24) - 1;  // 1/4 in Q5.26 is 1 << 24
  const int32_t rest = (a & mask) - (1 << 24);
  int32_t result = exp_quarter(shl_sat(rest, 5));  // Q5.26 to Q0.31
  const int32_t remainder = rest - a;
  for (int k = 0; k < 7; ++k)
    if (remainder & (1 << (24 + k))) result = srdhm(result, kExpNegPow2[k]);
  return a == 0 ? INT32_MAX : result;
}

// 1 / (1 + x) for x in [0, 1) in Q0.31 (Newton-Raphson on x/2 + 1/2).
static int32_t one_over_one_plus_x(int32_t a) {
  const int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_den = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  int32_t x = 1515870810 + srdhm(half_den, -1010580540);  // 48/17 - 32/17 d, Q2.29
  for (int i = 0; i < 3; ++i) {
    const int32_t one_minus = (1 << 29) - srdhm(half_den, x);
    x = x + shl_sat(srdhm(x, one_minus), 2);
  }
  return shl_sat(x, 1);
}

static inline int clz32(uint32_t x) {
  int n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    ++n;
  }
  return n;
}

// exp of a difference from the row's maximum (diff in [diff_min, 0]).
static inline int32_t exp_of(const sprat_softmax_params *p, const int32_t *table, int32_t diff) {
  if (table) return table[-diff];
  return exp_on_negative(srdhm((int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier));
}

void sprat_portable_softmax_s8(const sprat_softmax_params *p, const int8_t *in, const int32_t *table, int8_t *out) {
  for (int32_t r = 0; r < p->rows; ++r) {
    const int8_t *x = in + r * p->depth;
    int8_t *y = out + r * p->depth;
    int32_t max = -128;
    for (int32_t j = 0; j < p->depth; ++j) max = x[j] > max ? x[j] : max;
    int32_t sum = 0;  // Q12.19
    for (int32_t j = 0; j < p->depth; ++j) {
      const int32_t diff = x[j] - max;
      if (diff >= p->diff_min) sum += rdpot(exp_of(p, table, diff), 12);
    }
    // 1/sum as a Q0.31 scale and a number of bits above one.
    const int headroom = clz32((uint32_t)sum);
    const int bits_over_unit = 12 - headroom;
    const int32_t shifted_minus_one = (int32_t)(((uint32_t)sum << headroom) - (1u << 31));
    const int32_t scale = one_over_one_plus_x(shifted_minus_one);
    for (int32_t j = 0; j < p->depth; ++j) {
      const int32_t diff = x[j] - max;
      if (diff >= p->diff_min) {
        // Rows of more than 512 values near the maximum make the shift 32
        // or more, where LiteRT's reference asserts (and aborts): the
        // rounded quotient of a product below 2^31 is then 0.
        const int e = bits_over_unit + 31 - 8;
        const int32_t v = (e > 31 ? 0 : rdpot(srdhm(scale, exp_of(p, table, diff)), e)) - 128;
        y[j] = (int8_t)sprat_clamp(v, -128, 127);
      } else {
        y[j] = -128;
      }
    }
  }
}
