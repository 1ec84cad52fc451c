// CUMSUM, int8, as TFLM's reference computes it (LiteRT has no int8 CUMSUM):
// every value is rescaled to a common int32 scale, summed (wrapping), and
// the running sum requantized. TFLM starts the sum at the rescaled input
// offset instead of 0; that offset is part of its results, so it is here.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

static inline int32_t scaled(const sprat_cumsum_params *p, int32_t v) {
  return sprat_mbqm((int32_t)((uint32_t)v << p->left_shift), p->input_multiplier, p->input_shift);
}

void sprat_portable_cumsum_s8(const sprat_cumsum_params *p, const int8_t *in, int8_t *out) {
  const int32_t start = scaled(p, p->input_offset);
  for (int32_t o = 0; o < p->outer; ++o) {
    for (int32_t i = 0; i < p->inner; ++i) {
      int32_t acc = start;
      for (int32_t k = 0; k < p->depth; ++k) {
        const int32_t d = p->reverse ? p->depth - 1 - k : k;
        const int32_t at = (o * p->depth + d) * p->inner + i;
        const int32_t y = scaled(p, p->input_offset + in[at]);
        int32_t v;
        if (p->exclusive) {
          v = acc;
          acc = sprat_wrap_add(acc, y);
        } else {
          acc = sprat_wrap_add(acc, y);
          v = acc;
        }
        v = sprat_wrap_add(sprat_mbqm(v, p->output_multiplier, p->output_shift), p->output_offset);
        out[at] = (int8_t)sprat_clamp(v, -128, 127);
      }
    }
  }
}
