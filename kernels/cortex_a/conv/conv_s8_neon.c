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
// of up to CA_CONV_MAX_OC channels sit on the stack (4 KiB), beside two
// gathered windows of up to CA_GATHER_MAX bytes; a wider layer is cut
// into chunks of channels, each over every pixel, when its input and
// output do not overlap, else it runs the portable kernel.
#include "kernels/cortex_a/cortex_a.h"
#include "kernels/cortex_a/neon.h"

#define CA_CONV_MAX_OC 1024
// Windows of several runs (KxK, dilated) up to this many bytes are copied
// into one run per pixel pair (on the stack) and read by the one-run tile.
#define CA_GATHER_MAX 1024
// The filter of a gathered layer with rows padded to 16 bytes, when it
// fits this many bytes (on the stack).
#define CA_PAD_MAX 2048

// The taps a window reads: rows x cols runs of len bytes, at the given
// byte steps in the input and in a filter row.
typedef struct {
  int32_t rows, cols, len;
  intptr_t in_row, in_col;
  int32_t f_row, f_col;
} ca_win;

typedef struct {
  int32x4_t out_offset, act_min, act_max, in_offset;
  int8x8_t lo8, hi8;  // the activation's clamp as int8 lanes
} ca_out;

// Window sums for P pixels (x[p]: the first byte each reads) and G groups
// of four filter rows (w[4 g + o]): res[p * G + g] lane o. WS: also the
// sums of the taps read, per row, into ws[g].
CA_INLINE void ca_tile(const int P, const int G, const int WS, const int8_t *const *x, const int8_t *const *w,
                       const ca_win *win, int32x4_t *res, int32x4_t *ws) {
  int32x4_t acc[2][8], s[8];
  CA_UNROLL
  for (int o = 0; o < 4 * G; ++o) {
    s[o] = vdupq_n_s32(0);
    CA_UNROLL
    for (int p = 0; p < P; ++p) acc[p][o] = vdupq_n_s32(0);
  }
  const int32_t len = win->len;
  for (int32_t r = 0; r < win->rows; ++r) {
    for (int32_t c = 0; c < win->cols; ++c) {
      const intptr_t oi = r * win->in_row + c * win->in_col;
      const int32_t of = r * win->f_row + c * win->f_col;
      const int8_t *xp[2], *wp[8];
      CA_UNROLL
      for (int p = 0; p < P; ++p) xp[p] = x[p] + oi;
      CA_UNROLL
      for (int o = 0; o < 4 * G; ++o) wp[o] = w[o] + of;
      int32_t d = 0;
      for (; d + 16 <= len; d += 16) {
        int8x16_t xv[2];
        CA_UNROLL
        for (int p = 0; p < P; ++p) xv[p] = vld1q_s8(xp[p] + d);
        CA_UNROLL
        for (int o = 0; o < 4 * G; ++o) {
          const int8x16_t wv = vld1q_s8(wp[o] + d);
          CA_UNROLL
          for (int p = 0; p < P; ++p) acc[p][o] = ca_dot16(acc[p][o], wv, xv[p]);
          if (WS) s[o] = ca_sum16(s[o], wv);
        }
      }
      if (d + 8 <= len) {
        int8x8_t xv[2];
        CA_UNROLL
        for (int p = 0; p < P; ++p) xv[p] = vld1_s8(xp[p] + d);
        CA_UNROLL
        for (int o = 0; o < 4 * G; ++o) {
          const int8x8_t wv = vld1_s8(wp[o] + d);
          CA_UNROLL
          for (int p = 0; p < P; ++p) acc[p][o] = ca_dot8(acc[p][o], wv, xv[p]);
          if (WS) s[o] = ca_sum8(s[o], wv);
        }
        d += 8;
      }
      if (d < len) {
        const int32_t n = len - d;
        int8x8_t xv[2];
        if (len >= 8) {
          // The run's last 8 bytes, the ones counted already masked off.
          const int8x8_t m = ca_tail_mask8(n);
          CA_UNROLL
          for (int p = 0; p < P; ++p) xv[p] = vld1_s8(xp[p] + len - 8);
          CA_UNROLL
          for (int o = 0; o < 4 * G; ++o) {
            const int8x8_t wv = vand_s8(vld1_s8(wp[o] + len - 8), m);
            CA_UNROLL
            for (int p = 0; p < P; ++p) acc[p][o] = ca_dot8(acc[p][o], wv, xv[p]);
            if (WS) s[o] = ca_sum8(s[o], wv);
          }
        } else {
          CA_UNROLL
          for (int p = 0; p < P; ++p) xv[p] = ca_load_partial8(xp[p], n);
          CA_UNROLL
          for (int o = 0; o < 4 * G; ++o) {
            const int8x8_t wv = ca_load_partial8(wp[o], n);
            CA_UNROLL
            for (int p = 0; p < P; ++p) acc[p][o] = ca_dot8(acc[p][o], wv, xv[p]);
            if (WS) s[o] = ca_sum8(s[o], wv);
          }
        }
      }
    }
  }
  CA_UNROLL
  for (int p = 0; p < P; ++p)
    CA_UNROLL
    for (int g = 0; g < G; ++g)
      res[p * G + g] = ca_reduce4(acc[p][4 * g], acc[p][4 * g + 1], acc[p][4 * g + 2], acc[p][4 * g + 3]);
  if (WS)
    CA_UNROLL
    for (int g = 0; g < G; ++g) ws[g] = ca_reduce4(s[4 * g], s[4 * g + 1], s[4 * g + 2], s[4 * g + 3]);
}

