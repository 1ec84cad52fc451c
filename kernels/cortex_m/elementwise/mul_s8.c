// MUL, int8, bit-exact with TFLite, four elements per iteration: the
// offsets join the unpacking (SXTAB16 adds bytes to halfword offsets), the
// products come from SMULBB/SMULTT, the requantization from SMMLAR.
//
// Why it is exact (requant.h): |(x1 + o1) * (x2 + o2)| <= 255^2 < 2^16, so
// the product, doubled and shifted left by a non-negative output shift s,
// fits in int32 whenever 255^2 * 2^(s + 1) does (s <= 14, checked against
// the actual offsets); TFLite's doubling high multiply is then SMMULR of
// it, for any multiplier. For a right shift r >= 1 with a multiplier >= 0
// the rounding shift is (y + 2^(r-1) - (y < 0)) >> r with y's sign read off
// the product's, the output offset folded into the constant. The doubling
// is free: one operand's bytes are added twice into their halfwords.
#include "kernels/cortex_m/cortex_m.h"
#include "kernels/cortex_m/simd.h"

typedef struct {
  uint32_t off1x2, off2;  // halfword pairs: 2 * offset1, offset2
  int32_t off1, off2s;    // scalars for the tails
  int32_t mo, co, ro, left;
  int32_t lo, hi;
  uint32_t lo4, hi4;
} mul_k;

enum { RIGHT = 0, LEFT = 1 };

// Requantized, before saturation; p2 is twice the product.
SPRAT_CM_INLINE int32_t requant(const mul_k *k, int32_t p2, int mode) {
  if (mode == LEFT) return sprat_cm_smmlar((int32_t)((uint32_t)p2 << k->left), k->mo, k->co);
  return sprat_cm_smmlar(p2, k->mo, k->co + (p2 >> 31)) >> k->ro;
}

SPRAT_CM_INLINE int8_t clamp1(const mul_k *k, int32_t z) { return (int8_t)(z < k->lo ? k->lo : (z > k->hi ? k->hi : z)); }

SPRAT_CM_INLINE int32_t mul_bb(uint32_t a, uint32_t b) { return (int32_t)(int16_t)a * (int32_t)(int16_t)b; }
SPRAT_CM_INLINE int32_t mul_tt(uint32_t a, uint32_t b) { return ((int32_t)a >> 16) * ((int32_t)b >> 16); }

// c2: operand 2 is one value for the whole run (its halfwords in e2c).
SPRAT_CM_INLINE void row(const mul_k *k, const int8_t *a, const int8_t *b, uint32_t e2c, int8_t *o, int32_t n,
                         int mode, int c2) {
  for (; n >= 4; n -= 4, a += 4, o += 4) {
    const uint32_t w1 = sprat_cm_load32(a);
    const uint32_t e1 = sprat_cm_sxtab16(sprat_cm_sxtab16(k->off1x2, w1), w1);
    const uint32_t o1 = sprat_cm_sxtab16_ror8(sprat_cm_sxtab16_ror8(k->off1x2, w1), w1);
    uint32_t e2 = e2c, o2 = e2c;
    if (!c2) {
      const uint32_t w2 = sprat_cm_load32(b);
      e2 = sprat_cm_sxtab16(k->off2, w2);
      o2 = sprat_cm_sxtab16_ror8(k->off2, w2);
      b += 4;
    }
    const int32_t z0 = requant(k, mul_bb(e1, e2), mode), z1 = requant(k, mul_bb(o1, o2), mode);
    const int32_t z2 = requant(k, mul_tt(e1, e2), mode), z3 = requant(k, mul_tt(o1, o2), mode);
    const uint32_t w = sprat_cm_pack4(__ssat(z0, 8), __ssat(z1, 8), __ssat(z2, 8), __ssat(z3, 8));
    sprat_cm_store32(o, sprat_cm_min8(sprat_cm_max8(w, k->lo4), k->hi4));
  }
  const int32_t v2c = (int16_t)e2c;
  for (; n > 0; --n, ++a, ++o) {
    const int32_t v2 = c2 ? v2c : *b++ + k->off2s;
    *o = clamp1(k, requant(k, 2 * (*a + k->off1) * v2, mode));
  }
}

