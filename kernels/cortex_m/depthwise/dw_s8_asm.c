// The depthwise 3x3 group loop in Thumb-2 assembly (depthwise_s8.c calls
// it for windows of 3x3 taps with the fast requantization). GCC spills
// inside the 9-tap loop; by hand it fits the registers:
//   r0-r3    accumulators of channels 4g .. 4g+3
//   r4       the group's first tap; r9 the tap row being read
//   r5       the filter in SXTB16's lanes (even, odd word per tap), in order
//   r6 r7 r8 column step, twice it, row step
//   r10-r12, lr   an input word and a filter word, split into lanes
// A tap is 4 MACs in 8 instructions.
#include "kernels/cortex_m/depthwise/dw_s8_asm.h"
#include "kernels/cortex_m/requant.h"

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
    SPRAT_CM_ASM_RQ_APPLY SPRAT_CM_ASM_FUNCTION SPRAT_CM_ASM_CLAMP8
    "  .macro SPRAT_DW_RQ acc\n"
    "  ldm     r9!, {r10, r11, r12}\n"
    "  SPRAT_CM_RQ_APPLY \\acc, r10, r11, r12, lr\n"
    "  ssat    \\acc, #8, \\acc\n"
    "  .endm\n"
    // A tap whose address walks: r9 moves on by the column step.
    "  .macro SPRAT_DW_TAPW\n"
    "  ldr     r10, [r9]\n"
    "  add     r9, r9, r6\n"
    "  ldrd    r12, lr, [r5], #8\n"
    "  sxtb16  r11, r10, ror #8\n"
    "  sxtb16  r10, r10\n"
    "  smlabb  r0, r10, r12, r0\n"
    "  smlatt  r2, r10, r12, r2\n"
    "  smlabb  r1, r11, lr, r1\n"
    "  smlatt  r3, r11, lr, r3\n"
    "  .endm\n"
    // A kernel: `cols` taps a row; `three` for 3x3 windows (rows unrolled,
    // column offsets in r6/r7, 8 instructions a tap), else any number of
    // rows (frame field `rows`) in a loop counted in r7, with r8 taking the
    // walking tap pointer from a row's end to the next row's start.
    "  .macro SPRAT_DW name, cols, clamp, three\n"
    "  SPRAT_CM_FUNCTION \\name\n"
    "  push    {r4-r11, lr}\n"
    "  sub     sp, sp, #56\n"
    // Locals: [sp] bias, [sp, 4] records, [sp, 8] out, [sp, 12] groups
    // left, [sp, 16] lo4, [sp, 20] hi4, [sp, 24] rows, [sp, 28] pixels
    // left, [sp, 32] x step, [sp, 36] the pixel's x, [sp, 40] bias and
    // [sp, 44] records of channel 0, [sp, 48] lanes, [sp, 52] groups.
    "  ldrd    r1, r2, [r0, #8]\n"
    "  strd    r1, r2, [sp]\n"
    "  strd    r1, r2, [sp, #40]\n"
    "  ldrd    r1, r2, [r0, #16]\n"
    "  strd    r1, r2, [sp, #8]\n"
    "  str     r2, [sp, #52]\n"
    "  ldrd    r1, r2, [r0, #32]\n"
    "  strd    r1, r2, [sp, #16]\n"
    "  ldrd    r1, r2, [r0, #40]\n"
    "  strd    r1, r2, [sp, #24]\n"
    "  ldr     r1, [r0, #48]\n"
    "  str     r1, [sp, #32]\n"
    "  ldrd    r4, r5, [r0]\n"
    "  str     r4, [sp, #36]\n"
    "  str     r5, [sp, #48]\n"
    "  ldrd    r8, r6, [r0, #24]\n"
    "  .if \\three\n"
    "  lsls    r7, r6, #1\n"
    "  .else\n"
    "  movs    r7, #\\cols\n"
    "  mls     r8, r6, r7, r8\n"
    "  .endif\n"
    "1:\n"
    "  ldr     r9, [sp]\n"
    "  ldm     r9!, {r0-r3}\n"
    "  str     r9, [sp]\n"
    "  mov     r9, r4\n"
    "  .if \\three\n"
    "  SPRAT_DW_ROW\n"
    "  add     r9, r9, r8\n"
    "  SPRAT_DW_ROW\n"
    "  add     r9, r9, r8\n"
    "  SPRAT_DW_ROW\n"
    "  .else\n"
    "  ldr     r7, [sp, #24]\n"
    "2:\n"
    "  .rept \\cols\n"
    "  SPRAT_DW_TAPW\n"
    "  .endr\n"
    "  add     r9, r9, r8\n"
    "  subs    r7, r7, #1\n"
    "  bne     2b\n"
    "  .endif\n"
    "  ldr     r9, [sp, #4]\n"
    "  SPRAT_DW_RQ r0\n"
    "  SPRAT_DW_RQ r1\n"
    "  SPRAT_DW_RQ r2\n"
    "  SPRAT_DW_RQ r3\n"
    "  str     r9, [sp, #4]\n"
    "  SPRAT_CM_PACK4 r0, r1, r2, r3\n"
    "  .if \\clamp\n"
    "  ldrd    r10, r11, [sp, #16]\n"
    "  SPRAT_CM_CLAMP8 r0, r10, r11, r12\n"
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
    // The next pixel: its outputs follow (no tail channels), its taps are
    // x step further; biases, records and lanes from channel 0 again.
    "  ldr     r9, [sp, #28]\n"
    "  subs    r9, r9, #1\n"
    "  beq     9f\n"
    "  str     r9, [sp, #28]\n"
    "  ldrd    r1, r2, [sp, #40]\n"
    "  strd    r1, r2, [sp]\n"
    "  ldrd    r5, r1, [sp, #48]\n"
    "  str     r1, [sp, #12]\n"
    "  ldrd    r4, r1, [sp, #32]\n"
    "  add     r4, r4, r1\n"
    "  str     r4, [sp, #36]\n"
    "  b       1b\n"
    "9:\n"
    "  add     sp, sp, #56\n"
    "  pop     {r4-r11, pc}\n"
    "  .size   \\name, . - \\name\n"
    "  .popsection\n"
    "  .endm\n"
    "  SPRAT_DW sprat_cm_dw3x3_s8, 3, 0, 1\n"
    "  SPRAT_DW sprat_cm_dw3x3_s8_clamp, 3, 1, 1\n"
    "  SPRAT_DW sprat_cm_dwkx3_s8, 3, 0, 0\n"
    "  SPRAT_DW sprat_cm_dwkx3_s8_clamp, 3, 1, 0\n"
    "  SPRAT_DW sprat_cm_dwkx5_s8, 5, 0, 0\n"
    "  SPRAT_DW sprat_cm_dwkx5_s8_clamp, 5, 1, 0\n");

#else
#error "kernels/cortex_m needs Thumb-2 with the DSP extension"
#endif
