// CONV_2D in layout ARMV7EM (the kernel library's API, so api.c's routing
// too) against the portable kernel in layout PLAIN, byte for byte, on
// random configurations drawn to break fast kernels: channel counts that
// are not multiples of 4, odd and 1-pixel images, padding on every border,
// strides, 1x1 to 7-tap windows, groups and dilation (the generic path),
// per-channel multipliers with shifts from -31 to +2, extreme zero points,
// narrow activation ranges, with and without a truthful
// SPRAT_CONV_FAST_REQUANT, whole images and row sub-ranges. Every array
// sits against an MPU guard region, so an access that starts past its end
// faults (QEMU checks an access at its first byte), and
// the scratch starts out as garbage.
#include <stdio.h>

#include "kernels/cortex_m/tests/layout_twin.h"
#include "kernels/cortex_m/tests/test_util.h"
#include "kernels/portable/portable.h"
#include "sprat/kernels.h"

#ifndef CONV_TEST_CONFIGS
#define CONV_TEST_CONFIGS 300  // a long sweep: --copt=-DCONV_TEST_CONFIGS=3000
#endif

#define IN_MAX 12288
#define FILTER_MAX 12288
#define OUT_MAX 8192
#define SCRATCH_MAX 16384
#define OC_MAX 64

static uint8_t pool[4][32 + SCRATCH_MAX + 32] __attribute__((aligned(32)));
static const tu_slot slot_in = {pool[0], IN_MAX}, slot_filter = {pool[1], FILTER_MAX},
                     slot_out = {pool[2], OUT_MAX}, slot_scratch = {pool[3], SCRATCH_MAX};

static int8_t input[IN_MAX], filter_plain[FILTER_MAX], want[OUT_MAX];
static int32_t bias[OC_MAX], folded[OC_MAX], mult[OC_MAX], shift[OC_MAX];

static const int32_t kChannels[] = {1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 15, 16, 17, 24, 27, 32, 33};

typedef struct {
  sprat_conv_params p;
  int has_bias;
} config;

static int32_t draw_pad(int32_t k) { return tu_chance(10) ? tu_range(0, k) : tu_range(0, k - 1); }

// Shapes; 0 if they do not fit the buffers.
static int draw_shape(config *c) {
  sprat_conv_params *p = &c->p;
  memset(p, 0, sizeof *p);
  int32_t kh = 1, kw = 1, sh = 1, sw = 1, groups = 1, dh = 1, dw = 1;
  int32_t ic = tu_pick(kChannels, sizeof kChannels / sizeof kChannels[0]);
  int32_t oc = tu_pick(kChannels, sizeof kChannels / sizeof kChannels[0]);
  int32_t ih = tu_range(1, 12), iw = tu_range(1, 12), pt = 0, pl = 0, pb = 0, pr = 0;
  const uint32_t kind = tu_next() % 100u;
  if (kind < 30) {
    // 1x1, stride 1
  } else if (kind < 40) {
    sh = sw = 2;
  } else if (kind < 62) {
    kh = kw = 3;
    sh = sw = tu_range(1, 2);
    pt = draw_pad(3), pl = draw_pad(3), pb = draw_pad(3), pr = draw_pad(3);
  } else if (kind < 74) {
    static const int32_t k[][2] = {{5, 5}, {1, 7}, {7, 1}, {2, 2}, {1, 3}, {3, 1}, {3, 5}};
    const int32_t j = (int32_t)(tu_next() % 7u);
    kh = k[j][0], kw = k[j][1];
    sh = tu_range(1, 3), sw = tu_range(1, 3);
    pt = draw_pad(kh), pl = draw_pad(kw), pb = draw_pad(kh), pr = draw_pad(kw);
  } else if (kind < 80) {
    // The stem: 3x3 stride 2 over 3 channels, TFLite SAME on even sizes.
    kh = kw = 3, sh = sw = 2, ic = 3;
    ih = 2 * tu_range(1, 8), iw = 2 * tu_range(1, 8);
    pb = pr = 1;
  } else if (kind < 88) {
    groups = tu_range(2, 4);
    ic = groups * tu_range(1, 6);
    oc = groups * tu_range(1, 4);
    kh = kw = tu_range(1, 3);
    pt = pl = pb = pr = kh / 2;
  } else if (kind < 94) {
    kh = kw = 3;
    dh = tu_range(1, 3), dw = tu_range(1, 3);
    pt = pb = dh, pl = pr = dw;
  } else {
    ic = tu_range(1, 3);  // depth < 4
    kh = tu_range(1, 2);
  }
  if (tu_chance(10)) ih = 1;
  if (tu_chance(10)) iw = 1;
  const int32_t eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
  if (ih + pt + pb < eh || iw + pl + pr < ew) return 0;
  const int32_t oh = (ih + pt + pb - eh) / sh + 1, ow = (iw + pl + pr - ew) / sw + 1;
  const int32_t n = tu_chance(15) ? 2 : 1;
  p->in = (sprat_shape4){n, ih, iw, ic};
  p->filter = (sprat_shape4){oc, kh, kw, ic / groups};
  p->out = (sprat_shape4){n, oh, ow, oc};
  p->stride_h = sh, p->stride_w = sw, p->dilation_h = dh, p->dilation_w = dw;
  p->pad_top = pt, p->pad_left = pl;
  p->layout = SPRAT_LAYOUT_PLAIN;
  sprat_conv_params q = *p;
  q.layout = SPRAT_LAYOUT_ARMV7EM;
  return n * ih * iw * ic <= IN_MAX && oc * kh * kw * (ic / groups) <= FILTER_MAX && n * oh * ow * oc <= OUT_MAX &&
         oc <= OC_MAX && sprat_conv2d_s8_get_buffer_size(&q) <= SCRATCH_MAX;
}

