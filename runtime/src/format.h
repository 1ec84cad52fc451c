// The model blob's layout (docs/model_format.md). Read with explicit
// little-endian loads: the blob may sit at any alignment in flash and the
// host may be big-endian.
#ifndef SPRAT_RUNTIME_FORMAT_H_
#define SPRAT_RUNTIME_FORMAT_H_

#include <stdint.h>

#define SPRAT_MAGIC "SPRT"
#define SPRAT_FORMAT_MAJOR 2
#define SPRAT_HEADER_SIZE 64u

// header field offsets
#define H_VERSION_MAJOR 4
#define H_VERSION_MINOR 6
#define H_TOTAL_SIZE 8
#define H_TABLES_CRC 12
#define H_HEADER_SIZE 16
#define H_CONSTS_CRC 20
#define H_ARENA_SIZE 24
#define H_N_SECTIONS 28
#define H_SECTION_TABLE 32

#define SECTION_ENTRY_SIZE 16u
enum {
  SECTION_TENSORS = 1,
  SECTION_OPS = 2,
  SECTION_OP_IO = 3,
  SECTION_PARAMS = 4,
  SECTION_IO = 5,
  SECTION_CONSTS = 6,
};

#define TENSOR_RECORD_SIZE 48u
#define T_TYPE 0
#define T_RANK 1
#define T_STORAGE 2
#define T_DIMS 4
#define T_OFFSET 28
#define T_BYTES 32
#define T_ZERO_POINT 36
#define T_SCALE 40
#define T_INIT 44  // u16: a STATE tensor's initial value, a constant tensor (SPRAT_NO_TENSOR: TFLite's reset value)
// STATE (format 2.3): arena bytes of its own, kept across invokes (an LSTM's
// cell state, a resource variable); set to its initial value by init and
// sprat_reset_state.
enum { STORAGE_ARENA = 0, STORAGE_CONST = 1, STORAGE_STATE = 2 };

#define OP_RECORD_SIZE 20u
#define O_OPCODE 0
#define O_N_IN 2
#define O_N_OUT 3
#define O_N_SCRATCH 4
#define O_FLAGS 5
#define OPF_GENERATED 1u  // runs code generated for this model (sprat_generated_code)
// May end the invoke (format 2.3): input 0 is an int32 STATE [3] whose
// element 2 the layer sets non-zero to stop there (CIRCULAR_BUFFER).
#define OPF_MAY_STOP 2u
#define O_IO_INDEX 8
#define O_PARAMS_OFFSET 12
#define O_PARAMS_SIZE 16

#define SPRAT_NO_TENSOR 0xFFFFu  // an absent optional input

static inline uint16_t sprat_rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t sprat_rd32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

#endif  // SPRAT_RUNTIME_FORMAT_H_
