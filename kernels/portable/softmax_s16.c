// SOFTMAX, int16 in and out (zero points 0, output scale 1/32768), as
// LiteRT's reference kernel: exp of the difference from the row's maximum
// and 1/(1 + x) from two 513-entry interpolated tables (the converter makes
// them as TFLite does), the exps kept in the output meanwhile.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

// TFLite's int16 table lookup: the top 9 bits index, the low 7 interpolate
// (the slope cut to int16 as TFLite's is).
static inline int16_t lookup(int16_t v, const int16_t *lut) {
  const int32_t index = 256 + (v >> 7), offset = v & 0x7F;
  const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
  return (int16_t)(lut[index] + ((slope * offset + 64) >> 7));
}

static inline int32_t clz32(uint32_t v) {
  int32_t n = 0;
  if (v == 0) return 32;
  while (!(v & 0x80000000u)) {
    v <<= 1;
    ++n;
  }
  return n;
}

void sprat_portable_softmax_s16(const sprat_softmax_s16_params *p, const int16_t *in, const int16_t *exp_lut,
                                const int16_t *recip_lut, int16_t *out) {
  const int32_t depth = p->depth;
  for (int32_t r = 0; r < p->rows; ++r) {
    const int16_t *x = in + r * depth;
    int16_t *y = out + r * depth;
    int16_t max = INT16_MIN;
    for (int32_t c = 0; c < depth; ++c) max = x[c] > max ? x[c] : max;
    int32_t sum = 0;  // at most 2^16 values of int16: no overflow
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t scaled = sprat_mbqm(x[c] - max, p->input_multiplier, p->input_left_shift);
      y[c] = lookup(sprat_sat16(sprat_wrap_add(scaled, 32767)), exp_lut);
      sum += y[c];
    }
    // TFLite's headroom is 1 to 31 for any sum its tables give; clamped so
    // that other tables cannot shift out of range.
    int32_t headroom = clz32((uint32_t)sum);
    headroom = headroom < 1 ? 1 : (headroom > 31 ? 31 : headroom);
    const int32_t shifted = (int32_t)(((int64_t)sum * ((int64_t)1 << (headroom - 1)) + (1 << 13)) >> 14);
    const int16_t recip = lookup(sprat_sat16(shifted - (1 << 15) - (1 << 16)), recip_lut);
    const int32_t right = 31 - headroom;
    const int64_t round = right > 0 ? (int64_t)1 << (right - 1) : 0;
    for (int32_t c = 0; c < depth; ++c) {
      const int64_t v = ((int64_t)y[c] * recip + round) >> right;
      y[c] = (int16_t)(v < 0 ? 0 : (v > INT16_MAX ? INT16_MAX : v));
    }
  }
}