static void vv_right(const mul_k *k, const int8_t *a, const int8_t *b, int8_t *o, int32_t n) { row(k, a, b, 0, o, n, RIGHT, 0); }
static void vv_left(const mul_k *k, const int8_t *a, const int8_t *b, int8_t *o, int32_t n) { row(k, a, b, 0, o, n, LEFT, 0); }
static void vc_right(const mul_k *k, const int8_t *a, uint32_t e2, int8_t *o, int32_t n) { row(k, a, 0, e2, o, n, RIGHT, 1); }
static void vc_left(const mul_k *k, const int8_t *a, uint32_t e2, int8_t *o, int32_t n) { row(k, a, 0, e2, o, n, LEFT, 1); }

static int32_t widest(int32_t offset) {
  const int32_t lo = -128 + offset, hi = 127 + offset;
  return -lo > hi ? -lo : hi;
}

void sprat_cm_mul_s8(const sprat_mul_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  mul_k k;
  sprat_cm_runs rs;
  const int32_t s = p->output_shift;
  int mode = -1;
  int64_t co = 0;
  const int offsets_ok = p->input1_offset >= -127 && p->input1_offset <= 128 && p->input2_offset >= -127 &&
                         p->input2_offset <= 128;
  if (offsets_ok && s >= 0 && s <= 14 &&
      ((int64_t)widest(p->input1_offset) * widest(p->input2_offset) << (s + 1)) < ((int64_t)1 << 31) &&
      p->output_offset >= -(1 << 29) && p->output_offset <= (1 << 29)) {
    mode = LEFT;
    co = p->output_offset;
  } else if (offsets_ok && s <= -1 && s >= -31 && p->output_multiplier >= 0) {
    co = ((int64_t)1 << (-s - 1)) + (int64_t)p->output_offset * ((int64_t)1 << -s);
    if (co >= -(1 << 30) && co <= (1 << 30)) mode = RIGHT;
  }
  const int fast = mode >= 0 && p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127 &&
                   sprat_cm_runs_make(&p->bc, &rs);
  int32_t count = 1;
  for (int32_t d = 0; d < p->bc.ndim; ++d) count *= p->bc.out_dims[d];
  if (!fast || !sprat_cm_bc_alias_ok(&p->bc, in1, in2, out, (uint32_t)count)) {
    sprat_portable_mul_s8(p, in1, in2, out);
    return;
  }
  k.mo = p->output_multiplier, k.co = (int32_t)co, k.ro = -s, k.left = s > 0 ? s : 0;
  k.lo = p->act_min, k.hi = p->act_max;
  k.lo4 = sprat_cm_rep8(p->act_min), k.hi4 = sprat_cm_rep8(p->act_max);
  // The product commutes: the contiguous operand goes first.
  int32_t off1 = p->input1_offset, off2 = p->input2_offset;
  int32_t r1 = rs.r1, r2 = rs.r2;
  int swap = !r1 && r2;
  if (swap) {
    const int8_t *t = in1;
    in1 = in2, in2 = t;
    off1 = p->input2_offset, off2 = p->input1_offset;
    r1 = 1, r2 = 0;
  }
  k.off1 = off1, k.off2s = off2;
  k.off1x2 = 0x00010001u * (uint16_t)(2 * off1);
  k.off2 = 0x00010001u * (uint16_t)off2;
  sprat_cm_row_iter it = {{0}, 0, 0};
  const int32_t run = rs.run;
  for (int32_t rw = 0; rw < rs.rows; ++rw, out += run, sprat_cm_row_next(&rs, &it)) {
    const int8_t *a = in1 + (swap ? it.o2 : it.o1), *b = in2 + (swap ? it.o1 : it.o2);
    if (r1 && r2) {
      (mode == LEFT ? vv_left : vv_right)(&k, a, b, out, run);
    } else if (r1) {
      const uint32_t e2 = 0x00010001u * (uint16_t)(*b + off2);
      (mode == LEFT ? vc_left : vc_right)(&k, a, e2, out, run);
    } else {
      const int8_t v = clamp1(&k, requant(&k, 2 * (*a + off1) * (*b + off2), mode));
      for (int32_t i = 0; i < run; ++i) out[i] = v;
    }
  }
}
