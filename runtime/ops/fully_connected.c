// FULLY_CONNECTED. Inputs: input [batches, depth], filter [units, depth],
// bias (optional in layout PLAIN), multipliers, shifts (1 or `units` each).
#include <string.h>

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
  // TFLM's rounding is the portable kernel's alone.
  if (p->flags & SPRAT_FC_DOUBLE_ROUNDING) SPRAT_CHECK(p->layout == SPRAT_LAYOUT_PLAIN);
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

// ---- int16 activations, int8 weights (16x8) --------------------------------
// Inputs: input, filter [units, depth], bias? (int64, or int32 with
// SPRAT_CONV_BIAS32), scales (1 or `units` doubles, stored as int64 words:
// LiteRT requantizes in double; with SPRAT_FC_FIXED_POINT, TFLM's way, as
// many (multiplier, shift) int32 pairs, by sprat_mbqm64, or sprat_mbqm with
// an int32 bias). Layout PLAIN, zero points 0.
static sprat_status check_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_fc_params)) && c->n_in == 4);
  const sprat_fc_params *p = (const sprat_fc_params *)(const void *)c->params;
  const sprat_tview *in = &c->in[0], *f = &c->in[1], *bias = &c->in[2], *out = &c->out[0];
  SPRAT_CHECK(p->layout == SPRAT_LAYOUT_PLAIN && (p->flags & ~(SPRAT_CONV_BIAS32 | SPRAT_FC_FIXED_POINT)) == 0);
  const int fixed = (p->flags & SPRAT_FC_FIXED_POINT) != 0;
  SPRAT_CHECK(in->present && in->type == SPRAT_INT16 && f->present && f->type == SPRAT_INT8 && f->rank == 2);
  SPRAT_CHECK(out->type == SPRAT_INT16);
  SPRAT_CHECK(p->units == f->dims[0] && p->depth == f->dims[1] && p->batches >= 1);
  SPRAT_CHECK((int64_t)p->batches * p->depth == in->count && (int64_t)p->batches * p->units == out->count);
  SPRAT_CHECK(p->act_min >= INT16_MIN && p->act_min <= p->act_max && p->act_max <= INT16_MAX);
  SPRAT_CHECK(p->input_offset == 0 && p->filter_offset == 0 && p->output_offset == 0);
  SPRAT_CHECK(p->per_channel == 0 || p->per_channel == 1);
  const int bias32 = (p->flags & SPRAT_CONV_BIAS32) != 0;
  if (bias->present) SPRAT_CHECK(sprat_is(bias, bias32 ? SPRAT_INT32 : SPRAT_INT64, (uint32_t)p->units));
  const uint32_t nq = p->per_channel ? (uint32_t)p->units : 1u;
  if (fixed) {
    SPRAT_CHECK(sprat_is_const(&c->in[3], SPRAT_INT32, 2 * nq));
    const int32_t *ms = (const int32_t *)(const void *)c->in[3].data;
    // sprat_mbqm64 shifts right by 15 - shift (sprat_mbqm, with an int32 bias, takes any valid shift).
    for (uint32_t i = 0; i < nq; ++i)
      SPRAT_CHECK(sprat_multiplier_ok(ms[2 * i]) && sprat_shift_ok(ms[2 * i + 1]) && (bias32 || ms[2 * i + 1] <= 7));
    return SPRAT_OK;
  }
  SPRAT_CHECK(sprat_is_const(&c->in[3], SPRAT_INT64, nq));
  for (uint32_t i = 0; i < nq; ++i) {
    double s;
    memcpy(&s, c->in[3].data + 8 * i, sizeof s);
    SPRAT_CHECK(s >= 0.0 && s <= 1e30);  // finite, not NaN
  }
  return SPRAT_OK;
}

static void run_s16(const sprat_layer *l) {
  sprat_fully_connected_s16((const sprat_fc_params *)l->params, (const int16_t *)l->data[0],
                            (const int8_t *)l->data[1], l->data[2], l->data[3],
                            (int16_t *)l->data[4]);
}

const sprat_op_registration sprat_op_fully_connected_s16 = {SPRAT_OP_FULLY_CONNECTED_S16, "FULLY_CONNECTED_S16",
                                                            check_s16, run_s16};
