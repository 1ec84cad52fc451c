// RELU, RELU6 and LEAKY_RELU, int16 (zero points 0), with TFLite's integer
// schemes.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_relu_s16(const sprat_relu_params *p, const int16_t *in, int16_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t v = sprat_wrap_add(sprat_mbqm(in[i] - p->input_zero_point, p->multiplier, p->shift), p->output_zero_point);
    out[i] = (int16_t)sprat_clamp(v, p->act_min, p->act_max);
  }
}

void sprat_portable_leaky_relu_s16(const sprat_leaky_relu_params *p, const int16_t *in, int16_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t x = in[i] - p->input_zero_point;
    const int32_t v = x >= 0 ? sprat_mbqm(x, p->identity_multiplier, p->identity_shift)
                             : sprat_mbqm(x, p->alpha_multiplier, p->alpha_shift);
    out[i] = (int16_t)sprat_clamp(sprat_wrap_add(v, p->output_zero_point), INT16_MIN, INT16_MAX);
  }
}

