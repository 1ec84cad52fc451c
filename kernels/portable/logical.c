// LOGICAL_AND, LOGICAL_OR (broadcasting), LOGICAL_NOT, and REDUCE_ALL /
// REDUCE_ANY over any axes. Any non-zero byte reads as true; outputs are
// 0 or 1.
#include "kernels/portable/broadcast.h"
#include "kernels/portable/portable.h"

void sprat_portable_logical(const sprat_logical_params *p, const uint8_t *in1, const uint8_t *in2, uint8_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  if (p->kind == SPRAT_LOGICAL_NOT) {
    for (int32_t i = 0; i < n; ++i) {
      out[i] = (uint8_t)(in1[it.o1] == 0);
      sprat_bc_next(&p->bc, &it);
    }
    return;
  }
  const int is_or = p->kind == SPRAT_LOGICAL_OR;
  for (int32_t i = 0; i < n; ++i) {
    const int a = in1[it.o1] != 0, b = in2[it.o2] != 0;
    out[i] = (uint8_t)(is_or ? (a || b) : (a && b));
    sprat_bc_next(&p->bc, &it);
  }
}

void sprat_portable_reduce_bool(const sprat_reduce_bool_params *p, const uint8_t *in, uint8_t *out) {
  const uint8_t start = p->any ? 0 : 1;
  for (int32_t o = 0; o < p->out_count; ++o) out[o] = start;
  int32_t idx[SPRAT_MAX_DIMS] = {0};
  int32_t total = 1, at = 0;
  for (int32_t d = 0; d < p->ndim; ++d) total *= p->dims[d];
  for (int32_t i = 0; i < total; ++i) {
    if (p->any) {
      out[at] = (uint8_t)(out[at] | (in[i] != 0));
    } else {
      out[at] = (uint8_t)(out[at] & (in[i] != 0));
    }
    for (int32_t d = p->ndim - 1; d >= 0; --d) {  // the next input index, innermost first
      at += p->out_strides[d];
      if (++idx[d] < p->dims[d]) break;
      at -= p->out_strides[d] * p->dims[d];
      idx[d] = 0;
    }
  }
}
