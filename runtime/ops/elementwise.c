// ADD (and SUB), MUL, MAXIMUM/MINIMUM and PRELU, int8 (PRELU also int16), with broadcasting.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static int binary_tensors_ok(const sprat_op_ctx *c, const sprat_broadcast *bc) {
  const sprat_tview *a = &c->in[0], *b = &c->in[1], *o = &c->out[0];
  return c->n_in == 2 && a->present && b->present && a->type == SPRAT_INT8 && b->type == SPRAT_INT8 &&
         o->type == SPRAT_INT8 && sprat_broadcast_fits(bc, a->count, b->count, o->count);
}

static sprat_status check_add(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_add_params)));
  const sprat_add_params *p = (const sprat_add_params *)(const void *)c->params;
  SPRAT_CHECK(binary_tensors_ok(c, &p->bc));
  SPRAT_CHECK(p->left_shift >= 0 && p->left_shift <= 20);
  SPRAT_CHECK(sprat_shift_ok(p->input1_shift) && sprat_shift_ok(p->input2_shift) && sprat_shift_ok(p->output_shift));
  SPRAT_CHECK(p->input1_offset >= -127 && p->input1_offset <= 128 && p->input2_offset >= -127 && p->input2_offset <= 128);
  SPRAT_CHECK(sprat_zero_point_ok(p->output_offset));
  SPRAT_CHECK(p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127);
  return SPRAT_OK;
}

static void run_add(const sprat_layer *l) {
  sprat_add_s8((const sprat_add_params *)(const void *)l->params, (const int8_t *)l->data[0],
               (const int8_t *)l->data[1], (int8_t *)l->data[2]);
}

static sprat_status check_mul(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_mul_params)));
  const sprat_mul_params *p = (const sprat_mul_params *)(const void *)c->params;
  SPRAT_CHECK(binary_tensors_ok(c, &p->bc));
  SPRAT_CHECK(sprat_shift_ok(p->output_shift));
  SPRAT_CHECK(p->input1_offset >= -127 && p->input1_offset <= 128 && p->input2_offset >= -127 && p->input2_offset <= 128);
  SPRAT_CHECK(sprat_zero_point_ok(p->output_offset));
  SPRAT_CHECK(p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127);
  return SPRAT_OK;
}

static void run_mul(const sprat_layer *l) {
  sprat_mul_s8((const sprat_mul_params *)(const void *)l->params, (const int8_t *)l->data[0],
               (const int8_t *)l->data[1], (int8_t *)l->data[2]);
}

static sprat_status check_max_min(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_max_min_params)));
  SPRAT_CHECK(binary_tensors_ok(c, &((const sprat_max_min_params *)(const void *)c->params)->bc));
  return SPRAT_OK;
}

static void run_max_min(const sprat_layer *l) {
  sprat_max_min_s8((const sprat_max_min_params *)(const void *)l->params, (const int8_t *)l->data[0],
                   (const int8_t *)l->data[1], (int8_t *)l->data[2]);
}

// PRELU on `type` (int8, or int16 with an int8 alpha: PRELU_S16), its
// offsets within [lo, hi] (negated for the input's): |x + offset| <= 65535
// times an alpha within 255 fits int32.
static sprat_status check_prelu_of(const sprat_op_ctx *c, uint8_t type, int32_t lo, int32_t hi) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_prelu_params)) && c->n_in == 2);
  const sprat_prelu_params *p = (const sprat_prelu_params *)(const void *)c->params;
  const sprat_tview *a = &c->in[0], *b = &c->in[1], *o = &c->out[0];
  SPRAT_CHECK(a->present && b->present && a->type == type && b->type == SPRAT_INT8 && o->type == type);
  SPRAT_CHECK(sprat_broadcast_fits(&p->bc, a->count, b->count, o->count));
  SPRAT_CHECK(sprat_shift_ok(p->shift_pos) && sprat_shift_ok(p->shift_neg));
  SPRAT_CHECK(sprat_multiplier_ok(p->multiplier_pos) && sprat_multiplier_ok(p->multiplier_neg));
  SPRAT_CHECK(p->input_offset >= -hi && p->input_offset <= -lo && p->alpha_offset >= -127 && p->alpha_offset <= 128);
  SPRAT_CHECK(p->output_offset >= lo && p->output_offset <= hi);
  return SPRAT_OK;
}

