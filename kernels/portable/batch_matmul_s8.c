// BATCH_MATMUL int8 as LiteRT's reference kernel computes it: the products
// of the offset values summed in int32 (wrapping, where TFLite's sum would
// overflow), requantized with gemmlowp's two roundings, the output zero
// point added, clamped to int8 (BATCH_MATMUL has no fused activation).
#include <stddef.h>

#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_batch_matmul_s8(const sprat_batch_matmul_params *p, const int8_t *lhs, const int8_t *rhs,
                                    int8_t *out) {
  const int32_t lo = p->lhs_offset, ro = p->rhs_offset;
  const size_t lr = (size_t)p->lhs_row_stride, ld = (size_t)p->lhs_depth_stride;
  const size_t rd = (size_t)p->rhs_depth_stride, rc = (size_t)p->rhs_col_stride;
  for (int32_t b0 = 0; b0 < p->batch[0]; ++b0) {
    for (int32_t b1 = 0; b1 < p->batch[1]; ++b1) {
      for (int32_t b2 = 0; b2 < p->batch[2]; ++b2) {
        const int8_t *l = lhs + (size_t)b0 * (size_t)p->lhs_batch_strides[0] +
                          (size_t)b1 * (size_t)p->lhs_batch_strides[1] + (size_t)b2 * (size_t)p->lhs_batch_strides[2];
        const int8_t *r = rhs + (size_t)b0 * (size_t)p->rhs_batch_strides[0] +
                          (size_t)b1 * (size_t)p->rhs_batch_strides[1] + (size_t)b2 * (size_t)p->rhs_batch_strides[2];
        for (int32_t i = 0; i < p->rows; ++i) {
          const int8_t *li = l + (size_t)i * lr;
          for (int32_t j = 0; j < p->cols; ++j) {
            const int8_t *rj = r + (size_t)j * rc;
            uint32_t acc = 0;  // two's complement wrap, as TFLite's int32 sum on every compiler
            for (int32_t k = 0; k < p->depth; ++k)
              acc += (uint32_t)(((int32_t)li[(size_t)k * ld] + lo) * ((int32_t)rj[(size_t)k * rd] + ro));
            int32_t v = sprat_wrap_add(sprat_mbqm((int32_t)acc, p->multiplier, p->shift), p->output_offset);
            *out++ = (int8_t)sprat_clamp(v, p->act_min, p->act_max);
          }
        }
      }
    }
  }
}
