// FUSED_ROWS's parameter record (docs/model_format.md): a small graph of
// stages computed a few rows at a time, each stage's output held in a
// window of rows in the op's scratch, so that no intermediate tensor is
// ever whole in the arena. The converter writes the same layout
// (converter/fuse.py).
#ifndef SPRAT_RUNTIME_FUSED_H_
#define SPRAT_RUNTIME_FUSED_H_

#include <stdint.h>

#include "sprat/kernels.h"

#define SPRAT_FUSED_MAX_STAGES 4

enum {
  SPRAT_FUSED_CONV = 1,       // CONV_2D: 4 inputs (filter, bias, multipliers, shifts)
  SPRAT_FUSED_DEPTHWISE = 2,  // DEPTHWISE_CONV_2D: the same 4 inputs
  SPRAT_FUSED_ADD = 3,        // ADD of two sources of one shape (a flat broadcast)
};
// A stage's source: an earlier stage's index, or one of these.
enum { SPRAT_FUSED_INPUT = -1, SPRAT_FUSED_SKIP = -2 };

typedef struct {
  int32_t kind;           // SPRAT_FUSED_*
  int32_t src, src2;      // src2: ADD only
  int32_t window_rows;    // rows the stage's window holds; 0 for the last stage (it writes the output)
  int32_t window_offset;  // bytes into the op's scratch, 4-aligned
  union {
    sprat_conv_params conv;
    sprat_add_params add;
  } p;
} sprat_fused_stage;

typedef struct {
  int32_t n_stages;
  int32_t kernel_scratch_offset;  // the kernels' shared scratch, bytes into the op's scratch
  int32_t kernel_scratch_bytes;
  int32_t band;  // rows of the last stage per step: more rows per kernel call, larger windows
  sprat_shape4 in, skip;  // the block's input and skip tensors (skip: zeros when no stage reads one)
  sprat_fused_stage stage[SPRAT_FUSED_MAX_STAGES];  // n_stages of them in the record
} sprat_fused_params;

#define SPRAT_FUSED_RECORD_BYTES(n) (12u * 4u + (uint32_t)(n) * (uint32_t)sizeof(sprat_fused_stage))

#endif  // SPRAT_RUNTIME_FUSED_H_
