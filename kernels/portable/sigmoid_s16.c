// LOGISTIC and TANH on int16 (zero points 0, output scale 2^-15), as
// TFLite computes them: the input rescaled to steps of 1/(3 * 4096), then a
// linear interpolation in TFLite's 256-entry table of sigmoid on [0, 10.7)
// (the converter's: the numbers measured from the reference, see
// converter/quant.py), mirrored for negative inputs. TANH reads the same
// table, as tanh(x) = 2 sigmoid(2x) - 1, at twice the resolution.
#include "kernels/portable/portable.h"

// |x * multiplier| stays below 2^30 (the runtime checks multiplier <=
// 32767): no int32 overflow before the rounding shift.
static int32_t rescaled(const sprat_sigmoid_s16_params *p, int16_t x) {
  const int32_t round = p->input_left_shift > 0 ? (int32_t)1 << (p->input_left_shift - 1) : 0;
  return (x * p->input_multiplier + round) >> p->input_left_shift;
}

void sprat_portable_logistic_s16(const sprat_sigmoid_s16_params *p, const uint16_t *table, const int16_t *in,
                                 int16_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t v = rescaled(p, in[i]);
    const uint32_t a = (uint32_t)(v < 0 ? -v : v), h = a >> 9;
    // A nondecreasing table (checked at init) keeps r below 2^25.
    uint32_t r = h >= 255 ? 0x7FFFu << 10 : ((uint32_t)table[h] << 9) + (a & 0x1FFu) * (uint32_t)(table[h + 1] - table[h]);
    r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
    out[i] = (int16_t)(r >> 10);
  }
}

void sprat_portable_tanh_s16(const sprat_sigmoid_s16_params *p, const uint16_t *table, const int16_t *in,
                             int16_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t v = rescaled(p, in[i]);
    const uint32_t a = (uint32_t)(v < 0 ? -v : v), h = a >> 8;
    int32_t r = h >= 255 ? 0xFFFF << 8 : (int32_t)(((uint32_t)table[h] << 8) + (a & 0xFFu) * (uint32_t)(table[h + 1] - table[h]));
    r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    out[i] = (int16_t)(r >> 8);
  }
}
