// Data movement shared by PAD, STRIDED_SLICE, TRANSPOSE, CONCATENATION,
// RESIZE_NEAREST_NEIGHBOR and GATHER: no arithmetic, so any element size works.
#include <string.h>

#include "kernels/portable/portable.h"

void sprat_portable_strided_copy(const sprat_copy_params *p, const void *in, void *out) {
  const uint8_t *src = (const uint8_t *)in;
  uint8_t *dst = (uint8_t *)out;
  const int32_t es = p->elem_size;
  int32_t total = 1;
  for (int32_t d = 0; d < p->ndim; ++d) total *= p->dims[d];
  if (total == 0) return;
  int32_t idx[SPRAT_MAX_DIMS] = {0};
  int32_t io = p->in_start, oo = p->out_start;
  const int32_t last = p->ndim - 1;
  // Rows of the innermost dimension: one move when both sides are dense.
  // memmove, not memcpy: a crafted blob may overlap input and output
  // (the result is then unspecified, never undefined behaviour).
  const int32_t row = p->ndim ? p->dims[last] : 1;
  const int dense = p->ndim && p->in_strides[last] == 1 && p->out_strides[last] == 1;
  for (int32_t done = 0; done < total; done += row) {
    if (dense) {
      memmove(dst + (size_t)oo * es, src + (size_t)io * es, (size_t)row * es);
    } else {
      const int32_t is = p->ndim ? p->in_strides[last] : 0, os = p->ndim ? p->out_strides[last] : 0;
      for (int32_t k = 0; k < row; ++k) memmove(dst + (size_t)(oo + k * os) * es, src + (size_t)(io + k * is) * es, (size_t)es);
    }
    // Advance every dimension but the innermost.
    for (int32_t d = last - 1; d >= 0; --d) {
      io += p->in_strides[d];
      oo += p->out_strides[d];
      if (++idx[d] < p->dims[d]) break;
      io -= p->in_strides[d] * p->dims[d];
      oo -= p->out_strides[d] * p->dims[d];
      idx[d] = 0;
    }
  }
}

void sprat_portable_fill(int32_t count, int32_t elem_size, int32_t value, void *out) {
  uint8_t *dst = (uint8_t *)out;
  if (elem_size == 1) {
    memset(dst, (uint8_t)value, (size_t)count);
    return;
  }
  // Little-endian: the low bytes of the value, sign-extended to 8 bytes
  // (an int64 border).
  const int64_t wide = value;
  for (int32_t i = 0; i < count; ++i) memmove(dst + (size_t)i * elem_size, &wide, (size_t)elem_size);
}

void sprat_portable_resize_nearest_s8(const sprat_resize_params *p, const int32_t *src_y,
                             const int32_t *src_x, const int8_t *in, int8_t *out) {
  for (int32_t b = 0; b < p->batches; ++b) {
    for (int32_t y = 0; y < p->out_h; ++y) {
      const int8_t *irow = in + ((size_t)b * p->in_h + src_y[y]) * p->in_w * p->channels;
      for (int32_t x = 0; x < p->out_w; ++x) {
        memmove(out, irow + (size_t)src_x[x] * p->channels, (size_t)p->channels);
        out += p->channels;
      }
    }
  }
}

void sprat_portable_gather(const sprat_gather_params *p, const int32_t *indices, const void *in, void *out) {
  const uint8_t *src = (const uint8_t *)in;
  uint8_t *dst = (uint8_t *)out;
  const size_t row = (size_t)p->inner_bytes;
  for (int32_t o = 0; o < p->outer; ++o) {
    const uint8_t *base = src + (size_t)o * p->axis_size * row;
    for (int32_t k = 0; k < p->n_indices; ++k) {
      memmove(dst, base + (size_t)indices[k] * row, row);
      dst += row;
    }
  }
}
