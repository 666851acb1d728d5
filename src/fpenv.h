/* The floating-point environment a fill computes in (docs/stream.md section
 * 4): IEEE's default, round to nearest-even with subnormals kept, whatever
 * the calling thread has set. A caller, or a library built with -ffast-math
 * that it loaded, may have turned on flush-to-zero, denormals-are-zero or
 * another rounding mode; each would change the stream's bits.
 *
 *     xi_fpenv saved;
 *     xi_fpenv_enter_default(&saved);
 *     ... compute ...
 *     xi_fpenv_restore(&saved);
 *
 * Both are per thread: every thread that computes values or per-call
 * constants enters the default itself, and restores its caller's state on
 * every way out, errors included.
 *
 * Compilers assume the default environment (no -frounding-math here) and may
 * move arithmetic across the register writes. Code between the two calls
 * must therefore take its floating-point inputs from memory, through
 * function calls or through xi_fpenv_fence(), and hand its results back the
 * same way: both calls are compiler barriers for memory, so nothing read or
 * written through memory moves across them. */
#ifndef XINIT_FPENV_H
#define XINIT_FPENV_H

#include <stdint.h>

#if defined(__x86_64__) || defined(_M_X64) || defined(_M_AMD64)
#define XI_FPENV_MXCSR 1
#include <xmmintrin.h>
#elif defined(__aarch64__) || defined(_M_ARM64)
#define XI_FPENV_FPCR 1
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h> /* _ReadStatusReg, _WriteStatusReg, ARM64_FPCR */
#endif
#else
/* Everything else, 32-bit x86 (whose x87 unit has its own control word)
 * included, goes through C99's <fenv.h>; glibc keeps it in libm (setup.py
 * links it). */
#include <fenv.h>
#endif

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define XI_COMPILER_BARRIER() _ReadWriteBarrier()
#elif defined(__GNUC__) || defined(__clang__)
#define XI_COMPILER_BARRIER() __asm__ __volatile__("" ::: "memory")
#else
#define XI_COMPILER_BARRIER() ((void)0)
#endif

#if defined(XI_FPENV_MXCSR)
/* MXCSR: exceptions masked (bits 7-12), round to nearest (RC, bits 13-14 = 0),
 * FTZ (bit 15) and DAZ (bit 6) off; bits 0-5 are the sticky status flags,
 * which do not change how anything computes. Intel SDM vol. 1, 10.2.3. */
#define XI_MXCSR_DEFAULT 0x1f80u
#define XI_MXCSR_FLAGS 0x3fu

typedef struct xi_fpenv {
    unsigned int mxcsr;
    int changed;
} xi_fpenv;

static inline void xi_fpenv_enter_default(xi_fpenv *saved)
{
    saved->mxcsr = _mm_getcsr();
    /* writing MXCSR costs far more than reading it: small fills skip it */
    saved->changed = (saved->mxcsr & ~XI_MXCSR_FLAGS) != XI_MXCSR_DEFAULT;
    if (saved->changed)
        _mm_setcsr(XI_MXCSR_DEFAULT);
    XI_COMPILER_BARRIER();
}

static inline void xi_fpenv_restore(const xi_fpenv *saved)
{
    XI_COMPILER_BARRIER();
    if (saved->changed)
        _mm_setcsr(saved->mxcsr);
}

#elif defined(XI_FPENV_FPCR)
/* FPCR all zero, Linux's and glibc's default (_FPU_DEFAULT): round to
 * nearest (RMode, bits 22-23), no flush-to-zero (FZ, bit 24; FZ16, bit 19),
 * IEEE half precision (AHP, bit 26), NaN propagation (DN, bit 25), no traps
 * (bits 8-15), and on FEAT_AFP cores AH and FIZ (bits 1 and 0) off. Arm ARM,
 * FPCR. */
typedef struct xi_fpenv {
    uint64_t fpcr;
    int changed;
} xi_fpenv;

static inline uint64_t xi_fpcr_read(void)
{
#if defined(_MSC_VER) && !defined(__clang__)
    return (uint64_t)_ReadStatusReg(ARM64_FPCR);
#else
    uint64_t value;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(value));
    return value;
#endif
}

static inline void xi_fpcr_write(uint64_t value)
{
#if defined(_MSC_VER) && !defined(__clang__)
    _WriteStatusReg(ARM64_FPCR, (__int64)value);
#else
    __asm__ __volatile__("msr fpcr, %0" : : "r"(value) : "memory");
#endif
}

static inline void xi_fpenv_enter_default(xi_fpenv *saved)
{
    saved->fpcr = xi_fpcr_read();
    saved->changed = saved->fpcr != 0;
    if (saved->changed)
        xi_fpcr_write(0);
    XI_COMPILER_BARRIER();
}

static inline void xi_fpenv_restore(const xi_fpenv *saved)
{
    XI_COMPILER_BARRIER();
    if (saved->changed)
        xi_fpcr_write(saved->fpcr);
}

#else
typedef struct xi_fpenv {
    fenv_t env;
} xi_fpenv;

static inline void xi_fpenv_enter_default(xi_fpenv *saved)
{
    fegetenv(&saved->env);
    fesetenv(FE_DFL_ENV);
    XI_COMPILER_BARRIER();
}

static inline void xi_fpenv_restore(const xi_fpenv *saved)
{
    XI_COMPILER_BARRIER();
    fesetenv(&saved->env);
}
#endif

/* x itself, through memory: arithmetic on an input fenced after
 * xi_fpenv_enter_default() cannot start before it, and a result fenced before
 * xi_fpenv_restore() is complete before it. */
static inline double xi_fpenv_fence(double x)
{
    volatile double copy = x;
    return copy;
}

#endif
