// CONV_2D in layout ARMV7EM: ungrouped, undilated convolutions (depth =
// kh * kw * in_c >= 4) as an int8 GEMM on SMLAD, two output pixels by two
// output channels at a time; everything else takes conv_generic_s8.c.
//
// Per pair of output pixels the kernel expands their input windows once
// into the scratch "panel" as int16 pairs in SXTB16's order (for each four
// inputs x0..x3: (x0, x2), (x1, x3)); the filter bytes get the same
// SXTB16 treatment as they stream by, so the pairs SMLAD multiplies match
// with no reordering. A 1x1 convolution reads its pixels in place; any
// other first gathers a pixel's window into a staging row (padded taps
// read as the input zero point, which the folded bias cancels).
//
// Scratch: requantization constants (12 bytes per output channel), the
// panel (2 pixels x 4 * ceil(depth / 4) int16), the staging row.
#ifndef SPRAT_KERNELS_CORTEX_M_CONV_S8_IMPL_H_
#define SPRAT_KERNELS_CORTEX_M_CONV_S8_IMPL_H_

#include <string.h>

#include "kernels/cortex_m/conv/filter_order.h"
#include "kernels/cortex_m/conv/gemm_s8.h"
#include "kernels/cortex_m/cortex_m.h"
#include "kernels/cortex_m/requant.h"
#include "kernels/cortex_m/simd.h"
#include "kernels/portable/fixedpoint.h"

static inline int32_t conv_depth(const sprat_conv_params *p) { return p->filter.h * p->filter.w * p->filter.c; }

static inline int fast_shape(const sprat_conv_params *p) {
  return p->filter.c == p->in.c && p->dilation_h == 1 && p->dilation_w == 1 && conv_depth(p) >= 4;
}

// The GEMM's records (make_records below) come with the bias, made
// offline (converter/layouts/cortex_m.py), instead of in scratch per call.
static inline int conv_prepared(const sprat_conv_params *p) {
  return (p->flags & SPRAT_CONV_PREPARED) && (p->flags & SPRAT_CONV_FAST_REQUANT) && fast_shape(p);
}

// Words of all the records: one per pair of output channels.
static inline int32_t conv_record_words(const sprat_conv_params *p) {
  return SPRAT_CM_RECORD_WORDS((conv_depth(p) & 3) != 0) * ((p->out.c + 1) >> 1);
}


// Small copies and fills, inline: the empty asm keeps GCC from turning the
// loops into memcpy/memset calls, which cost more than a 9-byte row.
static inline void copy_bytes(int8_t *dst, const int8_t *src, int32_t n) {
  for (; n >= 4; n -= 4, src += 4, dst += 4) {
    uint32_t v = sprat_cm_load32(src);
    __asm__("" : "+r"(v));
    memcpy(dst, &v, 4);
  }
  for (; n > 0; --n) {
    int8_t v = *src++;
    __asm__("" : "+r"(v));
    *dst++ = v;
  }
}

static inline void fill_bytes(int8_t *dst, uint32_t v4, int32_t n) {
  for (; n >= 4; n -= 4, dst += 4) {
    __asm__("" : "+r"(v4));
    memcpy(dst, &v4, 4);
  }
  for (; n > 0; --n) {
    __asm__("" : "+r"(v4));
    *dst++ = (int8_t)v4;
  }
}

// Where output pixels' windows are, for one image of the batch.
typedef struct {
  const int8_t *in;  // the image
  int32_t ih, iw, ic, kh, kw, sh, sw, pt, pl;
  int32_t row;     // bytes of a window row, kw * ic
  int32_t stride;  // bytes of an image row, iw * ic
  uint32_t zp4;    // the input zero point in each byte
  int direct;      // 1x1 windows that never leave the image: read in place
} window;

// n >= 4 bytes: whole words, the last one overlapping its predecessor, so
// nothing outside [src, src + n) is read or [dst, dst + n) written.
static inline void copy_row(int8_t *dst, const int8_t *src, int32_t n) {
  const int8_t *last = src + n - 4;
  int8_t *dst_last = dst + n - 4;
  for (; src < last; src += 4, dst += 4) {
    uint32_t v = sprat_cm_load32(src);
    __asm__("" : "+r"(v));
    memcpy(dst, &v, 4);
  }
  const uint32_t v = sprat_cm_load32(last);
  memcpy(dst_last, &v, 4);
}

