// EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL with
// broadcasting, a bool output. TFLite's quantized comparison first brings
// both inputs to a common scale: (x - zero point) << 8, then each input's
// multiplier (smaller than one) with gemmlowp's roundings, so that values
// closer than that scale's step compare equal, as they do in TFLite.
#include "kernels/portable/broadcast.h"
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

enum { kInt8 = 1, kInt16 = 2, kInt32 = 3, kFloat32 = 4, kUInt8 = 5, kInt64 = 6, kBool = 7 };

static inline int32_t rescaled(int32_t x, int32_t offset, int32_t left_shift, int32_t multiplier, int32_t shift) {
  return sprat_mbqm((int32_t)((uint32_t)(x + offset) << left_shift), multiplier, shift);
}

// One loop per comparison, the kind chosen once: A and B read the
// operands at the iterator's offsets.
#define CMP_LOOP(OP, A, B)                  \
  for (int32_t i = 0; i < n; ++i) {         \
    out[i] = (uint8_t)((A)OP(B));           \
    sprat_bc_next(&p->bc, &it);             \
  }                                         \
  break;
#define CMP_ALL(A, B)                            \
  switch (p->kind) {                             \
    case SPRAT_CMP_EQ: CMP_LOOP(==, A, B)        \
    case SPRAT_CMP_NE: CMP_LOOP(!=, A, B)        \
    case SPRAT_CMP_GT: CMP_LOOP(>, A, B)         \
    case SPRAT_CMP_GE: CMP_LOOP(>=, A, B)        \
    case SPRAT_CMP_LT: CMP_LOOP(<, A, B)         \
    case SPRAT_CMP_LE: CMP_LOOP(<=, A, B)        \
    default: break;                              \
  }
#define CMP_SCALED(T)                                                                                          \
  do {                                                                                                         \
    const T *a = (const T *)in1, *b = (const T *)in2;                                                          \
    CMP_ALL(rescaled(a[it.o1], p->input1_offset, p->left_shift, p->input1_multiplier, p->input1_shift),         \
            rescaled(b[it.o2], p->input2_offset, p->left_shift, p->input2_multiplier, p->input2_shift))         \
  } while (0)
#define CMP_RAW(T)                                       \
  do {                                                   \
    const T *a = (const T *)in1, *b = (const T *)in2;    \
    CMP_ALL(a[it.o1], b[it.o2])                          \
  } while (0)

void sprat_portable_compare(const sprat_compare_params *p, const void *in1, const void *in2, uint8_t *out) {
  sprat_bc_iter it = {{0}, 0, 0};
  const int32_t n = sprat_bc_count(&p->bc);
  if (p->scaled) {
    switch (p->input_type) {
      case kInt8: CMP_SCALED(int8_t); break;
      case kUInt8: CMP_SCALED(uint8_t); break;
      case kInt16: CMP_SCALED(int16_t); break;
      default: break;
    }
    return;
  }
  switch (p->input_type) {
    case kInt8: CMP_RAW(int8_t); break;
    case kUInt8: CMP_RAW(uint8_t); break;
    case kInt16: CMP_RAW(int16_t); break;
    case kInt32: CMP_RAW(int32_t); break;
    case kInt64: CMP_RAW(int64_t); break;
    case kFloat32: CMP_RAW(float); break;  // IEEE: NaN is unequal to everything, ordered with nothing
    case kBool: {
      const uint8_t *a = (const uint8_t *)in1, *b = (const uint8_t *)in2;
      CMP_ALL(a[it.o1] != 0, b[it.o2] != 0)
      break;
    }
    default: break;
  }
}
