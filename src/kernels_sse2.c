/* SSE2 kernels: 4 x 32-bit lanes, the x86-64 baseline. Each intrinsic line is
 * commented with its scalar meaning per lane. SSE2 has no fused multiply-add:
 * the exact software one (soft_fma_sse2.h) stands in, correct rather than fast. */
#include "kernels.h"

#if defined(__x86_64__) || defined(_M_X64)

#include <emmintrin.h>

#include "float_convert.h"
#include "philox.h"
#include "soft_fma_sse2.h"

#define SIMD_NAME "sse2"
#define SIMD_FN(name) name##_sse2
#define W32 4
#define W64 2
#define SIMD_GROUP 4

typedef __m128i vu32;
typedef __m128 vf32;
typedef __m128 vm32;
typedef __m128i vu64;
typedef __m128d vf64;
typedef __m128d vm64;

#define u32_load(p) _mm_loadu_si128((const __m128i *)(p))
#define u32_set1(v) _mm_set1_epi32((int)(v))
#define u32_add(a, b) _mm_add_epi32(a, b)          /* a + b mod 2^32 */
#define u32_sub(a, b) _mm_sub_epi32(a, b)          /* a - b mod 2^32 */
#define u32_xor(a, b) _mm_xor_si128(a, b)          /* a ^ b */
#define u32_and(a, b) _mm_and_si128(a, b)          /* a & b */
#define u32_or(a, b) _mm_or_si128(a, b)            /* a | b */
#define u32_srli(a, n) _mm_srli_epi32(a, n)        /* a >> n */
#define u32_slli(a, n) _mm_slli_epi32(a, n)        /* a << n mod 2^32 */
#define u32_srai(a, n) _mm_srai_epi32(a, n)        /* (int32)a >> n */

/* Philox on 2 blocks per vector, each counter word in the low half of a
 * 64-bit lane (the high half is ignored by _mm_mul_epu32 and masked off at
 * the end); a call runs four vectors side by side to cover the latency of a
 * round's multiply, shuffle and xors. */
#define PHILOX_BLOCKS 8

static inline void philox_words(const xi_stream *st, uint64_t block, vu32 words[4 * PHILOX_BLOCKS / W32])
{
    enum { VECTORS = PHILOX_BLOCKS / 2 };
    const __m128i m0 = _mm_set1_epi64x(PHILOX_M4x32_0), m1 = _mm_set1_epi64x(PHILOX_M4x32_1);
    const __m128i low_half = _mm_set1_epi64x(0xffffffff);
    const __m128i stream_lo = _mm_set1_epi64x((long long)(st->stream & 0xffffffffu));
    const __m128i stream_hi = _mm_set1_epi64x((long long)(st->stream >> 32));
    __m128i first = _mm_add_epi64(_mm_set1_epi64x((long long)block), _mm_set_epi64x(1, 0));
    __m128i c0[VECTORS], c1[VECTORS], c2[VECTORS], c3[VECTORS];
    uint32_t key0 = st->key[0], key1 = st->key[1];
    int round, v;
    for (v = 0; v < VECTORS; v++) {
        c0[v] = _mm_add_epi64(first, _mm_set1_epi64x(2 * v));    /* ctr[0] = block + i (low half) */
        c1[v] = _mm_srli_epi64(c0[v], 32);                        /* ctr[1] = (block + i) >> 32 */
    }
    {
        /* round 0: ctr[2] and ctr[3] are the same in every lane, and so is
         * M1 * ctr[2]; next0 = hi(M1*ctr[2]) ^ key[0], next2 = ctr[3] ^ key[1] */
        const __m128i p2 = _mm_mul_epu32(stream_lo, m1);
        const __m128i next0 = _mm_xor_si128(_mm_shuffle_epi32(p2, _MM_SHUFFLE(3, 3, 1, 1)), _mm_set1_epi32((int)key0));
        const __m128i next2 = _mm_xor_si128(stream_hi, _mm_set1_epi32((int)key1));
        for (v = 0; v < VECTORS; v++) {
            __m128i p0 = _mm_mul_epu32(c0[v], m0);
            c0[v] = _mm_xor_si128(next0, c1[v]);
            c2[v] = _mm_xor_si128(_mm_shuffle_epi32(p0, _MM_SHUFFLE(3, 3, 1, 1)), next2);
            c1[v] = p2;
            c3[v] = p0;
        }
    }
    for (round = 1; round < PHILOX_ROUNDS; round++) {
        __m128i k0, k1;
        key0 += PHILOX_W32_0;
        key1 += PHILOX_W32_1;
        k0 = _mm_set1_epi32((int)key0);
        k1 = _mm_set1_epi32((int)key1);
        for (v = 0; v < VECTORS; v++) {
            __m128i p0 = _mm_mul_epu32(c0[v], m0);                    /* M0 * ctr[0] */
            __m128i p2 = _mm_mul_epu32(c2[v], m1);                    /* M1 * ctr[2] */
            /* ctr[0] = hi(M1*ctr[2]) ^ ctr[1] ^ key[0]; ctr[1] = lo(M1*ctr[2]) */
            c0[v] = _mm_xor_si128(_mm_xor_si128(_mm_shuffle_epi32(p2, _MM_SHUFFLE(3, 3, 1, 1)), c1[v]), k0);
            /* ctr[2] = hi(M0*ctr[0]) ^ ctr[3] ^ key[1]; ctr[3] = lo(M0*ctr[0]) */
            c2[v] = _mm_xor_si128(_mm_xor_si128(_mm_shuffle_epi32(p0, _MM_SHUFFLE(3, 3, 1, 1)), c3[v]), k1);
            c1[v] = p2;
            c3[v] = p0;
        }
    }
    for (v = 0; v < VECTORS; v++) {
        /* per 64-bit lane: ctr[0] | ctr[1] << 32 and ctr[2] | ctr[3] << 32 */
        __m128i c01 = _mm_or_si128(_mm_and_si128(c0[v], low_half), _mm_slli_epi64(c1[v], 32));
        __m128i c23 = _mm_or_si128(_mm_and_si128(c2[v], low_half), _mm_slli_epi64(c3[v], 32));
        words[2 * v] = _mm_unpacklo_epi64(c01, c23);        /* block 2v */
        words[2 * v + 1] = _mm_unpackhi_epi64(c01, c23);    /* block 2v + 1 */
    }
}

