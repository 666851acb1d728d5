/* Speed of the software fma (src/soft_fma.h, src/soft_fma_sse2.h) next to the
 * FMA instruction, on one core:
 *   throughput  ns per fma, independent operations over arrays of 4096 (a
 *               kernel's loop)
 *   latency     ns per step of a dependent chain r = fma(r, x, c) (a Horner
 *               polynomial); an SSE2 step does 4 (binary32) or 2 fmas
 * "f64 slow" times the exact integer path (operands outside the fast path's
 * range: products below 2^-960). Best of many short runs (the machine may be shared).
 *
 *   cc -std=c99 -O2 -ffp-contract=off -Isrc benchmarks/soft_fma.c -o /tmp/soft_fma && /tmp/soft_fma */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>

#include "soft_fma.h"
#if defined(__SSE2__) || defined(_M_X64)
#include "soft_fma_sse2.h"
#define HAVE_SSE2 1
#else
#define HAVE_SSE2 0
#endif
#if defined(__x86_64__) || defined(__i386__)
#define HW_FMA_TARGET __attribute__((target("fma")))
#define HAVE_HW_FMA __builtin_cpu_supports("fma")
#elif defined(__aarch64__)
#define HW_FMA_TARGET
#define HAVE_HW_FMA 1
#endif

enum { N = 4096, ROUNDS = 10, RUNS = 101 };

static float fa[N], fb[N], fc[N], fr[N];
static double da[N], db[N], dc[N], dr[N], sa[N], sb[N];
static double sink;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void scalar_f32(void) { int i; for (i = 0; i < N; i++) fr[i] = xi_soft_fma_f32(fa[i], fb[i], fc[i]); }
static void scalar_f64(void) { int i; for (i = 0; i < N; i++) dr[i] = xi_soft_fma_f64(da[i], db[i], dc[i]); }
static void scalar_f64_slow(void) { int i; for (i = 0; i < N; i++) dr[i] = xi_soft_fma_f64(sa[i], sb[i], dc[i]); }

static void chain_f32(void)
{
    float r = 0.5f;
    int i;
    for (i = 0; i < N; i++) r = xi_soft_fma_f32(r, fa[i], fc[i]);
    fr[0] = r;
}

static void chain_f64(void)
{
    double r = 0.5;
    int i;
    for (i = 0; i < N; i++) r = xi_soft_fma_f64(r, da[i], dc[i]);
    dr[0] = r;
}

#if HAVE_SSE2
static void sse2_f32(void)
{
    int i;
    for (i = 0; i < N; i += 4)
        _mm_storeu_ps(fr + i, xi_soft_fma_ps(_mm_loadu_ps(fa + i), _mm_loadu_ps(fb + i), _mm_loadu_ps(fc + i)));
}

static void sse2_f64(void)
{
    int i;
    for (i = 0; i < N; i += 2)
        _mm_storeu_pd(dr + i, xi_soft_fma_pd(_mm_loadu_pd(da + i), _mm_loadu_pd(db + i), _mm_loadu_pd(dc + i)));
}

static void sse2_chain_f32(void)
{
    __m128 r = _mm_set1_ps(0.5f);
    int i;
    for (i = 0; i < N; i += 4) r = xi_soft_fma_ps(r, _mm_loadu_ps(fa + i), _mm_loadu_ps(fc + i));
    _mm_storeu_ps(fr, r);
}

static void sse2_chain_f64(void)
{
    __m128d r = _mm_set1_pd(0.5);
    int i;
    for (i = 0; i < N; i += 2) r = xi_soft_fma_pd(r, _mm_loadu_pd(da + i), _mm_loadu_pd(dc + i));
    _mm_storeu_pd(dr, r);
}
#endif

#ifdef HW_FMA_TARGET
HW_FMA_TARGET static void hw_f32(void) { int i; for (i = 0; i < N; i++) fr[i] = __builtin_fmaf(fa[i], fb[i], fc[i]); }
HW_FMA_TARGET static void hw_f64(void) { int i; for (i = 0; i < N; i++) dr[i] = __builtin_fma(da[i], db[i], dc[i]); }

HW_FMA_TARGET static void hw_chain_f32(void)
{
    float r = 0.5f;
    int i;
    for (i = 0; i < N; i++) r = __builtin_fmaf(r, fa[i], fc[i]);
    fr[0] = r;
}

HW_FMA_TARGET static void hw_chain_f64(void)
{
    double r = 0.5;
    int i;
    for (i = 0; i < N; i++) r = __builtin_fma(r, da[i], dc[i]);
    dr[0] = r;
}
#endif

/* ns per operation (steps operations per call), the fastest of RUNS runs */
static void report(const char *name, void (*kernel)(void), int is_f32, int steps)
{
    double best = 1e30;
    int run, round;
    for (run = 0; run < RUNS; run++) {
        double start = now();
        for (round = 0; round < ROUNDS; round++) kernel();
        if (now() - start < best) best = now() - start;
        sink += is_f32 ? fr[0] + fr[N - 1] : dr[0] + dr[N - 1];
    }
    printf("%-28s %7.2f ns\n", name, best / ((double)steps * ROUNDS) * 1e9);
}

int main(void)
{
    unsigned long long state = 12345;
    int i;
    for (i = 0; i < N; i++) {
        /* values like the transform's Horner steps: x in [0.5, 1), c in [1, 2) */
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        da[i] = 0.5 + (double)(state >> 11) * 0x1p-54;
        db[i] = 1.0 + (double)((state >> 7) & 0xfffff) * 0x1p-20;
        dc[i] = 1.0 + (double)((state >> 3) & 0xffffff) * 0x1p-24;
        sa[i] = da[i] * 0x1p-700;            /* products near 2^-1400: the exact integer path */
        sb[i] = db[i] * 0x1p-300;
        fa[i] = (float)da[i];
        fb[i] = (float)db[i];
        fc[i] = (float)dc[i];
    }
    report("f32 scalar throughput", scalar_f32, 1, N);
    report("f32 scalar latency", chain_f32, 1, N);
    report("f64 scalar throughput", scalar_f64, 0, N);
    report("f64 scalar latency", chain_f64, 0, N);
    report("f64 scalar slow path", scalar_f64_slow, 0, N);
#if HAVE_SSE2
    report("f32 sse2 throughput", sse2_f32, 1, N);
    report("f32 sse2 latency", sse2_chain_f32, 1, N / 4);
    report("f64 sse2 throughput", sse2_f64, 0, N);
    report("f64 sse2 latency", sse2_chain_f64, 0, N / 2);
#endif
#ifdef HW_FMA_TARGET
    if (HAVE_HW_FMA) {
        report("f32 instruction throughput", hw_f32, 1, N);
        report("f32 instruction latency", hw_chain_f32, 1, N);
        report("f64 instruction throughput", hw_f64, 0, N);
        report("f64 instruction latency", hw_chain_f64, 0, N);
    }
#endif
    printf("(checksum %g)\n", sink);
    return 0;
}
