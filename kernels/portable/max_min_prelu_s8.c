// MAXIMUM, MINIMUM and PRELU, int8, with broadcasting.
#include "kernels/portable/broadcast.h"
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_max_min_s8(const sprat_max_min_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  for (int32_t i = 0; i < n; ++i) {
    const int8_t a = in1[it.o1], b = in2[it.o2];
    out[i] = p->is_min ? (a < b ? a : b) : (a > b ? a : b);
    sprat_bc_next(&p->bc, &it);
  }
}

void sprat_portable_prelu_s8(const sprat_prelu_params *p, const int8_t *in, const int8_t *alpha, int8_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t x = p->input_offset + in[it.o1];
    int32_t v;
    if (x >= 0) {
      v = sprat_mbqm(x, p->multiplier_pos, p->shift_pos);
    } else {
      v = sprat_mbqm(x * (p->alpha_offset + alpha[it.o2]), p->multiplier_neg, p->shift_neg);
    }
    out[i] = (int8_t)sprat_clamp(sprat_wrap_add(v, p->output_offset), -128, 127);
    sprat_bc_next(&p->bc, &it);
  }
}
