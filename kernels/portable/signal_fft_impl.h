// The body of the Signal FFTs, once per sample type (signal_fft.c includes
// it with FFT_T, FFT_FN and the scalar operations defined, which it
// undefines at its end): TFLM's RFFT and
// IRFFT are kiss_fft v130's real transforms, and their integer results
// depend on every rounding, on where a sum is cut to the sample type and on
// the order of the butterflies' operations, all of which this follows:
//   FFT_ADD / FFT_SUB / FFT_NEG   a sum stored as a sample
//   FFT_SMUL(a, b)                a sample product (Q15 / Q31 rounded)
//   FFT_CMUL_R / FFT_CMUL_I       a complex product's parts, rounded once
//   FFT_DIV(x, k)                 the 1/k scaling of a radix-k stage
//   FFT_HALF(x)                   half a stored sample
//   FFT_HALF_ADD / FFT_HALF_SUB   half of a sum not yet stored (the real split)
// The complex FFT is computed breadth first: the input in mixed-radix
// digit-reversed order, then the stages' butterflies innermost first. Each
// butterfly sees the values the recursive kiss_fft gives it, so the results
// are the same.

typedef struct {
  FFT_T r, i;
} FFT_FN(cpx);

static FFT_FN(cpx) FFT_FN(cmul)(FFT_FN(cpx) a, FFT_FN(cpx) b) {
  FFT_FN(cpx) m;
  m.r = FFT_CMUL_R(a.r, a.i, b.r, b.i);
  m.i = FFT_CMUL_I(a.r, a.i, b.r, b.i);
  return m;
}

static FFT_FN(cpx) FFT_FN(cadd)(FFT_FN(cpx) a, FFT_FN(cpx) b) {
  FFT_FN(cpx) m;
  m.r = FFT_ADD(a.r, b.r);
  m.i = FFT_ADD(a.i, b.i);
  return m;
}

static FFT_FN(cpx) FFT_FN(csub)(FFT_FN(cpx) a, FFT_FN(cpx) b) {
  FFT_FN(cpx) m;
  m.r = FFT_SUB(a.r, b.r);
  m.i = FFT_SUB(a.i, b.i);
  return m;
}

static FFT_FN(cpx) FFT_FN(cdiv)(FFT_FN(cpx) a, int32_t k) {
  FFT_FN(cpx) m;
  m.r = FFT_DIV(a.r, k);
  m.i = FFT_DIV(a.i, k);
  return m;
}

// Radix 2: f[u] and f[u + m] become their sum and difference, the second
// turned by twiddle u * fstride.
static void FFT_FN(radix2)(FFT_FN(cpx) *f, const FFT_FN(cpx) *tw, int32_t fstride, int32_t m) {
  for (int32_t u = 0; u < m; ++u) {
    const FFT_FN(cpx) a = FFT_FN(cdiv)(f[u], 2);
    const FFT_FN(cpx) t = FFT_FN(cmul)(FFT_FN(cdiv)(f[u + m], 2), tw[(size_t)u * fstride]);
    f[u + m] = FFT_FN(csub)(a, t);
    f[u] = FFT_FN(cadd)(a, t);
  }
}

static void FFT_FN(radix3)(FFT_FN(cpx) *f, const FFT_FN(cpx) *tw, int32_t fstride, int32_t m) {
  const FFT_T e = tw[(size_t)fstride * m].i;  // sin(-2 pi / 3)
  for (int32_t u = 0; u < m; ++u) {
    FFT_FN(cpx) *x0 = f + u, *x1 = f + u + m, *x2 = f + u + 2 * m;
    const FFT_FN(cpx) a = FFT_FN(cdiv)(*x0, 3);
    const FFT_FN(cpx) b = FFT_FN(cmul)(FFT_FN(cdiv)(*x1, 3), tw[(size_t)u * fstride]);
    const FFT_FN(cpx) c = FFT_FN(cmul)(FFT_FN(cdiv)(*x2, 3), tw[(size_t)2 * u * fstride]);
    const FFT_FN(cpx) sum = FFT_FN(cadd)(b, c);
    FFT_FN(cpx) diff = FFT_FN(csub)(b, c);
    FFT_FN(cpx) mid;
    mid.r = FFT_SUB(a.r, FFT_HALF(sum.r));
    mid.i = FFT_SUB(a.i, FFT_HALF(sum.i));
    diff.r = FFT_SMUL(diff.r, e);
    diff.i = FFT_SMUL(diff.i, e);
    *x0 = FFT_FN(cadd)(a, sum);
    x2->r = FFT_ADD(mid.r, diff.i);
    x2->i = FFT_SUB(mid.i, diff.r);
    x1->r = FFT_SUB(mid.r, diff.i);
    x1->i = FFT_ADD(mid.i, diff.r);
  }
}

