// `sprat bench`'s firmware: runs one converted model (bench/generated/ in
// Bazel's output tree, from `sprat bench`) once, with an instruction-count
// mark around the whole inference and around every layer (the runtime's
// layer callback), a painted stack, and a known loop that proves the
// counter in the same run.
//
// Marks, in order: the calibration pair; an empty layer (the cost of the
// hooks); the known loop; the inference begin; each layer's begin and end;
// the inference end.
#include <stdio.h>
#include <string.h>

#include "bench/generated/bench_data.h"
#include "harness/sprat_harness.h"
#include "sprat/sprat.h"

static uint8_t arena[SPRAT_BENCH_ARENA] __attribute__((aligned(16)));
static sprat_model model;

static void mark_layer(void *user, int op_index, int begin) {
  (void)user;
  (void)op_index;
  (void)begin;
  sprat_mark();
}

// Called through a pointer the compiler cannot see through, as the runtime does.
static void (*volatile layer_callback)(void *, int, int) = mark_layer;

int main(void) {
  sprat_status s = sprat_model_init_generated(&model, sprat_bench_blob, sprat_bench_blob_size, arena, sizeof arena,
                                              sprat_bench_code);
  if (s != SPRAT_OK) {
    printf("sprat: init failed: %s (op %d, tensor %d, arena needed %u)\n", sprat_status_str(s),
           sprat_error_op(&model), sprat_error_tensor(&model), (unsigned)sprat_arena_needed(&model));
    return 1;
  }
  sprat_tensor in;
  size_t at = 0;
  for (int i = 0; i < sprat_input_count(&model); ++i) {
    sprat_input(&model, i, &in);
    if (at + in.bytes > sizeof sprat_bench_input) return 1;
    memcpy(in.data, sprat_bench_input + at, in.bytes);
    at += in.bytes;
  }
  sprat_set_layer_callback(&model, mark_layer, NULL);
  sprat_mark_calibrate();
  layer_callback(NULL, -1, 1);  // an empty layer
  layer_callback(NULL, -1, 0);
  sprat_known_loop();
  SPRAT_STACK_PAINT();
  sprat_mark();
  s = sprat_invoke(&model);
  sprat_mark();
  const size_t stack = sprat_stack_peak();
  if (s != SPRAT_OK) {
    printf("sprat: invoke failed: %s\n", sprat_status_str(s));
    return 1;
  }
  for (int i = 0; i < sprat_output_count(&model); ++i) {
    sprat_tensor out;
    sprat_output(&model, i, &out);
    const uint8_t *p = (const uint8_t *)out.data;
    printf("sprat: output %d", i);
    for (size_t k = 0; k < out.bytes; ++k) printf("%s%02x", k % 64 ? "" : "\nsprat: hex ", (unsigned)p[k]);
    printf("\n");
  }
  printf("sprat: arena %u stack %u\n", (unsigned)sprat_arena_needed(&model), (unsigned)stack);
  return 0;
}
