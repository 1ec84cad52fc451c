// TFLite's per-channel requantization (MultiplyByQuantizedMultiplier plus
// the output offset and activation clamp), bit-exact, cheap on ARMv7E-M.
//
// Why the fast path is exact: TFLite computes
//   y = SaturatingRoundingDoublingHighMul(acc << left, m)   (m >= 0)
//   out = RoundingDivideByPOT(y, right)
// Its nudge (1 - 2^30 for negative products, then truncation toward zero)
// works out to floor((acc * m + 2^30) / 2^31) for every sign, which is
// SMMULR(acc << 1, m) = floor((2 * acc * m + 2^31) / 2^32) whenever acc << 1
// fits in int32. RoundingDivideByPOT rounds halves away from zero:
// (y + 2^(r-1) - (y < 0)) >> r for r >= 1. SPRAT_CONV_FAST_REQUANT (set by
// the converter) promises left = 0, r >= 1 and |acc| < 2^30 for a layer.
#ifndef SPRAT_KERNELS_CORTEX_M_REQUANT_H_
#define SPRAT_KERNELS_CORTEX_M_REQUANT_H_

#include <stdint.h>

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif

// floor((a * b + 2^31) / 2^32)
static inline int32_t sprat_cm_smmulr(int32_t a, int32_t b) {
#if defined(__ARM_FEATURE_DSP)
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
#else
  return (int32_t)(((int64_t)a * b + ((int64_t)1 << 31)) >> 32);
#endif
}

// Layers with SPRAT_CONV_FAST_REQUANT: right = -shift >= 1, round =
// 1 << (right - 1), |acc| < 2^30. No output offset, no clamp.
static inline int32_t sprat_cm_requant_fast(int32_t acc, int32_t mult, int32_t right, int32_t round) {
  const int32_t y = sprat_cm_smmulr((int32_t)((uint32_t)acc << 1), mult);
  return (y + round + (y >> 31)) >> right;
}

// Any layer: the same arithmetic in 64 bits, any shift in [-31, 30].
static inline int32_t sprat_cm_requant_exact(int32_t acc, int32_t mult, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const int64_t ab = (int64_t)(int32_t)((uint32_t)acc << left) * mult;
  const int32_t y = (int32_t)((ab + ((int64_t)1 << 30)) >> 31);
  if (right == 0) return y;
  return (int32_t)(((int64_t)y + ((int64_t)1 << (right - 1)) + (y >> 31)) >> right);
}

// Ra + floor((a * b + 2^31) / 2^32), the 64-bit sum taken exactly.
static inline int32_t sprat_cm_smmlar(int32_t a, int32_t b, int32_t ra) {
#if defined(__ARM_FEATURE_DSP)
  int32_t r;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(ra));
  return r;
#else
  return (int32_t)((((int64_t)ra << 32) + (int64_t)a * b + ((int64_t)1 << 31)) >> 32);
#endif
}

// The kernels' per-channel form of the fast path: with m2 = 2m - 2^32 (as
// int32), SMMLAR(acc, m2, acc) = floor((2 * acc * m + 2^31) / 2^32), TFLite's
// doubling high multiply, for any acc and m in [2^30, 2^31): the 2^32 * acc
// that m2 lacks comes back through the accumulate operand. The rounding
// shift's (y < 0) term may use acc's sign instead (y < 0 implies acc < 0,
// and acc < 0 with y = 0 is never a tie), and the output offset joins the
// rounding constant: c = 2^(r-1) + offset * 2^r is a multiple of 2^r plus
// the half. So out = (SMMLAR(acc, m2, acc) + c + (acc >> 31)) >> r, with no
// overflow when |acc| < 2^30 (SPRAT_CONV_FAST_REQUANT) and 1 <= r <= 22.
typedef struct {
  int32_t m2, c, r;
} sprat_cm_rq;

// 1 if channel (mult, shift) has the per-channel fast form, filled in *q.
static inline int sprat_cm_rq_make(int32_t mult, int32_t shift, int32_t offset, sprat_cm_rq *q) {
  const int32_t r = -shift;
  if (mult < (1 << 30) || r < 1 || r > 22) return 0;
  q->m2 = (int32_t)((uint32_t)mult << 1);
  q->c = (2 * offset + 1) * (1 << (r - 1));
  q->r = r;
  return 1;
}

// Before the clamp; the caller saturates to int8.
static inline int32_t sprat_cm_rq_apply(int32_t acc, const sprat_cm_rq *q) {
  // Unsigned sums: a blob that lies about the flag gets wrong numbers, not UB.
  const uint32_t t = (uint32_t)q->c + (uint32_t)(acc >> 31);
  // r & 31: a prepared record (in the blob) with a crafted shift is no UB.
  return (int32_t)((uint32_t)sprat_cm_smmlar(acc, q->m2, acc) + t) >> (q->r & 31);
}

// sprat_cm_rq_apply for the kernels written in assembly, one GNU assembler
// macro they all expand: acc = (SMMLAR(acc, m2, acc) + c + (acc >> 31)) >> r
// with m2, c, r in registers and tmp clobbered.
#define SPRAT_CM_ASM_RQ_APPLY                       \
  "  .macro SPRAT_CM_RQ_APPLY acc, m2, c, r, tmp\n" \
  "  smmlar  \\tmp, \\acc, \\m2, \\acc\n"        \
  "  add     \\acc, \\c, \\acc, asr #31\n"         \
  "  add     \\acc, \\acc, \\tmp\n"                \
  "  asr     \\acc, \\acc, \\r\n"                  \
  "  .endm\n"

// The start of a function in its own section (so --gc-sections drops it
// unused); four saturated results packed into a word (BFI); the bytewise
// clamp of a packed word to [lo, hi] in each byte (SSUB8 sets GE per byte
// for SEL; tmp clobbered): the other macros every assembly kernel expands.
#define SPRAT_CM_ASM_FUNCTION                     \
  "  .macro SPRAT_CM_FUNCTION name\n"             \
  "  .pushsection .text.\\name,\"ax\",%progbits\n" \
  "  .global \\name\n"                            \
  "  .type   \\name, %function\n"                 \
  "  .thumb_func\n"                               \
  "  .p2align 2\n"                                \
  "\\name:\n"                                     \
  "  .endm\n"
#define SPRAT_CM_ASM_CLAMP8                    \
  "  .macro SPRAT_CM_PACK4 a, b, c, d\n"       \
  "  bfi     \\a, \\b, #8, #8\n"               \
  "  bfi     \\a, \\c, #16, #8\n"              \
  "  bfi     \\a, \\d, #24, #8\n"              \
  "  .endm\n"                                  \
  "  .macro SPRAT_CM_CLAMP8 v, lo, hi, tmp\n"  \
  "  ssub8   \\tmp, \\v, \\lo\n"              \
  "  sel     \\v, \\v, \\lo\n"                \
  "  ssub8   \\tmp, \\hi, \\v\n"              \
  "  sel     \\v, \\v, \\hi\n"                \
  "  .endm\n"

static inline int32_t sprat_cm_clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

#endif  // SPRAT_KERNELS_CORTEX_M_REQUANT_H_
