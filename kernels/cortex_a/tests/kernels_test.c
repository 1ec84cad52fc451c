// The Cortex-A library's CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
// ADD/SUB, AVERAGE_POOL_2D and MAX_POOL_2D (through the kernel API, so
// api.c's routing too) against the portable kernels, byte for byte, on
// random configurations drawn to break fast kernels: channel counts off
// every multiple, 1-pixel and odd images, padding on every border,
// strides, windows from 1x1 to 7 taps, dilation, groups, depth
// multipliers, pruned channels, TFLite's symmetric weights and any others,
// per-channel constants over the runtime's whole range (zero and tiny
// multipliers, shifts from -31 to +30, biases that make the sums wrap),
// extreme zero points and narrow activation ranges, row sub-ranges, and
// outputs overlapping their inputs by the planner's allowance
// (converter/access.py). Every array sits against a PROT_NONE page. A long
// sweep: --copt=-DCA_TEST_CONFIGS=5000.
#include "kernels/cortex_a/tests/test_util.h"
#include "kernels/portable/portable.h"
#include "sprat/kernels.h"

#ifndef CA_TEST_CONFIGS
#define CA_TEST_CONFIGS 400
#endif

#define IN_MAX (1 << 16)
#define FILTER_MAX (1 << 18)
#define OUT_MAX (1 << 16)
#define OC_MAX 2200

static tu_fence f_in, f_filter, f_out, f_alias;
static int8_t input[IN_MAX], filt[FILTER_MAX], want[OUT_MAX];
static int32_t bias[OC_MAX], mult[OC_MAX], shift[OC_MAX];

static const int32_t kChannels[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 48, 64, 100};

static int32_t draw_pad(int32_t k) { return tu_chance(10) ? tu_range(0, k) : tu_range(0, k - 1); }

// TFLite's window geometry; 0 if the shapes do not fit the buffers.
static int draw_conv_shape(sprat_conv_params *p, int depthwise) {
  memset(p, 0, sizeof *p);
  int32_t kh = 1, kw = 1, sh = 1, sw = 1, groups = 1, dh = 1, dw = 1, dm = 1;
  int32_t ic = tu_pick(kChannels, sizeof kChannels / sizeof kChannels[0]);
  int32_t oc = tu_pick(kChannels, sizeof kChannels / sizeof kChannels[0]);
  int32_t ih = tu_range(1, 12), iw = tu_range(1, 12), pt = 0, pl = 0, pb = 0, pr = 0;
  const uint32_t kind = tu_next() % 100u;
  if (kind < 25) {
    // 1x1, stride 1
  } else if (kind < 32) {
    sh = sw = 2;
    if (tu_chance(30)) pb = pr = 1;
  } else if (kind < 55) {
    kh = kw = 3;
    sh = sw = tu_range(1, 2);
    pt = draw_pad(3), pl = draw_pad(3), pb = draw_pad(3), pr = draw_pad(3);
  } else if (kind < 68) {
    static const int32_t k[][2] = {{5, 5}, {1, 7}, {7, 1}, {2, 2}, {1, 3}, {3, 1}, {3, 5}};
    const int32_t j = (int32_t)(tu_next() % 7u);
    kh = k[j][0], kw = k[j][1];
    sh = tu_range(1, 3), sw = tu_range(1, 3);
    pt = draw_pad(kh), pl = draw_pad(kw), pb = draw_pad(kh), pr = draw_pad(kw);
  } else if (kind < 74) {
    kh = kw = 3, sh = sw = 2, ic = 3;  // the stem
    ih = 2 * tu_range(1, 10), iw = 2 * tu_range(1, 10);
    pb = pr = 1;
  } else if (kind < 82) {
    if (depthwise) {
      dm = tu_range(2, 4);
      ic = tu_range(1, 12);
    } else {
      groups = tu_range(2, 4);
      ic = groups * tu_range(1, 6);
      oc = groups * tu_range(1, 4);
    }
    kh = kw = tu_range(1, 3);
    pt = pl = pb = pr = kh / 2;
  } else if (kind < 90) {
    kh = kw = 3;
    dh = tu_range(1, 3), dw = tu_range(1, 3);
    pt = pb = dh, pl = pr = dw;
  } else if (kind < 95) {
    ic = tu_range(100, 300);  // long runs; windows past the library's gather buffer
    if (depthwise) kh = kw = 3, pt = pl = pb = pr = 1;
    else kh = tu_range(1, 3), kw = tu_range(1, 3), pt = pl = pb = pr = tu_range(0, 1);
  } else {
    ic = tu_range(1, 7);  // depth < 8
    kh = tu_range(1, 2);
  }
  if (tu_chance(10)) ih = 1;
  if (tu_chance(10)) iw = 1;
  if (depthwise) oc = ic * dm;
  const int32_t eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
  if (ih + pt + pb < eh || iw + pl + pr < ew) return 0;
  const int32_t oh = (ih + pt + pb - eh) / sh + 1, ow = (iw + pl + pr - ew) / sw + 1;
  const int32_t n = tu_chance(15) ? 2 : 1;
  p->in = (sprat_shape4){n, ih, iw, ic};
  p->filter = depthwise ? (sprat_shape4){1, kh, kw, oc} : (sprat_shape4){oc, kh, kw, ic / groups};
  p->out = (sprat_shape4){n, oh, ow, oc};
  p->stride_h = sh, p->stride_w = sw, p->dilation_h = dh, p->dilation_w = dw;
  p->pad_top = pt, p->pad_left = pl;
  p->depth_multiplier = depthwise ? dm : 0;
  p->layout = SPRAT_LAYOUT_PLAIN;
  return n * ih * iw * ic <= IN_MAX && p->filter.n * kh * kw * p->filter.c <= FILTER_MAX &&
         n * oh * ow * oc <= OUT_MAX && oc <= OC_MAX;
}

