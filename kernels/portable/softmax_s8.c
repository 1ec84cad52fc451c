// SOFTMAX, int8, as TFLite computes it: exp() of (x - row max) from a float
// table made offline, a float sum in element order, one float reciprocal,
// and round-half-away-from-zero to the output. The order of float operations
// is part of the result, so this file is built with -ffp-contract=off.
#include <math.h>

#include "kernels/portable/fixedpoint.h"
#include "sprat/kernels.h"

void sprat_softmax_s8(const sprat_softmax_params *p, const float *exp_table, const int8_t *in,
                      int8_t *out) {
  for (int32_t r = 0; r < p->rows; ++r) {
    const int8_t *x = in + r * p->depth;
    int8_t *y = out + r * p->depth;
    int32_t max = -128;
    for (int32_t j = 0; j < p->depth; ++j) max = x[j] > max ? x[j] : max;
    // table[255 - d] = exp(-beta * scale * d); index by 255 - (max - x).
    const float *t = exp_table + 255 - max;
    float sum = 0.0f;
    for (int32_t j = 0; j < p->depth; ++j) sum += t[x[j]];
    const float inv = 1.0f / (sum * p->output_scale);
    for (int32_t j = 0; j < p->depth; ++j) {
      const int32_t q = (int32_t)roundf(t[x[j]] * inv) + p->output_zero_point;
      y[j] = (int8_t)sprat_clamp(q, -128, 127);
    }
  }
}
