// CONV_2D, int8, layout PLAIN: a GEMM of output pixels by output channels
// read straight from the image (no im2col, no scratch). Ungrouped layers
// of any window, stride, dilation and padding; grouped ones run the
// portable kernel.
//
// The products are of raw int8 values (SDOT, or SMULL + SADALP); the input
// offset comes back as offset * (the sum of the taps read), which is the
// portable kernel's sum of filter * (input + offset) modulo 2^32, the
// arithmetic both wrap in. Interior pixels read every tap: their
// corrected biases are made once per call. Border pixels read the taps
// inside the image only and sum those taps as they go.
//
// Output pixels are made in raster order, two at a time, and a pair's
// windows are read before either pixel is written (converter/access.py's
// allowance for the output overlapping the input). The corrected biases
// of up to CA_CONV_MAX_OC channels sit on the stack; a wider layer is cut
// into chunks of channels, each over every pixel, when its input and
// output do not overlap, else it runs the portable kernel.
#include "kernels/cortex_a/cortex_a.h"
#include "kernels/cortex_a/neon.h"

#define CA_CONV_MAX_OC 2048

// The taps a window reads: rows x cols runs of len bytes, at the given
// byte steps in the input and in a filter row.
typedef struct {
  int32_t rows, cols, len;
  intptr_t in_row, in_col;
  int32_t f_row, f_col;
} ca_win;

typedef struct {
  int32x4_t out_offset, act_min, act_max, in_offset;
} ca_out;

// Window sums for P pixels (x[p]: the first byte each reads) and four
// filter rows (w[o]): res[p] lane o. WS: also the sums of the taps read,
// per row, into *ws.
CA_INLINE void ca_tile(const int P, const int WS, const int8_t *const *x, const int8_t *const *w,
                       const ca_win *win, int32x4_t *res, int32x4_t *ws) {
  int32x4_t acc[2][4], s[4];
  for (int o = 0; o < 4; ++o) {
    s[o] = vdupq_n_s32(0);
    for (int p = 0; p < P; ++p) acc[p][o] = vdupq_n_s32(0);
  }
  const int32_t len = win->len;
  for (int32_t r = 0; r < win->rows; ++r) {
    for (int32_t c = 0; c < win->cols; ++c) {
      const intptr_t oi = r * win->in_row + c * win->in_col;
      const int32_t of = r * win->f_row + c * win->f_col;
      const int8_t *xp[2], *wp[4];
      for (int p = 0; p < P; ++p) xp[p] = x[p] + oi;
      for (int o = 0; o < 4; ++o) wp[o] = w[o] + of;
      int32_t d = 0;
      for (; d + 16 <= len; d += 16) {
        int8x16_t wv[4], xv[2];
        for (int o = 0; o < 4; ++o) wv[o] = vld1q_s8(wp[o] + d);
        for (int p = 0; p < P; ++p) xv[p] = vld1q_s8(xp[p] + d);
        for (int p = 0; p < P; ++p)
          for (int o = 0; o < 4; ++o) acc[p][o] = ca_dot16(acc[p][o], wv[o], xv[p]);
        if (WS)
          for (int o = 0; o < 4; ++o) s[o] = ca_sum16(s[o], wv[o]);
      }
      if (d < len) {
        int8x8_t wv[4], xv[2];
        int32_t at = d;
        if (len - d >= 8) {
          for (int o = 0; o < 4; ++o) wv[o] = vld1_s8(wp[o] + d);
          for (int p = 0; p < P; ++p) xv[p] = vld1_s8(xp[p] + d);
          for (int p = 0; p < P; ++p)
            for (int o = 0; o < 4; ++o) acc[p][o] = ca_dot8(acc[p][o], wv[o], xv[p]);
          if (WS)
            for (int o = 0; o < 4; ++o) s[o] = ca_sum8(s[o], wv[o]);
          at = d + 8;
        }
        if (at < len) {
          const int32_t n = len - at;
          if (len >= 8) {
            // The run's last 8 bytes, the ones counted already masked off.
            const int8x8_t m = ca_tail_mask8(n);
            for (int o = 0; o < 4; ++o) wv[o] = vand_s8(vld1_s8(wp[o] + len - 8), m);
            for (int p = 0; p < P; ++p) xv[p] = vld1_s8(xp[p] + len - 8);
          } else {
            for (int o = 0; o < 4; ++o) wv[o] = ca_load_partial8(wp[o], n);
            for (int p = 0; p < P; ++p) xv[p] = ca_load_partial8(xp[p], n);
          }
          for (int p = 0; p < P; ++p)
            for (int o = 0; o < 4; ++o) acc[p][o] = ca_dot8(acc[p][o], wv[o], xv[p]);
          if (WS)
            for (int o = 0; o < 4; ++o) s[o] = ca_sum8(s[o], wv[o]);
        }
      }
    }
  }
  for (int p = 0; p < P; ++p) res[p] = ca_reduce4(acc[p][0], acc[p][1], acc[p][2], acc[p][3]);
  if (WS) *ws = ca_reduce4(s[0], s[1], s[2], s[3]);
}

