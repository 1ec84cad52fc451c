// SignalRfft and SignalIrfft (TFLM's Signal library) in int16, int32 and
// float32: kiss_fft's fixed point (Q15 / Q31 products rounded half up, every
// stage scaled by 1/radix, sums cut to the sample type as C's assignments
// cut them) or its float arithmetic in its order (this library is built
// with -ffp-contract=off: no fused multiply-adds). The body is
// signal_fft_impl.h, once per type.
#include <stddef.h>
#include <stdint.h>

#include "kernels/portable/portable.h"

// A value cut to 16 / 32 bits as two's complement (C's conversion does that
// on every compiler TFLM is built with; here without relying on it).
static inline int16_t cut16(int32_t v) { return (int16_t)(uint16_t)(uint32_t)v; }
static inline int32_t cut32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

// ---- int16: Q15, products in int32 -----------------------------------------
static inline int16_t q15_round(int32_t x) { return cut16((x + (1 << 14)) >> 15); }
#define FFT_T int16_t
#define FFT_FN(name) name##_s16
#define FFT_ADD(a, b) cut16((int32_t)(a) + (int32_t)(b))
#define FFT_SUB(a, b) cut16((int32_t)(a) - (int32_t)(b))
#define FFT_NEG(a) cut16(-(int32_t)(a))
#define FFT_SMUL(a, b) q15_round((int32_t)(a) * (int32_t)(b))
#define FFT_CMUL_R(ar, ai, br, bi) q15_round((int32_t)(ar) * (br) - (int32_t)(ai) * (bi))
#define FFT_CMUL_I(ar, ai, br, bi) q15_round((int32_t)(ar) * (bi) + (int32_t)(ai) * (br))
#define FFT_DIV(x, k) q15_round((int32_t)(x) * (32767 / (k)))
#define FFT_HALF(x) cut16((int32_t)(x) >> 1)
// The sum is an int (17 bits) when it is halved: not cut first.
#define FFT_HALF_ADD(a, b) cut16(((int32_t)(a) + (int32_t)(b)) >> 1)
#define FFT_HALF_SUB(a, b) cut16(((int32_t)(a) - (int32_t)(b)) >> 1)
#define FFT_IRFFT_FINISH(y, n) ((void)(y), (void)(n))
#include "kernels/portable/signal_fft_impl.h"

// ---- int32: Q31, products in int64 -----------------------------------------
static inline int32_t q31_round(int64_t x) { return cut32((x + ((int64_t)1 << 30)) >> 31); }
static inline int32_t add32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t sub32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
#define FFT_T int32_t
#define FFT_FN(name) name##_s32
#define FFT_ADD(a, b) add32((a), (b))
#define FFT_SUB(a, b) sub32((a), (b))
#define FFT_NEG(a) sub32(0, (a))
#define FFT_SMUL(a, b) q31_round((int64_t)(a) * (b))
#define FFT_CMUL_R(ar, ai, br, bi) q31_round((int64_t)(ar) * (br) - (int64_t)(ai) * (bi))
#define FFT_CMUL_I(ar, ai, br, bi) q31_round((int64_t)(ar) * (bi) + (int64_t)(ai) * (br))
#define FFT_DIV(x, k) q31_round((int64_t)(x) * (2147483647 / (k)))
#define FFT_HALF(x) ((x) >> 1)
// An int32 sum is an int: it wraps (in practice) before it is halved.
#define FFT_HALF_ADD(a, b) (add32((a), (b)) >> 1)
#define FFT_HALF_SUB(a, b) (sub32((a), (b)) >> 1)
#define FFT_IRFFT_FINISH(y, n) ((void)(y), (void)(n))
#include "kernels/portable/signal_fft_impl.h"

// ---- float32: no scaling; the IRFFT divides by fft_length at the end --------
static void irfft_divide_f32(float *y, int32_t n) {
  for (int32_t i = 0; i < n; ++i) y[i] /= (float)n;
}
#define FFT_T float
#define FFT_FN(name) name##_f32
#define FFT_ADD(a, b) ((a) + (b))
#define FFT_SUB(a, b) ((a) - (b))
#define FFT_NEG(a) (-(a))
#define FFT_SMUL(a, b) ((a) * (b))
#define FFT_CMUL_R(ar, ai, br, bi) ((ar) * (br) - (ai) * (bi))
#define FFT_CMUL_I(ar, ai, br, bi) ((ar) * (bi) + (ai) * (br))
#define FFT_DIV(x, k) ((void)(k), (x))
#define FFT_HALF(x) ((x) * 0.5f)
#define FFT_HALF_ADD(a, b) (((a) + (b)) * 0.5f)
#define FFT_HALF_SUB(a, b) (((a) - (b)) * 0.5f)
#define FFT_IRFFT_FINISH(y, n) irfft_divide_f32((y), (n))
#include "kernels/portable/signal_fft_impl.h"
