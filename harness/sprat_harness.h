// Firmware side of sprat's measurement harness.
//
// Instruction counts come from the host: the QEMU plugin built from
// insn_count_plugin.c records the running count of executed instructions
// each time sprat_mark() is entered, so the instructions of a region are the
// difference between the marks around it, less the cost of one mark (which
// the host calibrates with two back-to-back marks).
#ifndef SPRAT_HARNESS_H_
#define SPRAT_HARNESS_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// A marker. Must stay a real call: the plugin watches its entry address.
void sprat_mark(void);

// The calibration pair: two marks back to back, in assembly so nothing
// comes between them. Their difference is the cost of one mark.
void sprat_mark_calibrate(void);

// A region of known length: a mark, 1,000,000 trips of a two-instruction
// loop, a mark. The counter must report exactly SPRAT_KNOWN_LOOP.
#define SPRAT_KNOWN_LOOP 2000000
void sprat_known_loop(void);

// The running core's identity register: CPUID (Cortex-M), MIDR_EL1
// (Cortex-A) or misa (RISC-V); 0 on the host.
uint64_t sprat_core_id(void);

// The core this firmware was built for, e.g. "cortex-m7".
const char *sprat_core_name(void);

// 1 if sprat_core_id() is the core this firmware was built for.
int sprat_core_matches(void);

// Prints "sprat: core <name> id 0x..." and returns sprat_core_matches().
// Runs by itself before main() in every firmware that links the harness,
// which exits with status 3 on a mismatch.
int sprat_print_core(void);

// Stack painting: SPRAT_STACK_PAINT() paints below the caller's stack
// pointer; after the code under test, sprat_stack_peak() returns how far
// below that stack pointer it reached. An upper bound: the few bytes the
// painter's own frame needs count as used.
#define SPRAT_STACK_PAINT() sprat_stack_paint_from((uintptr_t)__builtin_stack_address())
void sprat_stack_paint_from(uintptr_t sp);
size_t sprat_stack_peak(void);

#ifdef __cplusplus
}
#endif

#endif  // SPRAT_HARNESS_H_
