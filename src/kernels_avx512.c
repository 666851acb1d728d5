/* AVX-512 kernels: 16 x 32-bit lanes, AVX512F (which includes the fused
 * multiply-add) and AVX512DQ for the 64-bit integer conversions of the float64
 * normal transform; every AVX-512 CPU but the Xeon Phi has both (those run the
 * avx2 variant). No BW/VL needed.
 * Compiled for AVX-512 through a target pragma on this file's functions;
 * dispatch.c calls them only where cpuid and xgetbv say they run. */
#include "kernels.h"

#if defined(__x86_64__) || defined(_M_X64)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq")
#endif

#include <immintrin.h>

#include "philox.h"

#define SIMD_NAME "avx512"
#define SIMD_FN(name) name##_avx512
#define W32 16
#define W64 8
#define SIMD_GROUP 8

typedef __m512i vu32;
typedef __m512 vf32;
typedef __mmask16 vm32;
typedef __m512i vu64;
typedef __m512d vf64;
typedef __mmask8 vm64;

#define u32_load(p) _mm512_loadu_si512((const void *)(p))
#define u32_set1(v) _mm512_set1_epi32((int)(v))
#define u32_add(a, b) _mm512_add_epi32(a, b)       /* a + b mod 2^32 */
#define u32_sub(a, b) _mm512_sub_epi32(a, b)       /* a - b mod 2^32 */
#define u32_xor(a, b) _mm512_xor_si512(a, b)
#define u32_and(a, b) _mm512_and_si512(a, b)
#define u32_or(a, b) _mm512_or_si512(a, b)
#define u32_srli(a, n) _mm512_srli_epi32(a, n)     /* a >> n */
#define u32_slli(a, n) _mm512_slli_epi32(a, n)     /* a << n mod 2^32 */
#define u32_srai(a, n) _mm512_srai_epi32(a, n)     /* (int32)a >> n */

/* Philox on 8 blocks per vector, each counter word in the low half of a
 * 64-bit lane (_mm512_mul_epu32 ignores the high half). A round is a chain
 * of multiply, shuffle and xor, so one call runs six vectors side by side to
 * keep the multipliers busy. A three-way xor is one ternary-logic instruction. */
#define PHILOX_BLOCKS 48
#define XOR3 0x96                     /* ternary-logic truth table of a ^ b ^ c */

