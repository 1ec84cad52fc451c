// RESIZE_BILINEAR, int8 and int16, as TFLite's integer reference
// (ResizeBilinearInteger): weights in 1/1024 from tables made offline, the
// four products summed in int64 and divided by 2^20 rounding halves away
// from zero. RESIZE_NEAREST_NEIGHBOR on int16.
#include "kernels/portable/portable.h"

enum { kInt16 = 2 };  // SPRAT_INT16 of sprat.h

static inline int64_t at(const void *in, int is16, int32_t i) {
  return is16 ? ((const int16_t *)in)[i] : ((const int8_t *)in)[i];
}

void sprat_portable_resize_bilinear(const sprat_resize_bilinear_params *p, const int32_t *ys, const int32_t *xs,
                                    const void *in, void *out) {
  const int is16 = p->type == kInt16;
  const int32_t c_n = p->channels;
  int32_t o = 0;
  for (int32_t b = 0; b < p->batches; ++b) {
    for (int32_t y = 0; y < p->out_h; ++y) {
      const int32_t y0 = ys[3 * y], y1 = ys[3 * y + 1], dy = ys[3 * y + 2];
      const int32_t row0 = (b * p->in_h + y0) * p->in_w, row1 = (b * p->in_h + y1) * p->in_w;
      for (int32_t x = 0; x < p->out_w; ++x) {
        const int32_t x0 = xs[3 * x], x1 = xs[3 * x + 1], dx = xs[3 * x + 2];
        for (int32_t c = 0; c < c_n; ++c, ++o) {
          const int64_t v = at(in, is16, (row0 + x0) * c_n + c) * (1024 - dy) * (1024 - dx) +
                            at(in, is16, (row1 + x0) * c_n + c) * dy * (1024 - dx) +
                            at(in, is16, (row0 + x1) * c_n + c) * (1024 - dy) * dx +
                            at(in, is16, (row1 + x1) * c_n + c) * dy * dx;
          // TFLite's cast to the element type keeps the low bits; the
          // weights sum to 1024 * 1024, so the value is always in range.
          const int32_t r = (int32_t)((v + (v > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20));
          if (is16) ((int16_t *)out)[o] = (int16_t)r;
          else ((int8_t *)out)[o] = (int8_t)r;
        }
      }
    }
  }
}

void sprat_portable_resize_nearest_s16(const sprat_resize_params *p, const int32_t *src_y, const int32_t *src_x,
                                       const int16_t *in, int16_t *out) {
  int16_t *o = out;
  for (int32_t b = 0; b < p->batches; ++b)
    for (int32_t y = 0; y < p->out_h; ++y)
      for (int32_t x = 0; x < p->out_w; ++x) {
        const int16_t *s = in + ((b * p->in_h + src_y[y]) * p->in_w + src_x[x]) * p->channels;
        for (int32_t c = 0; c < p->channels; ++c) *o++ = s[c];
      }
}
