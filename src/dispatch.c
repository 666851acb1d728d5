/* The one place that decides which kernel variant runs. */
#include "kernels.h"

#include <float.h>

/* The stream is defined in exact binary32/binary64 operations; x87 extended
 * precision (FLT_EVAL_METHOD 2) would change the bits. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#error "xinit-c needs FLT_EVAL_METHOD == 0 (on 32-bit x86 build with SSE2 math)"
#endif

const xi_kernel_table *xi_active_kernels(void)
{
    return &xi_kernels_scalar;
}

const char *xi_kernel_variant(void)
{
    return xi_active_kernels()->name;
}
