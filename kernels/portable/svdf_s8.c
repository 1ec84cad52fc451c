// SVDF, int8, as TFLite's integer SVDF computes it (LiteRT with an int16
// state; TFLM also with an int8 one): requantized with the two roundings.
#include <string.h>

#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

int32_t sprat_portable_svdf_s8_get_buffer_size(const sprat_svdf_params *p) {
  // Per batch: one int32 per filter (the time reduction), one per unit.
  return p->batches * (p->filters + p->filters / p->rank) * (int32_t)sizeof(int32_t);
}

// Sums wrap as int32 (TFLite's do in practice; in C a signed overflow
// would be undefined): accumulated in 64 bits, cut to 32.
static int32_t cut32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

void sprat_portable_svdf_s8(const sprat_svdf_params *p, const int8_t *in, const int8_t *weights_feature,
                            const void *weights_time, const int32_t *bias, void *state, int8_t *out,
                            void *scratch) {
  const int32_t batches = p->batches, n_in = p->input_size, filters = p->filters, memory = p->memory;
  const int32_t units = filters / p->rank;
  const size_t elem = p->state_is_int8 ? 1u : 2u;
  const int32_t lo = p->state_is_int8 ? -128 : -32768, hi = p->state_is_int8 ? 127 : 32767;
  // One step older: every value moves down one slot, the whole buffer at
  // once as TFLite does (each filter's newest slot is written below).
  memmove(state, (uint8_t *)state + elem, ((size_t)batches * filters * memory - 1u) * elem);
  for (int32_t b = 0; b < batches; ++b) {
    const int8_t *x = in + (size_t)b * n_in;
    for (int32_t f = 0; f < filters; ++f) {
      const int8_t *w = weights_feature + (size_t)f * n_in;
      int64_t acc = 0;
      for (int32_t c = 0; c < n_in; ++c) acc += (int32_t)w[c] * ((int32_t)x[c] + p->input_offset);
      int32_t v = sprat_clamp(sprat_mbqm(cut32(acc), p->feature_multiplier, p->feature_shift), lo, hi);
      const size_t at = ((size_t)b * filters + (size_t)f) * memory + (size_t)memory - 1u;
      // TFLite adds the zero point after the clamp: an int8 state may wrap.
      v = sprat_wrap_add(v, p->state_zero_point);
      if (p->state_is_int8) ((int8_t *)state)[at] = (int8_t)(uint8_t)(uint32_t)v;
      else ((int16_t *)state)[at] = (int16_t)(uint16_t)(uint32_t)v;
    }
  }
  int32_t *per_filter = (int32_t *)scratch;
  int32_t *per_unit = per_filter + (size_t)batches * filters;
  for (int32_t b = 0; b < batches; ++b) {
    for (int32_t f = 0; f < filters; ++f) {
      const size_t row = ((size_t)b * filters + (size_t)f) * memory;
      int64_t acc = 0;
      if (p->state_is_int8) {
        const int8_t *t = (const int8_t *)weights_time + (size_t)f * memory, *s = (const int8_t *)state + row;
        for (int32_t j = 0; j < memory; ++j) acc += (int32_t)t[j] * ((int32_t)s[j] - p->state_zero_point);
      } else {
        const int16_t *t = (const int16_t *)weights_time + (size_t)f * memory, *s = (const int16_t *)state + row;
        for (int32_t j = 0; j < memory; ++j) acc += (int32_t)t[j] * ((int32_t)s[j] - p->state_zero_point);
      }
      per_filter[(size_t)b * filters + (size_t)f] = cut32(acc);
    }
    for (int32_t u = 0; u < units; ++u) {
      int32_t sum = bias ? bias[u] : 0;
      for (int32_t r = 0; r < p->rank; ++r)
        sum = sprat_wrap_add(sum, per_filter[(size_t)b * filters + (size_t)u * p->rank + (size_t)r]);
      per_unit[(size_t)b * units + (size_t)u] = sum;
    }
    for (int32_t u = 0; u < units; ++u) {
      const int32_t v = sprat_wrap_add(sprat_mbqm(per_unit[(size_t)b * units + (size_t)u], p->output_multiplier,
                                                  p->output_shift), p->output_offset);
      out[(size_t)b * units + (size_t)u] = (int8_t)sprat_clamp(v, -128, 127);
    }
  }
}
