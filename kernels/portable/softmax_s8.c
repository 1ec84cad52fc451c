// SOFTMAX, int8, as LiteRT's reference kernel computes it: all in fixed
// point (gemmlowp's exp on negative values in Q5.26, a Q12.19 sum, and a
// Newton-Raphson reciprocal), so every target gives the same bytes without
// floating point.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/fixedpoint_log.h"
#include "kernels/portable/portable.h"

static inline int32_t srdhm(int32_t a, int32_t b) { return sprat_sat_rounding_doubling_high_mul(a, b); }
static inline int32_t rdpot(int32_t x, int e) { return sprat_rounding_divide_by_pot(x, e); }

// exp of a difference from the row's maximum (diff in [diff_min, 0]).
static inline int32_t exp_of(const sprat_softmax_params *p, const int32_t *table, int32_t diff) {
  if (table) return table[-diff];
  return sprat_fx_exp_on_negative_q5(srdhm((int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier));
}

// The int8 output (zero point -128, scale 1/256) or, out16, TFLite's int16
// output of an int8 softmax (zero point -32768, scale 1/65536).
static void softmax_rows(const sprat_softmax_params *p, const int8_t *in, const int32_t *table, void *out, int out16) {
  const int out_bits = out16 ? 16 : 8;
  const int32_t lo = out16 ? -32768 : -128, hi = out16 ? 32767 : 127;
  for (int32_t r = 0; r < p->rows; ++r) {
    const int8_t *x = in + r * p->depth;
    int32_t max = -128;
    for (int32_t j = 0; j < p->depth; ++j) max = x[j] > max ? x[j] : max;
    int32_t sum = 0;  // Q12.19
    for (int32_t j = 0; j < p->depth; ++j) {
      const int32_t diff = x[j] - max;
      if (diff >= p->diff_min) sum += rdpot(exp_of(p, table, diff), 12);
    }
    // 1/sum as a Q0.31 scale and a number of bits above one.
    const int headroom = sprat_fx_clz((uint32_t)sum);
    const int bits_over_unit = 12 - headroom;
    const int32_t shifted_minus_one = (int32_t)(((uint32_t)sum << headroom) - (1u << 31));
    const int32_t scale = sprat_fx_one_over_one_plus_x(shifted_minus_one);
    for (int32_t j = 0; j < p->depth; ++j) {
      const int32_t diff = x[j] - max;
      int32_t v = lo;
      if (diff >= p->diff_min) {
        // Rows of more than 512 values near the maximum make the shift 32
        // or more, where LiteRT's reference asserts (and aborts): the
        // rounded quotient of a product below 2^31 is then 0.
        const int e = bits_over_unit + 31 - out_bits;
        v = sprat_clamp((e > 31 ? 0 : rdpot(srdhm(scale, exp_of(p, table, diff)), e)) + lo, lo, hi);
      }
      if (out16) ((int16_t *)out)[r * p->depth + j] = (int16_t)v;
      else ((int8_t *)out)[r * p->depth + j] = (int8_t)v;
    }
  }
}

void sprat_portable_softmax_s8(const sprat_softmax_params *p, const int8_t *in, const int32_t *table, int8_t *out) {
  softmax_rows(p, in, table, out, 0);
}

void sprat_portable_softmax_s8_s16(const sprat_softmax_params *p, const int8_t *in, const int32_t *table,
                                   int16_t *out) {
  softmax_rows(p, in, table, out, 1);
}