static void draw_activation(int32_t *act_min, int32_t *act_max, int32_t output_offset) {
  if (tu_chance(50)) {
    *act_min = -128, *act_max = 127;
  } else {
    const int32_t a = tu_range(-128, 127), b = tu_range(-128, 127);
    *act_min = a < b ? a : b, *act_max = a < b ? b : a;
    if (tu_chance(30)) *act_min = output_offset, *act_max = 127;
  }
}

// converter/access.py's allowance: how far before the input the output may
// start (one image).
static int64_t window_lag(const sprat_conv_params *p) {
  const sprat_shape4 *is = &p->in, *os = &p->out;
  const int64_t pixels = (int64_t)os->h * os->w;
  int64_t first = INT64_MAX, lag = 0;
  for (int64_t q = pixels - 1; q >= 0; --q) {
    int64_t y = (q / os->w) * p->stride_h - p->pad_top, x = (q % os->w) * p->stride_w - p->pad_left;
    y = y < 0 ? 0 : y > is->h ? is->h : y;
    x = x < 0 ? 0 : x > is->w ? is->w : x;
    const int64_t start = (y * is->w + x) * is->c;
    if (start < first) first = start;
    const int64_t written = (q + 2 < pixels ? q + 2 : pixels) * os->c;
    if (written - first > lag) lag = written - first;
  }
  return lag;
}

typedef void conv_fn(const sprat_conv_params *, const int8_t *, const int8_t *, const int32_t *, const int32_t *,
                     const int32_t *, int8_t *, void *, int32_t, int32_t);

static void print_conv(const sprat_conv_params *p, const char *what) {
  printf("  %s in %dx%dx%dx%d filter %dx%dx%dx%d out %dx%dx%dx%d stride %d,%d dil %d,%d pad %d,%d dm %d "
         "offsets %d,%d act [%d,%d]\n", what, (int)p->in.n, (int)p->in.h, (int)p->in.w, (int)p->in.c,
         (int)p->filter.n, (int)p->filter.h, (int)p->filter.w, (int)p->filter.c, (int)p->out.n, (int)p->out.h,
         (int)p->out.w, (int)p->out.c, (int)p->stride_h, (int)p->stride_w, (int)p->dilation_h, (int)p->dilation_w,
         (int)p->pad_top, (int)p->pad_left, (int)p->depth_multiplier, (int)p->input_offset, (int)p->output_offset,
         (int)p->act_min, (int)p->act_max);
}

static long compare(const int8_t *got, const int8_t *expect, int32_t n, int32_t oc) {
  long bad = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (got[i] != expect[i]) {
      if (bad < 4)
        printf("    out[%d] (ch %d): got %d want %d (mult %d shift %d)\n", (int)i, (int)(i % oc), got[i], expect[i],
               (int)mult[i % oc], (int)shift[i % oc]);
      ++bad;
    }
  }
  return bad;
}

