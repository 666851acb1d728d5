/* The table of fill kernels that one SIMD variant provides, and the dispatch
 * point that picks the variant (dispatch.c). */
#ifndef XINIT_KERNELS_H
#define XINIT_KERNELS_H

#include "xinit.h"

typedef struct xi_kernel_table {
    const char *name;
    /* kernels[dist][dtype]: XI_UNIFORM .. XI_BITS; 0 where the pair is invalid */
    xi_kernel kernels[XI_BITS + 1][XI_DTYPE_COUNT];
} xi_kernel_table;

extern const xi_kernel_table xi_kernels_scalar;
#if defined(__x86_64__) || defined(_M_X64)
extern const xi_kernel_table xi_kernels_sse2;
extern const xi_kernel_table xi_kernels_avx2;
extern const xi_kernel_table xi_kernels_avx512;
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
extern const xi_kernel_table xi_kernels_neon;
#endif

/* The variant in use. */
const xi_kernel_table *xi_active_kernels(void);

void xi_words_scalar(const xi_stream *stream, xi_position pos, size_t n, uint32_t *out);

#endif
