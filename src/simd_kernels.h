/* The fill kernels written once over a small vector vocabulary, instantiated
 * by each SIMD variant (kernels_sse2.c, kernels_avx2.c, kernels_avx512.c,
 * kernels_neon.c). Every lane performs exactly the operations of the scalar
 * element functions in elements.h, in the same order, so that every variant
 * writes the same bits; the uniform kernels' tails that do not fill a vector
 * use those scalar functions themselves (simd_transform.h pads them instead).
 *
 * The includer defines, before including this file:
 *   SIMD_NAME        the variant's name, a string ("avx2")
 *   SIMD_FN(name)    a function name with the variant's suffix
 *   W32, W64         lanes of 32 and 64 bits
 *   PHILOX_BLOCKS    blocks per philox_vector call,
 *   SIMD_GROUP       vectors transformed together by simd_transform.h, and
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

static inline vf32 SIMD_FN(uniform32)(vu32 x, const SIMD_FN(coeffs32) *c)
{
    return SIMD_FN(clamp32)(f32_add(c->mid, f32_mul(c->half, SIMD_FN(symmetric_unit32)(x))), c->lo, c->hi);
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

static inline vf64 SIMD_FN(uniform64)(vu64 x, const SIMD_FN(coeffs64) *c)
{
    return SIMD_FN(clamp64)(f64_add(c->mid, f64_mul(c->half, SIMD_FN(symmetric_unit64)(x))), c->lo, c->hi);
}

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

/* normal and truncated normal */
#include "simd_transform.h"

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
