// AVERAGE_POOL_2D and MAX_POOL_2D.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static sprat_status check(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_pool_params)) && c->n_in == 1);
  const sprat_pool_params *p = (const sprat_pool_params *)(const void *)c->params;
  const sprat_tview *in = &c->in[0], *out = &c->out[0];
  SPRAT_CHECK(in->present && in->type == SPRAT_INT8 && in->rank == 4 && out->type == SPRAT_INT8 && out->rank == 4);
  SPRAT_CHECK(sprat_shape_is(&p->in, in) && sprat_shape_is(&p->out, out));
  SPRAT_CHECK(p->in.n == p->out.n && p->in.c == p->out.c);
  SPRAT_CHECK(p->stride_h >= 1 && p->stride_w >= 1 && p->filter_h >= 1 && p->filter_w >= 1);
  SPRAT_CHECK(p->filter_h <= 65536 && p->filter_w <= 65536 && p->stride_h <= 65536 && p->stride_w <= 65536);
  // An average's int32 sum of int8 values cannot overflow.
  SPRAT_CHECK((int64_t)p->filter_h * p->filter_w <= (1 << 23));
  SPRAT_CHECK(p->pad_top >= -(1 << 24) && p->pad_top <= (1 << 24) && p->pad_left >= -(1 << 24) && p->pad_left <= (1 << 24));
  SPRAT_CHECK(p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127);
  return SPRAT_OK;
}

static void run_avg(const sprat_layer *l) {
  const sprat_pool_params *p = (const sprat_pool_params *)l->params;
  sprat_avg_pool2d_s8(p, (const int8_t *)l->data[0], (int8_t *)l->data[1], 0, p->out.h);
}

static void run_max(const sprat_layer *l) {
  const sprat_pool_params *p = (const sprat_pool_params *)l->params;
  sprat_max_pool2d_s8(p, (const int8_t *)l->data[0], (int8_t *)l->data[1], 0, p->out.h);
}

const sprat_op_registration sprat_op_average_pool_2d = {SPRAT_OP_AVERAGE_POOL_2D, "AVERAGE_POOL_2D", check, run_avg};
const sprat_op_registration sprat_op_max_pool_2d = {SPRAT_OP_MAX_POOL_2D, "MAX_POOL_2D", check, run_max};

// int16: the same record; an average's sum of at most 2^16 int16 values fits int32.
static sprat_status check_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_pool_params)) && c->n_in == 1);
  const sprat_pool_params *p = (const sprat_pool_params *)(const void *)c->params;
  const sprat_tview *in = &c->in[0], *out = &c->out[0];
  SPRAT_CHECK(in->present && in->type == SPRAT_INT16 && in->rank == 4 && out->type == SPRAT_INT16 && out->rank == 4);
  SPRAT_CHECK(sprat_shape_is(&p->in, in) && sprat_shape_is(&p->out, out));
  SPRAT_CHECK(p->in.n == p->out.n && p->in.c == p->out.c);
  SPRAT_CHECK(p->stride_h >= 1 && p->stride_w >= 1 && p->filter_h >= 1 && p->filter_w >= 1);
  SPRAT_CHECK(p->filter_h <= 65536 && p->filter_w <= 65536 && p->stride_h <= 65536 && p->stride_w <= 65536);
  SPRAT_CHECK((int64_t)p->filter_h * p->filter_w <= (1 << 16));
  SPRAT_CHECK(p->pad_top >= -(1 << 24) && p->pad_top <= (1 << 24) && p->pad_left >= -(1 << 24) && p->pad_left <= (1 << 24));
  SPRAT_CHECK((int64_t)(p->out.h - 1) * p->stride_h <= (1 << 30) && (int64_t)(p->out.w - 1) * p->stride_w <= (1 << 30));
  SPRAT_CHECK(p->act_min >= INT16_MIN && p->act_min <= p->act_max && p->act_max <= INT16_MAX);
  return SPRAT_OK;
}

static void run_avg_s16(const sprat_layer *l) {
  const sprat_pool_params *p = (const sprat_pool_params *)l->params;
  sprat_avg_pool2d_s16(p, (const int16_t *)l->data[0], (int16_t *)l->data[1], 0, p->out.h);
}

static void run_max_s16(const sprat_layer *l) {
  const sprat_pool_params *p = (const sprat_pool_params *)l->params;
  sprat_max_pool2d_s16(p, (const int16_t *)l->data[0], (int16_t *)l->data[1], 0, p->out.h);
}

const sprat_op_registration sprat_op_average_pool_2d_s16 = {SPRAT_OP_AVERAGE_POOL_2D_S16, "AVERAGE_POOL_2D_S16",
                                                            check_s16, run_avg_s16};
const sprat_op_registration sprat_op_max_pool_2d_s16 = {SPRAT_OP_MAX_POOL_2D_S16, "MAX_POOL_2D_S16", check_s16,
                                                        run_max_s16};
