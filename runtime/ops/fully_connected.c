// FULLY_CONNECTED. Inputs: input [batches, depth], filter [units, depth],
// bias (optional in layout PLAIN), multipliers, shifts (1 or `units` each).
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static sprat_status check(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_fc_params)) && c->n_in == 5);
  const sprat_fc_params *p = (const sprat_fc_params *)(const void *)c->params;
  if (!sprat_layout_ok(p->layout)) return SPRAT_ERR_LAYOUT;
  const sprat_tview *in = &c->in[0], *f = &c->in[1], *bias = &c->in[2], *out = &c->out[0];
  SPRAT_CHECK(in->present && in->type == SPRAT_INT8 && f->present && f->type == SPRAT_INT8 && f->rank == 2);
  SPRAT_CHECK(out->type == SPRAT_INT8);
  SPRAT_CHECK(p->units == f->dims[0] && p->depth == f->dims[1] && p->batches >= 1);
  SPRAT_CHECK((int64_t)p->batches * p->depth == in->count && (int64_t)p->batches * p->units == out->count);
  SPRAT_CHECK(p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127);
  SPRAT_CHECK(p->input_offset >= -127 && p->input_offset <= 128 && p->filter_offset >= -127 && p->filter_offset <= 128);
  SPRAT_CHECK(p->output_offset >= -128 && p->output_offset <= 127);
  if (bias->present) SPRAT_CHECK(sprat_is(bias, SPRAT_INT32, (uint32_t)p->units));
  else SPRAT_CHECK(p->layout == SPRAT_LAYOUT_PLAIN);
  if (p->layout != SPRAT_LAYOUT_PLAIN) SPRAT_CHECK(p->filter_offset == 0);
  const uint32_t nq = p->per_channel ? (uint32_t)p->units : 1u;
  SPRAT_CHECK(sprat_is_const(&c->in[3], SPRAT_INT32, nq) && sprat_is_const(&c->in[4], SPRAT_INT32, nq));
  const int32_t *m = (const int32_t *)(const void *)c->in[3].data, *s = (const int32_t *)(const void *)c->in[4].data;
  for (uint32_t i = 0; i < nq; ++i) SPRAT_CHECK(sprat_multiplier_ok(m[i]) && sprat_shift_ok(s[i]));
  return SPRAT_OK;
}

static void run(const sprat_layer *l) {
  sprat_fully_connected_s8((const sprat_fc_params *)l->params, (const int8_t *)l->data[0], (const int8_t *)l->data[1],
                           (const int32_t *)l->data[2], (const int32_t *)l->data[3], (const int32_t *)l->data[4],
                           (int8_t *)l->data[5]);
}

const sprat_op_registration sprat_op_fully_connected = {SPRAT_OP_FULLY_CONNECTED, "FULLY_CONNECTED", check, run};