static void FFT_FN(radix4)(FFT_FN(cpx) *f, const FFT_FN(cpx) *tw, int32_t fstride, int32_t m, int inverse) {
  for (int32_t u = 0; u < m; ++u) {
    FFT_FN(cpx) *x0 = f + u, *x1 = f + u + m, *x2 = f + u + 2 * m, *x3 = f + u + 3 * m;
    FFT_FN(cpx) a = FFT_FN(cdiv)(*x0, 4);
    const FFT_FN(cpx) b = FFT_FN(cmul)(FFT_FN(cdiv)(*x1, 4), tw[(size_t)u * fstride]);
    const FFT_FN(cpx) c = FFT_FN(cmul)(FFT_FN(cdiv)(*x2, 4), tw[(size_t)2 * u * fstride]);
    const FFT_FN(cpx) d = FFT_FN(cmul)(FFT_FN(cdiv)(*x3, 4), tw[(size_t)3 * u * fstride]);
    const FFT_FN(cpx) a_minus_c = FFT_FN(csub)(a, c);
    a = FFT_FN(cadd)(a, c);
    const FFT_FN(cpx) bd_sum = FFT_FN(cadd)(b, d);
    const FFT_FN(cpx) bd_diff = FFT_FN(csub)(b, d);
    *x2 = FFT_FN(csub)(a, bd_sum);
    *x0 = FFT_FN(cadd)(a, bd_sum);
    // The quarter turn of bd_diff: -i forward, +i inverse.
    if (inverse) {
      x1->r = FFT_SUB(a_minus_c.r, bd_diff.i);
      x1->i = FFT_ADD(a_minus_c.i, bd_diff.r);
      x3->r = FFT_ADD(a_minus_c.r, bd_diff.i);
      x3->i = FFT_SUB(a_minus_c.i, bd_diff.r);
    } else {
      x1->r = FFT_ADD(a_minus_c.r, bd_diff.i);
      x1->i = FFT_SUB(a_minus_c.i, bd_diff.r);
      x3->r = FFT_SUB(a_minus_c.r, bd_diff.i);
      x3->i = FFT_ADD(a_minus_c.i, bd_diff.r);
    }
  }
}

