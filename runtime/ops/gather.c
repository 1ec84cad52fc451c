// The gather family: GATHER and GATHER_ND with indices read at run time,
// EMBEDDING_LOOKUP's int8-to-float rows, DYNAMIC_UPDATE_SLICE with computed
// start indices, BROADCAST_ARGS of computed shapes, BATCH_MATMUL (int8 and
// int16). Each check ties every record field that sizes a walk to the
// tensors; the index values themselves are checked by the kernels as they
// read them (they change at every invoke).
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static uint32_t elem_size(uint8_t type) {
  switch (type) {
    case SPRAT_INT16: return 2;
    case SPRAT_INT32: case SPRAT_FLOAT32: return 4;
    case SPRAT_INT64: return 8;
    default: return 1;
  }
}

// An index tensor of index_size bytes per index: int16, int32 or int64.
static int index_type_ok(const sprat_tview *t, int32_t index_size, uint32_t count) {
  const uint8_t want = index_size == 2 ? SPRAT_INT16 : index_size == 4 ? SPRAT_INT32 : index_size == 8 ? SPRAT_INT64 : 0;
  return want != 0 && sprat_is(t, want, count);
}

// The product of n factors, each >= 1, if it stays within 2^32; else -1.
static int64_t product(const int32_t *f, int n) {
  int64_t v = 1;
  for (int i = 0; i < n; ++i) {
    if (f[i] < 1) return -1;
    v *= f[i];  // < 2^32 * 2^31: no overflow before the check
    if (v > ((int64_t)1 << 32)) return -1;
  }
  return v;
}

static sprat_status check_gather_rt(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_gather_rt_params)) && c->n_in == 2 && c->in[0].present);
  const sprat_gather_rt_params *p = (const sprat_gather_rt_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].type == c->out[0].type && (uint32_t)p->elem_size == elem_size(c->in[0].type));
  SPRAT_CHECK(p->inner_bytes >= 1 && p->inner_bytes % p->elem_size == 0);
  const int32_t in_f[5] = {p->batch, p->outer, p->axis_size, p->inner_bytes, 1};
  const int32_t out_f[5] = {p->batch, p->outer, p->n_indices, p->inner_bytes, 1};
  const int32_t idx_f[2] = {p->batch, p->n_indices};
  SPRAT_CHECK(product(in_f, 5) == (int64_t)c->in[0].bytes && product(out_f, 5) == (int64_t)c->out[0].bytes);
  SPRAT_CHECK(index_type_ok(&c->in[1], p->index_size, (uint32_t)product(idx_f, 2)));
  return SPRAT_OK;
}

static void run_gather_rt(const sprat_layer *l) {
  sprat_gather_rt((const sprat_gather_rt_params *)l->params, l->data[1], l->data[0], l->data[2]);
}

static sprat_status check_gather_nd(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_gather_nd_params)) && c->n_in == 2 && c->in[0].present);
  const sprat_gather_nd_params *p = (const sprat_gather_nd_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].type == c->out[0].type && (uint32_t)p->elem_size == elem_size(c->in[0].type));
  SPRAT_CHECK(p->nd >= 1 && p->nd <= SPRAT_MAX_DIMS && p->slice_bytes >= 1 && p->slice_bytes % p->elem_size == 0);
  int32_t in_f[SPRAT_MAX_DIMS + 1];
  for (int32_t j = 0; j < p->nd; ++j) in_f[j] = p->dims[j];
  in_f[p->nd] = p->slice_bytes;
  const int32_t out_f[2] = {p->n_slices, p->slice_bytes};
  const int32_t idx_f[2] = {p->n_slices, p->nd};
  SPRAT_CHECK(product(in_f, p->nd + 1) == (int64_t)c->in[0].bytes && product(out_f, 2) == (int64_t)c->out[0].bytes);
  SPRAT_CHECK(index_type_ok(&c->in[1], p->index_size, (uint32_t)product(idx_f, 2)));
  return SPRAT_OK;
}

static void run_gather_nd(const sprat_layer *l) {
  sprat_gather_nd((const sprat_gather_nd_params *)l->params, l->data[1], l->data[0], l->data[2]);
}

