// The Cortex-A (AArch64 NEON) kernel library: its kernels under
// sprat_ca_<name>_neon, or sprat_ca_<name>_sdot where the library is built
// for the ARMv8.2 dot product (SPRAT_CA_DOTPROD).
#ifndef SPRAT_KERNELS_CORTEX_A_CORTEX_A_H_
#define SPRAT_KERNELS_CORTEX_A_CORTEX_A_H_

#include "kernels/portable/portable.h"
#include "sprat/kernels.h"

#ifdef SPRAT_CA_DOTPROD
#define SPRAT_CA(name) sprat_ca_##name##_sdot
#else
#define SPRAT_CA(name) sprat_ca_##name##_neon
#endif

// Layout PLAIN, no scratch. Every shape the runtime accepts: shapes without
// a fast path go to the portable kernels (see README.md).
void SPRAT_CA(conv_s8)(const sprat_conv_params *p, const int8_t *in, const int8_t *filter, const int32_t *bias,
                       const int32_t *multiplier, const int32_t *shift, int8_t *out, int32_t row_begin,
                       int32_t row_end);
void SPRAT_CA(depthwise_conv_s8)(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                 const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out,
                                 int32_t row_begin, int32_t row_end);
void SPRAT_CA(fully_connected_s8)(const sprat_fc_params *p, const int8_t *in, const int8_t *filter,
                                  const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                  int8_t *out);

void SPRAT_CA(avg_pool2d_s8)(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                             int32_t row_end);
void SPRAT_CA(max_pool2d_s8)(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                             int32_t row_end);
void SPRAT_CA(add_s8)(const sprat_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out);

#endif  // SPRAT_KERNELS_CORTEX_A_CORTEX_A_H_
