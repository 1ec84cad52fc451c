// CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV.
// Inputs: input, filter, bias (optional), per-channel multipliers, shifts.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

// Inputs 2-4: the optional bias and the per-channel multipliers and shifts.
static sprat_status check_requantization(const sprat_op_ctx *c, int32_t channels) {
  if (c->in[2].present) SPRAT_CHECK(sprat_is(&c->in[2], SPRAT_INT32, (uint32_t)channels));
  SPRAT_CHECK(sprat_is(&c->in[3], SPRAT_INT32, (uint32_t)channels) && sprat_is(&c->in[4], SPRAT_INT32, (uint32_t)channels));
  const int32_t *m = (const int32_t *)(const void *)c->in[3].data, *s = (const int32_t *)(const void *)c->in[4].data;
  for (int32_t i = 0; i < channels; ++i) SPRAT_CHECK(sprat_multiplier_ok(m[i]) && sprat_shift_ok(s[i]));
  return SPRAT_OK;
}

static sprat_status check_common(const sprat_op_ctx *c, int depthwise) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_conv_params)) && c->n_in == 5);
  const sprat_conv_params *p = (const sprat_conv_params *)(const void *)c->params;
  const sprat_tview *in = &c->in[0], *f = &c->in[1], *out = &c->out[0];
  SPRAT_CHECK(in->present && in->type == SPRAT_INT8 && in->rank == 4);
  SPRAT_CHECK(f->present && f->type == SPRAT_INT8 && f->rank == 4);
  SPRAT_CHECK(out->type == SPRAT_INT8 && out->rank == 4);
  const sprat_shape4 is = sprat_shape4_of(in), fs = sprat_shape4_of(f), os = sprat_shape4_of(out);
  SPRAT_CHECK(is.n == os.n);
  SPRAT_CHECK(p->stride_h >= 1 && p->stride_w >= 1 && p->dilation_h >= 1 && p->dilation_w >= 1);
  SPRAT_CHECK(p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127);
  SPRAT_CHECK(p->input_offset >= -127 && p->input_offset <= 128);
  if (depthwise) {
    SPRAT_CHECK(fs.n == 1 && p->depth_multiplier >= 1 && fs.c == os.c && is.c * p->depth_multiplier == os.c);
  } else {
    SPRAT_CHECK(fs.n == os.c && fs.c >= 1 && is.c % fs.c == 0);
    SPRAT_CHECK((os.c % (is.c / fs.c)) == 0);
  }
  return check_requantization(c, os.c);
}

static sprat_status check_transpose(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_conv_params)) && c->n_in == 5 && c->n_scratch == 1);
  const sprat_conv_params *p = (const sprat_conv_params *)(const void *)c->params;
  const sprat_tview *in = &c->in[0], *f = &c->in[1], *out = &c->out[0];
  SPRAT_CHECK(in->present && in->type == SPRAT_INT8 && in->rank == 4);
  SPRAT_CHECK(f->present && f->type == SPRAT_INT8 && f->rank == 4 && out->type == SPRAT_INT8 && out->rank == 4);
  const sprat_shape4 is = sprat_shape4_of(in), fs = sprat_shape4_of(f), os = sprat_shape4_of(out);
  SPRAT_CHECK(is.n == os.n && fs.n == os.c && fs.c == is.c);
  SPRAT_CHECK(p->stride_h >= 1 && p->stride_w >= 1);
  SPRAT_CHECK(p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127);
  SPRAT_CHECK(p->input_offset >= -127 && p->input_offset <= 128);
  SPRAT_CHECK(sprat_is(&c->scratch[0], SPRAT_INT32, out->count));
  return check_requantization(c, os.c);
}

static void run_transpose(const sprat_op_ctx *c) {
  const sprat_shape4 is = sprat_shape4_of(&c->in[0]), fs = sprat_shape4_of(&c->in[1]), os = sprat_shape4_of(&c->out[0]);
  sprat_transpose_conv_s8((const sprat_conv_params *)(const void *)c->params, &is, (const int8_t *)c->in[0].data, &fs,
                          (const int8_t *)c->in[1].data, (const int32_t *)(const void *)c->in[2].data,
                          (const int32_t *)(const void *)c->in[3].data, (const int32_t *)(const void *)c->in[4].data,
                          &os, (int8_t *)c->out[0].data, (int32_t *)(void *)c->scratch[0].data);
}

static sprat_status check_conv(const sprat_op_ctx *c) { return check_common(c, 0); }
static sprat_status check_dw(const sprat_op_ctx *c) { return check_common(c, 1); }

static void run(const sprat_op_ctx *c, int depthwise) {
  const sprat_conv_params *p = (const sprat_conv_params *)(const void *)c->params;
  const sprat_shape4 is = sprat_shape4_of(&c->in[0]), fs = sprat_shape4_of(&c->in[1]), os = sprat_shape4_of(&c->out[0]);
  const int32_t *bias = (const int32_t *)(const void *)c->in[2].data;
  const int32_t *m = (const int32_t *)(const void *)c->in[3].data, *s = (const int32_t *)(const void *)c->in[4].data;
  if (depthwise)
    sprat_depthwise_conv2d_s8(p, &is, (const int8_t *)c->in[0].data, &fs, (const int8_t *)c->in[1].data, bias, m, s,
                              &os, (int8_t *)c->out[0].data);
  else
    sprat_conv2d_s8(p, &is, (const int8_t *)c->in[0].data, &fs, (const int8_t *)c->in[1].data, bias, m, s, &os,
                    (int8_t *)c->out[0].data);
}

static void run_conv(const sprat_op_ctx *c) { run(c, 0); }
static void run_dw(const sprat_op_ctx *c) { run(c, 1); }

const sprat_op_registration sprat_op_transpose_conv = {SPRAT_OP_TRANSPOSE_CONV, "TRANSPOSE_CONV", check_transpose,
                                                       run_transpose};
const sprat_op_registration sprat_op_conv_2d = {SPRAT_OP_CONV_2D, "CONV_2D", check_conv, run_conv};
const sprat_op_registration sprat_op_depthwise_conv_2d = {SPRAT_OP_DEPTHWISE_CONV_2D, "DEPTHWISE_CONV_2D", check_dw, run_dw};
