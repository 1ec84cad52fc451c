// Runs before main (picolibc's crt0 calls constructors): turns on the FPU
// and vector unit, which reset leaves off, so any F/D/V instruction would
// trap as illegal.
#include <stdint.h>

__attribute__((constructor(101))) static void sprat_riscv_enable_units(void) {
  uintptr_t on = 0;
#if defined(__riscv_flen)
  on |= (uintptr_t)1 << 13;  // mstatus.FS = initial
#endif
#if defined(__riscv_vector)
  on |= (uintptr_t)1 << 9;  // mstatus.VS = initial
#endif
  if (on) __asm__ volatile("csrs mstatus, %0" : : "r"(on));
}
