// Walks an output index space of up to SPRAT_MAX_DIMS dimensions, keeping
// the element offsets of two broadcast operands in step.
#ifndef SPRAT_PORTABLE_BROADCAST_H_
#define SPRAT_PORTABLE_BROADCAST_H_

#include "sprat/kernels.h"

typedef struct {
  int32_t idx[SPRAT_MAX_DIMS];
  int32_t o1, o2;
} sprat_bc_iter;

// Advances to the next output element; the innermost dimension is last.
static inline void sprat_bc_next(const sprat_broadcast *bc, sprat_bc_iter *it) {
  for (int32_t d = bc->ndim - 1; d >= 0; --d) {
    it->o1 += bc->in1_strides[d];
    it->o2 += bc->in2_strides[d];
    if (++it->idx[d] < bc->out_dims[d]) return;
    it->o1 -= bc->in1_strides[d] * bc->out_dims[d];
    it->o2 -= bc->in2_strides[d] * bc->out_dims[d];
    it->idx[d] = 0;
  }
}

static inline int32_t sprat_bc_count(const sprat_broadcast *bc) {
  int32_t n = 1;
  for (int32_t d = 0; d < bc->ndim; ++d) n *= bc->out_dims[d];
  return n;
}

#endif  // SPRAT_PORTABLE_BROADCAST_H_
