// Instructions of the DSP library's CONV_2D and FULLY_CONNECTED (layout
// ARMV7EM) against the portable kernels on MobileNetV2-0.30-80's shapes:
// each shape brackets the DSP kernel, then the portable one, with
// sprat_mark() pairs, and checks that both wrote the same bytes. The
// firmware prints each region's name and MACs; the runner prints the
// counts (bench_table.py joins the two into a table).
#include <stdio.h>

#include "harness/sprat_harness.h"
#include "kernels/cortex_m/depthwise/dw_filter_order.h"
#include "kernels/cortex_m/tests/test_util.h"
#include "kernels/portable/portable.h"
#include "sprat/kernels.h"

#define IN_MAX (40 * 40 * 16)
#define OUT_MAX (40 * 40 * 48)
#define FILTER_MAX (288 * 48)
#define SCRATCH_MAX 12288
#define OC_MAX 1000

static int8_t input[IN_MAX], out_dsp[OUT_MAX], out_ref[OUT_MAX];
static int8_t filter_plain[FILTER_MAX], filter_dsp[FILTER_MAX] __attribute__((aligned(16)));
static uint32_t scratch[SCRATCH_MAX / 4];
static int32_t bias[OC_MAX], folded[OC_MAX], mult[OC_MAX], shift[OC_MAX];
// FC 384x1000 does not fit the RAM: its two filters live in the QEMU
// board's writable flash (the linker scripts' .sprat_blob).
static int8_t fc_plain[384 * 1000] __attribute__((section(".sprat_blob"), aligned(16)));
static int8_t fc_dsp[384 * 1000] __attribute__((section(".sprat_blob"), aligned(16)));

static int region = 0;
static long mismatches = 0;

static void numbers(int32_t rows, int32_t depth, int32_t input_offset, int8_t *plain, int8_t *dsp) {
  tu_fill_s8(plain, rows * depth);
  tu_interleave(plain, rows, depth, dsp);
  for (int32_t r = 0; r < rows; ++r) {
    int32_t sum = 0;
    for (int32_t k = 0; k < depth; ++k) sum += plain[r * depth + k];
    bias[r] = tu_range(-5000, 5000);
    folded[r] = bias[r] + input_offset * sum;
    mult[r] = (int32_t)(0x40000000u | (tu_next() & 0x3FFFFFFFu));
    shift[r] = -9 - (depth > 100) - (depth > 200);
  }
}

static void compare(const char *name, int32_t n) {
  long bad = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (out_dsp[i] != out_ref[i] && bad++ < 5) printf("bench: %s: [%ld] %d, want %d\n", name, (long)i, out_dsp[i], out_ref[i]);
  }
  if (bad) printf("bench: %s: %ld bytes differ from the portable kernel's\n", name, bad);
  mismatches += bad;
}

static void conv(const char *name, int32_t ih, int32_t iw, int32_t ic, int32_t oc, int32_t k, int32_t stride,
                 int32_t pad) {
  sprat_conv_params p = {0};
  if (ih * iw * ic > IN_MAX || (ih + pad - k) / stride + 1 > 40 || k * k * ic * oc > FILTER_MAX) {
    printf("bench: %s does not fit the buffers\n", name);
    ++mismatches;
    return;
  }
  const int32_t oh = (ih + pad - k) / stride + 1, ow = (iw + pad - k) / stride + 1;
  p.in = (sprat_shape4){1, ih, iw, ic};
  p.filter = (sprat_shape4){oc, k, k, ic};
  p.out = (sprat_shape4){1, oh, ow, oc};
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = 1;
  p.input_offset = 128;  // zero point -128, as after a ReLU6
  p.output_offset = -3;
  p.act_min = -128, p.act_max = 127;
  p.flags = SPRAT_CONV_FAST_REQUANT;
  tu_fill_s8(input, ih * iw * ic);
  numbers(oc, k * k * ic, p.input_offset, filter_plain, filter_dsp);
  p.layout = SPRAT_LAYOUT_ARMV7EM;
  if (sprat_conv2d_s8_get_buffer_size(&p) > SCRATCH_MAX) {
    printf("bench: %s needs more scratch\n", name);
    ++mismatches;
    return;
  }
  const long macs = (long)oh * ow * oc * k * k * ic;
  sprat_mark();
  sprat_conv2d_s8(&p, input, filter_dsp, folded, mult, shift, out_dsp, scratch, 0, oh);
  sprat_mark();
  p.layout = SPRAT_LAYOUT_PLAIN;
  sprat_mark();
  sprat_conv2d_s8(&p, input, filter_plain, bias, mult, shift, out_ref, NULL, 0, oh);
  sprat_mark();
  printf("bench: region %d %s dsp macs %ld outputs %ld\n", region, name, macs, (long)oh * ow * oc);
  printf("bench: region %d %s portable macs %ld outputs %ld\n", region + 1, name, macs, (long)oh * ow * oc);
  region += 2;
  compare(name, oh * ow * oc);
}

