// DEPTHWISE_CONV_2D in layout ARMV7EM (any window, stride, dilation,
// padding, depth multiplier): four output channels at a time. Each tap loads one
// input word (4 channels) and one filter word (the same 4 channels,
// dw_filter_order.h), splits both with SXTB16 into even and odd lanes and
// multiplies lane by lane with SMLABB/SMLATT into four accumulators: 4
// MACs in 10 instructions. SMLAD cannot help, since depthwise sums no two
// products of one channel at the same tap.
//
// Pixels whose window lies inside the image read it in place; a border
// pixel's window is first gathered into scratch with padded taps as the
// input zero point (the folded bias expects every tap to contribute), so
// one straight-line kernel serves every pixel. With a depth multiplier
// above 1 every window is gathered, each input channel repeated once per
// output channel it feeds, so the same kernel runs it.
//
// Scratch: the per-channel fast requantization constants (requant.h), 12
// bytes a channel, when the layer has SPRAT_CONV_FAST_REQUANT; the filter
// split into SXTB16 lanes for the assembly kernels (windows 3 or 5 wide);
// one window, kh * kw * output channels bytes.
#ifndef SPRAT_KERNELS_CORTEX_M_DEPTHWISE_S8_IMPL_H_
#define SPRAT_KERNELS_CORTEX_M_DEPTHWISE_S8_IMPL_H_

#include <string.h>

#include "kernels/cortex_m/cortex_m.h"
#include "kernels/cortex_m/depthwise/dw_s8_asm.h"
#include "kernels/cortex_m/depthwise/dw_filter_order.h"
#include "kernels/cortex_m/requant.h"
#include "kernels/cortex_m/simd.h"
#include "kernels/portable/fixedpoint.h"

// The records and lanes below come with the bias, made offline
// (converter/layouts/cortex_m.py), instead of in scratch per call.
static inline int dw_prepared(const sprat_conv_params *p) {
  return (p->flags & SPRAT_CONV_PREPARED) && (p->flags & SPRAT_CONV_FAST_REQUANT);
}

// Scratch bytes of the requantization records.
static inline int32_t records_bytes(const sprat_conv_params *p) {
  return (p->flags & SPRAT_CONV_FAST_REQUANT) && !dw_prepared(p) ? 12 * p->out.c : 0;
}

// The assembly kernels (windows 3 or 5 taps wide) read their filter
// pre-split into SXTB16's lanes (two words per tap and group), saving two
// instructions a tap.
static inline int uses_asm(const sprat_conv_params *p) {
  return (p->filter.w == 3 || p->filter.w == 5) && (p->flags & SPRAT_CONV_FAST_REQUANT) && p->out.c >= 4;
}

// Scratch bytes of the lanes.
static inline int32_t lanes_bytes(const sprat_conv_params *p) {
  return uses_asm(p) && !dw_prepared(p) ? 8 * p->filter.h * p->filter.w * (p->out.c >> 2) : 0;
}


typedef struct {
  int32_t a0, a1, a2, a3;  // channels 4g .. 4g+3
} acc4;

// One tap of four channels: x and w hold the 4 channels' bytes.
#define DW_TAP(a, x, w)                                   \
  do {                                                    \
    const uint32_t xe_ = SXTB16(x), xo_ = SXTB16_ROR8(x); \
    const uint32_t we_ = SXTB16(w), wo_ = SXTB16_ROR8(w); \
    (a).a0 = __smlabb((int32_t)xe_, (int32_t)we_, (a).a0); \
    (a).a2 = __smlatt((int32_t)xe_, (int32_t)we_, (a).a2); \
    (a).a1 = __smlabb((int32_t)xo_, (int32_t)wo_, (a).a1); \
    (a).a3 = __smlatt((int32_t)xo_, (int32_t)wo_, (a).a3); \
  } while (0)

enum { RQ_FULL, RQ_CLAMP, RQ_EXACT };

typedef struct {
  const int8_t *filter;
  const uint32_t *lanes;  // the filter in SXTB16's lanes, for the assembly kernels
  const int32_t *bias;
  const sprat_cm_rq *records;   // RQ_FULL, RQ_CLAMP
  const int32_t *mult, *shift;  // RQ_EXACT
  int32_t offset, lo, hi;
  uint32_t lo4, hi4;  // the activation range in each byte
  int32_t groups, tail, kh, kw;
  int32_t row_step, col_step;  // bytes between a window's rows and columns
  void (*asm_groups)(const sprat_cm_dw_frame *f);  // the assembly kernel for every group, or NULL
} dw_ctx;

