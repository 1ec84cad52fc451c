// BATCH_MATMUL int16 (zero points 0, as TFLite requires): the products
// summed in int64, requantized by TFLite's 64-bit MultiplyByQuantizedMultiplier
// (the multiplier cut to 16 bits, one rounding shift), clamped to int16.
#include <stddef.h>

#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_batch_matmul_s16(const sprat_batch_matmul_params *p, const int16_t *lhs, const int16_t *rhs,
                                     int16_t *out) {
  const size_t lr = (size_t)p->lhs_row_stride, ld = (size_t)p->lhs_depth_stride;
  const size_t rd = (size_t)p->rhs_depth_stride, rc = (size_t)p->rhs_col_stride;
  for (int32_t b0 = 0; b0 < p->batch[0]; ++b0) {
    for (int32_t b1 = 0; b1 < p->batch[1]; ++b1) {
      for (int32_t b2 = 0; b2 < p->batch[2]; ++b2) {
        const int16_t *l = lhs + (size_t)b0 * (size_t)p->lhs_batch_strides[0] +
                           (size_t)b1 * (size_t)p->lhs_batch_strides[1] + (size_t)b2 * (size_t)p->lhs_batch_strides[2];
        const int16_t *r = rhs + (size_t)b0 * (size_t)p->rhs_batch_strides[0] +
                           (size_t)b1 * (size_t)p->rhs_batch_strides[1] + (size_t)b2 * (size_t)p->rhs_batch_strides[2];
        for (int32_t i = 0; i < p->rows; ++i) {
          const int16_t *li = l + (size_t)i * lr;
          for (int32_t j = 0; j < p->cols; ++j) {
            const int16_t *rj = r + (size_t)j * rc;
            int64_t acc = 0;  // below 2^31 products of at most 2^30 each
            for (int32_t k = 0; k < p->depth; ++k) acc += (int32_t)li[(size_t)k * ld] * (int32_t)rj[(size_t)k * rd];
            const int32_t v = sprat_wrap_add(sprat_mbqm64(acc, p->multiplier, p->shift), p->output_offset);
            *out++ = (int16_t)sprat_clamp(v, p->act_min, p->act_max);
          }
        }
      }
    }
  }
}
