// sprat's demo firmware (for now): prints the core it runs on, then runs a
// small int8 workload between two marks so the host can count its
// instructions. Later issues turn this into the model demo.
#include <stdint.h>
#include <stdio.h>

#include "harness/sprat_harness.h"

#define N 256

static int8_t a[N], b[N];

// The built-in computation: 16 int8 dot products of length 256, the inner
// loop of every convolution sprat will run.
static __attribute__((noinline)) int32_t workload(void) {
  int32_t acc = 0;
  for (int r = 0; r < 16; ++r) {
    int32_t dot = 0;
    for (int i = 0; i < N; ++i) dot += (int32_t)a[i] * b[(i + r) % N];
    acc ^= dot;
  }
  return acc;
}

int main(void) {
  uint32_t x = 12345;
  for (int i = 0; i < N; ++i) {  // deterministic pseudo-random inputs
    x = x * 1103515245u + 12345u;
    a[i] = (int8_t)(x >> 24);
    x = x * 1103515245u + 12345u;
    b[i] = (int8_t)(x >> 24);
  }
  sprat_mark();  // calibration pair
  sprat_mark();
  sprat_mark();
  int32_t result = workload();
  sprat_mark();
  printf("sprat: workload = 16 int8 dot products of length %d (%d MACs), result %ld\n", N, 16 * N,
         (long)result);
  return 0;
}