#define u32_store(p, v) _mm_storeu_si128((__m128i *)(p), v)
#define u32_stream(p, v) _mm_stream_si128((__m128i *)(p), v)   /* *p = v, not read into the cache */
#define u64_from_u32(v) (v)
/* all ones where (int64)a < 0: the high word's sign, copied to both halves */
#define u64_sign(a) _mm_srai_epi32(_mm_shuffle_epi32(a, _MM_SHUFFLE(3, 3, 1, 1)), 31)

#define f32_set1(v) _mm_set1_ps(v)
#define f32_add(a, b) _mm_add_ps(a, b)
#define f32_sub(a, b) _mm_sub_ps(a, b)
#define f32_mul(a, b) _mm_mul_ps(a, b)
#define f32_fma(a, b, c) xi_soft_fma_ps(a, b, c)    /* a*b + c, rounded once */
#define f32_sqrt(a) _mm_sqrt_ps(a)
#define f32_from_i32(a) _mm_cvtepi32_ps(a)         /* (float)(int32)a, round to nearest */
/* (float)(uint32)a: (float)(a >> 16) * 2^16 + (float)(a & 0xffff), both exact, one rounding */
#define f32_from_u32(a) _mm_add_ps(_mm_mul_ps(_mm_cvtepi32_ps(_mm_srli_epi32(a, 16)), _mm_set1_ps(65536.0f)), \
                                   _mm_cvtepi32_ps(_mm_and_si128(a, _mm_set1_epi32(0xffff))))
#define f32_bits(a) _mm_castps_si128(a)
#define f32_from_bits(a) _mm_castsi128_ps(a)
#define f32_max(lo, x) _mm_max_ps(lo, x)           /* lo > x ? lo : x == (x < lo ? lo : x) */
#define f32_min(hi, x) _mm_min_ps(hi, x)           /* hi < x ? hi : x == (x > hi ? hi : x) */
#define f32_lt(a, b) _mm_cmplt_ps(a, b)
#define f32_select(m, yes, no) _mm_or_ps(_mm_and_ps(m, yes), _mm_andnot_ps(m, no))
#define f32_all(m) (_mm_movemask_ps(m) == 0xf)
#define f32_store(p, v) _mm_storeu_ps(p, v)
#define f32_stream(p, v) _mm_stream_ps(p, v)         /* *p = v, not read into the cache */
#define SIMD_VECTOR_BYTES 16
#define stream_fence() _mm_sfence()

