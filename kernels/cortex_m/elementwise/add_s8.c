// ADD and SUB, int8: TFLite's scheme (each input offset, shifted left by
// 20, scaled to the common scale, summed, requantized), bit-exact, four
// elements per iteration with every rounding done by SMMLAR.
//
// Why it is exact (requant.h has the general argument): with v = x + offset
// in [-255, 255] and left_shift 20, a = v << 20 and a << 1 fit in int32, so
// TFLite's doubling high multiply of a by m >= 0 is SMMULR(a << 1, m), and
// its rounding right shift by r >= 1 is (y + 2^(r-1) - (y < 0)) >> r, where
// y < 0 may be read off a's sign (a < 0 with y = 0 is never a tie). SMMLAR
// adds the rounding constant and sign for free. The input of the larger
// scale has m = 2^30 and shift 0 from the converter: then y = v << 19 with
// no rounding at all ("pow2" below). The output stage is the same with the
// output offset folded into the rounding constant: |sum << 1| < 2^30.
// Parameters outside these forms (another left shift, negative multipliers,
// left shifts in the scaling, offsets out of int8's reach, huge output
// offsets) and broadcasts that are not runs go to the portable kernel.
#include "kernels/cortex_m/cortex_m.h"
#include "kernels/cortex_m/simd.h"

typedef struct {
  int32_t o1, o2;  // offset << 20 (pow2) or << 21 (general)
  int32_t m1, m2, c1, c2, r1, r2;
  int32_t mo, co, ro;
  int32_t lo, hi;
  uint32_t lo4, hi4;
} add_k;

enum { POW2 = 0, GEN = 1 };

// Twice the input's scaled value.
SPRAT_CM_INLINE int32_t scaled2(int32_t x, int mode, int32_t o, int32_t m, int32_t c, int32_t r) {
  if (mode == POW2) return (int32_t)(((uint32_t)x << 20) + (uint32_t)o);
  const int32_t a2 = (int32_t)(((uint32_t)x << 21) + (uint32_t)o);
  const int32_t s = sprat_cm_smmlar(a2, m, c + (a2 >> 31)) >> r;
  return (int32_t)((uint32_t)s << 1);
}

// The requantized sum before saturation.
SPRAT_CM_INLINE int32_t requant(const add_k *k, int32_t raw2) {
  return sprat_cm_smmlar(raw2, k->mo, k->co + (raw2 >> 31)) >> k->ro;
}

SPRAT_CM_INLINE int8_t clamp1(const add_k *k, int32_t z) { return (int8_t)(z < k->lo ? k->lo : (z > k->hi ? k->hi : z)); }

SPRAT_CM_INLINE uint32_t clamp4(const add_k *k, int32_t z0, int32_t z1, int32_t z2, int32_t z3) {
  const uint32_t w = sprat_cm_pack4(__ssat(z0, 8), __ssat(z1, 8), __ssat(z2, 8), __ssat(z3, 8));
  return sprat_cm_min8(sprat_cm_max8(w, k->lo4), k->hi4);
}

// Both operands contiguous.
SPRAT_CM_INLINE void row_vv(const add_k *k, const int8_t *a, const int8_t *b, int8_t *o, int32_t n, int mode1,
                            int mode2, int sub) {
#define SPRAT_ADD_ONE(j, i)                                                     \
  const int32_t d1_##i = scaled2(a[j], mode1, k->o1, k->m1, k->c1, k->r1);    \
  const int32_t d2_##i = scaled2(b[j], mode2, k->o2, k->m2, k->c2, k->r2);    \
  const int32_t z##i = requant(k, sub ? d1_##i - d2_##i : d1_##i + d2_##i)
  for (; n >= 4; n -= 4, a += 4, b += 4, o += 4) {
    SPRAT_ADD_ONE(0, 0);
    SPRAT_ADD_ONE(1, 1);
    SPRAT_ADD_ONE(2, 2);
    SPRAT_ADD_ONE(3, 3);
    sprat_cm_store32(o, clamp4(k, z0, z1, z2, z3));
  }
  for (; n > 0; --n, ++a, ++b, ++o) {
    SPRAT_ADD_ONE(0, x);
    *o = clamp1(k, zx);
  }
#undef SPRAT_ADD_ONE
}

// One operand contiguous, the other one value for the whole run (kc: twice
// its scaled value, negated when it is subtracted); neg: the contiguous one
// is subtracted.
SPRAT_CM_INLINE void row_vc(const add_k *k, const int8_t *a, int32_t kc, int8_t *o, int32_t n, int mode, int32_t off,
                            int32_t m, int32_t c, int32_t r, int neg) {
#define SPRAT_ADD_ONE(j, i)                                 \
  const int32_t d##i = scaled2(a[j], mode, off, m, c, r); \
  const int32_t z##i = requant(k, neg ? kc - d##i : kc + d##i)
  for (; n >= 4; n -= 4, a += 4, o += 4) {
    SPRAT_ADD_ONE(0, 0);
    SPRAT_ADD_ONE(1, 1);
    SPRAT_ADD_ONE(2, 2);
    SPRAT_ADD_ONE(3, 3);
    sprat_cm_store32(o, clamp4(k, z0, z1, z2, z3));
  }
  for (; n > 0; --n, ++a, ++o) {
    SPRAT_ADD_ONE(0, x);
    *o = clamp1(k, zx);
  }
#undef SPRAT_ADD_ONE
}

#define SPRAT_ADD_VV(M1, M2, S)                                                                                 \
  static void vv_##M1##_##M2##_##S(const add_k *k, const int8_t *a, const int8_t *b, int8_t *o, int32_t n) { \
    row_vv(k, a, b, o, n, M1, M2, S);                                                                           \
  }
