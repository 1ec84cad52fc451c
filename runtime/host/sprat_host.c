// One call per inference for the Python tools (ctypes): init, copy inputs
// in, invoke, copy outputs out.
#include <string.h>

#include "sprat/sprat.h"

int sprat_host_run(const void *blob, size_t blob_size, void *arena, size_t arena_size,
                   const void *const *inputs, const size_t *input_sizes, int n_inputs, void *const *outputs,
                   const size_t *output_sizes, int n_outputs, int32_t *error_op, uint32_t *arena_needed) {
  sprat_model m;
  sprat_status s = sprat_model_init(&m, blob, blob_size, arena, arena_size);
  *error_op = sprat_error_op(&m);
  *arena_needed = (uint32_t)sprat_arena_needed(&m);
  if (s != SPRAT_OK) return (int)s;
  if (n_inputs != sprat_input_count(&m) || n_outputs != sprat_output_count(&m)) return SPRAT_ERR_ARGUMENT;
  for (int i = 0; i < n_inputs; ++i) {
    sprat_tensor t;
    sprat_input(&m, i, &t);
    if (t.bytes != input_sizes[i]) return SPRAT_ERR_ARGUMENT;
    memcpy(t.data, inputs[i], t.bytes);
  }
  s = sprat_invoke(&m);
  if (s != SPRAT_OK) return (int)s;
  for (int i = 0; i < n_outputs; ++i) {
    sprat_tensor t;
    sprat_output(&m, i, &t);
    if (t.bytes != output_sizes[i]) return SPRAT_ERR_ARGUMENT;
    memcpy(outputs[i], t.data, t.bytes);
  }
  return SPRAT_OK;
}

// Only init (the corrupt-blob tests): the status, and what it found.
int sprat_host_init_only(const void *blob, size_t blob_size, void *arena, size_t arena_size, int32_t *error_op,
                         uint32_t *arena_needed) {
  sprat_model m;
  sprat_status s = sprat_model_init(&m, blob, blob_size, arena, arena_size);
  *error_op = sprat_error_op(&m);
  *arena_needed = (uint32_t)sprat_arena_needed(&m);
  if (s == SPRAT_OK) s = sprat_invoke(&m);
  return (int)s;
}

// Two models side by side (no global state): A, then B, then A again; both
// runs of A must agree. One input and one output each.
int sprat_host_run_two(const void *blob_a, size_t size_a, void *arena_a, size_t arena_a_size, const void *in_a,
                       void *out_a, const void *blob_b, size_t size_b, void *arena_b, size_t arena_b_size,
                       const void *in_b, void *out_b) {
  sprat_model a, b;
  sprat_tensor t;
  if (sprat_model_init(&a, blob_a, size_a, arena_a, arena_a_size) != SPRAT_OK) return -1;
  if (sprat_model_init(&b, blob_b, size_b, arena_b, arena_b_size) != SPRAT_OK) return -2;
  sprat_input(&a, 0, &t);
  memcpy(t.data, in_a, t.bytes);
  sprat_input(&b, 0, &t);
  memcpy(t.data, in_b, t.bytes);
  if (sprat_invoke(&a) != SPRAT_OK) return -3;
  sprat_output(&a, 0, &t);
  memcpy(out_a, t.data, t.bytes);
  if (sprat_invoke(&b) != SPRAT_OK) return -4;
  sprat_output(&b, 0, &t);
  memcpy(out_b, t.data, t.bytes);
  sprat_input(&a, 0, &t);  // the arena plan reuses input bytes once read
  memcpy(t.data, in_a, t.bytes);
  if (sprat_invoke(&a) != SPRAT_OK) return -5;
  sprat_output(&a, 0, &t);
  return memcmp(out_a, t.data, t.bytes) == 0 ? 0 : -6;
}

const char *sprat_host_status_str(int s) { return sprat_status_str((sprat_status)s); }

// The layer callback: counts the calls and checks they come in order
// (begin k, end k, begin k + 1, ...). Returns the number of layers seen, or
// a negative number at the first call out of order.
typedef struct {
  int next, calls, bad;
} layer_log;

static void log_layer(void *user, int op_index, int begin) {
  layer_log *log = (layer_log *)user;
  if (op_index != log->next || begin != !(log->calls & 1)) log->bad = 1;
  if (!begin) log->next++;
  log->calls++;
}

