// TFLM's Signal ops (custom ops of audio front ends). Each record is
// checked against its tensors here, so that no crafted blob makes a kernel
// index out of bounds: the filter bank's index arrays are constants read at
// init, the states' fill counts are clamped by their kernels. An op TFLM
// gives two outputs is two ops here (the second: FFT_AUTO_SCALE's scale
// bits, SIGNAL_VALID, a COPY of a state).
#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

#define P(type) const type *p = (const type *)(const void *)c->params

static int is_state(const sprat_tview *t, uint8_t type, int64_t count) {
  return t->present && !t->is_const && t->type == type && (int64_t)t->count == count;
}

// ---- WINDOW ------------------------------------------------------------------
static sprat_status check_window(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_signal_window_params)) && c->n_in == 2);
  P(sprat_signal_window_params);
  const int64_t n = sprat_product4(p->rows, p->size, 1, 1);
  SPRAT_CHECK(n > 0 && p->shift >= 0 && p->shift <= 31);
  SPRAT_CHECK(sprat_is(&c->in[0], SPRAT_INT16, (uint32_t)n) && sprat_is(&c->in[1], SPRAT_INT16, (uint32_t)p->size));
  SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_INT16, (uint32_t)n));
  return SPRAT_OK;
}

static void run_window(const sprat_layer *l) {
  sprat_signal_window_s16((const sprat_signal_window_params *)l->params, (const int16_t *)l->data[0],
                          (const int16_t *)l->data[1], (int16_t *)l->data[2]);
}

// ---- FFT_AUTO_SCALE: record {size, what}: 0 the scaled signal, 1 the shift ------
static sprat_status check_auto_scale(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, 2 * sizeof(int32_t)) && c->n_in == 1);
  const int32_t *p = (const int32_t *)(const void *)c->params;
  SPRAT_CHECK(p[0] >= 1 && (p[1] == 0 || p[1] == 1) && sprat_is(&c->in[0], SPRAT_INT16, (uint32_t)p[0]));
  if (p[1] == 0) SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_INT16, (uint32_t)p[0]));
  else SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_INT32, 1));
  return SPRAT_OK;
}

static void run_auto_scale(const sprat_layer *l) {
  const int32_t *p = (const int32_t *)l->params;
  if (p[1] == 0) {
    (void)sprat_signal_fft_auto_scale_s16(p[0], (const int16_t *)l->data[0], (int16_t *)l->data[1]);
  } else {
    *(int32_t *)l->data[1] = sprat_signal_fft_auto_scale_s16(p[0], (const int16_t *)l->data[0], NULL);
  }
}

// ---- RFFT / IRFFT ------------------------------------------------------------
static sprat_status check_fft(const sprat_op_ctx *c, uint8_t type, uint32_t elem, int inverse) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_signal_fft_params)) && c->n_in == 2 && c->n_scratch == 1);
  P(sprat_signal_fft_params);
  SPRAT_CHECK(p->fft_length >= 4 && p->fft_length <= (1 << 20) && p->fft_length % 2 == 0);
  const int32_t n = p->fft_length / 2;
  SPRAT_CHECK(p->n_factors >= 1 && p->n_factors <= SPRAT_SIGNAL_FFT_MAX_FACTORS);
  int64_t product = 1;
  for (int32_t s = 0; s < p->n_factors; ++s) {
    SPRAT_CHECK(p->factors[s] >= 2 && p->factors[s] <= 5);
    product *= p->factors[s];
    SPRAT_CHECK(product <= n);
  }
  SPRAT_CHECK(product == n && p->rows >= 1 && p->in_length >= 1);
  if (inverse) {
    SPRAT_CHECK(p->in_length >= n + 1);
    SPRAT_CHECK(sprat_is(&c->in[0], type, (uint32_t)sprat_product4(p->rows, p->in_length, 2, 1)));
    SPRAT_CHECK(sprat_is(&c->out[0], type, (uint32_t)sprat_product4(p->rows, p->fft_length, 1, 1)));
  } else {
    SPRAT_CHECK(p->in_length <= p->fft_length);
    SPRAT_CHECK(sprat_is(&c->in[0], type, (uint32_t)sprat_product4(p->rows, p->in_length, 1, 1)));
    SPRAT_CHECK(sprat_is(&c->out[0], type, (uint32_t)sprat_product4(p->rows, n + 1, 2, 1)));
  }
  SPRAT_CHECK(sprat_is_const(&c->in[1], type, (uint32_t)(2 * (n + n / 2))));
  // Of the sample type: the blob's checks put it at the samples' alignment.
  SPRAT_CHECK(c->scratch[0].type == type && c->scratch[0].bytes >= (uint32_t)n * 2u * elem);
  return SPRAT_OK;
}

