// DEPTHWISE_CONV_2D in layout ARMV7EM, the "pairs" variant for generated
// layers: two horizontally adjacent output pixels per pass over a group of
// 4 channels, so each filter word pair (SXTB16 lanes) is loaded once for
// both: a tap of 2 pixels x 4 channels is 15 instructions (16 one pixel at a
// time), and the bias, the loop and each channel's requantization record
// are shared by the two pixels.
//
// The pair kernel is assembly with the taps' offsets as immediates, one
// function per layer (SPRAT_CM_DWP_DEFINE, which generated code invokes
// with the layer's constants; the template checks them against the record
// and runs the library's kernel if they differ).
//
// Padding never reaches the taps: input rows the windows read are copied
// once into a ring of kh rows with the left and right padding as the input
// zero point, and rows above or below the image point at a row of zero
// points that does not advance; so every pixel, border or not, runs the
// same straight-line kernel (no gathered windows). Without horizontal
// padding the rows are read in place. Requires (sprat_cm_dw_pairs_ok):
// depth multiplier 1, the fast requantization flag, channels a multiple of
// 4, one-row vertical dilation, kh <= 16 and every tap offset within LDR's
// 12-bit immediate; otherwise it runs the library's template.
//
// Each group's constants are one stream the filter pointer walks through:
// 4 biases, the taps' lanes (2 words a tap), 4 requantization records; so
// the loops keep one pointer where they would keep three.
//
// Scratch (converter/codegen/cortex_m.py: dw_pairs_scratch_bytes, its twin):
// the streams, the ring, the row of zero points; at least the library
// kernel's, which runs in it when a channel has no fast requantization.
#ifndef SPRAT_KERNELS_CORTEX_M_DEPTHWISE_S8_PAIRS_IMPL_H_
#define SPRAT_KERNELS_CORTEX_M_DEPTHWISE_S8_PAIRS_IMPL_H_

#include "kernels/cortex_m/depthwise/depthwise_s8_impl.h"

#define SPRAT_CM_DW_PAIRS_MAX_ROWS 16

// Columns of a padded ring row: from the first window's left edge to the
// last one's right edge.
static inline int32_t sprat_cm_dw_pairs_cols(const sprat_conv_params *p) {
  return (p->out.w - 1) * p->stride_w + (p->filter.w - 1) * p->dilation_w + 1;
}

static inline int sprat_cm_dw_pairs_in_place(const sprat_conv_params *p) {
  return p->pad_left == 0 && sprat_cm_dw_pairs_cols(p) <= p->in.w;
}

static inline int32_t sprat_cm_dw_pairs_zp_bytes(const sprat_conv_params *p) {
  return ((p->filter.w - 1) * p->dilation_w + p->stride_w + 1) * p->out.c;
}

// Words of one group's stream: biases, lanes, records.
static inline int32_t sprat_cm_dw_pairs_stream_words(const sprat_conv_params *p) {
  return 4 + 2 * p->filter.h * p->filter.w + 12;
}

static inline int sprat_cm_dw_pairs_ok(const sprat_conv_params *p) {
  const int32_t C = p->out.c;
  const int32_t last = ((p->filter.w - 1) * p->dilation_w + p->stride_w) * C;
  return p->depth_multiplier == 1 && (p->flags & SPRAT_CONV_FAST_REQUANT) && C >= 4 && (C & 3) == 0 &&
         p->dilation_h == 1 && p->filter.h <= SPRAT_CM_DW_PAIRS_MAX_ROWS && p->filter.w <= 16 && last <= 4095;
}

static inline int32_t sprat_cm_dw_pairs_scratch_bytes(const sprat_conv_params *p) {
  const int32_t lib = records_bytes(p) + lanes_bytes(p) + ((p->filter.h * p->filter.w * p->out.c + 3) & ~3);
  const int32_t streams = 4 * sprat_cm_dw_pairs_stream_words(p) * (p->out.c >> 2);
  const int32_t ring = sprat_cm_dw_pairs_in_place(p) ? 0 : p->filter.h * sprat_cm_dw_pairs_cols(p) * p->out.c;
  const int32_t own = streams + ring + ((sprat_cm_dw_pairs_zp_bytes(p) + 3) & ~3);
  return own > lib ? own : lib;
}