int sprat_host_count_layers(const void *blob, size_t blob_size, void *arena, size_t arena_size) {
  sprat_model m;
  if (sprat_model_init(&m, blob, blob_size, arena, arena_size) != SPRAT_OK) return -1;
  layer_log log = {0, 0, 0};
  if (sprat_set_layer_callback(&m, log_layer, &log) != SPRAT_OK) return -2;
  if (sprat_invoke(&m) != SPRAT_OK) return -3;
  if (log.bad || log.calls != 2 * log.next) return -4;
  sprat_set_layer_callback(&m, NULL, NULL);
  const int seen = log.next;
  if (sprat_invoke(&m) != SPRAT_OK || log.calls != 2 * seen) return -5;  // cleared: no more calls
  return seen;
}

// `n` inferences of a one-input, one-output model, input k at
// inputs + k * in_bytes, output k to outputs + k * out_bytes: initialized
// once and invoked n times (fresh = 0, the firmware's loop), or initialized
// anew before every invoke (fresh = 1). The endurance test compares the two.
int sprat_host_run_many(const void *blob, size_t blob_size, void *arena, size_t arena_size, const uint8_t *inputs,
                        size_t in_bytes, uint8_t *outputs, size_t out_bytes, int32_t n, int fresh) {
  sprat_model m;
  sprat_status s = SPRAT_OK;
  for (int32_t k = 0; k < n; ++k) {
    if (k == 0 || fresh) {
      s = sprat_model_init(&m, blob, blob_size, arena, arena_size);
      if (s != SPRAT_OK) return (int)s;
      if (sprat_input_count(&m) != 1 || sprat_output_count(&m) != 1) return SPRAT_ERR_ARGUMENT;
    }
    sprat_tensor in, out;
    sprat_input(&m, 0, &in);
    sprat_output(&m, 0, &out);
    if (in.bytes != in_bytes || out.bytes != out_bytes) return SPRAT_ERR_ARGUMENT;
    memcpy(in.data, inputs + (size_t)k * in_bytes, in_bytes);
    s = sprat_invoke(&m);
    if (s != SPRAT_OK) return (int)s;
    memcpy(outputs + (size_t)k * out_bytes, out.data, out_bytes);
  }
  return SPRAT_OK;
}

// `steps` invokes of one model, initialized once, as a stream of frames:
// every input's bytes of step k in order at inputs + k * in_step, every
// output's at outputs + k * out_step; sprat_reset_state before step
// `reset_at` (-1: never), each step's status in statuses[k]. State models
// give each step's output from the steps before it.
int sprat_host_run_steps(const void *blob, size_t blob_size, void *arena, size_t arena_size, const uint8_t *inputs,
                         size_t in_step, uint8_t *outputs, size_t out_step, int32_t steps, int32_t reset_at,
                         int32_t *statuses) {
  sprat_model m;
  sprat_status s = sprat_model_init(&m, blob, blob_size, arena, arena_size);
  if (s != SPRAT_OK) return (int)s;
  for (int32_t k = 0; k < steps; ++k) {
    if (k == reset_at && (s = sprat_reset_state(&m)) != SPRAT_OK) return (int)s;
    size_t at = 0;
    for (int i = 0; i < sprat_input_count(&m); ++i) {
      sprat_tensor t;
      sprat_input(&m, i, &t);
      if (at + t.bytes > in_step) return SPRAT_ERR_ARGUMENT;
      memcpy(t.data, inputs + (size_t)k * in_step + at, t.bytes);
      at += t.bytes;
    }
    if (at != in_step) return SPRAT_ERR_ARGUMENT;
    // SPRAT_WAITING: a streaming model's outputs are not updated this step.
    statuses[k] = (int32_t)(s = sprat_invoke(&m));
    if (s != SPRAT_OK && s != SPRAT_WAITING) return (int)s;
    at = 0;
    for (int i = 0; i < sprat_output_count(&m); ++i) {
      sprat_tensor t;
      sprat_output(&m, i, &t);
      if (at + t.bytes > out_step) return SPRAT_ERR_ARGUMENT;
      memcpy(outputs + (size_t)k * out_step + at, t.data, t.bytes);
      at += t.bytes;
    }
    if (at != out_step) return SPRAT_ERR_ARGUMENT;
  }
  return SPRAT_OK;
}
