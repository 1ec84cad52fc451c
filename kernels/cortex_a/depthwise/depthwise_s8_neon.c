// DEPTHWISE_CONV_2D, int8, layout PLAIN, depth multiplier 1, at least 8
// channels: 16 (then 8) channels per step, input + offset widened to
// int16 (SSUBL by the zero point) times the widened filter, accumulated
// in int32 (SMLAL): padded taps are skipped as in the portable kernel, so
// border pixels need no correction and no scratch. A channel count that
// is not a multiple of 8 ends with the last 8 channels again (the same
// bytes written twice). Other layers run the portable kernel.
//
// One output pixel at a time in raster order, every channel of it read
// before any is written (converter/access.py's overlap allowance).
#include "kernels/cortex_a/cortex_a.h"
#include "kernels/cortex_a/neon.h"

typedef struct {
  const int8_t *in, *filter;
  const int32_t *bias, *mult, *shift;
  int32_t c, kw;
  intptr_t row;  // input bytes per image row
  int8x16_t zp;
  int32x4_t out_offset, act_min, act_max;
  int8x16_t lo8, hi8;  // the activation's clamp as int8 lanes
} ca_dw;

// Channels [c, c + 8 * H) (H = 1 or 2) of one pixel: taps [ky0, ky1) x
// [kx0, kx1), the tap (ky, kx) at in[x + ky * dy + kx * dx] (x, the
// window's (0, 0) tap, may lie outside the image; the taps read do not).
CA_INLINE void ca_dw_step(const int H, const ca_dw *d, int32_t c, intptr_t x, intptr_t dy, intptr_t dx,
                          int32_t ky0, int32_t ky1, int32_t kx0, int32_t kx1, int8_t *o) {
  int32x4_t acc[4];
  for (int i = 0; i < 2 * H; ++i) acc[i] = d->bias ? vld1q_s32(d->bias + c + 4 * i) : vdupq_n_s32(0);
  for (int32_t ky = ky0; ky < ky1; ++ky) {
    for (int32_t kx = kx0; kx < kx1; ++kx) {
      const int8_t *xp = d->in + (x + ky * dy + kx * dx + c);
      const int8_t *wp = d->filter + (intptr_t)(ky * d->kw + kx) * d->c + c;
      if (H == 2) {
        const int8x16_t xv = vld1q_s8(xp), wv = vld1q_s8(wp);
        const int16x8_t xl = vsubl_s8(vget_low_s8(xv), vget_low_s8(d->zp)), xh = vsubl_high_s8(xv, d->zp);
        const int16x8_t wl = vmovl_s8(vget_low_s8(wv)), wh = vmovl_high_s8(wv);
        acc[0] = vmlal_s16(acc[0], vget_low_s16(xl), vget_low_s16(wl));
        acc[1] = vmlal_high_s16(acc[1], xl, wl);
        acc[2] = vmlal_s16(acc[2], vget_low_s16(xh), vget_low_s16(wh));
        acc[3] = vmlal_high_s16(acc[3], xh, wh);
      } else {
        const int16x8_t xl = vsubl_s8(vld1_s8(xp), vget_low_s8(d->zp)), wl = vmovl_s8(vld1_s8(wp));
        acc[0] = vmlal_s16(acc[0], vget_low_s16(xl), vget_low_s16(wl));
        acc[1] = vmlal_high_s16(acc[1], xl, wl);
      }
    }
  }
  int32x4_t r[4];
  CA_UNROLL
  for (int i = 0; i < 2 * H; ++i) {
    const ca_rq q = ca_rq_make(vld1q_s32(d->mult + c + 4 * i), vld1q_s32(d->shift + c + 4 * i));
    r[i] = ca_mbqm(acc[i], &q);
  }
  if (H == 2)
    vst1q_s8(o + c, ca_pack16(r[0], r[1], r[2], r[3], d->out_offset, d->lo8, d->hi8));
  else
    vst1_s8(o + c, ca_pack8(r[0], r[1], d->out_offset, vget_low_s8(d->lo8), vget_low_s8(d->hi8)));
}

// Both pair steps start their 8 * H channels of both pixels at the bias
// (or 0) and end requantizing and storing them; the unused half is 0 when
// H is 1.
CA_INLINE void ca_dw_pair_start(const int H, const ca_dw *d, int32_t c, int32x4_t *a0, int32x4_t *a1, int32x4_t *a2,
                                int32x4_t *a3, int32x4_t *b0, int32x4_t *b1, int32x4_t *b2, int32x4_t *b3) {
  if (d->bias) {
    *a0 = *b0 = vld1q_s32(d->bias + c), *a1 = *b1 = vld1q_s32(d->bias + c + 4);
    if (H == 2) *a2 = *b2 = vld1q_s32(d->bias + c + 8), *a3 = *b3 = vld1q_s32(d->bias + c + 12);
  } else {
    *a0 = *a1 = *a2 = *a3 = *b0 = *b1 = *b2 = *b3 = vdupq_n_s32(0);
  }
  if (H == 1) *a2 = *a3 = *b2 = *b3 = vdupq_n_s32(0);
}

