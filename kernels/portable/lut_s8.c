// A 256-entry table lookup: LOGISTIC, TANH and the unary ops (ABS, NEG, ELU,
// EXP, LOG, SQRT, RSQRT), whose tables the converter computes exactly as TFLite does.
#include "kernels/portable/portable.h"

void sprat_portable_lut_s8(int32_t count, const int8_t *table, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < count; ++i) out[i] = table[(uint8_t)in[i]];
}