// The hot tile: 2 pixels x 8 consecutive filter rows (row o at w + o *
// ws), the 16 accumulators named (GCC keeps an array of them in memory
// across the window's runs). res[g], res[2 + g]: pixel 0, 1; lanes: rows
// 4 g .. 4 g + 3. One run of len bytes at xp0, xp1 and wr:
#define CA_ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define CA_RUN_2X8(xp0, xp1, wr)                                       \
  {                                                                    \
    int32_t d = 0;                                                     \
    for (; d + 16 <= len; d += 16) {                                   \
      const int8x16_t x0v = vld1q_s8(xp0 + d), x1v = vld1q_s8(xp1 + d); \
      CA_ROWS8(CA_STEP16)                                              \
    }                                                                  \
    if (d + 8 <= len) {                                                \
      const int8x8_t x0v = vld1_s8(xp0 + d), x1v = vld1_s8(xp1 + d);   \
      CA_ROWS8(CA_STEP8)                                               \
      d += 8;                                                          \
    }                                                                  \
    if (d < len) {                                                     \
      if (len >= 8) {                                                  \
        const int8x8_t m = ca_tail_mask8(len - d);                     \
        const int8x8_t x0v = vand_s8(vld1_s8(xp0 + len - 8), m);       \
        const int8x8_t x1v = vand_s8(vld1_s8(xp1 + len - 8), m);       \
        d = len - 8;                                                   \
        CA_ROWS8(CA_STEP8)                                             \
      } else {                                                         \
        const int8x8_t x0v = ca_load_partial8(xp0, len);               \
        const int8x8_t x1v = ca_load_partial8(xp1, len);               \
        CA_ROWS8(CA_STEPP)                                             \
      }                                                                \
    }                                                                  \
  }
#define CA_STEP16(o)                                  \
  {                                                   \
    const int8x16_t wv = vld1q_s8(wr + o * ws + d);   \
    a0##o = W127 ? ca_dot16_w127(a0##o, wv, x0v) : ca_dot16(a0##o, wv, x0v); \
    a1##o = W127 ? ca_dot16_w127(a1##o, wv, x1v) : ca_dot16(a1##o, wv, x1v); \
  }
#define CA_STEP8(o)                                   \
  {                                                   \
    const int8x8_t wv = vld1_s8(wr + o * ws + d);     \
    a0##o = ca_dot8(a0##o, wv, x0v);                  \
    a1##o = ca_dot8(a1##o, wv, x1v);                  \
  }
#define CA_STEPP(o)                                       \
  {                                                       \
    const int8x8_t wv = ca_load_partial8(wr + o * ws, len); \
    a0##o = ca_dot8(a0##o, wv, x0v);                      \
    a1##o = ca_dot8(a1##o, wv, x1v);                      \
  }
