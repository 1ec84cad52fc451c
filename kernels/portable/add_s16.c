// ADD and SUB, int16 (zero points 0), with broadcasting, in TFLite's two
// schemes: the general one (the int8 scheme with 15 bits of headroom,
// left_shift 15) and, where every scale is a power of two, its shift-only
// one (left_shift 0): each input shifted right by its shift, rounding.
#include "kernels/portable/broadcast.h"
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_add_s16(const sprat_add_params *p, const int16_t *in1, const int16_t *in2, int16_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  for (int32_t i = 0; i < n; ++i) {
    int32_t r;
    if (p->left_shift == 0) {
      // TFLite saturates the sum to int16 (ADD) or not (SUB) before the
      // clamp; within the int16 activation range both are the clamp alone.
      const int32_t a = sprat_rounding_divide_by_pot(in1[it.o1], -p->input1_shift);
      const int32_t b = sprat_rounding_divide_by_pot(in2[it.o2], -p->input2_shift);
      r = p->subtract ? a - b : a + b;
    } else {
      const int32_t a = (int32_t)((uint32_t)(in1[it.o1] + p->input1_offset) << p->left_shift);
      const int32_t b = (int32_t)((uint32_t)(in2[it.o2] + p->input2_offset) << p->left_shift);
      const int32_t sa = sprat_mbqm(a, p->input1_multiplier, p->input1_shift);
      const int32_t sb = sprat_mbqm(b, p->input2_multiplier, p->input2_shift);
      const int32_t raw = sprat_wrap_add(sa, p->subtract ? (int32_t)(0u - (uint32_t)sb) : sb);
      r = sprat_wrap_add(sprat_mbqm(raw, p->output_multiplier, p->output_shift), p->output_offset);
    }
    out[i] = (int16_t)sprat_clamp(r, p->act_min, p->act_max);
    sprat_bc_next(&p->bc, &it);
  }
}
