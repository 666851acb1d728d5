/* AVX-512 kernels: 16 x 32-bit lanes, AVX512F only (no DQ/BW/VL needed).
 * Compiled for AVX-512 through a target pragma on this file's functions;
 * dispatch.c calls them only where cpuid and xgetbv say they run. */
#include "kernels.h"

#if defined(__x86_64__) || defined(_M_X64)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx512f")
#endif

#include <immintrin.h>

#define SIMD_NAME "avx512"
#define SIMD_FN(name) name##_avx512
#define W32 16
#define W64 8

typedef __m512i vu32;
typedef __m512 vf32;
typedef __mmask16 vm32;
typedef __m512i vu64;
typedef __m512d vf64;
typedef __mmask8 vm64;

#define u32_load(p) _mm512_loadu_si512((const void *)(p))
#define u32_set1(v) _mm512_set1_epi32((int)(v))
#define u32_iota() _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
#define u32_add(a, b) _mm512_add_epi32(a, b)       /* a + b mod 2^32 */
#define u32_xor(a, b) _mm512_xor_si512(a, b)
#define u32_and(a, b) _mm512_and_si512(a, b)
#define u32_or(a, b) _mm512_or_si512(a, b)
#define u32_srli(a, n) _mm512_srli_epi32(a, n)     /* a >> n */
#define u32_srai(a, n) _mm512_srai_epi32(a, n)     /* (int32)a >> n */

/* (hi, lo) = a * m as 64-bit products */
static inline void u32_mulhilo(vu32 a, uint32_t m, vu32 *hi, vu32 *lo)
{
    __m512i mv = _mm512_set1_epi32((int)m);
    __m512i even = _mm512_mul_epu32(a, mv);                        /* even lanes: a*m */
    __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), mv);  /* odd lanes: a*m */
    *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));  /* (uint32)(a*m) */
    *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);  /* (a*m) >> 32 */
}

/* out[4*b + i] = c_i[b]: 4x4 transposes in each 128-bit quarter, then the
 * quarters reordered so that blocks come out in order */
static inline void u32_store_blocks(uint32_t *out, vu32 c0, vu32 c1, vu32 c2, vu32 c3)
{
    __m512i t0 = _mm512_unpacklo_epi32(c0, c1), t1 = _mm512_unpacklo_epi32(c2, c3);
    __m512i t2 = _mm512_unpackhi_epi32(c0, c1), t3 = _mm512_unpackhi_epi32(c2, c3);
    __m512i r0 = _mm512_unpacklo_epi64(t0, t1);   /* blocks 0 | 4 | 8 | 12 */
    __m512i r1 = _mm512_unpackhi_epi64(t0, t1);   /* blocks 1 | 5 | 9 | 13 */
    __m512i r2 = _mm512_unpacklo_epi64(t2, t3);   /* blocks 2 | 6 | 10 | 14 */
    __m512i r3 = _mm512_unpackhi_epi64(t2, t3);   /* blocks 3 | 7 | 11 | 15 */
    __m512i s0 = _mm512_shuffle_i32x4(r0, r1, _MM_SHUFFLE(2, 0, 2, 0));  /* 0 8 1 9 */
    __m512i s1 = _mm512_shuffle_i32x4(r2, r3, _MM_SHUFFLE(2, 0, 2, 0));  /* 2 10 3 11 */
    __m512i s2 = _mm512_shuffle_i32x4(r0, r1, _MM_SHUFFLE(3, 1, 3, 1));  /* 4 12 5 13 */
    __m512i s3 = _mm512_shuffle_i32x4(r2, r3, _MM_SHUFFLE(3, 1, 3, 1));  /* 6 14 7 15 */
    _mm512_storeu_si512((void *)(out + 0), _mm512_shuffle_i32x4(s0, s1, _MM_SHUFFLE(2, 0, 2, 0)));
    _mm512_storeu_si512((void *)(out + 16), _mm512_shuffle_i32x4(s2, s3, _MM_SHUFFLE(2, 0, 2, 0)));
    _mm512_storeu_si512((void *)(out + 32), _mm512_shuffle_i32x4(s0, s1, _MM_SHUFFLE(3, 1, 3, 1)));
    _mm512_storeu_si512((void *)(out + 48), _mm512_shuffle_i32x4(s2, s3, _MM_SHUFFLE(3, 1, 3, 1)));
}

