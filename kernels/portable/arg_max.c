// ARG_MAX and ARG_MIN over one axis; the first extreme wins (TFLite's
// strict comparison).
#include "kernels/portable/portable.h"

enum { kFloat32 = 4 };  // SPRAT_FLOAT32 of sprat.h: kernels do not include the runtime API

// sign 1: the maximum; -1: the minimum.
static void arg_extreme(const sprat_arg_max_params *p, const void *in, void *out, int sign) {
  for (int32_t o = 0; o < p->outer; ++o) {
    for (int32_t i = 0; i < p->inner; ++i) {
      int32_t best = 0;
      const int32_t base = o * p->reduced * p->inner + i;
      if (p->input_type == kFloat32) {
        const float *v = (const float *)in + base;
        for (int32_t r = 1; r < p->reduced; ++r)
          if (sign > 0 ? v[r * p->inner] > v[best * p->inner] : v[r * p->inner] < v[best * p->inner]) best = r;
      } else {
        const int8_t *v = (const int8_t *)in + base;
        for (int32_t r = 1; r < p->reduced; ++r)
          if (sign > 0 ? v[r * p->inner] > v[best * p->inner] : v[r * p->inner] < v[best * p->inner]) best = r;
      }
      if (p->output_is_int64) ((int64_t *)out)[o * p->inner + i] = best;
      else ((int32_t *)out)[o * p->inner + i] = best;
    }
  }
}

void sprat_portable_arg_max(const sprat_arg_max_params *p, const void *in, void *out) { arg_extreme(p, in, out, 1); }

void sprat_portable_arg_min(const sprat_arg_max_params *p, const void *in, void *out) { arg_extreme(p, in, out, -1); }
