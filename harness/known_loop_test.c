// A region of known length for the instruction counter: one million trips
// of a two-instruction loop, written in assembly so the compiler cannot add
// or move anything between the marks. The first mark pair is the runner's
// calibration (the cost of one mark); the second brackets the loop, so the
// runner must count exactly 2,000,000.
#include "harness/sprat_harness.h"

#if defined(__thumb__)
#define MARK "bl sprat_mark\n"
#define LOOP "1: subs %0, %0, #1\n bne 1b\n"
#define CLOBBERS "lr", "r0", "r1", "r2", "r3", "r12", "cc", "memory"
#elif defined(__aarch64__)
#define MARK "bl sprat_mark\n"
#define LOOP "1: subs %x0, %x0, #1\n b.ne 1b\n"
#define CLOBBERS "x30", "x0", "x1", "x2", "x3", "x16", "x17", "cc", "memory"
#elif defined(__riscv)
#define MARK "call sprat_mark\n"
#define LOOP "1: addi %0, %0, -1\n bnez %0, 1b\n"
#define CLOBBERS "ra", "t0", "t1", "t2", "a0", "a1", "memory"
#endif

int main(void) {
#if defined(MARK)
  register unsigned long n = 1000000;
  __asm__ volatile(MARK MARK : : : CLOBBERS);
  __asm__ volatile(MARK LOOP MARK : "+r"(n) : : CLOBBERS);
#endif
  return 0;
}
