// AVERAGE_POOL_2D and MAX_POOL_2D, int8 (same scale in and out).
#define POOL_T int8_t
#define POOL_FN(name) name##_s8
#include "kernels/portable/pool2d_impl.h"

void sprat_portable_avg_pool2d_s8(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                                  int32_t row_end) {
  pool_s8(p, in, out, row_begin, row_end, 0);
}

void sprat_portable_max_pool2d_s8(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                                  int32_t row_end) {
  pool_s8(p, in, out, row_begin, row_end, 1);
}
