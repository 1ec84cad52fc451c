// SVDF. Inputs: input [batches, input_size], feature weights [filters,
// input_size], time weights [filters, memory], bias (optional, [units]), the
// activation state [batches, filters * memory] (a STATE tensor: this op
// updates it in place, invoke after invoke); scratch for the kernel.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static sprat_status check(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_svdf_params)) && c->n_in == 5 && c->n_scratch == 1);
  const sprat_svdf_params *p = (const sprat_svdf_params *)(const void *)c->params;
  const sprat_tview *in = &c->in[0], *wf = &c->in[1], *wt = &c->in[2], *bias = &c->in[3], *state = &c->in[4];
  SPRAT_CHECK(p->batches >= 1 && p->input_size >= 1 && p->filters >= 1 && p->memory >= 1 && p->rank >= 1);
  SPRAT_CHECK(p->filters % p->rank == 0);
  const int64_t units = p->filters / p->rank;
  const uint8_t st = p->state_is_int8 ? SPRAT_INT8 : SPRAT_INT16;
  SPRAT_CHECK(in->present && in->type == SPRAT_INT8 && (int64_t)p->batches * p->input_size == in->count);
  SPRAT_CHECK(c->out[0].type == SPRAT_INT8 && (int64_t)p->batches * units == c->out[0].count);
  SPRAT_CHECK(sprat_product4(p->filters, p->input_size, 1, 1) == wf->count && sprat_is_const(wf, SPRAT_INT8, wf->count));
  SPRAT_CHECK(sprat_product4(p->filters, p->memory, 1, 1) == wt->count && sprat_is_const(wt, st, wt->count));
  if (bias->present) SPRAT_CHECK(sprat_is_const(bias, SPRAT_INT32, (uint32_t)units));
  // The state: written in place, so never a constant of the blob.
  SPRAT_CHECK(state->present && !state->is_const && state->type == st);
  SPRAT_CHECK(sprat_product4(p->batches, p->filters, p->memory, 1) == state->count);
  const int64_t scratch = (int64_t)p->batches * (p->filters + units) * 4;
  SPRAT_CHECK(c->scratch[0].bytes >= scratch);
  SPRAT_CHECK(p->input_offset >= -127 && p->input_offset <= 128 && p->output_offset >= -128 && p->output_offset <= 127);
  SPRAT_CHECK(p->state_is_int8 ? sprat_zero_point_ok(p->state_zero_point) : p->state_zero_point == 0);
  SPRAT_CHECK(sprat_multiplier_ok(p->feature_multiplier) && sprat_shift_ok(p->feature_shift));
  SPRAT_CHECK(sprat_multiplier_ok(p->output_multiplier) && sprat_shift_ok(p->output_shift));
  return SPRAT_OK;
}

static void run(const sprat_layer *l) {
  sprat_svdf_s8((const sprat_svdf_params *)l->params, (const int8_t *)l->data[0], (const int8_t *)l->data[1],
                l->data[2], (const int32_t *)l->data[3], l->data[4], (int8_t *)l->data[5], l->data[6]);
}

const sprat_op_registration sprat_op_svdf = {SPRAT_OP_SVDF, "SVDF", check, run};
