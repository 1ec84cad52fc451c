// Small pieces shared by the library's kernels: word access at any
// alignment, SXTB16 unpacking, four int8 results packed and clamped with
// SIMD, and the walk of a broadcast as runs of contiguous (or repeated)
// elements.
#ifndef SPRAT_KERNELS_CORTEX_M_SIMD_H_
#define SPRAT_KERNELS_CORTEX_M_SIMD_H_

#include <stdint.h>
#include <string.h>

#include "kernels/cortex_m/requant.h"
#include "sprat/kernels.h"

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#else
#error "kernels/cortex_m needs the DSP extension"
#endif

#define SPRAT_CM_INLINE static inline __attribute__((always_inline))

// LDR and STR take any alignment on ARMv7-M (UNALIGN_TRP clear); memcpy
// keeps GCC from pairing them into LDRD/LDM, which do not.
SPRAT_CM_INLINE uint32_t sprat_cm_load32(const void *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

SPRAT_CM_INLINE void sprat_cm_store32(void *p, uint32_t v) { memcpy(p, &v, 4); }

SPRAT_CM_INLINE uint32_t sprat_cm_rep8(int32_t v) { return 0x01010101u * (uint8_t)v; }

// Bytewise signed max and min. One asm statement each: SEL reads the GE
// flags SSUB8 sets, and nothing may come between them.
SPRAT_CM_INLINE uint32_t sprat_cm_max8(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}

SPRAT_CM_INLINE uint32_t sprat_cm_min8(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}

// acc + the odd bytes of w (1 and 3), sign-extended into two halfwords.
SPRAT_CM_INLINE uint32_t sprat_cm_sxtab16_ror8(uint32_t acc, uint32_t w) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(acc), "r"(w));
  return r;
}

SPRAT_CM_INLINE uint32_t sprat_cm_sxtab16(uint32_t acc, uint32_t w) {
  return (uint32_t)__sxtab16((int16x2_t)acc, (int8x4_t)w);
}

// Bytes 0 and 2 of x, and (ror8) bytes 1 and 3, sign-extended into two
// halfwords: the lanes SMLAD, SMLABB and SMLATT multiply.
#define SXTB16(x) ((uint32_t)__sxtb16((int32_t)(x)))
// GCC does not fold the rotation into SXTB16 by itself.
SPRAT_CM_INLINE uint32_t sprat_cm_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
#define SXTB16_ROR8(x) sprat_cm_sxtb16_ror8(x)
#define SMLAD(a, b, acc) __smlad((int32_t)(a), (int32_t)(b), (acc))

// Four results already saturated to int8, in memory order. BFI, which GCC
// does not find for this pattern by itself.
SPRAT_CM_INLINE uint32_t sprat_cm_pack4(int32_t a, int32_t b, int32_t c, int32_t d) {
  uint32_t w = (uint32_t)a & 0xFFu;
  __asm__("bfi %0, %1, #8, #8\n\tbfi %0, %2, #16, #8\n\tbfi %0, %3, #24, #8" : "+r"(w) : "r"(b), "r"(c), "r"(d));
  return w;
}

// The broadcast as rows: `run` elements with strides r1, r2 (0 or 1) in
// each, at the offsets the outer dimensions walk. Unit dimensions are
// dropped and neighbours that step evenly in both operands merged, so a
// same-shape operation is one run and a per-channel operand a run per pixel.
typedef struct {
  int32_t nd;  // outer dimensions, innermost last
  int32_t dims[SPRAT_MAX_DIMS], s1[SPRAT_MAX_DIMS], s2[SPRAT_MAX_DIMS];
  int32_t run, r1, r2;
  int32_t rows;
} sprat_cm_runs;

