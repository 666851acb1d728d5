/* Accuracy sweep of the float32 normal transform (docs/stream.md section 7)
 * over the 31-bit magnitudes j of the words x = j: the element function
 * xi_elem_normal_f32 with mean 0 and std 1 against Phi^-1(1 - p),
 * p = (j + 1/2) 2^-32, in units of the binary32 spacing in the binade of
 * the exact value. It also checks that the word with the sign bit set gives
 * exactly the negated value.
 *
 * The reference is computed in binary64 with the C library's erf and erfc
 * (test code, not a kernel): Newton's method on erf(z/sqrt2) = x' near the
 * centre and on erfc(z/sqrt2) = q in the tail, where x' = 1 - 2p and q = 2p
 * are exact binary64 values, so both residuals keep their relative accuracy;
 * the binary64 result is within a few 2^-52 of the exact quantile, far
 * below the binary32 spacing.
 *
 * Usage: sweep_normal_f32 [threads [j_begin j_end]]   (default: 2, 0, 2^31)
 * Prints one line per binade of p ("band k": 2j + 1 has k + 1 bits, so p is in
 * [2^(k-33), 2^(k-32))) with the largest error, the j where it occurs and the
 * count, then a summary line "max_ulp E worst_j J sign_mismatches N". */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "elements.h"

#define BANDS 32

typedef struct band_stats {
    double max_ulp;
    uint32_t worst_j;
    uint64_t count;
} band_stats;

typedef struct sweep_job {
    uint32_t j_begin, j_end; /* [j_begin, j_end) */
    band_stats bands[BANDS];
    uint64_t sign_mismatches;
} sweep_job;

static const double SQRT1_2 = 0.70710678118654752440;
static const double SQRT_2_OVER_PI = 0.79788456080286535588; /* derivative of erf(z/sqrt2) at 0 */

/* Newton step for Phi^-1(1 - p) at z, given q = 2p and x' = 1 - q exactly. */
static double newton_step(double z, double q, double xp)
{
    double slope = SQRT_2_OVER_PI * exp(-0.5 * z * z);
    if (xp < 0.5)
        return (erf(z * SQRT1_2) - xp) / slope;
    return -(erfc(z * SQRT1_2) - q) / slope;
}

/* Newton from a nearby start (the previous j's root): the error after a
 * step of size s is about |z| s^2 / 2 (|f''/f'| = |z| for both residuals),
 * so a step of at most 1e-9 |z| leaves an error far below 2^-52 |z|, and
 * neighbouring j need one step. */
static double quantile(double z, double q, double xp)
{
    for (int i = 0; i < 60; i++) {
        double step = newton_step(z, q, xp);
        z -= step;
        if (fabs(step) <= 1e-9 * fabs(z))
            break;
    }
    return z;
}

/* A start that Newton refines from anywhere in (0, 1/2]: bisection on the
 * monotone residual brings it within 2^-40 of the root first. */
static double quantile_from_scratch(double q, double xp)
{
    double lo = 0.0, hi = 7.0; /* p >= 2^-33: Phi^-1(1 - p) < 6.4 */
    for (int i = 0; i < 44; i++) {
        double mid = 0.5 * (lo + hi);
        int below = xp < 0.5 ? erf(mid * SQRT1_2) < xp : erfc(mid * SQRT1_2) > q;
        if (below)
            lo = mid;
        else
            hi = mid;
    }
    return quantile(0.5 * (lo + hi), q, xp);
}

static int bit_length(uint64_t v)
{
    int n = 0;
    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}

static void *sweep(void *arg)
{
    sweep_job *job = arg;
    xi_coeffs_f32 coeffs = {0};
    coeffs.mean = 0.0f;
    coeffs.std = 1.0f;
    double z = 0.0;
    int started = 0;
    for (uint64_t j = job->j_begin; j < job->j_end; j++) {
        uint64_t a = 2 * j + 1;
        double q = ldexp((double)a, -32), xp = ldexp((double)((UINT64_C(1) << 32) - a), -32);
        z = started ? quantile(z, q, xp) : quantile_from_scratch(q, xp);
        started = 1;
        float y = xi_elem_normal_f32((uint32_t)j, &coeffs);
        float y_negative = xi_elem_normal_f32((uint32_t)j | UINT32_C(0x80000000), &coeffs);
        if (y_negative != -y || signbit(y_negative) == signbit(y))
            job->sign_mismatches++;
        int e;
        frexp(z, &e); /* z = m 2^e, m in [1/2, 1): binade 2^(e-1), spacing 2^(e-24) */
        double err = fabs((double)y - z) / ldexp(1.0, e - 24);
        band_stats *band = &job->bands[bit_length(a) - 1];
        if (err > band->max_ulp || band->count == 0) {
            band->max_ulp = err;
            band->worst_j = (uint32_t)j;
        }
        band->count++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    uint64_t j_begin = argc > 3 ? strtoull(argv[2], NULL, 0) : 0;
    uint64_t j_end = argc > 3 ? strtoull(argv[3], NULL, 0) : UINT64_C(1) << 31;
    if (threads < 1 || threads > 256 || j_begin >= j_end || j_end > (UINT64_C(1) << 31)) {
        fprintf(stderr, "usage: %s [threads [j_begin j_end]], 0 <= j_begin < j_end <= 2^31\n", argv[0]);
        return 2;
    }
    sweep_job *jobs = calloc((size_t)threads, sizeof *jobs);
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    if (!jobs || !ids)
        return 2;
    uint64_t span = j_end - j_begin;
    for (int t = 0; t < threads; t++) {
        jobs[t].j_begin = (uint32_t)(j_begin + span * (uint64_t)t / (uint64_t)threads);
        jobs[t].j_end = (uint32_t)(j_begin + span * (uint64_t)(t + 1) / (uint64_t)threads);
        if (pthread_create(&ids[t], NULL, sweep, &jobs[t]) != 0)
            return 2;
    }
    band_stats total[BANDS] = {{0}};
    uint64_t sign_mismatches = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        sign_mismatches += jobs[t].sign_mismatches;
        for (int k = 0; k < BANDS; k++) {
            band_stats *b = &jobs[t].bands[k];
            if (b->count && (total[k].count == 0 || b->max_ulp > total[k].max_ulp)) {
                total[k].max_ulp = b->max_ulp;
                total[k].worst_j = b->worst_j;
            }
            total[k].count += b->count;
        }
    }
    double max_ulp = 0.0;
    uint32_t worst_j = 0;
    for (int k = 0; k < BANDS; k++) {
        if (!total[k].count)
            continue;
        printf("band %d max_ulp %.4f worst_j %u count %llu\n", k, total[k].max_ulp, total[k].worst_j,
               (unsigned long long)total[k].count);
        if (total[k].max_ulp > max_ulp) {
            max_ulp = total[k].max_ulp;
            worst_j = total[k].worst_j;
        }
    }
    printf("max_ulp %.4f worst_j %u sign_mismatches %llu\n", max_ulp, worst_j,
           (unsigned long long)sign_mismatches);
    free(jobs);
    free(ids);
    return 0;
}
