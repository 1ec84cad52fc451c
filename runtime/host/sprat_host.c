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

const char *sprat_host_status_str(int s) { return sprat_status_str((sprat_status)s); }
