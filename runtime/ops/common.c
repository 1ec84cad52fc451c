// Checks shared by the ops' glue.
#include "runtime/src/op_api.h"

sprat_shape4 sprat_shape4_of(const sprat_tview *t) {
  int32_t d[4] = {1, 1, 1, 1};
  for (int i = 0; i < t->rank && i < 4; ++i) d[4 - t->rank + i] = t->dims[i];
  sprat_shape4 s = {d[0], d[1], d[2], d[3]};
  return s;
}

int sprat_params_are(const sprat_op_ctx *c, size_t size) { return c->params_size == size; }

int sprat_is(const sprat_tview *t, uint8_t type, uint32_t count) {
  return t->present && t->type == type && t->count == count;
}

int sprat_is_const(const sprat_tview *t, uint8_t type, uint32_t count) {
  return sprat_is(t, type, count) && t->is_const && (t->data != NULL || count == 0);
}

int sprat_shift_ok(int32_t shift) { return shift >= -31 && shift <= 30; }
int sprat_zero_point_ok(int32_t zp) { return zp >= -128 && zp <= 127; }

int64_t sprat_product4(int32_t a, int32_t b, int32_t c, int32_t d) {
  const int32_t f[4] = {a, b, c, d};
  int64_t n = 1;
  for (int i = 0; i < 4; ++i) {
    if (f[i] < 1) return -1;
    n *= f[i];  // < 2^32 * 2^31 before the check: no overflow
    if (n > ((int64_t)1 << 32)) return -1;
  }
  return n;
}
int sprat_multiplier_ok(int32_t m) { return m >= 0; }

// The lowest and highest element offsets a walk of dims/strides reaches.
static int walk_fits(int32_t ndim, const int32_t *dims, int32_t start, const int32_t *strides,
                     uint32_t count) {
  int64_t lo = start, hi = start;
  for (int32_t d = 0; d < ndim; ++d) {
    const int64_t span = (int64_t)(dims[d] - 1) * strides[d];
    if (span < 0) lo += span; else hi += span;
  }
  return lo >= 0 && hi < (int64_t)count;
}

int sprat_copy_fits(const sprat_copy_params *p, uint32_t in_count, uint32_t out_count) {
  if (p->ndim < 0 || p->ndim > SPRAT_MAX_DIMS) return 0;
  if (p->elem_size != 1 && p->elem_size != 2 && p->elem_size != 4 && p->elem_size != 8) return 0;
  int64_t total = 1;
  for (int32_t d = 0; d < p->ndim; ++d) {
    if (p->dims[d] < 1 || p->dims[d] > (1 << 24)) return 0;
    total *= p->dims[d];
    if (total > (int64_t)out_count || total > 0x7FFFFFFF) return 0;  // a copy writes each output at most once
    if (p->in_strides[d] < -(1 << 24) || p->in_strides[d] > (1 << 24)) return 0;
    if (p->out_strides[d] < -(1 << 24) || p->out_strides[d] > (1 << 24)) return 0;
  }
  return walk_fits(p->ndim, p->dims, p->in_start, p->in_strides, in_count) &&
         walk_fits(p->ndim, p->dims, p->out_start, p->out_strides, out_count);
}

int sprat_broadcast_fits(const sprat_broadcast *bc, uint32_t in1, uint32_t in2, uint32_t out) {
  if (bc->ndim < 0 || bc->ndim > SPRAT_MAX_DIMS) return 0;
  // The kernels' int32 offsets step by a stride past the last element and
  // back by stride * dim: with strides within the operand and operands
  // below 2^30 elements, none of that leaves int32.
  if (in1 > (1u << 30) || in2 > (1u << 30)) return 0;
  int64_t total = 1, hi1 = 0, hi2 = 0;
  for (int32_t d = 0; d < bc->ndim; ++d) {
    if (bc->out_dims[d] < 1 || bc->in1_strides[d] < 0 || bc->in2_strides[d] < 0) return 0;
    if (bc->in1_strides[d] > (int32_t)in1 || bc->in2_strides[d] > (int32_t)in2) return 0;
    total *= bc->out_dims[d];
    if (total > 0x7FFFFFFF) return 0;
    hi1 += (int64_t)(bc->out_dims[d] - 1) * bc->in1_strides[d];
    hi2 += (int64_t)(bc->out_dims[d] - 1) * bc->in2_strides[d];
    // Each span is below 2^62: stopping here keeps the sums in int64.
    if (hi1 >= (int64_t)in1 || hi2 >= (int64_t)in2) return 0;
  }
  // The output is written densely, in order.
  return total == (int64_t)out && hi1 < (int64_t)in1 && hi2 < (int64_t)in2;
}

int sprat_shape_is(const sprat_shape4 *s, const sprat_tview *t) {
  const sprat_shape4 v = sprat_shape4_of(t);
  return t->rank <= 4 && s->n == v.n && s->h == v.h && s->w == v.w && s->c == v.c;
}

int sprat_layout_ok(int32_t layout) { return layout >= 0 && layout < 32 && ((sprat_kernel_layouts() >> layout) & 1u); }
