/* The fill kernels written once over a small vector vocabulary, instantiated
 * by each SIMD variant (kernels_sse2.c, kernels_avx2.c, kernels_avx512.c,
 * kernels_neon.c). Every lane performs exactly the operations of the scalar
 * element functions in elements.h, in the same order, so that every variant
 * writes the same bits; tails that do not fill a vector use those scalar
 * functions themselves.
 *
 * The includer defines, before including this file:
 *   SIMD_NAME        the variant's name, a string ("avx2")
 *   SIMD_FN(name)    a function name with the variant's suffix
 *   W32, W64         lanes of 32 and 64 bits
 *   PHILOX_BLOCKS    blocks per philox_vector call, and
 *   philox_vector(stream, block, out): the 4 * PHILOX_BLOCKS words of the
 *                    blocks from block on, in memory order (the Philox core is
 *                    the one part each variant writes in its own way)
 *   the types vu32, vf32, vm32 (W32 lanes) and vu64, vf64, vm64 (W64 lanes)
 *   and the operations u32_*, f32_*, u64_*, f64_* used below, with these
 *   meanings: integer ops wrap modulo 2^32 (u32) or 2^64 (u64); f32_max(lo, x)
 *   is (x < lo ? lo : x) and f32_min(hi, x) is (x > hi ? hi : x) lane by lane;
 *   f32_fma(a, b, c) and f64_fma are one correctly rounded fused multiply-add
 *   a*b + c (the hardware instruction or src/soft_fma_sse2.h, never libm);
 *   f32_from_i32 converts signed lanes, f32_from_u32 and f64_from_u64 unsigned
 *   lanes (correctly rounded); f64_from_u32lo converts the low 32 bits of each
 *   64-bit lane as unsigned, f64_from_i32hi the high 32 bits as signed, and
 *   f64_from_srai64(a, n) the lane's arithmetic shift (int64)a >> n for n >= 32
 *   whose result fits an int32 (all exact); *_select(m, yes, no); *_all(m) is
 *   nonzero if every lane of m is set (the tail branches test it: a branch for
 *   the whole vector, which changes no value); f32_stream and
 *   f64_stream store to SIMD_VECTOR_BYTES-aligned memory without reading it
 *   (a plain store where the variant has no such thing) and stream_fence()
 *   orders them before the kernel returns. */
#include "elements.h"
#include "kernels.h"
#include "philox.h"

#include <string.h>

/* Elements per pass: the words of a pass are staged in L1, then converted. */
#define SIMD_STAGE_ELEMENTS 512
/* Enough blocks for 2 words per element, a start lane, and rounding up to
 * whole vectors of blocks. */
#define SIMD_STAGE_BLOCKS (SIMD_STAGE_ELEMENTS / 2 + 1 + PHILOX_BLOCKS)

#define TWO_POW_22 4194304.0

/* nblocks (a multiple of PHILOX_BLOCKS) Philox blocks from block on, in memory order. */
static void SIMD_FN(philox_blocks)(const xi_stream *st, uint64_t block, size_t nblocks, uint32_t *out)
{
    for (; nblocks > 0; nblocks -= PHILOX_BLOCKS, block += PHILOX_BLOCKS, out += 4 * PHILOX_BLOCKS)
        philox_vector(st, block, out);
}

/* Stage the n words from pos on; returns a pointer to the first. */
static const uint32_t *SIMD_FN(stage_words)(const xi_stream *st, xi_position pos, size_t n,
                                            uint32_t *stage)
{
    uint64_t block = (pos.lo >> 2) | ((uint64_t)pos.hi << 62);
    unsigned lane = (unsigned)(pos.lo & 3u);
    size_t nblocks = (lane + n + 3) / 4;
    nblocks = (nblocks + PHILOX_BLOCKS - 1) / PHILOX_BLOCKS * PHILOX_BLOCKS;
    SIMD_FN(philox_blocks)(st, block, nblocks, stage);
    return stage + lane;
}

/* ---- float32 working format (float16, bfloat16, float32 outputs) ---- */

typedef struct {
    vf32 mid, half, lo, hi, mean, std, cdf_lo, cdf_width, mirror, z_lo, z_hi;
} SIMD_FN(coeffs32);

