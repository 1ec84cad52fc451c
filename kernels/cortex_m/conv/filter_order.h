// The filter order of layout ARMV7EM for CONV_2D and FULLY_CONNECTED
// (converter/layouts/cortex_m.py writes it; kernels/cortex_m/README.md
// explains it). A filter row is one output channel's `depth` weights in
// TFLite's order (conv: ky, kx, in_c; FC: the input index); with G = depth / 4
// and t = depth % 4 the array holds, in this order:
//   groups: for each pair of rows (2j, 2j+1), for g < G: bytes 4g..4g+3 of
//           row 2j, then of row 2j+1 (8*G bytes per pair); an odd last row
//           alone (4*G bytes);
//   tails:  for each row, its last t bytes.
// Each pair's groups start 8-byte aligned in an aligned filter, so one LDRD
// fetches both rows' next four weights; the tails sit at the end and are
// read as the word that ends at a row's tail (its top t bytes), which with
// G >= 1 never reaches before the array.
#ifndef SPRAT_KERNELS_CORTEX_M_FILTER_ORDER_H_
#define SPRAT_KERNELS_CORTEX_M_FILTER_ORDER_H_

#include <stdint.h>

// Index of row `r`'s weight `k` in a filter of `rows` rows of `depth`.
static inline int32_t sprat_cm_filter_index(int32_t r, int32_t k, int32_t rows, int32_t depth) {
  const int32_t groups = depth >> 2, t = depth & 3;
  if (k >= 4 * groups) return 4 * groups * rows + r * t + (k - 4 * groups);
  if ((rows & 1) && r == rows - 1) return (r >> 1) * 8 * groups + k;
  return (r >> 1) * 8 * groups + (k >> 2) * 8 + (r & 1) * 4 + (k & 3);
}

#endif  // SPRAT_KERNELS_CORTEX_M_FILTER_ORDER_H_