static sprat_status check_rfft_s16(const sprat_op_ctx *c) { return check_fft(c, SPRAT_INT16, 2, 0); }
static sprat_status check_irfft_s16(const sprat_op_ctx *c) { return check_fft(c, SPRAT_INT16, 2, 1); }
static sprat_status check_rfft_s32(const sprat_op_ctx *c) { return check_fft(c, SPRAT_INT32, 4, 0); }
static sprat_status check_irfft_s32(const sprat_op_ctx *c) { return check_fft(c, SPRAT_INT32, 4, 1); }
static sprat_status check_rfft_f32(const sprat_op_ctx *c) { return check_fft(c, SPRAT_FLOAT32, 4, 0); }
static sprat_status check_irfft_f32(const sprat_op_ctx *c) { return check_fft(c, SPRAT_FLOAT32, 4, 1); }

#define FFT_RUN(name, T)                                                                                   \
  static void run_##name(const sprat_layer *l) {                                                         \
    sprat_signal_##name((const sprat_signal_fft_params *)l->params, (const T *)l->data[0],              \
                        (const T *)l->data[1], (T *)l->data[2], l->data[3]);                            \
  }
FFT_RUN(rfft_s16, int16_t)
FFT_RUN(irfft_s16, int16_t)
FFT_RUN(rfft_s32, int32_t)
FFT_RUN(irfft_s32, int32_t)
FFT_RUN(rfft_f32, float)
FFT_RUN(irfft_f32, float)

// ---- ENERGY ------------------------------------------------------------------
static sprat_status check_energy(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_signal_energy_params)) && c->n_in == 1);
  P(sprat_signal_energy_params);
  SPRAT_CHECK(p->size >= 1 && p->start >= 0 && p->end <= p->size);
  SPRAT_CHECK(c->in[0].present && c->in[0].type == SPRAT_INT16);
  if (p->start < p->end) SPRAT_CHECK(2 * (int64_t)p->end <= (int64_t)c->in[0].count);
  SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_UINT32, (uint32_t)p->size));
  return SPRAT_OK;
}

static void run_energy(const sprat_layer *l) {
  sprat_signal_energy_s16((const sprat_signal_energy_params *)l->params, (const int16_t *)l->data[0],
                          (uint32_t *)l->data[1]);
}

