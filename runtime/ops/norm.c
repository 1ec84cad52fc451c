// The norm family: SUM, MEAN, REDUCE_MIN and REDUCE_MAX over any axes
// (REDUCE_ND), CUMSUM, L2_NORMALIZATION, LOG_SOFTMAX, L2_POOL_2D,
// RESIZE_BILINEAR (int16 RESIZE_NEAREST is movement.c's). Every record field that
// indexes memory is checked against the tensors here.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static int int_range(uint8_t type, int32_t *lo, int32_t *hi) {
  if (type == SPRAT_INT8) {
    *lo = -128, *hi = 127;
    return 1;
  }
  if (type == SPRAT_INT16) {
    *lo = -32768, *hi = 32767;
    return 1;
  }
  return 0;
}

// dims >= 1 and strides >= 0 over n dimensions; *count their product (each
// step bounded by 2^32, as any tensor's count) and *span the last offset.
static int walk_ok(int32_t n, const int32_t *dims, const int32_t *strides, int64_t *count, int64_t *span) {
  if (n < 0 || n > SPRAT_MAX_DIMS) return 0;
  *count = 1, *span = 0;
  for (int32_t d = 0; d < n; ++d) {
    if (dims[d] < 1 || strides[d] < 0) return 0;
    *count *= dims[d];
    *span += (int64_t)(dims[d] - 1) * strides[d];  // below 2^31 * 2^31 per step
    if (*count > ((int64_t)1 << 32) || *span > ((int64_t)1 << 32)) return 0;
  }
  return 1;
}

static sprat_status check_reduce_nd(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_reduce_nd_params)) && c->n_in == 1 && c->in[0].present);
  const sprat_reduce_nd_params *p = (const sprat_reduce_nd_params *)(const void *)c->params;
  int32_t lo, hi;
  SPRAT_CHECK(int_range(c->in[0].type, &lo, &hi) && p->type == c->in[0].type && c->out[0].type == c->in[0].type);
  SPRAT_CHECK(p->kind == SPRAT_REDUCE_SUM || p->kind == SPRAT_REDUCE_MIN || p->kind == SPRAT_REDUCE_MAX);
  int64_t outputs, out_span, reduced, red_span;
  SPRAT_CHECK(walk_ok(p->n_out, p->out_dims, p->out_strides, &outputs, &out_span));
  SPRAT_CHECK(walk_ok(p->n_red, p->red_dims, p->red_strides, &reduced, &red_span));
  // The kernel's int32 offsets stay below the input's count.
  SPRAT_CHECK(c->in[0].count <= 0x7FFFFFFF);
  SPRAT_CHECK(outputs == (int64_t)c->out[0].count && out_span + red_span < (int64_t)c->in[0].count);
  SPRAT_CHECK(outputs * reduced == (int64_t)c->in[0].count);
  if (p->kind == SPRAT_REDUCE_SUM) {
    SPRAT_CHECK(p->input_zero_point >= lo && p->input_zero_point <= hi);
    SPRAT_CHECK(p->output_zero_point >= lo && p->output_zero_point <= hi);
    SPRAT_CHECK(sprat_shift_ok(p->shift) && sprat_multiplier_ok(p->multiplier));
  }
  return SPRAT_OK;
}

static void run_reduce_nd(const sprat_layer *l) {
  sprat_reduce_nd((const sprat_reduce_nd_params *)(const void *)l->params, l->data[0], l->data[1]);
}

static sprat_status check_cumsum(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_cumsum_params)) && c->n_in == 1 && c->in[0].present);
  const sprat_cumsum_params *p = (const sprat_cumsum_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].type == SPRAT_INT8 && c->out[0].type == SPRAT_INT8);
  const int64_t n = sprat_product4(p->outer, p->depth, p->inner, 1);
  SPRAT_CHECK(n == (int64_t)c->in[0].count && n == (int64_t)c->out[0].count);
  SPRAT_CHECK(p->exclusive == 0 || p->exclusive == 1);
  SPRAT_CHECK(p->reverse == 0 || p->reverse == 1);
  // The offsets are zero points; the kernel shifts (x + offset) left.
  SPRAT_CHECK(p->input_offset >= -127 && p->input_offset <= 128 && sprat_zero_point_ok(p->output_offset));
  SPRAT_CHECK(p->left_shift >= 0 && p->left_shift <= 22);
  SPRAT_CHECK(sprat_shift_ok(p->input_shift) && sprat_multiplier_ok(p->input_multiplier));
  SPRAT_CHECK(sprat_shift_ok(p->output_shift) && sprat_multiplier_ok(p->output_multiplier));
  return SPRAT_OK;
}