CA_INLINE void ca_dw_pair_finish(const int H, const ca_dw *d, int32_t c, int32x4_t a0, int32x4_t a1, int32x4_t a2,
                                 int32x4_t a3, int32x4_t b0, int32x4_t b1, int32x4_t b2, int32x4_t b3, int8_t *o,
                                 intptr_t os) {
  const ca_rq q0 = ca_rq_make(vld1q_s32(d->mult + c), vld1q_s32(d->shift + c));
  const ca_rq q1 = ca_rq_make(vld1q_s32(d->mult + c + 4), vld1q_s32(d->shift + c + 4));
  if (H == 2) {
    const ca_rq q2 = ca_rq_make(vld1q_s32(d->mult + c + 8), vld1q_s32(d->shift + c + 8));
    const ca_rq q3 = ca_rq_make(vld1q_s32(d->mult + c + 12), vld1q_s32(d->shift + c + 12));
    vst1q_s8(o + c, ca_pack16(ca_mbqm(a0, &q0), ca_mbqm(a1, &q1), ca_mbqm(a2, &q2), ca_mbqm(a3, &q3), d->out_offset,
                              d->lo8, d->hi8));
    vst1q_s8(o + os + c, ca_pack16(ca_mbqm(b0, &q0), ca_mbqm(b1, &q1), ca_mbqm(b2, &q2), ca_mbqm(b3, &q3),
                                   d->out_offset, d->lo8, d->hi8));
  } else {
    vst1_s8(o + c, ca_pack8(ca_mbqm(a0, &q0), ca_mbqm(a1, &q1), d->out_offset, vget_low_s8(d->lo8), vget_low_s8(d->hi8)));
    vst1_s8(o + os + c,
            ca_pack8(ca_mbqm(b0, &q0), ca_mbqm(b1, &q1), d->out_offset, vget_low_s8(d->lo8), vget_low_s8(d->hi8)));
  }
}

// Two interior pixels (window origins x and x + xs, outputs o and o + os),
// channels [c, c + 8 * H): each tap's filter loaded and widened once for
// both. The accumulators are named: GCC keeps arrays of them in memory.
CA_INLINE void ca_dw_pair_step(const int H, const ca_dw *d, int32_t c, intptr_t x, intptr_t xs, intptr_t dy,
                               intptr_t dx, int32_t kh, int32_t kw, int8_t *o, intptr_t os) {
  int32x4_t a0, a1, a2, a3, b0, b1, b2, b3;
  ca_dw_pair_start(H, d, c, &a0, &a1, &a2, &a3, &b0, &b1, &b2, &b3);
  const int8_t *wp = d->filter + c;
  for (int32_t ky = 0; ky < kh; ++ky) {
    const int8_t *xr = d->in + (x + ky * dy + c);
    for (int32_t kx = 0; kx < kw; ++kx, wp += d->c, xr += dx) {
      if (H == 2) {
        const int8x16_t wv = vld1q_s8(wp), x0 = vld1q_s8(xr), x1 = vld1q_s8(xr + xs);
        const int16x8_t wl = vmovl_s8(vget_low_s8(wv)), wh = vmovl_high_s8(wv);
        const int16x8_t x0l = vsubl_s8(vget_low_s8(x0), vget_low_s8(d->zp)), x0h = vsubl_high_s8(x0, d->zp);
        const int16x8_t x1l = vsubl_s8(vget_low_s8(x1), vget_low_s8(d->zp)), x1h = vsubl_high_s8(x1, d->zp);
        a0 = vmlal_s16(a0, vget_low_s16(x0l), vget_low_s16(wl));
        a1 = vmlal_high_s16(a1, x0l, wl);
        a2 = vmlal_s16(a2, vget_low_s16(x0h), vget_low_s16(wh));
        a3 = vmlal_high_s16(a3, x0h, wh);
        b0 = vmlal_s16(b0, vget_low_s16(x1l), vget_low_s16(wl));
        b1 = vmlal_high_s16(b1, x1l, wl);
        b2 = vmlal_s16(b2, vget_low_s16(x1h), vget_low_s16(wh));
        b3 = vmlal_high_s16(b3, x1h, wh);
      } else {
        const int16x8_t wl = vmovl_s8(vld1_s8(wp));
        const int16x8_t x0l = vsubl_s8(vld1_s8(xr), vget_low_s8(d->zp));
        const int16x8_t x1l = vsubl_s8(vld1_s8(xr + xs), vget_low_s8(d->zp));
        a0 = vmlal_s16(a0, vget_low_s16(x0l), vget_low_s16(wl));
        a1 = vmlal_high_s16(a1, x0l, wl);
        b0 = vmlal_s16(b0, vget_low_s16(x1l), vget_low_s16(wl));
        b1 = vmlal_high_s16(b1, x1l, wl);
      }
    }
  }
  ca_dw_pair_finish(H, d, c, a0, a1, a2, a3, b0, b1, b2, b3, o, os);
}

