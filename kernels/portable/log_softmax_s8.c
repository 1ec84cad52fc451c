// LOG_SOFTMAX, int8, as TFLite's integer reference: differences from the
// row's maximum in Q5.26, gemmlowp's exp summed in Q12.19, its log in Q5.26
// subtracted and the result rounded to the output's 1/16 steps (zero point
// 127). Differences below adjusted_diff_min give -128.
#include "kernels/portable/fixedpoint_log.h"
#include "kernels/portable/portable.h"

void sprat_portable_log_softmax_s8(const sprat_log_softmax_params *p, const int8_t *in, int8_t *out) {
  for (int32_t r = 0; r < p->rows; ++r) {
    const int8_t *x = in + r * p->depth;
    int8_t *y = out + r * p->depth;
    int32_t max = -128;
    for (int32_t j = 0; j < p->depth; ++j) max = x[j] > max ? x[j] : max;
    int32_t sum = 0;  // Q12
    for (int32_t j = 0; j < p->depth; ++j) {
      const int32_t diff = x[j] - max;
      if (diff >= p->diff_min) {
        const int32_t q5 = sprat_mbqm(diff, p->input_multiplier, p->input_left_shift);
        sum = sprat_fx_add(sum, sprat_rounding_divide_by_pot(sprat_fx_exp_on_negative_q5(q5), 12));
      }
    }
    const int32_t log_sum = sprat_fx_log_x_ge_1(sum, 12, 5);  // Q5
    // The smallest Q5 value plus the log, scaled back to input steps.
    const int32_t shifted = sprat_fx_add(log_sum, INT32_MIN);
    const int32_t reverse = sprat_mbqm(shifted, p->reverse_scaling_divisor, -p->reverse_scaling_right_shift);
    const int32_t adjusted_diff_min = p->diff_min - 1 > reverse ? p->diff_min - 1 : reverse;
    for (int32_t j = 0; j < p->depth; ++j) {
      const int32_t diff = x[j] - max;
      if (diff > adjusted_diff_min) {
        const int32_t q5 = sprat_mbqm(diff, p->input_multiplier, p->input_left_shift);
        const int32_t v = sprat_rounding_divide_by_pot(sprat_fx_sub(q5, log_sum), 31 - 5 - 4) + 127;
        y[j] = (int8_t)sprat_clamp(v, -128, 127);
      } else {
        y[j] = -128;
      }
    }
  }
}
