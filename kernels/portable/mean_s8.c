// MEAN and REDUCE_MAX, int8. MEAN: integer sum, then one requantization whose multiplier already
// includes 1/count (the converter folds it in as TFLite does).
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_mean_s8(const sprat_mean_params *p, const int8_t *in, int8_t *out) {
  for (int32_t o = 0; o < p->outer; ++o) {
    for (int32_t i = 0; i < p->inner; ++i) {
      int32_t sum = 0;
      const int8_t *ip = in + o * p->reduced * p->inner + i;
      for (int32_t r = 0; r < p->reduced; ++r) sum += ip[r * p->inner];
      const int32_t shifted = sum - p->input_zero_point * p->reduced;
      const int32_t v = sprat_wrap_add(sprat_mbqm(shifted, p->multiplier, p->shift), p->output_zero_point);
      out[o * p->inner + i] = (int8_t)sprat_clamp(v, -128, 127);
    }
  }
}

void sprat_portable_reduce_max_s8(const sprat_reduce_params *p, const int8_t *in, int8_t *out) {
  for (int32_t o = 0; o < p->outer; ++o) {
    for (int32_t i = 0; i < p->inner; ++i) {
      const int8_t *ip = in + o * p->reduced * p->inner + i;
      int8_t m = ip[0];
      for (int32_t r = 1; r < p->reduced; ++r) m = ip[r * p->inner] > m ? ip[r * p->inner] : m;
      out[o * p->inner + i] = m;
    }
  }
}