// 0 if the innermost strides are not 0 or 1 (then the caller falls back).
static inline int sprat_cm_runs_make(const sprat_broadcast *bc, sprat_cm_runs *r) {
  int32_t n = 0, d[SPRAT_MAX_DIMS], a[SPRAT_MAX_DIMS], b[SPRAT_MAX_DIMS];
  if (bc->ndim < 0 || bc->ndim > SPRAT_MAX_DIMS) return 0;
  for (int32_t k = 0; k < bc->ndim; ++k) {
    if (bc->out_dims[k] == 1) continue;
    if (n > 0 && a[n - 1] == bc->in1_strides[k] * bc->out_dims[k] && b[n - 1] == bc->in2_strides[k] * bc->out_dims[k]) {
      // The outer neighbour steps exactly one run of this dimension.
      d[n - 1] *= bc->out_dims[k];
      a[n - 1] = bc->in1_strides[k];
      b[n - 1] = bc->in2_strides[k];
      continue;
    }
    d[n] = bc->out_dims[k], a[n] = bc->in1_strides[k], b[n] = bc->in2_strides[k];
    ++n;
  }
  if (n == 0) {
    r->nd = 0, r->run = 1, r->r1 = 0, r->r2 = 0, r->rows = 1;
    return 1;
  }
  r->nd = n - 1;
  r->rows = 1;
  for (int32_t k = 0; k < n - 1; ++k) {
    r->dims[k] = d[k], r->s1[k] = a[k], r->s2[k] = b[k];
    r->rows *= d[k];
  }
  r->run = d[n - 1], r->r1 = a[n - 1], r->r2 = b[n - 1];
  return (r->r1 == 0 || r->r1 == 1) && (r->r2 == 0 || r->r2 == 1);
}

// Offsets of the next row (an odometer over the outer dimensions).
typedef struct {
  int32_t idx[SPRAT_MAX_DIMS];
  int32_t o1, o2;
} sprat_cm_row_iter;

static inline void sprat_cm_row_next(const sprat_cm_runs *r, sprat_cm_row_iter *it) {
  for (int32_t k = r->nd - 1; k >= 0; --k) {
    it->o1 += r->s1[k];
    it->o2 += r->s2[k];
    if (++it->idx[k] < r->dims[k]) return;
    it->o1 -= r->s1[k] * r->dims[k];
    it->o2 -= r->s2[k] * r->dims[k];
    it->idx[k] = 0;
  }
}

// 1 if operand 1 (which = 1) or 2 is read at output element i's own index.
static inline int sprat_cm_bc_identity(const sprat_broadcast *bc, int which) {
  const int32_t *s = which == 1 ? bc->in1_strides : bc->in2_strides;
  int32_t dense = 1;
  for (int32_t k = bc->ndim - 1; k >= 0; --k) {
    if (bc->out_dims[k] != 1 && s[k] != dense) return 0;
    dense *= bc->out_dims[k];
  }
  return 1;
}

// Bytes [0, span) of operand `which` the broadcast reads.
static inline uint32_t sprat_cm_bc_span(const sprat_broadcast *bc, int which) {
  const int32_t *s = which == 1 ? bc->in1_strides : bc->in2_strides;
  uint32_t hi = 0;
  for (int32_t k = 0; k < bc->ndim; ++k) hi += (uint32_t)(bc->out_dims[k] - 1) * (uint32_t)s[k];
  return hi + 1;
}

static inline int sprat_cm_overlap(const void *a, uint32_t na, const void *b, uint32_t nb) {
  const uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
  return x < y + nb && y < x + na;
}

// The fast kernels read all four inputs of a group before writing its
// output, in order, and output i depends on inputs at i only when an
// operand is read at its own index: so such an operand may be the output
// or start after it (the writes stay behind the reads; the planner's
// in-place allowance, converter/access.py), or be apart from it. Any other
// overlap goes to the portable kernel, whose element order then decides.
static inline int sprat_cm_bc_alias_ok(const sprat_broadcast *bc, const int8_t *in1, const int8_t *in2,
                                       const int8_t *out, uint32_t count) {
  if (sprat_cm_overlap(in1, sprat_cm_bc_span(bc, 1), out, count) &&
      !((uintptr_t)out <= (uintptr_t)in1 && sprat_cm_bc_identity(bc, 1)))
    return 0;
  if (sprat_cm_overlap(in2, sprat_cm_bc_span(bc, 2), out, count) &&
      !((uintptr_t)out <= (uintptr_t)in2 && sprat_cm_bc_identity(bc, 2)))
    return 0;
  return 1;
}

#endif  // SPRAT_KERNELS_CORTEX_M_SIMD_H_
