// MAXIMUM, MINIMUM and PRELU, int8 (PRELU also int16), with broadcasting.
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

// Both PRELUs: the input's offset is 0 in int16 models but need not be.
static int32_t prelu_value(const sprat_prelu_params *p, int32_t x, int32_t alpha) {
  x += p->input_offset;
  const int32_t v = x >= 0 ? sprat_mbqm(x, p->multiplier_pos, p->shift_pos)
                           : sprat_mbqm(x * (p->alpha_offset + alpha), p->multiplier_neg, p->shift_neg);
  return sprat_wrap_add(v, p->output_offset);
}

void sprat_portable_prelu_s8(const sprat_prelu_params *p, const int8_t *in, const int8_t *alpha, int8_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  for (int32_t i = 0; i < n; ++i) {
    out[i] = (int8_t)sprat_clamp(prelu_value(p, in[it.o1], alpha[it.o2]), -128, 127);
    sprat_bc_next(&p->bc, &it);
  }
}

// int16 input and output, int8 alpha (TFLM's 16x8 PRELU).
void sprat_portable_prelu_s16(const sprat_prelu_params *p, const int16_t *in, const int8_t *alpha, int16_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  for (int32_t i = 0; i < n; ++i) {
    out[i] = (int16_t)sprat_clamp(prelu_value(p, in[it.o1], alpha[it.o2]), INT16_MIN, INT16_MAX);
    sprat_bc_next(&p->bc, &it);
  }
}
