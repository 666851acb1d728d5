/* NEON kernels for aarch64, where NEON (with its fused multiply-add) is the
 * baseline: 4 x 32-bit lanes. */
#include "kernels.h"

#if defined(__aarch64__) || defined(_M_ARM64)

#include <arm_neon.h>

#include "philox.h"

#define SIMD_NAME "neon"
#define SIMD_FN(name) name##_neon
#define W32 4
#define W64 2
#define SIMD_GROUP 8

typedef uint32x4_t vu32;
typedef float32x4_t vf32;
typedef uint32x4_t vm32;
typedef uint64x2_t vu64;
typedef float64x2_t vf64;
typedef uint64x2_t vm64;

#define u32_load(p) vld1q_u32((const uint32_t *)(p))
#define u32_set1(v) vdupq_n_u32((uint32_t)(v))
#define u32_add(a, b) vaddq_u32(a, b)              /* a + b mod 2^32 */
#define u32_sub(a, b) vsubq_u32(a, b)              /* a - b mod 2^32 */
#define u32_xor(a, b) veorq_u32(a, b)
#define u32_and(a, b) vandq_u32(a, b)
#define u32_or(a, b) vorrq_u32(a, b)
#define u32_srli(a, n) vshrq_n_u32(a, n)           /* a >> n */
#define u32_slli(a, n) vshlq_n_u32(a, n)           /* a << n mod 2^32 */
#define u32_srai(a, n) vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_u32(a), n)) /* (int32)a >> n */

/* Philox on 4 blocks per vector, one counter word per 32-bit lane; a call
 * runs PHILOX_BLOCKS / 4 vectors side by side. */
#define PHILOX_BLOCKS 16

/* (hi, lo) = a * m as 64-bit products */
static inline void mulhilo(uint32x4_t a, uint32_t m, uint32x4_t *hi, uint32x4_t *lo)
{
    uint64x2_t low_pair = vmull_n_u32(vget_low_u32(a), m);     /* lanes 0, 1: a*m */
    uint64x2_t high_pair = vmull_high_n_u32(a, m);              /* lanes 2, 3: a*m */
    *lo = vuzp1q_u32(vreinterpretq_u32_u64(low_pair), vreinterpretq_u32_u64(high_pair)); /* (uint32)(a*m) */
    *hi = vuzp2q_u32(vreinterpretq_u32_u64(low_pair), vreinterpretq_u32_u64(high_pair)); /* (a*m) >> 32 */
}

/* words[b] = (c0[b], c1[b], c2[b], c3[b]), block b's words: a 4x4 transpose */
static inline void transpose_blocks(vu32 words[4], uint32x4_t c0, uint32x4_t c1, uint32x4_t c2, uint32x4_t c3)
{
    uint64x2_t t0 = vreinterpretq_u64_u32(vzip1q_u32(c0, c1)), t1 = vreinterpretq_u64_u32(vzip1q_u32(c2, c3));
    uint64x2_t t2 = vreinterpretq_u64_u32(vzip2q_u32(c0, c1)), t3 = vreinterpretq_u64_u32(vzip2q_u32(c2, c3));
    words[0] = vreinterpretq_u32_u64(vzip1q_u64(t0, t1));
    words[1] = vreinterpretq_u32_u64(vzip2q_u64(t0, t1));
    words[2] = vreinterpretq_u32_u64(vzip1q_u64(t2, t3));
    words[3] = vreinterpretq_u32_u64(vzip2q_u64(t2, t3));
}

/* block + i for i = first .. first + 3, as low and high counter words */
static inline void block_numbers(uint64_t block, uint64_t first, uint32x4_t *lo, uint32x4_t *hi)
{
    uint64x2_t b01 = vaddq_u64(vdupq_n_u64(block), vcombine_u64(vcreate_u64(first), vcreate_u64(first + 1)));
    uint64x2_t b23 = vaddq_u64(b01, vdupq_n_u64(2));
    *lo = vcombine_u32(vmovn_u64(b01), vmovn_u64(b23));                 /* (uint32)(block + i) */
    *hi = vcombine_u32(vshrn_n_u64(b01, 32), vshrn_n_u64(b23, 32));     /* (block + i) >> 32 */
}

