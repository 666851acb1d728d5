/* AVX2 kernels: 8 x 32-bit lanes, with FMA3 for the fused multiply-adds of
 * the normal transform and F16C for half precision. Only this
 * file's functions are compiled for AVX2 (a target pragma, not a global -m
 * flag); dispatch.c calls them only on CPUs and OSes that support them. */
#include "kernels.h"

#if defined(__x86_64__) || defined(_M_X64)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif

#include <immintrin.h>

#include "philox.h"

#define SIMD_NAME "avx2"
#define SIMD_FN(name) name##_avx2
#define W32 8
#define W64 4
#define SIMD_GROUP 8

typedef __m256i vu32;
typedef __m256 vf32;
typedef __m256 vm32;
typedef __m256i vu64;
typedef __m256d vf64;
typedef __m256d vm64;

#define u32_load(p) _mm256_loadu_si256((const __m256i *)(p))
#define u32_set1(v) _mm256_set1_epi32((int)(v))
#define u32_add(a, b) _mm256_add_epi32(a, b)       /* a + b mod 2^32 */
#define u32_sub(a, b) _mm256_sub_epi32(a, b)       /* a - b mod 2^32 */
#define u32_xor(a, b) _mm256_xor_si256(a, b)
#define u32_and(a, b) _mm256_and_si256(a, b)
#define u32_or(a, b) _mm256_or_si256(a, b)
#define u32_srli(a, n) _mm256_srli_epi32(a, n)     /* a >> n */
#define u32_slli(a, n) _mm256_slli_epi32(a, n)     /* a << n mod 2^32 */
#define u32_srai(a, n) _mm256_srai_epi32(a, n)     /* (int32)a >> n */

/* Philox on 4 blocks per vector, each counter word in the low half of a
 * 64-bit lane (_mm256_mul_epu32 ignores the high half). A round is a chain
 * of multiply, shuffle and two xors, so a call runs four vectors side by
 * side (on a Zen 5 a third faster than two, spills included). */
#define PHILOX_BLOCKS 16

static inline void philox_words(const xi_stream *st, uint64_t block, vu32 words[4 * PHILOX_BLOCKS / W32])
{
    enum { VECTORS = PHILOX_BLOCKS / 4 };
    const __m256i m0 = _mm256_set1_epi64x(PHILOX_M4x32_0), m1 = _mm256_set1_epi64x(PHILOX_M4x32_1);
    const __m256i stream_lo = _mm256_set1_epi64x((long long)(st->stream & 0xffffffffu));
    const __m256i stream_hi = _mm256_set1_epi64x((long long)(st->stream >> 32));
    __m256i first = _mm256_add_epi64(_mm256_set1_epi64x((long long)block), _mm256_setr_epi64x(0, 1, 2, 3));
    __m256i c0[VECTORS], c1[VECTORS], c2[VECTORS], c3[VECTORS];
    uint32_t key0 = st->key[0], key1 = st->key[1];
    int round, v;
    for (v = 0; v < VECTORS; v++) {
        c0[v] = _mm256_add_epi64(first, _mm256_set1_epi64x(4 * v));  /* ctr[0] = block + i */
        c1[v] = _mm256_srli_epi64(c0[v], 32);                         /* ctr[1] = (block + i) >> 32 */
    }
    {
        /* round 0: ctr[2] and ctr[3] are the same in every lane, and so is
         * M1 * ctr[2]; next0 = hi(M1*ctr[2]) ^ key[0], next2 = ctr[3] ^ key[1] */
        const __m256i p2 = _mm256_mul_epu32(stream_lo, m1);
        const __m256i next0 = _mm256_xor_si256(_mm256_shuffle_epi32(p2, _MM_SHUFFLE(3, 3, 1, 1)), _mm256_set1_epi32((int)key0));
        const __m256i next2 = _mm256_xor_si256(stream_hi, _mm256_set1_epi32((int)key1));
        for (v = 0; v < VECTORS; v++) {
            __m256i p0 = _mm256_mul_epu32(c0[v], m0);
            c0[v] = _mm256_xor_si256(next0, c1[v]);
            c2[v] = _mm256_xor_si256(_mm256_shuffle_epi32(p0, _MM_SHUFFLE(3, 3, 1, 1)), next2);
            c1[v] = p2;
            c3[v] = p0;
        }
    }
    for (round = 1; round < PHILOX_ROUNDS; round++) {
        __m256i k0, k1;
        key0 += PHILOX_W32_0;
        key1 += PHILOX_W32_1;
        k0 = _mm256_set1_epi32((int)key0);
        k1 = _mm256_set1_epi32((int)key1);
        for (v = 0; v < VECTORS; v++) {
            __m256i p0 = _mm256_mul_epu32(c0[v], m0);                /* M0 * ctr[0] */
            __m256i p2 = _mm256_mul_epu32(c2[v], m1);                /* M1 * ctr[2] */
            /* ctr[0] = hi(M1*ctr[2]) ^ ctr[1] ^ key[0]; ctr[1] = lo(M1*ctr[2]) */
            c0[v] = _mm256_xor_si256(_mm256_xor_si256(_mm256_shuffle_epi32(p2, _MM_SHUFFLE(3, 3, 1, 1)), c1[v]), k0);
            /* ctr[2] = hi(M0*ctr[0]) ^ ctr[3] ^ key[1]; ctr[3] = lo(M0*ctr[0]) */
            c2[v] = _mm256_xor_si256(_mm256_xor_si256(_mm256_shuffle_epi32(p0, _MM_SHUFFLE(3, 3, 1, 1)), c3[v]), k1);
            c1[v] = p2;
            c3[v] = p0;
        }
    }
    for (v = 0; v < VECTORS; v++) {
        /* per 64-bit lane: ctr[0] | ctr[1] << 32, ctr[2] | ctr[3] << 32 */
        __m256i c01 = _mm256_blend_epi32(c0[v], _mm256_shuffle_epi32(c1[v], _MM_SHUFFLE(2, 2, 0, 0)), 0xAA);
        __m256i c23 = _mm256_blend_epi32(c2[v], _mm256_shuffle_epi32(c3[v], _MM_SHUFFLE(2, 2, 0, 0)), 0xAA);
        __m256i even = _mm256_unpacklo_epi64(c01, c23), odd = _mm256_unpackhi_epi64(c01, c23); /* 0|2, 1|3 */
        words[2 * v] = _mm256_permute2x128_si256(even, odd, 0x20);       /* blocks 4v, 4v+1 */
        words[2 * v + 1] = _mm256_permute2x128_si256(even, odd, 0x31);   /* blocks 4v+2, 4v+3 */
    }
}

