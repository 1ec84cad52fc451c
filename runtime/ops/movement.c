// COPY (RESHAPE, TRANSPOSE, STRIDED_SLICE, one input of CONCATENATION),
// PAD, RESIZE_NEAREST_NEIGHBOR: data movement, checked walk by walk.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static uint32_t elem_size(uint8_t type) {
  switch (type) {
    case SPRAT_INT16: return 2;
    case SPRAT_INT32: case SPRAT_FLOAT32: return 4;
    case SPRAT_INT64: return 8;
    case SPRAT_UINT32: return 4;
    case SPRAT_UINT64: return 8;
    default: return 1;
  }
}

static sprat_status check_copy(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_copy_params)) && c->n_in == 1 && c->in[0].present);
  const sprat_copy_params *p = (const sprat_copy_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].type == c->out[0].type && (uint32_t)p->elem_size == elem_size(c->in[0].type));
  SPRAT_CHECK(sprat_copy_fits(p, c->in[0].count, c->out[0].count));
  return SPRAT_OK;
}

static void run_copy(const sprat_layer *l) {
  sprat_strided_copy((const sprat_copy_params *)(const void *)l->params, l->data[0], l->data[1]);
}

static sprat_status check_pad(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_pad_params)) && c->n_in == 1 && c->in[0].present);
  const sprat_pad_params *p = (const sprat_pad_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].type == c->out[0].type && (uint32_t)p->copy.elem_size == elem_size(c->in[0].type));
  SPRAT_CHECK(p->count >= 0 && (uint32_t)p->count == c->out[0].count);
  SPRAT_CHECK(sprat_copy_fits(&p->copy, c->in[0].count, c->out[0].count));
  return SPRAT_OK;
}

static void run_pad(const sprat_layer *l) {
  const sprat_pad_params *p = (const sprat_pad_params *)(const void *)l->params;
  sprat_fill(p->count, p->copy.elem_size, p->value, l->data[1]);
  sprat_strided_copy(&p->copy, l->data[0], l->data[1]);
}

// RESIZE_NEAREST_NEIGHBOR: int8 (RESIZE_NEAREST) or int16 (RESIZE_NEAREST_S16),
// the same record and source tables.
static sprat_status check_resize_of(const sprat_op_ctx *c, uint8_t type) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_resize_params)) && c->n_in == 3);
  const sprat_resize_params *p = (const sprat_resize_params *)(const void *)c->params;
  SPRAT_CHECK(p->batches >= 1 && p->in_h >= 1 && p->in_w >= 1 && p->channels >= 1 && p->out_h >= 1 && p->out_w >= 1);
  const int64_t n_in = sprat_product4(p->batches, p->in_h, p->in_w, p->channels);
  const int64_t n_out = sprat_product4(p->batches, p->out_h, p->out_w, p->channels);
  SPRAT_CHECK(n_in > 0 && n_out > 0);
  SPRAT_CHECK(c->in[0].present && c->in[0].type == type && c->in[0].count == n_in);
  SPRAT_CHECK(c->out[0].type == type && c->out[0].count == n_out);
  // Constants, checked once, here.
  SPRAT_CHECK(sprat_is_const(&c->in[1], SPRAT_INT32, (uint32_t)p->out_h) &&
              sprat_is_const(&c->in[2], SPRAT_INT32, (uint32_t)p->out_w));
  const int32_t *ys = (const int32_t *)(const void *)c->in[1].data, *xs = (const int32_t *)(const void *)c->in[2].data;
  for (int32_t i = 0; i < p->out_h; ++i) SPRAT_CHECK(ys[i] >= 0 && ys[i] < p->in_h);
  for (int32_t i = 0; i < p->out_w; ++i) SPRAT_CHECK(xs[i] >= 0 && xs[i] < p->in_w);
  return SPRAT_OK;
}

static sprat_status check_resize(const sprat_op_ctx *c) { return check_resize_of(c, SPRAT_INT8); }
static sprat_status check_resize_nearest_s16(const sprat_op_ctx *c) { return check_resize_of(c, SPRAT_INT16); }

static void run_resize_nearest_s16(const sprat_layer *l) {
  sprat_resize_nearest_s16((const sprat_resize_params *)(const void *)l->params,
                           (const int32_t *)(const void *)l->data[1], (const int32_t *)(const void *)l->data[2],
                           (const int16_t *)(const void *)l->data[0], (int16_t *)(void *)l->data[3]);
}

static void run_resize(const sprat_layer *l) {
  sprat_resize_nearest_s8((const sprat_resize_params *)(const void *)l->params,
                          (const int32_t *)(const void *)l->data[1], (const int32_t *)(const void *)l->data[2],
                          (const int8_t *)l->data[0], (int8_t *)l->data[3]);
}

static sprat_status check_gather(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_gather_params)) && c->n_in == 2 && c->in[0].present);
  const sprat_gather_params *p = (const sprat_gather_params *)(const void *)c->params;
  SPRAT_CHECK(p->outer >= 1 && p->axis_size >= 1 && p->inner_bytes >= 1 && p->n_indices >= 1);
  SPRAT_CHECK(c->in[0].type == c->out[0].type);
  SPRAT_CHECK(sprat_product4(p->outer, p->axis_size, p->inner_bytes, 1) == (int64_t)c->in[0].bytes);
  SPRAT_CHECK(sprat_product4(p->outer, p->n_indices, p->inner_bytes, 1) == (int64_t)c->out[0].bytes);
  // Indices are constants: checked once, here.
  SPRAT_CHECK(sprat_is_const(&c->in[1], SPRAT_INT32, (uint32_t)p->n_indices));
  const int32_t *idx = (const int32_t *)(const void *)c->in[1].data;
  for (int32_t k = 0; k < p->n_indices; ++k) SPRAT_CHECK(idx[k] >= 0 && idx[k] < p->axis_size);
  return SPRAT_OK;
}

static void run_gather(const sprat_layer *l) {
  sprat_gather((const sprat_gather_params *)(const void *)l->params, (const int32_t *)(const void *)l->data[1],
               l->data[0], l->data[2]);
}

const sprat_op_registration sprat_op_gather = {SPRAT_OP_GATHER, "GATHER", check_gather, run_gather};
const sprat_op_registration sprat_op_copy = {SPRAT_OP_COPY, "COPY", check_copy, run_copy};
const sprat_op_registration sprat_op_pad = {SPRAT_OP_PAD, "PAD", check_pad, run_pad};
const sprat_op_registration sprat_op_resize_nearest = {SPRAT_OP_RESIZE_NEAREST, "RESIZE_NEAREST_NEIGHBOR", check_resize, run_resize};
const sprat_op_registration sprat_op_resize_nearest_s16 = {SPRAT_OP_RESIZE_NEAREST_S16, "RESIZE_NEAREST_S16",
                                                           check_resize_nearest_s16, run_resize_nearest_s16};
