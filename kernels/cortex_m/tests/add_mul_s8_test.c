// ADD, SUB and MUL of the DSP library (the kernel API, so api.c's routing
// too) against the portable kernels, byte for byte, on random
// configurations drawn to break fast kernels: element counts from 1 to
// ~3000 (mostly not multiples of 4), same shapes, an operand broadcast per
// channel or as a scalar, arbitrary broadcasts over up to 6 dimensions,
// in place (out == in1 or in2), quantization made the way the converter
// makes it (converter/lower.py: left shift 20, QuantizeMultiplier) and
// extreme (zero points -128/127, multipliers 0, small, 2^30, near 2^31,
// negative, shifts over the whole valid range, other left shifts, big
// output offsets), narrow activation ranges. Every array sits against an
// MPU guard region, and the output's slot is checked for stray writes.
#include <stdio.h>

#include "kernels/cortex_m/tests/test_util.h"
#include "kernels/portable/portable.h"
#include "sprat/kernels.h"

#ifndef EW_TEST_CONFIGS
#define EW_TEST_CONFIGS 400  // per op; a long sweep: --copt=-DEW_TEST_CONFIGS=5000
#endif

#define N_MAX 3200
#define SLOT (N_MAX + 64)

static uint8_t pool[3][32 + SLOT + 32] __attribute__((aligned(32)));
static const tu_slot slots[3] = {{pool[0], SLOT}, {pool[1], SLOT}, {pool[2], SLOT}};
static int8_t src1[N_MAX], src2[N_MAX], want[N_MAX];

typedef struct {
  sprat_broadcast bc;
  int32_t n, n1, n2;  // elements of the output and of each operand
  int kind;           // 0 same shape, 1 per-channel, 2 scalar, 3 any broadcast
} shape;

static const char *const kKind[] = {"same", "channel", "scalar", "any"};

// One operand's strides over the output's index space, as the converter
// computes them: 0 where the operand has extent 1 and the output more.
static int32_t strides(const int32_t *out, const int32_t *dims, int32_t nd, int32_t *st) {
  int32_t acc = 1;
  for (int32_t d = nd - 1; d >= 0; --d) {
    st[d] = dims[d] == 1 && out[d] != 1 ? 0 : acc;
    acc *= dims[d];
  }
  return acc;
}

static void draw_shape(shape *s) {
  int32_t nd, out[SPRAT_MAX_DIMS], d1[SPRAT_MAX_DIMS], d2[SPRAT_MAX_DIMS];
  const uint32_t r = tu_next() % 100u;
  s->kind = r < 45 ? 0 : r < 65 ? 1 : r < 75 ? 2 : 3;
  for (;;) {
    nd = tu_chance(10) ? tu_range(5, 6) : tu_range(1, 4);
    int64_t n = 1;
    const int tiny = tu_chance(15);
    for (int32_t d = 0; d < nd; ++d) {
      const int32_t lim = tiny ? 3 : d == nd - 1 ? 48 : 14;
      out[d] = tu_chance(15) ? 1 : tu_range(1, lim);
      n *= out[d];
    }
    if (n <= 3000) break;
  }
  for (int32_t d = 0; d < nd; ++d) {
    d1[d] = out[d], d2[d] = out[d];
    if (s->kind == 1 && d < nd - 1) d2[d] = 1;
    if (s->kind == 2) d2[d] = 1;
    if (s->kind == 3) {
      if (tu_chance(35)) d1[d] = 1;
      if (tu_chance(35)) d2[d] = 1;
    }
  }
  // Which operand is the small one, for the per-channel and scalar kinds.
  if (s->kind != 0 && s->kind != 3 && tu_chance(40)) {
    int32_t t[SPRAT_MAX_DIMS];
    memcpy(t, d1, sizeof t), memcpy(d1, d2, sizeof t), memcpy(d2, t, sizeof t);
  }
  memset(&s->bc, 0, sizeof s->bc);
  s->bc.ndim = nd;
  s->n = 1;
  for (int32_t d = 0; d < nd; ++d) s->bc.out_dims[d] = out[d], s->n *= out[d];
  s->n1 = strides(out, d1, nd, s->bc.in1_strides);
  s->n2 = strides(out, d2, nd, s->bc.in2_strides);
}

// ---- TFLite's multipliers (converter/quant.py) -----------------------------
static void quantize_multiplier(double m, int32_t *q, int32_t *shift) {
  if (m <= 0.0) {
    *q = 0, *shift = 0;
    return;
  }
  int32_t e = 0;
  while (m >= 1.0) m *= 0.5, ++e;
  while (m < 0.5) m *= 2.0, --e;
  int64_t f = (int64_t)(m * 2147483648.0 + 0.5);
  if (f == ((int64_t)1 << 31)) f /= 2, ++e;
  if (e < -31) e = 0, f = 0;
  *q = (int32_t)f, *shift = e;
}

