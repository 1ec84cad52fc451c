// The scatter both TRANSPOSE_CONV kernels share: every input element (plus
// the input offset) times each filter tap it reaches, summed into that
// output element's accumulator of type ACC_T, zeroed first. Expects
// p (sprat_conv_params), in, filter and acc in scope.
#ifndef SPRAT_PORTABLE_TRANSPOSE_CONV_SCATTER_H_
#define SPRAT_PORTABLE_TRANSPOSE_CONV_SCATTER_H_

#include <string.h>

#define SPRAT_TRANSPOSE_CONV_SCATTER(ACC_T, ADD)                                                           \
  do {                                                                                                     \
    const sprat_shape4 *is_ = &p->in, *fs_ = &p->filter, *os_ = &p->out;                                  \
    memset(acc, 0, (size_t)os_->n * os_->h * os_->w * os_->c * sizeof(ACC_T));                             \
    for (int32_t b = 0; b < is_->n; ++b)                                                                   \
      for (int32_t iy = 0; iy < is_->h; ++iy)                                                              \
        for (int32_t ix = 0; ix < is_->w; ++ix) {                                                          \
          const int32_t y0 = iy * p->stride_h - p->pad_top, x0 = ix * p->stride_w - p->pad_left;           \
          for (int32_t ic = 0; ic < is_->c; ++ic) {                                                        \
            const int32_t v = in[((b * is_->h + iy) * is_->w + ix) * is_->c + ic] + p->input_offset;       \
            for (int32_t ky = 0; ky < fs_->h; ++ky) {                                                      \
              const int32_t oy = y0 + ky;                                                                  \
              if (oy < 0 || oy >= os_->h) continue;                                                        \
              for (int32_t kx = 0; kx < fs_->w; ++kx) {                                                    \
                const int32_t ox = x0 + kx;                                                                \
                if (ox < 0 || ox >= os_->w) continue;                                                      \
                ACC_T *a = acc + ((size_t)(b * os_->h + oy) * os_->w + ox) * os_->c;                       \
                for (int32_t oc = 0; oc < os_->c; ++oc)                                                    \
                  a[oc] = ADD(a[oc], v * filter[((oc * fs_->h + ky) * fs_->w + kx) * fs_->c + ic]);        \
              }                                                                                            \
            }                                                                                              \
          }                                                                                                \
        }                                                                                                  \
  } while (0)

#endif  // SPRAT_PORTABLE_TRANSPOSE_CONV_SCATTER_H_