// ca_dw_pair_step for windows 3 taps wide at stride 1, undilated: the two
// pixels' windows share two of their four input columns, loaded and
// widened once.
CA_INLINE void ca_dw_pair3_step(const int H, const ca_dw *d, int32_t c, intptr_t x, intptr_t dy, int32_t kh,
                                int8_t *o, intptr_t os) {
  int32x4_t a0, a1, a2, a3, b0, b1, b2, b3;
  ca_dw_pair_start(H, d, c, &a0, &a1, &a2, &a3, &b0, &b1, &b2, &b3);
  const intptr_t cs = d->c;
  const int8_t *wp = d->filter + c;
  for (int32_t ky = 0; ky < kh; ++ky, wp += 3 * cs) {
    const int8_t *xr = d->in + (x + ky * dy + c);
    if (H == 2) {
      int16x8_t xl[4], xh[4], wl[3], wh[3];
      CA_UNROLL
      for (int k = 0; k < 4; ++k) {
        const int8x16_t v = vld1q_s8(xr + k * cs);
        xl[k] = vsubl_s8(vget_low_s8(v), vget_low_s8(d->zp)), xh[k] = vsubl_high_s8(v, d->zp);
      }
      CA_UNROLL
      for (int k = 0; k < 3; ++k) {
        const int8x16_t v = vld1q_s8(wp + k * cs);
        wl[k] = vmovl_s8(vget_low_s8(v)), wh[k] = vmovl_high_s8(v);
      }
      CA_UNROLL
      for (int k = 0; k < 3; ++k) {
        a0 = vmlal_s16(a0, vget_low_s16(xl[k]), vget_low_s16(wl[k]));
        a1 = vmlal_high_s16(a1, xl[k], wl[k]);
        a2 = vmlal_s16(a2, vget_low_s16(xh[k]), vget_low_s16(wh[k]));
        a3 = vmlal_high_s16(a3, xh[k], wh[k]);
        b0 = vmlal_s16(b0, vget_low_s16(xl[k + 1]), vget_low_s16(wl[k]));
        b1 = vmlal_high_s16(b1, xl[k + 1], wl[k]);
        b2 = vmlal_s16(b2, vget_low_s16(xh[k + 1]), vget_low_s16(wh[k]));
        b3 = vmlal_high_s16(b3, xh[k + 1], wh[k]);
      }
    } else {
      int16x8_t xl[4], wl[3];
      CA_UNROLL
      for (int k = 0; k < 4; ++k) xl[k] = vsubl_s8(vld1_s8(xr + k * cs), vget_low_s8(d->zp));
      CA_UNROLL
      for (int k = 0; k < 3; ++k) wl[k] = vmovl_s8(vld1_s8(wp + k * cs));
      CA_UNROLL
      for (int k = 0; k < 3; ++k) {
        a0 = vmlal_s16(a0, vget_low_s16(xl[k]), vget_low_s16(wl[k]));
        a1 = vmlal_high_s16(a1, xl[k], wl[k]);
        b0 = vmlal_s16(b0, vget_low_s16(xl[k + 1]), vget_low_s16(wl[k]));
        b1 = vmlal_high_s16(b1, xl[k + 1], wl[k]);
      }
    }
  }
  ca_dw_pair_finish(H, d, c, a0, a1, a2, a3, b0, b1, b2, b3, o, os);
}

// n interior pixels of a row, two at a time: origins x + i * xs, outputs
// o + i * os.
static __attribute__((noinline)) void ca_dw_run(const ca_dw *d, intptr_t x, intptr_t xs, intptr_t dy, intptr_t dx,
                                                int32_t kh, int32_t kw, int8_t *o, intptr_t os, int32_t n) {
  if (kw == 3 && xs == d->c && dx == d->c) {
    for (; n >= 2; n -= 2, x += 2 * xs, o += 2 * os) {
      int32_t c = 0;
      for (; c + 16 <= d->c; c += 16) ca_dw_pair3_step(2, d, c, x, dy, kh, o, os);
      for (; c + 8 <= d->c; c += 8) ca_dw_pair3_step(1, d, c, x, dy, kh, o, os);
      if (c < d->c) ca_dw_pair3_step(1, d, d->c - 8, x, dy, kh, o, os);
    }
  }
  for (; n >= 2; n -= 2, x += 2 * xs, o += 2 * os) {
    int32_t c = 0;
    for (; c + 16 <= d->c; c += 16) ca_dw_pair_step(2, d, c, x, xs, dy, dx, kh, kw, o, os);
    for (; c + 8 <= d->c; c += 8) ca_dw_pair_step(1, d, c, x, xs, dy, dx, kh, kw, o, os);
    if (c < d->c) ca_dw_pair_step(1, d, d->c - 8, x, xs, dy, dx, kh, kw, o, os);
  }
  if (n) {
    int32_t c = 0;
    for (; c + 16 <= d->c; c += 16) ca_dw_step(2, d, c, x, dy, dx, 0, kh, 0, kw, o);
    for (; c + 8 <= d->c; c += 8) ca_dw_step(1, d, c, x, dy, dx, 0, kh, 0, kw, o);
    if (c < d->c) ca_dw_step(1, d, d->c - 8, x, dy, dx, 0, kh, 0, kw, o);
  }
}