// Requantizes P pixels' sums (bias included) of 4 channels and stores the
// first n (1..4) of them at o[p].
CA_INLINE void ca_store(const int P, const int32x4_t *v, const ca_rq *q, const ca_out *k, int8_t *const *o,
                        int32_t n) {
  int16x4_t h[2];
  for (int p = 0; p < P; ++p) h[p] = ca_finish(ca_mbqm(v[p], q), k->out_offset, k->act_min, k->act_max);
  const int8x8_t b = vmovn_s16(vcombine_s16(h[0], h[P - 1]));
  if (n == 4) {
    vst1_lane_u32((uint32_t *)(void *)o[0], vreinterpret_u32_s8(b), 0);
    if (P > 1) vst1_lane_u32((uint32_t *)(void *)o[1], vreinterpret_u32_s8(b), 1);
  } else {
    int8_t t[8];
    vst1_s8(t, b);
    for (int32_t i = 0; i < n; ++i) {
      o[0][i] = t[i];
      if (P > 1) o[1][i] = t[4 + i];
    }
  }
}

typedef struct {
  const sprat_conv_params *p;
  const int8_t *filter;
  const int32_t *bias, *mult, *shift;
  int32_t c0, c1, depth;
  const int32_t *bias_eff;  // [c1 - c0 rounded up to 4]: bias + offset * row sum
  ca_out k;
} ca_job;

// The four filter rows, multipliers and shifts of the group at channel c
// (the lanes past c1 repeat the last channel: computed, not stored).
CA_INLINE int32_t ca_group(const ca_job *j, int32_t c, const int8_t **w, ca_rq *q, int32x4_t *raw_bias) {
  const int32_t n = j->c1 - c < 4 ? j->c1 - c : 4;
  if (n == 4) {
    for (int o = 0; o < 4; ++o) w[o] = j->filter + (intptr_t)(c + o) * j->depth;
    *q = ca_rq_make(vld1q_s32(j->mult + c), vld1q_s32(j->shift + c));
    if (raw_bias) *raw_bias = j->bias ? vld1q_s32(j->bias + c) : vdupq_n_s32(0);
  } else {
    int32_t m[4], s[4], b[4];
    for (int o = 0; o < 4; ++o) {
      const int32_t ch = c + (o < n ? o : n - 1);
      w[o] = j->filter + (intptr_t)ch * j->depth;
      m[o] = j->mult[ch], s[o] = j->shift[ch], b[o] = j->bias ? j->bias[ch] : 0;
    }
    *q = ca_rq_make(vld1q_s32(m), vld1q_s32(s));
    if (raw_bias) *raw_bias = vld1q_s32(b);
  }
  return n;
}

