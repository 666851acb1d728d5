/* The one place that decides which kernel variant runs. Compiled at the
 * platform's baseline: it only asks the CPU (cpuid) and the OS (xgetbv) what
 * may run, and hands out the matching table. */
#include "kernels.h"

#include <float.h>
#include <string.h>

/* The stream is defined in exact binary32/binary64 operations; x87 extended
 * precision (FLT_EVAL_METHOD 2) would change the bits, and so would GCC's
 * float-in-double evaluation on s390x in ISO C mode (FLT_EVAL_METHOD 1; its
 * -fexcess-precision=fast evaluates float as float there, tests/c/run.sh). */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#error "xinit-c needs FLT_EVAL_METHOD == 0 (32-bit x86: SSE2 math; s390x GCC: -fexcess-precision=fast)"
#endif

#if defined(__x86_64__) || defined(_M_X64)
#define XI_X86_64 1
#if defined(__AVX__) || defined(__AVX2__) || defined(__AVX512F__)
#error "dispatch.c must be built at baseline flags: a global -mavx would let the compiler use AVX before the check"
#endif
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

#if defined(__aarch64__) || defined(_M_ARM64)
#define XI_AARCH64 1
#endif

/* Every variant this build has, from the least to the most capable. */
static const xi_kernel_table *const all_variants[] = {
    &xi_kernels_scalar,
#ifdef XI_X86_64
    &xi_kernels_sse2,
    &xi_kernels_avx2,
    &xi_kernels_avx512,
#endif
#ifdef XI_AARCH64
    &xi_kernels_neon,
#endif
};
#define VARIANT_COUNT (sizeof all_variants / sizeof all_variants[0])

#ifdef XI_X86_64
static void cpuid(unsigned leaf, unsigned subleaf, unsigned regs[4])
{
#if defined(_MSC_VER)
    int r[4];
    __cpuidex(r, (int)leaf, (int)subleaf);
    regs[0] = (unsigned)r[0]; regs[1] = (unsigned)r[1]; regs[2] = (unsigned)r[2]; regs[3] = (unsigned)r[3];
#else
    __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
#endif
}

/* XCR0: which register states the OS saves on a context switch */
static uint64_t xgetbv0(void)
{
#if defined(_MSC_VER)
    return _xgetbv(0);
#else
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
#endif
}

#define CPUID1_ECX_FMA (1u << 12)     /* FMA3: the avx2 variant's fused multiply-adds */
#define CPUID1_ECX_F16C (1u << 29)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX (1u << 28)
#define CPUID7_EBX_AVX2 (1u << 5)
#define CPUID7_EBX_AVX512F (1u << 16)
#define CPUID7_EBX_AVX512DQ (1u << 17)
#define XCR0_SSE_AVX 0x6u            /* XMM and YMM state */
#define XCR0_AVX512 0xE6u            /* plus opmask and ZMM state */

static int runnable(const xi_kernel_table *variant)
{
    unsigned r1[4], r7[4];
    uint64_t xcr0;
    if (variant == &xi_kernels_scalar || variant == &xi_kernels_sse2)
        return 1;                     /* SSE2 is part of x86-64 */
    cpuid(0, 0, r1);
    if (r1[0] < 7)
        return 0;
    cpuid(1, 0, r1);
    cpuid(7, 0, r7);
    if (!(r1[2] & CPUID1_ECX_OSXSAVE) || !(r1[2] & CPUID1_ECX_AVX))
        return 0;
    xcr0 = xgetbv0();
    if (variant == &xi_kernels_avx2)
        return (r7[1] & CPUID7_EBX_AVX2) && (r1[2] & CPUID1_ECX_FMA) && (r1[2] & CPUID1_ECX_F16C) &&
               (xcr0 & XCR0_SSE_AVX) == XCR0_SSE_AVX;
    if (variant == &xi_kernels_avx512)
        return (r7[1] & CPUID7_EBX_AVX512F) && (r7[1] & CPUID7_EBX_AVX512DQ) &&
               (xcr0 & XCR0_AVX512) == XCR0_AVX512;
    return 0;
}
#else
static int runnable(const xi_kernel_table *variant)
{
    (void)variant;
    return 1;                         /* scalar, and NEON on aarch64, always run */
}
#endif

static const xi_kernel_table *active;

static const xi_kernel_table *best_variant(void)
{
    size_t i = VARIANT_COUNT;
    while (i-- > 1)
        if (runnable(all_variants[i]))
            return all_variants[i];
    return &xi_kernels_scalar;
}

const xi_kernel_table *xi_active_kernels(void)
{
    const xi_kernel_table *table = active;
    if (table == NULL) {
        table = best_variant();       /* a benign race: every thread finds the same */
        active = table;
    }
    return table;
}

const char *xi_kernel_variant(void)
{
    return xi_active_kernels()->name;
}

size_t xi_kernel_variants(const char **names, size_t capacity)
{
    size_t i, count = 0;
    for (i = 0; i < VARIANT_COUNT; i++) {
        if (!runnable(all_variants[i]))
            continue;
        if (count < capacity)
            names[count] = all_variants[i]->name;
        count++;
    }
    return count;
}

int xi_set_kernel_variant(const char *name)
{
    size_t i;
    if (name == NULL || strcmp(name, "best") == 0) {
        active = best_variant();
        return XI_OK;
    }
    for (i = 0; i < VARIANT_COUNT; i++) {
        if (strcmp(all_variants[i]->name, name) == 0) {
            if (!runnable(all_variants[i]))
                return XI_ERR_KIND;
            active = all_variants[i];
            return XI_OK;
        }
    }
    return XI_ERR_KIND;
}