// One convolution configuration: whole images in row ranges, then (one
// image) over its input at the planner's allowance. Returns 1 if it fails.
static int conv_case(int depthwise, long *checked) {
  sprat_conv_params p;
  if (!draw_conv_shape(&p, depthwise)) return 0;
  const int32_t oc = p.out.c, taps = p.filter.h * p.filter.w * p.filter.c;
  const int32_t n_in = p.in.n * p.in.h * p.in.w * p.in.c, n_f = p.filter.n * taps;
  const int32_t n_out = p.out.n * p.out.h * p.out.w * oc;
  p.input_offset = -tu_zero_point();
  p.output_offset = tu_zero_point();
  draw_activation(&p.act_min, &p.act_max, p.output_offset);
  tu_fill_s8(filt, n_f);
  if (tu_chance(40))  // TFLite's symmetric weights: the NEON kernels' 3-instruction dot product
    for (int32_t i = 0; i < n_f; ++i) filt[i] = filt[i] == -128 ? -127 : filt[i];
  if (tu_chance(15)) {  // pruned channels: all-zero filters
    for (int32_t ch = 0; ch < oc; ++ch) {
      if (!tu_chance(40)) continue;
      if (depthwise)
        for (int32_t t = 0; t < p.filter.h * p.filter.w; ++t) filt[t * oc + ch] = 0;
      else
        memset(filt + (size_t)ch * taps, 0, (size_t)taps);
    }
  }
  tu_fill_s8(input, n_in);
  tu_draw_requant(oc, depthwise ? p.filter.h * p.filter.w : taps, bias, mult, shift);
  const int has_bias = !tu_chance(10);
  conv_fn *ref = depthwise ? sprat_portable_depthwise_conv2d_s8 : sprat_portable_conv2d_s8;
  conv_fn *lib = depthwise ? sprat_depthwise_conv2d_s8 : sprat_conv2d_s8;
  ref(&p, input, filt, has_bias ? bias : NULL, mult, shift, want, NULL, 0, p.out.h);
  int8_t *in = (int8_t *)tu_place(&f_in, (size_t)n_in, tu_chance(70));
  int8_t *f = (int8_t *)tu_place(&f_filter, (size_t)n_f, tu_chance(50));
  int8_t *out = (int8_t *)tu_place(&f_out, (size_t)n_out, tu_chance(70));
  memcpy(in, input, (size_t)n_in);
  memcpy(f, filt, (size_t)n_f);
  memset(out, 0x5A, (size_t)n_out);
  for (int32_t y = 0; y < p.out.h;) {
    const int32_t step = tu_chance(50) ? p.out.h - y : tu_range(1, 3);
    const int32_t y1 = y + step < p.out.h ? y + step : p.out.h;
    lib(&p, in, f, has_bias ? bias : NULL, mult, shift, out, NULL, y, y1);
    y = y1;
  }
  long bad = compare(out, want, n_out, oc);
  ++*checked;
  if (bad) {
    print_conv(&p, depthwise ? "DEPTHWISE" : "CONV");
    return 1;
  }
  if (p.in.n == 1) {
    const int64_t lag = window_lag(&p);
    const int64_t span = lag + n_in > n_out ? lag + n_in : n_out;
    uint8_t *base = tu_place(&f_alias, (size_t)span, tu_chance(50));
    memcpy(base + lag, input, (size_t)n_in);
    lib(&p, (int8_t *)base + lag, f, has_bias ? bias : NULL, mult, shift, (int8_t *)base, NULL, 0, p.out.h);
    bad = compare((int8_t *)base, want, n_out, oc);
    ++*checked;
    if (bad) {
      print_conv(&p, depthwise ? "DEPTHWISE (overlapping, lag)" : "CONV (overlapping, lag)");
      printf("    lag %ld\n", (long)lag);
      return 1;
    }
  }
  return 0;
}

