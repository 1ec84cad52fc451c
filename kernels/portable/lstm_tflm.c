// UNIDIRECTIONAL_SEQUENCE_LSTM as TFLM computes it (its general integer
// LSTM, kernels/lstm_eval.h): int8 activations with int32 biases, or 16x8
// (int16 activations, int64 biases); int8 weights, int16 cell state; no
// CIFG, peephole, projection or layer normalisation.
//
// Per step and batch row, each gate of cell j is
//   sat16(sat16(mbq(b_in + W x)) + sat16(mbq(b_rec + R h)))
// in Q3.12 (zero points folded into the biases offline; int32 sums wrap,
// 16x8's are int64 requantized with TFLite's 64-bit rounding); sigmoid and
// tanh are TFLite's int16 LOGISTIC/TANH on its sigmoid table. Then
//   c = clip(sat16(mbqm(f c) + mbqm(i g)))    (two int16 Muls, then a sum)
//   h = clamp(zp + mbqm(o tanh(c)))          (tanh rescaled for c's scale)
// Each cell's gates are computed together and its new h written to the
// output row, which becomes the output state once every cell has read the
// old one: no gate buffers, one walk for both layouts (batch rows are
// independent, as TFLM's batch-major loop shows).
#include <string.h>

#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

// b + w . v in int64: products below 2^22, counts below 2^32.
static int64_t dot_s16(int64_t b, const int8_t *w, const int16_t *v, int32_t n) {
  int64_t acc = 0;
  for (int32_t d = 0; d < n; ++d) acc += (int32_t)w[d] * v[d];
  return (int64_t)((uint64_t)acc + (uint64_t)b);  // a crafted bias may overflow
}

// TFLite's int16 Mul of two Q0.15 values (zero points 0), requantized.
static int32_t mul_q15(int16_t a, int16_t b, int32_t multiplier, int32_t shift) {
  return sprat_mbqm((int32_t)a * b, multiplier, shift);
}

static void run(const sprat_lstm_tflm_params *p, const uint16_t *table, const void *in, const int8_t *const w_in[4],
                const int8_t *const w_rec[4], const void *bias, void *output_state, int16_t *cell_state, void *out,
                int wide) {
  const int32_t nb = p->batches, nt = p->steps, ni = p->n_input, nc = p->n_cell;
  const size_t elem = wide ? 2 : 1;
  const int32_t lo = wide ? INT16_MIN : INT8_MIN, hi = wide ? INT16_MAX : INT8_MAX;
  // TFLM's gate activations take the power-of-two input rescale (3, 0):
  // Q3.12 in; the cell's tanh the rescale of its scale.
  const sprat_sigmoid_s16_params gates = {3, 3, 0}, cell_gate = {1, 3, 0};
  const sprat_sigmoid_s16_params cell_tanh = {1, p->tanh_multiplier, p->tanh_shift};
  for (int32_t b = 0; b < nb; ++b) {
    uint8_t *h = (uint8_t *)output_state + (size_t)b * nc * elem;
    int16_t *c = cell_state + (size_t)b * nc;
    for (int32_t t = 0; t < nt; ++t) {
      const size_t row = p->time_major ? (size_t)t * nb + b : (size_t)b * nt + t;
      const uint8_t *x = (const uint8_t *)in + row * ni * elem;
      uint8_t *o = (uint8_t *)out + row * nc * elem;
      for (int32_t j = 0; j < nc; ++j) {
        // TFLM's gate order is forget, input, cell, output; each gate is
        // independent of the others. Here: input, forget, output, cell.
        static const int order[4] = {0, 1, 3, 2};
        int16_t g[4];
        for (int q = 0; q < 4; ++q) {
          const int k = order[q];
          const size_t bi = (size_t)k * nc + j, br = (size_t)(4 + k) * nc + j;
          int16_t from_in, from_rec;
          if (wide) {
            const int64_t *b64 = (const int64_t *)bias;
            const int16_t *x16 = (const int16_t *)(const void *)x, *h16 = (const int16_t *)(const void *)h;
            from_in = sprat_sat16(sprat_mbqm64(dot_s16(b64[bi], w_in[k] + (size_t)j * ni, x16, ni), p->multiplier[k],
                                         p->shift[k]));
            from_rec = sprat_sat16(sprat_mbqm64(dot_s16(b64[br], w_rec[k] + (size_t)j * nc, h16, nc), p->multiplier[4 + k],
                                          p->shift[4 + k]));
          } else {
            const int32_t *b32 = (const int32_t *)bias;
            from_in = sprat_sat16(sprat_mbqm(sprat_dot_s8(b32[bi], w_in[k] + (size_t)j * ni, (const int8_t *)x, ni),
                                       p->multiplier[k], p->shift[k]));
            from_rec = sprat_sat16(sprat_mbqm(sprat_dot_s8(b32[br], w_rec[k] + (size_t)j * nc, (const int8_t *)h, nc),
                                        p->multiplier[4 + k], p->shift[4 + k]));
          }
          g[q] = sprat_sat16((int32_t)from_in + from_rec);
        }
        sprat_portable_logistic_s16(&gates, table, g, g);
        sprat_portable_tanh_s16(&cell_gate, table, g + 3, g + 3);
        const int16_t kept = sprat_sat16(mul_q15(g[1], c[j], p->forget_multiplier, p->forget_shift));
        const int16_t added = sprat_sat16(mul_q15(g[0], g[3], p->input_multiplier, p->input_shift));
        int16_t cell = sprat_sat16((int32_t)kept + added);
        if (p->cell_clip >= 0) {
          const int16_t clip = (int16_t)p->cell_clip;
          cell = cell > clip ? clip : (cell < -clip ? (int16_t)-clip : cell);
        }
        c[j] = cell;
        int16_t tc;
        sprat_portable_tanh_s16(&cell_tanh, table, &cell, &tc);
        const int32_t hv = sprat_clamp(
            sprat_wrap_add(p->hidden_zp, mul_q15(tc, g[2], p->hidden_multiplier, p->hidden_shift)), lo, hi);
        if (wide)
          ((int16_t *)(void *)o)[j] = (int16_t)hv;
        else
          ((int8_t *)o)[j] = (int8_t)hv;
      }
      memmove(h, o, (size_t)nc * elem);  // distinct buffers in any plan; a crafted blob may overlap them
    }
  }
}

void sprat_portable_lstm_tflm_s8(const sprat_lstm_tflm_params *p, const uint16_t *table, const int8_t *in,
                                 const int8_t *const w_in[4], const int8_t *const w_rec[4], const int32_t *bias,
                                 int8_t *output_state, int16_t *cell_state, int8_t *out) {
  run(p, table, in, w_in, w_rec, bias, output_state, cell_state, out, 0);
}

void sprat_portable_lstm_tflm_s16(const sprat_lstm_tflm_params *p, const uint16_t *table, const int16_t *in,
                                  const int8_t *const w_in[4], const int8_t *const w_rec[4], const int64_t *bias,
                                  int16_t *output_state, int16_t *cell_state, int16_t *out) {
  run(p, table, in, w_in, w_rec, bias, output_state, cell_state, out, 1);
}
