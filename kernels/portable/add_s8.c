// ADD and SUB, int8, with broadcasting: both inputs are brought to a common
// scale with 20 bits of headroom, summed, then requantized (TFLite's scheme).
#include "kernels/portable/broadcast.h"
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_add_s8(const sprat_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t a = (int32_t)((uint32_t)(in1[it.o1] + p->input1_offset) << p->left_shift);
    const int32_t b = (int32_t)((uint32_t)(in2[it.o2] + p->input2_offset) << p->left_shift);
    const int32_t sa = sprat_mbqm(a, p->input1_multiplier, p->input1_shift);
    const int32_t sb = sprat_mbqm(b, p->input2_multiplier, p->input2_shift);
    const int32_t raw = sprat_wrap_add(sa, p->subtract ? (int32_t)(0u - (uint32_t)sb) : sb);
    const int32_t r = sprat_wrap_add(sprat_mbqm(raw, p->output_multiplier, p->output_shift), p->output_offset);
    out[i] = (int8_t)sprat_clamp(r, p->act_min, p->act_max);
    sprat_bc_next(&p->bc, &it);
  }
}
