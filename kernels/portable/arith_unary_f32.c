// FLOOR, CEIL, ROUND and SQUARE on float32: exact in IEEE arithmetic, so
// every target gives TFLite's bits.
#include <math.h>
#include <stdint.h>

#include "kernels/portable/portable.h"

// TFLite's ROUND: halves to even, from floor (TFLM's RoundToNearest); -0.5
// gives +0. The parity is read only for a half, that is below 2^23.
static inline float round_half_even(float v) {
  const float f = floorf(v);
  const float diff = v - f;
  if (diff < 0.5f || (diff == 0.5f && ((int32_t)f & 1) == 0)) return f;
  return f + 1.0f;
}

void sprat_portable_arith_unary_f32(const sprat_arith_unary_params *p, const float *in, float *out) {
  const int32_t n = p->count;
  switch (p->op) {
    case SPRAT_ARITH_FLOOR:
      for (int32_t i = 0; i < n; ++i) out[i] = floorf(in[i]);
      break;
    case SPRAT_ARITH_CEIL:
      for (int32_t i = 0; i < n; ++i) out[i] = ceilf(in[i]);
      break;
    case SPRAT_ARITH_ROUND:
      for (int32_t i = 0; i < n; ++i) out[i] = round_half_even(in[i]);
      break;
    default:
      for (int32_t i = 0; i < n; ++i) out[i] = in[i] * in[i];
      break;
  }
}
