// L2_NORMALIZATION, int8, as TFLite's integer reference: an int32 sum of
// squares per row (wrapping past 2^31, as TFLite's does from ~33000 values),
// its inverse square root in fixed point, one requantization per value to
// the output's 1/128 scale.
#include "kernels/portable/fixedpoint_log.h"
#include "kernels/portable/portable.h"

void sprat_portable_l2_normalization_s8(const sprat_l2norm_params *p, const int8_t *in, int8_t *out) {
  for (int32_t r = 0; r < p->rows; ++r) {
    const int8_t *x = in + r * p->depth;
    int8_t *y = out + r * p->depth;
    uint32_t acc = 0;
    for (int32_t j = 0; j < p->depth; ++j) {
      const int32_t v = x[j] - p->input_zero_point;
      acc += (uint32_t)(v * v);
    }
    int32_t multiplier, shift;
    sprat_fx_inv_sqrt((int32_t)acc, &multiplier, &shift);
    for (int32_t j = 0; j < p->depth; ++j) {
      const int32_t v = sprat_mbqm(x[j] - p->input_zero_point, multiplier, shift + 7);
      y[j] = (int8_t)sprat_clamp(v, -128, 127);
    }
  }
}