// A scale 2^-12 .. 2^0 with a random mantissa.
static double draw_scale(void) {
  double s = 1.0 + (double)(tu_next() & 0xFFFFF) / 1048576.0;
  for (int32_t e = tu_range(1, 13); e > 0; --e) s *= 0.5;
  return s;
}

static void draw_act(int32_t zp, int32_t *lo, int32_t *hi) {
  if (tu_chance(50)) {
    *lo = -128, *hi = 127;
  } else if (tu_chance(40)) {
    *lo = zp, *hi = tu_chance(50) ? 127 : tu_range(zp, 127);  // RELU, RELU6-like
  } else {
    const int32_t a = tu_range(-128, 127), b = tu_range(-128, 127);
    *lo = a < b ? a : b, *hi = a < b ? b : a;
  }
}

static int32_t extreme_multiplier(void) {
  const uint32_t r = tu_next() % 10u;
  if (r == 0) return 1 << 30;
  if (r == 1) return 0x7FFFFFFF - (int32_t)(tu_next() & 15u);
  if (r == 2) return (int32_t)(tu_next() & 0xFFFFu);
  if (r == 3) return 0;
  if (r == 4) return -(int32_t)(tu_next() >> 1);
  if (r == 5) return (int32_t)(tu_next() >> 1);
  return (int32_t)(0x40000000u | (tu_next() & 0x3FFFFFFFu));
}

static int32_t extreme_offset(int32_t zp) {
  const uint32_t r = tu_next() % 12u;
  if (r == 0) return tu_range(-2000, 2000);
  if (r == 1) return tu_chance(50) ? (1 << 20) + tu_range(-5, 5) : -(1 << 20) + tu_range(-5, 5);
  return zp;
}

// A shift that brings amplitude amp to about 2^(6..8), -31..+2.
static int32_t ranged_shift(double amp) {
  int32_t e = 0;
  while (amp >= 128.0 && e > -31) amp *= 0.5, --e;
  e += tu_range(-1, 1);
  return e < -31 ? -31 : e > 2 ? 2 : e;
}

static void draw_add(sprat_add_params *p, int *made) {
  const int32_t z1 = tu_zero_point(), z2 = tu_zero_point(), zo = tu_zero_point();
  p->input1_offset = -z1, p->input2_offset = -z2, p->output_offset = zo;
  draw_act(zo, &p->act_min, &p->act_max);
  p->subtract = tu_chance(35);
  *made = tu_chance(70);
  if (*made) {
    double s1 = draw_scale(), s2 = tu_chance(25) ? 0 : draw_scale(), so = draw_scale();
    if (s2 == 0) s2 = s1;  // the same scale: both multipliers 2^30
    if (tu_chance(10)) s2 = s1 * 0.25;  // a power of two apart
    const double twice_max = 2.0 * (s1 > s2 ? s1 : s2);
    p->left_shift = 20;
    quantize_multiplier(s1 / twice_max, &p->input1_multiplier, &p->input1_shift);
    quantize_multiplier(s2 / twice_max, &p->input2_multiplier, &p->input2_shift);
    quantize_multiplier(twice_max / (1048576.0 * so), &p->output_multiplier, &p->output_shift);
    if (p->output_shift > 0) p->output_shift = 0;  // what the converter refuses
    return;
  }
  p->left_shift = tu_chance(70) ? 20 : tu_range(0, 20);
  p->input1_multiplier = extreme_multiplier(), p->input2_multiplier = extreme_multiplier();
  p->output_multiplier = extreme_multiplier();
  p->input1_shift = tu_chance(30) ? 0 : tu_chance(90) ? tu_range(-31, -1) : tu_range(1, 3);
  p->input2_shift = tu_chance(30) ? 0 : tu_chance(90) ? tu_range(-31, -1) : tu_range(1, 3);
  p->output_shift = tu_chance(80) ? tu_range(-31, -1) : tu_range(0, 2);
  if (p->left_shift == 20 && (p->input1_shift > 0 || p->input2_shift > 0)) p->left_shift = tu_range(0, 8);
  if (tu_chance(60)) {
    // Extreme but in the forms the fast kernels take: left shift 20, each
    // input either exactly one half or any multiplier >= 0 with a right shift.
    p->left_shift = 20;
    int32_t *m[2] = {&p->input1_multiplier, &p->input2_multiplier}, *sh[2] = {&p->input1_shift, &p->input2_shift};
    for (int k = 0; k < 2; ++k) {
      if (tu_chance(30)) {
        *m[k] = 1 << 30, *sh[k] = 0;
      } else {
        if (*m[k] < 0) *m[k] = -(*m[k] + 1);
        *sh[k] = tu_chance(40) ? tu_range(-24, -14) : tu_chance(50) ? tu_range(-12, -1) : tu_range(-31, -1);
      }
    }
    if (p->output_multiplier < 0) p->output_multiplier = -(p->output_multiplier + 1);
  }
  p->output_offset = extreme_offset(zo);
  // Mostly an output shift that keeps results off the rails, where the
  // roundings' ties show; the largest |sum| is about amp.
  if (tu_chance(70) && p->output_multiplier > 0) {
    double amp = 0;
    const int32_t m[2] = {p->input1_multiplier, p->input2_multiplier}, s[2] = {p->input1_shift, p->input2_shift};
    for (int k = 0; k < 2; ++k) {
      double a = 255.0 * (double)(1 << p->left_shift) * (m[k] < 0 ? -(double)m[k] : (double)m[k]) / 2147483648.0;
      for (int32_t e = s[k]; e < 0; ++e) a *= 0.5;
      for (int32_t e = s[k]; e > 0; --e) a *= 2.0;
      amp += a;
    }
    p->output_shift = ranged_shift(amp * (double)p->output_multiplier / 2147483648.0);
  }
}