static inline __attribute__((always_inline)) void ca_tile_2x8(const int W127, const int8_t *x0, const int8_t *x1,
                                                               const int8_t *w,
                                                               intptr_t ws, const ca_win *win, int32x4_t *res) {
#define CA_DECL(o) int32x4_t a0##o = vdupq_n_s32(0), a1##o = vdupq_n_s32(0);
  CA_ROWS8(CA_DECL)
#undef CA_DECL
  const int32_t len = win->len;
  if (win->rows == 1 && win->cols == 1) {
    const int8_t *wr = w;
    CA_RUN_2X8(x0, x1, wr)
  } else {
    for (int32_t r = 0; r < win->rows; ++r) {
      for (int32_t c = 0; c < win->cols; ++c) {
        const intptr_t oi = r * win->in_row + c * win->in_col;
        const int8_t *xp0 = x0 + oi, *xp1 = x1 + oi, *wr = w + r * win->f_row + c * win->f_col;
        CA_RUN_2X8(xp0, xp1, wr)
      }
    }
  }
  res[0] = ca_reduce4(a00, a01, a02, a03);
  res[1] = ca_reduce4(a04, a05, a06, a07);
  res[2] = ca_reduce4(a10, a11, a12, a13);
  res[3] = ca_reduce4(a14, a15, a16, a17);
}
#undef CA_STEP16
#undef CA_STEP8
#undef CA_STEPP
#undef CA_RUN_2X8
#undef CA_ROWS8

#ifdef SPRAT_CA_DOTPROD
// The 2x8 tile of a window of exactly 8 bytes (1x1 over 8 channels): both
// pixels in one vector, each row loaded into both halves, one SDOT per row
// (lanes: pixel 0's two halves, pixel 1's), where the general tile would
// spend two on half-empty vectors.
static inline __attribute__((always_inline)) void ca_tile_2x8_d8(const int8_t *x0, const int8_t *x1,
                                                                  const int8_t *w, int32x4_t *res) {
  const int8x16_t xv = vcombine_s8(vld1_s8(x0), vld1_s8(x1));
  int32x4_t a[8];
  CA_UNROLL
  for (int o = 0; o < 8; ++o) {
    const int8x16_t wv = vreinterpretq_s8_s64(vld1q_dup_s64((const int64_t *)(const void *)(w + 8 * o)));
    a[o] = vdotq_s32(vdupq_n_s32(0), wv, xv);
  }
  // [o p0 p0 p1 p1] pairs summed, then pixel 0's lanes and pixel 1's apart.
  const int32x4_t s01 = vpaddq_s32(a[0], a[1]), s23 = vpaddq_s32(a[2], a[3]);
  const int32x4_t s45 = vpaddq_s32(a[4], a[5]), s67 = vpaddq_s32(a[6], a[7]);
  res[0] = vuzp1q_s32(s01, s23), res[1] = vuzp1q_s32(s45, s67);
  res[2] = vuzp2q_s32(s01, s23), res[3] = vuzp2q_s32(s45, s67);
}
#endif

typedef struct {
  const sprat_conv_params *p;
  const int8_t *filter;
  const int32_t *bias, *mult, *shift;
  int32_t c0, c1, depth;
  const int32_t *bias_eff;  // [c1 - c0, then 8 more]: bias + offset * row sum
  const int8_t *in_end;     // one past the input's last byte
  int w127;                 // no weight of channels [c0, c1) is -128 (ca_dot16_w127)
  ca_out k;
} ca_job;

// The 4 * G filter rows of the group at channel c (lanes past c1 repeat
// the last channel: computed, not stored); returns how many it stores.
CA_INLINE int32_t ca_rows(const int G, const ca_job *j, int32_t c, const int8_t **w) {
  const int32_t n = j->c1 - c < 4 * G ? j->c1 - c : 4 * G;
  CA_UNROLL
  for (int o = 0; o < 4 * G; ++o) w[o] = j->filter + (intptr_t)(c + (o < n ? o : n - 1)) * j->depth;
  return n;
}

