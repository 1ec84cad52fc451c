// DEPTHWISE_CONV_2D in layout ARMV7EM with depth multiplier 1 (any window,
// stride, dilation, padding): four channels at a time. Each tap loads one
// input word (4 channels) and one filter word (the same 4 channels,
// dw_filter_order.h), splits both with SXTB16 into even and odd lanes and
// multiplies lane by lane with SMLABB/SMLATT into four accumulators: 4
// MACs in 10 instructions. SMLAD cannot help, since depthwise sums no two
// products of one channel at the same tap. Other depth multipliers take
// depthwise_generic_s8.c.
//
// Padding: taps outside the image are skipped, and border pixels then add
// the products a padded tap would have given (weight times the input zero
// point), because the folded bias expects every tap to contribute.
//
// Scratch: the per-channel fast requantization constants (requant.h), 12
// bytes a channel, when the layer has SPRAT_CONV_FAST_REQUANT.
#include <string.h>

#include "kernels/cortex_m/cortex_m.h"
#include "kernels/cortex_m/depthwise/dw_filter_order.h"
#include "kernels/cortex_m/requant.h"

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#define SXTB16(x) ((uint32_t)__sxtb16((int32_t)(x)))
// GCC does not fold the rotation into SXTB16 by itself.
static inline uint32_t sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
#define SXTB16_ROR8(x) sxtb16_ror8(x)
#else
#error "kernels/cortex_m needs the DSP extension"
#endif