// Quantization, weights, data; the folded bias and the flag as the
// converter would make them.
static void draw_numbers(config *c) {
  sprat_conv_params *p = &c->p;
  const int32_t depth = p->filter.h * p->filter.w * p->filter.c, oc = p->out.c;
  p->input_offset = -tu_zero_point();
  p->output_offset = tu_zero_point();
  if (tu_chance(50)) {
    p->act_min = -128, p->act_max = 127;
  } else {
    const int32_t a = tu_range(-128, 127), b = tu_range(-128, 127);
    p->act_min = a < b ? a : b, p->act_max = a < b ? b : a;
    if (tu_chance(30)) p->act_min = p->output_offset, p->act_max = 127;
    if (tu_chance(25)) p->act_min = -128, p->act_max = tu_range(-128, 126);  // ReLU6 at zero point -128
  }
  tu_fill_s8(filter_plain, oc * depth);
  tu_fill_s8(input, p->in.n * p->in.h * p->in.w * p->in.c);
  c->has_bias = !tu_chance(10);
  p->flags = tu_draw_requant(oc, depth, filter_plain, depth, 1, p->input_offset, c->has_bias, bias, folded, mult, shift);
}

static void print_config(const config *c) {
  const sprat_conv_params *p = &c->p;
  printf("  in %ldx%ldx%ldx%ld filter %ldx%ldx%ldx%ld out %ldx%ldx%ldx%ld stride %ld,%ld dil %ld,%ld pad %ld,%ld "
         "offsets %ld,%ld act [%ld,%ld] flags %ld\n",
         (long)p->in.n, (long)p->in.h, (long)p->in.w, (long)p->in.c, (long)p->filter.n, (long)p->filter.h,
         (long)p->filter.w, (long)p->filter.c, (long)p->out.n, (long)p->out.h, (long)p->out.w, (long)p->out.c,
         (long)p->stride_h, (long)p->stride_w, (long)p->dilation_h, (long)p->dilation_w, (long)p->pad_top,
         (long)p->pad_left, (long)p->input_offset, (long)p->output_offset, (long)p->act_min, (long)p->act_max,
         (long)p->flags);
}

// Runs config c on the ARMV7EM path over rows [r0, r1) in calls of a few
// rows; returns the mismatching bytes (rows outside must stay untouched).
static long check(const config *c, int32_t r0, int32_t r1) {
  sprat_conv_params p = c->p;
  const int32_t depth = p.filter.h * p.filter.w * p.filter.c, oc = p.out.c;
  const int32_t n_in = p.in.n * p.in.h * p.in.w * p.in.c, n_f = oc * depth;
  const int32_t n_out = p.out.n * p.out.h * p.out.w * oc, row = p.out.w * oc;
  p.layout = SPRAT_LAYOUT_ARMV7EM;
  const int32_t scratch_bytes = sprat_conv2d_s8_get_buffer_size(&p);
  // Fenced copies: the filter mostly word-aligned (the fast path), now and
  // then not (the generic fallback).
  int8_t *in = (int8_t *)tu_place(&slot_in, 0, n_in, tu_chance(70), 1);
  int8_t *f = (int8_t *)tu_place(&slot_filter, 1, n_f, tu_chance(50), tu_chance(95) ? 4 : 1);
  if (((uintptr_t)f & 3u) == 0 && tu_chance(3)) f += f + n_f < (int8_t *)slot_filter.base + 32 + FILTER_MAX ? 1 : -1;
  int8_t *out = (int8_t *)tu_place(&slot_out, 2, n_out, tu_chance(70), 1);
  uint8_t *scratch = tu_place(&slot_scratch, 3, scratch_bytes, 1, 4);
  memcpy(in, input, (size_t)n_in);
  tu_interleave(filter_plain, oc, depth, f);
  memset(out, 0x5A, (size_t)n_out);
  tu_mpu_on();
  for (int32_t y = r0; y < r1;) {
    const int32_t step = tu_chance(50) ? r1 - y : tu_range(1, 3);
    const int32_t y1 = y + step < r1 ? y + step : r1;
    for (int32_t i = 0; i < scratch_bytes; ++i) scratch[i] = (uint8_t)tu_next();
    sprat_conv2d_s8(&p, in, f, folded, mult, shift, out, scratch_bytes ? scratch : NULL, y, y1);
    y = y1;
  }
  tu_mpu_off();
  long bad = 0;
  for (int32_t i = 0; i < n_out; ++i) {
    const int32_t y = (i / row) % p.out.h;
    const int8_t expect = y >= r0 && y < r1 ? want[i] : (int8_t)0x5A;
    if (out[i] != expect) {
      if (bad < 4) {
        const int32_t ch = i % oc;
        printf("  out[%ld] (row %ld ch %ld): got %d want %d (mult %ld shift %ld)\n", (long)i, (long)y, (long)ch,
               out[i], expect, (long)mult[ch], (long)shift[ch]);
      }
      ++bad;
    }
  }
  return bad;
}

