// RELU, RELU6, LEAKY_RELU and ABS, int16 (zero points 0), with TFLite's integer
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

// ABS int16: |x|, rescaled when the scales differ; |-32768| saturates,
// except on raw (unquantized) values, where it wraps as TFLite's std::abs.
void sprat_portable_abs_s16(const sprat_abs_s16_params *p, const int16_t *in, int16_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t a = in[i] < 0 ? -(int32_t)in[i] : in[i];
    const int32_t v = p->rescale == 1 ? sprat_mbqm(a, p->multiplier, p->shift) : a;
    out[i] = (int16_t)(p->rescale == 2 && v > INT16_MAX ? INT16_MIN : sprat_clamp(v, INT16_MIN, INT16_MAX));
  }
}
