// Shared by the Cortex-A kernel tests (Linux user mode under qemu-aarch64):
// a fixed-seed PRNG, random requantization constants over the whole range
// the runtime accepts, and buffers fenced by PROT_NONE pages so that an
// access past either end of an array faults.
#ifndef SPRAT_KERNELS_CORTEX_A_TESTS_TEST_UTIL_H_
#define SPRAT_KERNELS_CORTEX_A_TESTS_TEST_UTIL_H_

#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernels/tests_common/random.h"

static inline int32_t tu_zero_point(void) {
  const uint32_t r = tu_next() % 8u;
  return r == 0 ? -128 : r == 1 ? 127 : tu_range(-128, 127);
}

static inline int32_t tu_ilog2(uint32_t v) {
  int32_t n = 0;
  while (v >>= 1) ++n;
  return n;
}

// Multipliers and shifts for n channels of `depth` taps: mostly what the
// converter makes (multipliers in [2^30, 2^31), right shifts keeping the
// outputs off the rails), the rest anything the runtime accepts (zero and
// tiny multipliers, shifts from -31 to +30); biases small, or anywhere in
// int32 (the sums then wrap, in both kernels alike).
static inline void tu_draw_requant(int32_t n, int32_t depth, int32_t *bias, int32_t *mult, int32_t *shift) {
  const int32_t base = -(tu_ilog2((uint32_t)(5000 * (1 + tu_ilog2((uint32_t)depth)))) - 6);
  const int regular = tu_chance(60);
  const int wild_bias = tu_chance(10);
  for (int32_t k = 0; k < n; ++k) {
    bias[k] = wild_bias ? (int32_t)tu_next() : tu_range(-70000, 70000);
    const uint32_t m = regular ? 0 : tu_next() % 100u;
    mult[k] = m < 80 ? (int32_t)(0x40000000u | (tu_next() & 0x3FFFFFFFu)) : m < 85 ? 0 : m < 90 ? 0x7FFFFFFF
              : (int32_t)(tu_next() >> (1 + tu_next() % 31u));
    const uint32_t s = regular ? 0 : tu_next() % 100u;
    shift[k] = s < 70 ? base + tu_range(-3, 3) : s < 85 ? tu_range(-31, 2) : tu_range(-31, 30);
    if (shift[k] < -31) shift[k] = -31;
    if (shift[k] > 30) shift[k] = 30;
  }
}

// A fenced region: PROT_NONE pages before and after `cap` usable bytes.
typedef struct {
  uint8_t *lo;
  size_t cap;
} tu_fence;

static inline tu_fence tu_fence_make(size_t cap) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  cap = (cap + page - 1) / page * page;
  uint8_t *m = (uint8_t *)mmap(NULL, cap + 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    printf("mmap failed\n");
    exit(2);
  }
  mprotect(m, page, PROT_NONE);
  mprotect(m + page + cap, page, PROT_NONE);
  tu_fence f = {m + page, cap};
  return f;
}

// `bytes` against the fence's end (or its start).
static inline uint8_t *tu_place(const tu_fence *f, size_t bytes, int at_end) {
  if (bytes > f->cap) {
    printf("fence too small: %zu > %zu\n", bytes, f->cap);
    exit(2);
  }
  return at_end ? f->lo + f->cap - bytes : f->lo;
}

#endif  // SPRAT_KERNELS_CORTEX_A_TESTS_TEST_UTIL_H_
