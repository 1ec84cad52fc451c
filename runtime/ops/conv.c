// CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV.
// Inputs: input, filter, bias (optional in layout PLAIN), per-channel
// multipliers, shifts; scratch: what the kernel library asks for
// (TRANSPOSE_CONV: int32 accumulators).
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

// Inputs 2-4: the bias (bias_words: with what the kernel library prepared
// offline after it) and the per-channel multipliers and shifts.
static sprat_status check_requantization(const sprat_op_ctx *c, int32_t channels, int32_t layout, int32_t bias_words) {
  SPRAT_CHECK(bias_words >= channels);
  if (c->in[2].present) SPRAT_CHECK(sprat_is(&c->in[2], SPRAT_INT32, (uint32_t)bias_words));
  else SPRAT_CHECK(layout == SPRAT_LAYOUT_PLAIN);  // other layouts fold the input offset into it
  SPRAT_CHECK(sprat_is_const(&c->in[3], SPRAT_INT32, (uint32_t)channels) &&
              sprat_is_const(&c->in[4], SPRAT_INT32, (uint32_t)channels));
  const int32_t *m = (const int32_t *)(const void *)c->in[3].data, *s = (const int32_t *)(const void *)c->in[4].data;
  for (int32_t i = 0; i < channels; ++i) SPRAT_CHECK(sprat_multiplier_ok(m[i]) && sprat_shift_ok(s[i]));
  return SPRAT_OK;
}

// The parameter record's shapes are the tensors' and fit the op.
static sprat_status check_shapes(const sprat_op_ctx *c, const sprat_conv_params *p) {
  const sprat_tview *in = &c->in[0], *f = &c->in[1], *out = &c->out[0];
  SPRAT_CHECK(in->present && in->type == SPRAT_INT8 && in->rank == 4);
  SPRAT_CHECK(f->present && f->type == SPRAT_INT8 && f->rank == 4);
  SPRAT_CHECK(out->type == SPRAT_INT8 && out->rank == 4);
  SPRAT_CHECK(sprat_shape_is(&p->in, in) && sprat_shape_is(&p->filter, f) && sprat_shape_is(&p->out, out));
  SPRAT_CHECK(p->in.n == p->out.n);
  SPRAT_CHECK(p->act_min >= -128 && p->act_min <= p->act_max && p->act_max <= 127);
  SPRAT_CHECK(p->input_offset >= -127 && p->input_offset <= 128);
  SPRAT_CHECK(p->output_offset >= -128 && p->output_offset <= 127);
  // Window origins (o * stride - pad) stay far inside int32.
  SPRAT_CHECK(p->stride_h >= 1 && p->stride_w >= 1 && p->stride_h <= (1 << 16) && p->stride_w <= (1 << 16));
  SPRAT_CHECK(p->pad_top >= -(1 << 16) && p->pad_top <= (1 << 16) && p->pad_left >= -(1 << 16) && p->pad_left <= (1 << 16));
  return SPRAT_OK;
}

static sprat_status check_common(const sprat_op_ctx *c, int depthwise) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_conv_params)) && c->n_in == 5 && c->n_scratch <= 1);
  const sprat_conv_params *p = (const sprat_conv_params *)(const void *)c->params;
  if (!sprat_layout_ok(p->layout)) return SPRAT_ERR_LAYOUT;
  sprat_status s = check_shapes(c, p);
  if (s != SPRAT_OK) return s;
  const sprat_shape4 is = p->in, fs = p->filter, os = p->out;
  SPRAT_CHECK(p->dilation_h >= 1 && p->dilation_w >= 1 && p->dilation_h <= (1 << 16) && p->dilation_w <= (1 << 16));
  // The kernels' int32 partial sums: at most 2^16 products of at most 2^15.
  SPRAT_CHECK(fs.c <= (1 << 16) && (int64_t)fs.h * fs.w <= (1 << 16));
  if (depthwise) {
    SPRAT_CHECK(fs.n == 1 && p->depth_multiplier >= 1 && fs.c == os.c && (int64_t)is.c * p->depth_multiplier == os.c);
  } else {
    SPRAT_CHECK(fs.n == os.c && fs.c >= 1 && is.c % fs.c == 0);
    SPRAT_CHECK((os.c % (is.c / fs.c)) == 0);
  }
  // The kernel library's scratch, as big as it says it needs.
  const int32_t need = depthwise ? sprat_depthwise_conv2d_s8_get_buffer_size(p) : sprat_conv2d_s8_get_buffer_size(p);
  SPRAT_CHECK(need >= 0);
  if (need > 0) SPRAT_CHECK(c->n_scratch == 1 && c->scratch[0].bytes >= (uint32_t)need);
  return check_requantization(c, os.c, p->layout,
                              depthwise ? sprat_depthwise_conv2d_s8_bias_words(p) : sprat_conv2d_s8_bias_words(p));
}

