// The portable library: the kernel API is the portable kernels.
#include "kernels/portable/portable.h"

uint32_t sprat_kernel_layouts(void) { return 1u << SPRAT_LAYOUT_PLAIN; }
const char *sprat_kernel_library(void) { return "portable"; }

#include "kernels/portable/forwards.inc"