// Wider than the library's stack constants (CA_CONV_MAX_OC): chunks of
// channels when input and output are apart, the portable kernel when they
// overlap.
static int wide_case(long *checked) {
  sprat_conv_params p;
  memset(&p, 0, sizeof p);
  const int32_t ic = tu_range(1, 40), oc = tu_range(2049, OC_MAX), hw = tu_range(1, 3);
  p.in = (sprat_shape4){1, hw, hw, ic};
  p.filter = (sprat_shape4){oc, 1, 1, ic};
  p.out = (sprat_shape4){1, hw, hw, oc};
  p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
  p.input_offset = -tu_zero_point();
  p.output_offset = tu_zero_point();
  draw_activation(&p.act_min, &p.act_max, p.output_offset);
  const int32_t n_in = hw * hw * ic, n_out = hw * hw * oc;
  tu_fill_s8(filt, oc * ic);
  tu_fill_s8(input, n_in);
  tu_draw_requant(oc, ic, bias, mult, shift);
  sprat_portable_conv2d_s8(&p, input, filt, bias, mult, shift, want, NULL, 0, hw);
  int8_t *out = (int8_t *)tu_place(&f_out, (size_t)n_out, 1);
  int8_t *in = (int8_t *)tu_place(&f_in, (size_t)n_in, 0);
  memcpy(in, input, (size_t)n_in);
  sprat_conv2d_s8(&p, in, filt, bias, mult, shift, out, NULL, 0, hw);
  long bad = compare(out, want, n_out, oc);
  const int64_t lag = window_lag(&p);
  uint8_t *base = tu_place(&f_alias, (size_t)(lag + n_in > n_out ? lag + n_in : n_out), 0);
  memcpy(base + lag, input, (size_t)n_in);
  sprat_conv2d_s8(&p, (int8_t *)base + lag, filt, bias, mult, shift, (int8_t *)base, NULL, 0, hw);
  bad += compare((int8_t *)base, want, n_out, oc);
  *checked += 2;
  if (bad) print_conv(&p, "CONV (wide)");
  return bad != 0;
}

static int fc_case(long *checked) {
  sprat_fc_params p;
  memset(&p, 0, sizeof p);
  static const int32_t kDepth[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 384, 1000, 1283};
  p.batches = tu_chance(20) ? tu_range(2, 3) : 1;
  p.depth = tu_pick(kDepth, sizeof kDepth / sizeof kDepth[0]);
  p.units = tu_chance(20) ? tu_range(1, 9) : tu_range(1, 200);
  if (p.units * p.depth > FILTER_MAX) p.units = FILTER_MAX / p.depth;
  p.input_offset = -tu_zero_point();
  p.filter_offset = tu_chance(70) ? 0 : -tu_zero_point();
  p.output_offset = tu_zero_point();
  draw_activation(&p.act_min, &p.act_max, p.output_offset);
  p.per_channel = tu_chance(50);
  const int32_t n_in = p.batches * p.depth, n_f = p.units * p.depth, n_out = p.batches * p.units;
  tu_fill_s8(filt, n_f);
  tu_fill_s8(input, n_in);
  tu_draw_requant(p.units, p.depth, bias, mult, shift);
  const int has_bias = !tu_chance(10);
  sprat_portable_fully_connected_s8(&p, input, filt, has_bias ? bias : NULL, mult, shift, want);
  int8_t *in = (int8_t *)tu_place(&f_in, (size_t)n_in, tu_chance(70));
  int8_t *f = (int8_t *)tu_place(&f_filter, (size_t)n_f, tu_chance(50));
  int8_t *out = (int8_t *)tu_place(&f_out, (size_t)n_out, tu_chance(70));
  memcpy(in, input, (size_t)n_in);
  memcpy(f, filt, (size_t)n_f);
  sprat_fully_connected_s8(&p, in, f, has_bias ? bias : NULL, mult, shift, out);
  ++*checked;
  const long bad = compare(out, want, n_out, p.units);
  if (bad)
    printf("  FC batches %d depth %d units %d offsets %d,%d,%d act [%d,%d] per_channel %d\n", (int)p.batches,
           (int)p.depth, (int)p.units, (int)p.input_offset, (int)p.filter_offset, (int)p.output_offset,
           (int)p.act_min, (int)p.act_max, (int)p.per_channel);
  return bad != 0;
}

