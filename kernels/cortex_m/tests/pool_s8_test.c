// AVERAGE_POOL_2D and MAX_POOL_2D of the DSP library (the kernel API)
// against the portable kernels, byte for byte, on random configurations:
// windows 1..5 (and global windows past 256 taps, where the halfword sums
// are flushed), strides 1..3, padding on every border (some windows all
// padding, some output sizes past what the padding gives), 1-pixel images,
// 1..40 channels, batches, narrow activation ranges, whole images and row
// sub-ranges (rows outside must stay untouched). The input and output sit
// against MPU guard regions; the output's slot is checked for stray writes.
#include <stdio.h>

#include "kernels/cortex_m/tests/test_util.h"
#include "kernels/portable/portable.h"
#include "sprat/kernels.h"

#ifndef POOL_TEST_CONFIGS
#define POOL_TEST_CONFIGS 300  // per op; a long sweep: --copt=-DPOOL_TEST_CONFIGS=3000
#endif

#define IN_MAX 16384
#define OUT_MAX 8192

static uint8_t pool_in[32 + IN_MAX + 32] __attribute__((aligned(32)));
static uint8_t pool_out[32 + OUT_MAX + 32] __attribute__((aligned(32)));
static const tu_slot slot_in = {pool_in, IN_MAX}, slot_out = {pool_out, OUT_MAX};
static int8_t input[IN_MAX], want[OUT_MAX];

static int draw(sprat_pool_params *p, int *global) {
  memset(p, 0, sizeof *p);
  const int32_t c = tu_chance(20) ? tu_range(1, 4) : tu_range(1, 40);
  int32_t ih = tu_range(1, 12), iw = tu_range(1, 12);
  if (tu_chance(10)) ih = 1;
  if (tu_chance(10)) iw = 1;
  int32_t fh = tu_range(1, 5), fw = tu_range(1, 5), sh = tu_range(1, 3), sw = tu_range(1, 3);
  int32_t pt = tu_range(0, fh - 1), pl = tu_range(0, fw - 1), pb = tu_range(0, fh - 1), pr = tu_range(0, fw - 1);
  if (tu_chance(15)) pt = 0, pl = 0, pb = 0, pr = 0;
  if (tu_chance(5)) pt = tu_range(-2, fh + 1), pl = tu_range(-2, fw + 1);  // odd pads the runtime accepts
  *global = tu_chance(6);
  if (*global) {
    // Global pooling, up to 24x24 taps: past the 256 the halfwords hold.
    ih = tu_range(10, 24), iw = tu_range(10, 24);
    fh = ih, fw = iw, sh = sw = 1, pt = pl = pb = pr = 0;
  }
  const int32_t n = tu_chance(15) ? 2 : 1;
  int32_t oh = (ih + pt + pb - fh) / sh + 1, ow = (iw + pl + pr - fw) / sw + 1;
  if (ih + pt + pb < fh || iw + pl + pr < fw) oh = ow = 1;
  if (tu_chance(8)) oh += tu_range(1, 2);  // windows past the input: clipped or empty
  if (tu_chance(8)) ow += tu_range(1, 2);
  if (oh < 1) oh = 1;
  if (ow < 1) ow = 1;
  p->in = (sprat_shape4){n, ih, iw, c};
  p->out = (sprat_shape4){n, oh, ow, c};
  p->stride_h = sh, p->stride_w = sw, p->filter_h = fh, p->filter_w = fw;
  p->pad_top = pt, p->pad_left = pl;
  if (tu_chance(55)) {
    p->act_min = -128, p->act_max = 127;
  } else {
    const int32_t a = tu_range(-128, 127), b = tu_range(-128, 127);
    p->act_min = a < b ? a : b, p->act_max = a < b ? b : a;
  }
  return n * ih * iw * c <= IN_MAX && n * oh * ow * c <= OUT_MAX;
}

