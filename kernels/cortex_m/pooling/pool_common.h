// What the pooling kernels share: when the fast kernels apply, and each
// output pixel's window clipped to the input exactly as the portable kernel
// clips it (TFLite counts only the positions inside the input).
#ifndef SPRAT_KERNELS_CORTEX_M_POOLING_POOL_COMMON_H_
#define SPRAT_KERNELS_CORTEX_M_POOLING_POOL_COMMON_H_

#include "kernels/cortex_m/simd.h"
#include "sprat/kernels.h"

// The index arithmetic stays far inside int32, the clamp inside int8, and
// the output apart from the input (the portable kernel's element order
// would otherwise decide).
static inline int sprat_cm_pool_fast_ok(const sprat_pool_params *p, const int8_t *in, const int8_t *out) {
  const sprat_shape4 *is = &p->in, *os = &p->out;
  if (p->act_min < -128 || p->act_min > p->act_max || p->act_max > 127) return 0;
  if (p->stride_h < 1 || p->stride_w < 1 || p->filter_h < 1 || p->filter_w < 1) return 0;
  if (is->n < 0 || is->h < 0 || is->w < 0 || is->c < 0 || os->n < 0 || os->h < 0 || os->w < 0 || os->c != is->c) return 0;
  const int64_t lim = (int64_t)1 << 30;
  const int64_t pt = p->pad_top < 0 ? -(int64_t)p->pad_top : p->pad_top;
  const int64_t pl = p->pad_left < 0 ? -(int64_t)p->pad_left : p->pad_left;
  if ((int64_t)os->h * p->stride_h + p->filter_h + pt + is->h >= lim) return 0;
  if ((int64_t)os->w * p->stride_w + p->filter_w + pl + is->w >= lim) return 0;
  const int64_t n_in = (int64_t)is->n * is->h * is->w * is->c, n_out = (int64_t)os->n * os->h * os->w * os->c;
  if (n_in >= lim || n_out >= lim) return 0;
  return !sprat_cm_overlap(in, (uint32_t)n_in, out, (uint32_t)n_out);
}

static inline int32_t sprat_cm_max_i32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t sprat_cm_min_i32(int32_t a, int32_t b) { return a < b ? a : b; }

#endif  // SPRAT_KERNELS_CORTEX_M_POOLING_POOL_COMMON_H_
