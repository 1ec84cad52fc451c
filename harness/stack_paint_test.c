// The stack painter measures what a function of known stack use takes:
// at least the 2,000-byte buffer it fills, and not much more.
#include <stdio.h>
#include <string.h>

#include "harness/sprat_harness.h"

#define BUFFER 2000

__attribute__((noinline)) static int use_stack(int seed) {
  volatile unsigned char buf[BUFFER];
  for (int i = 0; i < BUFFER; ++i) buf[i] = (unsigned char)(seed + i);
  int sum = 0;
  for (int i = 0; i < BUFFER; i += 97) sum += buf[i];
  return sum;
}

int main(void) {
  SPRAT_STACK_PAINT();
  size_t idle = sprat_stack_peak();
  int r = use_stack(3);
  size_t peak = sprat_stack_peak();
  printf("sprat: stack peak %u bytes (painter's own frame counted: %u bytes), result %d\n", (unsigned)peak,
         (unsigned)idle, r);
  // Upper bound: the buffer, the frames of use_stack and of the painter, and
  // alignment; 512 bytes is generous on every target.
  return peak >= BUFFER && peak <= BUFFER + 512 && idle <= 512 ? 0 : 1;
}
