// DIV, FLOOR_DIV, FLOOR_MOD, SQUARED_DIFFERENCE, MAXIMUM and MINIMUM on the
// raw values of one type, with broadcasting, as TFLite's reference kernels
// compute them. Where TFLite's C++ is undefined (an integer division by 0,
// INT_MIN / -1, a signed overflow) the result here is defined: 0 for a
// division by 0 (TFLite stops with an error), wrapping otherwise.
#include <math.h>

#include "kernels/portable/broadcast.h"
#include "kernels/portable/portable.h"

enum { kInt8 = 1, kInt16 = 2, kInt32 = 3, kFloat32 = 4, kInt64 = 6 };  // sprat.h's codes

// Integers of up to 64 bits, in int64 with the wrapping cases taken apart.
static inline int64_t neg_wrap(int64_t a) { return (int64_t)(0u - (uint64_t)a); }

static inline int64_t div_trunc(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return neg_wrap(a);
  return a / b;
}

static inline int64_t div_floor(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return neg_wrap(a);
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static inline int64_t mod_floor(int64_t a, int64_t b) {
  if (b == 0 || b == -1) return 0;
  const int64_t r = a % b;
  return (r != 0 && ((b < 0) != (r < 0))) ? r + b : r;
}

// (a - b)^2 modulo 2^64: the low bits are those of TFLite's wrapping
// product in the narrower type.
static inline int64_t squared_difference(int64_t a, int64_t b) {
  const uint64_t d = (uint64_t)a - (uint64_t)b;
  return (int64_t)(d * d);
}

// int32 ADD, SUB, MUL: the wrapped int32 result, then the activation's clamp.
static inline int64_t clamp32(const sprat_arith_params *p, uint64_t v) {
  const int64_t r = (int32_t)(uint32_t)v;
  return r < p->act_min ? p->act_min : (r > p->act_max ? p->act_max : r);
}

static inline int64_t int_op(const sprat_arith_params *p, int64_t a, int64_t b) {
  switch (p->op) {
    case SPRAT_ARITH_ADD:
      return clamp32(p, (uint64_t)a + (uint64_t)b);
    case SPRAT_ARITH_SUB:
      return clamp32(p, (uint64_t)a - (uint64_t)b);
    case SPRAT_ARITH_MUL:
      return clamp32(p, (uint64_t)a * (uint64_t)b);
    case SPRAT_ARITH_DIV: {
      // DIV is int32 only: TFLite's clamp (fused activation) on the quotient.
      const int64_t q = (int32_t)(uint32_t)(uint64_t)div_trunc(a, b);
      return q < p->act_min ? p->act_min : (q > p->act_max ? p->act_max : q);
    }
    case SPRAT_ARITH_FLOOR_DIV:
      return div_floor(a, b);
    case SPRAT_ARITH_FLOOR_MOD:
      return mod_floor(a, b);
    case SPRAT_ARITH_SQUARED_DIFFERENCE:
      return squared_difference(a, b);
    case SPRAT_ARITH_MAXIMUM:
      return a > b ? a : b;
    default:
      return a < b ? a : b;
  }
}

// std::min(std::max(v, lo), hi), as TFLite's float activation clamp.
static inline float clampf(const sprat_arith_params *p, float v) {
  v = v < p->act_min_f ? p->act_min_f : v;
  return p->act_max_f < v ? p->act_max_f : v;
}

static inline float float_op(const sprat_arith_params *p, float a, float b) {
  switch (p->op) {
    case SPRAT_ARITH_ADD:
      return clampf(p, a + b);
    case SPRAT_ARITH_SUB:
      return clampf(p, a - b);
    case SPRAT_ARITH_MUL:
      return clampf(p, a * b);
    case SPRAT_ARITH_DIV: {
      // std::min(std::max(q, lo), hi): a NaN goes through, infinities clamp.
      float q = a / b;
      q = q < p->act_min_f ? p->act_min_f : q;
      return p->act_max_f < q ? p->act_max_f : q;
    }
    case SPRAT_ARITH_FLOOR_DIV:
      return (float)floor((double)a / (double)b);  // TFLite divides in double
    case SPRAT_ARITH_FLOOR_MOD: {
      const float r = fmodf(a, b);  // exact: every correct fmodf agrees
      return (r != 0 && ((b < 0) != (r < 0))) ? r + b : r;
    }
    case SPRAT_ARITH_SQUARED_DIFFERENCE: {
      const float d = a - b;
      return d * d;
    }
    case SPRAT_ARITH_MAXIMUM:
      return a > b ? a : b;
    default:
      return a < b ? a : b;
  }
}

// One loop per type; the narrowing conversions keep the low bits.
#define SPRAT_ARITH_LOOP(T, U, OP)                                  \
  do {                                                              \
    const T *x1 = (const T *)in1, *x2 = (const T *)in2;             \
    T *y = (T *)out;                                                \
    sprat_bc_iter it = {{0}, 0, 0};                                 \
    for (int32_t i = 0; i < n; ++i) {                               \
      const T a = x1[it.o1], b = x2[it.o2];                         \
      y[i] = (T)(U)(uint64_t)OP(p, a, b);                           \
      sprat_bc_next(&p->bc, &it);                                   \
    }                                                               \
  } while (0)

void sprat_portable_arith_binary(const sprat_arith_params *p, const void *in1, const void *in2, void *out) {
  const int32_t n = sprat_bc_count(&p->bc);
  switch (p->type) {
    case kInt8:
      SPRAT_ARITH_LOOP(int8_t, uint8_t, int_op);
      break;
    case kInt16:
      SPRAT_ARITH_LOOP(int16_t, uint16_t, int_op);
      break;
    case kInt32:
      SPRAT_ARITH_LOOP(int32_t, uint32_t, int_op);
      break;
    case kInt64:
      SPRAT_ARITH_LOOP(int64_t, uint64_t, int_op);
      break;
    default: {
      const float *x1 = (const float *)in1, *x2 = (const float *)in2;
      float *y = (float *)out;
      sprat_bc_iter it = {{0}, 0, 0};
      for (int32_t i = 0; i < n; ++i) {
        y[i] = float_op(p, x1[it.o1], x2[it.o2]);
        sprat_bc_next(&p->bc, &it);
      }
      break;
    }
  }
}
