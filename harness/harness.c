#include "harness/sprat_harness.h"

#include <stdio.h>
#include <stdlib.h>

// Kept out of line and with a side effect the compiler cannot drop, so every
// call executes the marker's entry instruction.
__attribute__((noinline, used)) void sprat_mark(void) { __asm__ volatile("" ::: "memory"); }

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

__attribute__((noinline)) void sprat_mark_calibrate(void) {
#if defined(MARK)
  __asm__ volatile(MARK MARK : : : CLOBBERS);
#else
  sprat_mark();
  sprat_mark();
#endif
}

__attribute__((noinline)) void sprat_known_loop(void) {
#if defined(MARK)
  register unsigned long n = SPRAT_KNOWN_LOOP / 2;
  __asm__ volatile(MARK LOOP MARK : "+r"(n) : : CLOBBERS);
#else
  sprat_mark();  // the host cannot count; keep the marks paired
  sprat_mark();
#endif
}

#if defined(SPRAT_CORE_CORTEX_M7)
#define CORE_NAME "cortex-m7"
#elif defined(SPRAT_CORE_CORTEX_M4)
#define CORE_NAME "cortex-m4"
#elif defined(SPRAT_CORE_CORTEX_M55)
#define CORE_NAME "cortex-m55"
#elif defined(SPRAT_CORE_CORTEX_A53)
#define CORE_NAME "cortex-a53"
#elif defined(SPRAT_CORE_CORTEX_A55)
#define CORE_NAME "cortex-a55"
#elif defined(SPRAT_CORE_RV32IMAC)
#define CORE_NAME "rv32imac"
#elif defined(SPRAT_CORE_RV64GCV)
#define CORE_NAME "rv64gcv"
#else
#define CORE_NAME "host"
#endif

const char *sprat_core_name(void) { return CORE_NAME; }

uint64_t sprat_core_id(void) {
#if defined(__arm__) && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
  return *(volatile uint32_t *)0xE000ED00u;  // SCB->CPUID
#elif defined(__aarch64__)
  uint64_t midr;
  // Linux (and qemu-user) emulate EL0 reads of the ID registers.
  __asm__ volatile("mrs %0, midr_el1" : "=r"(midr));
  return midr;
#elif defined(__riscv)
  unsigned long misa;
  __asm__ volatile("csrr %0, misa" : "=r"(misa));
  return misa;
#else
  return 0;
#endif
}

#if defined(__riscv)
static int misa_has(uint64_t misa, const char *letters) {
  for (; *letters; ++letters) {
    if (!((misa >> (*letters - 'A')) & 1u)) return 0;
  }
  return 1;
}
#endif

int sprat_core_matches(void) {
  uint64_t id = sprat_core_id();
#if defined(SPRAT_CORE_CORTEX_M7) || defined(SPRAT_CORE_CORTEX_M4) || \
    defined(SPRAT_CORE_CORTEX_M55) || defined(SPRAT_CORE_CORTEX_A53) || defined(SPRAT_CORE_CORTEX_A55)
  // Implementer Arm (0x41) and the part number of the core.
  uint32_t implementer = (uint32_t)(id >> 24) & 0xFFu;
  uint32_t partno = (uint32_t)(id >> 4) & 0xFFFu;
#if defined(SPRAT_CORE_CORTEX_M7)
  return implementer == 0x41 && partno == 0xC27;
#elif defined(SPRAT_CORE_CORTEX_M4)
  return implementer == 0x41 && partno == 0xC24;
#elif defined(SPRAT_CORE_CORTEX_M55)
  return implementer == 0x41 && partno == 0xD22;
#elif defined(SPRAT_CORE_CORTEX_A55)
  return implementer == 0x41 && partno == 0xD05;
#else
  return implementer == 0x41 && partno == 0xD03;
#endif
#elif defined(SPRAT_CORE_RV32IMAC)
  return (id >> 30) == 1 && misa_has(id, "IMAC") && !misa_has(id, "F");
#elif defined(SPRAT_CORE_RV64GCV)
  return (id >> 62) == 2 && misa_has(id, "IMAFDCV");
#else
  (void)id;
  return 1;
#endif
}

int sprat_print_core(void) {
  int ok = sprat_core_matches();
  printf("sprat: core %s id 0x%llx %s\n", sprat_core_name(), (unsigned long long)sprat_core_id(),
         ok ? "(matches the build)" : "(DOES NOT match the build)");
  return ok;
}

// Every firmware that links the harness says first which core it runs on,
// and stops at once if that is not the core it was built for: a test that
// passed on the wrong emulated core would prove nothing.
__attribute__((constructor)) static void sprat_check_core(void) {
  if (!sprat_print_core()) exit(3);
}

// Painting goes this far below the stack pointer; on bare metal it stops at
// the bottom of the stack region the linker script reserves.
#define PAINT_BYTES (24u * 1024u)
// Room left unpainted for sprat_stack_paint_from's own frame.
#define PAINTER_FRAME 128u
#define PAINT 0xA5u

static uint8_t *paint_sp;      // the caller's stack pointer
static uint8_t *paint_bottom;  // lowest painted byte

#if !defined(__linux__) && (defined(__arm__) || defined(__aarch64__) || defined(__riscv))
extern uint8_t __stack_bottom[];  // picolibc.ld
#define HAVE_STACK_BOTTOM 1
#endif

__attribute__((noinline)) void sprat_stack_paint_from(uintptr_t sp) {
  uint8_t *top = (uint8_t *)sp - PAINTER_FRAME;
  uint8_t *bottom = top - PAINT_BYTES;
#if defined(HAVE_STACK_BOTTOM)
  if (bottom < __stack_bottom) bottom = __stack_bottom;
#endif
  for (volatile uint8_t *p = bottom; p < top; ++p) *p = PAINT;
  paint_sp = (uint8_t *)sp;
  paint_bottom = bottom;
}

size_t sprat_stack_peak(void) {
  if (!paint_sp) return 0;
  const volatile uint8_t *p = paint_bottom;
  while (p < paint_sp - PAINTER_FRAME && *p == PAINT) ++p;
  return (size_t)(paint_sp - (const uint8_t *)p);
}
