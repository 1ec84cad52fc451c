// QUANTIZE (float32 -> int8), REQUANTIZE (int8 -> int8), DEQUANTIZE.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static sprat_status check_quantize(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_quantize_f32_params)) && c->n_in == 1);
  const sprat_quantize_f32_params *p = (const sprat_quantize_f32_params *)(const void *)c->params;
  SPRAT_CHECK(p->count >= 0 && sprat_is(&c->in[0], SPRAT_FLOAT32, (uint32_t)p->count));
  SPRAT_CHECK(c->out[0].type == SPRAT_INT8 && c->out[0].count == (uint32_t)p->count);
  SPRAT_CHECK(p->output_scale > 0.0f);
  SPRAT_CHECK(p->output_zero_point >= -128 && p->output_zero_point <= 127);
  return SPRAT_OK;
}

static void run_quantize(const sprat_layer *l) {
  sprat_quantize_f32_s8((const sprat_quantize_f32_params *)(const void *)l->params,
                        (const float *)(const void *)l->data[0], (int8_t *)l->data[1]);
}

static sprat_status check_requantize(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_requantize_params)) && c->n_in == 1);
  const sprat_requantize_params *p = (const sprat_requantize_params *)(const void *)c->params;
  SPRAT_CHECK(p->count >= 0 && sprat_is(&c->in[0], SPRAT_INT8, (uint32_t)p->count));
  SPRAT_CHECK(c->out[0].type == SPRAT_INT8 && c->out[0].count == (uint32_t)p->count);
  SPRAT_CHECK(sprat_shift_ok(p->shift) && sprat_multiplier_ok(p->multiplier));
  SPRAT_CHECK(p->input_zero_point >= -128 && p->input_zero_point <= 127);
  SPRAT_CHECK(p->output_zero_point >= -128 && p->output_zero_point <= 127);
  return SPRAT_OK;
}

static void run_requantize(const sprat_layer *l) {
  sprat_requantize_s8((const sprat_requantize_params *)(const void *)l->params, (const int8_t *)l->data[0],
                      (int8_t *)l->data[1]);
}

// u8: DEQUANTIZE_U8, from uint8.
static sprat_status check_dequantize_from(const sprat_op_ctx *c, int u8) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_dequantize_params)) && c->n_in == 1);
  const sprat_dequantize_params *p = (const sprat_dequantize_params *)(const void *)c->params;
  SPRAT_CHECK(p->count >= 0 && sprat_is(&c->in[0], u8 ? SPRAT_UINT8 : SPRAT_INT8, (uint32_t)p->count));
  SPRAT_CHECK(c->out[0].type == SPRAT_FLOAT32 && c->out[0].count == (uint32_t)p->count);
  SPRAT_CHECK(u8 ? p->input_zero_point >= 0 && p->input_zero_point <= 255
                 : p->input_zero_point >= -128 && p->input_zero_point <= 127);
  return SPRAT_OK;
}

static sprat_status check_dequantize(const sprat_op_ctx *c) { return check_dequantize_from(c, 0); }
static sprat_status check_dequantize_u8(const sprat_op_ctx *c) { return check_dequantize_from(c, 1); }

static void run_dequantize_u8(const sprat_layer *l) {
  sprat_dequantize_u8_f32((const sprat_dequantize_params *)(const void *)l->params, (const uint8_t *)l->data[0],
                          (float *)(void *)l->data[1]);
}

static void run_dequantize(const sprat_layer *l) {
  sprat_dequantize_s8_f32((const sprat_dequantize_params *)(const void *)l->params, (const int8_t *)l->data[0],
                          (float *)(void *)l->data[1]);
}

const sprat_op_registration sprat_op_quantize = {SPRAT_OP_QUANTIZE, "QUANTIZE", check_quantize, run_quantize};
const sprat_op_registration sprat_op_requantize = {SPRAT_OP_REQUANTIZE, "REQUANTIZE", check_requantize, run_requantize};
const sprat_op_registration sprat_op_dequantize = {SPRAT_OP_DEQUANTIZE, "DEQUANTIZE", check_dequantize, run_dequantize};
const sprat_op_registration sprat_op_dequantize_u8 = {SPRAT_OP_DEQUANTIZE_U8, "DEQUANTIZE_U8", check_dequantize_u8,
                                                      run_dequantize_u8};

// ---- int16 ----------------------------------------------------------------
static int zero_point_of(uint8_t type, int32_t zp) {
  if (type == SPRAT_INT32) return 1;
  if (type == SPRAT_UINT8) return zp >= 0 && zp <= 255;
  return type == SPRAT_INT16 ? zp >= INT16_MIN && zp <= INT16_MAX : sprat_zero_point_ok(zp);
}

