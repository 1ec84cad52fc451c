// TRANSPOSE_CONV, 16x8: int16 input and output (zero points 0), int8
// per-channel filter, int64 bias; each input element scatters its products
// into int64 accumulators, requantized as TFLite's 64-bit path does.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"
#include "kernels/portable/transpose_conv_scatter.h"

static inline int64_t add64(int64_t a, int64_t b) { return a + b; }  // at most 2^32 products of 2^22

void sprat_portable_transpose_conv_s16(const sprat_conv_params *p, const int16_t *in, const int8_t *filter,
                                       const int64_t *bias, const int32_t *multiplier, const int32_t *shift,
                                       int16_t *out, int64_t *acc) {
  SPRAT_TRANSPOSE_CONV_SCATTER(int64_t, add64);
  const sprat_shape4 *os = &p->out;
  const size_t n = (size_t)os->n * os->h * os->w * os->c;
  for (size_t i = 0; i < n; ++i) {
    const int32_t oc = (int32_t)(i % (size_t)os->c);
    // Two's complement wrap, as TFLite's int64 sum of a crafted bias would.
    const int64_t a = (int64_t)((uint64_t)acc[i] + (uint64_t)(bias ? bias[oc] : 0));
    out[i] = (int16_t)sprat_clamp(sprat_mbqm64(a, multiplier[oc], shift[oc]), p->act_min, p->act_max);
  }
}