// Their requantization constants (and raw biases), loaded after the sums:
// the tile needs every register.
CA_INLINE void ca_consts(const int G, const ca_job *j, int32_t c, int32_t n, ca_rq *q, int32x4_t *raw_bias) {
  if (n == 4 * G) {
    CA_UNROLL
    for (int g = 0; g < G; ++g) {
      q[g] = ca_rq_make(vld1q_s32(j->mult + c + 4 * g), vld1q_s32(j->shift + c + 4 * g));
      if (raw_bias) raw_bias[g] = j->bias ? vld1q_s32(j->bias + c + 4 * g) : vdupq_n_s32(0);
    }
  } else {
    int32_t m[8], s[8], b[8];
    for (int o = 0; o < 4 * G; ++o) {
      const int32_t ch = c + (o < n ? o : n - 1);
      m[o] = j->mult[ch], s[o] = j->shift[ch], b[o] = j->bias ? j->bias[ch] : 0;
    }
    CA_UNROLL
    for (int g = 0; g < G; ++g) {
      q[g] = ca_rq_make(vld1q_s32(m + 4 * g), vld1q_s32(s + 4 * g));
      if (raw_bias) raw_bias[g] = vld1q_s32(b + 4 * g);
    }
  }
}

// Requantizes P pixels' sums (bias included) of G groups and stores the
// first n channels at o[p].
CA_INLINE void ca_store(const int P, const int G, const int32x4_t *v, const ca_rq *q, const ca_out *k,
                        int8_t *const *o, int32_t n) {
  CA_UNROLL
  for (int p = 0; p < P; ++p) {
    const int32x4_t r0 = ca_mbqm(v[p * G], &q[0]), r1 = G == 2 ? ca_mbqm(v[p * G + 1], &q[1]) : r0;
    const int8x8_t b = ca_pack8(r0, r1, k->out_offset, k->lo8, k->hi8);
    if (n == 4 * G && G == 2) {
      vst1_s8(o[p], b);
    } else {
      ca_store_lanes(o[p], b, 0, n < 4 ? n : 4);
      if (G == 2 && n > 4) ca_store_lanes(o[p] + 4, b, 1, n - 4);
    }
  }
}

// P interior pixels: windows at x[p], outputs at o[p] (channel c0 on).
CA_INLINE void ca_interior(const int P, const ca_job *j, const ca_win *win, const int8_t *const *x,
                           int8_t *const *o) {
  int32_t c = j->c0;
  for (; c + 8 <= j->c1; c += 8) {
    const int32_t n = 8;
    int32x4_t v[4];
    // One pixel: the pair's tile on it twice (half of it wasted, but the
    // tile that keeps its accumulators in registers).
    const int8_t *w = j->filter + (intptr_t)c * j->depth;
#ifdef SPRAT_CA_DOTPROD
    if (win->len == 8 && win->rows == 1 && win->cols == 1)
      ca_tile_2x8_d8(x[0], x[P - 1], w, v);
    else
      ca_tile_2x8(0, x[0], x[P - 1], w, j->depth, win, v);
#else
    if (j->w127)
      ca_tile_2x8(1, x[0], x[P - 1], w, j->depth, win, v);
    else
      ca_tile_2x8(0, x[0], x[P - 1], w, j->depth, win, v);
#endif
    ca_rq q[2];
    ca_consts(2, j, c, n, q, NULL);
    const int32x4_t b0 = vld1q_s32(j->bias_eff + (c - j->c0)), b1 = vld1q_s32(j->bias_eff + (c - j->c0) + 4);
    CA_UNROLL
    for (int p = 0; p < P; ++p) v[2 * p] = vaddq_s32(v[2 * p], b0), v[2 * p + 1] = vaddq_s32(v[2 * p + 1], b1);
    int8_t *op[2];
    CA_UNROLL
    for (int p = 0; p < P; ++p) op[p] = o[p] + (c - j->c0);
    ca_store(P, 2, v, q, &j->k, op, n);
  }
  for (; c < j->c1; c += 4) {
    const int8_t *w[4];
    const int32_t n = ca_rows(1, j, c, w);
    int32x4_t v[2];
    ca_tile(P, 1, 0, x, w, win, v, NULL);
    ca_rq q[1];
    ca_consts(1, j, c, n, q, NULL);
    const int32x4_t be = vld1q_s32(j->bias_eff + (c - j->c0));
    CA_UNROLL
    for (int p = 0; p < P; ++p) v[p] = vaddq_s32(v[p], be);
    int8_t *op[2];
    CA_UNROLL
    for (int p = 0; p < P; ++p) op[p] = o[p] + (c - j->c0);
    ca_store(P, 1, v, q, &j->k, op, n);
  }
}

