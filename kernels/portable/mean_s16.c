// MEAN, int16 (zero points 0): the int32 sum of at most 2^16 values, one
// requantization whose multiplier includes 1/count, as TFLite's.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_mean_s16(const sprat_mean_params *p, const int16_t *in, int16_t *out) {
  for (int32_t o = 0; o < p->outer; ++o) {
    for (int32_t i = 0; i < p->inner; ++i) {
      int32_t sum = 0;
      const int16_t *ip = in + o * p->reduced * p->inner + i;
      for (int32_t r = 0; r < p->reduced; ++r) sum += ip[r * p->inner];
      out[o * p->inner + i] = (int16_t)sprat_clamp(sprat_mbqm(sum, p->multiplier, p->shift), INT16_MIN, INT16_MAX);
    }
  }
}