static void FFT_FN(radix5)(FFT_FN(cpx) *f, const FFT_FN(cpx) *tw, int32_t fstride, int32_t m) {
  const FFT_FN(cpx) ya = tw[(size_t)fstride * m], yb = tw[(size_t)fstride * 2 * m];
  for (int32_t u = 0; u < m; ++u) {
    FFT_FN(cpx) *x0 = f + u, *x1 = f + u + m, *x2 = f + u + 2 * m, *x3 = f + u + 3 * m, *x4 = f + u + 4 * m;
    const FFT_FN(cpx) a = FFT_FN(cdiv)(*x0, 5);
    const FFT_FN(cpx) b1 = FFT_FN(cmul)(FFT_FN(cdiv)(*x1, 5), tw[(size_t)u * fstride]);
    const FFT_FN(cpx) b2 = FFT_FN(cmul)(FFT_FN(cdiv)(*x2, 5), tw[(size_t)2 * u * fstride]);
    const FFT_FN(cpx) b3 = FFT_FN(cmul)(FFT_FN(cdiv)(*x3, 5), tw[(size_t)3 * u * fstride]);
    const FFT_FN(cpx) b4 = FFT_FN(cmul)(FFT_FN(cdiv)(*x4, 5), tw[(size_t)4 * u * fstride]);
    const FFT_FN(cpx) s14 = FFT_FN(cadd)(b1, b4), d14 = FFT_FN(csub)(b1, b4);
    const FFT_FN(cpx) s23 = FFT_FN(cadd)(b2, b3), d23 = FFT_FN(csub)(b2, b3);
    FFT_FN(cpx) p, q;
    x0->r = FFT_ADD(a.r, FFT_ADD(s14.r, s23.r));
    x0->i = FFT_ADD(a.i, FFT_ADD(s14.i, s23.i));
    p.r = FFT_ADD(FFT_ADD(a.r, FFT_SMUL(s14.r, ya.r)), FFT_SMUL(s23.r, yb.r));
    p.i = FFT_ADD(FFT_ADD(a.i, FFT_SMUL(s14.i, ya.r)), FFT_SMUL(s23.i, yb.r));
    q.r = FFT_ADD(FFT_SMUL(d14.i, ya.i), FFT_SMUL(d23.i, yb.i));
    q.i = FFT_SUB(FFT_NEG(FFT_SMUL(d14.r, ya.i)), FFT_SMUL(d23.r, yb.i));
    *x1 = FFT_FN(csub)(p, q);
    *x4 = FFT_FN(cadd)(p, q);
    p.r = FFT_ADD(FFT_ADD(a.r, FFT_SMUL(s14.r, yb.r)), FFT_SMUL(s23.r, ya.r));
    p.i = FFT_ADD(FFT_ADD(a.i, FFT_SMUL(s14.i, yb.r)), FFT_SMUL(s23.i, ya.r));
    q.r = FFT_ADD(FFT_NEG(FFT_SMUL(d14.i, yb.i)), FFT_SMUL(d23.i, ya.i));
    q.i = FFT_SUB(FFT_SMUL(d14.r, yb.i), FFT_SMUL(d23.r, ya.i));
    *x2 = FFT_FN(cadd)(p, q);
    *x3 = FFT_FN(csub)(p, q);
  }
}

// The complex FFT of n = fft_length / 2 points of `src` (as samples: `valid`
// of them, zeros after) into dst. dst must not overlap src.
static void FFT_FN(complex_fft)(const sprat_signal_fft_params *p, const FFT_T *src, int32_t valid,
                                const FFT_FN(cpx) *tw, FFT_FN(cpx) *dst, int inverse) {
  const int32_t n = p->fft_length / 2, stages = p->n_factors;
  int32_t stride[SPRAT_SIGNAL_FFT_MAX_FACTORS], digit[SPRAT_SIGNAL_FFT_MAX_FACTORS];
  int32_t s_acc = 1;
  for (int32_t s = 0; s < stages; ++s) {
    stride[s] = s_acc;  // the twiddle stride of stage s, and its input step
    s_acc *= p->factors[s];
    digit[s] = 0;
  }
  // dst[o], o = sum of digit[s] * (n / (stride[s] * factors[s])), takes the
  // input point sum of digit[s] * stride[s]: the last stage's digit is the
  // fastest.
  int32_t from = 0;
  for (int32_t o = 0; o < n; ++o) {
    const int32_t at = 2 * from;
    dst[o].r = at < valid ? src[at] : (FFT_T)0;
    dst[o].i = at + 1 < valid ? src[at + 1] : (FFT_T)0;
    for (int32_t s = stages - 1; s >= 0; --s) {
      from += stride[s];
      if (++digit[s] < p->factors[s]) break;
      from -= p->factors[s] * stride[s];
      digit[s] = 0;
    }
  }
  for (int32_t s = stages - 1; s >= 0; --s) {
    const int32_t radix = p->factors[s], m = n / (stride[s] * radix), span = radix * m;
    for (int32_t b = 0; b < stride[s]; ++b) {
      FFT_FN(cpx) *f = dst + (size_t)b * span;
      switch (radix) {
        case 2: FFT_FN(radix2)(f, tw, stride[s], m); break;
        case 3: FFT_FN(radix3)(f, tw, stride[s], m); break;
        case 4: FFT_FN(radix4)(f, tw, stride[s], m, inverse); break;
        default: FFT_FN(radix5)(f, tw, stride[s], m); break;
      }
    }
  }
}

// Both real transforms pair bin k with the mirror of bin n - k: their
// halves' sum (even) and their difference turned by the split twiddle (odd).
static inline void FFT_FN(split)(const FFT_FN(cpx) *z, int32_t n, int32_t k, const FFT_FN(cpx) *super,
                                 FFT_FN(cpx) *even, FFT_FN(cpx) *odd) {
  FFT_FN(cpx) mirror;
  mirror.r = z[n - k].r;
  mirror.i = FFT_NEG(z[n - k].i);
  const FFT_FN(cpx) a = FFT_FN(cdiv)(z[k], 2), b = FFT_FN(cdiv)(mirror, 2);
  *even = FFT_FN(cadd)(a, b);
  *odd = FFT_FN(cmul)(FFT_FN(csub)(a, b), super[k - 1]);
}