static sprat_status check_transpose(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_conv_params)) && c->n_in == 5 && c->n_scratch == 1);
  const sprat_conv_params *p = (const sprat_conv_params *)(const void *)c->params;
  SPRAT_CHECK(p->layout == SPRAT_LAYOUT_PLAIN);
  sprat_status s = check_shapes(c, p);
  if (s != SPRAT_OK) return s;
  SPRAT_CHECK(p->filter.n == p->out.c && p->filter.c == p->in.c);
  SPRAT_CHECK(sprat_is(&c->scratch[0], SPRAT_INT32, c->out[0].count));
  return check_requantization(c, p->out.c, p->layout, p->out.c);
}

static void run_transpose(const sprat_layer *l) {
  sprat_transpose_conv_s8((const sprat_conv_params *)l->params, (const int8_t *)l->data[0],
                          (const int8_t *)l->data[1], (const int32_t *)l->data[2], (const int32_t *)l->data[3],
                          (const int32_t *)l->data[4], (int8_t *)l->data[5], (int32_t *)l->data[6]);
}

static sprat_status check_conv(const sprat_op_ctx *c) { return check_common(c, 0); }
static sprat_status check_dw(const sprat_op_ctx *c) { return check_common(c, 1); }

static void run_conv(const sprat_layer *l) {
  const sprat_conv_params *p = (const sprat_conv_params *)l->params;
  sprat_conv2d_s8(p, (const int8_t *)l->data[0], (const int8_t *)l->data[1], (const int32_t *)l->data[2],
                  (const int32_t *)l->data[3], (const int32_t *)l->data[4], (int8_t *)l->data[5],
                  l->n_data > 6 ? l->data[6] : NULL, 0, p->out.h);
}

static void run_dw(const sprat_layer *l) {
  const sprat_conv_params *p = (const sprat_conv_params *)l->params;
  sprat_depthwise_conv2d_s8(p, (const int8_t *)l->data[0], (const int8_t *)l->data[1], (const int32_t *)l->data[2],
                            (const int32_t *)l->data[3], (const int32_t *)l->data[4], (int8_t *)l->data[5],
                            l->n_data > 6 ? l->data[6] : NULL, 0, p->out.h);
}

const sprat_op_registration sprat_op_transpose_conv = {SPRAT_OP_TRANSPOSE_CONV, "TRANSPOSE_CONV", check_transpose,
                                                       run_transpose};
const sprat_op_registration sprat_op_conv_2d = {SPRAT_OP_CONV_2D, "CONV_2D", check_conv, run_conv};
const sprat_op_registration sprat_op_depthwise_conv_2d = {SPRAT_OP_DEPTHWISE_CONV_2D, "DEPTHWISE_CONV_2D", check_dw, run_dw};

