// SELECT_V2: out = cond ? x : y with the condition and both values
// broadcast over the output; values are copied as they are (TFLite copies
// the raw elements, whatever their quantization).
#include <stdint.h>

#include "kernels/portable/portable.h"

#define SELECT_LOOP(T)                                                       \
  do {                                                                       \
    const T *xv = (const T *)x, *yv = (const T *)y;                          \
    T *ov = (T *)out;                                                        \
    for (int32_t i = 0; i < n; ++i) {                                        \
      ov[i] = cond[oc] ? xv[ox] : yv[oy];                                    \
      for (int32_t d = bc->ndim - 1; d >= 0; --d) {                          \
        oc += p->cond_strides[d];                                            \
        ox += bc->in1_strides[d];                                            \
        oy += bc->in2_strides[d];                                            \
        if (++idx[d] < bc->out_dims[d]) break;                               \
        oc -= p->cond_strides[d] * bc->out_dims[d];                          \
        ox -= bc->in1_strides[d] * bc->out_dims[d];                          \
        oy -= bc->in2_strides[d] * bc->out_dims[d];                          \
        idx[d] = 0;                                                          \
      }                                                                      \
    }                                                                        \
  } while (0)

void sprat_portable_select(const sprat_select_params *p, const uint8_t *cond, const void *x, const void *y,
                           void *out) {
  const sprat_broadcast *bc = &p->bc;
  int32_t idx[SPRAT_MAX_DIMS] = {0};
  int32_t oc = 0, ox = 0, oy = 0, n = 1;
  for (int32_t d = 0; d < bc->ndim; ++d) n *= bc->out_dims[d];
  switch (p->elem_size) {
    case 1: SELECT_LOOP(uint8_t); break;
    case 2: SELECT_LOOP(uint16_t); break;
    case 4: SELECT_LOOP(uint32_t); break;  // float32 too: the bits, unchanged
    case 8: SELECT_LOOP(uint64_t); break;
    default: break;
  }
}
