// SOFTMAX, table lookups (LOGISTIC, TANH), the RELU family, LEAKY_RELU,
// HARD_SWISH: int8 in and out; LOGISTIC, TANH and ABS on int16.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static int unary_ok(const sprat_op_ctx *c, uint32_t count) {
  return c->in[0].present && c->in[0].type == SPRAT_INT8 && c->out[0].type == SPRAT_INT8 &&
         c->in[0].count == count && c->out[0].count == count;
}

// out16: the int16 output of an int8 softmax (SOFTMAX_S8_S16).
static sprat_status check_softmax_out(const sprat_op_ctx *c, int out16) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_softmax_params)) && (c->n_in == 1 || c->n_in == 2));
  // The exponential's table: values of exp in (0, 1] as Q0.31, exp(0) = 1,
  // so that the row's sum stays in the range the kernel's arithmetic has.
  if (c->n_in == 2) {
    SPRAT_CHECK(sprat_is_const(&c->in[1], SPRAT_INT32, 256));
    const int32_t *t = (const int32_t *)(const void *)c->in[1].data;
    SPRAT_CHECK(t[0] == INT32_MAX);
    for (int i = 1; i < 256; ++i) SPRAT_CHECK(t[i] >= 0);
  }
  const sprat_softmax_params *p = (const sprat_softmax_params *)(const void *)c->params;
  SPRAT_CHECK(p->rows >= 1 && p->depth >= 1 && (int64_t)p->rows * p->depth <= 0x7FFFFFFF);
  const uint32_t n = (uint32_t)(p->rows * p->depth);
  SPRAT_CHECK(c->in[0].present && c->in[0].type == SPRAT_INT8 && c->in[0].count == n);
  SPRAT_CHECK(c->out[0].type == (out16 ? SPRAT_INT16 : SPRAT_INT8) && c->out[0].count == n);
  // The sum of up to `depth` values below 1 in Q12.19 must not overflow,
  // and every difference the kernel shifts (those >= diff_min) must fit.
  SPRAT_CHECK(p->depth < (1 << 12) && p->input_left_shift >= 0 && p->input_left_shift <= 31);
  SPRAT_CHECK(p->input_multiplier >= 0 && p->diff_min <= 0);
  const int64_t widest = p->diff_min < -255 ? 255 : -(int64_t)p->diff_min;  // int8 differences
  SPRAT_CHECK((widest << p->input_left_shift) <= INT32_MAX);
  return SPRAT_OK;
}

static sprat_status check_softmax(const sprat_op_ctx *c) { return check_softmax_out(c, 0); }
static sprat_status check_softmax_s8_s16(const sprat_op_ctx *c) { return check_softmax_out(c, 1); }

static void run_softmax_s8_s16(const sprat_layer *l) {
  const int has_table = l->n_data == 3;
  sprat_softmax_s8_s16((const sprat_softmax_params *)(const void *)l->params, (const int8_t *)l->data[0],
                       has_table ? (const int32_t *)l->data[1] : NULL, (int16_t *)l->data[has_table ? 2 : 1]);
}

const sprat_op_registration sprat_op_softmax_s8_s16 = {SPRAT_OP_SOFTMAX_S8_S16, "SOFTMAX_S8_S16", check_softmax_s8_s16,
                                                       run_softmax_s8_s16};

static void run_softmax(const sprat_layer *l) {
  const int has_table = l->n_data == 3;
  sprat_softmax_s8((const sprat_softmax_params *)(const void *)l->params, (const int8_t *)l->data[0],
                   has_table ? (const int32_t *)l->data[1] : NULL, (int8_t *)l->data[has_table ? 2 : 1]);
}

static sprat_status check_lut(const sprat_op_ctx *c) {
  SPRAT_CHECK(c->n_in == 2 && sprat_params_are(c, sizeof(int32_t)));
  const int32_t count = *(const int32_t *)(const void *)c->params;
  SPRAT_CHECK(count >= 0 && unary_ok(c, (uint32_t)count) && sprat_is(&c->in[1], SPRAT_INT8, 256));
  return SPRAT_OK;
}

static void run_lut(const sprat_layer *l) {
  sprat_lut_s8(*(const int32_t *)l->params, (const int8_t *)l->data[1], (const int8_t *)l->data[0],
               (int8_t *)l->data[2]);
}

static sprat_status check_relu(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_relu_params)) && c->n_in == 1);
  const sprat_relu_params *p = (const sprat_relu_params *)(const void *)c->params;
  SPRAT_CHECK(p->count >= 0 && unary_ok(c, (uint32_t)p->count));
  SPRAT_CHECK(sprat_shift_ok(p->shift) && sprat_multiplier_ok(p->multiplier));
  SPRAT_CHECK(sprat_zero_point_ok(p->input_zero_point) && sprat_zero_point_ok(p->output_zero_point));
  SPRAT_CHECK(p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127);
  return SPRAT_OK;
}

static void run_relu(const sprat_layer *l) {
  sprat_relu_s8((const sprat_relu_params *)(const void *)l->params, (const int8_t *)l->data[0],
                (int8_t *)l->data[1]);
}

