// AVERAGE_POOL_2D and MAX_POOL_2D, int16 (same quantization in and out).
#define POOL_T int16_t
#define POOL_FN(name) name##_s16
#include "kernels/portable/pool2d_impl.h"

void sprat_portable_avg_pool2d_s16(const sprat_pool_params *p, const int16_t *in, int16_t *out, int32_t row_begin,
                                   int32_t row_end) {
  pool_s16(p, in, out, row_begin, row_end, 0);
}

void sprat_portable_max_pool2d_s16(const sprat_pool_params *p, const int16_t *in, int16_t *out, int32_t row_begin,
                                   int32_t row_end) {
  pool_s16(p, in, out, row_begin, row_end, 1);
}