static void draw_mul(sprat_mul_params *p, int *made) {
  const int32_t z1 = tu_zero_point(), z2 = tu_zero_point(), zo = tu_zero_point();
  p->input1_offset = -z1, p->input2_offset = -z2, p->output_offset = zo;
  draw_act(zo, &p->act_min, &p->act_max);
  *made = tu_chance(70);
  if (*made) {
    const double s1 = draw_scale(), s2 = draw_scale();
    double so = draw_scale();
    if (tu_chance(50)) so *= 1.0 / 64;  // products of large scales
    quantize_multiplier((double)(float)((float)(s1 * s2) / (float)so), &p->output_multiplier, &p->output_shift);
    return;
  }
  p->output_multiplier = extreme_multiplier();
  p->output_shift = tu_chance(50) ? tu_range(-31, -1) : tu_chance(80) ? tu_range(0, 15) : tu_range(16, 30);
  p->output_offset = extreme_offset(zo);
  if (tu_chance(60) && p->output_multiplier > 0)
    p->output_shift = ranged_shift(65025.0 * (double)p->output_multiplier / 2147483648.0);
}

// Where the operands and the output go: fenced, the output at either end
// of its slot, or in place over an operand read at its own index.
typedef struct {
  int8_t *in1, *in2, *out;
  int in_place;  // 0, 1 (out == in1) or 2
  int8_t *slot_lo, *slot_hi;  // the output's slot, checked for stray writes
} placement;

static int identity(const shape *s, int which) {
  const int32_t *st = which == 1 ? s->bc.in1_strides : s->bc.in2_strides;
  int32_t dense = 1;
  for (int32_t d = s->bc.ndim - 1; d >= 0; --d) {
    if (s->bc.out_dims[d] != 1 && st[d] != dense) return 0;
    dense *= s->bc.out_dims[d];
  }
  return 1;
}

static void place(const shape *s, placement *pl) {
  pl->in1 = (int8_t *)tu_place(&slots[0], 0, s->n1, tu_chance(70), 1);
  pl->in2 = (int8_t *)tu_place(&slots[1], 1, s->n2, tu_chance(70), 1);
  memcpy(pl->in1, src1, (size_t)s->n1);
  memcpy(pl->in2, src2, (size_t)s->n2);
  pl->in_place = 0;
  if (tu_chance(20)) {
    if (identity(s, 1) && s->n1 == s->n && tu_chance(50)) pl->in_place = 1;
    else if (identity(s, 2) && s->n2 == s->n) pl->in_place = 2;
  }
  pl->slot_lo = (int8_t *)slots[2].base + 32, pl->slot_hi = pl->slot_lo + SLOT;
  if (pl->in_place) {
    pl->out = pl->in_place == 1 ? pl->in1 : pl->in2;
    pl->slot_lo = pl->slot_hi = NULL;
    return;
  }
  memset(pl->slot_lo, 0x5A, SLOT);
  pl->out = (int8_t *)tu_place(&slots[2], 2, s->n, tu_chance(60), 1);
}