static sprat_status check_quantize_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_quantize_f32_params)) && c->n_in == 1);
  const sprat_quantize_f32_params *p = (const sprat_quantize_f32_params *)(const void *)c->params;
  SPRAT_CHECK(p->count >= 0 && sprat_is(&c->in[0], SPRAT_FLOAT32, (uint32_t)p->count));
  SPRAT_CHECK(c->out[0].type == SPRAT_INT16 && c->out[0].count == (uint32_t)p->count);
  SPRAT_CHECK(p->output_scale > 0.0f && zero_point_of(SPRAT_INT16, p->output_zero_point));
  return SPRAT_OK;
}

static void run_quantize_s16(const sprat_layer *l) {
  sprat_quantize_f32_s16((const sprat_quantize_f32_params *)(const void *)l->params,
                         (const float *)(const void *)l->data[0], (int16_t *)(void *)l->data[1]);
}

// int8 -> int16, int16 -> int8, int16 -> int16: the types are the record's.
static sprat_status check_requantize_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_requantize_s16_params)) && c->n_in == 1);
  const sprat_requantize_s16_params *p = (const sprat_requantize_s16_params *)(const void *)c->params;
  // int8, int16 and int32 (TFLM's requantizations), one of them wider than int8.
  SPRAT_CHECK(p->input_type == SPRAT_INT8 || p->input_type == SPRAT_INT16 || p->input_type == SPRAT_INT32 ||
              p->input_type == SPRAT_UINT8);
  SPRAT_CHECK(p->output_type == SPRAT_INT8 || p->output_type == SPRAT_INT16 || p->output_type == SPRAT_INT32 ||
              p->output_type == SPRAT_UINT8);
  SPRAT_CHECK(p->input_type != SPRAT_INT8 || p->output_type != SPRAT_INT8);
  // uint8 (TFLM's int8 <-> uint8 QUANTIZE) with int8 only.
  const int u8_in = p->input_type == SPRAT_UINT8, u8_out = p->output_type == SPRAT_UINT8;
  SPRAT_CHECK(!u8_in || p->output_type == SPRAT_INT8);
  SPRAT_CHECK(!u8_out || p->input_type == SPRAT_INT8);
  SPRAT_CHECK(p->count >= 0 && sprat_is(&c->in[0], (uint8_t)p->input_type, (uint32_t)p->count));
  SPRAT_CHECK(c->out[0].type == p->output_type && c->out[0].count == (uint32_t)p->count);
  SPRAT_CHECK(sprat_shift_ok(p->shift) && sprat_multiplier_ok(p->multiplier));
  SPRAT_CHECK(zero_point_of((uint8_t)p->input_type, p->input_zero_point));
  SPRAT_CHECK(zero_point_of((uint8_t)p->output_type, p->output_zero_point));
  return SPRAT_OK;
}

static void run_requantize_s16(const sprat_layer *l) {
  sprat_requantize_s16((const sprat_requantize_s16_params *)(const void *)l->params, l->data[0], l->data[1]);
}

static sprat_status check_dequantize_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_dequantize_params)) && c->n_in == 1);
  const sprat_dequantize_params *p = (const sprat_dequantize_params *)(const void *)c->params;
  SPRAT_CHECK(p->count >= 0 && sprat_is(&c->in[0], SPRAT_INT16, (uint32_t)p->count));
  SPRAT_CHECK(c->out[0].type == SPRAT_FLOAT32 && c->out[0].count == (uint32_t)p->count);
  SPRAT_CHECK(zero_point_of(SPRAT_INT16, p->input_zero_point));
  return SPRAT_OK;
}

static void run_dequantize_s16(const sprat_layer *l) {
  sprat_dequantize_s16_f32((const sprat_dequantize_params *)(const void *)l->params, (const int16_t *)l->data[0],
                           (float *)(void *)l->data[1]);
}

const sprat_op_registration sprat_op_quantize_s16 = {SPRAT_OP_QUANTIZE_S16, "QUANTIZE_S16", check_quantize_s16,
                                                     run_quantize_s16};
const sprat_op_registration sprat_op_requantize_s16 = {SPRAT_OP_REQUANTIZE_S16, "REQUANTIZE_S16",
                                                       check_requantize_s16, run_requantize_s16};
const sprat_op_registration sprat_op_dequantize_s16 = {SPRAT_OP_DEQUANTIZE_S16, "DEQUANTIZE_S16",
                                                       check_dequantize_s16, run_dequantize_s16};
