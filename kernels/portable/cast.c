// CAST between int8, int16, int32, int64, uint8, bool and float32, as
// LiteRT's kernel computes it: integers wrap (static_cast), a float is
// truncated toward zero and saturated to the integer type's range, NaN
// giving its maximum (LiteRT's SafeCast; out of range, C and C++ leave
// the conversion undefined, so it is spelled out here), anything to bool is
// "!= 0", integers to float32 round to nearest even.
#include <string.h>

#include "kernels/portable/portable.h"

enum { kInt8 = 1, kInt16 = 2, kInt32 = 3, kFloat32 = 4, kUInt8 = 5, kInt64 = 6, kBool = 7, kUInt32 = 8 };

static int32_t elem_size(int32_t type) {
  switch (type) {
    case kInt16: return 2;
    case kInt32: case kFloat32: case kUInt32: return 4;
    case kInt64: return 8;
    default: return 1;
  }
}

static int64_t load_int(const void *in, int32_t type, int32_t i) {
  switch (type) {
    case kInt8: return ((const int8_t *)in)[i];
    case kInt16: return ((const int16_t *)in)[i];
    case kInt32: return ((const int32_t *)in)[i];
    case kUInt8: return ((const uint8_t *)in)[i];
    case kUInt32: return ((const uint32_t *)in)[i];
    case kInt64: return ((const int64_t *)in)[i];
    default: return ((const uint8_t *)in)[i] != 0;  // bool
  }
}

// The two's complement truncation static_cast gives (GCC and Clang define
// the narrowing conversions that way).
static void store_int(void *out, int32_t type, int32_t i, int64_t v, int wide_input) {
  switch (type) {
    case kInt8: ((int8_t *)out)[i] = (int8_t)v; break;
    case kInt16: ((int16_t *)out)[i] = (int16_t)v; break;
    case kInt32: ((int32_t *)out)[i] = (int32_t)v; break;
    case kUInt8: ((uint8_t *)out)[i] = (uint8_t)v; break;
    case kUInt32: ((uint32_t *)out)[i] = (uint32_t)v; break;
    case kInt64: ((int64_t *)out)[i] = v; break;
    // The same rounding either way; int32 avoids a 64-bit conversion call on 32-bit cores.
    case kFloat32: ((float *)out)[i] = wide_input ? (float)v : (float)(int32_t)v; break;
    default: ((uint8_t *)out)[i] = (uint8_t)(v != 0); break;
  }
}

// lo and hi_excl are the integer type's minimum and its maximum plus one,
// both exact in float32 (powers of two or zero).
#define SATURATED(T, lo, hi_excl, max)                   \
  (f != f ? (T)(max) : f < (lo) ? (T)(lo) : f >= (hi_excl) ? (T)(max) : (T)f)

static void store_float(void *out, int32_t type, int32_t i, float f) {
  switch (type) {
    case kInt8: ((int8_t *)out)[i] = SATURATED(int8_t, -128.0f, 128.0f, 127); break;
    case kInt16: ((int16_t *)out)[i] = SATURATED(int16_t, -32768.0f, 32768.0f, 32767); break;
    case kInt32: ((int32_t *)out)[i] = SATURATED(int32_t, -2147483648.0f, 2147483648.0f, INT32_MAX); break;
    case kUInt8: ((uint8_t *)out)[i] = SATURATED(uint8_t, 0.0f, 256.0f, 255); break;
    case kInt64:
      ((int64_t *)out)[i] = SATURATED(int64_t, -9223372036854775808.0f, 9223372036854775808.0f, INT64_MAX);
      break;
    case kFloat32: ((float *)out)[i] = f; break;
    default: ((uint8_t *)out)[i] = (uint8_t)(f != 0.0f); break;  // NaN is true
  }
}

void sprat_portable_cast(const sprat_cast_params *p, const void *in, void *out) {
  const int32_t n = p->count;
  if (p->input_type == p->output_type && p->input_type != kBool) {
    memmove(out, in, (size_t)n * (size_t)elem_size(p->input_type));
    return;
  }
  if (p->input_type == kFloat32) {
    const float *f = (const float *)in;
    for (int32_t i = 0; i < n; ++i) store_float(out, p->output_type, i, f[i]);
    return;
  }
  const int wide = p->input_type == kInt64 || p->input_type == kUInt32;  // beyond int32
  for (int32_t i = 0; i < n; ++i) store_int(out, p->output_type, i, load_int(in, p->input_type, i), wide);
}
