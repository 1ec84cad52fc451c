// EQUAL ... LESS_EQUAL (COMPARE), LOGICAL_AND/OR/NOT (LOGICAL), SELECT_V2
// (SELECT), CAST and REDUCE_ALL/REDUCE_ANY (REDUCE_BOOL): records checked
// against their tensors, every walk bounded within them.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static uint32_t elem_size(int32_t type) {
  switch (type) {
    case SPRAT_INT16: return 2;
    case SPRAT_INT32: case SPRAT_FLOAT32: return 4;
    case SPRAT_INT64: return 8;
    default: return 1;
  }
}

static int is_type(int32_t type) { return type >= SPRAT_INT8 && type <= SPRAT_BOOL; }

static sprat_status check_compare(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_compare_params)) && c->n_in == 2);
  const sprat_compare_params *p = (const sprat_compare_params *)(const void *)c->params;
  const sprat_tview *a = &c->in[0], *b = &c->in[1];
  SPRAT_CHECK(a->present && b->present && is_type(p->input_type));
  SPRAT_CHECK(a->type == p->input_type && b->type == p->input_type && c->out[0].type == SPRAT_BOOL);
  SPRAT_CHECK(p->kind >= SPRAT_CMP_EQ && p->kind <= SPRAT_CMP_LE);
  SPRAT_CHECK(p->input_type != SPRAT_BOOL || p->kind <= SPRAT_CMP_NE);
  SPRAT_CHECK(sprat_broadcast_fits(&p->bc, a->count, b->count, c->out[0].count));
  if (p->scaled) {
    // TFLite's shift of 8 and its offsets: (x + offset) << 8 stays within int32.
    SPRAT_CHECK(p->scaled == 1 && p->left_shift == 8);
    int32_t lo = -127, hi = 128;  // int8: minus its zero point
    if (p->input_type == SPRAT_UINT8) lo = -255, hi = 0;
    else if (p->input_type == SPRAT_INT16) lo = -32767, hi = 32768;
    else SPRAT_CHECK(p->input_type == SPRAT_INT8);
    SPRAT_CHECK(p->input1_offset >= lo && p->input1_offset <= hi && p->input2_offset >= lo && p->input2_offset <= hi);
    SPRAT_CHECK(sprat_multiplier_ok(p->input1_multiplier) && sprat_multiplier_ok(p->input2_multiplier));
    SPRAT_CHECK(p->input1_shift >= -31 && p->input1_shift <= 0 && p->input2_shift >= -31 && p->input2_shift <= 0);
  } else {
    SPRAT_CHECK(p->scaled == 0);
  }
  return SPRAT_OK;
}

static void run_compare(const sprat_layer *l) {
  sprat_compare((const sprat_compare_params *)(const void *)l->params, l->data[0], l->data[1],
                (uint8_t *)l->data[2]);
}

static sprat_status check_logical(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_logical_params)));
  const sprat_logical_params *p = (const sprat_logical_params *)(const void *)c->params;
  SPRAT_CHECK(p->kind >= SPRAT_LOGICAL_AND && p->kind <= SPRAT_LOGICAL_NOT);
  const uint32_t n_in = p->kind == SPRAT_LOGICAL_NOT ? 1 : 2;
  SPRAT_CHECK(c->n_in == n_in && c->out[0].type == SPRAT_BOOL);
  for (uint32_t i = 0; i < n_in; ++i) SPRAT_CHECK(c->in[i].present && c->in[i].type == SPRAT_BOOL);
  // NOT reads no second operand: its strides must stay on element 0 of none.
  SPRAT_CHECK(sprat_broadcast_fits(&p->bc, c->in[0].count, n_in == 2 ? c->in[1].count : 1, c->out[0].count));
  return SPRAT_OK;
}

static void run_logical(const sprat_layer *l) {
  const sprat_logical_params *p = (const sprat_logical_params *)(const void *)l->params;
  const int unary = p->kind == SPRAT_LOGICAL_NOT;
  sprat_logical(p, (const uint8_t *)l->data[0], unary ? NULL : (const uint8_t *)l->data[1],
                (uint8_t *)l->data[unary ? 1 : 2]);
}