static inline int32_t rq_exact(const dw_ctx *k, int32_t c, int32_t acc) {
  const int32_t v = sprat_wrap_add(sprat_cm_requant_exact(acc, k->mult[c], k->shift[c]), k->offset);
  return sprat_cm_clamp(v, k->lo, k->hi);
}

static inline int32_t rq_one(const dw_ctx *k, int mode, int32_t c, int32_t acc) {
  if (mode == RQ_EXACT) return rq_exact(k, c, acc);
  return sprat_cm_clamp(__ssat(sprat_cm_rq_apply(acc, &k->records[c]), 8), k->lo, k->hi);
}

// Four channels' outputs from channel c on, in one word.
static inline __attribute__((always_inline)) uint32_t rq4(const dw_ctx *k, int mode, const sprat_cm_rq *q,
                                                         int32_t c, acc4 a) {
  if (mode == RQ_EXACT) {
    const uint32_t v0 = (uint8_t)rq_exact(k, c, a.a0), v1 = (uint8_t)rq_exact(k, c + 1, a.a1);
    const uint32_t v2 = (uint8_t)rq_exact(k, c + 2, a.a2), v3 = (uint8_t)rq_exact(k, c + 3, a.a3);
    return v0 | v1 << 8 | v2 << 16 | v3 << 24;
  }
  const uint32_t v0 = (uint8_t)__ssat(sprat_cm_rq_apply(a.a0, &q[0]), 8);
  const uint32_t v1 = (uint8_t)__ssat(sprat_cm_rq_apply(a.a1, &q[1]), 8);
  const uint32_t v2 = (uint8_t)__ssat(sprat_cm_rq_apply(a.a2, &q[2]), 8);
  const uint32_t v3 = (uint8_t)__ssat(sprat_cm_rq_apply(a.a3, &q[3]), 8);
  uint32_t v = v0 | v1 << 8 | v2 << 16 | v3 << 24;
  if (mode == RQ_CLAMP) v = sprat_cm_min8(sprat_cm_max8(v, k->lo4), k->hi4);
  return v;
}

// `n` output pixels whose whole windows are in memory: pixel i's first tap
// at x + i * x_step, its window's rows and columns k->row_step and
// k->col_step bytes apart. kw is a constant in the specialised copies, so
// the column loop unrolls; the filter, biases and records are read in
// order, group after group.
static inline __attribute__((always_inline)) void pixels(const dw_ctx *k, const int8_t *x, int32_t x_step, int32_t n,
                                                        int8_t *out, const int32_t kw, const int mode) {
  const int32_t groups = k->groups, kh = k->kh, rs = k->row_step, cs = k->col_step;
  if (mode != RQ_EXACT && k->asm_groups && k->tail == 0 && n > 0) {
    const sprat_cm_dw_frame f = {x, k->lanes, k->bias, k->records, out, groups, rs, cs, k->lo4, k->hi4, kh, n, x_step};
    k->asm_groups(&f);
    return;
  }
  for (; n > 0; --n, x += x_step) {
    const int8_t *w = k->filter, *xg = x;
    const int32_t *b = k->bias;
    const sprat_cm_rq *q = k->records;
    int32_t g = 0;
    if (mode != RQ_EXACT && k->asm_groups) {
      const sprat_cm_dw_frame f = {x, k->lanes, b, q, out, groups, rs, cs, k->lo4, k->hi4, kh, 1, 0};
      k->asm_groups(&f);
      g = groups, w += 4 * kh * kw * groups, xg += 4 * groups, out += 4 * groups;
    }
    for (; g < groups; ++g, xg += 4, b += 4, q += 4, out += 4) {
      acc4 a = {b[0], b[1], b[2], b[3]};
      const int8_t *xr = xg;
      for (int32_t r = 0; r < kh; ++r, xr += rs) {
        const int8_t *xc = xr;
#pragma GCC unroll 5
        for (int32_t c = 0; c < kw; ++c, xc += cs, w += 4) {
          const uint32_t xv = sprat_cm_load32(xc), wv = sprat_cm_load32(w);
          DW_TAP(a, xv, wv);
        }
      }
      const uint32_t v = rq4(k, mode, q, 4 * g, a);
      memcpy(out, &v, 4);  // an unaligned STR: fine on ARMv7-M
    }
    // The last C % 4 channels, one at a time (their weights: tap-major).
    for (int32_t t = 0; t < k->tail; ++t, ++out) {
      const int32_t c = 4 * groups + t;
      int32_t acc = k->bias[c];
      const int8_t *wt = w + t;
      const int8_t *xr = xg + t;
      for (int32_t r = 0; r < kh; ++r, xr += rs)
        for (int32_t j = 0; j < kw; ++j, wt += k->tail) acc = sprat_wrap_add(acc, (int32_t)*wt * xr[j * cs]);
      *out = (int8_t)rq_one(k, mode, c, acc);
    }
  }
}