// P interior pixels: windows at x[p], outputs at o[p] (channel c0 on).
CA_INLINE void ca_interior(const int P, const ca_job *j, const ca_win *win, const int8_t *const *x,
                           int8_t *const *o) {
  for (int32_t c = j->c0; c < j->c1; c += 4) {
    const int8_t *w[4];
    ca_rq q;
    const int32_t n = ca_group(j, c, w, &q, NULL);
    int32x4_t v[2];
    ca_tile(P, 0, x, w, win, v, NULL);
    const int32x4_t be = vld1q_s32(j->bias_eff + (c - j->c0));
    for (int p = 0; p < P; ++p) v[p] = vaddq_s32(v[p], be);
    int8_t *op[2];
    for (int p = 0; p < P; ++p) op[p] = o[p] + (c - j->c0);
    ca_store(P, v, &q, &j->k, op, n);
  }
}

static void ca_pair(const ca_job *j, const ca_win *win, const int8_t *const *x, int8_t *const *o) {
  ca_interior(2, j, win, x, o);
}

static void ca_single(const ca_job *j, const ca_win *win, const int8_t *x, int8_t *o) {
  ca_interior(1, j, win, &x, &o);
}

// A pixel whose window leaves the image: the taps inside it only.
static void ca_border(const ca_job *j, const int8_t *in, int32_t b, int32_t y0, int32_t x0, int8_t *o) {
  const sprat_conv_params *p = j->p;
  const sprat_shape4 *is = &p->in, *fs = &p->filter;
  const int32_t dh = p->dilation_h, dw = p->dilation_w;
  int32_t ky0 = 0, ky1 = fs->h, kx0 = 0, kx1 = fs->w;
  while (ky0 < ky1 && y0 + ky0 * dh < 0) ++ky0;
  while (ky1 > ky0 && y0 + (ky1 - 1) * dh >= is->h) --ky1;
  while (kx0 < kx1 && x0 + kx0 * dw < 0) ++kx0;
  while (kx1 > kx0 && x0 + (kx1 - 1) * dw >= is->w) --kx1;
  ca_win win = {0};
  const int8_t *x = in;
  int32_t foff = 0;
  if (ky0 < ky1 && kx0 < kx1) {
    win.rows = ky1 - ky0;
    win.in_row = (intptr_t)dh * is->w * is->c;
    win.f_row = fs->w * fs->c;
    if (dw == 1) {
      win.cols = 1, win.len = (kx1 - kx0) * fs->c;
    } else {
      win.cols = kx1 - kx0, win.len = fs->c;
      win.in_col = (intptr_t)dw * is->c, win.f_col = fs->c;
    }
    x = in + (((intptr_t)b * is->h + y0 + ky0 * dh) * is->w + x0 + kx0 * dw) * is->c;
    foff = (ky0 * fs->w + kx0) * fs->c;
  }
  for (int32_t c = j->c0; c < j->c1; c += 4) {
    const int8_t *w[4];
    ca_rq q;
    int32x4_t raw;
    const int32_t n = ca_group(j, c, w, &q, &raw);
    for (int k = 0; k < 4; ++k) w[k] += foff;
    int32x4_t v, ws;
    ca_tile(1, 1, &x, w, &win, &v, &ws);
    v = vmlaq_s32(vaddq_s32(v, raw), ws, j->k.in_offset);
    int8_t *op = o + (c - j->c0);
    ca_store(1, &v, &q, &j->k, &op, n);
  }
}

static int32_t ca_row_sum(const int8_t *w, int32_t n) {
  int32x4_t s = vdupq_n_s32(0);
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) s = vpadalq_s16(s, vpaddlq_s8(vld1q_s8(w + i)));
  uint32_t t = (uint32_t)vaddvq_s32(s);
  for (; i < n; ++i) t += (uint32_t)(int32_t)w[i];
  return (int32_t)t;
}