#define f32_set1(v) _mm512_set1_ps(v)
#define f32_add(a, b) _mm512_add_ps(a, b)
#define f32_sub(a, b) _mm512_sub_ps(a, b)
#define f32_mul(a, b) _mm512_mul_ps(a, b)
#define f32_div(a, b) _mm512_div_ps(a, b)
#define f32_sqrt(a) _mm512_sqrt_ps(a)
#define f32_from_i32(a) _mm512_cvtepi32_ps(a)
#define f32_bits(a) _mm512_castps_si512(a)
#define f32_from_bits(a) _mm512_castsi512_ps(a)
#define f32_max(lo, x) _mm512_max_ps(lo, x)        /* x < lo ? lo : x */
#define f32_min(hi, x) _mm512_min_ps(hi, x)        /* x > hi ? hi : x */
#define f32_le(a, b) _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ)
#define f32_lt(a, b) _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ)
#define f32_select(m, yes, no) _mm512_mask_blend_ps(m, no, yes)
#define f32_all(m) ((m) == 0xffff)
#define f32_or_mask(a, b) ((vm32)((a) | (b)))
#define f32_store(p, v) _mm512_storeu_ps(p, v)
/* xi_f32_to_f16_bits: round to nearest even */
#define f32_store_f16(p, v) \
    _mm256_storeu_si256((__m256i *)(p), _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))

/* xi_f32_to_bf16_bits for finite lanes: (x + 0x7fff + ((x >> 16) & 1)) >> 16 */
static inline void f32_store_bf16(uint16_t *out, vf32 v)
{
    __m512i x = _mm512_castps_si512(v);
    __m512i odd = _mm512_and_si512(_mm512_srli_epi32(x, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_srli_epi32(_mm512_add_epi32(x, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7fff))), 16);
    _mm256_storeu_si256((__m256i *)out, _mm512_cvtepi32_epi16(r));   /* (uint16)r */
}

#define u64_load(p) _mm512_loadu_si512((const void *)(p))
#define u64_set1(v) _mm512_set1_epi64((long long)(v))
#define u64_and(a, b) _mm512_and_si512(a, b)
#define u64_or(a, b) _mm512_or_si512(a, b)
#define u64_xor(a, b) _mm512_xor_si512(a, b)
#define u64_srli(a, n) _mm512_srli_epi64(a, n)

#define f64_from_u32lo(a) _mm512_cvtepu32_pd(_mm512_cvtepi64_epi32(a))   /* (double)(uint32)a */
#define f64_from_i32hi(a) _mm512_cvtepi32_pd(_mm512_cvtepi64_epi32(_mm512_srli_epi64(a, 32))) /* (double)(int32)(a >> 32) */
#define f64_set1(v) _mm512_set1_pd(v)
#define f64_add(a, b) _mm512_add_pd(a, b)
#define f64_sub(a, b) _mm512_sub_pd(a, b)
#define f64_mul(a, b) _mm512_mul_pd(a, b)
#define f64_div(a, b) _mm512_div_pd(a, b)
#define f64_sqrt(a) _mm512_sqrt_pd(a)
#define f64_bits(a) _mm512_castpd_si512(a)
#define f64_from_bits(a) _mm512_castsi512_pd(a)
#define f64_max(lo, x) _mm512_max_pd(lo, x)
#define f64_min(hi, x) _mm512_min_pd(hi, x)
#define f64_le(a, b) _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ)
#define f64_lt(a, b) _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ)
#define f64_select(m, yes, no) _mm512_mask_blend_pd(m, no, yes)
#define f64_all(m) ((m) == 0xff)
#define f64_or_mask(a, b) ((vm64)((a) | (b)))
#define f64_store(p, v) _mm512_storeu_pd(p, v)

#include "simd_kernels.h"

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

#else
typedef int xi_no_avx512_on_this_architecture;
#endif