static sprat_status check_embedding_hybrid(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_embedding_hybrid_params)) && c->n_in == 3);
  const sprat_embedding_hybrid_params *p = (const sprat_embedding_hybrid_params *)(const void *)c->params;
  const int32_t values_f[2] = {p->rows, p->cols}, out_f[2] = {p->n_lookups, p->cols};
  const int64_t values = product(values_f, 2), outs = product(out_f, 2);
  SPRAT_CHECK(values > 0 && outs > 0 && p->n_lookups >= 1 && (p->per_row == 0 || p->per_row == 1));
  SPRAT_CHECK(sprat_is(&c->in[0], SPRAT_INT32, (uint32_t)p->n_lookups));
  SPRAT_CHECK(sprat_is(&c->in[1], SPRAT_INT8, (uint32_t)values));
  SPRAT_CHECK(sprat_is(&c->in[2], SPRAT_FLOAT32, p->per_row ? (uint32_t)p->rows : 1u));
  SPRAT_CHECK(c->out[0].type == SPRAT_FLOAT32 && c->out[0].count == (uint32_t)outs);
  return SPRAT_OK;
}

static void run_embedding_hybrid(const sprat_layer *l) {
  sprat_embedding_lookup_hybrid((const sprat_embedding_hybrid_params *)l->params,
                                (const int32_t *)(const void *)l->data[0], (const int8_t *)l->data[1],
                                (const float *)(const void *)l->data[2], (float *)l->data[3]);
}

static sprat_status check_dynamic_update_slice(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_dynamic_update_slice_params)) && c->n_in == 3);
  const sprat_dynamic_update_slice_params *p = (const sprat_dynamic_update_slice_params *)(const void *)c->params;
  SPRAT_CHECK(p->ndim >= 1 && p->ndim <= SPRAT_MAX_DIMS);
  SPRAT_CHECK(c->in[0].present && c->in[1].present && c->in[0].type == c->out[0].type &&
              c->in[1].type == c->out[0].type && (uint32_t)p->elem_size == elem_size(c->out[0].type));
  for (int32_t d = 0; d < p->ndim; ++d) SPRAT_CHECK(p->update_dims[d] >= 1 && p->update_dims[d] <= p->operand_dims[d]);
  const int64_t n = product(p->operand_dims, p->ndim);
  SPRAT_CHECK(n > 0 && c->in[0].count == (uint32_t)n && c->out[0].count == (uint32_t)n);
  SPRAT_CHECK(c->in[1].count == (uint32_t)product(p->update_dims, p->ndim));
  SPRAT_CHECK((p->index_size == 4 || p->index_size == 8) && index_type_ok(&c->in[2], p->index_size, (uint32_t)p->ndim));
  return SPRAT_OK;
}

static void run_dynamic_update_slice(const sprat_layer *l) {
  sprat_dynamic_update_slice((const sprat_dynamic_update_slice_params *)l->params, l->data[0], l->data[1],
                             l->data[2], l->data[3]);
}

static sprat_status check_broadcast_args(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_broadcast_args_params)) && c->n_in == 2);
  const sprat_broadcast_args_params *p = (const sprat_broadcast_args_params *)(const void *)c->params;
  SPRAT_CHECK(p->is_int64 == 0 || p->is_int64 == 1);
  const uint8_t t = p->is_int64 ? SPRAT_INT64 : SPRAT_INT32;
  SPRAT_CHECK(p->n1 >= 1 && p->n2 >= 1 && p->n_out == (p->n1 > p->n2 ? p->n1 : p->n2));
  SPRAT_CHECK(sprat_is(&c->in[0], t, (uint32_t)p->n1) && sprat_is(&c->in[1], t, (uint32_t)p->n2));
  SPRAT_CHECK(c->out[0].type == t && c->out[0].count == (uint32_t)p->n_out);
  return SPRAT_OK;
}

static void run_broadcast_args(const sprat_layer *l) {
  sprat_broadcast_args((const sprat_broadcast_args_params *)l->params, l->data[0], l->data[1], l->data[2]);
}

// The highest element a walk of these extents and strides reaches lies
// inside the operand. Each term is below 2^62 and the sum is checked after
// each: it stays inside int64.
static int walk_within(const int32_t *extent, const int32_t *stride, int n, uint32_t count) {
  int64_t hi = 0;
  for (int i = 0; i < n; ++i) {
    if (extent[i] < 1 || stride[i] < 0 || (uint32_t)stride[i] > count) return 0;
    hi += (int64_t)(extent[i] - 1) * stride[i];
    if (hi >= (int64_t)count) return 0;
  }
  return 1;
}

