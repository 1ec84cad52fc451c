// TRANSPOSE_CONV, int8, per-channel requantization: each input element adds
// its products to the output elements it reaches (a scatter into int32
// accumulators), then every accumulator is requantized.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"
#include "kernels/portable/transpose_conv_scatter.h"

void sprat_portable_transpose_conv_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                      const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                      int8_t *out, int32_t *acc) {
  SPRAT_TRANSPOSE_CONV_SCATTER(int32_t, sprat_wrap_add);
  const sprat_shape4 *os = &p->out;
  const size_t n = (size_t)os->n * os->h * os->w * os->c;
  for (size_t i = 0; i < n; ++i) {
    const int32_t oc = (int32_t)(i % (size_t)os->c);
    int32_t a = sprat_wrap_add(acc[i], bias ? bias[oc] : 0);
    a = sprat_wrap_add(sprat_mbqm(a, multiplier[oc], shift[oc]), p->output_offset);
    out[i] = (int8_t)sprat_clamp(a, p->act_min, p->act_max);
  }
}
