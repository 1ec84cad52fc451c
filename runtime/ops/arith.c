// The arith family (converter/ops/arith.py): DIV, FLOOR_DIV, FLOOR_MOD,
// SQUARED_DIFFERENCE, MAXIMUM/MINIMUM on unquantized values and int16 (one
// typed op, ARITH_BINARY), FLOOR/CEIL/ROUND/SQUARE (ARITH_UNARY, float32),
// DIV and SQUARED_DIFFERENCE int8, SQUARED_DIFFERENCE int16, ADD_N.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static int binary_fits(const sprat_op_ctx *c, uint8_t type, const sprat_broadcast *bc) {
  const sprat_tview *a = &c->in[0], *b = &c->in[1], *o = &c->out[0];
  return c->n_in == 2 && a->present && b->present && a->type == type && b->type == type && o->type == type &&
         sprat_broadcast_fits(bc, a->count, b->count, o->count);
}

// The (op, type) pairs the converter emits; the kernel has a defined
// result for each.
static int arith_pair_ok(int32_t op, int32_t type) {
  switch (op) {
    case SPRAT_ARITH_DIV:
    case SPRAT_ARITH_SQUARED_DIFFERENCE:
    case SPRAT_ARITH_ADD:
    case SPRAT_ARITH_SUB:
    case SPRAT_ARITH_MUL:
      return type == SPRAT_INT32 || type == SPRAT_FLOAT32;
    case SPRAT_ARITH_FLOOR_DIV:
      return type == SPRAT_INT8 || type == SPRAT_INT16 || type == SPRAT_INT32 || type == SPRAT_FLOAT32;
    case SPRAT_ARITH_FLOOR_MOD:
    case SPRAT_ARITH_MAXIMUM:
    case SPRAT_ARITH_MINIMUM:
      return type == SPRAT_INT8 || type == SPRAT_INT16 || type == SPRAT_INT32 || type == SPRAT_INT64 ||
             type == SPRAT_FLOAT32;
    default:
      return 0;
  }
}

static sprat_status check_arith(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_arith_params)));
  const sprat_arith_params *p = (const sprat_arith_params *)(const void *)c->params;
  SPRAT_CHECK(arith_pair_ok(p->op, p->type));
  SPRAT_CHECK(binary_fits(c, (uint8_t)p->type, &p->bc));
  SPRAT_CHECK(p->act_min <= p->act_max);
  return SPRAT_OK;
}

static void run_arith(const sprat_layer *l) {
  sprat_arith_binary((const sprat_arith_params *)(const void *)l->params, l->data[0], l->data[1], l->data[2]);
}

static sprat_status check_arith_unary(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_arith_unary_params)) && c->n_in == 1);
  const sprat_arith_unary_params *p = (const sprat_arith_unary_params *)(const void *)c->params;
  SPRAT_CHECK(p->op >= SPRAT_ARITH_FLOOR && p->op <= SPRAT_ARITH_SQUARE && p->count >= 0);
  SPRAT_CHECK(sprat_is(&c->in[0], SPRAT_FLOAT32, (uint32_t)p->count));
  SPRAT_CHECK(c->out[0].type == SPRAT_FLOAT32 && c->out[0].count == (uint32_t)p->count);
  return SPRAT_OK;
}

static void run_arith_unary(const sprat_layer *l) {
  sprat_arith_unary_f32((const sprat_arith_unary_params *)(const void *)l->params, (const float *)l->data[0],
                        (float *)l->data[1]);
}

static int offset_ok(int32_t offset) { return offset >= -127 && offset <= 128; }  // -(an int8 zero point)

// e = reciprocal bits (0..7) + headroom (23..31) - output_shift must stay in
// [0, 63], where the kernel reproduces TFLite's rounding shift; a zero
// divisor's reciprocal counts -1 bits.
static sprat_status check_div_s8(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_div_params)));
  const sprat_div_params *p = (const sprat_div_params *)(const void *)c->params;
  SPRAT_CHECK(binary_fits(c, SPRAT_INT8, &p->bc));
  SPRAT_CHECK(offset_ok(p->input1_offset) && offset_ok(p->input2_offset) && sprat_zero_point_ok(p->output_offset));
  SPRAT_CHECK(sprat_multiplier_ok(p->output_multiplier) && p->output_shift >= -25 && p->output_shift <= 22);
  SPRAT_CHECK(p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127);
  return SPRAT_OK;
}

static void run_div_s8(const sprat_layer *l) {
  sprat_div_s8((const sprat_div_params *)(const void *)l->params, (const int8_t *)l->data[0],
               (const int8_t *)l->data[1], (int8_t *)l->data[2]);
}

// A multiplier of at most 1/2 (TFLite's input multipliers s / (2 max s)).
static int half_ok(int32_t multiplier, int32_t shift) {
  return multiplier >= 0 && shift >= -31 && (shift < 0 || (shift == 0 && multiplier <= (1 << 30)));
}

