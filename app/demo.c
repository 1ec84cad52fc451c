// The main job's firmware: runs the bundled default model (MobileNetV2 0.30,
// 80x80, converted by `sprat demo` with generated layers, app/generated/ in
// Bazel's output tree) on a fixed image and
// prints the top-5 classes. Marks around the inference let the host count
// its instructions; the stack is painted to measure its peak.
#include <stdio.h>
#include <string.h>

#include "app/generated/demo_data.h"
#include "harness/sprat_harness.h"
#include "sprat/sprat.h"

static uint8_t arena[SPRAT_DEMO_ARENA] __attribute__((aligned(16)));
static sprat_model model;

int main(void) {
  sprat_status s = sprat_model_init_generated(&model, sprat_demo_blob, sprat_demo_blob_size, arena, sizeof arena,
                                              sprat_demo_code);
  if (s != SPRAT_OK) {
    printf("sprat: init failed: %s (op %d, arena needed %u)\n", sprat_status_str(s), sprat_error_op(&model),
           (unsigned)sprat_arena_needed(&model));
    return 1;
  }
  sprat_tensor in, out;
  sprat_input(&model, 0, &in);
  sprat_output(&model, 0, &out);
  if (in.bytes != sizeof sprat_demo_input) return 1;
  memcpy(in.data, sprat_demo_input, in.bytes);

  SPRAT_STACK_PAINT();
  sprat_mark();  // calibration pair
  sprat_mark();
  sprat_mark();
  s = sprat_invoke(&model);
  sprat_mark();
  size_t stack = sprat_stack_peak();
  if (s != SPRAT_OK) return 1;

  const int8_t *p = (const int8_t *)out.data;
  printf("sprat: output");
  for (size_t i = 0; i < out.bytes; ++i) printf("%s%02x", i % 64 ? "" : "\nsprat: hex ", (unsigned)(uint8_t)p[i]);
  printf("\n");
  // Top 5 (first index wins ties).
  int top[5] = {-1, -1, -1, -1, -1};
  for (int k = 0; k < 5; ++k) {
    for (int i = 0; i < (int)out.bytes; ++i) {
      int taken = 0;
      for (int j = 0; j < k; ++j) taken |= top[j] == i;
      if (!taken && (top[k] < 0 || p[i] > p[top[k]])) top[k] = i;
    }
    const float prob = out.scale * (float)(p[top[k]] - out.zero_point);
    printf("sprat: top%d class %d probability %d.%03d\n", k + 1, top[k], (int)prob, (int)(prob * 1000.0f) % 1000);
  }
  printf("sprat: arena %u B, stack peak %u B\n", (unsigned)sprat_arena_needed(&model), (unsigned)stack);
  return 0;
}
