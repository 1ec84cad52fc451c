// FULLY_CONNECTED in layout ARMV7EM (through the kernel API) against the
// portable kernel in layout PLAIN, byte for byte, on random layers: depths
// and unit counts that are not multiples of 4, batches, per-tensor and
// per-channel multipliers with shifts from -31 to +30 (single rounding, any
// shift), extreme zero points, narrow activation ranges, aligned and
// misaligned filters. Arrays sit against MPU guard regions (test_util.h).
#include <stdio.h>

#include "kernels/cortex_m/tests/test_util.h"
#include "kernels/portable/portable.h"
#include "sprat/kernels.h"

#ifndef FC_TEST_CONFIGS
#define FC_TEST_CONFIGS 300  // a long sweep: --copt=-DFC_TEST_CONFIGS=3000
#endif

#define IN_MAX 4096
#define FILTER_MAX 16384
#define OUT_MAX 1024
#define UNITS_MAX 256

static uint8_t pool[3][32 + FILTER_MAX + 32] __attribute__((aligned(32)));
static const tu_slot slot_in = {pool[0], IN_MAX}, slot_filter = {pool[1], FILTER_MAX}, slot_out = {pool[2], OUT_MAX};

static int8_t input[IN_MAX], filter_plain[FILTER_MAX], want[OUT_MAX];
static int32_t bias[UNITS_MAX], folded[UNITS_MAX], mult[UNITS_MAX], shift[UNITS_MAX];

int main(void) {
  static const int32_t kDepths[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 31, 32, 33, 64, 100, 127, 384};
  static const int32_t kUnits[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 31, 64, 100};
  long configs = 0, bad_configs = 0;
  while (configs < FC_TEST_CONFIGS) {
    sprat_fc_params p = {0};
    p.depth = tu_pick(kDepths, sizeof kDepths / sizeof kDepths[0]);
    p.units = tu_pick(kUnits, sizeof kUnits / sizeof kUnits[0]);
    p.batches = tu_chance(25) ? tu_range(2, 5) : 1;
    if (p.batches * p.depth > IN_MAX || p.units * p.depth > FILTER_MAX || p.batches * p.units > OUT_MAX) continue;
    p.input_offset = -tu_zero_point();
    p.output_offset = tu_zero_point();
    p.filter_offset = 0;
    if (tu_chance(50)) {
      p.act_min = -128, p.act_max = 127;
    } else {
      const int32_t a = tu_range(-128, 127), b = tu_range(-128, 127);
      p.act_min = a < b ? a : b, p.act_max = a < b ? b : a;
    }
    p.per_channel = tu_chance(60);
    const int32_t nq = p.per_channel ? p.units : 1;
    int32_t base = -8;
    for (int32_t d = p.depth; d > 1; d >>= 2) --base;
    for (int32_t k = 0; k < nq; ++k) {
      const uint32_t m = tu_next() % 100u;
      mult[k] = m < 90 ? (int32_t)(0x40000000u | (tu_next() & 0x3FFFFFFFu)) : m < 94 ? 0 : (int32_t)(tu_next() >> 2);
      const uint32_t s = tu_next() % 100u;
      shift[k] = s < 70 ? base + tu_range(-3, 3) : s < 88 ? tu_range(-20, 2) : s < 94 ? tu_range(0, 30)
                                                                                    : tu_range(-31, -21);
      if (shift[k] > 2 && s < 88) shift[k] = 2;
    }
    tu_fill_s8(filter_plain, p.units * p.depth);
    tu_fill_s8(input, p.batches * p.depth);
    const int has_bias = !tu_chance(10);
    for (int32_t u = 0; u < p.units; ++u) {
      bias[u] = has_bias ? tu_range(-70000, 70000) : 0;
      int32_t sum = 0;
      for (int32_t d = 0; d < p.depth; ++d) sum += filter_plain[u * p.depth + d];
      folded[u] = bias[u] + p.input_offset * sum;
    }
    p.layout = SPRAT_LAYOUT_PLAIN;
    sprat_portable_fully_connected_s8(&p, input, filter_plain, has_bias ? bias : NULL, mult, shift, want);

    const int32_t n_in = p.batches * p.depth, n_f = p.units * p.depth, n_out = p.batches * p.units;
    int8_t *in = (int8_t *)tu_place(&slot_in, 0, n_in, tu_chance(70), 1);
    int8_t *f = (int8_t *)tu_place(&slot_filter, 1, n_f, tu_chance(50), tu_chance(95) ? 4 : 1);
    int8_t *out = (int8_t *)tu_place(&slot_out, 2, n_out, tu_chance(70), 1);
    memcpy(in, input, (size_t)n_in);
    tu_interleave(filter_plain, p.units, p.depth, f);
    p.layout = SPRAT_LAYOUT_ARMV7EM;
    tu_mpu_on();
    sprat_fully_connected_s8(&p, in, f, folded, mult, shift, out);
    tu_mpu_off();
    long bad = 0;
    for (int32_t i = 0; i < n_out; ++i) {
      if (out[i] != want[i] && bad++ < 4) {
        const int32_t q = p.per_channel ? i % p.units : 0;
        printf("  out[%ld]: got %d want %d (mult %ld shift %ld)\n", (long)i, out[i], want[i], (long)mult[q],
               (long)shift[q]);
      }
    }
    if (bad) {
      if (bad_configs++ < 10)
        printf("config %ld: %ld mismatches: batches %ld depth %ld units %ld offsets %ld,%ld act [%ld,%ld]\n", configs,
               bad, (long)p.batches, (long)p.depth, (long)p.units, (long)p.input_offset, (long)p.output_offset,
               (long)p.act_min, (long)p.act_max);
    }
    ++configs;
  }
  printf("fc_s8: %ld configurations, %ld mismatches\n", configs, bad_configs);
  return bad_configs != 0;
}