// ---- int16 activations, int8 weights (16x8) --------------------------------
// Layout PLAIN, no scratch; zero points 0 as TFLite requires. The bias is
// int64, or int32 with SPRAT_CONV_BIAS32 (CONV_2D only, as TFLite).
static sprat_status check_s16(const sprat_op_ctx *c, int depthwise) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_conv_params)) && c->n_in == 5 && c->n_scratch == 0);
  const sprat_conv_params *p = (const sprat_conv_params *)(const void *)c->params;
  const sprat_tview *in = &c->in[0], *f = &c->in[1], *out = &c->out[0];
  SPRAT_CHECK(p->layout == SPRAT_LAYOUT_PLAIN && (p->flags & ~(depthwise ? 0 : SPRAT_CONV_BIAS32)) == 0);
  SPRAT_CHECK(in->present && in->type == SPRAT_INT16 && in->rank == 4);
  SPRAT_CHECK(f->present && f->type == SPRAT_INT8 && f->rank == 4);
  SPRAT_CHECK(out->type == SPRAT_INT16 && out->rank == 4);
  SPRAT_CHECK(sprat_shape_is(&p->in, in) && sprat_shape_is(&p->filter, f) && sprat_shape_is(&p->out, out));
  const sprat_shape4 is = p->in, fs = p->filter, os = p->out;
  SPRAT_CHECK(is.n == os.n && p->input_offset == 0 && p->output_offset == 0);
  SPRAT_CHECK(p->act_min >= INT16_MIN && p->act_min <= p->act_max && p->act_max <= INT16_MAX);
  SPRAT_CHECK(p->stride_h >= 1 && p->stride_w >= 1 && p->stride_h <= (1 << 16) && p->stride_w <= (1 << 16));
  SPRAT_CHECK(p->dilation_h >= 1 && p->dilation_w >= 1 && p->dilation_h <= (1 << 16) && p->dilation_w <= (1 << 16));
  SPRAT_CHECK(p->pad_top >= -(1 << 16) && p->pad_top <= (1 << 16) && p->pad_left >= -(1 << 16) && p->pad_left <= (1 << 16));
  // Every window coordinate the kernel forms stays far inside int32.
  SPRAT_CHECK((int64_t)(os.h - 1) * p->stride_h + (int64_t)(fs.h - 1) * p->dilation_h <= (1 << 30));
  SPRAT_CHECK((int64_t)(os.w - 1) * p->stride_w + (int64_t)(fs.w - 1) * p->dilation_w <= (1 << 30));
  // At most 2^32 products of at most 2^22 in the 64-bit sum.
  SPRAT_CHECK(fs.c <= (1 << 16) && (int64_t)fs.h * fs.w <= (1 << 16));
  if (depthwise) {
    SPRAT_CHECK(fs.n == 1 && p->depth_multiplier >= 1 && fs.c == os.c && (int64_t)is.c * p->depth_multiplier == os.c);
  } else {
    SPRAT_CHECK(fs.n == os.c && fs.c >= 1 && is.c % fs.c == 0 && os.c % (is.c / fs.c) == 0);
  }
  const int bias32 = (p->flags & SPRAT_CONV_BIAS32) != 0;
  if (c->in[2].present) SPRAT_CHECK(sprat_is(&c->in[2], bias32 ? SPRAT_INT32 : SPRAT_INT64, (uint32_t)os.c));
  SPRAT_CHECK(sprat_is_const(&c->in[3], SPRAT_INT32, (uint32_t)os.c) &&
              sprat_is_const(&c->in[4], SPRAT_INT32, (uint32_t)os.c));
  const int32_t *m = (const int32_t *)(const void *)c->in[3].data, *s = (const int32_t *)(const void *)c->in[4].data;
  for (int32_t i = 0; i < os.c; ++i) {
    SPRAT_CHECK(sprat_multiplier_ok(m[i]) && sprat_shift_ok(s[i]));
    if (!bias32) SPRAT_CHECK(s[i] <= 7);  // sprat_mbqm64 shifts right by 15 - shift
  }
  return SPRAT_OK;
}

static sprat_status check_conv_s16(const sprat_op_ctx *c) { return check_s16(c, 0); }
static sprat_status check_dw_s16(const sprat_op_ctx *c) { return check_s16(c, 1); }

static void run_conv_s16(const sprat_layer *l) {
  const sprat_conv_params *p = (const sprat_conv_params *)l->params;
  sprat_conv2d_s16(p, (const int16_t *)l->data[0], (const int8_t *)l->data[1], l->data[2],
                   (const int32_t *)l->data[3], (const int32_t *)l->data[4], (int16_t *)l->data[5], 0, p->out.h);
}

