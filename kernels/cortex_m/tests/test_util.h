// Shared by the kernel tests: a fixed-seed PRNG, the ARMV7EM layout made
// in C the way converter/layouts/cortex_m.py makes it, and buffers fenced
// by MPU guard regions so that any access past an array's end faults.
#ifndef SPRAT_KERNELS_CORTEX_M_TESTS_TEST_UTIL_H_
#define SPRAT_KERNELS_CORTEX_M_TESTS_TEST_UTIL_H_

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cortex_m/conv/filter_order.h"

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

// int8 data with the extremes over-represented.
static inline void tu_fill_s8(int8_t *p, int32_t n) {
  const uint32_t style = tu_next() % 8u;
  for (int32_t i = 0; i < n; ++i) {
    const uint32_t r = tu_next();
    int32_t v = (int32_t)(r & 0xFF) - 128;
    if (style == 0 && (r >> 8) % 4 == 0) v = (r >> 12) & 1 ? 127 : -128;
    if (style == 1) v = (r >> 12) & 1 ? 127 : -128;
    p[i] = (int8_t)v;
  }
}

// TFLite-order rows [rows][depth] to the layout's order.
static inline void tu_interleave(const int8_t *w, int32_t rows, int32_t depth, int8_t *dst) {
  for (int32_t r = 0; r < rows; ++r)
    for (int32_t k = 0; k < depth; ++k) dst[sprat_cm_filter_index(r, k, rows, depth)] = w[r * depth + k];
}

// ---- MPU fences (PMSAv7, Cortex-M4/M7) ----------------------------------------
#define TU_MPU_CTRL (*(volatile uint32_t *)0xE000ED94u)
#define TU_MPU_RNR (*(volatile uint32_t *)0xE000ED98u)
#define TU_MPU_RBAR (*(volatile uint32_t *)0xE000ED9Cu)
#define TU_MPU_RASR (*(volatile uint32_t *)0xE000EDA0u)

// A 32-byte no-access region at `addr` (32-byte aligned) in MPU region k.
static inline void tu_guard(int k, uintptr_t addr) {
  TU_MPU_RNR = (uint32_t)k;
  TU_MPU_RBAR = (uint32_t)addr;
  TU_MPU_RASR = (1u << 28) | (0u << 24) | (4u << 1) | 1u;  // XN, no access, 2^(4+1) bytes, enabled
}

static inline void tu_mpu_on(void) {
  __asm__ volatile("dsb" ::: "memory");
  TU_MPU_CTRL = 5u;  // enabled, default map for privileged code elsewhere
  __asm__ volatile("dsb\n isb" ::: "memory");
}

static inline void tu_mpu_off(void) {
  __asm__ volatile("dsb" ::: "memory");
  TU_MPU_CTRL = 0u;
  __asm__ volatile("dsb\n isb" ::: "memory");
}

// A fenced slot: [guard][slack][data][guard], the data touching the guard
// after it (`at_end`) or the one before it. Guards take MPU regions
// 2*slot and 2*slot + 1.
typedef struct {
  uint8_t *base;
  int32_t cap;  // bytes between the two guards
} tu_slot;

static inline uint8_t *tu_place(const tu_slot *s, int slot, int32_t bytes, int at_end, int32_t align) {
  uint8_t *lo = s->base + 32, *hi = lo + s->cap;
  uint8_t *p = at_end ? hi - bytes : lo;
  p = (uint8_t *)((uintptr_t)p & ~(uintptr_t)(align - 1));
  tu_guard(2 * slot, (uintptr_t)s->base);
  tu_guard(2 * slot + 1, (uintptr_t)hi);
  return p;
}

#endif  // SPRAT_KERNELS_CORTEX_M_TESTS_TEST_UTIL_H_