// Output channels [c0, c1) of rows [row_begin, row_end) of every image.
static void ca_conv_range(ca_job *j, const int8_t *in, int8_t *out, int32_t row_begin, int32_t row_end) {
  const sprat_conv_params *p = j->p;
  const sprat_shape4 *is = &p->in, *fs = &p->filter, *os = &p->out;
  int32_t bias_eff[CA_CONV_MAX_OC + 4];
  const int32_t nc = j->c1 - j->c0;
  for (int32_t k = 0; k < nc; ++k) {
    const int32_t ch = j->c0 + k;
    const uint32_t rs = (uint32_t)ca_row_sum(j->filter + (intptr_t)ch * j->depth, j->depth);
    bias_eff[k] = (int32_t)((j->bias ? (uint32_t)j->bias[ch] : 0u) + (uint32_t)p->input_offset * rs);
  }
  for (int32_t k = nc; k < nc + 4; ++k) bias_eff[k] = bias_eff[nc - 1];
  j->bias_eff = bias_eff;
  const int32_t dh = p->dilation_h, dw = p->dilation_w;
  ca_win win = {0};
  win.rows = fs->h;
  win.in_row = (intptr_t)dh * is->w * is->c;
  win.f_row = fs->w * fs->c;
  if (dw == 1) {
    win.cols = 1, win.len = fs->w * fs->c;
  } else {
    win.cols = fs->w, win.len = fs->c;
    win.in_col = (intptr_t)dw * is->c, win.f_col = fs->c;
  }
  const int32_t eh = (fs->h - 1) * dh + 1, ew = (fs->w - 1) * dw + 1;
  const int8_t *px[2];
  int8_t *po[2];
  int pending = 0;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      const int row_in = y0 >= 0 && y0 + eh <= is->h;
      int8_t *orow = out + ((intptr_t)b * os->h + oy) * os->w * os->c + j->c0;
      for (int32_t ox = 0; ox < os->w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        int8_t *o = orow + (intptr_t)ox * os->c;
        if (row_in && x0 >= 0 && x0 + ew <= is->w) {
          px[pending] = in + (((intptr_t)b * is->h + y0) * is->w + x0) * is->c;
          po[pending] = o;
          if (++pending == 2) {
            ca_pair(j, &win, px, po);
            pending = 0;
          }
        } else {
          if (pending) ca_single(j, &win, px[0], po[0]);
          pending = 0;
          ca_border(j, in, b, y0, x0, o);
        }
      }
    }
  }
  if (pending) ca_single(j, &win, px[0], po[0]);
  j->bias_eff = NULL;
}

void SPRAT_CA(conv_s8)(const sprat_conv_params *p, const int8_t *in, const int8_t *filter, const int32_t *bias,
                       const int32_t *multiplier, const int32_t *shift, int8_t *out, int32_t row_begin,
                       int32_t row_end) {
  const sprat_shape4 *is = &p->in, *fs = &p->filter, *os = &p->out;
  const uintptr_t ib = (uintptr_t)in, ie = ib + (uintptr_t)is->n * is->h * is->w * is->c;
  const uintptr_t ob = (uintptr_t)out, oe = ob + (uintptr_t)os->n * os->h * os->w * os->c;
  const int disjoint = oe <= ib || ie <= ob;
  if (fs->c != is->c || row_begin >= row_end || (os->c > CA_CONV_MAX_OC && !disjoint)) {
    sprat_portable_conv2d_s8(p, in, filter, bias, multiplier, shift, out, NULL, row_begin, row_end);
    return;
  }
  ca_job j = {p, filter, bias, multiplier, shift, 0, 0, fs->h * fs->w * fs->c, NULL, {{0}}};
  j.k.out_offset = vdupq_n_s32(p->output_offset);
  j.k.act_min = vdupq_n_s32(p->act_min);
  j.k.act_max = vdupq_n_s32(p->act_max);
  j.k.in_offset = vdupq_n_s32(p->input_offset);
  for (int32_t c0 = 0; c0 < os->c; c0 += CA_CONV_MAX_OC) {
    j.c0 = c0;
    j.c1 = os->c - c0 > CA_CONV_MAX_OC ? c0 + CA_CONV_MAX_OC : os->c;
    ca_conv_range(&j, in, out, row_begin, row_end);
  }
}