// Copies the window's runs at x into one run at dst (every window read
// before any of its pixels' outputs is written: the copies are of input
// bytes still intact). 16 bytes a step, the last step of a run reading 16
// bytes only while they lie inside the input; dst has 16 bytes of room.
static void ca_gather(const ca_win *win, const int8_t *x, const int8_t *in_end, int8_t *dst) {
  const int32_t len = win->len, runs = win->rows * win->cols;
  for (int32_t k = 0; k < runs; ++k, dst += len) {
    const int32_t r = win->cols == 1 ? k : k / win->cols, c = win->cols == 1 ? 0 : k % win->cols;
    const int8_t *src = x + r * win->in_row + c * win->in_col;
    int32_t d = 0;
    for (; d + 16 <= len; d += 16) vst1q_s8(dst + d, vld1q_s8(src + d));
    if (d < len) {
      if (src + d + 16 <= in_end) {
        vst1q_s8(dst + d, vld1q_s8(src + d));
      } else {
        for (; d < len; ++d) dst[d] = src[d];
      }
    }
  }
  vst1q_s8(dst, vdupq_n_s8(0));  // what a padded filter row's zeros meet
}

// n interior pixels in a row: windows at x + i * xs, outputs at o + i * os,
// two at a time, then the odd one.
static __attribute__((noinline)) void ca_run(const ca_job *j, const ca_win *win, const int8_t *x, intptr_t xs,
                                             int8_t *o, intptr_t os, int32_t n) {
  if ((win->rows > 1 || win->cols > 1) && j->depth <= CA_GATHER_MAX) {
    int8_t buf[2][CA_GATHER_MAX + 16];
    const ca_win one = {1, 1, j->depth, 0, 0, 0, 0};
    for (; n > 0; n -= 2, x += 2 * xs, o += 2 * os) {
      ca_gather(win, x, j->in_end, buf[0]);
      const int8_t *px[2] = {buf[0], buf[1]};
      int8_t *po[2] = {o, o + os};
      if (n >= 2) {
        ca_gather(win, x + xs, j->in_end, buf[1]);
        ca_interior(2, j, &one, px, po);
      } else {
        ca_interior(1, j, &one, px, po);
      }
    }
    return;
  }
  for (; n >= 2; n -= 2, x += 2 * xs, o += 2 * os) {
    const int8_t *px[2] = {x, x + xs};
    int8_t *po[2] = {o, o + os};
    ca_interior(2, j, win, px, po);
  }
  if (n) ca_interior(1, j, win, &x, &o);
}

// A pixel whose window leaves the image: the taps inside it only.
static __attribute__((noinline)) void ca_border(const ca_job *j, const int8_t *in, int32_t b, int32_t y0,
                                                int32_t x0, int8_t *o) {
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
    const int32_t n = ca_rows(1, j, c, w);
    CA_UNROLL
    for (int k = 0; k < 4; ++k) w[k] += foff;
    int32x4_t v, ws;
    ca_tile(1, 1, 1, &x, w, &win, &v, &ws);
    ca_rq q[1];
    int32x4_t raw;
    ca_consts(1, j, c, n, q, &raw);
    v = vmlaq_s32(vaddq_s32(v, raw), ws, j->k.in_offset);
    int8_t *op = o + (c - j->c0);
    ca_store(1, 1, &v, q, &j->k, &op, n);
  }
}