static void SIMD_FN(broadcast32)(SIMD_FN(coeffs32) *v, const xi_coeffs_f32 *c)
{
    v->mid = f32_set1(c->mid);
    v->half = f32_set1(c->half);
    v->lo = f32_set1(c->lo);
    v->hi = f32_set1(c->hi);
    v->mean = f32_set1(c->mean);
    v->std = f32_set1(c->std);
    v->cdf_lo = f32_set1(c->cdf_lo);
    v->cdf_width = f32_set1(c->cdf_width);
    v->mirror = f32_set1(c->mirror);
    v->z_lo = f32_set1(c->z_lo);
    v->z_hi = f32_set1(c->z_hi);
}

static inline vf32 SIMD_FN(clamp32)(vf32 x, vf32 lo, vf32 hi)
{
    return f32_min(hi, f32_max(lo, x));
}

/* -x: flip the sign bit, as C's unary minus does */
static inline vf32 SIMD_FN(negate32)(vf32 x)
{
    return f32_from_bits(u32_xor(f32_bits(x), u32_set1(0x80000000u)));
}

/* xi_symmetric_unit_f32: ((int32)x >> 7 | 1) * 2^-24 */
static inline vf32 SIMD_FN(symmetric_unit32)(vu32 x)
{
    vu32 odd = u32_or(u32_srai(x, 7), u32_set1(1));
    return f32_mul(f32_from_i32(odd), f32_set1(XI_TWO_POW_M24F));
}

/* xi_open_unit_f32 */
static inline vf32 SIMD_FN(open_unit32)(vu32 x)
{
    vf32 high = f32_mul(f32_from_i32(u32_srli(x, 16)), f32_set1(XI_TWO_POW_M16F));
    vf32 low = f32_mul(f32_add(f32_from_i32(u32_and(x, u32_set1(0xffffu))), f32_set1(0.5f)),
                       f32_set1(XI_TWO_POW_M32F));
    return f32_add(high, low);
}

/* xi_horner_f32 */
static inline vf32 SIMD_FN(horner32)(const float *c, int degree, vf32 v)
{
    vf32 b = f32_set1(c[degree]);
    int j;
    for (j = degree - 1; j >= 0; j--)
        b = f32_fma(b, v, f32_set1(c[j]));
    return b;
}

/* xi_log_f32 */
static inline vf32 SIMD_FN(log32)(vf32 y)
{
    vu32 d = u32_sub(f32_bits(y), u32_set1(XI_LOG_PIVOT_F32));
    vf32 k = f32_from_i32(u32_srai(d, 23));
    vf32 f = f32_from_bits(u32_add(u32_set1(XI_LOG_PIVOT_F32), u32_and(d, u32_set1(XI_LOG_FRACTION_F32))));
    vf32 t = f32_sub(f, f32_set1(1.0f));
    vf32 r = SIMD_FN(horner32)(xi_log_coeffs_f32, XI_LOG_DEGREE_F32, t);
    vf32 l = f32_fma(f32_mul(t, t), r, t);
    return f32_fma(k, f32_set1(XI_LN2_F32), l);
}

/* xi_quantile_f32. The tail branches run only for vectors with a lane that
 * needs them: with 16 lanes, 98.5% of normal vectors are central. */
static inline vf32 SIMD_FN(quantile32)(vf32 q, vf32 x_prime)
{
    vf32 y = f32_fma(SIMD_FN(negate32)(q), q, f32_add(q, q));
    vf32 w = SIMD_FN(negate32)(SIMD_FN(log32)(y));
    vf32 p = SIMD_FN(horner32)(xi_central_coeffs_f32, XI_CENTRAL_DEGREE_F32, w);
    vm32 central = f32_lt(w, f32_set1(XI_CENTRAL_BOUND_F32));
    if (!f32_all(central)) {
        vf32 root = f32_sqrt(w);
        vm32 tail = f32_lt(w, f32_set1(XI_TAIL_BOUND_F32));
        vf32 tail_p = SIMD_FN(horner32)(xi_tail_coeffs_f32, XI_TAIL_DEGREE_F32,
                                        f32_sub(root, f32_set1(XI_TAIL_CENTRE_F32)));
        if (!f32_all(tail))
            tail_p = f32_select(tail, tail_p,
                                SIMD_FN(horner32)(xi_far_coeffs_f32, XI_FAR_DEGREE_F32,
                                                  f32_sub(root, f32_set1(XI_FAR_CENTRE_F32))));
        p = f32_select(central, p, tail_p);
    }
    return f32_mul(x_prime, p);
}