// The pair kernel: every group of one pair of output pixels. Not inline
// asm: the loop needs all 14 registers, which GCC's scheduler sometimes
// leaves it short of ("impossible constraints" on some shapes). Registers:
//   r0-r3 / r4-r7  accumulators of pixel A / B, channels 4g .. 4g+3
//   r8             the stream (biases, lanes, records), walking on
//   r9             the tap row being read (then a record's m2)
//   r10 r11        a tap's even and odd lanes (then the record's c, r)
//   r12 lr         an input word split into lanes
// A tap of both pixels is 15 instructions.
// Field offsets of the frame are the assembly's: keep the order.
typedef struct {
  const int8_t *const *rows;  // 0: the pair's kh rows at pixel A's first tap, group 0
  const uint32_t *streams;    // 4: group 0's stream
  int8_t *out;                // 8: pixel A's output channel 0 (pixel B's C bytes on)
  int32_t groups;             // 12: C / 4 >= 1
  uint32_t lo4, hi4;          // 16, 20: the activation range in each byte (the clamp variant)
} sprat_cm_dwp_frame;

__asm__(
    "  .syntax unified\n"
    "  .thumb\n"
    SPRAT_CM_ASM_RQ_APPLY SPRAT_CM_ASM_FUNCTION SPRAT_CM_ASM_CLAMP8
    // requant.h's arithmetic for one channel (its record read once for
    // both pixels), then saturation to int8.
    "  .macro SPRAT_CM_DWP_RQ a, b, two\n"
    "  ldr     r11, [r8, #8]\n"
    "  ldrd    r9, r10, [r8], #12\n"
    "  SPRAT_CM_RQ_APPLY \\a, r9, r10, r11, r12\n"
    "  ssat    \\a, #8, \\a\n"
    "  .if \\two\n"
    "  SPRAT_CM_RQ_APPLY \\b, r9, r10, r11, r12\n"
    "  ssat    \\b, #8, \\b\n"
    "  .endif\n"
    "  .endm\n"
    // `two`: both pixels, else pixel A alone (an odd width's last).
    "  .macro SPRAT_CM_DWP_FN name, kh, kw, cs, bs, c, clamp, two\n"
    "  SPRAT_CM_FUNCTION \\name\n"
    "  push    {r4-r11, lr}\n"
    // Locals: [sp] rows, [sp, 4] out, [sp, 8] groups left, [sp, 12] the
    // group's byte offset, [sp, 16] lo4, [sp, 20] hi4.
    "  sub     sp, sp, #24\n"
    "  ldr     r12, [r0, #0]\n"
    "  str     r12, [sp]\n"
    "  ldrd    r10, r11, [r0, #8]\n"
    "  strd    r10, r11, [sp, #4]\n"
    "  ldrd    r10, r11, [r0, #16]\n"
    "  strd    r10, r11, [sp, #16]\n"
    "  ldr     r8, [r0, #4]\n"
    "  movs    r12, #0\n"
    "  str     r12, [sp, #12]\n"
    "1:\n"
    "  ldrd    r0, r1, [r8], #8\n"
    "  ldrd    r2, r3, [r8], #8\n"
    "  mov     r4, r0\n"
    "  mov     r5, r1\n"
    "  mov     r6, r2\n"
    "  mov     r7, r3\n"
    "  .set    .Lsprat_dwp_row, 0\n"
    "  .rept   \\kh\n"
    "  ldr     r12, [sp]\n"
    "  ldr     r9, [r12, #.Lsprat_dwp_row]\n"
    "  ldr     r12, [sp, #12]\n"
    "  add     r9, r9, r12\n"
    "  .set    .Lsprat_dwp_col, 0\n"
    "  .rept   \\kw\n"
    "  ldrd    r10, r11, [r8], #8\n"
    "  ldr     r12, [r9, #.Lsprat_dwp_col]\n"
    "  sxtb16  lr, r12, ror #8\n"
    "  sxtb16  r12, r12\n"
    "  smlabb  r0, r12, r10, r0\n"
    "  smlatt  r2, r12, r10, r2\n"
    "  smlabb  r1, lr, r11, r1\n"
    "  smlatt  r3, lr, r11, r3\n"
    "  .if \\two\n"
    "  ldr     r12, [r9, #.Lsprat_dwp_col + \\bs]\n"
    "  sxtb16  lr, r12, ror #8\n"
    "  sxtb16  r12, r12\n"
    "  smlabb  r4, r12, r10, r4\n"
    "  smlatt  r6, r12, r10, r6\n"
    "  smlabb  r5, lr, r11, r5\n"
    "  smlatt  r7, lr, r11, r7\n"
    "  .endif\n"
    "  .set    .Lsprat_dwp_col, .Lsprat_dwp_col + \\cs\n"
    "  .endr\n"
    "  .set    .Lsprat_dwp_row, .Lsprat_dwp_row + 4\n"
    "  .endr\n"
    "  SPRAT_CM_DWP_RQ r0, r4, \\two\n"
    "  SPRAT_CM_DWP_RQ r1, r5, \\two\n"
    "  SPRAT_CM_DWP_RQ r2, r6, \\two\n"
    "  SPRAT_CM_DWP_RQ r3, r7, \\two\n"
    "  .if \\two\n"
    "  SPRAT_CM_PACK4 r4, r5, r6, r7\n"
    "  .endif\n"
    "  SPRAT_CM_PACK4 r0, r1, r2, r3\n"
    "  .if \\clamp\n"
    "  ldrd    r10, r11, [sp, #16]\n"
    "  SPRAT_CM_CLAMP8 r0, r10, r11, r12\n"
    "  .if \\two\n"
    "  SPRAT_CM_CLAMP8 r4, r10, r11, r12\n"
    "  .endif\n"
    "  .endif\n"
    // Unaligned word stores are fine on ARMv7-M and v8-M Mainline.
    "  ldr     lr, [sp, #4]\n"
    "  ldr     r12, [sp, #12]\n"
    "  add     lr, lr, r12\n"
    "  str     r0, [lr]\n"
    "  .if \\two\n"
    "  str     r4, [lr, #\\c]\n"
    "  .endif\n"
    "  adds    r12, r12, #4\n"
    "  str     r12, [sp, #12]\n"
    "  ldr     r12, [sp, #8]\n"
    "  subs    r12, r12, #1\n"
    "  str     r12, [sp, #8]\n"
    "  bne     1b\n"
    "  add     sp, sp, #24\n"
    "  pop     {r4-r11, pc}\n"
    "  .size   \\name, . - \\name\n"
    "  .popsection\n"
    "  .endm\n");

