// Instructions of the DSP library's ADD, MUL and pooling against the
// portable kernels: each case brackets the DSP kernel, then the portable
// one, with sprat_mark() pairs, and checks that both wrote the same bytes.
// The firmware prints each region's name and element count; the runner
// prints the counts (bench_table.py joins the two).
#include <stdio.h>

#include "harness/sprat_harness.h"
#include "kernels/cortex_m/tests/test_util.h"
#include "kernels/portable/portable.h"
#include "sprat/kernels.h"

#define N_MAX (40 * 40 * 16)

static int8_t in1[N_MAX], in2[N_MAX], out_dsp[N_MAX], out_ref[N_MAX];
static int region = 0;
static long mismatches = 0;

static void compare(const char *name, int32_t n) {
  long bad = 0;
  for (int32_t i = 0; i < n; ++i)
    if (out_dsp[i] != out_ref[i] && bad++ < 5) printf("bench: %s: [%ld] %d, want %d\n", name, (long)i, out_dsp[i], out_ref[i]);
  mismatches += bad;
}

static void announce(const char *name, int32_t n) {
  printf("bench: region %d %s dsp macs 0 outputs %ld\n", region, name, (long)n);
  printf("bench: region %d %s portable macs 0 outputs %ld\n", region + 1, name, (long)n);
  region += 2;
}

static void bc_same(sprat_broadcast *bc, int32_t h, int32_t w, int32_t c, int per_channel) {
  memset(bc, 0, sizeof *bc);
  bc->ndim = 4;
  bc->out_dims[0] = 1, bc->out_dims[1] = h, bc->out_dims[2] = w, bc->out_dims[3] = c;
  bc->in1_strides[0] = h * w * c, bc->in1_strides[1] = w * c, bc->in1_strides[2] = c, bc->in1_strides[3] = 1;
  memcpy(bc->in2_strides, bc->in1_strides, sizeof bc->in2_strides);
  if (per_channel) bc->in2_strides[0] = bc->in2_strides[1] = bc->in2_strides[2] = 0;
}

// Quantization as the converter makes it for input scales 0.05 and 0.031
// (or the same scale), output 0.07, zero points off the middle.
static void add(const char *name, int32_t h, int32_t w, int32_t c, int same_scale, int per_channel, int sub) {
  sprat_add_params p;
  memset(&p, 0, sizeof p);
  p.input1_offset = 3, p.input2_offset = -11, p.output_offset = -6;
  p.left_shift = 20;
  p.input1_multiplier = 1 << 30, p.input1_shift = 0;  // 0.05 / (2 * 0.05)
  if (same_scale) p.input2_multiplier = 1 << 30, p.input2_shift = 0;
  else p.input2_multiplier = 1331439862, p.input2_shift = -1;  // 0.031 / 0.1
  p.output_multiplier = 1533916891, p.output_shift = -19;     // 0.1 / (2^20 * 0.07)
  p.act_min = -128, p.act_max = 127;
  p.subtract = sub;
  bc_same(&p.bc, h, w, c, per_channel);
  const int32_t n = h * w * c;
  tu_fill_s8(in1, n);
  tu_fill_s8(in2, n);
  sprat_mark();
  sprat_add_s8(&p, in1, in2, out_dsp);
  sprat_mark();
  sprat_mark();
  sprat_portable_add_s8(&p, in1, in2, out_ref);
  sprat_mark();
  announce(name, n);
  compare(name, n);
}

static void mul(const char *name, int32_t h, int32_t w, int32_t c, int per_channel) {
  sprat_mul_params p;
  memset(&p, 0, sizeof p);
  p.input1_offset = 128, p.input2_offset = -5, p.output_offset = 9;
  p.output_multiplier = 1251938420, p.output_shift = -7;
  p.act_min = -128, p.act_max = 127;
  bc_same(&p.bc, h, w, c, per_channel);
  const int32_t n = h * w * c;
  tu_fill_s8(in1, n);
  tu_fill_s8(in2, n);
  sprat_mark();
  sprat_mul_s8(&p, in1, in2, out_dsp);
  sprat_mark();
  sprat_mark();
  sprat_portable_mul_s8(&p, in1, in2, out_ref);
  sprat_mark();
  announce(name, n);
  compare(name, n);
}

static void pool(const char *name, int is_max, int32_t ih, int32_t iw, int32_t c, int32_t k, int32_t stride,
                 int32_t pad) {
  sprat_pool_params p;
  memset(&p, 0, sizeof p);
  const int32_t oh = (ih + 2 * pad - k) / stride + 1, ow = (iw + 2 * pad - k) / stride + 1;
  p.in = (sprat_shape4){1, ih, iw, c};
  p.out = (sprat_shape4){1, oh, ow, c};
  p.stride_h = p.stride_w = stride, p.filter_h = p.filter_w = k, p.pad_top = p.pad_left = pad;
  p.act_min = -128, p.act_max = 127;
  tu_fill_s8(in1, ih * iw * c);
  sprat_mark();
  if (is_max) sprat_max_pool2d_s8(&p, in1, out_dsp, 0, oh);
  else sprat_avg_pool2d_s8(&p, in1, out_dsp, 0, oh);
  sprat_mark();
  sprat_mark();
  if (is_max) sprat_portable_max_pool2d_s8(&p, in1, out_ref, 0, oh);
  else sprat_portable_avg_pool2d_s8(&p, in1, out_ref, 0, oh);
  sprat_mark();
  announce(name, oh * ow * c);
  compare(name, oh * ow * c);
}

int main(void) {
  sprat_mark_calibrate();
  add("ADD [1,20,20,8]", 20, 20, 8, 0, 0, 0);
  add("ADD [1,10,10,16]", 10, 10, 16, 0, 0, 0);
  add("ADD [1,5,5,24]", 5, 5, 24, 0, 0, 0);
  add("ADD [1,20,20,8] same scales", 20, 20, 8, 1, 0, 0);
  add("SUB [1,10,10,16]", 10, 10, 16, 0, 0, 1);
  add("ADD [1,20,20,8] + [8]", 20, 20, 8, 0, 1, 0);
  mul("MUL [1,20,20,8]", 20, 20, 8, 0);
  mul("MUL [1,10,10,16] * [16]", 10, 10, 16, 1);
  pool("MAX 3x3/2 pad 1 40x40x16", 1, 40, 40, 16, 3, 2, 1);
  pool("MAX 2x2/2 20x20x8", 1, 20, 20, 8, 2, 2, 0);
  pool("AVG 3x3/1 pad 1 10x10x16", 0, 10, 10, 16, 3, 1, 1);
  pool("AVG 2x2/2 20x20x24", 0, 20, 20, 24, 2, 2, 0);
  pool("AVG global 5x5x96", 0, 5, 5, 96, 5, 1, 0);
  printf("bench: %ld mismatching bytes\n", mismatches);
  return mismatches != 0;
}