// Depthwise, SAME padding: `pad` rows and columns before, the rest after.
static void dw(const char *name, int32_t ih, int32_t iw, int32_t ic, int32_t dm, int32_t k, int32_t stride,
               int32_t pad) {
  sprat_conv_params p = {0};
  const int32_t oc = ic * dm, oh = (ih + stride - 1) / stride, ow = (iw + stride - 1) / stride, taps = k * k;
  p.in = (sprat_shape4){1, ih, iw, ic};
  p.filter = (sprat_shape4){1, k, k, oc};
  p.out = (sprat_shape4){1, oh, ow, oc};
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = 1;
  p.pad_top = p.pad_left = pad;
  p.depth_multiplier = dm;
  p.input_offset = 128;
  p.output_offset = -128;
  p.act_min = -128, p.act_max = 40;  // ReLU6's clamp
  p.flags = SPRAT_CONV_FAST_REQUANT;
  p.layout = SPRAT_LAYOUT_ARMV7EM;
  if (ih * iw * ic > IN_MAX || oh * ow * oc > OUT_MAX || taps * oc > FILTER_MAX ||
      sprat_depthwise_conv2d_s8_get_buffer_size(&p) > SCRATCH_MAX) {
    printf("bench: %s does not fit the buffers\n", name);
    ++mismatches;
    return;
  }
  tu_fill_s8(input, ih * iw * ic);
  tu_fill_s8(filter_plain, taps * oc);
  for (int32_t c = 0; c < oc; ++c) {
    int32_t sum = 0;
    for (int32_t t = 0; t < taps; ++t) {
      sum += filter_plain[t * oc + c];
      filter_dsp[sprat_cm_dw_filter_index(t, c, taps, oc)] = filter_plain[t * oc + c];
    }
    bias[c] = tu_range(-5000, 5000);
    folded[c] = bias[c] + p.input_offset * sum;
    mult[c] = (int32_t)(0x40000000u | (tu_next() & 0x3FFFFFFFu));
    shift[c] = -7;
  }
  const long macs = (long)oh * ow * oc * taps;
  sprat_mark();
  sprat_depthwise_conv2d_s8(&p, input, filter_dsp, folded, mult, shift, out_dsp, scratch, 0, oh);
  sprat_mark();
  p.layout = SPRAT_LAYOUT_PLAIN;
  sprat_mark();
  sprat_depthwise_conv2d_s8(&p, input, filter_plain, bias, mult, shift, out_ref, NULL, 0, oh);
  sprat_mark();
  printf("bench: region %d %s dsp macs %ld outputs %ld\n", region, name, macs, (long)oh * ow * oc);
  printf("bench: region %d %s portable macs %ld outputs %ld\n", region + 1, name, macs, (long)oh * ow * oc);
  region += 2;
  compare(name, oh * ow * oc);
}

static void fc(const char *name, int32_t depth, int32_t units) {
  sprat_fc_params p = {0};
  p.batches = 1, p.depth = depth, p.units = units;
  p.input_offset = 128, p.output_offset = 5;
  p.act_min = -128, p.act_max = 127;
  p.per_channel = 0;
  tu_fill_s8(input, depth);
  numbers(units, depth, p.input_offset, fc_plain, fc_dsp);
  p.layout = SPRAT_LAYOUT_ARMV7EM;
  sprat_mark();
  sprat_fully_connected_s8(&p, input, fc_dsp, folded, mult, shift, out_dsp);
  sprat_mark();
  p.layout = SPRAT_LAYOUT_PLAIN;
  sprat_mark();
  sprat_fully_connected_s8(&p, input, fc_plain, bias, mult, shift, out_ref);
  sprat_mark();
  printf("bench: region %d %s dsp macs %ld outputs %ld\n", region, name, (long)depth * units, (long)units);
  printf("bench: region %d %s portable macs %ld outputs %ld\n", region + 1, name, (long)depth * units, (long)units);
  region += 2;
  compare(name, units);
}

int main(void) {
  sprat_mark_calibrate();
  conv("1x1 40x40x16->8", 40, 40, 16, 8, 1, 1, 0);
  conv("1x1 40x40x8->48", 40, 40, 8, 48, 1, 1, 0);
  conv("1x1 20x20x48->8", 20, 20, 48, 8, 1, 1, 0);
  conv("1x1 10x10x16->96", 10, 10, 16, 96, 1, 1, 0);
  conv("1x1 5x5x144->24", 5, 5, 144, 24, 1, 1, 0);
  conv("1x1 3x3x288->48", 3, 3, 288, 48, 1, 1, 0);
  conv("3x3/2 80x80x3->40x40x16", 80, 80, 3, 16, 3, 2, 1);
  fc("FC 384->1000", 384, 1000);
  dw("dw 3x3/1 40x40x16", 40, 40, 16, 1, 3, 1, 1);
  dw("dw 3x3/2 20x20x48", 20, 20, 48, 1, 3, 2, 0);
  dw("dw 3x3/1 5x5x144", 5, 5, 144, 1, 3, 1, 1);
  dw("dw 3x3/1 3x3x288", 3, 3, 288, 1, 3, 1, 1);
  dw("dw 5x5/1 20x20x24", 20, 20, 24, 1, 5, 1, 2);
  dw("dw 3x3/1 20x20x19", 20, 20, 19, 1, 3, 1, 1);
  dw("dw 3x3/1 40x40x1 dm 8", 40, 40, 1, 8, 3, 1, 1);
  printf("bench: %ld mismatching bytes\n", mismatches);
  return 0;
}
