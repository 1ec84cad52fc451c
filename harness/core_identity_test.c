// Prints the identity register of the core the firmware runs on and fails
// unless it is the core the firmware was built for. On the vector targets it
// also runs a vector instruction, which traps unless startup enabled the unit.
#include <stdint.h>
#include <stdio.h>

#include "harness/sprat_harness.h"

#if defined(__riscv_vector)
#include <riscv_vector.h>
#endif
#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#endif
#if defined(__ARM_NEON)
#include <arm_neon.h>
#endif

static int vector_unit_works(void) {
  volatile int32_t a[4] = {1, 2, 3, 4};
  int32_t b[4];
#if defined(__riscv_vector)
  size_t vl = __riscv_vsetvl_e32m1(4);
  vint32m1_t v = __riscv_vle32_v_i32m1((const int32_t *)a, vl);
  __riscv_vse32_v_i32m1(b, __riscv_vadd_vv_i32m1(v, v, vl), vl);
#elif defined(__ARM_FEATURE_MVE)
  int32x4_t v = vldrwq_s32((const int32_t *)a);
  vstrwq_s32(b, vaddq_s32(v, v));
#elif defined(__ARM_NEON)
  int32x4_t v = vld1q_s32((const int32_t *)a);
  vst1q_s32(b, vaddq_s32(v, v));
#else
  for (int i = 0; i < 4; ++i) b[i] = 2 * a[i];
#endif
  return b[0] == 2 && b[1] == 4 && b[2] == 6 && b[3] == 8;
}

int main(void) {
  int ok = sprat_core_matches();  // also checked before main()
  int vec = vector_unit_works();
  printf("sprat: vector unit %s\n", vec ? "ok" : "WRONG RESULT");
  return ok && vec ? 0 : 1;
}
