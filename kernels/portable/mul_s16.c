// MUL, int16 (zero points 0), with broadcasting: the int32 product
// requantized as TFLite's int8 MUL does.
#include "kernels/portable/broadcast.h"
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_mul_s16(const sprat_mul_params *p, const int16_t *in1, const int16_t *in2, int16_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t prod = (int32_t)in1[it.o1] * in2[it.o2];  // at most 2^30
    const int32_t r = sprat_wrap_add(sprat_mbqm(prod, p->output_multiplier, p->output_shift), p->output_offset);
    out[i] = (int16_t)sprat_clamp(r, p->act_min, p->act_max);
    sprat_bc_next(&p->bc, &it);
  }
}
