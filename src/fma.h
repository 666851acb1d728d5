/* fma(a, b, c) of docs/stream.md section 4 for scalar code: one IEEE
 * fusedMultiplyAdd, the exact a*b + c rounded once.
 *
 * The compiler's builtin is used only where it defines __FP_FAST_FMAF /
 * __FP_FAST_FMA, i.e. where the target has the instruction (AArch64, or x86
 * built with -mfma) and GCC emits it inline, and on AArch64 with GCC-style
 * compilers, whose baseline has the instruction (Clang emits fmadd there,
 * even at -O0, without defining the macros). Elsewhere the builtin would
 * become a call to libm's fma/fmaf, which the contract does not trust (some
 * are not correctly rounded without hardware support), so the exact software
 * version of soft_fma.h is used: on x86-64 the baseline (SSE2) has no FMA, so
 * the scalar kernels there always take it. Defining XI_SOFT_FMA forces the
 * software version everywhere (to test it on FMA hardware). */
#ifndef XINIT_FMA_H
#define XINIT_FMA_H

#include "soft_fma.h"

#if defined(__aarch64__) && defined(__GNUC__)
#define XI_FMA_AARCH64 1
#else
#define XI_FMA_AARCH64 0
#endif

static inline float xi_fma_f32(float a, float b, float c)
{
#if (defined(__FP_FAST_FMAF) || XI_FMA_AARCH64) && !defined(XI_SOFT_FMA)
    return __builtin_fmaf(a, b, c);
#else
    return xi_soft_fma_f32(a, b, c);
#endif
}

static inline double xi_fma_f64(double a, double b, double c)
{
#if (defined(__FP_FAST_FMA) || XI_FMA_AARCH64) && !defined(XI_SOFT_FMA)
    return __builtin_fma(a, b, c);
#else
    return xi_soft_fma_f64(a, b, c);
#endif
}

#endif