// A window that crosses the image's border, padded taps as the zero point.
static __attribute__((noinline, unused)) void gather_border(const window *w, int32_t y0, int32_t x0, int8_t *dst) {
  const int32_t ic = w->ic, kw = w->kw;
  const int32_t lo = x0 < 0 ? -x0 : 0, hi = x0 + kw > w->iw ? w->iw - x0 : kw;
  for (int32_t ky = 0; ky < w->kh; ++ky, dst += w->row) {
    const int32_t y = y0 + ky;
    if (y < 0 || y >= w->ih || hi <= lo) {
      fill_bytes(dst, w->zp4, w->row);
      continue;
    }
    fill_bytes(dst, w->zp4, lo * ic);
    copy_bytes(dst + lo * ic, w->in + (y * w->iw + x0 + lo) * ic, (hi - lo) * ic);
    fill_bytes(dst + hi * ic, w->zp4, (kw - hi) * ic);
  }
}

// Output pixel (oy, ox)'s window, TFLite's order: in place, or gathered
// into `stage`.
static inline __attribute__((always_inline)) const int8_t *window_at(const window *w, int32_t oy, int32_t ox,
                                                                    int8_t *stage) {
  const int32_t y0 = oy * w->sh - w->pt, x0 = ox * w->sw - w->pl;
  if (w->direct) return w->in + (y0 * w->iw + x0) * w->ic;
  if (y0 >= 0 && y0 + w->kh <= w->ih && x0 >= 0 && x0 + w->kw <= w->iw) {
    const int8_t *src = w->in + (y0 * w->iw + x0) * w->ic;
    int8_t *dst = stage;
    if (w->row >= 4 && w->row <= 12) {
      // Short rows (the 3-channel stem's are 9 bytes): three words, the
      // later ones overlapping when the row is shorter.
      const int32_t mid = (w->row - 4) >> 1, last = w->row - 4;
      for (int32_t ky = 0; ky < w->kh; ++ky, src += w->stride, dst += w->row) {
        const uint32_t a = sprat_cm_load32(src), b = sprat_cm_load32(src + mid), c = sprat_cm_load32(src + last);
        memcpy(dst, &a, 4);
        memcpy(dst + mid, &b, 4);
        memcpy(dst + last, &c, 4);
      }
    } else if (w->row >= 4) {
      for (int32_t ky = 0; ky < w->kh; ++ky, src += w->stride, dst += w->row) copy_row(dst, src, w->row);
    } else {
      for (int32_t ky = 0; ky < w->kh; ++ky, src += w->stride, dst += w->row) copy_bytes(dst, src, w->row);
    }
  } else {
    gather_border(w, y0, x0, stage);
  }
  return stage;
}

enum { RQ_FULL, RQ_CLAMP, RQ_EXACT };

typedef struct {
  const uint32_t *records;
  int32_t record_words;
  const int32_t *mult, *shift;
  int32_t offset, lo, hi;
} requant;

static inline const sprat_cm_rq *record_rq(const requant *rq, int32_t oc) {
  const uint32_t *r = rq->records + (oc >> 1) * rq->record_words + rq->record_words - 6 + 3 * (oc & 1);
  return (const sprat_cm_rq *)(const void *)r;
}

static __attribute__((unused)) int32_t rq_one(const requant *rq, int mode, int32_t oc, int32_t acc) {
  if (mode == RQ_EXACT) {
    const int32_t v = sprat_wrap_add(sprat_cm_requant_exact(acc, rq->mult[oc], rq->shift[oc]), rq->offset);
    return sprat_cm_clamp(v, rq->lo, rq->hi);
  }
  int32_t v = __ssat(sprat_cm_rq_apply(acc, record_rq(rq, oc)), 8);
  if (mode == RQ_CLAMP) v = sprat_cm_clamp(v, rq->lo, rq->hi);
  return v;
}