static void ca_dw_pixel(const ca_dw *d, intptr_t x, intptr_t dy, intptr_t dx, int32_t ky0, int32_t ky1,
                        int32_t kx0, int32_t kx1, int8_t *o) {
  int32_t c = 0;
  for (; c + 16 <= d->c; c += 16) ca_dw_step(2, d, c, x, dy, dx, ky0, ky1, kx0, kx1, o);
  for (; c + 8 <= d->c; c += 8) ca_dw_step(1, d, c, x, dy, dx, ky0, ky1, kx0, kx1, o);
  if (c < d->c) ca_dw_step(1, d, d->c - 8, x, dy, dx, ky0, ky1, kx0, kx1, o);
}

void SPRAT_CA(depthwise_conv_s8)(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                 const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out,
                                 int32_t row_begin, int32_t row_end) {
  const sprat_shape4 *is = &p->in, *fs = &p->filter, *os = &p->out;
  if (p->depth_multiplier != 1 || is->c < 8) {
    sprat_portable_depthwise_conv2d_s8(p, in, filter, bias, multiplier, shift, out, NULL, row_begin, row_end);
    return;
  }
  ca_dw d;
  d.in = in, d.filter = filter, d.bias = bias, d.mult = multiplier, d.shift = shift;
  d.c = is->c, d.kw = fs->w;
  d.row = (intptr_t)is->w * is->c;
  d.zp = vdupq_n_s8((int8_t)-p->input_offset);
  d.out_offset = vdupq_n_s32(p->output_offset);
  d.act_min = vdupq_n_s32(p->act_min);
  d.act_max = vdupq_n_s32(p->act_max);
  d.lo8 = vdupq_n_s8((int8_t)p->act_min);
  d.hi8 = vdupq_n_s8((int8_t)p->act_max);
  const int32_t dh = p->dilation_h, dw = p->dilation_w;
  const intptr_t dy = (intptr_t)dh * d.row, dx = (intptr_t)dw * is->c, xs = (intptr_t)p->stride_w * is->c;
  const int32_t ew = (fs->w - 1) * dw + 1;
  int32_t ox0 = 0, ox1 = os->w;
  while (ox0 < ox1 && ox0 * p->stride_w - p->pad_left < 0) ++ox0;
  while (ox1 > ox0 && (ox1 - 1) * p->stride_w - p->pad_left + ew > is->w) --ox1;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      int32_t ky0 = 0, ky1 = fs->h;
      while (ky0 < ky1 && y0 + ky0 * dh < 0) ++ky0;
      while (ky1 > ky0 && y0 + (ky1 - 1) * dh >= is->h) --ky1;
      int8_t *orow = out + ((intptr_t)b * os->h + oy) * os->w * os->c;
      const intptr_t yrow = ((intptr_t)b * is->h + y0) * d.row;
      // Rows whose windows stay inside the image: the interior columns
      // [ox0, ox1) in one run.
      const int row_in = ky0 == 0 && ky1 == fs->h;
      const int32_t a = row_in ? ox0 : os->w, e = row_in ? ox1 : os->w;
      for (int32_t ox = 0; ox < os->w; ++ox) {
        if (ox == a && a < e) {
          ca_dw_run(&d, yrow + (intptr_t)(a * p->stride_w - p->pad_left) * is->c, xs, dy, dx, fs->h, fs->w,
                    orow + (intptr_t)a * os->c, os->c, e - a);
          ox = e - 1;
          continue;
        }
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        int32_t kx0 = 0, kx1 = fs->w;
        while (kx0 < kx1 && x0 + kx0 * dw < 0) ++kx0;
        while (kx1 > kx0 && x0 + (kx1 - 1) * dw >= is->w) --kx1;
        ca_dw_pixel(&d, yrow + (intptr_t)x0 * is->c, dy, dx, ky0, ky1, kx0, kx1, orow + (intptr_t)ox * os->c);
      }
    }
  }
}
