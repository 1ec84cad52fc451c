// The depthwise kernels in assembly (dw_s8_asm.c): every group of 4
// channels of a run of output pixels, fast requantization (requant.h), outputs
// saturated to int8 and, in the _clamp variant, clamped to [lo, hi].
#ifndef SPRAT_KERNELS_CORTEX_M_DW_S8_ASM_H_
#define SPRAT_KERNELS_CORTEX_M_DW_S8_ASM_H_

#include <stdint.h>

// Field offsets are the assembly's: keep the order.
typedef struct {
  const int8_t *x;        // 0: the first tap's channel 0
  const uint32_t *lanes;  // 4: group 0's weights, each tap's word split by
                          //    SXTB16 into its even and odd lanes
  const int32_t *bias;    // 8: the folded biases, from channel 0
  const void *records;    // 12: sprat_cm_rq per channel, from channel 0
  int8_t *out;            // 16: the pixel's channel 0
  int32_t groups;         // 20: C / 4, >= 1
  int32_t row_step;       // 24: bytes between the window's rows
  int32_t col_step;       // 28: bytes between its columns
  uint32_t lo4, hi4;      // 32, 36: the activation range in each byte
  int32_t rows;           // 40: the window's rows (the _kx kernels)
  int32_t pixels;         // 44: pixels, >= 1 (more than 1 only without tail channels:
                          //     pixel i + 1's outputs follow pixel i's)
  int32_t x_step;         // 48: bytes from a pixel's first tap to the next's
} sprat_cm_dw_frame;

void sprat_cm_dw3x3_s8(const sprat_cm_dw_frame *f);
void sprat_cm_dw3x3_s8_clamp(const sprat_cm_dw_frame *f);
// Windows of any number of rows of 3 or 5 taps.
void sprat_cm_dwkx3_s8(const sprat_cm_dw_frame *f);
void sprat_cm_dwkx3_s8_clamp(const sprat_cm_dw_frame *f);
void sprat_cm_dwkx5_s8(const sprat_cm_dw_frame *f);
void sprat_cm_dwkx5_s8_clamp(const sprat_cm_dw_frame *f);

#endif  // SPRAT_KERNELS_CORTEX_M_DW_S8_ASM_H_
