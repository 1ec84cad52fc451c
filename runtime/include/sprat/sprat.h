// sprat runtime: the public C API.
//
// A model is a blob made by `sprat convert` (docs/model_format.md), used in
// place (from flash): weights are never copied. All working memory is one
// arena the caller provides; the runtime calls no malloc and keeps no global
// state, so any number of models can live side by side.
//
//   static sprat_model model;
//   static uint8_t arena[SIZE] __attribute__((aligned(16)));
//   sprat_status s = sprat_model_init(&model, blob, blob_size, arena, sizeof arena);
//   if (s == SPRAT_ERR_ARENA_TOO_SMALL) ... sprat_arena_needed(&model) bytes needed
//   sprat_tensor in;  sprat_input(&model, 0, &in);   fill in.data
//   s = sprat_invoke(&model);
//   sprat_tensor out; sprat_output(&model, 0, &out); read out.data
#ifndef SPRAT_H_
#define SPRAT_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPRAT_VERSION_MAJOR 0
#define SPRAT_VERSION_MINOR 1

typedef enum {
  SPRAT_OK = 0,
  SPRAT_ERR_ARGUMENT,         // a NULL pointer or an index out of range
  SPRAT_ERR_BAD_MAGIC,        // not a sprat model blob
  SPRAT_ERR_VERSION,          // made for another format version
  SPRAT_ERR_TRUNCATED,        // shorter than its header says
  SPRAT_ERR_CHECKSUM,         // CRC-32 mismatch: corrupted
  SPRAT_ERR_MALFORMED,        // an offset, size or index out of bounds
  SPRAT_ERR_UNSUPPORTED_OP,   // an op this runtime does not have
  SPRAT_ERR_BAD_OP,           // an op whose tensors or parameters do not fit it
  SPRAT_ERR_ARENA_TOO_SMALL,  // see sprat_arena_needed()
  SPRAT_ERR_NOT_READY,        // the model was not initialised successfully
  SPRAT_ERR_LAYOUT,           // weights laid out for another kernel library
  SPRAT_ERR_GENERATED_CODE,   // the blob's generated layers are missing or another model's
  // Not an error: a streaming model's CIRCULAR_BUFFER layer is still
  // collecting frames, so this invoke stopped after it (as TFLM's
  // kTfLiteAbort) and the outputs were not updated; invoke with the next frame.
  SPRAT_WAITING,
} sprat_status;

// Element types (the same codes as the blob).
typedef enum {
  SPRAT_INT8 = 1,
  SPRAT_INT16 = 2,
  SPRAT_INT32 = 3,
  SPRAT_FLOAT32 = 4,
  SPRAT_UINT8 = 5,
  SPRAT_INT64 = 6,
  SPRAT_BOOL = 7,
  SPRAT_UINT32 = 8,
  SPRAT_UINT64 = 9,
} sprat_type;

#define SPRAT_MAX_RANK 6

// A model input or output: where its data is and how to read it.
typedef struct {
  void *data;
  size_t bytes;
  sprat_type type;
  int32_t rank;
  int32_t dims[SPRAT_MAX_RANK];
  float scale;  // real = scale * (q - zero_point); 0 for float tensors
  int32_t zero_point;
} sprat_tensor;

// Called before (begin = 1) and after (begin = 0) each layer that
// sprat_invoke runs, e.g. to profile layer by layer.
typedef void (*sprat_layer_callback)(void *user, int op_index, int begin);

struct sprat_layer;

// The model's state. Its fields are private; it is a plain struct so that
// it can be a static variable.
typedef struct {
  const uint8_t *blob;
  uint8_t *arena;
  uint32_t blob_size;
  uint32_t arena_needed;
  const uint8_t *tensors;
  const uint8_t *ops;
  const uint16_t *op_io;
  const uint8_t *params;
  const uint8_t *consts;
  const uint16_t *io;
  uint32_t n_tensors, n_ops, n_op_io, params_size, consts_size, n_inputs, n_outputs;
  uint32_t consts_crc;
  int32_t error_op;      // op index of the last error, or -1
  int32_t error_tensor;  // tensor index of the last error, or -1
  uint32_t ready;
  uint32_t plan_size;              // activation bytes of the plan
  struct sprat_layer *layers;      // the prepared layers, in the arena
  uint32_t may_stop;               // a layer may end an invoke early (SPRAT_WAITING)
  sprat_layer_callback layer_callback;
  void *layer_callback_user;
} sprat_model;