static void run_cumsum(const sprat_layer *l) {
  sprat_cumsum_s8((const sprat_cumsum_params *)(const void *)l->params, (const int8_t *)l->data[0],
                  (int8_t *)l->data[1]);
}

static sprat_status check_l2norm(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_l2norm_params)) && c->n_in == 1 && c->in[0].present);
  const sprat_l2norm_params *p = (const sprat_l2norm_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].type == SPRAT_INT8 && c->out[0].type == SPRAT_INT8);
  const int64_t n = sprat_product4(p->rows, p->depth, 1, 1);
  SPRAT_CHECK(n == (int64_t)c->in[0].count && n == (int64_t)c->out[0].count);
  SPRAT_CHECK(sprat_zero_point_ok(p->input_zero_point));
  return SPRAT_OK;
}

static void run_l2norm(const sprat_layer *l) {
  sprat_l2_normalization_s8((const sprat_l2norm_params *)(const void *)l->params, (const int8_t *)l->data[0],
                            (int8_t *)l->data[1]);
}

static sprat_status check_log_softmax(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_log_softmax_params)) && c->n_in == 1 && c->in[0].present);
  const sprat_log_softmax_params *p = (const sprat_log_softmax_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].type == SPRAT_INT8 && c->out[0].type == SPRAT_INT8);
  const int64_t n = sprat_product4(p->rows, p->depth, 1, 1);
  SPRAT_CHECK(n == (int64_t)c->in[0].count && n == (int64_t)c->out[0].count);
  // The Q12.19 sum of up to `depth` values of at most 1 stays positive (the
  // log's arithmetic needs it), and every difference the kernel shifts
  // (those >= diff_min) fits int32.
  SPRAT_CHECK(p->depth < (1 << 12) && p->input_left_shift >= 0 && p->input_left_shift <= 30);
  SPRAT_CHECK(sprat_multiplier_ok(p->input_multiplier) && p->diff_min <= 0);
  const int64_t widest = p->diff_min < -255 ? 255 : -(int64_t)p->diff_min;  // int8 differences
  SPRAT_CHECK((widest << p->input_left_shift) <= INT32_MAX);
  SPRAT_CHECK(p->reverse_scaling_right_shift >= 0 && p->reverse_scaling_right_shift <= 31 &&
              sprat_multiplier_ok(p->reverse_scaling_divisor));
  return SPRAT_OK;
}

static void run_log_softmax(const sprat_layer *l) {
  sprat_log_softmax_s8((const sprat_log_softmax_params *)(const void *)l->params, (const int8_t *)l->data[0],
                       (int8_t *)l->data[1]);
}

static sprat_status check_l2_pool(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_l2_pool_params)) && c->n_in == 1 && c->in[0].present);
  const sprat_l2_pool_params *p = (const sprat_l2_pool_params *)(const void *)c->params;
  SPRAT_CHECK(c->in[0].type == SPRAT_FLOAT32 && c->out[0].type == SPRAT_FLOAT32);
  SPRAT_CHECK(sprat_shape_is(&p->in, &c->in[0]) && sprat_shape_is(&p->out, &c->out[0]));
  SPRAT_CHECK(sprat_product4(p->in.n, p->in.h, p->in.w, p->in.c) > 0 &&
              sprat_product4(p->out.n, p->out.h, p->out.w, p->out.c) > 0);
  SPRAT_CHECK(p->in.n == p->out.n && p->in.c == p->out.c);
  SPRAT_CHECK(p->stride_h >= 1 && p->stride_w >= 1 && p->filter_h >= 1 && p->filter_w >= 1);
  SPRAT_CHECK(p->stride_h <= (1 << 16) && p->stride_w <= (1 << 16) && p->filter_h <= (1 << 16) &&
              p->filter_w <= (1 << 16));
  SPRAT_CHECK(p->pad_top >= 0 && p->pad_left >= 0 && p->pad_top < p->filter_h && p->pad_left < p->filter_w);
  // The last window starts inside the input: the kernel's clamped windows
  // then read only inside it, and the products stay within int32.
  SPRAT_CHECK((int64_t)(p->out.h - 1) * p->stride_h - p->pad_top < p->in.h);
  SPRAT_CHECK((int64_t)(p->out.w - 1) * p->stride_w - p->pad_left < p->in.w);
  return SPRAT_OK;
}