// ADD and SUB: same shapes (the NEON path) and broadcasts (the portable
// fallback), quantization as the converter makes it (left shift 20,
// multipliers in [2^30, 2^31)) and anything the runtime accepts (negative
// and zero multipliers, every shift, left shifts 0..20), in place and with
// the output starting before the first input.
static int add_case(long *checked) {
  sprat_add_params p;
  memset(&p, 0, sizeof p);
  const int32_t n = tu_chance(20) ? tu_range(1, 40) : tu_range(1, 3000);
  const int bcast = tu_chance(15);
  p.bc.ndim = 2;
  p.bc.out_dims[0] = bcast ? tu_range(1, 8) : 1;
  p.bc.out_dims[1] = n;
  p.bc.in1_strides[0] = p.bc.in2_strides[0] = n, p.bc.in1_strides[1] = p.bc.in2_strides[1] = 1;
  if (bcast) p.bc.in2_strides[0] = 0;  // in2 one row, repeated
  const int32_t total = p.bc.out_dims[0] * n, n2 = bcast ? n : total;
  p.input1_offset = -tu_zero_point(), p.input2_offset = -tu_zero_point(), p.output_offset = tu_zero_point();
  draw_activation(&p.act_min, &p.act_max, p.output_offset);
  const int regular = tu_chance(60);
  p.left_shift = regular ? 20 : tu_range(0, 20);
  int32_t m[3], sh[3];
  for (int k = 0; k < 3; ++k) {
    const uint32_t r = tu_next() % 100u;
    m[k] = regular || r < 70 ? (int32_t)(0x40000000u | (tu_next() & 0x3FFFFFFFu)) : r < 80 ? 0
           : r < 90 ? -(int32_t)(tu_next() >> 1) : (int32_t)(tu_next() >> tu_range(1, 31));
    sh[k] = regular ? tu_range(-24, -1) : tu_range(-31, 30);
  }
  p.input1_multiplier = m[0], p.input1_shift = sh[0], p.input2_multiplier = m[1], p.input2_shift = sh[1];
  p.output_multiplier = m[2], p.output_shift = sh[2];
  p.subtract = tu_chance(30);
  tu_fill_s8(input, total);
  tu_fill_s8(filt, n2);
  sprat_portable_add_s8(&p, input, filt, want);
  int8_t *a = (int8_t *)tu_place(&f_in, (size_t)total, tu_chance(50));
  int8_t *b = (int8_t *)tu_place(&f_filter, (size_t)n2, tu_chance(50));
  memcpy(a, input, (size_t)total);
  memcpy(b, filt, (size_t)n2);
  const uint32_t where = tu_next() % 3u;
  int8_t *o;
  if (where == 0) {
    o = (int8_t *)tu_place(&f_out, (size_t)total, tu_chance(50));
  } else {
    // Over the first input: at it, or a few bytes before it.
    const int32_t lag = where == 1 ? 0 : tu_range(1, 40);
    uint8_t *base = tu_place(&f_alias, (size_t)(total + lag), tu_chance(50));
    memcpy(base + lag, input, (size_t)total);
    a = (int8_t *)base + lag, o = (int8_t *)base;
  }
  sprat_add_s8(&p, a, b, o);
  ++*checked;
  const long bad = compare(o, want, total, 1);
  if (bad)
    printf("  ADD n %d rows %d (broadcast %d) where %u offsets %d,%d,%d left %d mult %d,%d,%d shift %d,%d,%d sub %d\n",
           (int)n, (int)p.bc.out_dims[0], bcast, where, (int)p.input1_offset, (int)p.input2_offset,
           (int)p.output_offset, (int)p.left_shift, (int)m[0], (int)m[1], (int)m[2], (int)sh[0], (int)sh[1],
           (int)sh[2], (int)p.subtract);
  return bad != 0;
}

