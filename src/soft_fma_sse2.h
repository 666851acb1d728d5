/* The exact software fma of soft_fma.h on SSE2 vectors, for kernels built at
 * the x86-64 baseline (no FMA instruction): the same operations lane by lane,
 * so the bits equal the scalar version's and the hardware instruction's. Only
 * SSE2 intrinsics; the same build requirements as soft_fma.h. */
#ifndef XINIT_SOFT_FMA_SSE2_H
#define XINIT_SOFT_FMA_SSE2_H

#include <emmintrin.h>

#include "soft_fma.h"

static inline __m128d xi_two_sum_pd(__m128d x, __m128d y, __m128d *err)
{
    __m128d s = _mm_add_pd(x, y);
    __m128d y_part = _mm_sub_pd(s, x);
    __m128d x_part = _mm_sub_pd(s, y_part);
    *err = _mm_add_pd(_mm_sub_pd(x, x_part), _mm_sub_pd(y, y_part));
    return s;
}

/* xi_round_to_odd_f64 per lane: the encoding of s moves one unit towards err
 * when err != 0, s is finite and its last bit is even; the step is
 * step - 2 * (step & opposite), with opposite = 1 when err's sign differs. */
static inline __m128d xi_round_to_odd_pd(__m128d s, __m128d err)
{
    const __m128i one = _mm_set1_epi64x(1);
    __m128d zero = _mm_setzero_pd();
    __m128i s_bits = _mm_castpd_si128(s);
    __m128d inexact = _mm_and_pd(_mm_cmpneq_pd(err, zero),
                                 _mm_cmpeq_pd(_mm_sub_pd(s, s), zero));
    __m128i step = _mm_and_si128(_mm_castpd_si128(inexact), _mm_andnot_si128(s_bits, one));
    __m128i opposite = _mm_srli_epi64(_mm_xor_si128(_mm_castpd_si128(err), s_bits), 63);
    __m128i shrink = _mm_and_si128(step, opposite);
    s_bits = _mm_sub_epi64(_mm_add_epi64(s_bits, step), _mm_add_epi64(shrink, shrink));
    return _mm_castsi128_pd(s_bits);
}

/* xi_soft_fma_f32 on two lanes held as binary64 (exact conversions) */
static inline __m128d xi_soft_fma_f32_in_pd(__m128d a, __m128d b, __m128d c)
{
    __m128d err;
    __m128d sum = xi_two_sum_pd(_mm_mul_pd(a, b), c, &err);
    return xi_round_to_odd_pd(sum, err);
}

/* Four binary32 lanes, branch-free, exact for all inputs (soft_fma.h). */
static inline __m128 xi_soft_fma_ps(__m128 a, __m128 b, __m128 c)
{
    __m128d low = xi_soft_fma_f32_in_pd(_mm_cvtps_pd(a), _mm_cvtps_pd(b), _mm_cvtps_pd(c));
    __m128d high = xi_soft_fma_f32_in_pd(_mm_cvtps_pd(_mm_movehl_ps(a, a)),
                                         _mm_cvtps_pd(_mm_movehl_ps(b, b)),
                                         _mm_cvtps_pd(_mm_movehl_ps(c, c)));
    return _mm_movelh_ps(_mm_cvtpd_ps(low), _mm_cvtpd_ps(high));
}

/* Two binary64 lanes: the fast path of xi_soft_fma_f64 on both, then the
 * exact scalar function for any lane outside a range where that path is
 * proved: |fl(a*b)| >= 2^-960 and |a|, |b|, |c| < 2^500 (so |a*b| < 2^1000).
 * That test differs from the scalar one, which reads exponent fields: it is
 * narrower at the top (one bound covers the operands and the product) and a
 * little wider at the bottom: a subnormal factor is allowed when the product
 * is large enough, as every partial product of the splitting is then still a
 * multiple of 2^-1074 (ulp(a) * ulp(b) >= 2^-1074 once |a*b| >= 2^-960), and
 * Veltkamp's split of a subnormal is that of the scaled normal number, its
 * sums being exact on the 2^-1074 grid. Nan, inf, zero products and huge
 * operands fail the two comparisons (a nan in a or b makes the product nan). */
static inline __m128d xi_soft_fma_pd(__m128d a, __m128d b, __m128d c)
{
    const __m128d split = _mm_set1_pd(134217729.0);            /* 2^27 + 1 */
    const __m128d magnitude = _mm_castsi128_pd(_mm_set1_epi64x(INT64_C(0x7fffffffffffffff)));
    const __m128d product_min = _mm_set1_pd(0x1p-960);
    const __m128d operand_max = _mm_set1_pd(0x1p500);
    __m128d a_big = _mm_mul_pd(split, a), b_big = _mm_mul_pd(split, b);
    __m128d a_hi = _mm_sub_pd(a_big, _mm_sub_pd(a_big, a)), a_lo = _mm_sub_pd(a, a_hi);
    __m128d b_hi = _mm_sub_pd(b_big, _mm_sub_pd(b_big, b)), b_lo = _mm_sub_pd(b, b_hi);
    __m128d product_hi = _mm_mul_pd(a, b);
    __m128d product_lo = _mm_add_pd(
        _mm_add_pd(_mm_add_pd(_mm_sub_pd(_mm_mul_pd(a_hi, b_hi), product_hi), _mm_mul_pd(a_hi, b_lo)),
                   _mm_mul_pd(a_lo, b_hi)),
        _mm_mul_pd(a_lo, b_lo));
    __m128d sum_lo, low_err;
    __m128d sum_hi = xi_two_sum_pd(c, product_hi, &sum_lo);
    __m128d low = xi_two_sum_pd(sum_lo, product_lo, &low_err);
    __m128d result = _mm_add_pd(sum_hi, xi_round_to_odd_pd(low, low_err));
    /* the nan-taking operand of maxpd is the second: c's nan is caught here,
     * a's or b's through the product */
    __m128d largest = _mm_max_pd(_mm_max_pd(_mm_and_pd(a, magnitude), _mm_and_pd(b, magnitude)),
                                 _mm_and_pd(c, magnitude));
    __m128d proved = _mm_and_pd(_mm_cmpge_pd(_mm_and_pd(product_hi, magnitude), product_min),
                                _mm_cmplt_pd(largest, operand_max));
    int fast_lanes = _mm_movemask_pd(proved);
    if (fast_lanes != 3) {
        double lanes[2], a_lanes[2], b_lanes[2], c_lanes[2];
        int lane;
        _mm_storeu_pd(lanes, result);
        _mm_storeu_pd(a_lanes, a);
        _mm_storeu_pd(b_lanes, b);
        _mm_storeu_pd(c_lanes, c);
        for (lane = 0; lane < 2; lane++)
            if (!(fast_lanes >> lane & 1))
                lanes[lane] = xi_soft_fma_f64_slow(a_lanes[lane], b_lanes[lane], c_lanes[lane]);
        result = _mm_loadu_pd(lanes);
    }
    return result;
}

#endif
