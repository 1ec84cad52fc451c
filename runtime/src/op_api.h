// What an op's glue (runtime/ops/*.c) sees: its tensors, already checked
// against the blob's bounds, and its parameter record. The interpreter
// (model.c) knows no op; each op checks its own shapes and parameters once
// at init so that its kernel can never read or write out of bounds.
#ifndef SPRAT_RUNTIME_OP_API_H_
#define SPRAT_RUNTIME_OP_API_H_

#include <stddef.h>
#include <stdint.h>

#include "sprat/kernels.h"
#include "sprat/sprat.h"

// Enough for the widest op: FUSED_ROWS with three convolutions (input,
// 4 per convolution, a skip tensor). CONCATENATION becomes one COPY per
// input.
#define SPRAT_MAX_OP_INPUTS 14

typedef struct {
  uint8_t *data;  // NULL for an absent optional input
  uint8_t present;  // 0 for an absent optional input (data may be unset at init)
  uint32_t bytes;
  uint32_t count;  // elements
  uint8_t type;
  uint8_t rank;
  uint8_t is_const;
  int32_t dims[SPRAT_MAX_RANK];
  int32_t zero_point;
  float scale;
} sprat_tview;

typedef struct {
  const sprat_model *model;
  int32_t op_index;
  const uint8_t *params;  // 4-byte aligned
  uint32_t params_size;
  uint32_t n_in, n_out, n_scratch;
  sprat_tview in[SPRAT_MAX_OP_INPUTS], out[1], scratch[1];
} sprat_op_ctx;

// A prepared layer (in the arena, made once at init): the glue's run
// function, its parameter record and the data pointers of its inputs (NULL
// for an absent optional one), output and scratch, in that order.
typedef struct sprat_layer {
  void (*run)(const struct sprat_layer *layer);
  const void *params;
  uintptr_t n_data;  // pointer-sized so that data[] needs no padding
  void *data[];
} sprat_layer;

// Bytes of a prepared layer with n data pointers; the converter reserves
// (3 + n) * 4 bytes per layer for 32-bit targets (converter/planner.py).
#define SPRAT_LAYER_BYTES(n) ((3u + (n)) * (uint32_t)sizeof(void *))

typedef struct {
  uint16_t opcode;
  const char *name;
  // At init: SPRAT_OK, or SPRAT_ERR_BAD_OP when tensors or params do not
  // fit (SPRAT_ERR_LAYOUT when the weights' layout is not this library's).
  sprat_status (*check)(const sprat_op_ctx *ctx);
  void (*run)(const sprat_layer *layer);
} sprat_op_registration;

// The op table (runtime/ops/registry.c); NULL for an unknown opcode.
const sprat_op_registration *sprat_find_op(uint16_t opcode);

// Helpers for the ops' checks.
sprat_shape4 sprat_shape4_of(const sprat_tview *t);  // pads to 4-D
int sprat_params_are(const sprat_op_ctx *ctx, size_t size);
int sprat_is(const sprat_tview *t, uint8_t type, uint32_t count);
// The same, and a constant of the blob: a check may read its contents (an
// arena tensor has no data before the arena is attached).
int sprat_is_const(const sprat_tview *t, uint8_t type, uint32_t count);
int sprat_shift_ok(int32_t shift);
int sprat_zero_point_ok(int32_t zp);  // an int8 zero point, in [-128, 127]
// a * b * c * d when every factor is >= 1 and the product stays within
// 2^32 (any tensor's count); else -1. Checked factor by factor, so that no
// crafted record overflows the check itself.
int64_t sprat_product4(int32_t a, int32_t b, int32_t c, int32_t d);
int sprat_multiplier_ok(int32_t m);
int sprat_copy_fits(const sprat_copy_params *p, uint32_t in_count, uint32_t out_count);
int sprat_broadcast_fits(const sprat_broadcast *bc, uint32_t in1, uint32_t in2, uint32_t out);
int sprat_shape_is(const sprat_shape4 *s, const sprat_tview *t);  // t padded to 4-D equals s
int sprat_layout_ok(int32_t layout);  // the linked kernel library runs it

// A failed check rejects the op. -DSPRAT_DEBUG_CHECKS says which one.
#if defined(SPRAT_DEBUG_CHECKS)
#include <stdio.h>
#define SPRAT_CHECK(cond)                                                        \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "sprat: check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      return SPRAT_ERR_BAD_OP;                                                   \
    }                                                                            \
  } while (0)
#else
#define SPRAT_CHECK(cond) \
  do {                    \
    if (!(cond)) return SPRAT_ERR_BAD_OP; \
  } while (0)
#endif

#endif  // SPRAT_RUNTIME_OP_API_H_