/* (x >> 31) ? -v : v, the sign taken from the word */
static inline vf32 SIMD_FN(negate_where_sign32)(vf32 v, vu32 sign_source)
{
    return f32_from_bits(u32_xor(f32_bits(v), u32_and(sign_source, u32_set1(0x80000000u))));
}

static inline vf32 SIMD_FN(uniform32)(vu32 x, const SIMD_FN(coeffs32) *c)
{
    return SIMD_FN(clamp32)(f32_add(c->mid, f32_mul(c->half, SIMD_FN(symmetric_unit32)(x))), c->lo, c->hi);
}

/* xi_elem_normal_f32 */
static inline vf32 SIMD_FN(normal32)(vu32 x, const SIMD_FN(coeffs32) *c)
{
    vu32 a = u32_or(u32_slli(x, 1), u32_set1(1));
    vf32 q = f32_mul(f32_from_u32(a), f32_set1(XI_TWO_POW_M32F));
    vf32 x_prime = f32_mul(f32_from_u32(u32_sub(u32_set1(0), a)), f32_set1(XI_TWO_POW_M32F));
    vf32 v = SIMD_FN(quantile32)(q, x_prime);
    return f32_add(c->mean, f32_mul(c->std, SIMD_FN(negate_where_sign32)(v, x)));
}

/* xi_elem_trunc_normal_f32 */
static inline vf32 SIMD_FN(trunc_normal32)(vu32 x, const SIMD_FN(coeffs32) *c)
{
    vf32 u = f32_add(c->cdf_lo, f32_mul(c->cdf_width, SIMD_FN(open_unit32)(x)));
    vm32 lower = f32_lt(u, f32_set1(0.5f));
    vf32 p = f32_max(f32_set1(TRUNC_PMIN_F32), f32_select(lower, u, f32_sub(f32_set1(1.0f), u)));
    vf32 q = f32_add(p, p);
    vf32 v = SIMD_FN(quantile32)(q, f32_sub(f32_set1(1.0f), q));
    vf32 z = f32_select(lower, SIMD_FN(negate32)(v), v);
    z = SIMD_FN(clamp32)(f32_mul(c->mirror, z), c->z_lo, c->z_hi);
    return SIMD_FN(clamp32)(f32_add(c->mean, f32_mul(c->std, z)), c->lo, c->hi);
}

#define SIMD_STORE_F32(dst, v) f32_store((float *)(dst), v)
#define SIMD_STORE_F16(dst, v) f32_store_f16((uint16_t *)(dst), v)
#define SIMD_STORE_BF16(dst, v) f32_store_bf16((uint16_t *)(dst), v)
#define SCALAR_STORE_F32(v) (v)
#define SCALAR_STORE_F16(v) xi_f32_to_f16_bits(v)
#define SCALAR_STORE_BF16(v) xi_f32_to_bf16_bits(v)

#define DEFINE_SIMD_KERNEL32(name, out_type, vector_element, scalar_element, vstore, sstore)  \
    static void SIMD_FN(name)(const xi_stream *st, xi_position pos, size_t n, void *out_v,   \
                              const xi_params *prm)                                         \
    {                                                                                       \
        out_type *out = (out_type *)out_v;                                                  \
        uint32_t stage[4 * SIMD_STAGE_BLOCKS];                                              \
        SIMD_FN(coeffs32) c;                                                                \
        SIMD_FN(broadcast32)(&c, &prm->f32);                                                \
        while (n > 0) {                                                                     \
            size_t m = n < SIMD_STAGE_ELEMENTS ? n : SIMD_STAGE_ELEMENTS, i = 0;            \
            const uint32_t *words = SIMD_FN(stage_words)(st, pos, m, stage);                \
            for (; i + W32 <= m; i += W32)                                                  \
                vstore(out + i, SIMD_FN(vector_element)(u32_load(words + i), &c));         \
            for (; i < m; i++)                                                              \
                out[i] = sstore(scalar_element(words[i], &prm->f32));                       \
            out += m;                                                                       \
            n -= m;                                                                         \
            xi_position_add(&pos, m);                                                       \
        }                                                                                   \
    }