static inline uint32_t load32(const void *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

int32_t sprat_cm_depthwise_conv2d_s8_get_buffer_size(const sprat_conv_params *p) {
  if (p->depth_multiplier != 1 || !(p->flags & SPRAT_CONV_FAST_REQUANT)) return 0;
  return 12 * p->out.c;
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

// Rows [0, rows) by columns [0, cols) of taps from `x` (the first tap's 4
// channels), rows `row_step` and columns `col_step` bytes apart; `w` walks
// the group's filter words, `w_skip` words skipped after each row. cols is
// a constant where it matters (the 3 and 5 wide windows), so the column
// loop unrolls.
static inline __attribute__((always_inline)) acc4 taps(acc4 a, const int8_t *x, const int8_t *w, int32_t rows,
                                                      int32_t cols, int32_t row_step, int32_t col_step,
                                                      int32_t w_skip) {
  for (int32_t r = 0; r < rows; ++r, x += row_step, w += 4 * w_skip) {
    const int8_t *xc = x;
#pragma GCC unroll 5
    for (int32_t c = 0; c < cols; ++c, xc += col_step, w += 4) {
      const uint32_t xv = load32(xc), wv = load32(w);
      DW_TAP(a, xv, wv);
    }
  }
  return a;
}

// Which taps of an output pixel fall inside the image.
typedef struct {
  int32_t ky0, ky1, kx0, kx1;
} span;

static inline int32_t first_inside(int32_t start, int32_t step, int32_t k) {
  if (start >= 0) return 0;
  const int32_t v = (-start + step - 1) / step;
  return v < k ? v : k;
}

static inline int32_t end_inside(int32_t start, int32_t step, int32_t k, int32_t size) {
  if (start >= size) return 0;
  const int32_t v = (size - start + step - 1) / step;
  return v < k ? v : k;
}

enum { RQ_FULL, RQ_CLAMP, RQ_EXACT };

typedef struct {
  const sprat_cm_rq *records;  // RQ_FULL, RQ_CLAMP
  const int32_t *mult, *shift;  // RQ_EXACT
  int32_t offset, lo, hi;
  uint32_t lo4, hi4;  // the activation range in each byte
  int mode;
} requant;

static inline int32_t rq_exact(const requant *rq, int32_t c, int32_t acc) {
  const int32_t v = sprat_cm_requant_exact(acc, rq->mult[c], rq->shift[c]) + rq->offset;
  return sprat_cm_clamp(v, rq->lo, rq->hi);
}

// Four channels' outputs from channel c on, into one word.
static inline uint32_t rq4(const requant *rq, int32_t c, acc4 a) {
  uint32_t v0, v1, v2, v3;
  if (rq->mode == RQ_EXACT) {
    v0 = (uint8_t)rq_exact(rq, c, a.a0);
    v1 = (uint8_t)rq_exact(rq, c + 1, a.a1);
    v2 = (uint8_t)rq_exact(rq, c + 2, a.a2);
    v3 = (uint8_t)rq_exact(rq, c + 3, a.a3);
    return v0 | v1 << 8 | v2 << 16 | v3 << 24;
  }
  const sprat_cm_rq *q = rq->records + c;
  v0 = (uint8_t)__ssat(sprat_cm_rq_apply(a.a0, &q[0]), 8);
  v1 = (uint8_t)__ssat(sprat_cm_rq_apply(a.a1, &q[1]), 8);
  v2 = (uint8_t)__ssat(sprat_cm_rq_apply(a.a2, &q[2]), 8);
  v3 = (uint8_t)__ssat(sprat_cm_rq_apply(a.a3, &q[3]), 8);
  uint32_t v = v0 | v1 << 8 | v2 << 16 | v3 << 24;
  if (rq->mode == RQ_CLAMP) {
    // Bytewise max with lo, then min with hi (SSUB8 sets GE per byte).
    (void)__ssub8((int8x4_t)v, (int8x4_t)rq->lo4);
    v = (uint32_t)__sel((uint8x4_t)v, (uint8x4_t)rq->lo4);
    (void)__ssub8((int8x4_t)rq->hi4, (int8x4_t)v);
    v = (uint32_t)__sel((uint8x4_t)v, (uint8x4_t)rq->hi4);
  }
  return v;
}

static inline int32_t rq_one(const requant *rq, int32_t c, int32_t acc) {
  if (rq->mode == RQ_EXACT) return rq_exact(rq, c, acc);
  return sprat_cm_clamp(__ssat(sprat_cm_rq_apply(acc, &rq->records[c]), 8), rq->lo, rq->hi);
}

// The layer's geometry.
typedef struct {
  int32_t ih, iw, C, kh, kw, taps;
  int32_t row_step, col_step;  // bytes between tap rows and tap columns (dilation included)
  int32_t groups, tail;
  int32_t zp;                  // the input zero point
  uint32_t zpe, zpo;           // SXTB16 of it in every byte, even and odd lanes
} geometry;

// Adds what the taps outside s would give (each reads the zero point).
static acc4 padded_taps(const geometry *g, const int8_t *w, span s, acc4 a) {
  for (int32_t ky = 0; ky < g->kh; ++ky) {
    const int in_y = ky >= s.ky0 && ky < s.ky1;
    for (int32_t kx = 0; kx < g->kw; ++kx, w += 4) {
      if (in_y && kx >= s.kx0 && kx < s.kx1) continue;
      const uint32_t wv = load32(w);
      const uint32_t we = SXTB16(wv), wo = SXTB16_ROR8(wv);
      a.a0 = __smlabb((int32_t)g->zpe, (int32_t)we, a.a0);
      a.a2 = __smlatt((int32_t)g->zpe, (int32_t)we, a.a2);
      a.a1 = __smlabb((int32_t)g->zpo, (int32_t)wo, a.a1);
      a.a3 = __smlatt((int32_t)g->zpo, (int32_t)wo, a.a3);
    }
  }
  return a;
}

// One output pixel: x is its first inside tap (channel 0), out its outputs.
static void pixel(const geometry *g, const requant *rq, const int8_t *x, const int8_t *filter, const int32_t *bias,
                  span s, int8_t *out) {
  const int32_t rows = s.ky1 - s.ky0, cols = s.kx1 - s.kx0, full = rows == g->kh && cols == g->kw;
  const int32_t skip = g->kw - cols, first = s.ky0 * g->kw + s.kx0;
  const int8_t *wg = filter;
  for (int32_t grp = 0; grp < g->groups; ++grp, x += 4, wg += 4 * g->taps, out += 4) {
    acc4 a;
    memcpy(&a, bias + 4 * grp, sizeof a);
    if (cols == 3)
      a = taps(a, x, wg + 4 * first, rows, 3, g->row_step, g->col_step, skip);
    else if (cols == 5)
      a = taps(a, x, wg + 4 * first, rows, 5, g->row_step, g->col_step, skip);
    else
      a = taps(a, x, wg + 4 * first, rows, cols, g->row_step, g->col_step, skip);
    if (!full) a = padded_taps(g, wg, s, a);
    const uint32_t v = rq4(rq, 4 * grp, a);
    memcpy(out, &v, 4);  // an unaligned STR: fine on ARMv7-M
  }
  // The last C % 4 channels, one at a time.
  const int8_t *wt = filter + 4 * g->groups * g->taps;
  for (int32_t t = 0; t < g->tail; ++t, ++x, ++out) {
    const int32_t c = 4 * g->groups + t;
    int32_t acc = bias[c];
    for (int32_t ky = 0; ky < g->kh; ++ky) {
      const int in_y = ky >= s.ky0 && ky < s.ky1;
      for (int32_t kx = 0; kx < g->kw; ++kx) {
        const int32_t wv = wt[(ky * g->kw + kx) * g->tail + t];
        const int inside = in_y && kx >= s.kx0 && kx < s.kx1;
        acc += wv * (inside ? x[(ky - s.ky0) * g->row_step + (kx - s.kx0) * g->col_step] : g->zp);
      }
    }
    *out = (int8_t)rq_one(rq, c, acc);
  }
}

// The records the fast requantization reads; 0 if some channel has no fast form.
static int make_records(const sprat_conv_params *p, const int32_t *multiplier, const int32_t *shift,
                        sprat_cm_rq *records) {
  for (int32_t c = 0; c < p->out.c; ++c)
    if (!sprat_cm_rq_make(multiplier[c], shift[c], p->output_offset, &records[c])) return 0;
  return 1;
}

void sprat_cm_depthwise_conv2d_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                  const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out,
                                  void *scratch, int32_t row_begin, int32_t row_end) {
  if (p->depth_multiplier != 1) {
    sprat_cm_depthwise_conv2d_s8_generic(p, in, filter, bias, multiplier, shift, out, row_begin, row_end);
    return;
  }
  const int32_t C = p->in.c;
  geometry g;
  g.ih = p->in.h, g.iw = p->in.w, g.C = C, g.kh = p->filter.h, g.kw = p->filter.w, g.taps = g.kh * g.kw;
  g.row_step = p->dilation_h * g.iw * C, g.col_step = p->dilation_w * C;
  g.groups = C >> 2, g.tail = C & 3;
  g.zp = -p->input_offset;
  const uint32_t zp4 = (uint8_t)g.zp * 0x01010101u;
  g.zpe = SXTB16(zp4), g.zpo = SXTB16_ROR8(zp4);
  requant rq = {0, multiplier, shift, p->output_offset, p->act_min, p->act_max,
                (uint8_t)p->act_min * 0x01010101u, (uint8_t)p->act_max * 0x01010101u, RQ_EXACT};
  if (scratch && (p->flags & SPRAT_CONV_FAST_REQUANT) &&
      make_records(p, multiplier, shift, (sprat_cm_rq *)scratch)) {
    rq.records = (const sprat_cm_rq *)scratch;
    rq.mode = p->act_min == -128 && p->act_max == 127 ? RQ_FULL : RQ_CLAMP;
  }
  const int32_t oh = p->out.h, ow = p->out.w;
  for (int32_t b = 0; b < p->out.n; ++b) {
    const int8_t *img = in + b * g.ih * g.iw * C;
    int8_t *o = out + ((b * oh + row_begin) * ow) * C;
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      span row;
      row.ky0 = first_inside(y0, p->dilation_h, g.kh);
      row.ky1 = end_inside(y0, p->dilation_h, g.kh, g.ih);
      if (row.ky1 < row.ky0) row.ky1 = row.ky0;
      for (int32_t ox = 0; ox < ow; ++ox, o += C) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        span s = row;
        s.kx0 = first_inside(x0, p->dilation_w, g.kw);
        s.kx1 = end_inside(x0, p->dilation_w, g.kw, g.iw);
        if (s.kx1 < s.kx0) s.kx1 = s.kx0;
        // The first inside tap; never dereferenced when no tap is inside.
        const int8_t *x = img;
        if (s.ky1 > s.ky0 && s.kx1 > s.kx0)
          x = img + ((y0 + s.ky0 * p->dilation_h) * g.iw + x0 + s.kx0 * p->dilation_w) * C;
        else
          s.ky1 = s.ky0, s.kx1 = s.kx0;
        pixel(&g, &rq, x, filter, bias, s, o);
      }
    }
  }
}
