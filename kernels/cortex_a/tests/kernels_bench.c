// Instructions of the Cortex-A library's kernels against the portable ones
// on MobileNetV2-0.30-80's shapes: each shape brackets the library kernel,
// then the portable one, with sprat_mark() pairs, and checks both wrote the
// same bytes. The firmware prints each region's name and MACs, the runner
// the counts (kernels/cortex_m/tests/bench_table.py makes the table; its
// "dsp" column is this library).
#include <stdio.h>

#include "harness/sprat_harness.h"
#include "kernels/portable/portable.h"
#include "sprat/kernels.h"

#define IN_MAX (40 * 40 * 16)
#define OUT_MAX (40 * 40 * 48)
#define FILTER_MAX (384 * 1000)
#define OC_MAX 1000

static int8_t input[IN_MAX], out_lib[OUT_MAX], out_ref[OUT_MAX], filt[FILTER_MAX];
static int32_t bias[OC_MAX], mult[OC_MAX], shift[OC_MAX];
static int region = 0;
static long mismatches = 0;
static uint32_t state = 0x9E3779B9u;

static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

static void fill(int8_t *p, int32_t n) {
  for (int32_t i = 0; i < n; ++i) p[i] = (int8_t)next();
}

// Weights as TFLite quantizes them: symmetric, in [-127, 127].
static void fill_weights(int8_t *p, int32_t n) {
  for (int32_t i = 0; i < n; ++i) p[i] = (int8_t)(next() % 255u) - 127;
}

static void numbers(int32_t n, int32_t depth) {
  for (int32_t r = 0; r < n; ++r) {
    bias[r] = (int32_t)(next() % 10001u) - 5000;
    mult[r] = (int32_t)(0x40000000u | (next() & 0x3FFFFFFFu));
    shift[r] = -9 - (depth > 100) - (depth > 200);
  }
}

static void report(const char *name, long macs, int32_t outs) {
  printf("bench: region %d %s dsp macs %ld outputs %ld\n", region, name, macs, (long)outs);
  printf("bench: region %d %s portable macs %ld outputs %ld\n", region + 1, name, macs, (long)outs);
  region += 2;
  long bad = 0;
  for (int32_t i = 0; i < outs; ++i) bad += out_lib[i] != out_ref[i];
  if (bad) printf("bench: %s: %ld bytes differ from the portable kernel's\n", name, bad);
  mismatches += bad;
}

static void conv(const char *name, int32_t ih, int32_t ic, int32_t oc, int32_t k, int32_t stride, int32_t pad,
                 int depthwise) {
  sprat_conv_params p = {0};
  const int32_t oh = (ih + pad - k) / stride + 1;
  p.in = (sprat_shape4){1, ih, ih, ic};
  p.filter = depthwise ? (sprat_shape4){1, k, k, oc} : (sprat_shape4){oc, k, k, ic};
  p.out = (sprat_shape4){1, oh, oh, oc};
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = 1;
  p.pad_top = p.pad_left = pad / 2;  // TFLite SAME: the rest after
  p.depth_multiplier = depthwise ? 1 : 0;
  p.input_offset = 128;
  p.output_offset = -3;
  p.act_min = -128, p.act_max = 127;
  fill(input, ih * ih * ic);
  fill_weights(filt, depthwise ? k * k * oc : oc * k * k * ic);
  numbers(oc, depthwise ? k * k : k * k * ic);
  void (*fn)(const sprat_conv_params *, const int8_t *, const int8_t *, const int32_t *, const int32_t *,
             const int32_t *, int8_t *, void *, int32_t, int32_t) =
      depthwise ? sprat_depthwise_conv2d_s8 : sprat_conv2d_s8;
  void (*ref)(const sprat_conv_params *, const int8_t *, const int8_t *, const int32_t *, const int32_t *,
              const int32_t *, int8_t *, void *, int32_t, int32_t) =
      depthwise ? sprat_portable_depthwise_conv2d_s8 : sprat_portable_conv2d_s8;
  sprat_mark();
  fn(&p, input, filt, bias, mult, shift, out_lib, NULL, 0, oh);
  sprat_mark();
  sprat_mark();
  ref(&p, input, filt, bias, mult, shift, out_ref, NULL, 0, oh);
  sprat_mark();
  report(name, (long)oh * oh * oc * k * k * (depthwise ? 1 : ic), oh * oh * oc);
}

static void fc(const char *name, int32_t depth, int32_t units) {
  sprat_fc_params p = {0};
  p.batches = 1, p.depth = depth, p.units = units;
  p.input_offset = 128, p.output_offset = 5, p.act_min = -128, p.act_max = 127;
  fill(input, depth);
  fill_weights(filt, depth * units);
  numbers(1, depth);
  sprat_mark();
  sprat_fully_connected_s8(&p, input, filt, bias, mult, shift, out_lib);
  sprat_mark();
  sprat_mark();
  sprat_portable_fully_connected_s8(&p, input, filt, bias, mult, shift, out_ref);
  sprat_mark();
  report(name, (long)depth * units, units);
}

int main(void) {
  sprat_mark_calibrate();
  conv("conv 3x3 s2 40x40 3->16 (stem)", 80, 3, 16, 3, 2, 1, 0);
  conv("conv 3x3 32x32 16->16 (resnet)", 32, 16, 16, 3, 1, 2, 0);
  conv("conv 3x3 8x8 64->64 (resnet)", 8, 64, 64, 3, 1, 2, 0);
  conv("conv 1x1 40x40 16->8", 40, 16, 8, 1, 1, 0, 0);
  conv("conv 1x1 20x20 8->48", 20, 8, 48, 1, 1, 0, 0);
  conv("conv 1x1 10x10 16->96", 10, 16, 96, 1, 1, 0, 0);
  conv("conv 1x1 10x10 96->16", 10, 96, 16, 1, 1, 0, 0);
  conv("conv 1x1 5x5 144->24", 5, 144, 24, 1, 1, 0, 0);
  conv("conv 1x1 3x3 96->384", 3, 96, 384, 1, 1, 0, 0);
  conv("dw 3x3 40x40x16", 40, 16, 16, 3, 1, 2, 1);
  conv("dw 3x3 s2 20x20x48", 20, 48, 48, 3, 2, 1, 1);
  conv("dw 3x3 10x10x96", 10, 96, 96, 3, 1, 2, 1);
  conv("dw 3x3 5x5x144", 5, 144, 144, 3, 1, 2, 1);
  fc("fc 384x1000", 384, 1000);
  printf("bench: %ld mismatches\n", mismatches);
  return mismatches != 0;
}