// ---- FILTER_BANK -------------------------------------------------------------
static sprat_status check_filter_bank(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_signal_filter_bank_params)) && c->n_in == 6);
  P(sprat_signal_filter_bank_params);
  SPRAT_CHECK(p->channels >= 1 && p->channels < (1 << 24) && p->input_size >= 1 && p->weights_size >= 1);
  SPRAT_CHECK(sprat_is(&c->in[0], SPRAT_UINT32, (uint32_t)p->input_size));
  SPRAT_CHECK(sprat_is_const(&c->in[1], SPRAT_INT16, (uint32_t)p->weights_size));
  SPRAT_CHECK(sprat_is_const(&c->in[2], SPRAT_INT16, (uint32_t)p->weights_size));
  for (int k = 3; k < 6; ++k) {
    const sprat_tview *t = &c->in[k];
    SPRAT_CHECK(t->present && t->is_const && t->type == SPRAT_INT16 && t->count >= (uint32_t)p->channels + 1u);
    SPRAT_CHECK(t->data != NULL);
  }
  const int16_t *freq = (const int16_t *)(const void *)c->in[3].data;
  const int16_t *wstart = (const int16_t *)(const void *)c->in[4].data;
  const int16_t *width = (const int16_t *)(const void *)c->in[5].data;
  for (int32_t ch = 0; ch <= p->channels; ++ch) {
    if (width[ch] <= 0) continue;  // no bins
    SPRAT_CHECK(freq[ch] >= 0 && (int32_t)freq[ch] + width[ch] <= p->input_size);
    SPRAT_CHECK(wstart[ch] >= 0 && (int32_t)wstart[ch] + width[ch] <= p->weights_size);
  }
  SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_UINT64, (uint32_t)p->channels));
  return SPRAT_OK;
}

static void run_filter_bank(const sprat_layer *l) {
  sprat_signal_filter_bank((const sprat_signal_filter_bank_params *)l->params, (const uint32_t *)l->data[0],
                           (const int16_t *)l->data[1], (const int16_t *)l->data[2], (const int16_t *)l->data[3],
                           (const int16_t *)l->data[4], (const int16_t *)l->data[5], (uint64_t *)l->data[6]);
}

// ---- FILTER_BANK_SQRT: record {channels} -------------------------------------
static sprat_status check_sqrt(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(int32_t)) && c->n_in == 2);
  const int32_t n = *(const int32_t *)(const void *)c->params;
  SPRAT_CHECK(n >= 1 && sprat_is(&c->in[0], SPRAT_UINT64, (uint32_t)n) && sprat_is(&c->in[1], SPRAT_INT32, 1));
  SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_UINT32, (uint32_t)n));
  return SPRAT_OK;
}

static void run_sqrt(const sprat_layer *l) {
  sprat_signal_filter_bank_sqrt(*(const int32_t *)l->params, (const uint64_t *)l->data[0],
                                *(const int32_t *)l->data[1], (uint32_t *)l->data[2]);
}

// ---- FILTER_BANK_LOG ---------------------------------------------------------
static sprat_status check_log(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_signal_log_params)) && c->n_in == 1);
  P(sprat_signal_log_params);
  SPRAT_CHECK(p->channels >= 1 && p->correction_bits >= 0 && p->correction_bits <= 31);
  SPRAT_CHECK(sprat_is(&c->in[0], SPRAT_UINT32, (uint32_t)p->channels));
  SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_INT16, (uint32_t)p->channels));
  return SPRAT_OK;
}

static void run_log(const sprat_layer *l) {
  sprat_signal_filter_bank_log((const sprat_signal_log_params *)l->params, (const uint32_t *)l->data[0],
                               (int16_t *)l->data[1]);
}

// ---- SPECTRAL_SUBTRACTION: input, the noise estimate (a STATE) ----------------
static sprat_status check_spectral(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_signal_spectral_subtraction_params)) && c->n_in == 2);
  P(sprat_signal_spectral_subtraction_params);
  SPRAT_CHECK(p->channels >= 1 && p->smoothing_bits >= 0 && p->smoothing_bits <= 31);
  SPRAT_CHECK(p->spectral_subtraction_bits >= 0 && p->spectral_subtraction_bits <= 63);
  SPRAT_CHECK(sprat_is(&c->in[0], SPRAT_UINT32, (uint32_t)p->channels));
  SPRAT_CHECK(is_state(&c->in[1], SPRAT_UINT32, p->channels));
  SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_UINT32, (uint32_t)p->channels));
  return SPRAT_OK;
}

