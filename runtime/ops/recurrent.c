// UNIDIRECTIONAL_SEQUENCE_LSTM, int8 (kernels/portable/lstm_s8.c).
// Inputs: input, the input-to-gate weights [n_cell, n_input] of the input,
// forget, cell and output gates, the recurrent-to-gate weights [n_cell,
// n_cell] of the same, the folded biases (8 * n_cell int32), the output
// state (int8) and the cell state (int16), both updated in place: TFLite
// variables, which the converter makes STATE tensors.
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

static int is_weights(const sprat_tview *t, int32_t rows, int32_t cols) {
  return t->present && t->is_const && t->type == SPRAT_INT8 && t->rank == 2 && t->dims[0] == rows &&
         t->dims[1] == cols;
}

static sprat_status check(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_lstm_s8_params)) && c->n_in == 12 && c->n_scratch == 0);
  const sprat_lstm_s8_params *p = (const sprat_lstm_s8_params *)(const void *)c->params;
  const sprat_tview *in = &c->in[0], *bias = &c->in[9], *h = &c->in[10], *cell = &c->in[11], *out = &c->out[0];
  // Every count below is a tensor's, within 2^32; the kernel's offsets are
  // size_t products of them.
  const int64_t rows = sprat_product4(p->batches, p->steps, 1, 1);
  SPRAT_CHECK(rows > 0 && p->n_input >= 1 && p->n_cell >= 1);
  SPRAT_CHECK(p->time_major == 0 || p->time_major == 1);
  SPRAT_CHECK(in->present && in->type == SPRAT_INT8 && (int64_t)in->count == rows * p->n_input);
  SPRAT_CHECK(out->type == SPRAT_INT8 && (int64_t)out->count == rows * p->n_cell);
  for (int k = 0; k < 4; ++k) {
    SPRAT_CHECK(is_weights(&c->in[1 + k], p->n_cell, p->n_input));
    SPRAT_CHECK(is_weights(&c->in[5 + k], p->n_cell, p->n_cell));
  }
  const int64_t n_bias = sprat_product4(p->n_cell, 8, 1, 1);
  SPRAT_CHECK(n_bias > 0 && n_bias < ((int64_t)1 << 32) && sprat_is_const(bias, SPRAT_INT32, (uint32_t)n_bias));
  // The states are written: arena bytes (a STATE tensor), never a constant.
  const int64_t state = sprat_product4(p->batches, p->n_cell, 1, 1);
  SPRAT_CHECK(state > 0 && h->present && !h->is_const && h->type == SPRAT_INT8 && (int64_t)h->count == state);
  SPRAT_CHECK(cell->present && !cell->is_const && cell->type == SPRAT_INT16 && (int64_t)cell->count == state);
  SPRAT_CHECK(p->cell_scale_log2 >= -15 && p->cell_scale_log2 <= -9);
  SPRAT_CHECK(p->cell_clip >= 0 && p->cell_clip <= 32767 && sprat_zero_point_ok(p->hidden_zp));
  SPRAT_CHECK(sprat_multiplier_ok(p->hidden_multiplier) && sprat_shift_ok(p->hidden_shift));
  for (int k = 0; k < 8; ++k) SPRAT_CHECK(sprat_multiplier_ok(p->multiplier[k]) && sprat_shift_ok(p->shift[k]));
  return SPRAT_OK;
}

static void run(const sprat_layer *l) {
  const int8_t *w_in[4], *w_rec[4];
  for (int k = 0; k < 4; ++k) {
    w_in[k] = (const int8_t *)l->data[1 + k];
    w_rec[k] = (const int8_t *)l->data[5 + k];
  }
  sprat_lstm_s8((const sprat_lstm_s8_params *)l->params, (const int8_t *)l->data[0], w_in, w_rec,
                (const int32_t *)l->data[9], (int8_t *)l->data[10], (int16_t *)l->data[11], (int8_t *)l->data[12]);
}

const sprat_op_registration sprat_op_unidirectional_sequence_lstm = {SPRAT_OP_UNIDIRECTIONAL_SEQUENCE_LSTM,
                                                                     "UNIDIRECTIONAL_SEQUENCE_LSTM", check, run};
