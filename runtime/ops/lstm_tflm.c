// UNIDIRECTIONAL_SEQUENCE_LSTM as TFLM computes it, int8 (opcode
// UNIDIRECTIONAL_SEQUENCE_LSTM_TFLM) and 16x8 (UNIDIRECTIONAL_SEQUENCE_LSTM_S16);
// kernels/portable/lstm_tflm.c. Inputs: input, the input-to-gate weights
// [n_cell, n_input] of the input, forget, cell and output gates, the
// recurrent-to-gate weights [n_cell, n_cell] of the same, the folded biases
// (8 * n_cell, int32 or int64), TFLite's sigmoid table (256 x u16, held as
// int16), the output state and the cell state (int16), both updated in
// place: TFLite variables, which the converter makes STATE tensors.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static int is_weights(const sprat_tview *t, int32_t rows, int32_t cols) {
  return t->present && t->is_const && t->type == SPRAT_INT8 && t->rank == 2 && t->dims[0] == rows &&
         t->dims[1] == cols;
}

static sprat_status check(const sprat_op_ctx *c, int wide) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_lstm_tflm_params)) && c->n_in == 13 && c->n_scratch == 0);
  const sprat_lstm_tflm_params *p = (const sprat_lstm_tflm_params *)(const void *)c->params;
  const sprat_tview *in = &c->in[0], *bias = &c->in[9], *table = &c->in[10], *h = &c->in[11], *cell = &c->in[12];
  const sprat_tview *out = &c->out[0];
  const uint8_t act = wide ? SPRAT_INT16 : SPRAT_INT8;
  // Every count below is a tensor's, within 2^32; the kernel's offsets are
  // size_t products of them.
  const int64_t rows = sprat_product4(p->batches, p->steps, 1, 1);
  SPRAT_CHECK(rows > 0 && p->n_input >= 1 && p->n_cell >= 1);
  SPRAT_CHECK(p->time_major == 0 || p->time_major == 1);
  SPRAT_CHECK(in->present && in->type == act && (int64_t)in->count == rows * p->n_input);
  SPRAT_CHECK(out->type == act && (int64_t)out->count == rows * p->n_cell);
  for (int k = 0; k < 4; ++k) {
    SPRAT_CHECK(is_weights(&c->in[1 + k], p->n_cell, p->n_input));
    SPRAT_CHECK(is_weights(&c->in[5 + k], p->n_cell, p->n_cell));
  }
  const int64_t n_bias = sprat_product4(p->n_cell, 8, 1, 1);
  SPRAT_CHECK(n_bias > 0 && n_bias < ((int64_t)1 << 32) &&
              sprat_is_const(bias, wide ? SPRAT_INT64 : SPRAT_INT32, (uint32_t)n_bias));
  // A nondecreasing table keeps the interpolation within 2^25 (sigmoid_s16.c).
  SPRAT_CHECK(sprat_is_const(table, SPRAT_INT16, 256));
  const uint16_t *t = (const uint16_t *)(const void *)table->data;
  for (int i = 1; i < 256; ++i) SPRAT_CHECK(t[i] >= t[i - 1]);
  // The states are written: arena bytes (a STATE tensor), never a constant.
  const int64_t state = sprat_product4(p->batches, p->n_cell, 1, 1);
  SPRAT_CHECK(state > 0 && h->present && !h->is_const && h->type == act && (int64_t)h->count == state);
  SPRAT_CHECK(cell->present && !cell->is_const && cell->type == SPRAT_INT16 && (int64_t)cell->count == state);
  SPRAT_CHECK(p->cell_clip >= -1 && p->cell_clip <= 32767);
  SPRAT_CHECK(wide ? (p->hidden_zp >= INT16_MIN && p->hidden_zp <= INT16_MAX) : sprat_zero_point_ok(p->hidden_zp));
  // The tanh kernel's rescale: |x * multiplier| below 2^30.
  SPRAT_CHECK(p->tanh_multiplier >= 1 && p->tanh_multiplier <= 32767 && p->tanh_shift >= 0 && p->tanh_shift <= 31);
  SPRAT_CHECK(sprat_multiplier_ok(p->forget_multiplier) && sprat_shift_ok(p->forget_shift));
  SPRAT_CHECK(sprat_multiplier_ok(p->input_multiplier) && sprat_shift_ok(p->input_shift));
  SPRAT_CHECK(sprat_multiplier_ok(p->hidden_multiplier) && sprat_shift_ok(p->hidden_shift));
  // 16x8's 64-bit requantization shifts right by 15 - shift: at least 1.
  for (int k = 0; k < 8; ++k)
    SPRAT_CHECK(sprat_multiplier_ok(p->multiplier[k]) && sprat_shift_ok(p->shift[k]) && (!wide || p->shift[k] <= 14));
  return SPRAT_OK;
}

static sprat_status check_s8(const sprat_op_ctx *c) { return check(c, 0); }
static sprat_status check_s16(const sprat_op_ctx *c) { return check(c, 1); }

static void weights(const sprat_layer *l, const int8_t *w_in[4], const int8_t *w_rec[4]) {
  for (int k = 0; k < 4; ++k) {
    w_in[k] = (const int8_t *)l->data[1 + k];
    w_rec[k] = (const int8_t *)l->data[5 + k];
  }
}

static void run_s8(const sprat_layer *l) {
  const int8_t *w_in[4], *w_rec[4];
  weights(l, w_in, w_rec);
  sprat_lstm_tflm_s8((const sprat_lstm_tflm_params *)l->params, (const uint16_t *)l->data[10],
                     (const int8_t *)l->data[0], w_in, w_rec, (const int32_t *)l->data[9], (int8_t *)l->data[11],
                     (int16_t *)l->data[12], (int8_t *)l->data[13]);
}

static void run_s16(const sprat_layer *l) {
  const int8_t *w_in[4], *w_rec[4];
  weights(l, w_in, w_rec);
  sprat_lstm_tflm_s16((const sprat_lstm_tflm_params *)l->params, (const uint16_t *)l->data[10],
                      (const int16_t *)l->data[0], w_in, w_rec, (const int64_t *)l->data[9], (int16_t *)l->data[11],
                      (int16_t *)l->data[12], (int16_t *)l->data[13]);
}

const sprat_op_registration sprat_op_lstm_tflm_s8 = {SPRAT_OP_UNIDIRECTIONAL_SEQUENCE_LSTM_TFLM,
                                                     "UNIDIRECTIONAL_SEQUENCE_LSTM_TFLM", check_s8, run_s8};
const sprat_op_registration sprat_op_lstm_tflm_s16 = {SPRAT_OP_UNIDIRECTIONAL_SEQUENCE_LSTM_S16,
                                                      "UNIDIRECTIONAL_SEQUENCE_LSTM_S16", check_s16, run_s16};