static void run_spectral(const sprat_layer *l) {
  sprat_signal_spectral_subtraction((const sprat_signal_spectral_subtraction_params *)l->params,
                                    (const uint32_t *)l->data[0], (uint32_t *)l->data[1], (uint32_t *)l->data[2]);
}

// ---- PCAN --------------------------------------------------------------------
static sprat_status check_pcan(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_signal_pcan_params)) && c->n_in == 3);
  P(sprat_signal_pcan_params);
  SPRAT_CHECK(p->channels >= 1 && p->snr_shift >= 0 && p->snr_shift <= 63);
  SPRAT_CHECK(sprat_is(&c->in[0], SPRAT_UINT32, (uint32_t)p->channels));
  SPRAT_CHECK(sprat_is(&c->in[1], SPRAT_UINT32, (uint32_t)p->channels));
  // The table's octave of 2^32 - 1 ends at value 124.
  SPRAT_CHECK(c->in[2].present && c->in[2].type == SPRAT_INT16 && c->in[2].count >= 125);
  SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_UINT32, (uint32_t)p->channels));
  return SPRAT_OK;
}

static void run_pcan(const sprat_layer *l) {
  sprat_signal_pcan((const sprat_signal_pcan_params *)l->params, (const uint32_t *)l->data[0],
                    (const uint32_t *)l->data[1], (const int16_t *)l->data[2], (uint32_t *)l->data[3]);
}

// ---- FRAMER: input, samples (STATE), meta (STATE int32[2]) -------------------
static sprat_status check_framer(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_signal_framer_params)) && c->n_in == 3);
  P(sprat_signal_framer_params);
  SPRAT_CHECK(p->outer >= 1 && p->frames >= 1 && p->frame_size >= 1 && p->frame_step >= 1);
  SPRAT_CHECK(p->capacity >= p->frame_size && p->capacity >= p->frame_step);
  SPRAT_CHECK(sprat_is(&c->in[0], SPRAT_INT16, (uint32_t)sprat_product4(p->outer, p->frames, p->frame_step, 1)));
  SPRAT_CHECK(is_state(&c->in[1], SPRAT_INT16, sprat_product4(p->outer, p->capacity, 1, 1)));
  SPRAT_CHECK(is_state(&c->in[2], SPRAT_INT32, 2));
  SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_INT16, (uint32_t)sprat_product4(p->outer, p->frames, p->frame_size, 1)));
  return SPRAT_OK;
}

static void run_framer(const sprat_layer *l) {
  const sprat_signal_framer_params *p = (const sprat_signal_framer_params *)l->params;
  int32_t *meta = (int32_t *)l->data[2];
  // Room for the next step, whatever a crafted initial value says.
  if (meta[0] < 0 || meta[0] > p->capacity - p->frame_step) meta[0] = 0;
  sprat_signal_framer_s16(p, (const int16_t *)l->data[0], (int16_t *)l->data[1], meta, (int16_t *)l->data[3]);
}

// ---- STACKER: input, samples (STATE), meta (STATE int32[3]) ------------------
static sprat_status check_stacker(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_signal_stacker_params)) && c->n_in == 3);
  P(sprat_signal_stacker_params);
  SPRAT_CHECK(p->channels >= 1 && p->left >= 0 && p->right >= 0 && p->left < (1 << 16) && p->right < (1 << 16));
  const int64_t span = (int64_t)p->left + p->right + 1;
  SPRAT_CHECK(p->step >= 1 && p->step <= span && (int64_t)p->size == span * p->channels);
  SPRAT_CHECK(sprat_is(&c->in[0], SPRAT_INT16, (uint32_t)p->channels));
  SPRAT_CHECK(is_state(&c->in[1], SPRAT_INT16, 2 * (int64_t)p->size) && is_state(&c->in[2], SPRAT_INT32, 3));
  SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_INT16, (uint32_t)p->size));
  return SPRAT_OK;
}