typedef void (*pixels_fn)(const dw_ctx *k, const int8_t *x, int32_t x_step, int32_t n, int8_t *out);

#define DW_PIXELS(name, KW, MODE)                                                                          \
  static __attribute__((noinline, unused)) void name(const dw_ctx *k, const int8_t *x, int32_t x_step, int32_t n, \
                                             int8_t *out) {                                             \
    pixels(k, x, x_step, n, out, (KW) ? (KW) : k->kw, MODE);                                             \
  }
DW_PIXELS(pixels_k3_full, 3, RQ_FULL)
DW_PIXELS(pixels_k3_clamp, 3, RQ_CLAMP)
DW_PIXELS(pixels_k3_exact, 3, RQ_EXACT)
DW_PIXELS(pixels_k5_full, 5, RQ_FULL)
DW_PIXELS(pixels_k5_clamp, 5, RQ_CLAMP)
DW_PIXELS(pixels_k5_exact, 5, RQ_EXACT)
DW_PIXELS(pixels_kn_full, 0, RQ_FULL)
DW_PIXELS(pixels_kn_clamp, 0, RQ_CLAMP)
DW_PIXELS(pixels_kn_exact, 0, RQ_EXACT)

// Output pixel (y0, x0)'s window (its first tap's top-left corner in input
// coordinates) into dst, TFLite's tap order, padded taps as the zero point,
// each input channel repeated depth-multiplier times.
static __attribute__((unused)) void gather(const sprat_conv_params *p, const int8_t *img, int32_t y0, int32_t x0, int8_t *dst) {
  const int32_t C = p->in.c, dm = p->depth_multiplier, OC = p->out.c, zp = -p->input_offset;
  for (int32_t ky = 0; ky < p->filter.h; ++ky) {
    const int32_t y = y0 + ky * p->dilation_h;
    for (int32_t kx = 0; kx < p->filter.w; ++kx, dst += OC) {
      const int32_t x = x0 + kx * p->dilation_w;
      if (y < 0 || y >= p->in.h || x < 0 || x >= p->in.w) {
        memset(dst, zp, (size_t)OC);
      } else if (dm == 1) {
        memmove(dst, img + (y * p->in.w + x) * C, (size_t)C);  // a crafted blob may overlap them
      } else if (C == 1) {
        memset(dst, img[y * p->in.w + x], (size_t)OC);
      } else {
        const int8_t *src = img + (y * p->in.w + x) * C;
        int8_t *d = dst;
        for (int32_t c = 0; c < C; ++c)
          for (int32_t m = 0; m < dm; ++m) *d++ = src[c];
      }
    }
  }
}

// The records the fast requantization reads; 0 if some channel has no fast form.
static __attribute__((unused)) int make_records(const sprat_conv_params *p, const int32_t *multiplier, const int32_t *shift,
                        sprat_cm_rq *records) {
  for (int32_t c = 0; c < p->out.c; ++c)
    if (!sprat_cm_rq_make(multiplier[c], shift[c], p->output_offset, &records[c])) return 0;
  return 1;
}

// Smallest o >= 0 with o * s >= v, for v >= 0.
static inline int32_t ceil_div(int32_t v, int32_t s) { return v <= 0 ? 0 : (v + s - 1) / s; }