static sprat_status check_prelu(const sprat_op_ctx *c) { return check_prelu_of(c, SPRAT_INT8, -128, 127); }
static sprat_status check_prelu_s16(const sprat_op_ctx *c) { return check_prelu_of(c, SPRAT_INT16, INT16_MIN, INT16_MAX); }

static void run_prelu(const sprat_layer *l) {
  sprat_prelu_s8((const sprat_prelu_params *)(const void *)l->params, (const int8_t *)l->data[0],
                 (const int8_t *)l->data[1], (int8_t *)l->data[2]);
}

static void run_prelu_s16(const sprat_layer *l) {
  sprat_prelu_s16((const sprat_prelu_params *)(const void *)l->params, (const int16_t *)l->data[0],
                  (const int8_t *)l->data[1], (int16_t *)l->data[2]);
}

const sprat_op_registration sprat_op_prelu_s16 = {SPRAT_OP_PRELU_S16, "PRELU_S16", check_prelu_s16, run_prelu_s16};
const sprat_op_registration sprat_op_max_min = {SPRAT_OP_MAX_MIN, "MAXIMUM/MINIMUM", check_max_min, run_max_min};
const sprat_op_registration sprat_op_prelu = {SPRAT_OP_PRELU, "PRELU", check_prelu, run_prelu};
const sprat_op_registration sprat_op_add = {SPRAT_OP_ADD, "ADD", check_add, run_add};
const sprat_op_registration sprat_op_mul = {SPRAT_OP_MUL, "MUL", check_mul, run_mul};

// ---- int16 (zero points 0) ---------------------------------------------------
static int binary_s16_ok(const sprat_op_ctx *c, const sprat_broadcast *bc) {
  const sprat_tview *a = &c->in[0], *b = &c->in[1], *o = &c->out[0];
  return c->n_in == 2 && a->present && b->present && a->type == SPRAT_INT16 && b->type == SPRAT_INT16 &&
         o->type == SPRAT_INT16 && sprat_broadcast_fits(bc, a->count, b->count, o->count);
}

static int act_s16_ok(int32_t lo, int32_t hi) { return lo >= INT16_MIN && lo <= hi && hi <= INT16_MAX; }

// left_shift 15: TFLite's general scheme; 0: its power-of-two one, inputs
// shifted right by -input*_shift (at most 15 bits: the int16 rounding
// TFLite applies is the int32 one there).
static sprat_status check_add_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_add_params)));
  const sprat_add_params *p = (const sprat_add_params *)(const void *)c->params;
  SPRAT_CHECK(binary_s16_ok(c, &p->bc));
  SPRAT_CHECK(p->input1_offset == 0 && p->input2_offset == 0 && p->output_offset == 0);
  SPRAT_CHECK(act_s16_ok(p->act_min, p->act_max));
  if (p->left_shift == 0) {
    SPRAT_CHECK(p->input1_shift >= -15 && p->input1_shift <= 0 && p->input2_shift >= -15 && p->input2_shift <= 0);
  } else {
    SPRAT_CHECK(p->left_shift == 15);
    SPRAT_CHECK(sprat_shift_ok(p->input1_shift) && sprat_shift_ok(p->input2_shift) && sprat_shift_ok(p->output_shift));
  }
  return SPRAT_OK;
}

static void run_add_s16(const sprat_layer *l) {
  sprat_add_s16((const sprat_add_params *)(const void *)l->params, (const int16_t *)l->data[0],
                (const int16_t *)l->data[1], (int16_t *)l->data[2]);
}

static sprat_status check_mul_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_mul_params)));
  const sprat_mul_params *p = (const sprat_mul_params *)(const void *)c->params;
  SPRAT_CHECK(binary_s16_ok(c, &p->bc));
  SPRAT_CHECK(sprat_shift_ok(p->output_shift));
  SPRAT_CHECK(p->input1_offset == 0 && p->input2_offset == 0 && p->output_offset == 0);
  SPRAT_CHECK(act_s16_ok(p->act_min, p->act_max));
  return SPRAT_OK;
}

static void run_mul_s16(const sprat_layer *l) {
  sprat_mul_s16((const sprat_mul_params *)(const void *)l->params, (const int16_t *)l->data[0],
                (const int16_t *)l->data[1], (int16_t *)l->data[2]);
}

const sprat_op_registration sprat_op_add_s16 = {SPRAT_OP_ADD_S16, "ADD_S16", check_add_s16, run_add_s16};
const sprat_op_registration sprat_op_mul_s16 = {SPRAT_OP_MUL_S16, "MUL_S16", check_mul_s16, run_mul_s16};
