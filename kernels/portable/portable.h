// The portable C kernels under their own names, sprat_portable_<op>: the
// portable library's api.c maps the kernel API onto them, and optimized
// libraries call them for whatever they do not cover.
#ifndef SPRAT_KERNELS_PORTABLE_H_
#define SPRAT_KERNELS_PORTABLE_H_

#include "sprat/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SPRAT_KFN(name) sprat_portable_##name
#include "sprat/kernel_functions.inc"
#undef SPRAT_KFN

#ifdef __cplusplus
}
#endif

#endif  // SPRAT_KERNELS_PORTABLE_H_