// A layer's pair kernel from its constants: NAME(const sprat_cm_dwp_frame
// *) for two pixels, NAME_one for one, and NAME_shape holding the
// constants for the template to check.
#define SPRAT_CM_DWP_DEFINE(name, kh, kw, cs, bs, c, clamp)                                           \
  __asm__("SPRAT_CM_DWP_FN " #name ", " #kh ", " #kw ", " #cs ", " #bs ", " #c ", " #clamp ", 1\n"    \
          "SPRAT_CM_DWP_FN " #name "_one, " #kh ", " #kw ", " #cs ", " #bs ", " #c ", " #clamp ", 0"); \
  void name(const sprat_cm_dwp_frame *f);                                                             \
  void name##_one(const sprat_cm_dwp_frame *f);                                                       \
  static const int32_t name##_shape[6] = {kh, kw, cs, bs, c, clamp};

// n bytes from src to dst, 32 at a time with LDM/STM when both are
// aligned, else memmove (a crafted blob may place them anywhere). The
// registers are named, not GCC's: an LDM takes its list in ascending order.
static inline void sprat_cm_dwp_copy(int8_t *dst, const int8_t *src, int32_t n) {
  if ((((uintptr_t)dst | (uintptr_t)src) & 3) != 0) {
    memmove(dst, src, (size_t)n);
    return;
  }
  for (; n >= 32; n -= 32)
    __asm__ volatile("ldmia %[s]!, {r4-r7}\n\tstmia %[d]!, {r4-r7}\n\tldmia %[s]!, {r4-r7}\n\tstmia %[d]!, {r4-r7}"
                     : [s] "+r"(src), [d] "+r"(dst)
                     :
                     : "r4", "r5", "r6", "r7", "memory");
  if (n > 0) memmove(dst, src, (size_t)n);
}

// The groups' streams; 0 if some channel has no fast requantization.
static inline int sprat_cm_dwp_streams(const sprat_conv_params *p, const int8_t *filter, const int32_t *bias,
                                       const int32_t *multiplier, const int32_t *shift, uint32_t *s) {
  const int32_t taps = p->filter.h * p->filter.w;
  for (int32_t g = 0; g < (p->out.c >> 2); ++g) {
    for (int32_t j = 0; j < 4; ++j) *s++ = (uint32_t)bias[4 * g + j];
    for (int32_t t = 0; t < taps; ++t, s += 2) {
      const uint32_t w = sprat_cm_load32(filter + 4 * (g * taps + t));
      s[0] = SXTB16(w), s[1] = SXTB16_ROR8(w);
    }
    for (int32_t j = 0; j < 4; ++j, s += 3)
      if (!sprat_cm_rq_make(multiplier[4 * g + j], shift[4 * g + j], p->output_offset, (sprat_cm_rq *)(void *)s))
        return 0;
  }
  return 1;
}

SPRAT_CM_INLINE void sprat_cm_depthwise_conv2d_s8_pairs_impl(const sprat_conv_params *p, const int8_t *in,
                                                             const int8_t *filter, const int32_t *bias,
                                                             const int32_t *multiplier, const int32_t *shift,
                                                             int8_t *out, void *scratch, int32_t row_begin,
                                                             int32_t row_end,
                                                             void (*pair)(const sprat_cm_dwp_frame *),
                                                             void (*one)(const sprat_cm_dwp_frame *),
                                                             const int32_t *pair_shape) {
  uint32_t *streams = (uint32_t *)scratch;
  const int clamp = !(p->act_min == -128 && p->act_max == 127);
  // The pair kernel must have been made for this record's constants.
  const int pair_fits = pair_shape[0] == p->filter.h && pair_shape[1] == p->filter.w &&
                        pair_shape[2] == p->dilation_w * p->out.c && pair_shape[3] == p->stride_w * p->out.c &&
                        pair_shape[4] == p->out.c && pair_shape[5] == clamp;
  if (!pair_fits || !sprat_cm_dw_pairs_ok(p) || !scratch ||
      !sprat_cm_dwp_streams(p, filter, bias, multiplier, shift, streams)) {
    sprat_cm_depthwise_conv2d_s8_impl(p, in, filter, bias, multiplier, shift, out, scratch, row_begin, row_end);
    return;
  }
  const int32_t C = p->out.c, G = C >> 2, ih = p->in.h, iw = p->in.w, kh = p->filter.h;
  const int32_t oh = p->out.h, ow = p->out.w, pl = p->pad_left;
  const int32_t xs = p->stride_w * C;  // bytes between pixels
  const int32_t cols = sprat_cm_dw_pairs_cols(p), zp = -p->input_offset;
  const int in_place = sprat_cm_dw_pairs_in_place(p);
  const uint32_t lo4 = sprat_cm_rep8(p->act_min), hi4 = sprat_cm_rep8(p->act_max);
  int8_t *ring = (int8_t *)(streams + sprat_cm_dw_pairs_stream_words(p) * G);
  int8_t *zrow = ring + (in_place ? 0 : kh * cols * C);
  memset(zrow, zp, (size_t)sprat_cm_dw_pairs_zp_bytes(p));
  // The last input row copied into the ring: rows arrive in order, and row
  // y's slot (y mod kh) is taken again only by a row no later window reads.
  int32_t copied = -1;
  for (int32_t b = 0; b < p->out.n; ++b, copied = -1) {
    const int8_t *img = in + b * ih * iw * C;
    int8_t *o_row = out + ((b * oh + row_begin) * ow) * C;
    for (int32_t oy = row_begin; oy < row_end; ++oy, o_row += ow * C) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      const int8_t *rows[SPRAT_CM_DW_PAIRS_MAX_ROWS];
      int32_t steps[SPRAT_CM_DW_PAIRS_MAX_ROWS];
      for (int32_t r = 0; r < kh; ++r) {
        const int32_t y = y0 + r;
        if (y < 0 || y >= ih) {
          rows[r] = zrow, steps[r] = 0;
          continue;
        }
        steps[r] = xs;
        if (in_place) {
          rows[r] = img + y * iw * C;
          continue;
        }
        int8_t *slot = ring + (y % kh) * cols * C;
        if (y > copied) {
          // Columns -pl .. cols - pl - 1: zero points, the input columns the windows read, zero points.
          const int32_t left = pl < cols ? pl : cols;
          int32_t n = iw < cols - pl ? iw : cols - pl;
          if (n < 0) n = 0;
          memset(slot, zp, (size_t)(left * C));
          sprat_cm_dwp_copy(slot + left * C, img + y * iw * C, n * C);
          memset(slot + (left + n) * C, zp, (size_t)((cols - left - n) * C));
          copied = y;
        }
        rows[r] = slot;
      }
      int8_t *o = o_row;
      for (int32_t ox = 0; ox < ow; ox += 2, o += 2 * C) {
        const int8_t *cur[SPRAT_CM_DW_PAIRS_MAX_ROWS];
        for (int32_t r = 0; r < kh; ++r) cur[r] = rows[r] + ox * steps[r];
        const sprat_cm_dwp_frame f = {cur, streams, o, G, lo4, hi4};
        (ox + 2 <= ow ? pair : one)(&f);  // one: an odd width's last pixel
      }
    }
  }
}

#endif  // SPRAT_KERNELS_CORTEX_M_DEPTHWISE_S8_PAIRS_IMPL_H_
