// TFLM's Signal ops between the samples and the features: window, FFT
// auto scale, energy, mel filter bank, its square root and log, spectral
// subtraction and PCAN gain control, with TFLM's integer arithmetic:
// unsigned sums wrapping where TFLM's do, its shifts, its log table.
#include <stddef.h>
#include <stdint.h>

#include "kernels/portable/portable.h"

void sprat_portable_signal_window_s16(const sprat_signal_window_params *p, const int16_t *in, const int16_t *window,
                                      int16_t *out) {
  for (int32_t r = 0; r < p->rows; ++r) {
    const int16_t *x = in + (size_t)r * p->size;
    int16_t *y = out + (size_t)r * p->size;
    for (int32_t i = 0; i < p->size; ++i) {
      const int32_t v = ((int32_t)x[i] * window[i]) >> p->shift;
      y[i] = (int16_t)(v < INT16_MIN ? INT16_MIN : (v > INT16_MAX ? INT16_MAX : v));
    }
  }
}

// The position of x's top bit, counting from 1 (0 for 0).
static int32_t top_bit64(uint64_t x) {
  int32_t n = 0;
  while (x) {
    x >>= 1;
    ++n;
  }
  return n;
}

static int32_t top_bit32(uint32_t x) { return top_bit64(x); }

int32_t sprat_portable_signal_fft_auto_scale_s16(int32_t n, const int16_t *in, int16_t *out) {
  // TFLM's largest magnitude is an int16: -32768 stays -32768, whose
  // unsigned view has its top bit at 32 (GCC's count for it, as for 0).
  int16_t max = 0;
  for (int32_t i = 0; i < n; ++i) {
    const int32_t v = in[i];
    if (v > max) max = (int16_t)v;
    else if (-v > max) max = (int16_t)(uint16_t)(uint32_t)(-v);
  }
  const uint32_t bits = (uint32_t)(int32_t)max;
  const int32_t top = bits ? top_bit32(bits) : 32;
  int32_t scale = 16 - top - 1;
  if (scale < 0) scale = 0;
  if (out) {
    for (int32_t i = 0; i < n; ++i) out[i] = (int16_t)(uint16_t)(uint32_t)((int32_t)in[i] * (1 << scale));
  }
  return scale;
}

void sprat_portable_signal_energy_s16(const sprat_signal_energy_params *p, const int16_t *in, uint32_t *out) {
  // Outside [start, end) TFLM leaves the output as it was: 0 here.
  for (int32_t i = 0; i < p->size; ++i) {
    if (i < p->start || i >= p->end) {
      out[i] = 0;
      continue;
    }
    const int32_t re = in[2 * i], im = in[2 * i + 1];
    out[i] = (uint32_t)(re * re) + (uint32_t)(im * im);  // up to 2^31: unsigned
  }
}

void sprat_portable_signal_filter_bank(const sprat_signal_filter_bank_params *p, const uint32_t *in,
                                       const int16_t *weights, const int16_t *unweights, const int16_t *freq_starts,
                                       const int16_t *weight_starts, const int16_t *widths, uint64_t *out) {
  // Each bin adds to its channel with a weight and to the next one with the
  // unweight: channel i's sum starts with channel i - 1's unweighted part.
  uint64_t carried = 0;
  for (int32_t ch = 0; ch <= p->channels; ++ch) {
    uint64_t weighted = carried, unweighted = 0;
    const int32_t f0 = freq_starts[ch], w0 = weight_starts[ch];
    for (int32_t j = 0; j < widths[ch]; ++j) {
      const uint64_t x = in[f0 + j];
      // A negative weight converts to a huge uint64, as in TFLM: sums wrap.
      weighted += (uint64_t)(int64_t)weights[w0 + j] * x;
      unweighted += (uint64_t)(int64_t)unweights[w0 + j] * x;
    }
    if (ch > 0) out[ch - 1] = weighted;
    carried = unweighted;
  }
}