static void run_l2_pool(const sprat_layer *l) {
  sprat_l2_pool2d_f32((const sprat_l2_pool_params *)(const void *)l->params, (const float *)l->data[0],
                      (float *)l->data[1]);
}

// The (y0, y1, weight) triples of a resize axis, in the blob's constants.
static int triples_ok(const sprat_tview *t, int32_t n, int32_t in_size) {
  if (!sprat_is_const(t, SPRAT_INT32, (uint32_t)n * 3u)) return 0;
  const int32_t *v = (const int32_t *)(const void *)t->data;
  for (int32_t i = 0; i < n; ++i) {
    if (v[3 * i] < 0 || v[3 * i] >= in_size || v[3 * i + 1] < 0 || v[3 * i + 1] >= in_size) return 0;
    if (v[3 * i + 2] < -2048 || v[3 * i + 2] > 2048) return 0;  // the int64 products stay small
  }
  return 1;
}

static sprat_status check_resize_bilinear(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_resize_bilinear_params)) && c->n_in == 3 && c->in[0].present);
  const sprat_resize_bilinear_params *p = (const sprat_resize_bilinear_params *)(const void *)c->params;
  int32_t lo, hi;
  SPRAT_CHECK(int_range(c->in[0].type, &lo, &hi) && p->type == c->in[0].type && c->out[0].type == c->in[0].type);
  const int64_t n_in = sprat_product4(p->batches, p->in_h, p->in_w, p->channels);
  const int64_t n_out = sprat_product4(p->batches, p->out_h, p->out_w, p->channels);
  SPRAT_CHECK(n_in > 0 && n_out > 0 && n_in == (int64_t)c->in[0].count && n_out == (int64_t)c->out[0].count);
  SPRAT_CHECK(p->out_h <= (1 << 24) && p->out_w <= (1 << 24));
  SPRAT_CHECK(triples_ok(&c->in[1], p->out_h, p->in_h) && triples_ok(&c->in[2], p->out_w, p->in_w));
  return SPRAT_OK;
}

static void run_resize_bilinear(const sprat_layer *l) {
  sprat_resize_bilinear((const sprat_resize_bilinear_params *)(const void *)l->params,
                        (const int32_t *)(const void *)l->data[1], (const int32_t *)(const void *)l->data[2],
                        l->data[0], l->data[3]);
}


const sprat_op_registration sprat_op_reduce_nd = {SPRAT_OP_REDUCE_ND, "REDUCE_ND", check_reduce_nd, run_reduce_nd};
const sprat_op_registration sprat_op_cumsum = {SPRAT_OP_CUMSUM, "CUMSUM", check_cumsum, run_cumsum};
const sprat_op_registration sprat_op_l2_normalization = {SPRAT_OP_L2_NORMALIZATION, "L2_NORMALIZATION", check_l2norm,
                                                         run_l2norm};
const sprat_op_registration sprat_op_log_softmax = {SPRAT_OP_LOG_SOFTMAX, "LOG_SOFTMAX", check_log_softmax,
                                                    run_log_softmax};
const sprat_op_registration sprat_op_l2_pool_2d = {SPRAT_OP_L2_POOL_2D, "L2_POOL_2D", check_l2_pool, run_l2_pool};
const sprat_op_registration sprat_op_resize_bilinear = {SPRAT_OP_RESIZE_BILINEAR, "RESIZE_BILINEAR",
                                                        check_resize_bilinear, run_resize_bilinear};
