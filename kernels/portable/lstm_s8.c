// UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights, int16 cell
// state: TFLite's integer "8x8_16" LSTM as LiteRT's reference kernel runs
// it (no CIFG, peephole, projection or layer normalisation).
//
// Per step and batch row, each gate g of cell j is
//   clamp16(mbqm(b_in + W_g x, m_g, s_g) + clamp16(mbqm(b_rec + R_g h, ...)))
// in Q3.12, the biases holding the zero points' terms (made offline). The
// gates go through gemmlowp's 16-bit fixed-point logistic and tanh, the
// cell state is updated in 16 bits, and h = o * tanh(c) is requantized to
// int8. Each cell's four gates are computed together and its new h written
// to the output row, which becomes the output state once every cell has
// read the old one: no gate buffers.
#include <string.h>

#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

// ---- gemmlowp's FixedPoint<int16_t, N> arithmetic --------------------------
// Its sums wrap to 16 bits (gemmlowp adds int16 raw values and truncates);
// its products are doubling high multiplies rounded to nearest.

static int16_t wrap16(int32_t v) {
  v &= 0xFFFF;
  return (int16_t)(v >= 0x8000 ? v - 0x10000 : v);
}

static int16_t mul16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  const int32_t ab = (int32_t)a * b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return (int16_t)((ab + nudge) / (1 << 15));  // truncation toward zero, as gemmlowp divides
}

static int16_t rdpot16(int16_t x, int e) {
  const int32_t mask = (1 << e) - 1;
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (int16_t)((x >> e) + (remainder > threshold ? 1 : 0));
}

// x * 2^e, e > 0, saturated to int16.
static int16_t satmulpot16(int16_t x, int e) {
  const int32_t threshold = (1 << (15 - e)) - 1;
  if (x > threshold) return INT16_MAX;
  if (x < -threshold) return INT16_MIN;
  return (int16_t)(x * (1 << e));
}

// gemmlowp's Q0.31 constants rounded to Q0.15, as it narrows them.
static int16_t q15(int32_t q31) { return (int16_t)sprat_rounding_divide_by_pot(q31, 16); }

// exp(a) for a in [-1/4, 0), a in Q0.15.
static int16_t exp_quarter(int16_t a) {
  const int16_t c = q15(1895147668), third = q15(715827883);  // exp(-1/8), 1/3
  const int16_t x = wrap16(a + (1 << 12));                    // a + 1/8
  const int16_t x2 = mul16(x, x), x3 = mul16(x2, x), x4 = mul16(x2, x2);
  const int16_t x4_4 = rdpot16(x4, 2);
  const int16_t poly = rdpot16(wrap16(mul16(wrap16(x4_4 + x3), third) + x2), 1);
  return (int16_t)sprat_clamp((int32_t)c + mul16(c, wrap16(x + poly)), INT16_MIN, INT16_MAX);
}