static sprat_status check_leaky(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_leaky_relu_params)) && c->n_in == 1);
  const sprat_leaky_relu_params *p = (const sprat_leaky_relu_params *)(const void *)c->params;
  SPRAT_CHECK(p->count >= 0 && unary_ok(c, (uint32_t)p->count));
  SPRAT_CHECK(sprat_shift_ok(p->identity_shift) && sprat_shift_ok(p->alpha_shift));
  SPRAT_CHECK(sprat_multiplier_ok(p->identity_multiplier) && sprat_multiplier_ok(p->alpha_multiplier));
  SPRAT_CHECK(sprat_zero_point_ok(p->input_zero_point) && sprat_zero_point_ok(p->output_zero_point));
  return SPRAT_OK;
}

static void run_leaky(const sprat_layer *l) {
  sprat_leaky_relu_s8((const sprat_leaky_relu_params *)(const void *)l->params, (const int8_t *)l->data[0],
                      (int8_t *)l->data[1]);
}

static sprat_status check_hard_swish(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_hard_swish_params)) && c->n_in == 1);
  const sprat_hard_swish_params *p = (const sprat_hard_swish_params *)(const void *)c->params;
  SPRAT_CHECK(p->count >= 0 && unary_ok(c, (uint32_t)p->count));
  SPRAT_CHECK(p->output_multiplier_exponent <= 0 && p->output_multiplier_exponent >= -15);
  SPRAT_CHECK(p->reluish_multiplier_exponent >= -15 && p->reluish_multiplier_exponent <= 15);
  SPRAT_CHECK(sprat_zero_point_ok(p->input_zero_point) && sprat_zero_point_ok(p->output_zero_point));
  return SPRAT_OK;
}

static void run_hard_swish(const sprat_layer *l) {
  sprat_hard_swish_s8((const sprat_hard_swish_params *)(const void *)l->params, (const int8_t *)l->data[0],
                      (int8_t *)l->data[1]);
}

const sprat_op_registration sprat_op_softmax = {SPRAT_OP_SOFTMAX, "SOFTMAX", check_softmax, run_softmax};
const sprat_op_registration sprat_op_lut = {SPRAT_OP_LUT, "LUT", check_lut, run_lut};
const sprat_op_registration sprat_op_relu = {SPRAT_OP_RELU, "RELU", check_relu, run_relu};
const sprat_op_registration sprat_op_leaky_relu = {SPRAT_OP_LEAKY_RELU, "LEAKY_RELU", check_leaky, run_leaky};
const sprat_op_registration sprat_op_hard_swish = {SPRAT_OP_HARD_SWISH, "HARD_SWISH", check_hard_swish, run_hard_swish};

// ---- int16 ----------------------------------------------------------------
// n_in inputs, the first `count` int16 values, as the output.
static int unary_s16_ok(const sprat_op_ctx *c, int32_t count, uint32_t n_in) {
  return c->n_in == n_in && count >= 0 && c->in[0].present && c->in[0].type == SPRAT_INT16 &&
         c->out[0].type == SPRAT_INT16 && c->in[0].count == (uint32_t)count && c->out[0].count == (uint32_t)count;
}

static int zero_point_s16_ok(int32_t zp) { return zp >= INT16_MIN && zp <= INT16_MAX; }

static sprat_status check_relu_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_relu_params)));
  const sprat_relu_params *p = (const sprat_relu_params *)(const void *)c->params;
  SPRAT_CHECK(unary_s16_ok(c, p->count, 1));
  SPRAT_CHECK(sprat_shift_ok(p->shift) && sprat_multiplier_ok(p->multiplier));
  SPRAT_CHECK(zero_point_s16_ok(p->input_zero_point) && zero_point_s16_ok(p->output_zero_point));
  SPRAT_CHECK(p->act_min >= INT16_MIN && p->act_min <= p->act_max && p->act_max <= INT16_MAX);
  return SPRAT_OK;
}

static void run_relu_s16(const sprat_layer *l) {
  sprat_relu_s16((const sprat_relu_params *)(const void *)l->params, (const int16_t *)l->data[0],
                 (int16_t *)l->data[1]);
}

static sprat_status check_leaky_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_leaky_relu_params)));
  const sprat_leaky_relu_params *p = (const sprat_leaky_relu_params *)(const void *)c->params;
  SPRAT_CHECK(unary_s16_ok(c, p->count, 1));
  SPRAT_CHECK(sprat_shift_ok(p->identity_shift) && sprat_shift_ok(p->alpha_shift));
  SPRAT_CHECK(sprat_multiplier_ok(p->identity_multiplier) && sprat_multiplier_ok(p->alpha_multiplier));
  SPRAT_CHECK(zero_point_s16_ok(p->input_zero_point) && zero_point_s16_ok(p->output_zero_point));
  return SPRAT_OK;
}

static void run_leaky_s16(const sprat_layer *l) {
  sprat_leaky_relu_s16((const sprat_leaky_relu_params *)(const void *)l->params, (const int16_t *)l->data[0],
                       (int16_t *)l->data[1]);
}