SPRAT_ADD_VV(0, 0, 0)
SPRAT_ADD_VV(0, 1, 0)
SPRAT_ADD_VV(1, 0, 0)
SPRAT_ADD_VV(1, 1, 0)
SPRAT_ADD_VV(0, 0, 1)
SPRAT_ADD_VV(0, 1, 1)
SPRAT_ADD_VV(1, 0, 1)
SPRAT_ADD_VV(1, 1, 1)
#undef SPRAT_ADD_VV

typedef void (*vv_fn)(const add_k *, const int8_t *, const int8_t *, int8_t *, int32_t);
static const vv_fn kVV[2][2][2] = {
    {{vv_0_0_0, vv_0_0_1}, {vv_0_1_0, vv_0_1_1}},
    {{vv_1_0_0, vv_1_0_1}, {vv_1_1_0, vv_1_1_1}},
};

#define SPRAT_ADD_VC(M, NEG)                                                                                    \
  static void vc_##M##_##NEG(const add_k *k, const int8_t *a, int32_t kc, int8_t *o, int32_t n, int32_t off,   \
                             int32_t m, int32_t c, int32_t r) {                                                 \
    row_vc(k, a, kc, o, n, M, off, m, c, r, NEG);                                                               \
  }
SPRAT_ADD_VC(0, 0)
SPRAT_ADD_VC(0, 1)
SPRAT_ADD_VC(1, 0)
SPRAT_ADD_VC(1, 1)
#undef SPRAT_ADD_VC

typedef void (*vc_fn)(const add_k *, const int8_t *, int32_t, int8_t *, int32_t, int32_t, int32_t, int32_t, int32_t);
static const vc_fn kVC[2][2] = {{vc_0_0, vc_0_1}, {vc_1_0, vc_1_1}};

// The input's mode, or -1 if it has no exact fast form; fills o, m, c, r.
static int input_mode(int32_t offset, int32_t mult, int32_t shift, int32_t *o, int32_t *m, int32_t *c, int32_t *r) {
  if (offset < -127 || offset > 128) return -1;
  if (mult == (1 << 30) && shift == 0) {
    *o = (int32_t)((uint32_t)offset << 20), *m = 0, *c = 0, *r = 0;
    return POW2;
  }
  if (mult < 0 || shift > -1 || shift < -31) return -1;
  *o = (int32_t)((uint32_t)offset << 21), *m = mult, *r = -shift, *c = (int32_t)(1u << (-shift - 1));
  return GEN;
}

void sprat_cm_add_s8(const sprat_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  add_k k;
  sprat_cm_runs rs;
  const int mode1 = input_mode(p->input1_offset, p->input1_multiplier, p->input1_shift, &k.o1, &k.m1, &k.c1, &k.r1);
  const int mode2 = input_mode(p->input2_offset, p->input2_multiplier, p->input2_shift, &k.o2, &k.m2, &k.c2, &k.r2);
  const int64_t co = p->output_shift <= -1 && p->output_shift >= -31
                         ? ((int64_t)1 << (-p->output_shift - 1)) + (int64_t)p->output_offset * ((int64_t)1 << -p->output_shift)
                         : 0;
  const int fast = p->left_shift == 20 && mode1 >= 0 && mode2 >= 0 && p->output_multiplier >= 0 &&
                   p->output_shift <= -1 && p->output_shift >= -31 && co >= -(1 << 30) && co <= (1 << 30) &&
                   p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127 &&
                   sprat_cm_runs_make(&p->bc, &rs);
  int32_t count = 1;
  for (int32_t d = 0; d < p->bc.ndim; ++d) count *= p->bc.out_dims[d];
  if (!fast || !sprat_cm_bc_alias_ok(&p->bc, in1, in2, out, (uint32_t)count)) {
    sprat_portable_add_s8(p, in1, in2, out);
    return;
  }
  k.mo = p->output_multiplier, k.co = (int32_t)co, k.ro = -p->output_shift;
  k.lo = p->act_min, k.hi = p->act_max;
  k.lo4 = sprat_cm_rep8(p->act_min), k.hi4 = sprat_cm_rep8(p->act_max);
  const int sub = p->subtract != 0;
  sprat_cm_row_iter it = {{0}, 0, 0};
  const int32_t run = rs.run;
  for (int32_t row = 0; row < rs.rows; ++row, out += run, sprat_cm_row_next(&rs, &it)) {
    const int8_t *a = in1 + it.o1, *b = in2 + it.o2;
    if (rs.r1 && rs.r2) {
      kVV[mode1][mode2][sub](&k, a, b, out, run);
    } else if (rs.r1) {
      const int32_t d2 = scaled2(*b, mode2, k.o2, k.m2, k.c2, k.r2);
      kVC[mode1][0](&k, a, sub ? -d2 : d2, out, run, k.o1, k.m1, k.c1, k.r1);
    } else if (rs.r2) {
      const int32_t d1 = scaled2(*a, mode1, k.o1, k.m1, k.c1, k.r1);
      kVC[mode2][sub](&k, b, d1, out, run, k.o2, k.m2, k.c2, k.r2);
    } else {
      // Both repeated: one value for the whole run.
      const int32_t d1 = scaled2(*a, mode1, k.o1, k.m1, k.c1, k.r1);
      const int32_t d2 = scaled2(*b, mode2, k.o2, k.m2, k.c2, k.r2);
      const int8_t v = clamp1(&k, requant(&k, sub ? d1 - d2 : d1 + d2));
      for (int32_t i = 0; i < run; ++i) out[i] = v;
    }
  }
}