DEFINE_SIMD_KERNEL32(uniform_f16, uint16_t, uniform32, xi_elem_uniform_f32, SIMD_STORE_F16, SCALAR_STORE_F16)
DEFINE_SIMD_KERNEL32(uniform_bf16, uint16_t, uniform32, xi_elem_uniform_f32, SIMD_STORE_BF16, SCALAR_STORE_BF16)

/* Fills of at least this many bytes, far beyond a last-level cache, write
 * whole vectors with non-temporal stores: the lines are not read before
 * being overwritten and do not evict the cache. */
#define SIMD_STREAM_MIN_BYTES ((size_t)64 << 20)

/* Elements before out is aligned for streaming stores. */
static size_t SIMD_FN(peel)(const void *out, size_t itemsize)
{
    return ((SIMD_VECTOR_BYTES - (uintptr_t)out % SIMD_VECTOR_BYTES) % SIMD_VECTOR_BYTES) / itemsize;
}

static void SIMD_FN(uniform_f32_run)(const xi_stream *st, xi_position pos, size_t n, float *out,
                                     const xi_params *prm, int streaming)
{
    uint32_t stage[4 * SIMD_STAGE_BLOCKS];
    SIMD_FN(coeffs32) c;
    SIMD_FN(broadcast32)(&c, &prm->f32);
    while (n > 0) {
        size_t m = n < SIMD_STAGE_ELEMENTS ? n : SIMD_STAGE_ELEMENTS, i = 0;
        const uint32_t *words = SIMD_FN(stage_words)(st, pos, m, stage);
        if (streaming)
            for (; i + W32 <= m; i += W32)
                f32_stream(out + i, SIMD_FN(uniform32)(u32_load(words + i), &c));
        else
            for (; i + W32 <= m; i += W32)
                f32_store(out + i, SIMD_FN(uniform32)(u32_load(words + i), &c));
        for (; i < m; i++)
            out[i] = xi_elem_uniform_f32(words[i], &prm->f32);
        out += m;
        n -= m;
        xi_position_add(&pos, m);
    }
}

static void SIMD_FN(uniform_f32)(const xi_stream *st, xi_position pos, size_t n, void *out_v,
                                 const xi_params *prm)
{
    float *out = (float *)out_v;
    size_t peel;
    if (n * sizeof *out < SIMD_STREAM_MIN_BYTES) {
        SIMD_FN(uniform_f32_run)(st, pos, n, out, prm, 0);
        return;
    }
    peel = SIMD_FN(peel)(out, sizeof *out);
    SIMD_FN(uniform_f32_run)(st, pos, peel, out, prm, 0);
    xi_position_add(&pos, peel);
    SIMD_FN(uniform_f32_run)(st, pos, n - peel, out + peel, prm, 1);
    stream_fence();
}

DEFINE_SIMD_KERNEL32(normal_f32, float, normal32, xi_elem_normal_f32, SIMD_STORE_F32, SCALAR_STORE_F32)
DEFINE_SIMD_KERNEL32(normal_f16, uint16_t, normal32, xi_elem_normal_f32, SIMD_STORE_F16, SCALAR_STORE_F16)
DEFINE_SIMD_KERNEL32(normal_bf16, uint16_t, normal32, xi_elem_normal_f32, SIMD_STORE_BF16, SCALAR_STORE_BF16)
DEFINE_SIMD_KERNEL32(trunc_normal_f32, float, trunc_normal32, xi_elem_trunc_normal_f32, SIMD_STORE_F32,
                     SCALAR_STORE_F32)
DEFINE_SIMD_KERNEL32(trunc_normal_f16, uint16_t, trunc_normal32, xi_elem_trunc_normal_f32, SIMD_STORE_F16,
                     SCALAR_STORE_F16)
DEFINE_SIMD_KERNEL32(trunc_normal_bf16, uint16_t, trunc_normal32, xi_elem_trunc_normal_f32,
                     SIMD_STORE_BF16, SCALAR_STORE_BF16)

/* ---- float64 working format ---- */

typedef struct {
    vf64 mid, half, lo, hi, mean, std, cdf_lo, cdf_width, mirror, z_lo, z_hi;
} SIMD_FN(coeffs64);