static inline void philox_words(const xi_stream *st, uint64_t block, vu32 words[4 * PHILOX_BLOCKS / W32])
{
    enum { VECTORS = PHILOX_BLOCKS / 4 };
    uint32x4_t c0[VECTORS], c1[VECTORS], c2[VECTORS], c3[VECTORS];
    uint32_t key0 = st->key[0], key1 = st->key[1];
    int round, v;
    for (v = 0; v < VECTORS; v++)
        block_numbers(block, 4 * (uint64_t)v, &c0[v], &c1[v]);
    {
        /* round 0: ctr[2] and ctr[3] are the same in every lane, and so is
         * M1 * ctr[2]; next0 = hi(M1*ctr[2]) ^ key[0], next2 = ctr[3] ^ key[1] */
        uint64_t p2 = (uint64_t)PHILOX_M4x32_1 * (uint32_t)st->stream;
        const uint32x4_t next0 = vdupq_n_u32((uint32_t)(p2 >> 32) ^ key0);
        const uint32x4_t next2 = vdupq_n_u32((uint32_t)(st->stream >> 32) ^ key1);
        for (v = 0; v < VECTORS; v++) {
            uint32x4_t hi0, lo0;
            mulhilo(c0[v], PHILOX_M4x32_0, &hi0, &lo0);
            c0[v] = veorq_u32(next0, c1[v]);
            c2[v] = veorq_u32(hi0, next2);
            c1[v] = vdupq_n_u32((uint32_t)p2);
            c3[v] = lo0;
        }
    }
    for (round = 1; round < PHILOX_ROUNDS; round++) {
        uint32x4_t k0, k1;
        key0 += PHILOX_W32_0;
        key1 += PHILOX_W32_1;
        k0 = vdupq_n_u32(key0);
        k1 = vdupq_n_u32(key1);
        for (v = 0; v < VECTORS; v++) {
            uint32x4_t hi0, lo0, hi2, lo2;
            mulhilo(c0[v], PHILOX_M4x32_0, &hi0, &lo0);
            mulhilo(c2[v], PHILOX_M4x32_1, &hi2, &lo2);
            c0[v] = veorq_u32(veorq_u32(hi2, c1[v]), k0);   /* hi(M1*ctr[2]) ^ ctr[1] ^ key[0] */
            c2[v] = veorq_u32(veorq_u32(hi0, c3[v]), k1);   /* hi(M0*ctr[0]) ^ ctr[3] ^ key[1] */
            c1[v] = lo2;
            c3[v] = lo0;
        }
    }
    for (v = 0; v < VECTORS; v++)
        transpose_blocks(words + 4 * v, c0[v], c1[v], c2[v], c3[v]);
}

#define u32_store(p, v) vst1q_u32((uint32_t *)(p), v)
#define u32_stream(p, v) vst1q_u32((uint32_t *)(p), v)   /* no non-temporal store in the ACLE */
#define u64_from_u32(v) vreinterpretq_u64_u32(v)
#define u64_sign(a) vreinterpretq_u64_s64(vshrq_n_s64(vreinterpretq_s64_u64(a), 63))   /* all ones where (int64)a < 0 */

