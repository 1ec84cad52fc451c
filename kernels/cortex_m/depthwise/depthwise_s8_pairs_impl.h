// DEPTHWISE_CONV_2D in layout ARMV7EM, the "pairs" variant for generated
// layers: two horizontally adjacent output pixels per pass over a group of
// 4 channels, so each filter word pair (SXTB16 lanes) is loaded once for
// both: a tap of 2 pixels x 4 channels is 15 instructions (16 one pixel at a
// time), and the bias, the loop and each channel's requantization record
// are shared by the two pixels.
//
// The taps' offsets are assembler immediates, so this template compiles
// only where the record is a constant (generated code, `sprat convert
// --generate`). The eight accumulators, the filter pointer, four
// temporaries and the tap row's pointer take all 14 allocatable registers;
// GCC keeps everything else on the stack around each row's asm. The asm
// reads the ring and the lanes through pointers: "memory" orders it after
// the stores that fill them.
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

// The taps of one row for two pixels: pixel A's tap j at [p + j * cs],
// pixel B's bs bytes further, the lanes from the stream.
#define SPRAT_CM_DWP_TAPS2                                   \
  ".set .Lsprat_dwp, 0\n\t"                                  \
  ".rept %c[kw]\n\t"                                         \
  "ldrd   %[we], %[wo], [%[w]], #8\n\t"                      \
  "ldr    %[x0], [%[p], #.Lsprat_dwp]\n\t"                   \
  "sxtb16 %[x1], %[x0], ror #8\n\t"                          \
  "sxtb16 %[x0], %[x0]\n\t"                                  \
  "smlabb %[a0], %[x0], %[we], %[a0]\n\t"                    \
  "smlatt %[a2], %[x0], %[we], %[a2]\n\t"                    \
  "smlabb %[a1], %[x1], %[wo], %[a1]\n\t"                    \
  "smlatt %[a3], %[x1], %[wo], %[a3]\n\t"                    \
  "ldr    %[x0], [%[p], #.Lsprat_dwp + %c[bs]]\n\t"          \
  "sxtb16 %[x1], %[x0], ror #8\n\t"                          \
  "sxtb16 %[x0], %[x0]\n\t"                                  \
  "smlabb %[b0], %[x0], %[we], %[b0]\n\t"                    \
  "smlatt %[b2], %[x0], %[we], %[b2]\n\t"                    \
  "smlabb %[b1], %[x1], %[wo], %[b1]\n\t"                    \
  "smlatt %[b3], %[x1], %[wo], %[b3]\n\t"                    \
  ".set .Lsprat_dwp, .Lsprat_dwp + %c[cs]\n\t"               \
  ".endr"
#define SPRAT_CM_DWP_ACC2(K_, A_) K_((A_)[0]), K_((A_)[1]), K_((A_)[2]), K_((A_)[3]), \
                                 K_((A_)[4]), K_((A_)[5]), K_((A_)[6]), K_((A_)[7])
#define SPRAT_CM_DWP_RW(x) "+r"(x)
#define SPRAT_CM_DWP_WO(x) "=&r"(x)
#define SPRAT_CM_DWP_NAMES2(v0, v1, v2, v3, v4, v5, v6, v7) \
  [a0] v0, [a1] v1, [a2] v2, [a3] v3, [b0] v4, [b1] v5, [b2] v6, [b3] v7
#define SPRAT_CM_DWP_OPS2(K_, A_, W_, ROW_, KW_, CS_, BS_)                                                   \
  : SPRAT_CM_DWP_NAMES2_(SPRAT_CM_DWP_ACC2(K_, A_)), [w] "+r"(W_), [we] "=&r"(we_), [wo] "=&r"(wo_),         \
    [x0] "=&r"(x0_), [x1] "=&r"(x1_)                                                                         \
  : [p] "r"(ROW_), [kw] "i"(KW_), [cs] "i"(CS_), [bs] "i"(BS_)                                              \
  : "memory"
#define SPRAT_CM_DWP_NAMES2_(...) SPRAT_CM_DWP_NAMES2(__VA_ARGS__)

// The first row: the accumulators start from the stream's biases.
#define SPRAT_CM_DWP_FIRST2(A_, W_, ROW_, KW_, CS_, BS_)                                    \
  do {                                                                                      \
    uint32_t we_, wo_, x0_, x1_;                                                            \
    __asm__("ldrd   %[a0], %[a1], [%[w]], #8\n\t"                                           \
            "ldrd   %[a2], %[a3], [%[w]], #8\n\t"                                           \
            "mov    %[b0], %[a0]\n\t"                                                       \
            "mov    %[b1], %[a1]\n\t"                                                       \
            "mov    %[b2], %[a2]\n\t"                                                       \
            "mov    %[b3], %[a3]\n\t" SPRAT_CM_DWP_TAPS2                                    \
                SPRAT_CM_DWP_OPS2(SPRAT_CM_DWP_WO, A_, W_, ROW_, KW_, CS_, BS_));           \
  } while (0)
