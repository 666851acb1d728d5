/* AVX2 kernels: 8 x 32-bit lanes, with F16C for half precision. Only this
 * file's functions are compiled for AVX2 (a target pragma, not a global -m
 * flag); dispatch.c calls them only on CPUs and OSes that support them. */
#include "kernels.h"

#if defined(__x86_64__) || defined(_M_X64)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,f16c"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx2,f16c")
#endif

#include <immintrin.h>

#define SIMD_NAME "avx2"
#define SIMD_FN(name) name##_avx2
#define W32 8
#define W64 4

typedef __m256i vu32;
typedef __m256 vf32;
typedef __m256 vm32;
typedef __m256i vu64;
typedef __m256d vf64;
typedef __m256d vm64;

#define u32_load(p) _mm256_loadu_si256((const __m256i *)(p))
#define u32_set1(v) _mm256_set1_epi32((int)(v))
#define u32_iota() _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)
#define u32_add(a, b) _mm256_add_epi32(a, b)       /* a + b mod 2^32 */
#define u32_xor(a, b) _mm256_xor_si256(a, b)
#define u32_and(a, b) _mm256_and_si256(a, b)
#define u32_or(a, b) _mm256_or_si256(a, b)
#define u32_srli(a, n) _mm256_srli_epi32(a, n)     /* a >> n */
#define u32_srai(a, n) _mm256_srai_epi32(a, n)     /* (int32)a >> n */

/* (hi, lo) = a * m as 64-bit products */
static inline void u32_mulhilo(vu32 a, uint32_t m, vu32 *hi, vu32 *lo)
{
    __m256i mv = _mm256_set1_epi32((int)m);
    __m256i even = _mm256_mul_epu32(a, mv);                        /* even lanes: a*m */
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), mv);  /* odd lanes: a*m */
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);  /* (uint32)(a*m) */
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);  /* (a*m) >> 32 */
}

/* out[4*b + i] = c_i[b]: 4x4 transposes in each 128-bit half, then blocks in order */
static inline void u32_store_blocks(uint32_t *out, vu32 c0, vu32 c1, vu32 c2, vu32 c3)
{
    __m256i t0 = _mm256_unpacklo_epi32(c0, c1), t1 = _mm256_unpacklo_epi32(c2, c3);
    __m256i t2 = _mm256_unpackhi_epi32(c0, c1), t3 = _mm256_unpackhi_epi32(c2, c3);
    __m256i r0 = _mm256_unpacklo_epi64(t0, t1);   /* blocks 0 | 4 */
    __m256i r1 = _mm256_unpackhi_epi64(t0, t1);   /* blocks 1 | 5 */
    __m256i r2 = _mm256_unpacklo_epi64(t2, t3);   /* blocks 2 | 6 */
    __m256i r3 = _mm256_unpackhi_epi64(t2, t3);   /* blocks 3 | 7 */
    _mm256_storeu_si256((__m256i *)out + 0, _mm256_permute2x128_si256(r0, r1, 0x20));
    _mm256_storeu_si256((__m256i *)out + 1, _mm256_permute2x128_si256(r2, r3, 0x20));
    _mm256_storeu_si256((__m256i *)out + 2, _mm256_permute2x128_si256(r0, r1, 0x31));
    _mm256_storeu_si256((__m256i *)out + 3, _mm256_permute2x128_si256(r2, r3, 0x31));
}

#define f32_set1(v) _mm256_set1_ps(v)
#define f32_add(a, b) _mm256_add_ps(a, b)
#define f32_sub(a, b) _mm256_sub_ps(a, b)
#define f32_mul(a, b) _mm256_mul_ps(a, b)
#define f32_div(a, b) _mm256_div_ps(a, b)
#define f32_sqrt(a) _mm256_sqrt_ps(a)
#define f32_from_i32(a) _mm256_cvtepi32_ps(a)
#define f32_bits(a) _mm256_castps_si256(a)
#define f32_from_bits(a) _mm256_castsi256_ps(a)
#define f32_max(lo, x) _mm256_max_ps(lo, x)        /* x < lo ? lo : x */
#define f32_min(hi, x) _mm256_min_ps(hi, x)        /* x > hi ? hi : x */
#define f32_le(a, b) _mm256_cmp_ps(a, b, _CMP_LE_OQ)
#define f32_lt(a, b) _mm256_cmp_ps(a, b, _CMP_LT_OQ)
#define f32_select(m, yes, no) _mm256_blendv_ps(no, yes, m)
#define f32_all(m) (_mm256_movemask_ps(m) == 0xff)
#define f32_or_mask(a, b) _mm256_or_ps(a, b)
#define f32_store(p, v) _mm256_storeu_ps(p, v)
/* xi_f32_to_f16_bits: F16C rounds to nearest even, like the scalar code */
#define f32_store_f16(p, v) \
    _mm_storeu_si128((__m128i *)(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))