static inline void philox_words(const xi_stream *st, uint64_t block, vu32 words[4 * PHILOX_BLOCKS / W32])
{
    enum { VECTORS = PHILOX_BLOCKS / 8 };
    const __m512i m0 = _mm512_set1_epi64(PHILOX_M4x32_0), m1 = _mm512_set1_epi64(PHILOX_M4x32_1);
    const __m512i first_half = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
    const __m512i second_half = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
    const __m512i stream_lo = _mm512_set1_epi64((long long)(st->stream & 0xffffffffu));
    const __m512i stream_hi = _mm512_set1_epi64((long long)(st->stream >> 32));
    __m512i first = _mm512_add_epi64(_mm512_set1_epi64((long long)block), _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
    __m512i c0[VECTORS], c1[VECTORS], c2[VECTORS], c3[VECTORS];
    uint32_t key0 = st->key[0], key1 = st->key[1];
    int round, v;
    for (v = 0; v < VECTORS; v++) {
        c0[v] = _mm512_add_epi64(first, _mm512_set1_epi64(8 * v));   /* ctr[0] = block + i */
        c1[v] = _mm512_srli_epi64(c0[v], 32);                         /* ctr[1] = (block + i) >> 32 */
    }
    {
        /* round 0: ctr[2] and ctr[3] are the same in every lane, and so is
         * M1 * ctr[2]; next0 = hi(M1*ctr[2]) ^ key[0], next2 = ctr[3] ^ key[1] */
        const __m512i p2 = _mm512_mul_epu32(stream_lo, m1);
        const __m512i next0 = _mm512_xor_si512(_mm512_shuffle_epi32(p2, _MM_PERM_DDBB), _mm512_set1_epi32((int)key0));
        const __m512i next2 = _mm512_xor_si512(stream_hi, _mm512_set1_epi32((int)key1));
        for (v = 0; v < VECTORS; v++) {
            __m512i p0 = _mm512_mul_epu32(c0[v], m0);
            c0[v] = _mm512_xor_si512(next0, c1[v]);
            c2[v] = _mm512_xor_si512(_mm512_shuffle_epi32(p0, _MM_PERM_DDBB), next2);
            c1[v] = p2;
            c3[v] = p0;
        }
    }
    for (round = 1; round < PHILOX_ROUNDS; round++) {
        __m512i k0, k1;
        key0 += PHILOX_W32_0;
        key1 += PHILOX_W32_1;
        k0 = _mm512_set1_epi32((int)key0);
        k1 = _mm512_set1_epi32((int)key1);
        for (v = 0; v < VECTORS; v++) {
            __m512i p0 = _mm512_mul_epu32(c0[v], m0);                /* M0 * ctr[0] */
            __m512i p2 = _mm512_mul_epu32(c2[v], m1);                /* M1 * ctr[2] */
            /* ctr[0] = hi(M1*ctr[2]) ^ ctr[1] ^ key[0]; ctr[1] = lo(M1*ctr[2]) */
            c0[v] = _mm512_ternarylogic_epi64(_mm512_shuffle_epi32(p2, _MM_PERM_DDBB), c1[v], k0, XOR3);
            /* ctr[2] = hi(M0*ctr[0]) ^ ctr[3] ^ key[1]; ctr[3] = lo(M0*ctr[0]) */
            c2[v] = _mm512_ternarylogic_epi64(_mm512_shuffle_epi32(p0, _MM_PERM_DDBB), c3[v], k1, XOR3);
            c1[v] = p2;
            c3[v] = p0;
        }
    }
    for (v = 0; v < VECTORS; v++) {
        /* per 64-bit lane: ctr[0] | ctr[1] << 32, ctr[2] | ctr[3] << 32 */
        __m512i c01 = _mm512_mask_blend_epi32(0xAAAA, c0[v], _mm512_shuffle_epi32(c1[v], _MM_PERM_CCAA));
        __m512i c23 = _mm512_mask_blend_epi32(0xAAAA, c2[v], _mm512_shuffle_epi32(c3[v], _MM_PERM_CCAA));
        __m512i even = _mm512_unpacklo_epi64(c01, c23), odd = _mm512_unpackhi_epi64(c01, c23); /* 0|2|4|6, 1|3|5|7 */
        words[2 * v] = _mm512_permutex2var_epi64(even, first_half, odd);        /* blocks 8v .. 8v+3 */
        words[2 * v + 1] = _mm512_permutex2var_epi64(even, second_half, odd);   /* blocks 8v+4 .. 8v+7 */
    }
}

#define u32_store(p, v) _mm512_storeu_si512((void *)(p), v)
#define u32_stream(p, v) _mm512_stream_si512((void *)(p), v)   /* *p = v, not read into the cache */
#define u64_from_u32(v) (v)
#define u64_sign(a) _mm512_srai_epi64(a, 63)   /* all ones where (int64)a < 0 */

#define f32_set1(v) _mm512_set1_ps(v)
#define f32_add(a, b) _mm512_add_ps(a, b)
#define f32_sub(a, b) _mm512_sub_ps(a, b)
#define f32_mul(a, b) _mm512_mul_ps(a, b)
#define f32_fma(a, b, c) _mm512_fmadd_ps(a, b, c)   /* a*b + c, rounded once */
#define f32_sqrt(a) _mm512_sqrt_ps(a)
#define f32_from_i32(a) _mm512_cvtepi32_ps(a)
#define f32_from_u32(a) _mm512_cvtepu32_ps(a)      /* (float)(uint32)a, round to nearest */
#define f32_bits(a) _mm512_castps_si512(a)
#define f32_from_bits(a) _mm512_castsi512_ps(a)
#define f32_max(lo, x) _mm512_max_ps(lo, x)        /* x < lo ? lo : x */
#define f32_min(hi, x) _mm512_min_ps(hi, x)        /* x > hi ? hi : x */
#define f32_lt(a, b) _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ)
#define f32_select(m, yes, no) _mm512_mask_blend_ps(m, no, yes)
#define f32_all(m) ((m) == 0xffff)
#define f32_store(p, v) _mm512_storeu_ps(p, v)
#define f32_stream(p, v) _mm512_stream_ps(p, v)      /* *p = v, not read into the cache */
#define SIMD_VECTOR_BYTES 64
#define stream_fence() _mm_sfence()
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
#define u64_slli(a, n) _mm512_slli_epi64(a, n)
#define u64_add(a, b) _mm512_add_epi64(a, b)
#define u64_sub(a, b) _mm512_sub_epi64(a, b)

#define f64_from_u32lo(a) _mm512_cvtepu32_pd(_mm512_cvtepi64_epi32(a))   /* (double)(uint32)a */
#define f64_from_i32hi(a) _mm512_cvtepi32_pd(_mm512_cvtepi64_epi32(_mm512_srli_epi64(a, 32))) /* (double)(int32)(a >> 32) */
#define f64_from_srai64(a, n) _mm512_cvtepi64_pd(_mm512_srai_epi64(a, n))   /* (double)((int64)a >> n) */
#define f64_from_u64(a) _mm512_cvtepu64_pd(a)         /* (double)(uint64)a, round to nearest */
#define f64_set1(v) _mm512_set1_pd(v)
#define f64_add(a, b) _mm512_add_pd(a, b)
#define f64_sub(a, b) _mm512_sub_pd(a, b)
#define f64_mul(a, b) _mm512_mul_pd(a, b)
#define f64_fma(a, b, c) _mm512_fmadd_pd(a, b, c)
#define f64_sqrt(a) _mm512_sqrt_pd(a)
#define f64_bits(a) _mm512_castpd_si512(a)
#define f64_from_bits(a) _mm512_castsi512_pd(a)
#define f64_max(lo, x) _mm512_max_pd(lo, x)
#define f64_min(hi, x) _mm512_min_pd(hi, x)
#define f64_lt(a, b) _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ)
#define f64_select(m, yes, no) _mm512_mask_blend_pd(m, no, yes)
#define f64_all(m) ((m) == 0xff)
#define f64_store(p, v) _mm512_storeu_pd(p, v)
#define f64_stream(p, v) _mm512_stream_pd(p, v)

#include "simd_kernels.h"

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

#else
typedef int xi_no_avx512_on_this_architecture;
#endif
