// FULLY_CONNECTED, int8, per-tensor or per-channel requantization, rounded
// once as LiteRT's int8 FULLY_CONNECTED does, or twice as TFLM's does
// (SPRAT_FC_DOUBLE_ROUNDING).
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

void sprat_portable_fully_connected_s8(const sprat_fc_params *p, const int8_t *in, const int8_t *filter,
                                       const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                       int8_t *out) {
  const int32_t batches = p->batches, depth = p->depth, units = p->units;
  const int twice = (p->flags & SPRAT_FC_DOUBLE_ROUNDING) != 0;
  for (int32_t b = 0; b < batches; ++b) {
    const int8_t *row = in + b * depth;
    for (int32_t u = 0; u < units; ++u) {
      const int8_t *w = filter + u * depth;
      int32_t acc = 0;
      // Chunks of 2^15 products of at most 255^2 each fit int32; the total wraps.
      for (int32_t d0 = 0; d0 < depth; d0 += 1 << 15) {
        const int32_t d1 = depth - d0 < (1 << 15) ? depth : d0 + (1 << 15);
        int32_t part = 0;
        for (int32_t d = d0; d < d1; ++d) part += ((int32_t)w[d] + p->filter_offset) * ((int32_t)row[d] + p->input_offset);
        acc = sprat_wrap_add(acc, part);
      }
      if (bias) acc = sprat_wrap_add(acc, bias[u]);
      const int32_t q = p->per_channel ? u : 0;
      const int32_t r = twice ? sprat_mbqm(acc, multiplier[q], shift[q]) : sprat_mbqm_single(acc, multiplier[q], shift[q]);
      acc = sprat_wrap_add(r, p->output_offset);
      out[b * units + u] = (int8_t)sprat_clamp(acc, p->act_min, p->act_max);
    }
  }
}
