// The conv GEMM's kernels in Thumb-2 assembly (gemm_s8_asm.c) and what they
// read. The group loop needs all 14 registers (4 accumulators, 4 input
// words, 3 for weights, 3 pointers and counters), which GCC does not manage
// without spilling.
#ifndef SPRAT_KERNELS_CORTEX_M_GEMM_S8_H_
#define SPRAT_KERNELS_CORTEX_M_GEMM_S8_H_

#include <stdint.h>

// Per pair of output channels (2j, 2j+1), the kernel's record in scratch:
//   b0, b1, b0, b1        the folded biases, as the four accumulators start
//   e0, o0, e1, o1        only when depth % 4 != 0: the tail weights unpacked
//   m2, c, r (channel 0)  sprat_cm_rq (requant.h)
//   m2, c, r (channel 1)
// An odd last channel gets a record too, its second channel a copy of the
// first (the C code runs it).
#define SPRAT_CM_RECORD_WORDS(has_tail) ((has_tail) ? 14 : 10)

// A run of pairs of output pixels whose windows are `step` bytes apart
// (pixel 2k's window at src + 2k * step, pixel 2k+1's one step further):
// for each pair the kernel expands both windows into the panel (for each
// group of 4 inputs: pixel 0's (x0,x2) (x1,x3), then pixel 1's; then the
// tail group), then computes every pair of channels with records in
// [record, record_end), requantizes and stores.
typedef struct {
  const uint32_t *record;      // the first pair of channels' record
  int8_t *out;                 // the first pixel's output for channel 0
  int32_t second;              // pixel 1's outputs: this far from pixel 0's
  uint32_t *panel;             // 16 * ceil(depth / 4) bytes, word-aligned
  int32_t groups;              // depth / 4, >= 1
  int32_t entry;               // the kernel's own
  const uint32_t *record_end;  // past the last pair of channels' record
  uint32_t lo4, hi4;           // the activation range in each byte (_clamp)
  const int8_t *filter;        // the first pair of channels' groups
  const int8_t *src;           // the run's first window
  int32_t step;                // bytes from a window to the next
  int32_t pairs;               // pairs of pixels in the run, >= 1
  int32_t groups_in;           // depth / 4 again (the expansion's count)
  int32_t tail_offset;         // depth % 4 - 4: the tail word from a window's 4 * groups
  uint32_t tail_mask;          // keeps its top depth % 4 bytes
  const uint32_t *record0;     // the first record again
  int32_t next;                // after a pair: out += next
} sprat_cm_gemm_frame;

// Variants: _tail when depth % 4 != 0; _clamp when the activation range is
// narrower than int8; _short for at most SPRAT_CM_UNROLLED groups (straight
// code, no loop: the small depths of 1x1 layers pay the least overhead).
#define SPRAT_CM_UNROLLED 8
void sprat_cm_gemm2x2(sprat_cm_gemm_frame *f);
void sprat_cm_gemm2x2_tail(sprat_cm_gemm_frame *f);
void sprat_cm_gemm2x2_clamp(sprat_cm_gemm_frame *f);
void sprat_cm_gemm2x2_clamp_tail(sprat_cm_gemm_frame *f);
void sprat_cm_gemm2x2_short(sprat_cm_gemm_frame *f);
void sprat_cm_gemm2x2_short_tail(sprat_cm_gemm_frame *f);
void sprat_cm_gemm2x2_short_clamp(sprat_cm_gemm_frame *f);
void sprat_cm_gemm2x2_short_clamp_tail(sprat_cm_gemm_frame *f);

// The panel of two pixels alone (the C path: exact requantization, odd
// last channel), as the kernels make it.
void sprat_cm_expand2(const int8_t *s0, const int8_t *s1, uint32_t *dst, int32_t depth);

// FULLY_CONNECTED's inner product: acc[k] += row k . x for four filter
// rows, rows 0-1 from the pair at w01, rows 2-3 from the pair at w23 (the
// GEMM order), over `groups` (>= 1) groups of 4 int8 inputs read from x.
void sprat_cm_dot4(int32_t acc[4], const int8_t *x, const int8_t *w01, const int8_t *w23, int32_t groups);

#endif  // SPRAT_KERNELS_CORTEX_M_GEMM_S8_H_