static void SIMD_FN(broadcast64)(SIMD_FN(coeffs64) *v, const xi_coeffs_f64 *c)
{
    v->mid = f64_set1(c->mid);
    v->half = f64_set1(c->half);
    v->lo = f64_set1(c->lo);
    v->hi = f64_set1(c->hi);
    v->mean = f64_set1(c->mean);
    v->std = f64_set1(c->std);
    v->cdf_lo = f64_set1(c->cdf_lo);
    v->cdf_width = f64_set1(c->cdf_width);
    v->mirror = f64_set1(c->mirror);
    v->z_lo = f64_set1(c->z_lo);
    v->z_hi = f64_set1(c->z_hi);
}

static inline vf64 SIMD_FN(clamp64)(vf64 x, vf64 lo, vf64 hi)
{
    return f64_min(hi, f64_max(lo, x));
}

static inline vf64 SIMD_FN(negate64)(vf64 x)
{
    return f64_from_bits(u64_xor(f64_bits(x), u64_set1(UINT64_C(0x8000000000000000))));
}

/* xi_symmetric_unit_f64: m = (int64)x >> 10 | 1 = hi*2^22 + ((lo >> 10) | 1),
 * hi the signed upper word and lo the unsigned lower word: both parts and
 * their sum (|m| < 2^53) are exact. */
static inline vf64 SIMD_FN(symmetric_unit64)(vu64 x)
{
    vf64 high = f64_mul(f64_from_i32hi(x), f64_set1(TWO_POW_22));
    vu64 low_bits = u64_or(u64_srli(u64_and(x, u64_set1(0xffffffffu)), 10), u64_set1(1));
    return f64_mul(f64_add(high, f64_from_u32lo(low_bits)), f64_set1(XI_TWO_POW_M53));
}

/* xi_open_unit_f64 */
static inline vf64 SIMD_FN(open_unit64)(vu64 x)
{
    vf64 high = f64_mul(f64_from_u32lo(u64_srli(x, 32)), f64_set1(XI_TWO_POW_M32));
    vf64 low = f64_mul(f64_add(f64_from_u32lo(x), f64_set1(0.5)), f64_set1(XI_TWO_POW_M64));
    return f64_add(high, low);
}

/* xi_horner_f64 */
static inline vf64 SIMD_FN(horner64)(const double *c, int degree, vf64 v)
{
    vf64 b = f64_set1(c[degree]);
    int j;
    for (j = degree - 1; j >= 0; j--)
        b = f64_fma(b, v, f64_set1(c[j]));
    return b;
}

/* xi_log_f64 */
static inline vf64 SIMD_FN(log64)(vf64 y)
{
    vu64 d = u64_sub(f64_bits(y), u64_set1(XI_LOG_PIVOT_F64));
    vf64 k = f64_from_srai64(d, 52);
    vf64 f = f64_from_bits(u64_add(u64_set1(XI_LOG_PIVOT_F64), u64_and(d, u64_set1(XI_LOG_FRACTION_F64))));
    vf64 t = f64_sub(f, f64_set1(1.0));
    vf64 r = SIMD_FN(horner64)(xi_log_coeffs_f64, XI_LOG_DEGREE_F64, t);
    vf64 l = f64_fma(f64_mul(t, t), r, t);
    return f64_fma(k, f64_set1(XI_LN2_HI_F64), f64_fma(k, f64_set1(XI_LN2_LO_F64), l));
}

/* xi_quantile_f64: each tail branch only for vectors with a lane in it */
static inline vf64 SIMD_FN(quantile64)(vf64 q, vf64 x_prime)
{
    vf64 y = f64_fma(SIMD_FN(negate64)(q), q, f64_add(q, q));
    vf64 w = SIMD_FN(negate64)(SIMD_FN(log64)(y));
    vf64 p = SIMD_FN(horner64)(xi_central_coeffs_f64, XI_CENTRAL_DEGREE_F64, w);
    vm64 central = f64_lt(w, f64_set1(XI_CENTRAL_BOUND_F64));
    if (!f64_all(central)) {
        vf64 root = f64_sqrt(w);
        vm64 tail = f64_lt(w, f64_set1(XI_TAIL_BOUND_F64));
        vf64 tail_p = SIMD_FN(horner64)(xi_tail_coeffs_f64, XI_TAIL_DEGREE_F64,
                                        f64_sub(root, f64_set1(XI_TAIL_CENTRE_F64)));
        if (!f64_all(tail)) {
            vm64 deep = f64_lt(w, f64_set1(XI_DEEP_BOUND_F64));
            vf64 deep_p = SIMD_FN(horner64)(xi_deep_coeffs_f64, XI_DEEP_DEGREE_F64,
                                            f64_sub(root, f64_set1(XI_DEEP_CENTRE_F64)));
            if (!f64_all(deep))
                deep_p = f64_select(deep, deep_p,
                                    SIMD_FN(horner64)(xi_far_coeffs_f64, XI_FAR_DEGREE_F64,
                                                      f64_sub(root, f64_set1(XI_FAR_CENTRE_F64))));
            tail_p = f64_select(tail, tail_p, deep_p);
        }
        p = f64_select(central, p, tail_p);
    }
    return f64_mul(x_prime, p);
}

