// Data movement driven by values read at run time: GATHER and GATHER_ND with
// computed indices, EMBEDDING_LOOKUP's int8-to-float rows, DYNAMIC_UPDATE_SLICE,
// BROADCAST_ARGS. The runtime has checked the shapes against the record; the
// indices it cannot check, so every one is range-checked here before it
// addresses memory. memmove throughout: a crafted blob may overlap buffers
// (the result is then unspecified, never undefined behaviour).
#include <string.h>

#include "kernels/portable/portable.h"

// Index k of an int16, int32 or int64 vector, widened.
static int64_t index_at(const void *indices, int32_t size, size_t k) {
  switch (size) {
    case 2: return ((const int16_t *)indices)[k];
    case 4: return ((const int32_t *)indices)[k];
    default: return ((const int64_t *)indices)[k];
  }
}

static void fill_bytes(uint8_t *dst, size_t bytes, int32_t elem_size, int32_t value) {
  sprat_portable_fill((int32_t)(bytes / (size_t)elem_size), elem_size, value, dst);
}

void sprat_portable_gather_rt(const sprat_gather_rt_params *p, const void *indices, const void *in, void *out) {
  const uint8_t *src = (const uint8_t *)in;
  uint8_t *dst = (uint8_t *)out;
  const size_t row = (size_t)p->inner_bytes;
  for (int32_t b = 0; b < p->batch; ++b) {
    const size_t first = (size_t)b * (size_t)p->n_indices;  // this batch's indices
    for (int32_t o = 0; o < p->outer; ++o) {
      const uint8_t *base = src + ((size_t)b * (size_t)p->outer + (size_t)o) * (size_t)p->axis_size * row;
      for (int32_t k = 0; k < p->n_indices; ++k) {
        const int64_t i = index_at(indices, p->index_size, first + (size_t)k);
        if (i >= 0 && i < p->axis_size) memmove(dst, base + (size_t)i * row, row);
        else fill_bytes(dst, row, p->elem_size, p->fill);
        dst += row;
      }
    }
  }
}

void sprat_portable_gather_nd(const sprat_gather_nd_params *p, const void *indices, const void *in, void *out) {
  const uint8_t *src = (const uint8_t *)in;
  uint8_t *dst = (uint8_t *)out;
  const size_t slice = (size_t)p->slice_bytes;
  for (int32_t s = 0; s < p->n_slices; ++s) {
    // Horner over the coordinates: the flat slice number, once all are in range.
    size_t flat = 0;
    int inside = 1;
    for (int32_t j = 0; j < p->nd; ++j) {
      const int64_t i = index_at(indices, p->index_size, (size_t)s * (size_t)p->nd + (size_t)j);
      if (i < 0 || i >= p->dims[j]) inside = 0;
      else flat = flat * (size_t)p->dims[j] + (size_t)i;
    }
    if (inside) memmove(dst, src + flat * slice, slice);
    else fill_bytes(dst, slice, p->elem_size, p->fill);
    dst += slice;
  }
}

void sprat_portable_embedding_lookup_hybrid(const sprat_embedding_hybrid_params *p, const int32_t *lookup,
                                            const int8_t *values, const float *scales, float *out) {
  const size_t cols = (size_t)p->cols;
  for (int32_t i = 0; i < p->n_lookups; ++i) {
    float *o = out + (size_t)i * cols;
    const int32_t r = lookup[i];
    if (r < 0 || r >= p->rows) {
      for (size_t j = 0; j < cols; ++j) o[j] = 0.0f;
      continue;
    }
    const float scale = scales[p->per_row ? r : 0];
    const int8_t *v = values + (size_t)r * cols;
    for (size_t j = 0; j < cols; ++j) o[j] = (float)v[j] * scale;
  }
}

void sprat_portable_dynamic_update_slice(const sprat_dynamic_update_slice_params *p, const void *operand,
                                         const void *update, const void *indices, void *out) {
  const int32_t n = p->ndim;
  const size_t es = (size_t)p->elem_size;
  size_t total = 1;
  for (int32_t d = 0; d < n; ++d) total *= (size_t)p->operand_dims[d];
  if (out != operand) memmove(out, operand, total * es);
  // Start positions clamped as TFLite clamps them: the update always fits.
  size_t start = 0, stride[SPRAT_MAX_DIMS], rows = 1;
  size_t acc = 1;
  for (int32_t d = n - 1; d >= 0; --d) {
    stride[d] = acc;
    acc *= (size_t)p->operand_dims[d];
  }
  for (int32_t d = 0; d < n; ++d) {
    int64_t s = index_at(indices, p->index_size, (size_t)d);
    const int64_t hi = (int64_t)p->operand_dims[d] - p->update_dims[d];
    s = s < 0 ? 0 : (s > hi ? hi : s);
    start += (size_t)s * stride[d];
    if (d < n - 1) rows *= (size_t)p->update_dims[d];
  }
  const size_t row_bytes = (size_t)p->update_dims[n - 1] * es;
  const uint8_t *src = (const uint8_t *)update;
  uint8_t *dst = (uint8_t *)out;
  int32_t at[SPRAT_MAX_DIMS] = {0};
  for (size_t r = 0; r < rows; ++r) {
    size_t off = start;
    for (int32_t d = 0; d < n - 1; ++d) off += (size_t)at[d] * stride[d];
    memmove(dst + off * es, src + r * row_bytes, row_bytes);
    for (int32_t d = n - 2; d >= 0; --d) {  // the next update row, last dimension fastest
      if (++at[d] < p->update_dims[d]) break;
      at[d] = 0;
    }
  }
}

void sprat_portable_broadcast_args(const sprat_broadcast_args_params *p, const void *shape1, const void *shape2,
                                   void *out) {
  const int32_t size = p->is_int64 ? 8 : 4;
  for (int32_t i = 0; i < p->n_out; ++i) {  // i counts from the end
    const int32_t k1 = p->n1 - 1 - i, k2 = p->n2 - 1 - i;
    // TFLite reads each value into an int: int64 dimensions truncated.
    const int32_t a = k1 < 0 ? 1 : (int32_t)(uint32_t)(uint64_t)index_at(shape1, size, (size_t)k1);
    const int32_t b = k2 < 0 ? 1 : (int32_t)(uint32_t)(uint64_t)index_at(shape2, size, (size_t)k2);
    const int32_t v = a == 1 ? b : (b == 1 || a == b ? a : 0);
    const size_t k = (size_t)(p->n_out - 1 - i);
    if (p->is_int64) ((int64_t *)out)[k] = v;
    else ((int32_t *)out)[k] = v;
  }
}