static long compare(const placement *pl, int32_t n) {
  long bad = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (pl->out[i] != want[i] && bad++ < 4) printf("  out[%ld]: got %d want %d\n", (long)i, pl->out[i], want[i]);
  }
  if (pl->slot_lo) {
    for (int8_t *q = pl->slot_lo; q < pl->slot_hi; ++q) {
      if ((q < pl->out || q >= pl->out + n) && *q != 0x5A && bad++ < 8)
        printf("  stray write at %ld of the output's slot\n", (long)(q - pl->slot_lo));
    }
  }
  return bad;
}

static void print_shape(const shape *s) {
  printf("  %s n %ld dims", kKind[s->kind], (long)s->n);
  for (int32_t d = 0; d < s->bc.ndim; ++d) printf(" %ld", (long)s->bc.out_dims[d]);
  printf(" s1");
  for (int32_t d = 0; d < s->bc.ndim; ++d) printf(" %ld", (long)s->bc.in1_strides[d]);
  printf(" s2");
  for (int32_t d = 0; d < s->bc.ndim; ++d) printf(" %ld", (long)s->bc.in2_strides[d]);
  printf("\n");
}

typedef struct {
  long configs, bad_configs, made, in_place, kinds[4];
} tally;

static void count(tally *t, const shape *s, int made, const placement *pl, long bad) {
  ++t->configs;
  t->made += made;
  t->in_place += pl->in_place != 0;
  ++t->kinds[s->kind];
  if (bad) ++t->bad_configs;
}

static void report(const char *op, const tally *t) {
  printf("%s: %ld configurations (%ld converter-made, %ld in place; same %ld, channel %ld, scalar %ld, any %ld), %ld "
         "mismatches\n",
         op, t->configs, t->made, t->in_place, t->kinds[0], t->kinds[1], t->kinds[2], t->kinds[3], t->bad_configs);
}

int main(void) {
  tally ta = {0}, tm = {0};
  for (long c = 0; c < EW_TEST_CONFIGS; ++c) {
    shape s;
    draw_shape(&s);
    sprat_add_params p;
    int made;
    memset(&p, 0, sizeof p);
    draw_add(&p, &made);
    p.bc = s.bc;
    tu_fill_s8(src1, s.n1);
    tu_fill_s8(src2, s.n2);
    sprat_portable_add_s8(&p, src1, src2, want);
    placement pl;
    place(&s, &pl);
    tu_mpu_on();
    sprat_add_s8(&p, pl.in1, pl.in2, pl.out);
    tu_mpu_off();
    const long bad = compare(&pl, s.n);
    if (bad && ta.bad_configs < 10) {
      printf("add config %ld: %ld mismatches (in place %d)\n", c, bad, pl.in_place);
      print_shape(&s);
      printf("  offsets %ld %ld %ld left %ld m1 %ld s1 %ld m2 %ld s2 %ld mo %ld so %ld act [%ld,%ld] sub %ld\n",
             (long)p.input1_offset, (long)p.input2_offset, (long)p.output_offset, (long)p.left_shift,
             (long)p.input1_multiplier, (long)p.input1_shift, (long)p.input2_multiplier, (long)p.input2_shift,
             (long)p.output_multiplier, (long)p.output_shift, (long)p.act_min, (long)p.act_max, (long)p.subtract);
    }
    count(&ta, &s, made, &pl, bad);
  }
  for (long c = 0; c < EW_TEST_CONFIGS; ++c) {
    shape s;
    draw_shape(&s);
    sprat_mul_params p;
    int made;
    memset(&p, 0, sizeof p);
    draw_mul(&p, &made);
    p.bc = s.bc;
    tu_fill_s8(src1, s.n1);
    tu_fill_s8(src2, s.n2);
    sprat_portable_mul_s8(&p, src1, src2, want);
    placement pl;
    place(&s, &pl);
    tu_mpu_on();
    sprat_mul_s8(&p, pl.in1, pl.in2, pl.out);
    tu_mpu_off();
    const long bad = compare(&pl, s.n);
    if (bad && tm.bad_configs < 10) {
      printf("mul config %ld: %ld mismatches (in place %d)\n", c, bad, pl.in_place);
      print_shape(&s);
      printf("  offsets %ld %ld %ld mo %ld so %ld act [%ld,%ld]\n", (long)p.input1_offset, (long)p.input2_offset,
             (long)p.output_offset, (long)p.output_multiplier, (long)p.output_shift, (long)p.act_min,
             (long)p.act_max);
    }
    count(&tm, &s, made, &pl, bad);
  }
  report("add_s8", &ta);
  report("mul_s8", &tm);
  return ta.bad_configs != 0 || tm.bad_configs != 0;
}