static sprat_status check_select(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_select_params)) && c->n_in == 3);
  const sprat_select_params *p = (const sprat_select_params *)(const void *)c->params;
  const sprat_tview *cond = &c->in[0], *x = &c->in[1], *y = &c->in[2], *o = &c->out[0];
  SPRAT_CHECK(cond->present && x->present && y->present && cond->type == SPRAT_BOOL);
  SPRAT_CHECK(x->type == o->type && y->type == o->type && (uint32_t)p->elem_size == elem_size(o->type));
  SPRAT_CHECK(sprat_broadcast_fits(&p->bc, x->count, y->count, o->count));
  // The condition's walk, checked as the first operand of the same index space.
  sprat_broadcast cw = p->bc;
  for (int32_t d = 0; d < SPRAT_MAX_DIMS; ++d) cw.in1_strides[d] = p->cond_strides[d];
  SPRAT_CHECK(sprat_broadcast_fits(&cw, cond->count, y->count, o->count));
  return SPRAT_OK;
}

static void run_select(const sprat_layer *l) {
  sprat_select((const sprat_select_params *)(const void *)l->params, (const uint8_t *)l->data[0], l->data[1],
               l->data[2], l->data[3]);
}

static sprat_status check_cast(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_cast_params)) && c->n_in == 1 && c->in[0].present);
  const sprat_cast_params *p = (const sprat_cast_params *)(const void *)c->params;
  // uint32 too (the Signal ops' energies), but never from float32.
  SPRAT_CHECK((is_type(p->input_type) || p->input_type == SPRAT_UINT32) &&
              (is_type(p->output_type) || p->output_type == SPRAT_UINT32));
  SPRAT_CHECK(!(p->input_type == SPRAT_FLOAT32 && p->output_type == SPRAT_UINT32));
  SPRAT_CHECK(c->in[0].type == p->input_type && c->out[0].type == p->output_type);
  SPRAT_CHECK(p->count >= 0 && (uint32_t)p->count == c->in[0].count && (uint32_t)p->count == c->out[0].count);
  return SPRAT_OK;
}

static void run_cast(const sprat_layer *l) {
  sprat_cast((const sprat_cast_params *)(const void *)l->params, l->data[0], l->data[1]);
}

static sprat_status check_reduce_bool(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_reduce_bool_params)) && c->n_in == 1 && c->in[0].present);
  const sprat_reduce_bool_params *p = (const sprat_reduce_bool_params *)(const void *)c->params;
  SPRAT_CHECK(p->any == 0 || p->any == 1);
  SPRAT_CHECK(c->in[0].type == SPRAT_BOOL && c->out[0].type == SPRAT_BOOL);
  SPRAT_CHECK(p->ndim >= 0 && p->ndim <= SPRAT_MAX_DIMS);
  SPRAT_CHECK(p->out_count >= 1 && (uint32_t)p->out_count == c->out[0].count);
  int64_t total = 1, hi = 0;
  for (int32_t d = 0; d < p->ndim; ++d) {
    SPRAT_CHECK(p->dims[d] >= 1 && p->out_strides[d] >= 0 && p->out_strides[d] <= p->out_count);
    total *= p->dims[d];
    SPRAT_CHECK(total <= (int64_t)c->in[0].count);
    hi += (int64_t)(p->dims[d] - 1) * p->out_strides[d];  // each term below 2^62: no overflow
    SPRAT_CHECK(hi < p->out_count);
  }
  SPRAT_CHECK(total == (int64_t)c->in[0].count);
  return SPRAT_OK;
}

static void run_reduce_bool(const sprat_layer *l) {
  sprat_reduce_bool((const sprat_reduce_bool_params *)(const void *)l->params, (const uint8_t *)l->data[0],
                    (uint8_t *)l->data[1]);
}

const sprat_op_registration sprat_op_compare = {SPRAT_OP_COMPARE, "COMPARE", check_compare, run_compare};
const sprat_op_registration sprat_op_logical = {SPRAT_OP_LOGICAL, "LOGICAL", check_logical, run_logical};
const sprat_op_registration sprat_op_select = {SPRAT_OP_SELECT, "SELECT_V2", check_select, run_select};
const sprat_op_registration sprat_op_cast = {SPRAT_OP_CAST, "CAST", check_cast, run_cast};
const sprat_op_registration sprat_op_reduce_bool = {SPRAT_OP_REDUCE_BOOL, "REDUCE_ALL/REDUCE_ANY", check_reduce_bool,
                                                    run_reduce_bool};
