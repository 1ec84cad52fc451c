// FULLY_CONNECTED 16x8: int16 input and output (zero points 0), int8
// filter (per tensor or per channel, symmetric). LiteRT's reference kernel
// sums in 64 bits with an int64 bias (in 32 with an int32 one,
// SPRAT_CONV_BIAS32) and requantizes in double: round(acc * scale), the
// scale in * filter / out per channel as the converter computed it; TFLM's
// (SPRAT_FC_FIXED_POINT) by sprat_mbqm64 with a quantized multiplier. Built
// with -ffp-contract=off.
#include <math.h>

#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

// (int32_t)round(v) where C defines it; beyond int32 (and NaN) the value
// x86's conversion gives, INT32_MIN, as LiteRT's build does.
static inline int32_t round_to_i32(double v) {
  const double r = round(v);
  return r >= -2147483648.0 && r < 2147483648.0 ? (int32_t)r : INT32_MIN;
}

void sprat_portable_fully_connected_s16(const sprat_fc_params *p, const int16_t *in, const int8_t *filter,
                                        const void *bias, const void *scale, int16_t *out) {
  const int32_t batches = p->batches, depth = p->depth, units = p->units;
  const int bias32 = (p->flags & SPRAT_CONV_BIAS32) != 0, fixed = (p->flags & SPRAT_FC_FIXED_POINT) != 0;
  for (int32_t b = 0; b < batches; ++b) {
    const int16_t *row = in + b * depth;
    for (int32_t u = 0; u < units; ++u) {
      const int8_t *w = filter + u * depth;
      int64_t acc = 0;  // below 2^32 products below 2^22
      for (int32_t d = 0; d < depth; ++d) acc += (int32_t)w[d] * row[d];
      const int32_t q = p->per_channel ? u : 0;
      if (fixed) {
        const int32_t *ms = (const int32_t *)scale + 2 * q;
        int32_t r;
        if (bias32) {  // TFLM sums in the bias's type: 32 bits, requantized as its int8 layers
          int32_t a = (int32_t)(uint32_t)(uint64_t)acc;
          if (bias) a = sprat_wrap_add(a, ((const int32_t *)bias)[u]);
          r = sprat_mbqm(a, ms[0], ms[1]);
        } else {
          if (bias) acc = (int64_t)((uint64_t)acc + (uint64_t)((const int64_t *)bias)[u]);
          r = sprat_mbqm64(acc, ms[0], ms[1]);
        }
        out[b * units + u] = (int16_t)sprat_clamp(r, p->act_min, p->act_max);
        continue;
      }
      double v;
      if (bias32) {
        int32_t a = (int32_t)(uint32_t)(uint64_t)acc;
        if (bias) a = sprat_wrap_add(a, ((const int32_t *)bias)[u]);
        v = (double)a;
      } else {
        if (bias) acc = (int64_t)((uint64_t)acc + (uint64_t)((const int64_t *)bias)[u]);
        v = (double)acc;
      }
      const int32_t r = round_to_i32(v * ((const double *)scale)[q]);
      out[b * units + u] = (int16_t)sprat_clamp(r, p->act_min, p->act_max);
    }
  }
}