// The sum of a filter row; *lo: the smaller of it and the row's least weight.
static int32_t ca_row_sum(const int8_t *w, int32_t n, int32_t *lo) {
  int32x4_t s = vdupq_n_s32(0);
  int8x16_t m = vdupq_n_s8(127);
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const int8x16_t v = vld1q_s8(w + i);
    s = ca_sum16(s, v);
#ifndef SPRAT_CA_DOTPROD  // SDOT has no use for it
    m = vminq_s8(m, v);
#endif
  }
  uint32_t t = (uint32_t)vaddvq_s32(s);
  int32_t least = vminvq_s8(m);
  for (; i < n; ++i) {
    t += (uint32_t)(int32_t)w[i];
    if (w[i] < least) least = w[i];
  }
  if (least < *lo) *lo = least;
  return (int32_t)t;
}

// A border pixel's window gathered into one run at dst, the taps outside
// the image set to the input's zero point: they then add nothing to the
// sum of (input + offset) * filter, so the corrected biases hold for it as
// for an interior pixel. dst has 16 bytes of room.
static void ca_gather_padded(const ca_job *j, const int8_t *in, int32_t b, int32_t y0, int32_t x0, int8_t *dst) {
  const sprat_conv_params *p = j->p;
  const sprat_shape4 *is = &p->in, *fs = &p->filter;
  const int32_t ic = is->c;
  const int8x16_t zp = vdupq_n_s8((int8_t)-p->input_offset);
  for (int32_t ky = 0; ky < fs->h; ++ky) {
    const int32_t y = y0 + ky * p->dilation_h;
    for (int32_t kx = 0; kx < fs->w; ++kx, dst += ic) {
      const int32_t x = x0 + kx * p->dilation_w;
      int32_t d = 0;
      if (y < 0 || y >= is->h || x < 0 || x >= is->w) {
        for (; d < ic; d += 16) vst1q_s8(dst + d, zp);
        continue;
      }
      const int8_t *src = in + (((intptr_t)b * is->h + y) * is->w + x) * ic;
      for (; d + 16 <= ic; d += 16) vst1q_s8(dst + d, vld1q_s8(src + d));
      if (d < ic) {
        if (src + d + 16 <= j->in_end) {
          vst1q_s8(dst + d, vld1q_s8(src + d));
        } else {
          for (; d < ic; ++d) dst[d] = src[d];
        }
      }
    }
  }
  vst1q_s8(dst, vdupq_n_s8(0));  // what a padded filter row's zeros meet
}

// Border pixels [ox_a, ox_b) of a row, two at a time, their windows
// gathered (for windows of up to CA_GATHER_MAX bytes).
static __attribute__((noinline)) void ca_border_span(const ca_job *j, const int8_t *in, int32_t b, int32_t y0,
                                                     int32_t ox_a, int32_t ox_b, int8_t *orow) {
  const sprat_conv_params *p = j->p;
  int8_t buf[2][CA_GATHER_MAX + 16];
  const ca_win one = {1, 1, j->depth, 0, 0, 0, 0};
  for (int32_t ox = ox_a; ox < ox_b; ox += 2) {
    const int P = ox + 1 < ox_b ? 2 : 1;
    const int8_t *px[2] = {buf[0], buf[1]};
    int8_t *po[2] = {orow + (intptr_t)ox * p->out.c, orow + (intptr_t)(ox + 1) * p->out.c};
    ca_gather_padded(j, in, b, y0, ox * p->stride_w - p->pad_left, buf[0]);
    if (P == 2) {
      ca_gather_padded(j, in, b, y0, (ox + 1) * p->stride_w - p->pad_left, buf[1]);
      ca_interior(2, j, &one, px, po);
    } else {
      ca_interior(1, j, &one, px, po);
    }
  }
}

