// The filter order of layout ARMV7EM for DEPTHWISE_CONV_2D
// (converter/layouts/cortex_m.py writes it). TFLite stores [kh * kw taps]
// [C channels]; with G = C / 4 and t = C % 4 this layout holds
//   groups: for each group of 4 channels g < G, for each tap k: channels
//           4g..4g+3 of tap k (4 * taps bytes per group);
//   tails:  for each tap k, its last t channels.
// The kernel walks a group's taps with one post-incremented word load each,
// and the word's bytes line up with the 4 channels of an input word.
#ifndef SPRAT_KERNELS_CORTEX_M_DW_FILTER_ORDER_H_
#define SPRAT_KERNELS_CORTEX_M_DW_FILTER_ORDER_H_

#include <stdint.h>

// Index of channel c's weight at tap k in a filter of `taps` taps and `channels` channels.
static inline int32_t sprat_cm_dw_filter_index(int32_t k, int32_t c, int32_t taps, int32_t channels) {
  const int32_t groups = channels >> 2, t = channels & 3;
  if (c >= 4 * groups) return 4 * groups * taps + k * t + (c - 4 * groups);
  return ((c >> 2) * taps + k) * 4 + (c & 3);
}

#endif  // SPRAT_KERNELS_CORTEX_M_DW_FILTER_ORDER_H_
