// SQUARED_DIFFERENCE, int8 and int16, with broadcasting, as TFLM: both
// inputs brought to a common scale (left_shift bits of headroom, int8 7,
// int16 0), the difference squared in int32 (at most 2^30: no overflow),
// requantized and clamped to the type's range.
#include "kernels/portable/broadcast.h"
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

static inline int32_t squared_difference(const sprat_squared_difference_params *p, int32_t x, int32_t y) {
  const int32_t a = (int32_t)((uint32_t)(p->input1_offset + x) << p->left_shift);
  const int32_t b = (int32_t)((uint32_t)(p->input2_offset + y) << p->left_shift);
  // Within the bounds above the wrapping arithmetic never wraps; it keeps
  // a crafted record's multipliers defined.
  const uint32_t d = (uint32_t)sprat_mbqm(a, p->input1_multiplier, p->input1_shift) -
                     (uint32_t)sprat_mbqm(b, p->input2_multiplier, p->input2_shift);
  return sprat_wrap_add(sprat_mbqm((int32_t)(d * d), p->output_multiplier, p->output_shift), p->output_offset);
}

void sprat_portable_squared_difference_s8(const sprat_squared_difference_params *p, const int8_t *in1,
                                          const int8_t *in2, int8_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  for (int32_t i = 0; i < n; ++i) {
    out[i] = (int8_t)sprat_clamp(squared_difference(p, in1[it.o1], in2[it.o2]), -128, 127);
    sprat_bc_next(&p->bc, &it);
  }
}

void sprat_portable_squared_difference_s16(const sprat_squared_difference_params *p, const int16_t *in1,
                                           const int16_t *in2, int16_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  for (int32_t i = 0; i < n; ++i) {
    out[i] = (int16_t)sprat_clamp(squared_difference(p, in1[it.o1], in2[it.o2]), -32768, 32767);
    sprat_bc_next(&p->bc, &it);
  }
}
