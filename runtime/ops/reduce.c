// MEAN, REDUCE_MAX, ARG_MAX and ARG_MIN over the middle axis of an [outer, reduced, inner] view.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static int view_ok(int32_t outer, int32_t reduced, int32_t inner, uint32_t in_count, uint32_t out_count) {
  if (outer < 1 || reduced < 1 || inner < 1) return 0;
  // Stepwise, each product bounded first: no int64 overflow either.
  const int64_t outer_reduced = (int64_t)outer * reduced;
  if (outer_reduced > (int64_t)in_count) return 0;
  return outer_reduced * inner == (int64_t)in_count && (int64_t)outer * inner == (int64_t)out_count;
}

static sprat_status check_mean(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_mean_params)) && c->n_in == 1);
  const sprat_mean_params *p = (const sprat_mean_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].present && c->in[0].type == SPRAT_INT8 && c->out[0].type == SPRAT_INT8);
  SPRAT_CHECK(view_ok(p->outer, p->reduced, p->inner, c->in[0].count, c->out[0].count));
  SPRAT_CHECK(p->reduced <= (1 << 23) && sprat_shift_ok(p->shift) && sprat_multiplier_ok(p->multiplier));
  SPRAT_CHECK(p->input_zero_point >= -128 && p->input_zero_point <= 127);
  SPRAT_CHECK(p->output_zero_point >= -128 && p->output_zero_point <= 127);
  return SPRAT_OK;
}

static void run_mean(const sprat_layer *l) {
  sprat_mean_s8((const sprat_mean_params *)(const void *)l->params, (const int8_t *)l->data[0],
                (int8_t *)l->data[1]);
}

static sprat_status check_arg_max(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_arg_max_params)) && c->n_in == 1);
  const sprat_arg_max_params *p = (const sprat_arg_max_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].present && c->in[0].type == p->input_type);
  SPRAT_CHECK(p->input_type == SPRAT_INT8 || p->input_type == SPRAT_FLOAT32);
  SPRAT_CHECK(c->out[0].type == (p->output_is_int64 ? SPRAT_INT64 : SPRAT_INT32));
  SPRAT_CHECK(view_ok(p->outer, p->reduced, p->inner, c->in[0].count, c->out[0].count));
  return SPRAT_OK;
}

static void run_arg_max(const sprat_layer *l) {
  sprat_arg_max((const sprat_arg_max_params *)(const void *)l->params, l->data[0], l->data[1]);
}

// ARG_MIN: ARG_MAX's record and checks.
static void run_arg_min(const sprat_layer *l) {
  sprat_arg_min((const sprat_arg_max_params *)(const void *)l->params, l->data[0], l->data[1]);
}

static sprat_status check_reduce_max(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_reduce_params)) && c->n_in == 1);
  const sprat_reduce_params *p = (const sprat_reduce_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].present && c->in[0].type == SPRAT_INT8 && c->out[0].type == SPRAT_INT8);
  SPRAT_CHECK(view_ok(p->outer, p->reduced, p->inner, c->in[0].count, c->out[0].count));
  return SPRAT_OK;
}

static void run_reduce_max(const sprat_layer *l) {
  sprat_reduce_max_s8((const sprat_reduce_params *)(const void *)l->params, (const int8_t *)l->data[0],
                      (int8_t *)l->data[1]);
}

const sprat_op_registration sprat_op_reduce_max = {SPRAT_OP_REDUCE_MAX, "REDUCE_MAX", check_reduce_max, run_reduce_max};
const sprat_op_registration sprat_op_mean = {SPRAT_OP_MEAN, "MEAN", check_mean, run_mean};
const sprat_op_registration sprat_op_arg_max = {SPRAT_OP_ARG_MAX, "ARG_MAX", check_arg_max, run_arg_max};
const sprat_op_registration sprat_op_arg_min = {SPRAT_OP_ARG_MIN, "ARG_MIN", check_arg_max, run_arg_min};

// MEAN int16: zero points 0 (as TFLite requires); an int32 sum of at most
// 2^16 values.
static sprat_status check_mean_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_mean_params)) && c->n_in == 1);
  const sprat_mean_params *p = (const sprat_mean_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].present && c->in[0].type == SPRAT_INT16 && c->out[0].type == SPRAT_INT16);
  SPRAT_CHECK(view_ok(p->outer, p->reduced, p->inner, c->in[0].count, c->out[0].count));
  SPRAT_CHECK(p->reduced <= (1 << 16) && sprat_shift_ok(p->shift) && sprat_multiplier_ok(p->multiplier));
  SPRAT_CHECK(p->input_zero_point == 0 && p->output_zero_point == 0);
  return SPRAT_OK;
}

static void run_mean_s16(const sprat_layer *l) {
  sprat_mean_s16((const sprat_mean_params *)(const void *)l->params, (const int16_t *)l->data[0],
                 (int16_t *)l->data[1]);
}

const sprat_op_registration sprat_op_mean_s16 = {SPRAT_OP_MEAN_S16, "MEAN_S16", check_mean_s16, run_mean_s16};
