// ADD_N: float32 and int32 as LiteRT sums, ((in0 + in1) + in2) ... in the
// type itself (int32 wrapping); int8 as TFLM: each input scaled to a common
// scale with left_shift bits of headroom, summed in int32, requantized.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

enum { kInt32 = 3 };  // SPRAT_INT32 of sprat.h

void sprat_portable_add_n(const sprat_add_n_params *p, void *const *inputs, void *out) {
  const int32_t n = p->count;
  if (p->type == kInt32) {
    int32_t *y = (int32_t *)out;
    for (int32_t i = 0; i < n; ++i) {
      uint32_t sum = (uint32_t)((const int32_t *)inputs[0])[i];
      for (int32_t j = 1; j < p->n_inputs; ++j) sum += (uint32_t)((const int32_t *)inputs[j])[i];
      y[i] = (int32_t)sum;
    }
  } else {
    float *y = (float *)out;
    for (int32_t i = 0; i < n; ++i) {
      float sum = ((const float *)inputs[0])[i];
      for (int32_t j = 1; j < p->n_inputs; ++j) sum += ((const float *)inputs[j])[i];
      y[i] = sum;
    }
  }
}

static inline int32_t scaled(const sprat_add_n_s8_params *p, int32_t v) {
  return sprat_mbqm((int32_t)((uint32_t)v << p->left_shift), p->input_multiplier, p->input_shift);
}

void sprat_portable_add_n_s8(const sprat_add_n_s8_params *p, void *const *inputs, int8_t *out) {
  // TFLM starts the sum from the scaled input offset (its "x = 0" is the
  // offset, not 0): so does this, the outputs then agree.
  const int32_t start = scaled(p, p->input_offset);
  for (int32_t i = 0; i < p->count; ++i) {
    int32_t sum = start;
    for (int32_t j = 0; j < p->n_inputs; ++j)
      sum = sprat_wrap_add(sum, scaled(p, p->input_offset + ((const int8_t *)inputs[j])[i]));
    const int32_t r = sprat_wrap_add(sprat_mbqm(sum, p->output_multiplier, p->output_shift), p->output_offset);
    out[i] = (int8_t)sprat_clamp(r, -128, 127);
  }
}