// TFLM's bit-by-bit integer root; *num is left holding the remainder. For
// num below 2^32 it takes the same steps as the 32-bit root TFLM also has.
static uint64_t bit_sqrt(uint64_t *num) {
  uint64_t res = 0;
  const int32_t start = (64 - top_bit64(*num)) | 1;  // the highest even bit at or above num's top bit
  uint64_t bit = (uint64_t)1 << (63 - start);
  for (int32_t k = (63 - start) / 2 + 1; k > 0; --k) {
    if (*num >= res + bit) {
      *num -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  return res;
}

static uint32_t sqrt32(uint32_t num) {
  if (num == 0) return 0;
  uint64_t rest = num;
  uint64_t res = bit_sqrt(&rest);
  if (rest > res && res != 0xFFFF) ++res;  // rounded
  return (uint32_t)res & 0xFFFF;
}

static uint32_t sqrt64(uint64_t num) {
  // TFLM's shortcut: below 2^32 the 32-bit root (off by one near 2^32).
  if ((num >> 32) == 0) return sqrt32((uint32_t)num);
  uint64_t res = bit_sqrt(&num);
  if (num > res && res != 0xFFFFFFFFu) ++res;
  return (uint32_t)res;
}

void sprat_portable_signal_filter_bank_sqrt(int32_t n, const uint64_t *in, int32_t scale_bits, uint32_t *out) {
  // A shift by 32 or more is undefined in TFLM; x86 (its reference) uses
  // the count's low 5 bits, as here.
  const uint32_t shift = (uint32_t)scale_bits & 31u;
  for (int32_t i = 0; i < n; ++i) out[i] = sqrt64(in[i]) >> shift;
}

// TFLM's log2 fraction table: 128 segments of a correction to the linear
// interpolation, in 1/65536.
static const uint16_t kLogTable[130] = {
    0,    224,  442,  654,  861,  1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944,
    3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791,
    4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533, 5557, 5578,
    5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498,
    5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697,
    4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286,
    3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353,
    1224, 1094, 963,  830,  695,  559,  421,  282,  142,  0,    0};

// ln(x) * out_scale, x >= 2: log2 in Q16 (top bit plus the table's
// fraction), times ln 2 in Q16, rounded, times the scale, all in TFLM's
// unsigned 32-bit arithmetic.
static uint32_t log_scaled(uint32_t x, uint32_t out_scale) {
  const uint32_t integer = (uint32_t)top_bit32(x) - 1;
  int32_t frac = (int32_t)(uint32_t)((int64_t)x - ((int64_t)1 << integer));
  if (integer < 16) frac = (int32_t)((uint32_t)frac << (16 - integer));
  else frac >>= integer - 16;
  const uint32_t seg = (uint32_t)frac >> 9;
  const int32_t c0 = kLogTable[seg], c1 = kLogTable[seg + 1];
  const int32_t rel = ((c1 - c0) * (frac - (int32_t)(512u * seg))) >> 16;
  const uint32_t fraction = (uint32_t)frac + (uint32_t)c0 + (uint32_t)rel;
  const uint32_t log2 = (integer << 16) + fraction;
  const uint32_t loge = (uint32_t)(((uint64_t)45426 * log2 + 32768u) >> 16);
  return (out_scale * loge + 32768u) >> 16;
}

void sprat_portable_signal_filter_bank_log(const sprat_signal_log_params *p, const uint32_t *in, int16_t *out) {
  for (int32_t i = 0; i < p->channels; ++i) {
    const uint32_t scaled = in[i] << p->correction_bits;
    if (scaled > 1) {
      const uint32_t v = log_scaled(scaled, (uint32_t)p->output_scale);
      out[i] = (int16_t)(v < (uint32_t)INT16_MAX ? v : (uint32_t)INT16_MAX);
    } else {
      out[i] = 0;
    }
  }
}

void sprat_portable_signal_spectral_subtraction(const sprat_signal_spectral_subtraction_params *p,
                                                const uint32_t *in, uint32_t *noise, uint32_t *out) {
  const uint32_t bits = (uint32_t)p->smoothing_bits, ss_bits = (uint32_t)p->spectral_subtraction_bits;
  for (int32_t i = 0; i < p->channels; ++i) {
    // Odd channels take the alternate coefficients, whatever they are.
    const uint32_t s = (uint32_t)((i & 1) ? p->alternate_smoothing : p->smoothing);
    const uint32_t oms = (uint32_t)((i & 1) ? p->alternate_one_minus_smoothing : p->one_minus_smoothing);
    const uint32_t signal = in[i] << bits;
    noise[i] = (uint32_t)(((uint64_t)signal * s + (uint64_t)noise[i] * oms) >> ss_bits);
    uint32_t estimate = noise[i];
    if (estimate > signal) {
      estimate = signal;
      if (p->clamping) noise[i] = estimate;
    }
    const uint32_t floor = (uint32_t)(((uint64_t)in[i] * (uint32_t)p->min_signal_remaining) >> ss_bits);
    const uint32_t subtracted = (signal - estimate) >> bits;
    out[i] = subtracted > floor ? subtracted : floor;
  }
}

// TFLM's WideDynamicFunction: a quadratic per octave of x from the table.
static int16_t wide_dynamic(uint32_t x, const int16_t *lut) {
  if (x <= 2) return lut[x];
  const int32_t interval = top_bit32(x);
  const int16_t *c = lut + 4 * interval - 6;
  const int32_t frac = (int32_t)((interval < 11 ? x << (11 - interval) : x >> (interval - 11)) & 0x3FF);
  // int32 products and sums that TFLM lets overflow: they wrap here.
  uint32_t r = (uint32_t)(((int32_t)c[2] * frac) >> 5);
  r += (uint32_t)(int32_t)c[1] << 5;
  r *= (uint32_t)frac;
  int32_t v = (int32_t)(r + (1u << 14)) >> 15;
  v = (int32_t)((uint32_t)v + (uint32_t)(int32_t)c[0]);
  return (int16_t)(uint16_t)(uint32_t)v;
}

void sprat_portable_signal_pcan(const sprat_signal_pcan_params *p, const uint32_t *in, const uint32_t *noise,
                                const int16_t *lut, uint32_t *out) {
  for (int32_t i = 0; i < p->channels; ++i) {
    // A negative gain converts to a huge uint32, as in TFLM.
    const uint32_t gain = (uint32_t)(int32_t)wide_dynamic(noise[i], lut);
    const uint32_t snr = (uint32_t)(((uint64_t)in[i] * gain) >> p->snr_shift);
    // shrink(snr): snr^2 / 4 below 2, snr - 1 above (12 fraction bits in, 6 out).
    out[i] = snr < (2u << 12) ? (snr * snr) >> 20 : (snr >> 6) - (1u << 6);
  }
}
