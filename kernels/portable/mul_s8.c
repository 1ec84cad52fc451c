// MUL, int8, with broadcasting.
#include "kernels/portable/broadcast.h"
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_mul_s8(const sprat_mul_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t prod = (in1[it.o1] + p->input1_offset) * (in2[it.o2] + p->input2_offset);
    const int32_t r = sprat_wrap_add(sprat_mbqm(prod, p->output_multiplier, p->output_shift), p->output_offset);
    out[i] = (int8_t)sprat_clamp(r, p->act_min, p->act_max);
    sprat_bc_next(&p->bc, &it);
  }
}
