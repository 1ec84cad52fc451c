// The fast and exact requantization of kernels/cortex_m/requant.h equal
// TFLite's MultiplyByQuantizedMultiplier (kernels/portable/fixedpoint.h):
// the fast one wherever SPRAT_CONV_FAST_REQUANT allows it (|acc| < 2^30,
// shift <= -1), the exact one for every int32 accumulator and shift.
#include <stdio.h>

#include "kernels/cortex_m/requant.h"
#include "kernels/portable/fixedpoint.h"

#ifndef SPRAT_REQUANT_SAMPLES
#define SPRAT_REQUANT_SAMPLES 400000  // a long sweep: -DSPRAT_REQUANT_SAMPLES=...
#endif

static uint32_t state = 0x2545F491u;
static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

// Accumulators near the interesting places: ties of both roundings, small
// values, the ends of the allowed range.
static int32_t draw_acc(int32_t limit) {
  const uint32_t r = next();
  switch (r & 7u) {
    case 0: return (int32_t)(next() % 2001u) - 1000;
    case 1: return (next() & 1u) ? limit - 1 - (int32_t)(next() & 15u) : -limit + 1 + (int32_t)(next() & 15u);
    case 2: return (int32_t)((next() & 0xFFFFu) << (next() % 14u)) * ((next() & 1u) ? 1 : -1);
    default: return (int32_t)(next() % (2u * (uint32_t)limit - 1u)) - limit + 1;
  }
}

int main(void) {
  long bad = 0, n = 0;
  for (long i = 0; i < SPRAT_REQUANT_SAMPLES; ++i) {
    // Multipliers as QuantizeMultiplier makes them: [2^30, 2^31), and 0.
    const int32_t mult = (next() & 255u) == 0 ? 0 : (int32_t)(0x40000000u | (next() & 0x3FFFFFFFu));
    const int32_t right = 1 + (int32_t)(next() % 31u);
    const int32_t acc = draw_acc(1 << 30);
    const int32_t want = sprat_mbqm(acc, mult, -right);
    const int32_t got = sprat_cm_requant_fast(acc, mult, right, 1 << (right - 1));
    if (got != want && bad++ < 10) printf("fast: acc %ld mult %ld shift %ld: %ld, want %ld\n", (long)acc, (long)mult, (long)-right, (long)got, (long)want);
    const int32_t shift = (int32_t)(next() % 62u) - 31;  // [-31, 30]
    const int32_t any = (next() & 1u) ? (int32_t)next() : draw_acc(1 << 30);
    const int32_t want2 = sprat_mbqm(any, mult, shift);
    const int32_t got2 = sprat_cm_requant_exact(any, mult, shift);
    if (got2 != want2 && bad++ < 10) printf("exact: acc %ld mult %ld shift %ld: %ld, want %ld\n", (long)any, (long)mult, (long)shift, (long)got2, (long)want2);
    n += 2;
  }
  printf("requant: %ld cases, %ld mismatches\n", n, bad);
  return bad != 0;
}
