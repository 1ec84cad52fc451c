// sprat_portable_strided_copy (COPY: SLICE, CONCATENATION, PAD's body...)
// with its output overlapping its input at every offset: a crafted blob can
// ask for that. The result is then unspecified but must be what a byte-wise
// move gives (memmove), never undefined behaviour.
#include <stdio.h>
#include <string.h>

#include "kernels/portable/portable.h"

int main(void) {
  static uint8_t buf[256], want[256];
  long cases = 0, bad = 0;
  for (int32_t shift = -40; shift <= 40; ++shift) {
    for (int32_t n = 1; n <= 64; n += 7) {
      for (int i = 0; i < 256; ++i) buf[i] = want[i] = (uint8_t)(i * 37 + 11);
      sprat_copy_params p;
      memset(&p, 0, sizeof p);
      p.ndim = 1, p.elem_size = 1, p.dims[0] = n, p.in_strides[0] = 1, p.out_strides[0] = 1;
      uint8_t *in = buf + 100, *out = buf + 100 + shift;
      sprat_portable_strided_copy(&p, in, out);
      memmove(want + 100 + shift, want + 100, (size_t)n);
      bad += memcmp(buf, want, sizeof buf) != 0;
      ++cases;
    }
  }
  printf("overlap_test: %ld cases, %ld differ from memmove\n", cases, bad);
  return bad != 0;
}