// Output channels [c0, c1) of rows [row_begin, row_end) of every image.
static void ca_conv_range(ca_job *j, const int8_t *in, int8_t *out, int32_t row_begin, int32_t row_end) {
  const sprat_conv_params *p = j->p;
  const sprat_shape4 *is = &p->in, *fs = &p->filter, *os = &p->out;
  int32_t bias_eff[CA_CONV_MAX_OC + 8];
  const int32_t nc = j->c1 - j->c0;
  int32_t least = 127;
  for (int32_t k = 0; k < nc; ++k) {
    const int32_t ch = j->c0 + k;
    const uint32_t rs = (uint32_t)ca_row_sum(j->filter + (intptr_t)ch * j->depth, j->depth, &least);
    bias_eff[k] = (int32_t)((j->bias ? (uint32_t)j->bias[ch] : 0u) + (uint32_t)p->input_offset * rs);
  }
  for (int32_t k = nc; k < nc + 8; ++k) bias_eff[k] = bias_eff[nc - 1];
  j->bias_eff = bias_eff;
  j->w127 = least > -128;
  // Gathered windows whose length is not a multiple of 16 (a stem's 27
  // bytes): the filter rows copied with zeros up to the next multiple, so
  // the tile reads whole 16-byte steps (the gathered runs have the room;
  // what they hold there meets a zero weight).
  int8_t wpad[CA_PAD_MAX];
  const int8_t *filter = j->filter;
  const int32_t depth = j->depth, padded = (depth + 15) & ~15;
  const int gathered = depth <= CA_GATHER_MAX && (fs->h > 1 || (fs->w > 1 && p->dilation_w > 1));
  if (gathered && padded != depth && j->c0 == 0 && (int64_t)nc * padded <= CA_PAD_MAX) {
    for (int32_t k = 0; k < nc; ++k) {
      memcpy(wpad + k * padded, filter + (intptr_t)(j->c0 + k) * depth, (size_t)depth);
      memset(wpad + k * padded + depth, 0, (size_t)(padded - depth));
    }
    j->filter = wpad;
    j->depth = padded;
  }
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
  // The columns whose windows stay inside the image: [ox0, ox1).
  int32_t ox0 = 0, ox1 = os->w;
  while (ox0 < ox1 && ox0 * p->stride_w - p->pad_left < 0) ++ox0;
  while (ox1 > ox0 && (ox1 - 1) * p->stride_w - p->pad_left + ew > is->w) --ox1;
  const intptr_t xs = (intptr_t)p->stride_w * is->c;
  for (int32_t b = 0; b < os->n; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      const int row_in = y0 >= 0 && y0 + eh <= is->h;
      int8_t *orow = out + ((intptr_t)b * os->h + oy) * os->w * os->c + j->c0;
      const int32_t a = row_in ? ox0 : os->w, e = row_in ? ox1 : os->w, f = e > a ? e : a;
      if (j->depth <= CA_GATHER_MAX) {
        if (a > 0) ca_border_span(j, in, b, y0, 0, a, orow);
      } else {
        for (int32_t ox = 0; ox < a; ++ox)
          ca_border(j, in, b, y0, ox * p->stride_w - p->pad_left, orow + (intptr_t)ox * os->c);
      }
      if (a < e) {
        const int32_t x0 = a * p->stride_w - p->pad_left;
        ca_run(j, &win, in + (((intptr_t)b * is->h + y0) * is->w + x0) * is->c, xs, orow + (intptr_t)a * os->c,
               os->c, e - a);
      }
      if (j->depth <= CA_GATHER_MAX) {
        if (f < os->w) ca_border_span(j, in, b, y0, f, os->w, orow);
      } else {
        for (int32_t ox = f; ox < os->w; ++ox)
          ca_border(j, in, b, y0, ox * p->stride_w - p->pad_left, orow + (intptr_t)ox * os->c);
      }
    }
  }
  j->bias_eff = NULL;
  j->filter = filter, j->depth = depth;
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
  ca_job j = {p, filter, bias, multiplier, shift, 0, 0, fs->h * fs->w * fs->c, NULL, (const int8_t *)ie, 0, {{0}}};
  j.k.out_offset = vdupq_n_s32(p->output_offset);
  j.k.act_min = vdupq_n_s32(p->act_min);
  j.k.act_max = vdupq_n_s32(p->act_max);
  j.k.in_offset = vdupq_n_s32(p->input_offset);
  j.k.lo8 = vdup_n_s8((int8_t)p->act_min);
  j.k.hi8 = vdup_n_s8((int8_t)p->act_max);
  for (int32_t c0 = 0; c0 < os->c; c0 += CA_CONV_MAX_OC) {
    j.c0 = c0;
    j.c1 = os->c - c0 > CA_CONV_MAX_OC ? c0 + CA_CONV_MAX_OC : os->c;
    ca_conv_range(&j, in, out, row_begin, row_end);
  }
}