// `blob` must be 16-byte aligned (weights are read in place as int32).
// Checks the blob (every offset, size and index, the tables' CRC-32), lays
// out the arena and prepares every layer once: the arena holds the planned
// activations and, after them, one small record per layer (its kernel and
// data pointers), so that sprat_invoke only calls kernels. On
// SPRAT_ERR_ARENA_TOO_SMALL, sprat_arena_needed() says how many bytes this
// arena pointer would need. SPRAT_ERR_LAYOUT: the model was converted for
// another kernel library (`sprat convert --target` names the target).
sprat_status sprat_model_init(sprat_model *model, const void *blob, size_t blob_size, void *arena,
                              size_t arena_size);

// Code generated for one model (`sprat convert --generate`, the
// sprat_model Bazel rule, `sprat export`): layers specialized for their
// shapes, which the blob marks. Pass the model's code, declared in its
// generated header, to sprat_model_init_generated. The runtime still checks
// every layer; a specialized layer runs only when the parameter record it
// was compiled for equals the blob's, byte for byte.
typedef struct {
  void (*run)(void *const *data);  // the layer's inputs, output and scratch; NULL: the generic kernel
  const void *params;              // the parameter record it was made for
  uint32_t params_size;
  uint32_t scratch_bytes;  // the scratch its code needs, checked against the blob's; 0: the kernel library's
} sprat_generated_layer;

typedef struct {
  uint32_t tables_crc;  // the blob's tables CRC-32, for the error of a mix-up
  uint32_t n_layers;    // the model's op count
  const sprat_generated_layer *layers;
} sprat_generated_code;

// sprat_model_init for a blob with generated layers, with their code.
// SPRAT_ERR_GENERATED_CODE: the code is missing (NULL) or another model's.
// A blob without generated layers takes code == NULL.
sprat_status sprat_model_init_generated(sprat_model *model, const void *blob, size_t blob_size, void *arena,
                                        size_t arena_size, const sprat_generated_code *code);

// Checks the CRC-32 of the weights (slow on a microcontroller: optional).
sprat_status sprat_model_verify_weights(const sprat_model *model);

// Runs the model once. The arena is planned offline and reuses an input's
// bytes once no layer needs them: write the inputs before every call.
// SPRAT_WAITING: see above (streaming models only).
sprat_status sprat_invoke(sprat_model *model);

// Models with state (LSTM and SVDF layers, resource variables) keep it in
// the arena from one sprat_invoke to the next, as TFLite does: a stream of
// audio frames is one invoke per frame. sprat_model_init sets every state to
// its initial value (the model's, or TFLite's: zero, the zero point for an
// int8 state); sprat_reset_state does it again, e.g. between two
// utterances. A model without state: nothing to do, SPRAT_OK.
sprat_status sprat_reset_state(sprat_model *model);

// Sets (or, with NULL, clears) the per-layer callback. Without one,
// sprat_invoke pays nothing for the feature.
sprat_status sprat_set_layer_callback(sprat_model *model, sprat_layer_callback callback, void *user);

// The kernel library linked in, e.g. "portable" or "cortex_m_dsp".
const char *sprat_kernel_library_name(void);

size_t sprat_arena_needed(const sprat_model *model);
int sprat_input_count(const sprat_model *model);
int sprat_output_count(const sprat_model *model);
sprat_status sprat_input(const sprat_model *model, int index, sprat_tensor *tensor);
sprat_status sprat_output(const sprat_model *model, int index, sprat_tensor *tensor);

// The op and tensor an error was found at (-1 if none), for messages.
int sprat_error_op(const sprat_model *model);
int sprat_error_tensor(const sprat_model *model);

// The op's name, e.g. "CONV_2D", for an op index of the model.
const char *sprat_op_name(const sprat_model *model, int op_index);

const char *sprat_status_str(sprat_status status);

#ifdef __cplusplus
}
#endif

#endif  // SPRAT_H_