static inline vf64 SIMD_FN(uniform64)(vu64 x, const SIMD_FN(coeffs64) *c)
{
    return SIMD_FN(clamp64)(f64_add(c->mid, f64_mul(c->half, SIMD_FN(symmetric_unit64)(x))), c->lo, c->hi);
}

/* xi_elem_normal_f64 */
static inline vf64 SIMD_FN(normal64)(vu64 x, const SIMD_FN(coeffs64) *c)
{
    vu64 a = u64_or(u64_slli(x, 1), u64_set1(1));
    vf64 q = f64_mul(f64_from_u64(a), f64_set1(XI_TWO_POW_M64));
    vf64 x_prime = f64_mul(f64_from_u64(u64_sub(u64_set1(0), a)), f64_set1(XI_TWO_POW_M64));
    vf64 v = SIMD_FN(quantile64)(q, x_prime);
    vu64 sign = u64_and(x, u64_set1(UINT64_C(0x8000000000000000)));
    return f64_add(c->mean, f64_mul(c->std, f64_from_bits(u64_xor(f64_bits(v), sign))));
}

/* xi_elem_trunc_normal_f64 */
static inline vf64 SIMD_FN(trunc_normal64)(vu64 x, const SIMD_FN(coeffs64) *c)
{
    vf64 u = f64_add(c->cdf_lo, f64_mul(c->cdf_width, SIMD_FN(open_unit64)(x)));
    vm64 lower = f64_lt(u, f64_set1(0.5));
    vf64 p = f64_max(f64_set1(TRUNC_PMIN_F64), f64_select(lower, u, f64_sub(f64_set1(1.0), u)));
    vf64 q = f64_add(p, p);
    vf64 v = SIMD_FN(quantile64)(q, f64_sub(f64_set1(1.0), q));
    vf64 z = f64_select(lower, SIMD_FN(negate64)(v), v);
    z = SIMD_FN(clamp64)(f64_mul(c->mirror, z), c->z_lo, c->z_hi);
    return SIMD_FN(clamp64)(f64_add(c->mean, f64_mul(c->std, z)), c->lo, c->hi);
}

/* Two words per element, low first: on a little-endian machine the staged
 * words read as uint64 lanes are exactly xi_join_words(lo, hi). */
#define DEFINE_SIMD_KERNEL64(name, vector_element, scalar_element)                          \
    static void SIMD_FN(name)(const xi_stream *st, xi_position pos, size_t n, void *out_v,   \
                              const xi_params *prm)                                         \
    {                                                                                       \
        double *out = (double *)out_v;                                                      \
        uint32_t stage[4 * SIMD_STAGE_BLOCKS];                                              \
        SIMD_FN(coeffs64) c;                                                                \
        SIMD_FN(broadcast64)(&c, &prm->f64);                                                \
        while (n > 0) {                                                                     \
            size_t m = n < SIMD_STAGE_ELEMENTS ? n : SIMD_STAGE_ELEMENTS, i = 0;            \
            const uint32_t *words = SIMD_FN(stage_words)(st, pos, 2 * m, stage);            \
            for (; i + W64 <= m; i += W64)                                                  \
                f64_store(out + i, SIMD_FN(vector_element)(u64_load(words + 2 * i), &c));  \
            for (; i < m; i++)                                                              \
                out[i] = scalar_element(xi_join_words(words[2 * i], words[2 * i + 1]), &prm->f64); \
            out += m;                                                                       \
            n -= m;                                                                         \
            xi_position_add(&pos, 2 * (uint64_t)m);                                         \
        }                                                                                   \
    }

