// FULLY_CONNECTED in layout ARMV7EM: the library's entry points over the kernel
// template (fully_connected_s8_impl.h), which generated layers instantiate too.
#include "kernels/cortex_m/fully_connected/fully_connected_s8_impl.h"

void sprat_cm_fully_connected_s8(const sprat_fc_params *p, const int8_t *in, const int8_t *filter,
                                 const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out) {
  sprat_cm_fully_connected_s8_impl(p, in, filter, bias, multiplier, shift, out);
}
