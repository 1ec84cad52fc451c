// DIV, int8, with broadcasting, in TFLite's fixed point: the divisor's
// reciprocal by Newton-Raphson (GetReciprocal), the dividend normalized by
// its leading sign bits, one doubling high multiply each, then a rounding
// shift by exponent e = reciprocal bits + headroom - output shift. e reaches
// 32 and more for small dividends; TFLite's rounding shift is then outside
// what C defines, and its compiled code (x86 and Arm alike) takes the
// mask as all ones and the shift count modulo 32, which this reproduces.
// A divisor at its zero point takes the same path TFLite's does (the
// reciprocal of 0), so that result too is TFLite's.
#include "kernels/portable/broadcast.h"
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/fixedpoint_log.h"
#include "kernels/portable/portable.h"

static inline int32_t srdhm(int32_t a, int32_t b) { return sprat_sat_rounding_doubling_high_mul(a, b); }

// Leading bits equal to the sign bit, the sign bit excluded (31 for 0 and -1).
static inline int clrsb32(int32_t x) { return sprat_fx_clz((uint32_t)(x < 0 ? ~x : x)) - 1; }

// gemmlowp's RoundingDivideByPOT for e in [0, 63] (the converter and the
// glue keep e there): e >= 32 as TFLite's compiled code computes it.
static inline int32_t rounding_divide_by_pot(int32_t x, int e) {
  if (e < 32) return sprat_rounding_divide_by_pot(x, e);
  const int32_t threshold = -1 + (x < 0 ? 1 : 0);  // the mask is all ones
  return (x >> (e & 31)) + (x > threshold ? 1 : 0);
}

void sprat_portable_div_s8(const sprat_div_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  for (int32_t i = 0; i < n; ++i) {
    int32_t a = p->input1_offset + in1[it.o1];
    int32_t b = p->input2_offset + in2[it.o2];
    if (b < 0) {
      a = -a;
      b = -b;
    }
    // GetReciprocal(b, 31): b = 0 shifts by 32, which x86 and Arm take as 0.
    const int lead = sprat_fx_clz((uint32_t)b);
    const int recip_shift = 31 - lead;
    const int32_t shifted_minus_one = (int32_t)(((uint32_t)b << (lead & 31)) - (1u << 31));
    const int32_t recip = sprat_fx_one_over_one_plus_x(shifted_minus_one);
    const int headroom = clrsb32(a);
    const int32_t quotient = srdhm((int32_t)((uint32_t)a << headroom), recip);
    const int e = recip_shift + headroom - p->output_shift;
    const int32_t r = sprat_wrap_add(p->output_offset, rounding_divide_by_pot(srdhm(quotient, p->output_multiplier), e));
    out[i] = (int8_t)sprat_clamp(r, p->act_min, p->act_max);
    sprat_bc_next(&p->bc, &it);
  }
}