/* xi_f32_to_bf16_bits for finite lanes: (x + 0x7fff + ((x >> 16) & 1)) >> 16 */
static inline void f32_store_bf16(uint16_t *out, vf32 v)
{
    __m256i x = _mm256_castps_si256(v);
    __m256i odd = _mm256_and_si256(_mm256_srli_epi32(x, 16), _mm256_set1_epi32(1));
    __m256i r = _mm256_srli_epi32(_mm256_add_epi32(x, _mm256_add_epi32(odd, _mm256_set1_epi32(0x7fff))), 16);
    __m256i packed = _mm256_packus_epi32(r, r);    /* lanes 0-3 | 0-3 | 4-7 | 4-7 as uint16 */
    _mm_storeu_si128((__m128i *)out,
                     _mm256_castsi256_si128(_mm256_permute4x64_epi64(packed, _MM_SHUFFLE(3, 1, 2, 0))));
}

#define u64_load(p) _mm256_loadu_si256((const __m256i *)(p))
#define u64_set1(v) _mm256_set1_epi64x((long long)(v))
#define u64_and(a, b) _mm256_and_si256(a, b)
#define u64_or(a, b) _mm256_or_si256(a, b)
#define u64_xor(a, b) _mm256_xor_si256(a, b)
#define u64_srli(a, n) _mm256_srli_epi64(a, n)

/* (double)(uint32)a for the low word of each 64-bit lane, exactly */
static inline vf64 f64_from_u32lo(vu64 a)
{
    __m256i low_words = _mm256_permutevar8x32_epi32(a, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6));
    __m128i flipped = _mm_xor_si128(_mm256_castsi256_si128(low_words), _mm_set1_epi32((int)0x80000000u));
    return _mm256_add_pd(_mm256_cvtepi32_pd(flipped), _mm256_set1_pd(2147483648.0));
}

/* (double)(int32)(a >> 32) */
static inline vf64 f64_from_i32hi(vu64 a)
{
    __m256i high_words = _mm256_permutevar8x32_epi32(a, _mm256_setr_epi32(1, 3, 5, 7, 1, 3, 5, 7));
    return _mm256_cvtepi32_pd(_mm256_castsi256_si128(high_words));
}

#define f64_set1(v) _mm256_set1_pd(v)
#define f64_add(a, b) _mm256_add_pd(a, b)
#define f64_sub(a, b) _mm256_sub_pd(a, b)
#define f64_mul(a, b) _mm256_mul_pd(a, b)
#define f64_div(a, b) _mm256_div_pd(a, b)
#define f64_sqrt(a) _mm256_sqrt_pd(a)
#define f64_bits(a) _mm256_castpd_si256(a)
#define f64_from_bits(a) _mm256_castsi256_pd(a)
#define f64_max(lo, x) _mm256_max_pd(lo, x)
#define f64_min(hi, x) _mm256_min_pd(hi, x)
#define f64_le(a, b) _mm256_cmp_pd(a, b, _CMP_LE_OQ)
#define f64_lt(a, b) _mm256_cmp_pd(a, b, _CMP_LT_OQ)
#define f64_select(m, yes, no) _mm256_blendv_pd(no, yes, m)
#define f64_all(m) (_mm256_movemask_pd(m) == 0xf)
#define f64_or_mask(a, b) _mm256_or_pd(a, b)
#define f64_store(p, v) _mm256_storeu_pd(p, v)

#include "simd_kernels.h"

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

#else
typedef int xi_no_avx2_on_this_architecture;
#endif
