// FULLY_CONNECTED. Inputs: input [batches, depth], filter [units, depth],
// bias (optional), multipliers, shifts (1 or `units` each).
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static sprat_status check(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_fc_params)) && c->n_in == 5);
  const sprat_fc_params *p = (const sprat_fc_params *)(const void *)c->params;
  const sprat_tview *in = &c->in[0], *f = &c->in[1], *bias = &c->in[2], *out = &c->out[0];
  SPRAT_CHECK(in->present && in->type == SPRAT_INT8 && f->present && f->type == SPRAT_INT8 && f->rank == 2);
  SPRAT_CHECK(out->type == SPRAT_INT8);
  const int32_t units = f->dims[0], depth = f->dims[1];
  SPRAT_CHECK(in->count % (uint32_t)depth == 0);
  const uint32_t batches = in->count / (uint32_t)depth;
  SPRAT_CHECK(out->count == batches * (uint32_t)units);
  SPRAT_CHECK(p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127);
  SPRAT_CHECK(p->input_offset >= -127 && p->input_offset <= 128 && p->filter_offset >= -127 && p->filter_offset <= 128);
  if (bias->present) SPRAT_CHECK(sprat_is(bias, SPRAT_INT32, (uint32_t)units));
  const uint32_t nq = p->per_channel ? (uint32_t)units : 1u;
  SPRAT_CHECK(sprat_is(&c->in[3], SPRAT_INT32, nq) && sprat_is(&c->in[4], SPRAT_INT32, nq));
  const int32_t *m = (const int32_t *)(const void *)c->in[3].data, *s = (const int32_t *)(const void *)c->in[4].data;
  for (uint32_t i = 0; i < nq; ++i) SPRAT_CHECK(sprat_multiplier_ok(m[i]) && sprat_shift_ok(s[i]));
  return SPRAT_OK;
}

static void run(const sprat_op_ctx *c) {
  const sprat_fc_params *p = (const sprat_fc_params *)(const void *)c->params;
  const int32_t units = c->in[1].dims[0], depth = c->in[1].dims[1];
  sprat_fully_connected_s8(p, (int32_t)(c->in[0].count / (uint32_t)depth), depth, units, (const int8_t *)c->in[0].data,
                           (const int8_t *)c->in[1].data, (const int32_t *)(const void *)c->in[2].data,
                           (const int32_t *)(const void *)c->in[3].data, (const int32_t *)(const void *)c->in[4].data,
                           (int8_t *)c->out[0].data);
}

const sprat_op_registration sprat_op_fully_connected = {SPRAT_OP_FULLY_CONNECTED, "FULLY_CONNECTED", check, run};
