// DEPTHWISE_CONV_2D in layout ARMV7EM (through the kernel API) against the
// portable kernel in layout PLAIN, byte for byte, on random layers drawn to
// break the fast kernel: channel counts off multiples of 4, 1-pixel and
// odd images, windows 1x1 to 7x7 and lopsided, strides 1 to 3, dilation,
// padding on every border (now and then more than a window, as a folded PAD
// makes it, so that some pixels see no input at all), depth multipliers
// above 1 (the generic path), per-channel multipliers with shifts from -31
// to +2, extreme zero points, narrow activation ranges, with and without a
// truthful SPRAT_CONV_FAST_REQUANT, whole images and row sub-ranges. Arrays
// sit against MPU guard regions (test_util.h); the scratch starts as garbage.
#include <stdio.h>

#include "kernels/cortex_m/depthwise/dw_filter_order.h"
#include "kernels/cortex_m/tests/layout_twin.h"
#include "kernels/cortex_m/tests/test_util.h"
#include "kernels/portable/portable.h"
#include "sprat/kernels.h"

#ifndef DW_TEST_CONFIGS
#define DW_TEST_CONFIGS 300  // a long sweep: --copt=-DDW_TEST_CONFIGS=3000
#endif

#define IN_MAX 12288
#define FILTER_MAX 4096
#define OUT_MAX 12288
#define SCRATCH_MAX 4096
#define C_MAX 200

static uint8_t pool[4][32 + IN_MAX + 32] __attribute__((aligned(32)));
static const tu_slot slot_in = {pool[0], IN_MAX}, slot_filter = {pool[1], FILTER_MAX},
                     slot_out = {pool[2], OUT_MAX}, slot_scratch = {pool[3], SCRATCH_MAX};

static int8_t input[IN_MAX], filter_plain[FILTER_MAX], want[OUT_MAX];
static int32_t bias[C_MAX], folded[C_MAX], mult[C_MAX], shift[C_MAX];

static const int32_t kChannels[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 17, 19, 24, 31, 32, 48, 51, 96, 144};

typedef struct {
  sprat_conv_params p;
  int has_bias;
} config;

static int32_t draw_pad(int32_t extent) {
  if (tu_chance(5)) return tu_range(extent, extent + 2);  // a folded PAD wider than the window
  return tu_chance(15) ? tu_range(0, extent) : tu_range(0, extent - 1);
}

static int draw_shape(config *c) {
  sprat_conv_params *p = &c->p;
  memset(p, 0, sizeof *p);
  int32_t kh = 3, kw = 3, sh = 1, sw = 1, dh = 1, dw = 1, dm = 1;
  int32_t ch = tu_pick(kChannels, sizeof kChannels / sizeof kChannels[0]);
  int32_t ih = tu_range(1, 14), iw = tu_range(1, 14);
  const uint32_t kind = tu_next() % 100u;
  if (kind < 35) {
    sh = sw = tu_range(1, 2);  // 3x3, stride 1 or 2: MobileNet's
  } else if (kind < 50) {
    kh = kw = 5, sh = sw = tu_range(1, 2);
  } else if (kind < 65) {
    kh = tu_range(1, 7), kw = tu_range(1, 7);
    sh = tu_range(1, 3), sw = tu_range(1, 3);
  } else if (kind < 75) {
    kh = kw = tu_range(2, 3);
    dh = tu_range(1, 3), dw = tu_range(1, 3);
  } else if (kind < 85) {
    dm = tu_range(2, 4);
    ch = tu_range(1, 12);
    kh = tu_range(1, 3), kw = tu_range(1, 3);
  } else {
    kh = kw = 1;
    sh = sw = tu_range(1, 2);
  }
  if (tu_chance(10)) ih = 1;
  if (tu_chance(10)) iw = 1;
  const int32_t eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
  const int32_t pt = draw_pad(eh), pl = draw_pad(ew), pb = draw_pad(eh), pr = draw_pad(ew);
  if (ih + pt + pb < eh || iw + pl + pr < ew) return 0;
  const int32_t oh = (ih + pt + pb - eh) / sh + 1, ow = (iw + pl + pr - ew) / sw + 1;
  const int32_t n = tu_chance(15) ? 2 : 1, oc = ch * dm;
  p->in = (sprat_shape4){n, ih, iw, ch};
  p->filter = (sprat_shape4){1, kh, kw, oc};
  p->out = (sprat_shape4){n, oh, ow, oc};
  p->stride_h = sh, p->stride_w = sw, p->dilation_h = dh, p->dilation_w = dw;
  p->pad_top = pt, p->pad_left = pl;
  p->depth_multiplier = dm;
  p->layout = SPRAT_LAYOUT_PLAIN;
  sprat_conv_params q = *p;
  q.layout = SPRAT_LAYOUT_ARMV7EM;
  q.flags = SPRAT_CONV_FAST_REQUANT;  // the larger scratch
  return n * ih * iw * ch <= IN_MAX && kh * kw * oc <= FILTER_MAX && n * oh * ow * oc <= OUT_MAX && oc <= C_MAX &&
         sprat_depthwise_conv2d_s8_get_buffer_size(&q) <= SCRATCH_MAX;
}