// The kernel as a template: the library calls it with the blob's record,
// generated layers with a constant one that GCC folds into the loops.
SPRAT_CM_INLINE void sprat_cm_depthwise_conv2d_s8_impl(const sprat_conv_params *p, const int8_t *in,
                                                       const int8_t *filter, const int32_t *bias,
                                                       const int32_t *multiplier, const int32_t *shift, int8_t *out,
                                                       void *scratch, int32_t row_begin, int32_t row_end) {
  if (!scratch) {
    sprat_cm_depthwise_conv2d_s8_generic(p, in, filter, bias, multiplier, shift, out, row_begin, row_end);
    return;
  }
  const int32_t C = p->in.c, OC = p->out.c, ih = p->in.h, iw = p->in.w, kh = p->filter.h, kw = p->filter.w;
  const int32_t eh = (kh - 1) * p->dilation_h, ew = (kw - 1) * p->dilation_w;
  int mode = RQ_EXACT;
  const sprat_cm_rq *records = 0;
  const int prepared = dw_prepared(p);
  if ((p->flags & SPRAT_CONV_FAST_REQUANT) && (prepared || make_records(p, multiplier, shift, (sprat_cm_rq *)scratch))) {
    records = prepared ? (const sprat_cm_rq *)(const void *)(bias + OC) : (const sprat_cm_rq *)scratch;
    mode = p->act_min == -128 && p->act_max == 127 ? RQ_FULL : RQ_CLAMP;
  }
  uint32_t *lanes = prepared ? (uint32_t *)(uintptr_t)(bias + 4 * OC) : (uint32_t *)(void *)((int8_t *)scratch + records_bytes(p));
  int8_t *window = (int8_t *)scratch + records_bytes(p) + lanes_bytes(p);
  static const pixels_fn kFns[3][3] = {{pixels_k3_full, pixels_k3_clamp, pixels_k3_exact},
                                       {pixels_k5_full, pixels_k5_clamp, pixels_k5_exact},
                                       {pixels_kn_full, pixels_kn_clamp, pixels_kn_exact}};
  const pixels_fn run = kFns[kw == 3 ? 0 : kw == 5 ? 1 : 2][mode];
  dw_ctx k = {filter, lanes, bias, records, multiplier, shift, p->output_offset, p->act_min, p->act_max,
              (uint8_t)p->act_min * 0x01010101u, (uint8_t)p->act_max * 0x01010101u, OC >> 2, OC & 3, kh, kw,
              p->dilation_h * iw * C, p->dilation_w * C, 0};
  if (uses_asm(p) && mode != RQ_EXACT) {
    for (int32_t i = 0; !prepared && i < kh * kw * (OC >> 2); ++i) {
      const uint32_t w = sprat_cm_load32(filter + 4 * i);
      lanes[2 * i] = SXTB16(w), lanes[2 * i + 1] = SXTB16_ROR8(w);
    }
    const int clamp = mode == RQ_CLAMP;
    k.asm_groups = kw == 5 ? (clamp ? sprat_cm_dwkx5_s8_clamp : sprat_cm_dwkx5_s8)
                   : kh == 3 ? (clamp ? sprat_cm_dw3x3_s8_clamp : sprat_cm_dw3x3_s8)
                             : (clamp ? sprat_cm_dwkx3_s8_clamp : sprat_cm_dwkx3_s8);
  }
  // A gathered window is dense: rows kw * C, columns C apart.
  dw_ctx kg = k;
  kg.row_step = kw * OC, kg.col_step = OC;
  const int32_t oh = p->out.h, ow = p->out.w, sh = p->stride_h, sw = p->stride_w, pt = p->pad_top, pl = p->pad_left;
  // Output columns [ox_lo, ox_hi) have their windows inside horizontally.
  int32_t ox_lo = ceil_div(pl, sw), ox_hi = iw - 1 - ew + pl < 0 ? 0 : (iw - 1 - ew + pl) / sw + 1;
  if (ox_hi > ow) ox_hi = ow;
  if (ox_lo > ox_hi) ox_lo = ox_hi;
  if (p->depth_multiplier != 1) ox_lo = ox_hi = ow;  // every window gathered
  for (int32_t b = 0; b < p->out.n; ++b) {
    const int8_t *img = in + b * ih * iw * C;
    int8_t *o = out + ((b * oh + row_begin) * ow) * OC;
    for (int32_t oy = row_begin; oy < row_end; ++oy, o += ow * OC) {
      const int32_t y0 = oy * sh - pt;
      const int rows_inside = y0 >= 0 && y0 + eh < ih;
      const int32_t lo = rows_inside ? ox_lo : ow, hi = rows_inside ? ox_hi : ow;
      for (int32_t ox = 0; ox < ow; ++ox) {
        if (ox == lo && hi > lo) {
          run(&k, img + (y0 * iw + ox * sw - pl) * C, sw * C, hi - lo, o + ox * OC);
          ox = hi - 1;
          continue;
        }
        gather(p, img, y0, ox * sw - pl, window);
        run(&kg, window, 0, 1, o + ox * OC);
      }
    }
  }
}

#endif  // SPRAT_KERNELS_CORTEX_M_DEPTHWISE_S8_IMPL_H_