static sprat_status check_batch_matmul(const sprat_op_ctx *c, uint8_t type) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_batch_matmul_params)) && c->n_in == 2);
  const sprat_batch_matmul_params *p = (const sprat_batch_matmul_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].present && c->in[1].present && c->in[0].type == type && c->in[1].type == type &&
              c->out[0].type == type);
  const int32_t out_f[5] = {p->batch[0], p->batch[1], p->batch[2], p->rows, p->cols};
  const int64_t n = product(out_f, 5);
  SPRAT_CHECK(n > 0 && c->out[0].count == (uint32_t)n && p->depth >= 1);
  const int32_t lhs_e[5] = {p->batch[0], p->batch[1], p->batch[2], p->rows, p->depth};
  const int32_t lhs_s[5] = {p->lhs_batch_strides[0], p->lhs_batch_strides[1], p->lhs_batch_strides[2],
                            p->lhs_row_stride, p->lhs_depth_stride};
  const int32_t rhs_e[5] = {p->batch[0], p->batch[1], p->batch[2], p->depth, p->cols};
  const int32_t rhs_s[5] = {p->rhs_batch_strides[0], p->rhs_batch_strides[1], p->rhs_batch_strides[2],
                            p->rhs_depth_stride, p->rhs_col_stride};
  SPRAT_CHECK(walk_within(lhs_e, lhs_s, 5, c->in[0].count) && walk_within(rhs_e, rhs_s, 5, c->in[1].count));
  SPRAT_CHECK(sprat_multiplier_ok(p->multiplier) && p->act_min <= p->act_max);
  if (type == SPRAT_INT8) {
    SPRAT_CHECK(sprat_shift_ok(p->shift) && sprat_zero_point_ok(-p->lhs_offset) && sprat_zero_point_ok(-p->rhs_offset));
    SPRAT_CHECK(sprat_zero_point_ok(p->output_offset) && p->act_min >= -128 && p->act_max <= 127);
  } else {
    // int16: symmetric, as TFLite requires; the 64-bit requantization
    // shifts left by at most 7.
    SPRAT_CHECK(p->shift >= -31 && p->shift <= 7 && p->lhs_offset == 0 && p->rhs_offset == 0 && p->output_offset == 0);
    SPRAT_CHECK(p->act_min >= -32768 && p->act_max <= 32767);
  }
  return SPRAT_OK;
}

static sprat_status check_batch_matmul_s8(const sprat_op_ctx *c) { return check_batch_matmul(c, SPRAT_INT8); }
static sprat_status check_batch_matmul_s16(const sprat_op_ctx *c) { return check_batch_matmul(c, SPRAT_INT16); }

static void run_batch_matmul_s8(const sprat_layer *l) {
  sprat_batch_matmul_s8((const sprat_batch_matmul_params *)l->params, (const int8_t *)l->data[0],
                        (const int8_t *)l->data[1], (int8_t *)l->data[2]);
}

static void run_batch_matmul_s16(const sprat_layer *l) {
  sprat_batch_matmul_s16((const sprat_batch_matmul_params *)l->params, (const int16_t *)(const void *)l->data[0],
                         (const int16_t *)(const void *)l->data[1], (int16_t *)(void *)l->data[2]);
}

const sprat_op_registration sprat_op_gather_rt = {SPRAT_OP_GATHER_RT, "GATHER_RT", check_gather_rt, run_gather_rt};
const sprat_op_registration sprat_op_gather_nd = {SPRAT_OP_GATHER_ND, "GATHER_ND", check_gather_nd, run_gather_nd};
const sprat_op_registration sprat_op_embedding_hybrid = {SPRAT_OP_EMBEDDING_LOOKUP_HYBRID, "EMBEDDING_LOOKUP_HYBRID",
                                                         check_embedding_hybrid, run_embedding_hybrid};
const sprat_op_registration sprat_op_dynamic_update_slice = {SPRAT_OP_DYNAMIC_UPDATE_SLICE, "DYNAMIC_UPDATE_SLICE",
                                                             check_dynamic_update_slice, run_dynamic_update_slice};
const sprat_op_registration sprat_op_broadcast_args = {SPRAT_OP_BROADCAST_ARGS, "BROADCAST_ARGS", check_broadcast_args,
                                                       run_broadcast_args};
const sprat_op_registration sprat_op_batch_matmul = {SPRAT_OP_BATCH_MATMUL, "BATCH_MATMUL", check_batch_matmul_s8,
                                                     run_batch_matmul_s8};
const sprat_op_registration sprat_op_batch_matmul_s16 = {SPRAT_OP_BATCH_MATMUL_S16, "BATCH_MATMUL_S16",
                                                         check_batch_matmul_s16, run_batch_matmul_s16};
