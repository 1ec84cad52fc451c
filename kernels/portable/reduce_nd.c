// SUM, MEAN, REDUCE_MIN and REDUCE_MAX over any set of axes, int8 and
// int16. TFLite sums into int32, wrapping, then requantizes once; the order
// of the additions does not matter for a wrapped sum, nor for a minimum or a
// maximum, so each output walks its own reduced elements.
#include "kernels/portable/fixedpoint.h"
#include "kernels/portable/portable.h"

enum { kInt16 = 2 };  // SPRAT_INT16 of sprat.h: kernels do not include the runtime API

// Element offset of index `i` of a row-major walk over dims[0..n).
static int32_t offset_of(int32_t i, int32_t n, const int32_t *dims, const int32_t *strides) {
  int32_t off = 0;
  for (int32_t d = n - 1; d >= 0; --d) {
    off += (i % dims[d]) * strides[d];
    i /= dims[d];
  }
  return off;
}

static int32_t product(int32_t n, const int32_t *dims) {
  int32_t v = 1;
  for (int32_t d = 0; d < n; ++d) v *= dims[d];
  return v;
}

static inline int32_t load(const void *in, int is16, int32_t i) {
  return is16 ? ((const int16_t *)in)[i] : ((const int8_t *)in)[i];
}

void sprat_portable_reduce_nd(const sprat_reduce_nd_params *p, const void *in, void *out) {
  const int is16 = p->type == kInt16;
  const int32_t lo_limit = is16 ? -32768 : -128, hi_limit = is16 ? 32767 : 127;
  const int32_t outputs = product(p->n_out, p->out_dims);
  // The innermost reduced dimension is walked directly, the others by offset_of.
  const int32_t inner = p->n_red > 0 ? p->red_dims[p->n_red - 1] : 1;
  const int32_t step = p->n_red > 0 ? p->red_strides[p->n_red - 1] : 0;
  const int32_t n_rows = p->n_red > 0 ? p->n_red - 1 : 0;
  const int32_t rows = product(n_rows, p->red_dims);
  const int64_t count = (int64_t)rows * inner;
  for (int32_t o = 0; o < outputs; ++o) {
    const int32_t base = offset_of(o, p->n_out, p->out_dims, p->out_strides);
    uint32_t sum = 0;
    int32_t lo = hi_limit, hi = lo_limit;
    for (int32_t r = 0; r < rows; ++r) {
      const int32_t row = base + offset_of(r, n_rows, p->red_dims, p->red_strides);
      for (int32_t k = 0; k < inner; ++k) {
        const int32_t v = load(in, is16, row + k * step);
        sum += (uint32_t)v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
      }
    }
    int32_t y;
    if (p->kind == SPRAT_REDUCE_MIN) {
      y = lo;
    } else if (p->kind == SPRAT_REDUCE_MAX) {
      y = hi;
    } else {
      // TFLite subtracts zero point * count in int64, then keeps the low 32 bits.
      const uint32_t zp_total = (uint32_t)(uint64_t)((int64_t)p->input_zero_point * count);
      const int32_t shifted = (int32_t)(sum - zp_total);
      y = sprat_clamp(sprat_wrap_add(sprat_mbqm(shifted, p->multiplier, p->shift), p->output_zero_point), lo_limit,
                      hi_limit);
    }
    if (is16) ((int16_t *)out)[o] = (int16_t)y;
    else ((int8_t *)out)[o] = (int8_t)y;
  }
}