#define f32_set1(v) vdupq_n_f32(v)
#define f32_add(a, b) vaddq_f32(a, b)
#define f32_sub(a, b) vsubq_f32(a, b)
#define f32_mul(a, b) vmulq_f32(a, b)
#define f32_fma(a, b, c) vfmaq_f32(c, a, b)        /* a*b + c, rounded once (vfmaq adds its first operand) */
#define f32_sqrt(a) vsqrtq_f32(a)
#define f32_from_i32(a) vcvtq_f32_s32(vreinterpretq_s32_u32(a))
#define f32_from_u32(a) vcvtq_f32_u32(a)            /* round to nearest (FPCR default) */
#define f32_bits(a) vreinterpretq_u32_f32(a)
#define f32_from_bits(a) vreinterpretq_f32_u32(a)
/* vmaxq/vminq propagate NaN differently from the scalar ternaries: select */
#define f32_max(lo, x) vbslq_f32(vcltq_f32(x, lo), lo, x)   /* x < lo ? lo : x */
#define f32_min(hi, x) vbslq_f32(vcgtq_f32(x, hi), hi, x)   /* x > hi ? hi : x */
#define f32_lt(a, b) vcltq_f32(a, b)
#define f32_select(m, yes, no) vbslq_f32(m, yes, no)
#define f32_all(m) (vminvq_u32(m) == UINT32_MAX)
#define f32_store(p, v) vst1q_f32(p, v)
#define f32_stream(p, v) vst1q_f32(p, v)             /* no non-temporal store in the ACLE */
#define SIMD_VECTOR_BYTES 16
#define stream_fence() ((void)0)
/* xi_f32_to_f16_bits: FCVTN rounds to nearest even (FPCR default) */
#define f32_store_f16(p, v) vst1_u16(p, vreinterpret_u16_f16(vcvt_f16_f32(v)))

/* xi_f32_to_bf16_bits for finite lanes */
static inline void f32_store_bf16(uint16_t *out, vf32 v)
{
    uint32x4_t x = vreinterpretq_u32_f32(v);
    uint32x4_t odd = vandq_u32(vshrq_n_u32(x, 16), vdupq_n_u32(1));
    uint32x4_t r = vshrq_n_u32(vaddq_u32(x, vaddq_u32(odd, vdupq_n_u32(0x7fff))), 16);
    vst1_u16(out, vmovn_u32(r));
}

#define u64_load(p) vreinterpretq_u64_u32(vld1q_u32((const uint32_t *)(p)))
#define u64_set1(v) vdupq_n_u64((uint64_t)(v))
#define u64_and(a, b) vandq_u64(a, b)
#define u64_or(a, b) vorrq_u64(a, b)
#define u64_xor(a, b) veorq_u64(a, b)
#define u64_srli(a, n) vshrq_n_u64(a, n)
#define u64_slli(a, n) vshlq_n_u64(a, n)
#define u64_add(a, b) vaddq_u64(a, b)
#define u64_sub(a, b) vsubq_u64(a, b)

#define f64_from_u32lo(a) vcvtq_f64_u64(vandq_u64(a, vdupq_n_u64(0xffffffffu)))  /* exact below 2^32 */
#define f64_from_i32hi(a) vcvtq_f64_s64(vshrq_n_s64(vreinterpretq_s64_u64(a), 32))
#define f64_from_srai64(a, n) vcvtq_f64_s64(vshrq_n_s64(vreinterpretq_s64_u64(a), n))
#define f64_from_u64(a) vcvtq_f64_u64(a)            /* round to nearest (FPCR default) */
#define f64_set1(v) vdupq_n_f64(v)
#define f64_add(a, b) vaddq_f64(a, b)
#define f64_sub(a, b) vsubq_f64(a, b)
#define f64_mul(a, b) vmulq_f64(a, b)
#define f64_fma(a, b, c) vfmaq_f64(c, a, b)
#define f64_sqrt(a) vsqrtq_f64(a)
#define f64_bits(a) vreinterpretq_u64_f64(a)
#define f64_from_bits(a) vreinterpretq_f64_u64(a)
#define f64_max(lo, x) vbslq_f64(vcltq_f64(x, lo), lo, x)
#define f64_min(hi, x) vbslq_f64(vcgtq_f64(x, hi), hi, x)
#define f64_lt(a, b) vcltq_f64(a, b)
#define f64_select(m, yes, no) vbslq_f64(m, yes, no)
#define f64_all(m) ((vgetq_lane_u64(m, 0) & vgetq_lane_u64(m, 1)) == UINT64_MAX)
#define f64_store(p, v) vst1q_f64(p, v)
#define f64_stream(p, v) vst1q_f64(p, v)

#include "simd_kernels.h"

#else
typedef int xi_no_neon_on_this_architecture;
#endif