static void run_dw_s16(const sprat_layer *l) {
  const sprat_conv_params *p = (const sprat_conv_params *)l->params;
  sprat_depthwise_conv2d_s16(p, (const int16_t *)l->data[0], (const int8_t *)l->data[1], (const int64_t *)l->data[2],
                             (const int32_t *)l->data[3], (const int32_t *)l->data[4], (int16_t *)l->data[5], 0,
                             p->out.h);
}

const sprat_op_registration sprat_op_conv_2d_s16 = {SPRAT_OP_CONV_2D_S16, "CONV_2D_S16", check_conv_s16, run_conv_s16};
const sprat_op_registration sprat_op_depthwise_conv_2d_s16 = {SPRAT_OP_DEPTHWISE_CONV_2D_S16, "DEPTHWISE_CONV_2D_S16",
                                                              check_dw_s16, run_dw_s16};

// TRANSPOSE_CONV 16x8: int64 bias (TFLite's only one here), int64 accumulators in scratch.
static sprat_status check_transpose_s16(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_conv_params)) && c->n_in == 5 && c->n_scratch == 1);
  const sprat_conv_params *p = (const sprat_conv_params *)(const void *)c->params;
  const sprat_tview *in = &c->in[0], *f = &c->in[1], *out = &c->out[0];
  SPRAT_CHECK(p->layout == SPRAT_LAYOUT_PLAIN && p->flags == 0);
  SPRAT_CHECK(in->present && in->type == SPRAT_INT16 && in->rank == 4);
  SPRAT_CHECK(f->present && f->type == SPRAT_INT8 && f->rank == 4);
  SPRAT_CHECK(out->type == SPRAT_INT16 && out->rank == 4);
  SPRAT_CHECK(sprat_shape_is(&p->in, in) && sprat_shape_is(&p->filter, f) && sprat_shape_is(&p->out, out));
  SPRAT_CHECK(p->in.n == p->out.n && p->filter.n == p->out.c && p->filter.c == p->in.c);
  SPRAT_CHECK(p->input_offset == 0 && p->output_offset == 0);
  SPRAT_CHECK(p->act_min >= INT16_MIN && p->act_min <= p->act_max && p->act_max <= INT16_MAX);
  SPRAT_CHECK(p->stride_h >= 1 && p->stride_w >= 1 && p->stride_h <= (1 << 16) && p->stride_w <= (1 << 16));
  SPRAT_CHECK(p->pad_top >= -(1 << 16) && p->pad_top <= (1 << 16) && p->pad_left >= -(1 << 16) && p->pad_left <= (1 << 16));
  SPRAT_CHECK(sprat_is(&c->scratch[0], SPRAT_INT64, c->out[0].count));
  const int32_t oc = p->out.c;
  if (c->in[2].present) SPRAT_CHECK(sprat_is(&c->in[2], SPRAT_INT64, (uint32_t)oc));
  SPRAT_CHECK(sprat_is_const(&c->in[3], SPRAT_INT32, (uint32_t)oc) && sprat_is_const(&c->in[4], SPRAT_INT32, (uint32_t)oc));
  const int32_t *m = (const int32_t *)(const void *)c->in[3].data, *s = (const int32_t *)(const void *)c->in[4].data;
  for (int32_t i = 0; i < oc; ++i) SPRAT_CHECK(sprat_multiplier_ok(m[i]) && sprat_shift_ok(s[i]) && s[i] <= 7);
  return SPRAT_OK;
}

static void run_transpose_s16(const sprat_layer *l) {
  sprat_transpose_conv_s16((const sprat_conv_params *)l->params, (const int16_t *)l->data[0],
                           (const int8_t *)l->data[1], (const int64_t *)l->data[2], (const int32_t *)l->data[3],
                           (const int32_t *)l->data[4], (int16_t *)l->data[5], (int64_t *)l->data[6]);
}

const sprat_op_registration sprat_op_transpose_conv_s16 = {SPRAT_OP_TRANSPOSE_CONV_S16, "TRANSPOSE_CONV_S16",
                                                           check_transpose_s16, run_transpose_s16};
