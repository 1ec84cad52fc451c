// The seed board's firmware: runs the default model (MobileNetV2 0.30,
// 80x80, made by app/make_model.py and converted for the board by the
// sprat_model rule at build time, with generated layers) once
// on the demo image, between two instruction-count marks, and prints the
// top class.
#include <stdio.h>
#include <string.h>

#include "app/demo_image.h"
#include "default_model.h"
#include "harness/sprat_harness.h"

static uint8_t arena[DEFAULT_MODEL_ARENA_BYTES] __attribute__((aligned(16)));
static sprat_model model;

int main(void) {
  sprat_status s = default_model_init(&model, arena, sizeof arena);
  if (s != SPRAT_OK) {
    printf("sprat: init failed: %s (op %d)\n", sprat_status_str(s), sprat_error_op(&model));
    return 1;
  }
  sprat_tensor in, out;
  sprat_input(&model, 0, &in);
  if (in.bytes != sprat_app_image_size) return 1;
  memcpy(in.data, sprat_app_image, in.bytes);
  sprat_mark();  // calibration pair
  sprat_mark();
  sprat_mark();
  s = sprat_invoke(&model);
  sprat_mark();
  if (s != SPRAT_OK) return 1;
  sprat_output(&model, 0, &out);
  const int8_t *p = (const int8_t *)out.data;
  size_t best = 0;
  for (size_t i = 1; i < out.bytes; ++i)
    if (p[i] > p[best]) best = i;
  printf("sprat: %s kernels, top class %u (score %d)\n", sprat_kernel_library_name(), (unsigned)best, p[best]);
  return 0;
}
