// gemmlowp's fixed-point exp, log and reciprocal as TFLite's integer
// SOFTMAX, LOG_SOFTMAX, L2_NORMALIZATION and DIV call them. Raw int32 values; "Qm" is
// gemmlowp's FixedPoint<int32_t, m>, m integer bits. Sums of raw values wrap
// as gemmlowp's do on every compiler TFLite is built with.
#ifndef SPRAT_PORTABLE_FIXEDPOINT_LOG_H_
#define SPRAT_PORTABLE_FIXEDPOINT_LOG_H_

#include <stdint.h>

#include "kernels/portable/fixedpoint.h"

static inline int32_t sprat_fx_mul(int32_t a, int32_t b) { return sprat_sat_rounding_doubling_high_mul(a, b); }
static inline int32_t sprat_fx_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t sprat_fx_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

// x * 2^e for e >= 0, saturating (SaturatingRoundingMultiplyByPOT).
static inline int32_t sprat_fx_shl_sat(int32_t x, int e) {
  if (e == 0) return x;
  const int32_t threshold = (int32_t)((1u << (31 - e)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << e);
}

static inline int32_t sprat_fx_sat_add(int32_t a, int32_t b) {
  const int64_t s = (int64_t)a + b;
  return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

static inline int32_t sprat_fx_sat_sub(int32_t a, int32_t b) {
  const int64_t s = (int64_t)a - b;
  return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

// (a + b) / 2, rounded half away from zero (RoundingHalfSum).
static inline int32_t sprat_fx_half_sum(int32_t a, int32_t b) {
  const int64_t s = (int64_t)a + b;
  return (int32_t)((s + (s >= 0 ? 1 : -1)) / 2);
}

static inline int sprat_fx_clz(uint32_t x) {
  int n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    ++n;
  }
  return n;
}

// exp(a) for a in [-1/4, 0), Q0 in and out: a Taylor expansion around -1/8.
static inline int32_t sprat_fx_exp_quarter(int32_t a) {
  const int32_t exp_minus_1_8 = 1895147668;  // exp(-1/8)
  const int32_t one_third = 715827883;
  const int32_t x = sprat_fx_add(a, 1 << 28);  // a + 1/8
  const int32_t x2 = sprat_fx_mul(x, x), x3 = sprat_fx_mul(x2, x), x4 = sprat_fx_mul(x2, x2);
  const int32_t x4_over_4 = sprat_rounding_divide_by_pot(x4, 2);
  const int32_t poly =
      sprat_rounding_divide_by_pot(sprat_fx_add(sprat_fx_mul(sprat_fx_add(x4_over_4, x3), one_third), x2), 1);
  return sprat_fx_add(exp_minus_1_8, sprat_fx_mul(exp_minus_1_8, sprat_fx_add(x, poly)));
}

// exp(a) for a <= 0, a in Q5, the result in Q0 (exp_on_negative_values).
static inline int32_t sprat_fx_exp_on_negative_q5(int32_t a) {
  static const int32_t kExpNegPow2[7] = {  // exp(-2^k), k = -2..4
      1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  const int32_t quarter = 1 << 24;  // 1/4 in Q5
  const int32_t rest = sprat_fx_sub(a & (quarter - 1), quarter);
  int32_t result = sprat_fx_exp_quarter(sprat_fx_shl_sat(rest, 5));  // Q5 to Q0
  const int32_t remainder = sprat_fx_sub(rest, a);
  for (int k = 0; k < 7; ++k)
    if (remainder & (1 << (24 + k))) result = sprat_fx_mul(result, kExpNegPow2[k]);
  return a == 0 ? INT32_MAX : result;
}

// 1 / (1 + a) for a in [0, 1), Q0 in and out (Newton-Raphson on a/2 + 1/2).
static inline int32_t sprat_fx_one_over_one_plus_x(int32_t a) {
  const int32_t half_den = sprat_fx_half_sum(a, INT32_MAX);
  int32_t x = sprat_fx_add(1515870810, sprat_fx_mul(half_den, -1010580540));  // 48/17 - 32/17 d, Q2
  for (int i = 0; i < 3; ++i) {
    const int32_t one_minus = sprat_fx_sub(1 << 29, sprat_fx_mul(half_den, x));  // Q2
    x = sprat_fx_add(x, sprat_fx_shl_sat(sprat_fx_mul(x, one_minus), 2));
  }
  return sprat_fx_shl_sat(x, 1);  // Q2 to Q1: 1/(1 + a) <= 1
}

// log(x) for x in Q`in_bits` (x >= 1), the result in Q`out_bits`
// (TFLite's log_x_for_x_greater_than_or_equal_to_1_impl).
static inline int32_t sprat_fx_log_x_ge_1(int32_t x, int in_bits, int out_bits) {
  const int acc_bits = out_bits + 1;  // one bit of headroom for the sum below
  const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250;
  const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769, alpha_f = 638450708;
  const int32_t shifted_quarter = sprat_rounding_divide_by_pot(1 << 29, acc_bits);  // 1/4 in Q(acc_bits)

  const int z_a_headroom_plus_1 = sprat_fx_clz((uint32_t)x);
  const int32_t r_a_tmp = sprat_fx_shl_sat(x, z_a_headroom_plus_1 - 1);
  const int32_t r_a_raw = sprat_fx_shl_sat(sprat_fx_mul(r_a_tmp, sqrt_half), 1);
  const int32_t z_a_pow_2_adj =
      sprat_fx_sat_add(sprat_fx_shl_sat(in_bits - z_a_headroom_plus_1, 31 - acc_bits), shifted_quarter);

  const int32_t z_b = sprat_fx_mul(x, sqrt_half);
  const int z_b_headroom = sprat_fx_clz((uint32_t)z_b) - 1;
  const int32_t r_b_raw = sprat_fx_shl_sat(x, z_b_headroom);
  const int32_t z_b_pow_2_adj =
      sprat_fx_sat_sub(sprat_fx_shl_sat(in_bits - z_b_headroom, 31 - acc_bits), shifted_quarter);

  const int32_t r = r_a_raw < r_b_raw ? r_a_raw : r_b_raw;
  const int32_t z_pow_2_adj = z_a_pow_2_adj > z_b_pow_2_adj ? z_a_pow_2_adj : z_b_pow_2_adj;

  const int32_t p = sprat_fx_half_sum(r, sqrt_sqrt_half);
  int32_t q = sprat_fx_sub(r, sqrt_sqrt_half);
  q = sprat_fx_add(q, q);

  const int32_t common_sq = sprat_fx_mul(q, q);
  const int32_t num = sprat_fx_add(sprat_fx_mul(q, r), sprat_fx_mul(sprat_fx_mul(q, common_sq), alpha_n));
  const int32_t denom_minus_one =
      sprat_fx_add(sprat_fx_mul(p, sprat_fx_add(sprat_fx_add(alpha_i, q), sprat_fx_mul(alpha_d, common_sq))),
                   sprat_fx_mul(alpha_f, q));
  const int32_t recip_denom = sprat_fx_one_over_one_plus_x(denom_minus_one);

  const int32_t num_scaled = sprat_rounding_divide_by_pot(num, acc_bits);  // Q0 to Q(acc_bits)
  const int32_t sum = sprat_fx_add(sprat_fx_mul(z_pow_2_adj, log_2), sprat_fx_mul(num_scaled, recip_denom));
  return sprat_fx_shl_sat(sum, acc_bits - out_bits);  // Q(acc_bits) to Q(out_bits)
}

// 1/sqrt(x) as a Q31 multiplier and a left shift (TFLite's
// GetInvSqrtQuantizedMultiplierExp with kReverseShift): three integer bits
// of Newton-Raphson.
static inline void sprat_fx_inv_sqrt(int32_t x, int32_t *multiplier, int32_t *shift) {
  if (x <= 1) {  // 0 as 1 (TFLite's b/143972021); a wrapped, negative sum too
    *multiplier = INT32_MAX;
    *shift = 0;
    return;
  }
  int32_t s = 11;
  while (x >= (1 << 29)) {
    x /= 4;
    ++s;
  }
  const int pairs = (sprat_fx_clz((uint32_t)x) - 1) / 2 - 1;
  s -= pairs;
  x <<= 2 * pairs;
  const int32_t half_input = sprat_rounding_divide_by_pot(x >> 1, 1);  // Q3
  const int32_t half_three = (1 << 28) + (1 << 27);                    // 1.5 in Q3
  int32_t v = 1 << 28;                                                 // 1 in Q3
  for (int i = 0; i < 5; ++i) {
    const int32_t v3 = sprat_fx_shl_sat(sprat_fx_mul(sprat_fx_mul(v, v), v), 6);  // Q9 to Q3
    v = sprat_fx_shl_sat(sprat_fx_sub(sprat_fx_mul(half_three, v), sprat_fx_mul(half_input, v3)), 3);  // Q6 to Q3
  }
  v = sprat_fx_mul(v, 1518500250);  // * sqrt(2)/2
  if (s < 0) {
    v = (int32_t)((uint32_t)v << -s);
    s = 0;
  }
  *multiplier = v;
  *shift = -s;
}

#endif  // SPRAT_PORTABLE_FIXEDPOINT_LOG_H_