// The kernels' twins of converter/layouts/cortex_m.py agree with it
// (layout_twin.h): scratch bytes and the filter order.
static long check_twins(void) {
  long bad = 0;
  for (size_t i = 0; i < sizeof kTwinScratch / sizeof kTwinScratch[0]; ++i) {
    sprat_conv_params p = {0};
    memcpy(&p.in, kTwinScratch[i].in, sizeof p.in);
    memcpy(&p.filter, kTwinScratch[i].filter, sizeof p.filter);
    memcpy(&p.out, kTwinScratch[i].out, sizeof p.out);
    p.stride_h = p.stride_w = p.dilation_w = 1;
    p.dilation_h = kTwinScratch[i].dilation_h;
    p.flags = kTwinScratch[i].flags;
    p.layout = SPRAT_LAYOUT_ARMV7EM;
    const int32_t got = sprat_conv2d_s8_get_buffer_size(&p);
    if (got != kTwinScratch[i].bytes && bad++ < 4)
      printf("twin: scratch case %ld: kernel %ld bytes, converter %ld\n", (long)i, (long)got,
             (long)kTwinScratch[i].bytes);
  }
  const uint16_t *perm = kTwinPerm;
  for (size_t i = 0; i < sizeof kTwinOrder / sizeof kTwinOrder[0]; ++i) {
    const int32_t rows = kTwinOrder[i].rows, depth = kTwinOrder[i].depth;
    for (int32_t r = 0; r < rows; ++r)
      for (int32_t k = 0; k < depth; ++k)
        if (perm[sprat_cm_filter_index(r, k, rows, depth)] != r * depth + k && bad++ < 4)
          printf("twin: filter %ldx%ld: row %ld weight %ld misplaced\n", (long)rows, (long)depth, (long)r, (long)k);
    perm += rows * depth;
  }
  return bad;
}

int main(void) {
  const long twin_mismatches = check_twins();
  long configs = 0, bad_configs = 0, fast = 0, gemm = 0;
  while (configs < CONV_TEST_CONFIGS) {
    config c;
    if (!draw_shape(&c)) continue;
    draw_numbers(&c);
    sprat_portable_conv2d_s8(&c.p, input, filter_plain, c.has_bias ? bias : NULL, mult, shift, want, NULL, 0,
                             c.p.out.h);
    const int32_t h = c.p.out.h;
    long bad = check(&c, 0, h);
    if (h > 1) {
      const int32_t r0 = tu_range(0, h - 1), r1 = tu_range(r0 + 1, h);
      bad += check(&c, r0, r1);
    }
    sprat_conv_params q = c.p;
    q.layout = SPRAT_LAYOUT_ARMV7EM;
    // The per-channel fast requantization (requant.h) applies?
    int fast_rq = sprat_conv2d_s8_get_buffer_size(&q) > 0 && (c.p.flags & SPRAT_CONV_FAST_REQUANT);
    for (int32_t k = 0; k < c.p.out.c; ++k) fast_rq &= mult[k] >= (1 << 30) && shift[k] <= -1 && shift[k] >= -22;
    gemm += sprat_conv2d_s8_get_buffer_size(&q) > 0;
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
  printf("conv_s8: layout twins: %ld mismatches\n", twin_mismatches);
  printf("conv_s8: %ld configurations (%ld on the GEMM path, %ld of them fast requantization), %ld mismatches\n", configs,
         gemm, fast, bad_configs);
  return bad_configs != 0 || twin_mismatches != 0;
}