#define SPRAT_CM_DWP_ROW2(A_, W_, ROW_, KW_, CS_, BS_)                                              \
  do {                                                                                              \
    uint32_t we_, wo_, x0_, x1_;                                                                    \
    __asm__(SPRAT_CM_DWP_TAPS2 SPRAT_CM_DWP_OPS2(SPRAT_CM_DWP_RW, A_, W_, ROW_, KW_, CS_, BS_));     \
  } while (0)

// One row of taps for one pixel (an odd width's last).
#define SPRAT_CM_DWP_ROW1(A_, W_, ROW_, KW, CS)                                                     \
  do {                                                                                              \
    uint32_t we_, wo_, x0_, x1_;                                                                    \
    __asm__(".set .Lsprat_dwp, 0\n\t"                                                               \
            ".rept %c[kw]\n\t"                                                                      \
            "ldrd   %[we], %[wo], [%[w]], #8\n\t"                                                   \
            "ldr    %[x0], [%[p], #.Lsprat_dwp]\n\t"                                                \
            "sxtb16 %[x1], %[x0], ror #8\n\t"                                                       \
            "sxtb16 %[x0], %[x0]\n\t"                                                               \
            "smlabb %[a0], %[x0], %[we], %[a0]\n\t"                                                 \
            "smlatt %[a2], %[x0], %[we], %[a2]\n\t"                                                 \
            "smlabb %[a1], %[x1], %[wo], %[a1]\n\t"                                                 \
            "smlatt %[a3], %[x1], %[wo], %[a3]\n\t"                                                 \
            ".set .Lsprat_dwp, .Lsprat_dwp + %c[cs]\n\t"                                            \
            ".endr"                                                                                 \
            : [a0] "+r"((A_)[0]), [a1] "+r"((A_)[1]), [a2] "+r"((A_)[2]), [a3] "+r"((A_)[3]),       \
              [w] "+r"(W_), [we] "=&r"(we_), [wo] "=&r"(wo_), [x0] "=&r"(x0_), [x1] "=&r"(x1_)     \
            : [p] "r"(ROW_), [kw] "i"(KW), [cs] "i"(CS)                                             \
            : "memory");                                                                            \
  } while (0)

// Both pixels' four channels requantized (records at Q_, which walks on
// by 4 records) and saturated, packed into A_[0] (pixel A) and A_[4]
// (pixel B). A channel's record is loaded once for the two pixels.
#define SPRAT_CM_DWP_RQ_CH(a, b)                     \
  "ldr    %[r], [%[q], #8]\n\t"                      \
  "ldrd   %[m2], %[c], [%[q]], #12\n\t"              \
  "smmlar %[t], %[" #a "], %[m2], %[" #a "]\n\t"     \
  "add    %[" #a "], %[c], %[" #a "], asr #31\n\t"   \
  "add    %[" #a "], %[" #a "], %[t]\n\t"            \
  "asr    %[" #a "], %[" #a "], %[r]\n\t"            \
  "ssat   %[" #a "], #8, %[" #a "]\n\t"              \
  "smmlar %[t], %[" #b "], %[m2], %[" #b "]\n\t"     \
  "add    %[" #b "], %[c], %[" #b "], asr #31\n\t"   \
  "add    %[" #b "], %[" #b "], %[t]\n\t"            \
  "asr    %[" #b "], %[" #b "], %[r]\n\t"            \
  "ssat   %[" #b "], #8, %[" #b "]\n\t"
#define SPRAT_CM_DWP_RQ2(A_, Q_)                                                                  \
  do {                                                                                            \
    uint32_t m2_, c_, r_, t_;                                                                     \
    __asm__(SPRAT_CM_DWP_RQ_CH(a0, b0) SPRAT_CM_DWP_RQ_CH(a1, b1) SPRAT_CM_DWP_RQ_CH(a2, b2)     \
            SPRAT_CM_DWP_RQ_CH(a3, b3)                                                            \
            "bfi    %[a0], %[a1], #8, #8\n\t"                                                     \
            "bfi    %[a0], %[a2], #16, #8\n\t"                                                    \
            "bfi    %[a0], %[a3], #24, #8\n\t"                                                    \
            "bfi    %[b0], %[b1], #8, #8\n\t"                                                     \
            "bfi    %[b0], %[b2], #16, #8\n\t"                                                    \
            "bfi    %[b0], %[b3], #24, #8"                                                        \
            : SPRAT_CM_DWP_NAMES2_(SPRAT_CM_DWP_ACC2(SPRAT_CM_DWP_RW, A_)), [q] "+r"(Q_),         \
              [m2] "=&r"(m2_), [c] "=&r"(c_), [r] "=&r"(r_), [t] "=&r"(t_)                        \
            :                                                                                     \
            : "memory");                                                                          \
  } while (0)