// exp(a) for a <= 0 with `ibits` integer bits (Q ibits.15-ibits), in Q0.15.
static int16_t exp_negative(int16_t a, int ibits) {
  static const int32_t kBarrel[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  const int frac = 15 - ibits;
  const int16_t quarter = (int16_t)(1 << (frac - 2));
  const int16_t amq = wrap16((a & (quarter - 1)) - quarter);
  int16_t result = exp_quarter(ibits > 0 ? satmulpot16(amq, ibits) : amq);
  const int16_t remainder = wrap16(amq - a);
  for (int e = -2; e <= 4; ++e)  // exp(-2^e) for each bit of the whole quarters
    if (ibits > e && (remainder & (1 << (frac + e)))) result = mul16(result, q15(kBarrel[e + 2]));
  if (ibits > 5 && a < q15(-(1 << (36 - ibits)))) result = 0;  // below -32
  return a == 0 ? INT16_MAX : result;
}

// Newton-Raphson 1 / ((1 + a) / 2) for a in (0, 1), Q0.15 in, Q2.13 out:
// gemmlowp's logistic halves it, its tanh takes 1 off (1 - a) / (1 + a).
static int16_t newton_q2(int16_t a) {
  const int32_t sum = (int32_t)a + INT16_MAX;
  const int16_t half_den = (int16_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  int16_t x = wrap16(q15(1515870810) + mul16(half_den, q15(-1010580540)));  // 48/17 - 32/17 d, Q2.13
  for (int i = 0; i < 3; ++i) {
    const int16_t one_minus = wrap16((1 << 13) - mul16(half_den, x));
    x = wrap16(x + satmulpot16(mul16(x, one_minus), 2));
  }
  return x;
}

static int16_t logistic_q3(int16_t a) {
  if (a == 0) return 1 << 14;
  const int16_t abs_a = a > 0 ? a : wrap16(-a);
  const int16_t pos = satmulpot16(newton_q2(exp_negative(wrap16(-abs_a), 3)), 1);
  return a > 0 ? pos : wrap16(INT16_MAX - pos);
}

static int16_t tanh_q(int16_t a, int ibits) {
  if (a == 0) return 0;
  const int16_t n = a < 0 ? a : wrap16(-a);
  const int16_t x = newton_q2(exp_negative(n, ibits + 1));
  const int16_t t = satmulpot16(wrap16(x - (1 << 13)), 2);
  return a < 0 ? wrap16(-t) : t;
}

// ---- the LSTM ----------------------------------------------------------------

void sprat_portable_lstm_s8(const sprat_lstm_s8_params *p, const int8_t *in, const int8_t *const w_in[4],
                            const int8_t *const w_rec[4], const int32_t *bias, int8_t *output_state,
                            int16_t *cell_state, int8_t *out) {
  const int32_t nb = p->batches, nt = p->steps, ni = p->n_input, nc = p->n_cell;
  const int cs = p->cell_scale_log2;
  const int16_t clip = (int16_t)p->cell_clip;
  // Batch rows are independent: one walk serves both layouts.
  for (int32_t b = 0; b < nb; ++b) {
    int8_t *h = output_state + (size_t)b * nc;
    int16_t *c = cell_state + (size_t)b * nc;
    for (int32_t t = 0; t < nt; ++t) {
      const size_t row = p->time_major ? (size_t)t * nb + b : (size_t)b * nt + t;
      const int8_t *x = in + row * ni;
      int8_t *o = out + row * nc;
      for (int32_t j = 0; j < nc; ++j) {
        int16_t gate[4];
        for (int k = 0; k < 4; ++k) {
          const int32_t acc_in = sprat_dot_s8(bias[(size_t)k * nc + j], w_in[k] + (size_t)j * ni, x, ni);
          const int32_t acc_rec = sprat_dot_s8(bias[(size_t)(4 + k) * nc + j], w_rec[k] + (size_t)j * nc, h, nc);
          const int16_t from_in = sprat_sat16(sprat_mbqm(acc_in, p->multiplier[k], p->shift[k]));
          gate[k] = sprat_sat16(sprat_wrap_add(sprat_mbqm(acc_rec, p->multiplier[4 + k], p->shift[4 + k]), from_in));
        }
        const int16_t ig = logistic_q3(gate[0]), fg = logistic_q3(gate[1]), cg = tanh_q(gate[2], 3);
        const int16_t og = logistic_q3(gate[3]);
        // TFLite narrows the two products to int16 without saturating.
        const int16_t kept = wrap16(sprat_rounding_divide_by_pot((int32_t)fg * c[j], 15));
        const int16_t added = wrap16(sprat_rounding_divide_by_pot((int32_t)ig * cg, 30 + cs));
        int16_t cell = sprat_sat16((int32_t)kept + added);
        if (clip > 0) cell = cell > clip ? clip : (cell < -clip ? (int16_t)-clip : cell);
        c[j] = cell;
        const int32_t hv = sprat_mbqm((int32_t)og * tanh_q(cell, 15 + cs), p->hidden_multiplier, p->hidden_shift);
        o[j] = (int8_t)sprat_clamp(sprat_wrap_add(hv, p->hidden_zp), -128, 127);
      }
      memmove(h, o, (size_t)nc);  // distinct buffers in any plan; a crafted blob may overlap them
    }
  }
}