static void draw_numbers(config *c) {
  sprat_conv_params *p = &c->p;
  const int32_t taps = p->filter.h * p->filter.w, oc = p->out.c;
  p->input_offset = -tu_zero_point();
  p->output_offset = tu_zero_point();
  if (tu_chance(40)) {
    p->act_min = -128, p->act_max = 127;
  } else if (tu_chance(50)) {
    p->act_min = p->output_offset, p->act_max = tu_chance(50) ? 127 : tu_range(p->output_offset, 127);
  } else {
    const int32_t a = tu_range(-128, 127), b = tu_range(-128, 127);
    p->act_min = a < b ? a : b, p->act_max = a < b ? b : a;
  }
  tu_fill_s8(filter_plain, taps * oc);
  tu_fill_s8(input, p->in.n * p->in.h * p->in.w * p->in.c);
  c->has_bias = !tu_chance(10);
  p->flags = tu_draw_requant(oc, taps, filter_plain, 1, oc, p->input_offset, c->has_bias, bias, folded, mult, shift);
}

static void print_config(const config *c) {
  const sprat_conv_params *p = &c->p;
  printf("  in %ldx%ldx%ldx%ld filter %ldx%ld out %ldx%ldx%ldx%ld dm %ld stride %ld,%ld dil %ld,%ld pad %ld,%ld "
         "offsets %ld,%ld act [%ld,%ld] flags %ld\n",
         (long)p->in.n, (long)p->in.h, (long)p->in.w, (long)p->in.c, (long)p->filter.h, (long)p->filter.w,
         (long)p->out.n, (long)p->out.h, (long)p->out.w, (long)p->out.c, (long)p->depth_multiplier,
         (long)p->stride_h, (long)p->stride_w, (long)p->dilation_h, (long)p->dilation_w, (long)p->pad_top,
         (long)p->pad_left, (long)p->input_offset, (long)p->output_offset, (long)p->act_min, (long)p->act_max,
         (long)p->flags);
}

static long check(const config *c, int32_t r0, int32_t r1) {
  sprat_conv_params p = c->p;
  const int32_t taps = p.filter.h * p.filter.w, oc = p.out.c;
  const int32_t n_in = p.in.n * p.in.h * p.in.w * p.in.c, n_f = taps * oc;
  const int32_t n_out = p.out.n * p.out.h * p.out.w * oc, row = p.out.w * oc;
  p.layout = SPRAT_LAYOUT_ARMV7EM;
  const int32_t scratch_bytes = sprat_depthwise_conv2d_s8_get_buffer_size(&p);
  int8_t *in = (int8_t *)tu_place(&slot_in, 0, n_in, tu_chance(70), 1);
  int8_t *f = (int8_t *)tu_place(&slot_filter, 1, n_f, tu_chance(50), tu_chance(90) ? 4 : 1);
  int8_t *out = (int8_t *)tu_place(&slot_out, 2, n_out, tu_chance(70), 1);
  uint8_t *scratch = tu_place(&slot_scratch, 3, scratch_bytes, 1, 4);
  memcpy(in, input, (size_t)n_in);
  for (int32_t t = 0; t < taps; ++t)
    for (int32_t k = 0; k < oc; ++k) f[sprat_cm_dw_filter_index(t, k, taps, oc)] = filter_plain[t * oc + k];
  memset(out, 0x5A, (size_t)n_out);
  tu_mpu_on();
  for (int32_t y = r0; y < r1;) {
    const int32_t step = tu_chance(50) ? r1 - y : tu_range(1, 3);
    const int32_t y1 = y + step < r1 ? y + step : r1;
    for (int32_t i = 0; i < scratch_bytes; ++i) scratch[i] = (uint8_t)tu_next();
    sprat_depthwise_conv2d_s8(&p, in, f, folded, mult, shift, out, scratch_bytes ? scratch : NULL, y, y1);
    y = y1;
  }
  tu_mpu_off();
  long bad = 0;
  for (int32_t i = 0; i < n_out; ++i) {
    const int32_t y = (i / row) % p.out.h;
    const int8_t expect = y >= r0 && y < r1 ? want[i] : (int8_t)0x5A;
    if (out[i] != expect) {
      if (bad < 4)
        printf("  out[%ld] (row %ld px %ld ch %ld): got %d want %d\n", (long)i, (long)y, (long)((i / oc) % p.out.w),
               (long)(i % oc), out[i], expect);
      ++bad;
    }
  }
  return bad;
}