// Per row: the complex FFT of the zero-padded real samples taken in pairs,
// then the split into the real signal's fft_length / 2 + 1 bins.
void FFT_FN(sprat_portable_signal_rfft)(const sprat_signal_fft_params *p, const FFT_T *in, const FFT_T *twiddles,
                                        FFT_T *out, void *scratch) {
  const int32_t n = p->fft_length / 2;
  const FFT_FN(cpx) *tw = (const FFT_FN(cpx) *)(const void *)twiddles, *super = tw + n;
  FFT_FN(cpx) *z = (FFT_FN(cpx) *)scratch;
  for (int32_t row = 0; row < p->rows; ++row) {
    const FFT_T *x = in + (size_t)row * p->in_length;
    FFT_FN(cpx) *y = (FFT_FN(cpx) *)(void *)(out + (size_t)row * 2 * (n + 1));
    FFT_FN(complex_fft)(p, x, p->in_length, tw, z, 0);
    const FFT_FN(cpx) dc = FFT_FN(cdiv)(z[0], 2);
    y[0].r = FFT_ADD(dc.r, dc.i);
    y[0].i = (FFT_T)0;
    y[n].r = FFT_SUB(dc.r, dc.i);
    y[n].i = (FFT_T)0;
    for (int32_t k = 1; k <= n / 2; ++k) {
      FFT_FN(cpx) even, odd;
      FFT_FN(split)(z, n, k, super, &even, &odd);
      y[k].r = FFT_HALF_ADD(even.r, odd.r);
      y[k].i = FFT_HALF_ADD(even.i, odd.i);
      y[n - k].r = FFT_HALF_SUB(even.r, odd.r);
      y[n - k].i = FFT_HALF_SUB(odd.i, even.i);
    }
  }
}

// Per row: the bins (in_length complex values, the first n + 1 read) merged
// into n complex points, then their inverse complex FFT: the real samples.
void FFT_FN(sprat_portable_signal_irfft)(const sprat_signal_fft_params *p, const FFT_T *in, const FFT_T *twiddles,
                                         FFT_T *out, void *scratch) {
  const int32_t n = p->fft_length / 2;
  const FFT_FN(cpx) *tw = (const FFT_FN(cpx) *)(const void *)twiddles, *super = tw + n;
  FFT_FN(cpx) *z = (FFT_FN(cpx) *)scratch;
  for (int32_t row = 0; row < p->rows; ++row) {
    const FFT_FN(cpx) *x = (const FFT_FN(cpx) *)(const void *)(in + (size_t)row * 2 * p->in_length);
    FFT_T *y = out + (size_t)row * p->fft_length;
    FFT_FN(cpx) first;
    first.r = FFT_ADD(x[0].r, x[n].r);
    first.i = FFT_SUB(x[0].r, x[n].r);
    z[0] = FFT_FN(cdiv)(first, 2);
    for (int32_t k = 1; k <= n / 2; ++k) {
      FFT_FN(cpx) even, odd;
      FFT_FN(split)(x, n, k, super, &even, &odd);
      z[k] = FFT_FN(cadd)(even, odd);
      z[n - k] = FFT_FN(csub)(even, odd);
      z[n - k].i = FFT_NEG(z[n - k].i);
    }
    FFT_FN(complex_fft)(p, (const FFT_T *)(const void *)z, 2 * n, tw, (FFT_FN(cpx) *)(void *)y, 1);
    FFT_IRFFT_FINISH(y, p->fft_length);
  }
}

// Undefined here, so that the next sample type defines its own.
#undef FFT_T
#undef FFT_FN
#undef FFT_ADD
#undef FFT_SUB
#undef FFT_NEG
#undef FFT_SMUL
#undef FFT_CMUL_R
#undef FFT_CMUL_I
#undef FFT_DIV
#undef FFT_HALF
#undef FFT_HALF_ADD
#undef FFT_HALF_SUB
#undef FFT_IRFFT_FINISH