static void run_stacker(const sprat_layer *l) {
  const sprat_signal_stacker_params *p = (const sprat_signal_stacker_params *)l->params;
  int32_t *meta = (int32_t *)l->data[2];
  // Room for this invoke's samples, whatever a crafted initial value says.
  const int32_t room = p->size - p->channels * (meta[1] ? 1 : p->left + 1);
  if (meta[0] < 0 || meta[0] > room) meta[0] = 0;
  sprat_signal_stacker_s16(p, (const int16_t *)l->data[0], (int16_t *)l->data[1], meta, (int16_t *)l->data[3]);
}

// ---- VALID: record {index}: the framer's or stacker's valid flag -------------
static sprat_status check_valid(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(int32_t)) && c->n_in == 1);
  const int32_t k = *(const int32_t *)(const void *)c->params;
  SPRAT_CHECK(k >= 0 && c->in[0].present && c->in[0].type == SPRAT_INT32 && (uint32_t)k < c->in[0].count);
  SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_BOOL, 1));
  return SPRAT_OK;
}

static void run_valid(const sprat_layer *l) {
  const int32_t k = *(const int32_t *)l->params;
  *(uint8_t *)l->data[1] = ((const int32_t *)l->data[0])[k] != 0;
}

// ---- DELAY: input, the held samples (STATE) ----------------------------------
static sprat_status check_delay(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_signal_delay_params)) && c->n_in == 2);
  P(sprat_signal_delay_params);
  const int64_t n = sprat_product4(p->outer, p->frame, 1, 1);
  SPRAT_CHECK(n > 0 && p->delay >= 1 && sprat_is(&c->in[0], SPRAT_INT16, (uint32_t)n));
  SPRAT_CHECK(is_state(&c->in[1], SPRAT_INT16, sprat_product4(p->outer, p->delay, 1, 1)));
  SPRAT_CHECK(sprat_is(&c->out[0], SPRAT_INT16, (uint32_t)n));
  return SPRAT_OK;
}

static void run_delay(const sprat_layer *l) {
  sprat_signal_delay_s16((const sprat_signal_delay_params *)l->params, (const int16_t *)l->data[0],
                         (int16_t *)l->data[1], (int16_t *)l->data[2]);
}

// ---- OVERLAP_ADD (int16 or float32): input, the running sums (STATE) ----------
static sprat_status check_overlap_add(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_signal_overlap_add_params)) && c->n_in == 2);
  P(sprat_signal_overlap_add_params);
  SPRAT_CHECK(p->outer >= 1 && p->frames >= 1 && p->frame_step >= 1 && p->frame_step <= p->frame_size);
  SPRAT_CHECK(p->is_float == 0 || p->is_float == 1);
  const uint8_t t = p->is_float ? SPRAT_FLOAT32 : SPRAT_INT16;
  SPRAT_CHECK(sprat_is(&c->in[0], t, (uint32_t)sprat_product4(p->outer, p->frames, p->frame_size, 1)));
  SPRAT_CHECK(is_state(&c->in[1], t, sprat_product4(p->outer, p->frame_size, 1, 1)));
  SPRAT_CHECK(sprat_is(&c->out[0], t, (uint32_t)sprat_product4(p->outer, p->frames, p->frame_step, 1)));
  return SPRAT_OK;
}

static void run_overlap_add(const sprat_layer *l) {
  const sprat_signal_overlap_add_params *p = (const sprat_signal_overlap_add_params *)l->params;
  if (p->is_float) {
    sprat_signal_overlap_add_f32(p, (const float *)l->data[0], (float *)l->data[1], (float *)l->data[2]);
  } else {
    sprat_signal_overlap_add_s16(p, (const int16_t *)l->data[0], (int16_t *)l->data[1], (int16_t *)l->data[2]);
  }
}

const sprat_op_registration sprat_op_signal_window = {SPRAT_OP_SIGNAL_WINDOW, "SIGNAL_WINDOW", check_window,
                                                      run_window};