#define u32_store(p, v) _mm256_storeu_si256((__m256i *)(p), v)
#define u32_stream(p, v) _mm256_stream_si256((__m256i *)(p), v)   /* *p = v, not read into the cache */
#define u64_from_u32(v) (v)
/* all ones where (int64)a < 0: the high word's sign, copied to both halves */
#define u64_sign(a) _mm256_srai_epi32(_mm256_shuffle_epi32(a, _MM_SHUFFLE(3, 3, 1, 1)), 31)

#define f32_set1(v) _mm256_set1_ps(v)
#define f32_add(a, b) _mm256_add_ps(a, b)
#define f32_sub(a, b) _mm256_sub_ps(a, b)
#define f32_mul(a, b) _mm256_mul_ps(a, b)
#define f32_fma(a, b, c) _mm256_fmadd_ps(a, b, c)   /* a*b + c, rounded once */
#define f32_sqrt(a) _mm256_sqrt_ps(a)
#define f32_from_i32(a) _mm256_cvtepi32_ps(a)
/* (float)(uint32)a without an unsigned convert: two exact halves, one rounded sum */
#define f32_from_u32(a) _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(a, 16)),          \
                                                    _mm256_set1_ps(65536.0f)),                             \
                                      _mm256_cvtepi32_ps(_mm256_and_si256(a, _mm256_set1_epi32(0xffff))))
#define f32_bits(a) _mm256_castps_si256(a)
#define f32_from_bits(a) _mm256_castsi256_ps(a)
#define f32_max(lo, x) _mm256_max_ps(lo, x)        /* x < lo ? lo : x */
#define f32_min(hi, x) _mm256_min_ps(hi, x)        /* x > hi ? hi : x */
#define f32_lt(a, b) _mm256_cmp_ps(a, b, _CMP_LT_OQ)
#define f32_select(m, yes, no) _mm256_blendv_ps(no, yes, m)
#define f32_all(m) (_mm256_movemask_ps(m) == 0xff)
#define f32_store(p, v) _mm256_storeu_ps(p, v)
#define f32_stream(p, v) _mm256_stream_ps(p, v)      /* *p = v, not read into the cache */
#define SIMD_VECTOR_BYTES 32
#define stream_fence() _mm_sfence()
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
#define u64_slli(a, n) _mm256_slli_epi64(a, n)
#define u64_add(a, b) _mm256_add_epi64(a, b)
#define u64_sub(a, b) _mm256_sub_epi64(a, b)

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

/* (double)((int64)a >> n), 32 <= n, result within int32: the high word's shift */
#define f64_from_srai64(a, n) f64_from_i32hi(_mm256_srai_epi32(a, (n) - 32))

/* (double)(uint64)a: two exact halves, one rounded sum, the halves placed
 * in the fractions of 2^84 and 2^52: (hi 2^32 + 2^84) - (2^84 + 2^52) is
 * exact, and adding lo + 2^52 is the one rounding. */
static inline vf64 f64_from_u64(vu64 a)
{
    __m256i low = _mm256_blend_epi32(a, _mm256_set1_epi64x(0x4330000000000000), 0xAA);   /* 2^52 + lo */
    __m256i high = _mm256_or_si256(_mm256_srli_epi64(a, 32), _mm256_set1_epi64x(0x4530000000000000)); /* 2^84 + hi 2^32 */
    __m256d high_part = _mm256_sub_pd(_mm256_castsi256_pd(high), _mm256_set1_pd(0x1.00000001p+84)); /* 2^84 + 2^52 */
    return _mm256_add_pd(high_part, _mm256_castsi256_pd(low));
}

#define f64_set1(v) _mm256_set1_pd(v)
#define f64_add(a, b) _mm256_add_pd(a, b)
#define f64_sub(a, b) _mm256_sub_pd(a, b)
#define f64_mul(a, b) _mm256_mul_pd(a, b)
#define f64_fma(a, b, c) _mm256_fmadd_pd(a, b, c)
#define f64_sqrt(a) _mm256_sqrt_pd(a)
#define f64_bits(a) _mm256_castpd_si256(a)
#define f64_from_bits(a) _mm256_castsi256_pd(a)
#define f64_max(lo, x) _mm256_max_pd(lo, x)
#define f64_min(hi, x) _mm256_min_pd(hi, x)
#define f64_lt(a, b) _mm256_cmp_pd(a, b, _CMP_LT_OQ)
#define f64_select(m, yes, no) _mm256_blendv_pd(no, yes, m)
#define f64_all(m) (_mm256_movemask_pd(m) == 0xf)
#define f64_store(p, v) _mm256_storeu_pd(p, v)
#define f64_stream(p, v) _mm256_stream_pd(p, v)

#include "simd_kernels.h"

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

#else
typedef int xi_no_avx2_on_this_architecture;
#endif