DEFINE_SIMD_KERNEL64(normal_f64, normal64, xi_elem_normal_f64)
DEFINE_SIMD_KERNEL64(trunc_normal_f64, trunc_normal64, xi_elem_trunc_normal_f64)

static void SIMD_FN(uniform_f64_run)(const xi_stream *st, xi_position pos, size_t n, double *out,
                                     const xi_params *prm, int streaming)
{
    uint32_t stage[4 * SIMD_STAGE_BLOCKS];
    SIMD_FN(coeffs64) c;
    SIMD_FN(broadcast64)(&c, &prm->f64);
    while (n > 0) {
        size_t m = n < SIMD_STAGE_ELEMENTS ? n : SIMD_STAGE_ELEMENTS, i = 0;
        const uint32_t *words = SIMD_FN(stage_words)(st, pos, 2 * m, stage);
        if (streaming)
            for (; i + W64 <= m; i += W64)
                f64_stream(out + i, SIMD_FN(uniform64)(u64_load(words + 2 * i), &c));
        else
            for (; i + W64 <= m; i += W64)
                f64_store(out + i, SIMD_FN(uniform64)(u64_load(words + 2 * i), &c));
        for (; i < m; i++)
            out[i] = xi_elem_uniform_f64(xi_join_words(words[2 * i], words[2 * i + 1]), &prm->f64);
        out += m;
        n -= m;
        xi_position_add(&pos, 2 * (uint64_t)m);
    }
}

static void SIMD_FN(uniform_f64)(const xi_stream *st, xi_position pos, size_t n, void *out_v,
                                 const xi_params *prm)
{
    double *out = (double *)out_v;
    size_t peel;
    if (n * sizeof *out < SIMD_STREAM_MIN_BYTES) {
        SIMD_FN(uniform_f64_run)(st, pos, n, out, prm, 0);
        return;
    }
    peel = SIMD_FN(peel)(out, sizeof *out);
    SIMD_FN(uniform_f64_run)(st, pos, peel, out, prm, 0);
    xi_position_add(&pos, 2 * (uint64_t)peel);
    SIMD_FN(uniform_f64_run)(st, pos, n - peel, out + peel, prm, 1);
    stream_fence();
}
/* Raw words: uint32 takes them as they are, uint64 two at a time (little-endian). */
static void SIMD_FN(bits)(const xi_stream *st, xi_position pos, size_t n_words, unsigned char *out)
{
    uint32_t stage[4 * SIMD_STAGE_BLOCKS];
    while (n_words > 0) {
        size_t m = n_words < SIMD_STAGE_ELEMENTS ? n_words : SIMD_STAGE_ELEMENTS;
        memcpy(out, SIMD_FN(stage_words)(st, pos, m, stage), m * sizeof(uint32_t));
        out += m * sizeof(uint32_t);
        n_words -= m;
        xi_position_add(&pos, m);
    }
}

static void SIMD_FN(bits_u32)(const xi_stream *st, xi_position pos, size_t n, void *out,
                              const xi_params *prm)
{
    (void)prm;
    SIMD_FN(bits)(st, pos, n, (unsigned char *)out);
}

static void SIMD_FN(bits_u64)(const xi_stream *st, xi_position pos, size_t n, void *out,
                              const xi_params *prm)
{
    (void)prm;
    SIMD_FN(bits)(st, pos, 2 * n, (unsigned char *)out);
}

const xi_kernel_table SIMD_FN(xi_kernels) = {
    SIMD_NAME,
    {
        {SIMD_FN(uniform_f16), SIMD_FN(uniform_bf16), SIMD_FN(uniform_f32), SIMD_FN(uniform_f64), 0, 0},
        {SIMD_FN(normal_f16), SIMD_FN(normal_bf16), SIMD_FN(normal_f32), SIMD_FN(normal_f64), 0, 0},
        {SIMD_FN(trunc_normal_f16), SIMD_FN(trunc_normal_bf16), SIMD_FN(trunc_normal_f32),
         SIMD_FN(trunc_normal_f64), 0, 0},
        {0, 0, 0, 0, SIMD_FN(bits_u32), SIMD_FN(bits_u64)},
    },
};
