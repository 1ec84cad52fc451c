// kernels/cortex_m: the ARMv7E-M DSP library's own kernels (sprat_cm_*).
// api.c routes the kernel API here for layout ARMV7EM and to the portable
// kernels for layout PLAIN. Every sprat_cm_* kernel handles every shape the
// runtime accepts: fast paths for the shapes they cover, a generic path for
// the rest.
#ifndef SPRAT_KERNELS_CORTEX_M_H_
#define SPRAT_KERNELS_CORTEX_M_H_

#include "kernels/portable/portable.h"

int32_t sprat_cm_conv2d_s8_get_buffer_size(const sprat_conv_params *p);
int32_t sprat_cm_conv2d_s8_bias_words(const sprat_conv_params *p);
void sprat_cm_conv2d_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter, const int32_t *bias,
                        const int32_t *multiplier, const int32_t *shift, int8_t *out, void *scratch,
                        int32_t row_begin, int32_t row_end);

int32_t sprat_cm_depthwise_conv2d_s8_get_buffer_size(const sprat_conv_params *p);
int32_t sprat_cm_depthwise_conv2d_s8_bias_words(const sprat_conv_params *p);
void sprat_cm_depthwise_conv2d_s8(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                  const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out,
                                  void *scratch, int32_t row_begin, int32_t row_end);

void sprat_cm_fully_connected_s8(const sprat_fc_params *p, const int8_t *in, const int8_t *filter,
                                 const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out);

// Elementwise and pooling: no weights, so no layout; api.c always routes
// here. Each takes every parameter set the portable kernel does, running
// the forms it proves exact fast and handing the rest to the portable one.
void sprat_cm_add_s8(const sprat_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out);
void sprat_cm_mul_s8(const sprat_mul_params *p, const int8_t *in1, const int8_t *in2, int8_t *out);
void sprat_cm_avg_pool2d_s8(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                            int32_t row_end);
void sprat_cm_max_pool2d_s8(const sprat_pool_params *p, const int8_t *in, int8_t *out, int32_t row_begin,
                            int32_t row_end);

// Generic paths (any shape, layout ARMV7EM), the fast kernels' fallback.
void sprat_cm_conv2d_s8_generic(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int8_t *out,
                                int32_t row_begin, int32_t row_end);
void sprat_cm_depthwise_conv2d_s8_generic(const sprat_conv_params *p, const int8_t *in, const int8_t *filter,
                                          const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                          int8_t *out, int32_t row_begin, int32_t row_end);

#endif  // SPRAT_KERNELS_CORTEX_M_H_