/* No half-precision conversion in SSE2: round lane by lane like the scalar path. */
static inline void store_lanes16(uint16_t *out, vf32 v, uint16_t (*round_to_16)(float))
{
    float lanes[4];
    int i;
    _mm_storeu_ps(lanes, v);
    for (i = 0; i < 4; i++)
        out[i] = round_to_16(lanes[i]);
}

#define f32_store_f16(p, v) store_lanes16(p, v, xi_f32_to_f16_bits)
#define f32_store_bf16(p, v) store_lanes16(p, v, xi_f32_to_bf16_bits)

#define u64_load(p) _mm_loadu_si128((const __m128i *)(p))
#define u64_set1(v) _mm_set1_epi64x((long long)(v))
#define u64_and(a, b) _mm_and_si128(a, b)
#define u64_or(a, b) _mm_or_si128(a, b)
#define u64_xor(a, b) _mm_xor_si128(a, b)
#define u64_srli(a, n) _mm_srli_epi64(a, n)        /* a >> n (64-bit lanes) */
#define u64_slli(a, n) _mm_slli_epi64(a, n)        /* a << n mod 2^64 */
#define u64_add(a, b) _mm_add_epi64(a, b)          /* a + b mod 2^64 */
#define u64_sub(a, b) _mm_sub_epi64(a, b)          /* a - b mod 2^64 */

/* (double)(uint32)a for the low word of each 64-bit lane: signed conversion of
 * a ^ 2^31, plus 2^31; both steps exact */
static inline vf64 f64_from_u32lo(vu64 a)
{
    __m128i low_words = _mm_shuffle_epi32(a, _MM_SHUFFLE(3, 1, 2, 0));
    __m128i flipped = _mm_xor_si128(low_words, _mm_set1_epi32((int)0x80000000u));
    return _mm_add_pd(_mm_cvtepi32_pd(flipped), _mm_set1_pd(2147483648.0));
}

/* (double)(int32)(a >> 32) */
static inline vf64 f64_from_i32hi(vu64 a)
{
    return _mm_cvtepi32_pd(_mm_shuffle_epi32(a, _MM_SHUFFLE(3, 1, 3, 1)));
}

/* (double)((int64)a >> n), 32 <= n, result within int32: the high word's shift */
#define f64_from_srai64(a, n) f64_from_i32hi(_mm_srai_epi32(a, (n) - 32))

/* (double)(uint64)a: (double)(a >> 32) * 2^32 + (double)(uint32)a, both exact, one rounding */
static inline vf64 f64_from_u64(vu64 a)
{
    return _mm_add_pd(_mm_mul_pd(f64_from_u32lo(_mm_srli_epi64(a, 32)), _mm_set1_pd(4294967296.0)),
                      f64_from_u32lo(a));
}

#define f64_set1(v) _mm_set1_pd(v)
#define f64_add(a, b) _mm_add_pd(a, b)
#define f64_sub(a, b) _mm_sub_pd(a, b)
#define f64_mul(a, b) _mm_mul_pd(a, b)
#define f64_fma(a, b, c) xi_soft_fma_pd(a, b, c)
#define f64_sqrt(a) _mm_sqrt_pd(a)
#define f64_bits(a) _mm_castpd_si128(a)
#define f64_from_bits(a) _mm_castsi128_pd(a)
#define f64_max(lo, x) _mm_max_pd(lo, x)
#define f64_min(hi, x) _mm_min_pd(hi, x)
#define f64_lt(a, b) _mm_cmplt_pd(a, b)
#define f64_select(m, yes, no) _mm_or_pd(_mm_and_pd(m, yes), _mm_andnot_pd(m, no))
#define f64_all(m) (_mm_movemask_pd(m) == 0x3)
#define f64_store(p, v) _mm_storeu_pd(p, v)
#define f64_stream(p, v) _mm_stream_pd(p, v)

#include "simd_kernels.h"

#else
typedef int xi_no_sse2_on_this_architecture;
#endif
