// FULLY_CONNECTED in layout ARMV7EM: filter zero point 0, bias folded with
// the input offset; rounded once, as LiteRT's int8 FULLY_CONNECTED.
#include "kernels/cortex_m/cortex_m.h"
#include "kernels/portable/fixedpoint.h"

void sprat_cm_fully_connected_s8(const sprat_fc_params *p, const int8_t *in, const int8_t *filter,
                                 const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out) {
  for (int32_t b = 0; b < p->batches; ++b) {
    const int8_t *row = in + b * p->depth;
    for (int32_t u = 0; u < p->units; ++u) {
      const int8_t *w = filter + u * p->depth;
      int32_t acc = bias[u];
      for (int32_t d = 0; d < p->depth; ++d) acc += (int32_t)w[d] * row[d];
      const int32_t q = p->per_channel ? u : 0;
      acc = sprat_mbqm_single(acc, multiplier[q], shift[q]) + p->output_offset;
      out[b * p->units + u] = (int8_t)sprat_clamp(acc, p->act_min, p->act_max);
    }
  }
}
