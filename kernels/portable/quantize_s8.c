// QUANTIZE (float32 -> int8, int8 -> int8) and DEQUANTIZE (int8 -> float32),
// with TFLite's arithmetic: float division and roundf for QUANTIZE, a double
// product for DEQUANTIZE. Built with -ffp-contract=off.
#include <math.h>

#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

// The rounded value saturated before the conversion to int, which is
// undefined beyond int's range: TFLite's result for every value it defines,
// the nearest end of the range for the rest (infinities, |x| past 2^31
// scales), and the zero point for NaN.
static inline int32_t round_saturated(float v) {
  if (!(v == v)) return 0;  // NaN
  if (v >= 2147483520.0f) return INT32_MAX - 255;
  if (v <= -2147483520.0f) return INT32_MIN + 255;
  return (int32_t)roundf(v);
}

void sprat_portable_quantize_f32_s8(const sprat_quantize_f32_params *p, const float *in, int8_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t q = round_saturated(in[i] / p->output_scale) + p->output_zero_point;
    out[i] = (int8_t)sprat_clamp(q, -128, 127);
  }
}

void sprat_portable_requantize_s8(const sprat_requantize_params *p, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t v = sprat_wrap_add(sprat_mbqm(in[i] - p->input_zero_point, p->multiplier, p->shift), p->output_zero_point);
    out[i] = (int8_t)sprat_clamp(v, -128, 127);
  }
}

void sprat_portable_dequantize_s8_f32(const sprat_dequantize_params *p, const int8_t *in, float *out) {
  const double scale = p->input_scale;
  for (int32_t i = 0; i < p->count; ++i) out[i] = (float)(scale * (in[i] - p->input_zero_point));
}

void sprat_portable_dequantize_u8_f32(const sprat_dequantize_params *p, const uint8_t *in, float *out) {
  const double scale = p->input_scale;
  for (int32_t i = 0; i < p->count; ++i) out[i] = (float)(scale * (in[i] - p->input_zero_point));
}
