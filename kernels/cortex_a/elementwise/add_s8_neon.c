// ADD and SUB, int8, both operands read at the output's own index (no
// broadcasting; anything else runs the portable kernel): 16 elements a
// step, widened to int32, TFLite's three requantizations as ca_mbqm (exact
// for any multiplier and shift). Each block of inputs is read before its
// outputs are written, in order: the output may start at or before the
// first input (converter/access.py's allowance).
#include "kernels/cortex_a/cortex_a.h"
#include "kernels/cortex_a/neon.h"
#include "kernels/portable/fixedpoint.h"

// Whether an operand with these strides is read at the output's index.
static int ca_dense(const sprat_broadcast *bc, const int32_t *strides) {
  int32_t dense = 1;
  for (int32_t d = bc->ndim - 1; d >= 0; --d) {
    if (bc->out_dims[d] != 1 && strides[d] != dense) return 0;
    dense *= bc->out_dims[d];
  }
  return 1;
}

typedef struct {
  int32x4_t off1, off2, left, out_offset, lo, hi;
  ca_rq q1, q2, qo;
  int subtract;
} ca_add;

CA_INLINE int16x4_t ca_add4(const ca_add *k, int32x4_t a, int32x4_t b) {
  const int32x4_t sa = ca_mbqm(vshlq_s32(vaddq_s32(a, k->off1), k->left), &k->q1);
  const int32x4_t sb = ca_mbqm(vshlq_s32(vaddq_s32(b, k->off2), k->left), &k->q2);
  const int32x4_t raw = k->subtract ? vsubq_s32(sa, sb) : vaddq_s32(sa, sb);
  return ca_finish(ca_mbqm(raw, &k->qo), k->out_offset, k->lo, k->hi);
}

CA_INLINE int8x8_t ca_add8(const ca_add *k, int8x8_t x1, int8x8_t x2) {
  const int16x8_t a = vmovl_s8(x1), b = vmovl_s8(x2);
  const int16x4_t lo = ca_add4(k, vmovl_s16(vget_low_s16(a)), vmovl_s16(vget_low_s16(b)));
  const int16x4_t hi = ca_add4(k, vmovl_high_s16(a), vmovl_high_s16(b));
  return vmovn_s16(vcombine_s16(lo, hi));
}

void SPRAT_CA(add_s8)(const sprat_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  if (!ca_dense(&p->bc, p->bc.in1_strides) || !ca_dense(&p->bc, p->bc.in2_strides)) {
    sprat_portable_add_s8(p, in1, in2, out);
    return;
  }
  int32_t n = 1;
  for (int32_t d = 0; d < p->bc.ndim; ++d) n *= p->bc.out_dims[d];
  ca_add k;
  k.off1 = vdupq_n_s32(p->input1_offset), k.off2 = vdupq_n_s32(p->input2_offset);
  k.left = vdupq_n_s32(p->left_shift);
  k.out_offset = vdupq_n_s32(p->output_offset), k.lo = vdupq_n_s32(p->act_min), k.hi = vdupq_n_s32(p->act_max);
  k.q1 = ca_rq_make(vdupq_n_s32(p->input1_multiplier), vdupq_n_s32(p->input1_shift));
  k.q2 = ca_rq_make(vdupq_n_s32(p->input2_multiplier), vdupq_n_s32(p->input2_shift));
  k.qo = ca_rq_make(vdupq_n_s32(p->output_multiplier), vdupq_n_s32(p->output_shift));
  k.subtract = p->subtract != 0;
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const int8x16_t x1 = vld1q_s8(in1 + i), x2 = vld1q_s8(in2 + i);
    const int8x8_t lo = ca_add8(&k, vget_low_s8(x1), vget_low_s8(x2));
    const int8x8_t hi = ca_add8(&k, vget_high_s8(x1), vget_high_s8(x2));
    vst1q_s8(out + i, vcombine_s8(lo, hi));
  }
  if (i + 8 <= n) {
    vst1_s8(out + i, ca_add8(&k, vld1_s8(in1 + i), vld1_s8(in2 + i)));
    i += 8;
  }
  // The last few as the portable kernel computes them.
  for (; i < n; ++i) {
    const int32_t a = (int32_t)((uint32_t)(in1[i] + p->input1_offset) << p->left_shift);
    const int32_t b = (int32_t)((uint32_t)(in2[i] + p->input2_offset) << p->left_shift);
    const int32_t sa = sprat_mbqm(a, p->input1_multiplier, p->input1_shift);
    const int32_t sb = sprat_mbqm(b, p->input2_multiplier, p->input2_shift);
    const int32_t raw = sprat_wrap_add(sa, p->subtract ? (int32_t)(0u - (uint32_t)sb) : sb);
    const int32_t r = sprat_wrap_add(sprat_mbqm(raw, p->output_multiplier, p->output_shift), p->output_offset);
    out[i] = (int8_t)sprat_clamp(r, p->act_min, p->act_max);
  }
}