static sprat_status check_squared_difference(const sprat_op_ctx *c, uint8_t type) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_squared_difference_params)));
  const sprat_squared_difference_params *p = (const sprat_squared_difference_params *)(const void *)c->params;
  SPRAT_CHECK(binary_fits(c, type, &p->bc));
  if (type == SPRAT_INT8) {
    SPRAT_CHECK(p->left_shift == 7 && offset_ok(p->input1_offset) && offset_ok(p->input2_offset) &&
                sprat_zero_point_ok(p->output_offset));
  } else {
    SPRAT_CHECK(p->left_shift == 0 && p->input1_offset == 0 && p->input2_offset == 0 && p->output_offset == 0);
  }
  SPRAT_CHECK(half_ok(p->input1_multiplier, p->input1_shift) && half_ok(p->input2_multiplier, p->input2_shift));
  SPRAT_CHECK(sprat_multiplier_ok(p->output_multiplier) && sprat_shift_ok(p->output_shift));
  return SPRAT_OK;
}

static sprat_status check_squared_difference_s8(const sprat_op_ctx *c) { return check_squared_difference(c, SPRAT_INT8); }
static sprat_status check_squared_difference_s16(const sprat_op_ctx *c) {
  return check_squared_difference(c, SPRAT_INT16);
}

static void run_squared_difference_s8(const sprat_layer *l) {
  sprat_squared_difference_s8((const sprat_squared_difference_params *)(const void *)l->params,
                              (const int8_t *)l->data[0], (const int8_t *)l->data[1], (int8_t *)l->data[2]);
}

static void run_squared_difference_s16(const sprat_layer *l) {
  sprat_squared_difference_s16((const sprat_squared_difference_params *)(const void *)l->params,
                               (const int16_t *)l->data[0], (const int16_t *)l->data[1], (int16_t *)l->data[2]);
}

// Every input present, of the type and count; the output too.
static int inputs_are(const sprat_op_ctx *c, int32_t n_inputs, uint8_t type, int32_t count) {
  if (n_inputs < 2 || (uint32_t)n_inputs != c->n_in || count < 0) return 0;
  for (uint32_t i = 0; i < c->n_in; ++i)
    if (!sprat_is(&c->in[i], type, (uint32_t)count)) return 0;
  return c->out[0].type == type && c->out[0].count == (uint32_t)count;
}

// ADD_N int8: the start and at most 14 inputs, each a 9-bit value shifted
// by 20 and halved (below 2^27): the int32 sum wraps only for a crafted
// record, and wraps defined there.
static sprat_status check_add_n_s8(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_add_n_s8_params)));
  const sprat_add_n_s8_params *p = (const sprat_add_n_s8_params *)(const void *)c->params;
  SPRAT_CHECK(inputs_are(c, p->n_inputs, SPRAT_INT8, p->count));
  SPRAT_CHECK(p->left_shift == 20 && offset_ok(p->input_offset) && sprat_zero_point_ok(p->output_offset));
  SPRAT_CHECK(half_ok(p->input_multiplier, p->input_shift));
  SPRAT_CHECK(sprat_multiplier_ok(p->output_multiplier) && sprat_shift_ok(p->output_shift));
  return SPRAT_OK;
}

static void run_add_n_s8(const sprat_layer *l) {
  const sprat_add_n_s8_params *p = (const sprat_add_n_s8_params *)(const void *)l->params;
  sprat_add_n_s8(p, l->data, (int8_t *)l->data[p->n_inputs]);
}

static sprat_status check_add_n(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_add_n_params)));
  const sprat_add_n_params *p = (const sprat_add_n_params *)(const void *)c->params;
  SPRAT_CHECK(p->type == SPRAT_FLOAT32 || p->type == SPRAT_INT32);
  SPRAT_CHECK(inputs_are(c, p->n_inputs, (uint8_t)p->type, p->count));
  return SPRAT_OK;
}

static void run_add_n(const sprat_layer *l) {
  const sprat_add_n_params *p = (const sprat_add_n_params *)(const void *)l->params;
  sprat_add_n(p, l->data, l->data[p->n_inputs]);
}

const sprat_op_registration sprat_op_arith = {SPRAT_OP_ARITH, "ARITH", check_arith, run_arith};
const sprat_op_registration sprat_op_arith_unary = {SPRAT_OP_ARITH_UNARY, "ARITH_UNARY", check_arith_unary,
                                                    run_arith_unary};
const sprat_op_registration sprat_op_div_s8 = {SPRAT_OP_DIV, "DIV", check_div_s8, run_div_s8};
const sprat_op_registration sprat_op_squared_difference_s8 = {
    SPRAT_OP_SQUARED_DIFFERENCE, "SQUARED_DIFFERENCE", check_squared_difference_s8, run_squared_difference_s8};
const sprat_op_registration sprat_op_squared_difference_s16 = {
    SPRAT_OP_SQUARED_DIFFERENCE_S16, "SQUARED_DIFFERENCE_S16", check_squared_difference_s16,
    run_squared_difference_s16};
const sprat_op_registration sprat_op_add_n_s8 = {SPRAT_OP_ADD_N, "ADD_N", check_add_n_s8, run_add_n_s8};
const sprat_op_registration sprat_op_add_n = {SPRAT_OP_ADD_N_TYPED, "ADD_N_TYPED", check_add_n, run_add_n};