const sprat_op_registration sprat_op_signal_fft_auto_scale = {SPRAT_OP_SIGNAL_FFT_AUTO_SCALE,
                                                              "SIGNAL_FFT_AUTO_SCALE", check_auto_scale,
                                                              run_auto_scale};
const sprat_op_registration sprat_op_signal_rfft_s16 = {SPRAT_OP_SIGNAL_RFFT_S16, "SIGNAL_RFFT_S16", check_rfft_s16,
                                                        run_rfft_s16};
const sprat_op_registration sprat_op_signal_irfft_s16 = {SPRAT_OP_SIGNAL_IRFFT_S16, "SIGNAL_IRFFT_S16",
                                                         check_irfft_s16, run_irfft_s16};
const sprat_op_registration sprat_op_signal_rfft_s32 = {SPRAT_OP_SIGNAL_RFFT_S32, "SIGNAL_RFFT_S32", check_rfft_s32,
                                                        run_rfft_s32};
const sprat_op_registration sprat_op_signal_irfft_s32 = {SPRAT_OP_SIGNAL_IRFFT_S32, "SIGNAL_IRFFT_S32",
                                                         check_irfft_s32, run_irfft_s32};
const sprat_op_registration sprat_op_signal_rfft_f32 = {SPRAT_OP_SIGNAL_RFFT_F32, "SIGNAL_RFFT_F32", check_rfft_f32,
                                                        run_rfft_f32};
const sprat_op_registration sprat_op_signal_irfft_f32 = {SPRAT_OP_SIGNAL_IRFFT_F32, "SIGNAL_IRFFT_F32",
                                                         check_irfft_f32, run_irfft_f32};
const sprat_op_registration sprat_op_signal_energy = {SPRAT_OP_SIGNAL_ENERGY, "SIGNAL_ENERGY", check_energy,
                                                      run_energy};
const sprat_op_registration sprat_op_signal_filter_bank = {SPRAT_OP_SIGNAL_FILTER_BANK, "SIGNAL_FILTER_BANK",
                                                           check_filter_bank, run_filter_bank};
const sprat_op_registration sprat_op_signal_filter_bank_sqrt = {SPRAT_OP_SIGNAL_FILTER_BANK_SQRT,
                                                                "SIGNAL_FILTER_BANK_SQRT", check_sqrt, run_sqrt};
const sprat_op_registration sprat_op_signal_filter_bank_log = {SPRAT_OP_SIGNAL_FILTER_BANK_LOG,
                                                               "SIGNAL_FILTER_BANK_LOG", check_log, run_log};
const sprat_op_registration sprat_op_signal_spectral_subtraction = {
    SPRAT_OP_SIGNAL_SPECTRAL_SUBTRACTION, "SIGNAL_SPECTRAL_SUBTRACTION", check_spectral, run_spectral};
const sprat_op_registration sprat_op_signal_pcan = {SPRAT_OP_SIGNAL_PCAN, "SIGNAL_PCAN", check_pcan, run_pcan};
const sprat_op_registration sprat_op_signal_framer = {SPRAT_OP_SIGNAL_FRAMER, "SIGNAL_FRAMER", check_framer,
                                                      run_framer};
const sprat_op_registration sprat_op_signal_stacker = {SPRAT_OP_SIGNAL_STACKER, "SIGNAL_STACKER", check_stacker,
                                                       run_stacker};
const sprat_op_registration sprat_op_signal_valid = {SPRAT_OP_SIGNAL_VALID, "SIGNAL_VALID", check_valid, run_valid};
const sprat_op_registration sprat_op_signal_delay = {SPRAT_OP_SIGNAL_DELAY, "SIGNAL_DELAY", check_delay, run_delay};
const sprat_op_registration sprat_op_signal_overlap_add = {SPRAT_OP_SIGNAL_OVERLAP_ADD, "SIGNAL_OVERLAP_ADD",
                                                           check_overlap_add, run_overlap_add};
