// QUANTIZE to int16 (from float32; from int8 or int16, or int16 to int8, a
// requantization; int8 to and from uint8 too) and DEQUANTIZE from int16, with TFLite's arithmetic:
// float division and roundf, the integer requantization of its int8
// QUANTIZE, a double product. Built with -ffp-contract=off.
#include <math.h>

#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

enum { kInt8 = 1, kInt16 = 2, kInt32 = 3, kUint8 = 5 };  // sprat.h's codes: kernels do not include the runtime API

// As quantize_s8.c: saturated before the conversion C leaves undefined.
static inline int32_t round_saturated(float v) {
  if (!(v == v)) return 0;  // NaN
  if (v >= 2147483520.0f) return INT32_MAX - 65535;
  if (v <= -2147483520.0f) return INT32_MIN + 65535;
  return (int32_t)roundf(v);
}

void sprat_portable_quantize_f32_s16(const sprat_quantize_f32_params *p, const float *in, int16_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t q = round_saturated(in[i] / p->output_scale) + p->output_zero_point;
    out[i] = (int16_t)sprat_clamp(q, INT16_MIN, INT16_MAX);
  }
}

void sprat_portable_requantize_s16(const sprat_requantize_s16_params *p, const void *in, void *out) {
  const int32_t t = p->output_type;
  const int32_t lo = t == kInt16 ? INT16_MIN : t == kInt32 ? INT32_MIN : t == kUint8 ? 0 : -128;
  const int32_t hi = t == kInt16 ? INT16_MAX : t == kInt32 ? INT32_MAX : t == kUint8 ? 255 : 127;
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t x = p->input_type == kInt16   ? ((const int16_t *)in)[i]
                      : p->input_type == kInt32 ? ((const int32_t *)in)[i]
                      : p->input_type == kUint8 ? ((const uint8_t *)in)[i]
                                                : ((const int8_t *)in)[i];
    // TFLite's int32 arithmetic, which wraps on every compiler it is built with.
    const int32_t d = (int32_t)((uint32_t)x - (uint32_t)p->input_zero_point);
    const int32_t v = sprat_clamp(sprat_wrap_add(sprat_mbqm(d, p->multiplier, p->shift), p->output_zero_point), lo, hi);
    if (p->output_type == kInt16) ((int16_t *)out)[i] = (int16_t)v;
    else if (p->output_type == kInt32) ((int32_t *)out)[i] = v;
    else if (p->output_type == kUint8) ((uint8_t *)out)[i] = (uint8_t)v;
    else ((int8_t *)out)[i] = (int8_t)v;
  }
}

void sprat_portable_dequantize_s16_f32(const sprat_dequantize_params *p, const int16_t *in, float *out) {
  const double scale = p->input_scale;
  for (int32_t i = 0; i < p->count; ++i) out[i] = (float)(scale * (in[i] - p->input_zero_point));
}