// n bytes from src to dst, words at a time when both are aligned (an LDM
// and STM of four), else memmove (a crafted blob may place them anywhere).
static inline void sprat_cm_dwp_copy(int8_t *dst, const int8_t *src, int32_t n) {
  if ((((uintptr_t)dst | (uintptr_t)src) & 3) != 0) {
    memmove(dst, src, (size_t)n);
    return;
  }
  for (; n >= 16; n -= 16) {
    uint32_t t0, t1, t2, t3;
    __asm__ volatile("ldmia %[s]!, {%[t0], %[t1], %[t2], %[t3]}\n\tstmia %[d]!, {%[t0], %[t1], %[t2], %[t3]}"
                     : [s] "+r"(src), [d] "+r"(dst), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)
                     :
                     : "memory");
  }
  if (n > 0) memmove(dst, src, (size_t)n);
}

// One pixel's four channels requantized, in C.
SPRAT_CM_INLINE uint32_t sprat_cm_dwp_rq4(const sprat_cm_rq *q, const int32_t *a, int clamp, uint32_t lo4,
                                          uint32_t hi4) {
  uint32_t v = sprat_cm_pack4(__ssat(sprat_cm_rq_apply(a[0], &q[0]), 8), __ssat(sprat_cm_rq_apply(a[1], &q[1]), 8),
                              __ssat(sprat_cm_rq_apply(a[2], &q[2]), 8), __ssat(sprat_cm_rq_apply(a[3], &q[3]), 8));
  if (clamp) v = sprat_cm_min8(sprat_cm_max8(v, lo4), hi4);
  return v;
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
                                                             int32_t row_end) {
  uint32_t *streams = (uint32_t *)scratch;
  if (!sprat_cm_dw_pairs_ok(p) || !scratch || !sprat_cm_dwp_streams(p, filter, bias, multiplier, shift, streams)) {
    sprat_cm_depthwise_conv2d_s8_impl(p, in, filter, bias, multiplier, shift, out, scratch, row_begin, row_end);
    return;
  }
  const int32_t C = p->out.c, G = C >> 2, ih = p->in.h, iw = p->in.w, kh = p->filter.h, kw = p->filter.w;
  const int32_t oh = p->out.h, ow = p->out.w, sw = p->stride_w, pl = p->pad_left;
  const int32_t cs = p->dilation_w * C, xs = sw * C;  // bytes between taps, and between pixels
  const int32_t cols = sprat_cm_dw_pairs_cols(p), zp = -p->input_offset;
  const int in_place = sprat_cm_dw_pairs_in_place(p);
  const int clamp = !(p->act_min == -128 && p->act_max == 127);
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
      int32_t ox = 0;
      for (; ox + 2 <= ow; ox += 2, o += 2 * C) {
        const int8_t *cur[SPRAT_CM_DW_PAIRS_MAX_ROWS];
        for (int32_t r = 0; r < kh; ++r) cur[r] = rows[r] + ox * steps[r];
        const uint32_t *w = streams;
        for (int32_t g = 0; g < G; ++g) {
          int32_t a[8];
          SPRAT_CM_DWP_FIRST2(a, w, cur[0] + 4 * g, kw, cs, xs);
#pragma GCC unroll 16
          for (int32_t r = 1; r < kh; ++r) SPRAT_CM_DWP_ROW2(a, w, cur[r] + 4 * g, kw, cs, xs);
          SPRAT_CM_DWP_RQ2(a, w);
          uint32_t va = (uint32_t)a[0], vb = (uint32_t)a[4];
          if (clamp) {
            va = sprat_cm_min8(sprat_cm_max8(va, lo4), hi4);
            vb = sprat_cm_min8(sprat_cm_max8(vb, lo4), hi4);
          }
          sprat_cm_store32(o + 4 * g, va);
          sprat_cm_store32(o + C + 4 * g, vb);
        }
      }
      if (ox < ow) {  // an odd width's last pixel
        const uint32_t *w = streams;
        for (int32_t g = 0; g < G; ++g) {
          int32_t a[4] = {(int32_t)w[0], (int32_t)w[1], (int32_t)w[2], (int32_t)w[3]};
          w += 4;
#pragma GCC unroll 16
          for (int32_t r = 0; r < kh; ++r) SPRAT_CM_DWP_ROW1(a, w, rows[r] + ox * steps[r] + 4 * g, kw, cs);
          sprat_cm_store32(o + 4 * g, sprat_cm_dwp_rq4((const sprat_cm_rq *)(const void *)w, a, clamp, lo4, hi4));
          w += 12;
        }
      }
    }
  }
}


#endif  // SPRAT_KERNELS_CORTEX_M_DEPTHWISE_S8_PAIRS_IMPL_H_
