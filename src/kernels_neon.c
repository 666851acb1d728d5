/* NEON kernels for aarch64, where NEON is the baseline: 4 x 32-bit lanes. */
#include "kernels.h"

#if defined(__aarch64__) || defined(_M_ARM64)

#include <arm_neon.h>

#define SIMD_NAME "neon"
#define SIMD_FN(name) name##_neon
#define W32 4
#define W64 2

typedef uint32x4_t vu32;
typedef float32x4_t vf32;
typedef uint32x4_t vm32;
typedef uint64x2_t vu64;
typedef float64x2_t vf64;
typedef uint64x2_t vm64;

#define u32_load(p) vld1q_u32((const uint32_t *)(p))
#define u32_set1(v) vdupq_n_u32((uint32_t)(v))
static inline vu32 u32_iota(void)
{
    static const uint32_t iota[4] = {0, 1, 2, 3};
    return vld1q_u32(iota);
}
#define u32_add(a, b) vaddq_u32(a, b)              /* a + b mod 2^32 */
#define u32_xor(a, b) veorq_u32(a, b)
#define u32_and(a, b) vandq_u32(a, b)
#define u32_or(a, b) vorrq_u32(a, b)
#define u32_srli(a, n) vshrq_n_u32(a, n)           /* a >> n */
#define u32_srai(a, n) vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_u32(a), n)) /* (int32)a >> n */

/* (hi, lo) = a * m as 64-bit products */
static inline void u32_mulhilo(vu32 a, uint32_t m, vu32 *hi, vu32 *lo)
{
    uint64x2_t low_pair = vmull_n_u32(vget_low_u32(a), m);     /* lanes 0, 1: a*m */
    uint64x2_t high_pair = vmull_high_n_u32(a, m);              /* lanes 2, 3: a*m */
    *lo = vuzp1q_u32(vreinterpretq_u32_u64(low_pair), vreinterpretq_u32_u64(high_pair)); /* (uint32)(a*m) */
    *hi = vuzp2q_u32(vreinterpretq_u32_u64(low_pair), vreinterpretq_u32_u64(high_pair)); /* (a*m) >> 32 */
}

/* out[4*b + i] = c_i[b]: a 4x4 transpose */
static inline void u32_store_blocks(uint32_t *out, vu32 c0, vu32 c1, vu32 c2, vu32 c3)
{
    uint64x2_t t0 = vreinterpretq_u64_u32(vzip1q_u32(c0, c1)), t1 = vreinterpretq_u64_u32(vzip1q_u32(c2, c3));
    uint64x2_t t2 = vreinterpretq_u64_u32(vzip2q_u32(c0, c1)), t3 = vreinterpretq_u64_u32(vzip2q_u32(c2, c3));
    vst1q_u32(out + 0, vreinterpretq_u32_u64(vzip1q_u64(t0, t1)));
    vst1q_u32(out + 4, vreinterpretq_u32_u64(vzip2q_u64(t0, t1)));
    vst1q_u32(out + 8, vreinterpretq_u32_u64(vzip1q_u64(t2, t3)));
    vst1q_u32(out + 12, vreinterpretq_u32_u64(vzip2q_u64(t2, t3)));
}

#define f32_set1(v) vdupq_n_f32(v)
#define f32_add(a, b) vaddq_f32(a, b)
#define f32_sub(a, b) vsubq_f32(a, b)
#define f32_mul(a, b) vmulq_f32(a, b)
#define f32_div(a, b) vdivq_f32(a, b)
#define f32_sqrt(a) vsqrtq_f32(a)
#define f32_from_i32(a) vcvtq_f32_s32(vreinterpretq_s32_u32(a))
#define f32_bits(a) vreinterpretq_u32_f32(a)
#define f32_from_bits(a) vreinterpretq_f32_u32(a)
/* vmaxq/vminq propagate NaN differently from the scalar ternaries: select */
#define f32_max(lo, x) vbslq_f32(vcltq_f32(x, lo), lo, x)   /* x < lo ? lo : x */
#define f32_min(hi, x) vbslq_f32(vcgtq_f32(x, hi), hi, x)   /* x > hi ? hi : x */
#define f32_le(a, b) vcleq_f32(a, b)
#define f32_lt(a, b) vcltq_f32(a, b)
#define f32_select(m, yes, no) vbslq_f32(m, yes, no)
#define f32_all(m) (vminvq_u32(m) == UINT32_MAX)
#define f32_or_mask(a, b) vorrq_u32(a, b)
#define f32_store(p, v) vst1q_f32(p, v)
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

#define f64_from_u32lo(a) vcvtq_f64_u64(vandq_u64(a, vdupq_n_u64(0xffffffffu)))  /* exact below 2^32 */
#define f64_from_i32hi(a) vcvtq_f64_s64(vshrq_n_s64(vreinterpretq_s64_u64(a), 32))
#define f64_set1(v) vdupq_n_f64(v)
#define f64_add(a, b) vaddq_f64(a, b)
#define f64_sub(a, b) vsubq_f64(a, b)
#define f64_mul(a, b) vmulq_f64(a, b)
#define f64_div(a, b) vdivq_f64(a, b)
#define f64_sqrt(a) vsqrtq_f64(a)
#define f64_bits(a) vreinterpretq_u64_f64(a)
#define f64_from_bits(a) vreinterpretq_f64_u64(a)
#define f64_max(lo, x) vbslq_f64(vcltq_f64(x, lo), lo, x)
#define f64_min(hi, x) vbslq_f64(vcgtq_f64(x, hi), hi, x)
#define f64_le(a, b) vcleq_f64(a, b)
#define f64_lt(a, b) vcltq_f64(a, b)
#define f64_select(m, yes, no) vbslq_f64(m, yes, no)
#define f64_all(m) ((vgetq_lane_u64(m, 0) & vgetq_lane_u64(m, 1)) == UINT64_MAX)
#define f64_or_mask(a, b) vorrq_u64(a, b)
#define f64_store(p, v) vst1q_f64(p, v)

#include "simd_kernels.h"

#else
typedef int xi_no_neon_on_this_architecture;
#endif
