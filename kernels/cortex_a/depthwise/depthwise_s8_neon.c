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
  int16x4_t h[4];
  for (int i = 0; i < 2 * H; ++i) {
    const ca_rq q = ca_rq_make(vld1q_s32(d->mult + c + 4 * i), vld1q_s32(d->shift + c + 4 * i));
    h[i] = ca_finish(ca_mbqm(acc[i], &q), d->out_offset, d->act_min, d->act_max);
  }
  const int8x8_t lo = vmovn_s16(vcombine_s16(h[0], h[1]));
  if (H == 2)
    vst1q_s8(o + c, vcombine_s8(lo, vmovn_s16(vcombine_s16(h[2], h[3]))));
  else
    vst1_s8(o + c, lo);
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
  const int32_t dh = p->dilation_h, dw = p->dilation_w;
  const intptr_t dy = (intptr_t)dh * d.row, dx = (intptr_t)dw * is->c;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      int32_t ky0 = 0, ky1 = fs->h;
      while (ky0 < ky1 && y0 + ky0 * dh < 0) ++ky0;
      while (ky1 > ky0 && y0 + (ky1 - 1) * dh >= is->h) --ky1;
      int8_t *orow = out + ((intptr_t)b * os->h + oy) * os->w * os->c;
      for (int32_t ox = 0; ox < os->w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        int32_t kx0 = 0, kx1 = fs->w;
        while (kx0 < kx1 && x0 + kx0 * dw < 0) ++kx0;
        while (kx1 > kx0 && x0 + (kx1 - 1) * dw >= is->w) --kx1;
        const intptr_t origin = ((intptr_t)b * is->h + y0) * d.row + (intptr_t)x0 * is->c;
        ca_dw_pixel(&d, origin, dy, dx, ky0, ky1, kx0, kx1, orow + (intptr_t)ox * os->c);
      }
    }
  }
}
