// CIRCULAR_BUFFER (TFLM's custom op of streaming models): the output, a
// STATE [1, slots, h, w], keeps the last `slots` input frames; the layer
// then counts down its period and, until it runs out, ends the invoke
// (SPRAT_WAITING; TFLM's kTfLiteAbort). Inputs: the counter, an int32 STATE
// {cycles until the rest runs, cycles_max, stopped}, then the frame. Moves
// bytes only: no kernel of its own.
#include <string.h>

#include "runtime/src/op_api.h"
#include "runtime/src/opcodes.h"

typedef struct {
  int32_t slots, depth;
} sprat_circular_buffer_params;

static sprat_status check(const sprat_op_ctx *c) {
  SPRAT_CHECK(sprat_params_are(c, sizeof(sprat_circular_buffer_params)) && c->n_in == 2);
  const sprat_circular_buffer_params *p = (const sprat_circular_buffer_params *)(const void *)c->params;
  SPRAT_CHECK(p->slots >= 1 && p->depth >= 1);
  SPRAT_CHECK(c->in[0].present && !c->in[0].is_const && c->in[0].type == SPRAT_INT32 && c->in[0].count == 3);
  SPRAT_CHECK(c->in[1].present && c->in[1].type == SPRAT_INT8 && c->in[1].count == (uint32_t)p->depth);
  SPRAT_CHECK(c->out[0].type == SPRAT_INT8 && sprat_product4(p->slots, p->depth, 1, 1) == c->out[0].count);
  return SPRAT_OK;
}

static void run(const sprat_layer *l) {
  const sprat_circular_buffer_params *p = (const sprat_circular_buffer_params *)l->params;
  int32_t *counter = (int32_t *)l->data[0];
  uint8_t *buf = (uint8_t *)l->data[2];
  const size_t depth = (size_t)p->depth, older = (size_t)(p->slots - 1) * depth;
  memmove(buf, buf + depth, older);
  memmove(buf + older, l->data[1], depth);
  // TFLM: --cycles_until_run != 0 stops; at 0 the period starts again.
  // Written without the decrement's overflow a crafted state could cause.
  if (counter[0] <= 1) {
    counter[0] = counter[1] >= 1 ? counter[1] : 1;
    counter[2] = 0;
  } else {
    counter[0] -= 1;
    counter[2] = 1;
  }
}

const sprat_op_registration sprat_op_circular_buffer = {SPRAT_OP_CIRCULAR_BUFFER, "CIRCULAR_BUFFER", check, run};
