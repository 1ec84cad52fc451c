// The example firmware: one inference of kws_tiny on a fixed input, the
// class probabilities printed (through semihosting under QEMU). All a
// firmware needs is the model's header (from sprat_model) and the runtime.
#include <stdio.h>

#include "kws_tiny_model.h"

static uint8_t arena[KWS_TINY_MODEL_ARENA_BYTES] __attribute__((aligned(16)));
static sprat_model model;

int main(void) {
  sprat_status s = kws_tiny_model_init(&model, arena, sizeof arena);
  if (s != SPRAT_OK) {
    printf("init failed: %s (op %d)\n", sprat_status_str(s), sprat_error_op(&model));
    return 1;
  }
  sprat_tensor in, out;
  sprat_input(&model, 0, &in);
  int8_t *x = (int8_t *)in.data;
  for (size_t i = 0; i < in.bytes; ++i) x[i] = (int8_t)((i * 37u + (i >> 3) * 11u) & 0xFF);  // a fixed pattern
  s = sprat_invoke(&model);
  if (s != SPRAT_OK) {
    printf("invoke failed: %s\n", sprat_status_str(s));
    return 1;
  }
  sprat_output(&model, 0, &out);
  const int8_t *y = (const int8_t *)out.data;
  printf("kws_tiny on %s:", sprat_kernel_library_name());
  for (size_t i = 0; i < out.bytes; ++i) printf(" %d", y[i]);
  printf("\n");
  return 0;
}