// AVERAGE_POOL_2D and MAX_POOL_2D: windows 1x1 to 16x16 (averages past
// the library's 256 taps too), strides, padding on every border and
// windows wholly outside the image, channels off every multiple of 8,
// narrow activation ranges, row sub-ranges; outputs at the planner's
// allowance before their input.
static int pool_case(long *checked) {
  static const int32_t kPoolChannels[] = {1, 3, 7, 8, 9, 15, 16, 17, 24, 33, 48, 64, 100};
  sprat_pool_params p;
  memset(&p, 0, sizeof p);
  const int is_max = tu_chance(50);
  const int32_t c = tu_pick(kPoolChannels, sizeof kPoolChannels / sizeof kPoolChannels[0]);
  const uint32_t kind = tu_next() % 100u;
  int32_t fh = tu_range(1, 3), fw = tu_range(1, 3), ih = tu_range(1, 12), iw = tu_range(1, 12);
  if (kind < 15) fh = tu_range(4, 16), fw = tu_range(4, 16), ih = tu_range(1, 18), iw = tu_range(1, 18);
  p.filter_h = fh, p.filter_w = fw;
  p.stride_h = tu_range(1, 3), p.stride_w = tu_range(1, 3);
  p.pad_top = tu_chance(70) ? tu_range(0, fh - 1) : tu_range(0, fh + 2);
  p.pad_left = tu_chance(70) ? tu_range(0, fw - 1) : tu_range(0, fw + 2);
  const int32_t oh = tu_range(1, (ih + 2 * p.pad_top) / p.stride_h + 1), ow = tu_range(1, (iw + 2 * p.pad_left) / p.stride_w + 1);
  const int32_t n = tu_chance(15) ? 2 : 1;
  p.in = (sprat_shape4){n, ih, iw, c};
  p.out = (sprat_shape4){n, oh, ow, c};
  draw_activation(&p.act_min, &p.act_max, tu_zero_point());
  const int32_t n_in = n * ih * iw * c, n_out = n * oh * ow * c;
  if (n_in > IN_MAX || n_out > OUT_MAX) return 0;
  tu_fill_s8(input, n_in);
  void (*ref)(const sprat_pool_params *, const int8_t *, int8_t *, int32_t, int32_t) =
      is_max ? sprat_portable_max_pool2d_s8 : sprat_portable_avg_pool2d_s8;
  void (*lib)(const sprat_pool_params *, const int8_t *, int8_t *, int32_t, int32_t) =
      is_max ? sprat_max_pool2d_s8 : sprat_avg_pool2d_s8;
  ref(&p, input, want, 0, oh);
  int8_t *in = (int8_t *)tu_place(&f_in, (size_t)n_in, tu_chance(60));
  int8_t *out = (int8_t *)tu_place(&f_out, (size_t)n_out, tu_chance(60));
  memcpy(in, input, (size_t)n_in);
  memset(out, 0x5A, (size_t)n_out);
  for (int32_t y = 0; y < oh;) {
    const int32_t step = tu_chance(50) ? oh - y : tu_range(1, 3);
    const int32_t y1 = y + step < oh ? y + step : oh;
    lib(&p, in, out, y, y1);
    y = y1;
  }
  long bad = compare(out, want, n_out, c);
  ++*checked;
  if (!bad && n == 1) {
    // The planner's allowance, as for the convolutions (its geometry).
    sprat_conv_params g;
    memset(&g, 0, sizeof g);
    g.in = p.in, g.out = p.out, g.stride_h = p.stride_h, g.stride_w = p.stride_w;
    g.pad_top = p.pad_top, g.pad_left = p.pad_left;
    const int64_t lag = window_lag(&g);
    uint8_t *base = tu_place(&f_alias, (size_t)(lag + n_in > n_out ? lag + n_in : n_out), tu_chance(50));
    memcpy(base + lag, input, (size_t)n_in);
    lib(&p, (int8_t *)base + lag, (int8_t *)base, 0, oh);
    bad = compare((int8_t *)base, want, n_out, c);
    ++*checked;
  }
  if (bad)
    printf("  %s_POOL in %dx%dx%dx%d out %dx%d filter %dx%d stride %d,%d pad %d,%d act [%d,%d]\n",
           is_max ? "MAX" : "AVERAGE", (int)n, (int)ih, (int)iw, (int)c, (int)oh, (int)ow, (int)fh, (int)fw,
           (int)p.stride_h, (int)p.stride_w, (int)p.pad_top, (int)p.pad_left, (int)p.act_min, (int)p.act_max);
  return bad != 0;
}

int main(void) {
  f_in = tu_fence_make(IN_MAX);
  f_filter = tu_fence_make(FILTER_MAX);
  f_out = tu_fence_make(OUT_MAX);
  f_alias = tu_fence_make(2 * OUT_MAX + IN_MAX);
  long failed = 0, conv = 0, dw = 0, fc = 0, wide = 0;
  for (int i = 0; i < CA_TEST_CONFIGS && failed < 5; ++i) failed += conv_case(0, &conv);
  for (int i = 0; i < CA_TEST_CONFIGS && failed < 5; ++i) failed += conv_case(1, &dw);
  for (int i = 0; i < CA_TEST_CONFIGS && failed < 5; ++i) failed += fc_case(&fc);
  for (int i = 0; i < 6 && failed < 5; ++i) failed += wide_case(&wide);
  long add = 0, pool = 0;
  for (int i = 0; i < CA_TEST_CONFIGS && failed < 5; ++i) failed += add_case(&add);
  for (int i = 0; i < CA_TEST_CONFIGS && failed < 5; ++i) failed += pool_case(&pool);
  printf("kernels_test (%s): %ld conv, %ld depthwise, %ld fully connected, %ld wide conv, %ld add, %ld pool runs; "
         "%ld failed\n", sprat_kernel_library(), conv, dw, fc, wide, add, pool, failed);
  return failed != 0;
}