static long check(const sprat_pool_params *p, int is_max, int32_t r0, int32_t r1) {
  const int32_t n_in = p->in.n * p->in.h * p->in.w * p->in.c, n_out = p->out.n * p->out.h * p->out.w * p->out.c;
  const int32_t row = p->out.w * p->out.c;
  int8_t *in = (int8_t *)tu_place(&slot_in, 0, n_in, tu_chance(70), 1);
  int8_t *lo = (int8_t *)slot_out.base + 32;
  memset(lo, 0x5A, OUT_MAX);
  int8_t *out = (int8_t *)tu_place(&slot_out, 1, n_out, tu_chance(60), 1);
  memcpy(in, input, (size_t)n_in);
  tu_mpu_on();
  for (int32_t y = r0; y < r1;) {
    const int32_t step = tu_chance(50) ? r1 - y : tu_range(1, 3);
    const int32_t y1 = y + step < r1 ? y + step : r1;
    if (is_max) sprat_max_pool2d_s8(p, in, out, y, y1);
    else sprat_avg_pool2d_s8(p, in, out, y, y1);
    y = y1;
  }
  tu_mpu_off();
  long bad = 0;
  for (int32_t i = 0; i < n_out; ++i) {
    const int32_t y = (i / row) % p->out.h;
    const int8_t expect = y >= r0 && y < r1 ? want[i] : (int8_t)0x5A;
    if (out[i] != expect && bad++ < 4)
      printf("  out[%ld] (row %ld ch %ld): got %d want %d\n", (long)i, (long)y, (long)(i % p->out.c), out[i], expect);
  }
  for (int8_t *q = lo; q < lo + OUT_MAX; ++q)
    if ((q < out || q >= out + n_out) && *q != 0x5A && bad++ < 8)
      printf("  stray write at %ld of the output's slot\n", (long)(q - lo));
  return bad;
}

int main(void) {
  long configs[2] = {0, 0}, bad_configs[2] = {0, 0}, sub_ranges[2] = {0, 0}, globals[2] = {0, 0};
  static const char *const kName[2] = {"avg_pool2d_s8", "max_pool2d_s8"};
  for (int is_max = 0; is_max < 2; ++is_max) {
    while (configs[is_max] < POOL_TEST_CONFIGS) {
      sprat_pool_params p;
      int global;
      if (!draw(&p, &global)) continue;
      tu_fill_s8(input, p.in.n * p.in.h * p.in.w * p.in.c);
      if (is_max) sprat_portable_max_pool2d_s8(&p, input, want, 0, p.out.h);
      else sprat_portable_avg_pool2d_s8(&p, input, want, 0, p.out.h);
      const int32_t h = p.out.h;
      long bad = check(&p, is_max, 0, h);
      if (h > 1) {
        const int32_t r0 = tu_range(0, h - 1), r1 = tu_range(r0 + 1, h);
        bad += check(&p, is_max, r0, r1);
        ++sub_ranges[is_max];
      }
      globals[is_max] += global;
      if (bad) {
        if (bad_configs[is_max] < 10) {
          printf("%s config %ld: %ld mismatches\n", kName[is_max], configs[is_max], bad);
          printf("  in %ldx%ldx%ldx%ld out %ldx%ldx%ldx%ld filter %ldx%ld stride %ld,%ld pad %ld,%ld act [%ld,%ld]\n",
                 (long)p.in.n, (long)p.in.h, (long)p.in.w, (long)p.in.c, (long)p.out.n, (long)p.out.h,
                 (long)p.out.w, (long)p.out.c, (long)p.filter_h, (long)p.filter_w, (long)p.stride_h,
                 (long)p.stride_w, (long)p.pad_top, (long)p.pad_left, (long)p.act_min, (long)p.act_max);
        }
        ++bad_configs[is_max];
      }
      ++configs[is_max];
    }
  }
  for (int k = 0; k < 2; ++k)
    printf("%s: %ld configurations (%ld with a row sub-range, %ld global), %ld mismatches\n", kName[k], configs[k],
           sub_ranges[k], globals[k], bad_configs[k]);
  return bad_configs[0] != 0 || bad_configs[1] != 0;
}
