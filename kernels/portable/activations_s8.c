// RELU family, LEAKY_RELU and HARD_SWISH, int8 (TFLite's integer schemes).
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_relu_s8(const sprat_relu_params *p, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t v = sprat_wrap_add(sprat_mbqm(in[i] - p->input_zero_point, p->multiplier, p->shift), p->output_zero_point);
    out[i] = (int8_t)sprat_clamp(v, p->act_min, p->act_max);
  }
}

void sprat_portable_leaky_relu_s8(const sprat_leaky_relu_params *p, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t x = in[i] - p->input_zero_point;
    const int32_t v = x >= 0 ? sprat_mbqm(x, p->identity_multiplier, p->identity_shift)
                             : sprat_mbqm(x, p->alpha_multiplier, p->alpha_shift);
    out[i] = (int8_t)sprat_clamp(sprat_wrap_add(v, p->output_zero_point), -128, 127);
  }
}

// 16-bit fixed-point helpers of HARD_SWISH (gemmlowp semantics).
static inline int16_t srdhm16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  const int32_t ab = (int32_t)a * b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return (int16_t)((ab + nudge) / (1 << 15));
}

static inline int16_t sdhm16(int16_t a, int16_t b) {  // no rounding
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return (int16_t)(((int32_t)a * b) / (1 << 15));
}

static inline int16_t shl_sat16(int16_t a, int32_t n) {
  const int64_t v = (int64_t)a * ((int64_t)1 << n);
  return (int16_t)(v > INT16_MAX ? INT16_MAX : (v < INT16_MIN ? INT16_MIN : v));
}

static inline int16_t rdpot16(int16_t x, int32_t e) {
  const int16_t mask = (int16_t)((1 << e) - 1);
  const int16_t rem = (int16_t)(x & mask);
  const int16_t thr = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
  return (int16_t)((x >> e) + (rem > thr ? 1 : 0));
}

void sprat_portable_hard_swish_s8(const sprat_hard_swish_params *p, const int8_t *in, int8_t *out) {
  const int16_t out_mul = (int16_t)p->output_multiplier_fixedpoint_int16;
  const int16_t relu_mul = (int16_t)p->reluish_multiplier_fixedpoint_int16;
  const int32_t relu_exp = p->reluish_multiplier_exponent;
  for (int32_t i = 0; i < p->count; ++i) {
    const int16_t x = (int16_t)(in[i] - p->input_zero_point);
    const int16_t hires = (int16_t)(x * (1 << 7));
    const int16_t preshift = srdhm16(hires, out_mul);
    // x rescaled so that 3.0 is 32768, saturated to [-1, 1] in Q15.
    int16_t relu = hires;
    if (relu_exp > 0) relu = shl_sat16(relu, relu_exp - 1);
    relu = srdhm16(relu, relu_mul);
    if (relu_exp > 0) relu = shl_sat16(relu, 1);
    if (relu_exp < 0) relu = rdpot16(relu, -relu_exp);
    relu = (int16_t)((relu + (1 << 15)) >> 1);  // to [0, 1]
    int16_t v = rdpot16(sdhm16(relu, preshift), -p->output_multiplier_exponent);
    int32_t r = (int32_t)v + p->output_zero_point;
    out[i] = (int8_t)sprat_clamp(r, -128, 127);
  }
}