const sprat_op_registration sprat_op_relu_s16 = {SPRAT_OP_RELU_S16, "RELU_S16", check_relu_s16, run_relu_s16};
const sprat_op_registration sprat_op_leaky_relu_s16 = {SPRAT_OP_LEAKY_RELU_S16, "LEAKY_RELU_S16", check_leaky_s16,
                                                       run_leaky_s16};

// SOFTMAX int16: input, exp table, 1/(1 + x) table (513 x i16 each).
static sprat_status check_softmax_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_softmax_s16_params)) && c->n_in == 3);
  const sprat_softmax_s16_params *p = (const sprat_softmax_s16_params *)(const void *)c->params;
  SPRAT_CHECK(p->rows >= 1 && p->depth >= 1 && (int64_t)p->rows * p->depth <= 0x7FFFFFFF);
  const int32_t count = p->rows * p->depth;
  SPRAT_CHECK(c->in[0].present && c->in[0].type == SPRAT_INT16 && c->out[0].type == SPRAT_INT16);
  SPRAT_CHECK(c->in[0].count == (uint32_t)count && c->out[0].count == (uint32_t)count);
  SPRAT_CHECK(sprat_is_const(&c->in[1], SPRAT_INT16, 513) && sprat_is_const(&c->in[2], SPRAT_INT16, 513));
  // The row's sum of int16 exps fits int32; differences of up to 2^16
  // shifted left at most 15 bits fit too.
  SPRAT_CHECK(p->depth <= (1 << 16));
  SPRAT_CHECK(sprat_multiplier_ok(p->input_multiplier) && sprat_shift_ok(p->input_left_shift));
  SPRAT_CHECK(p->input_left_shift <= 15);
  return SPRAT_OK;
}

static void run_softmax_s16(const sprat_layer *l) {
  sprat_softmax_s16((const sprat_softmax_s16_params *)(const void *)l->params, (const int16_t *)l->data[0],
                    (const int16_t *)l->data[1], (const int16_t *)l->data[2], (int16_t *)l->data[3]);
}

const sprat_op_registration sprat_op_softmax_s16 = {SPRAT_OP_SOFTMAX_S16, "SOFTMAX_S16", check_softmax_s16,
                                                    run_softmax_s16};

// LOGISTIC and TANH int16: input, TFLite's sigmoid table (256 x u16, held
// as int16). A nondecreasing table keeps the kernels' interpolation within
// 2^25, whatever a crafted blob holds.
static sprat_status check_sigmoid_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_sigmoid_s16_params)));
  const sprat_sigmoid_s16_params *p = (const sprat_sigmoid_s16_params *)(const void *)c->params;
  SPRAT_CHECK(unary_s16_ok(c, p->count, 2));
  SPRAT_CHECK(p->input_multiplier >= 1 && p->input_multiplier <= 32767);
  SPRAT_CHECK(p->input_left_shift >= 0 && p->input_left_shift <= 31);
  SPRAT_CHECK(sprat_is_const(&c->in[1], SPRAT_INT16, 256));
  const uint16_t *t = (const uint16_t *)c->in[1].data;
  for (int i = 1; i < 256; ++i) SPRAT_CHECK(t[i] >= t[i - 1]);
  return SPRAT_OK;
}

static void run_logistic_s16(const sprat_layer *l) {
  sprat_logistic_s16((const sprat_sigmoid_s16_params *)(const void *)l->params, (const uint16_t *)l->data[1],
                     (const int16_t *)l->data[0], (int16_t *)l->data[2]);
}

static void run_tanh_s16(const sprat_layer *l) {
  sprat_tanh_s16((const sprat_sigmoid_s16_params *)(const void *)l->params, (const uint16_t *)l->data[1],
                 (const int16_t *)l->data[0], (int16_t *)l->data[2]);
}

const sprat_op_registration sprat_op_logistic_s16 = {SPRAT_OP_LOGISTIC_S16, "LOGISTIC_S16", check_sigmoid_s16,
                                                     run_logistic_s16};
const sprat_op_registration sprat_op_tanh_s16 = {SPRAT_OP_TANH_S16, "TANH_S16", check_sigmoid_s16, run_tanh_s16};

static sprat_status check_abs_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_abs_s16_params)));
  const sprat_abs_s16_params *p = (const sprat_abs_s16_params *)(const void *)c->params;
  SPRAT_CHECK(unary_s16_ok(c, p->count, 1));
  SPRAT_CHECK(p->rescale == 0 || p->rescale == 2 ||
              (p->rescale == 1 && sprat_multiplier_ok(p->multiplier) && sprat_shift_ok(p->shift)));
  return SPRAT_OK;
}

static void run_abs_s16(const sprat_layer *l) {
  sprat_abs_s16((const sprat_abs_s16_params *)(const void *)l->params, (const int16_t *)l->data[0],
                (int16_t *)l->data[1]);
}

const sprat_op_registration sprat_op_abs_s16 = {SPRAT_OP_ABS_S16, "ABS_S16", check_abs_s16, run_abs_s16};