// Channels [oc, n_oc) of one pair of pixels in C: the exact requantization,
// a lone last pixel (`single`: pixel 1's sums are dropped) and an odd last
// channel. out0: pixel 0's outputs; pixel 1's follow.
static __attribute__((unused)) void gemm_pair_c(const uint32_t *panel, const int8_t *filter, const int32_t *bias, int32_t oc, int32_t n_oc,
                        int32_t groups, int32_t t, const requant *rq, int mode, int8_t *out0, int single) {
  int8_t *out1 = out0 + n_oc;
  const int8_t *tails = filter + 4 * groups * n_oc;
  const uint32_t *tail_in = panel + 4 * groups;
  for (; oc < n_oc; ++oc) {
    // Row oc's groups: every 8 bytes within its pair, every 4 when alone.
    const int alone = (n_oc & 1) && oc == n_oc - 1;
    const uint32_t *w = (const uint32_t *)(const void *)(filter + (oc >> 1) * 8 * groups) + (alone ? 0 : (oc & 1));
    const int32_t step = alone ? 1 : 2;
    int32_t a0 = bias[oc], a1 = a0;
    const uint32_t *ip = panel;
    for (int32_t g = 0; g < groups; ++g, w += step, ip += 4) {
      const uint32_t e = SXTB16(*w), o = SXTB16_ROR8(*w);
      a0 = SMLAD(e, ip[0], a0);
      a0 = SMLAD(o, ip[1], a0);
      a1 = SMLAD(e, ip[2], a1);
      a1 = SMLAD(o, ip[3], a1);
    }
    if (t) {
      const uint32_t wt = sprat_cm_load32(tails + (oc + 1) * t - 4);
      const uint32_t e = SXTB16(wt), o = SXTB16_ROR8(wt);
      a0 = SMLAD(o, tail_in[1], SMLAD(e, tail_in[0], a0));
      a1 = SMLAD(o, tail_in[3], SMLAD(e, tail_in[2], a1));
    }
    out0[oc] = (int8_t)rq_one(rq, mode, oc, a0);
    if (!single) out1[oc] = (int8_t)rq_one(rq, mode, oc, a1);
  }
}

// The records the assembly kernel reads (gemm_s8.h); 0 if some channel has
// no fast requantization form.
static __attribute__((unused)) int make_records(const sprat_conv_params *p, const int8_t *filter, const int32_t *bias,
                        const int32_t *multiplier, const int32_t *shift, int32_t groups, int32_t t,
                        uint32_t *records) {
  const int32_t n_oc = p->out.c, words = SPRAT_CM_RECORD_WORDS(t != 0);
  const int8_t *tails = filter + 4 * groups * n_oc;
  for (int32_t oc = 0; oc < n_oc; oc += 2) {
    uint32_t *r = records + (oc >> 1) * words;
    const int32_t oc1 = oc + 1 < n_oc ? oc + 1 : oc;
    r[0] = r[2] = (uint32_t)bias[oc];
    r[1] = r[3] = (uint32_t)bias[oc1];
    if (t) {
      const uint32_t w0 = sprat_cm_load32(tails + (oc + 1) * t - 4), w1 = sprat_cm_load32(tails + (oc1 + 1) * t - 4);
      r[4] = SXTB16(w0), r[5] = SXTB16_ROR8(w0);
      r[6] = SXTB16(w1), r[7] = SXTB16_ROR8(w1);
    }
    sprat_cm_rq *q = (sprat_cm_rq *)(void *)(r + words - 6);
    if (!sprat_cm_rq_make(multiplier[oc], shift[oc], p->output_offset, &q[0]) ||
        !sprat_cm_rq_make(multiplier[oc1], shift[oc1], p->output_offset, &q[1]))
      return 0;
  }
  return 1;
}

