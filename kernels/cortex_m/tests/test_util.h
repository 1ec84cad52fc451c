// Shared by the kernel tests: a fixed-seed PRNG, the ARMV7EM layout made
// in C the way converter/layouts/cortex_m.py makes it, and buffers fenced
// by MPU guard regions so that any access past an array's end faults.
#ifndef SPRAT_KERNELS_CORTEX_M_TESTS_TEST_UTIL_H_
#define SPRAT_KERNELS_CORTEX_M_TESTS_TEST_UTIL_H_

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cortex_m/conv/filter_order.h"
#include "sprat/kernels.h"

#include "kernels/tests_common/random.h"

static inline int32_t tu_ilog2(uint32_t v) {
  int32_t n = 0;
  while (v >>= 1) ++n;
  return n;
}

static inline int32_t tu_zero_point(void) {
  const uint32_t r = tu_next() % 8u;
  return r == 0 ? -128 : r == 1 ? 127 : tu_range(-128, 127);
}

// A convolution's requantization for `rows` output channels of `depth`
// taps each (row r's tap i at filter[r * row_stride + i * tap_stride]):
// biases (all 0 without one), multipliers and shifts as the converter makes
// them for most layers (multipliers in [2^30, 2^31), right shifts that keep
// most outputs off the rails) and odd ones for the rest (zero and small
// multipliers, shifts from -31 to +2); the folded bias of layout ARMV7EM;
// and SPRAT_CONV_FAST_REQUANT, truthful, three times in four when the
// converter could prove it. Returns the flags.
static inline int32_t tu_draw_requant(int32_t rows, int32_t depth, const int8_t *filter, int32_t row_stride,
                                      int32_t tap_stride, int32_t input_offset, int has_bias, int32_t *bias,
                                      int32_t *folded, int32_t *mult, int32_t *shift) {
  const int32_t base = -(tu_ilog2((uint32_t)(5000 * (1 + tu_ilog2((uint32_t)depth)))) - 6);
  int all_right = 1;
  const int regular = tu_chance(65);
  for (int32_t k = 0; k < rows; ++k) {
    bias[k] = has_bias ? tu_range(-70000, 70000) : 0;
    const uint32_t m = regular ? 0 : tu_next() % 100u;
    mult[k] = m < 85 ? (int32_t)(0x40000000u | (tu_next() & 0x3FFFFFFFu)) : m < 90 ? 0 : (int32_t)(tu_next() >> 2);
    const uint32_t s = regular ? 0 : tu_next() % 100u;
    shift[k] = s < 80 ? base + tu_range(-3, 3) : s < 92 ? tu_range(-20, 2) : tu_range(-31, -21);
    if (regular && shift[k] > -1) shift[k] = -1;
    if (shift[k] > 2) shift[k] = 2;
    if (shift[k] < -31) shift[k] = -31;
    if (shift[k] > -1) all_right = 0;
  }
  // The converter's bound on every accumulator (bias included).
  const int32_t widest = 128 + (input_offset < 0 ? -input_offset : input_offset);
  int fits = all_right;
  for (int32_t k = 0; k < rows; ++k) {
    int64_t sum = 0, abs_sum = 0;
    for (int32_t i = 0; i < depth; ++i) {
      const int32_t w = filter[k * row_stride + i * tap_stride];
      sum += w;
      abs_sum += w < 0 ? -w : w;
    }
    folded[k] = (int32_t)(bias[k] + (int64_t)input_offset * sum);
    const int64_t b = bias[k] < 0 ? -(int64_t)bias[k] : bias[k];
    if (b + widest * abs_sum >= ((int64_t)1 << 30)) fits = 0;
  }
  return fits && tu_chance(75) ? SPRAT_CONV_FAST_REQUANT : 0;
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