// The kernels' twins of converter/layouts/cortex_m.py agree with it
// (layout_twin.h): scratch bytes and the filter order.
static long check_twins(void) {
  long bad = 0;
  for (size_t i = 0; i < sizeof kTwinDwScratch / sizeof kTwinDwScratch[0]; ++i) {
    sprat_conv_params p = {0};
    memcpy(&p.in, kTwinDwScratch[i].in, sizeof p.in);
    memcpy(&p.filter, kTwinDwScratch[i].filter, sizeof p.filter);
    memcpy(&p.out, kTwinDwScratch[i].out, sizeof p.out);
    p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
    p.depth_multiplier = kTwinDwScratch[i].depth_multiplier;
    p.flags = kTwinDwScratch[i].flags;
    p.layout = SPRAT_LAYOUT_ARMV7EM;
    const int32_t got = sprat_depthwise_conv2d_s8_get_buffer_size(&p);
    if (got != kTwinDwScratch[i].bytes && bad++ < 4)
      printf("twin: scratch case %ld: kernel %ld bytes, converter %ld\n", (long)i, (long)got,
             (long)kTwinDwScratch[i].bytes);
  }
  const uint16_t *perm = kTwinDwPerm;
  for (size_t i = 0; i < sizeof kTwinDwOrder / sizeof kTwinDwOrder[0]; ++i) {
    const int32_t taps = kTwinDwOrder[i].taps, ch = kTwinDwOrder[i].channels;
    for (int32_t t = 0; t < taps; ++t)
      for (int32_t c = 0; c < ch; ++c)
        if (perm[sprat_cm_dw_filter_index(t, c, taps, ch)] != t * ch + c && bad++ < 4)
          printf("twin: filter %ldx%ld: tap %ld channel %ld misplaced\n", (long)taps, (long)ch, (long)t, (long)c);
    perm += taps * ch;
  }
  return bad;
}

int main(void) {
  const long twin_mismatches = check_twins();
  long configs = 0, bad_configs = 0, fast = 0, dm1 = 0;
  while (configs < DW_TEST_CONFIGS) {
    config c;
    if (!draw_shape(&c)) continue;
    draw_numbers(&c);
    sprat_portable_depthwise_conv2d_s8(&c.p, input, filter_plain, c.has_bias ? bias : NULL, mult, shift, want, NULL,
                                       0, c.p.out.h);
    const int32_t h = c.p.out.h;
    long bad = check(&c, 0, h);
    if (h > 1) {
      const int32_t r0 = tu_range(0, h - 1), r1 = tu_range(r0 + 1, h);
      bad += check(&c, r0, r1);
    }
    dm1 += c.p.depth_multiplier == 1;
    int fast_rq = (c.p.flags & SPRAT_CONV_FAST_REQUANT) != 0;
    for (int32_t k = 0; k < c.p.out.c; ++k) fast_rq &= mult[k] >= (1 << 30) && shift[k] <= -1 && shift[k] >= -22;
    fast += fast_rq;
    if (bad) {
      if (bad_configs < 10) {
        printf("config %ld: %ld mismatches\n", configs, bad);
        print_config(&c);
      }
      ++bad_configs;
    }
    ++configs;
  }
  printf("dw_s8: layout twins: %ld mismatches\n", twin_mismatches);
  printf("dw_s8: %ld configurations (%ld with depth multiplier 1, %ld of them fast requantization), %ld mismatches\n",
         configs, dm1, fast, bad_configs);
  return bad_configs != 0 || twin_mismatches != 0;
}