// The kernel as a template: the library calls it with the blob's record,
// generated layers with a constant one that GCC folds into the loops.
SPRAT_CM_INLINE void sprat_cm_conv2d_s8_impl(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                             const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                             int8_t *out, void *scratch, int32_t row_begin, int32_t row_end) {
  // LDRD needs the filter word-aligned; blobs align their constants to 16.
  if (!fast_shape(p) || !scratch || ((uintptr_t)filter & 3u)) {
    sprat_cm_conv2d_s8_generic(p, in, filter, bias, multiplier, shift, out, row_begin, row_end);
    return;
  }
  const int32_t n_oc = p->out.c, depth = conv_depth(p), groups = depth >> 2, t = depth & 3;
  const int32_t pairs = (n_oc + 1) >> 1, words = SPRAT_CM_RECORD_WORDS(t != 0);
  const int prepared = conv_prepared(p);
  uint32_t *records = prepared ? (uint32_t *)(uintptr_t)(bias + n_oc) : (uint32_t *)scratch;
  uint32_t *panel = prepared ? (uint32_t *)scratch : records + pairs * words;
  int8_t *stage = (int8_t *)(panel + 4 * (groups + (t != 0)));
  const requant rq = {records, words, multiplier, shift, p->output_offset, p->act_min, p->act_max};
  int mode = RQ_EXACT;
  if ((p->flags & SPRAT_CONV_FAST_REQUANT) &&
      (prepared || make_records(p, filter, bias, multiplier, shift, groups, t, records)))
    mode = p->act_min == -128 && p->act_max == 127 ? RQ_FULL : RQ_CLAMP;
  static void (*const kKernels[2][2][2])(sprat_cm_gemm_frame *) = {
      {{sprat_cm_gemm2x2, sprat_cm_gemm2x2_tail}, {sprat_cm_gemm2x2_clamp, sprat_cm_gemm2x2_clamp_tail}},
      {{sprat_cm_gemm2x2_short, sprat_cm_gemm2x2_short_tail},
       {sprat_cm_gemm2x2_short_clamp, sprat_cm_gemm2x2_short_clamp_tail}}};
  void (*kernel)(sprat_cm_gemm_frame *) = kKernels[groups <= SPRAT_CM_UNROLLED][mode == RQ_CLAMP][t != 0];
  sprat_cm_gemm_frame frame = {0};
  frame.record = frame.record0 = records;
  frame.record_end = records + (n_oc >> 1) * words;
  frame.panel = panel;
  frame.groups = frame.groups_in = groups;
  frame.lo4 = (uint8_t)p->act_min * 0x01010101u;
  frame.hi4 = (uint8_t)p->act_max * 0x01010101u;
  frame.filter = filter;
  frame.tail_offset = t - 4;
  frame.tail_mask = t ? 0xFFFFFFFFu << (8 * (4 - t)) : 0;
  // After a pair of pixels the kernel has moved past n_oc & ~1 outputs.
  frame.next = n_oc + (n_oc & 1);

  const int32_t ow = p->out.w, quads = groups + (t != 0);
  window w = {0, p->in.h, p->in.w, p->in.c, p->filter.h, p->filter.w, p->stride_h, p->stride_w, p->pad_top,
              p->pad_left, p->filter.w * p->in.c, p->in.w * p->in.c, (uint8_t)(-p->input_offset) * 0x01010101u, 0};
  w.direct = w.kh == 1 && w.kw == 1 && w.pt == 0 && w.pl == 0 && (p->out.h - 1) * w.sh < w.ih &&
             (ow - 1) * w.sw < w.iw;
  // Windows read in place are evenly spaced along an output row, and from
  // one row on into the next when sh * iw == ow * sw (stride-1 1x1).
  const int rows_continue = w.sh * w.iw == ow * w.sw;
  int8_t *stage1 = stage + 4 * quads;
  const int asm_path = mode != RQ_EXACT && n_oc >= 2;
  const int32_t done = asm_path ? n_oc & ~1 : 0;
  for (int32_t b = 0; b < p->out.n; ++b) {
    w.in = in + b * p->in.h * w.stride;
    int8_t *out0 = out + (b * p->out.h + row_begin) * ow * n_oc;
    int32_t left = (row_end - row_begin) * ow, oy = row_begin, ox = 0;
    while (left > 0) {
      const int8_t *src0, *src1;
      int32_t pixels = 2;
      // Runs of pairs need an even channel count: the C code finishes an
      // odd last channel after each pair.
      const int32_t run = !asm_path || !w.direct || (n_oc & 1) ? 0 : rows_continue ? left : ow - ox < left ? ow - ox : left;
      if (run >= 2) {
        src0 = window_at(&w, oy, ox, stage);
        src1 = src0 + w.sw * w.ic;
        pixels = run & ~1;
        ox += pixels;
        oy += ox / ow;
        ox %= ow;
      } else {
        src0 = window_at(&w, oy, ox, stage);
        if (++ox == ow) ox = 0, ++oy;
        src1 = src0;
        if (left > 1) {
          src1 = window_at(&w, oy, ox, stage1);
          if (++ox == ow) ox = 0, ++oy;
        } else {
          pixels = 1;
        }
      }
      if (asm_path) {
        frame.src = src0;
        frame.step = (int32_t)((uintptr_t)src1 - (uintptr_t)src0);
        frame.pairs = (pixels + 1) >> 1;
        frame.out = out0;
        // A lone last pixel: pixel 1's outputs go to the staging rows (free
        // by now).
        frame.second = pixels > 1 ? n_oc : (int32_t)((uintptr_t)stage - (uintptr_t)out0);
        kernel(&frame);
      } else {
        sprat_cm_expand2(src0, src1, panel, depth);
      }
      if (done < n_oc) gemm_pair_c(panel, filter, bias, done, n_oc, groups, t, &rq, mode, out0, pixels == 1);
      left -= pixels;
      out0 += pixels * n_oc;
    }
  }
}

#endif  // SPRAT_KERNELS_CORTEX_M_CONV_S8_IMPL_H_
