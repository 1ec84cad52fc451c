// The depthwise 3x3 group loop in Thumb-2 assembly (depthwise_s8.c calls
// it for windows of 3x3 taps with the fast requantization). GCC spills
// inside the 9-tap loop; by hand it fits the registers:
//   r0-r3    accumulators of channels 4g .. 4g+3
//   r4       the group's first tap; r9 the tap row being read
//   r5       the filter in SXTB16's lanes (even, odd word per tap), in order
//   r6 r7 r8 column step, twice it, row step
//   r10-r12, lr   an input word and a filter word, split into lanes
// A tap is 4 MACs in 8 instructions.
#include "kernels/cortex_m/depthwise/dw3x3_s8.h"

#if defined(__ARM_FEATURE_DSP) && defined(__thumb2__)

__asm__(
    "  .syntax unified\n"
    "  .thumb\n"
    "  .macro SPRAT_DW_TAP off\n"
    "  ldr     r10, [r9\\off]\n"
    "  ldrd    r12, lr, [r5], #8\n"
    "  sxtb16  r11, r10, ror #8\n"
    "  sxtb16  r10, r10\n"
    "  smlabb  r0, r10, r12, r0\n"
    "  smlatt  r2, r10, r12, r2\n"
    "  smlabb  r1, r11, lr, r1\n"
    "  smlatt  r3, r11, lr, r3\n"
    "  .endm\n"
    "  .macro SPRAT_DW_ROW\n"
    "  SPRAT_DW_TAP \"\"\n"
    "  SPRAT_DW_TAP \", r6\"\n"
    "  SPRAT_DW_TAP \", r7\"\n"
    "  .endm\n"
    // requant.h's sprat_cm_rq_apply, then saturation to int8; the record
    // (m2, c, r) is read from r9.
    "  .macro SPRAT_DW_RQ acc\n"
    "  ldm     r9!, {r10, r11, r12}\n"
    "  smmlar  lr, \\acc, r10, \\acc\n"
    "  add     \\acc, r11, \\acc, asr #31\n"
    "  add     \\acc, \\acc, lr\n"
    "  asr     \\acc, \\acc, r12\n"
    "  ssat    \\acc, #8, \\acc\n"
    "  .endm\n"
    "  .macro SPRAT_DW3X3 name, clamp\n"
    "  .pushsection .text.\\name,\"ax\",%progbits\n"
    "  .global \\name\n"
    "  .type   \\name, %function\n"
    "  .thumb_func\n"
    "  .p2align 2\n"
    "\\name:\n"
    "  push    {r4-r11, lr}\n"
    "  sub     sp, sp, #24\n"
    // Locals: [sp] bias, [sp, 4] records, [sp, 8] out, [sp, 12] groups
    // left, [sp, 16] lo4, [sp, 20] hi4.
    "  ldrd    r1, r2, [r0, #8]\n"
    "  strd    r1, r2, [sp]\n"
    "  ldrd    r1, r2, [r0, #16]\n"
    "  strd    r1, r2, [sp, #8]\n"
    "  ldrd    r1, r2, [r0, #32]\n"
    "  strd    r1, r2, [sp, #16]\n"
    "  ldrd    r4, r5, [r0]\n"
    "  ldrd    r8, r6, [r0, #24]\n"
    "  lsls    r7, r6, #1\n"
    "1:\n"
    "  ldr     r9, [sp]\n"
    "  ldm     r9!, {r0-r3}\n"
    "  str     r9, [sp]\n"
    "  mov     r9, r4\n"
    "  SPRAT_DW_ROW\n"
    "  add     r9, r9, r8\n"
    "  SPRAT_DW_ROW\n"
    "  add     r9, r9, r8\n"
    "  SPRAT_DW_ROW\n"
    "  ldr     r9, [sp, #4]\n"
    "  SPRAT_DW_RQ r0\n"
    "  SPRAT_DW_RQ r1\n"
    "  SPRAT_DW_RQ r2\n"
    "  SPRAT_DW_RQ r3\n"
    "  str     r9, [sp, #4]\n"
    "  bfi     r0, r1, #8, #8\n"
    "  bfi     r0, r2, #16, #8\n"
    "  bfi     r0, r3, #24, #8\n"
    "  .if \\clamp\n"
    // Bytewise max with lo, then min with hi (SSUB8 sets GE per byte).
    "  ldrd    r10, r11, [sp, #16]\n"
    "  ssub8   r12, r0, r10\n"
    "  sel     r0, r0, r10\n"
    "  ssub8   r12, r11, r0\n"
    "  sel     r0, r0, r11\n"
    "  .endif\n"
    // Unaligned word stores are fine on ARMv7-M and v8-M Mainline.
    "  ldr     r9, [sp, #8]\n"
    "  str     r0, [r9], #4\n"
    "  str     r9, [sp, #8]\n"
    "  adds    r4, r4, #4\n"
    "  ldr     r9, [sp, #12]\n"
    "  subs    r9, r9, #1\n"
    "  str     r9, [sp, #12]\n"
    "  bne     1b\n"
    "  add     sp, sp, #24\n"
    "  pop     {r4-r11, pc}\n"
    "  .size   \\name, . - \\name\n"
    "  .popsection\n"
    "  .endm\n"
    "  SPRAT_DW3X3 sprat_cm_dw3x3_s8, 0\n"
    "  SPRAT_DW3X3 sprat_cm_dw3x3_s8_clamp, 1\n");

#else
#error "kernels/cortex_m needs Thumb-2 with the DSP extension"
#endif
