// The kernel libraries' tests (kernels/cortex_m/tests, kernels/cortex_a/tests)
// draw their configurations from this fixed-seed PRNG, so that a failure
// replays exactly.
#ifndef SPRAT_KERNELS_TESTS_COMMON_RANDOM_H_
#define SPRAT_KERNELS_TESTS_COMMON_RANDOM_H_

#include <stdint.h>

static uint32_t tu_state = 0x9E3779B9u;

static inline uint32_t tu_next(void) {
  uint32_t x = tu_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return tu_state = x;
}

// Uniform in [lo, hi].
static inline int32_t tu_range(int32_t lo, int32_t hi) { return lo + (int32_t)(tu_next() % (uint32_t)(hi - lo + 1)); }

static inline int tu_chance(uint32_t percent) { return tu_next() % 100u < percent; }

static inline int32_t tu_pick(const int32_t *v, int32_t n) { return v[tu_next() % (uint32_t)n]; }

// int8 data, the extremes over-represented in some draws (all -128 in one
// style: the value fast paths that negate or widen get wrong).
static inline void tu_fill_s8(int8_t *p, int32_t n) {
  const uint32_t style = tu_next() % 8u;
  for (int32_t i = 0; i < n; ++i) {
    const uint32_t r = tu_next();
    int32_t v = (int32_t)(r & 0xFF) - 128;
    if (style == 0 && (r >> 8) % 4 == 0) v = (r >> 12) & 1 ? 127 : -128;
    if (style == 1) v = (r >> 12) & 1 ? 127 : -128;
    if (style == 2) v = -128;
    p[i] = (int8_t)v;
  }
}

#endif  // SPRAT_KERNELS_TESTS_COMMON_RANDOM_H_
