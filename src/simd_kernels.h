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
 *   PHILOX_BLOCKS    blocks per philox_words call,
 *   SIMD_GROUP       vectors transformed together by simd_transform.h, and
 *   philox_words(stream, block, words): the 4 * PHILOX_BLOCKS words of the
 *                    blocks from block on, in registers: words[v] holds words
 *                    v * W32 .. v * W32 + W32 - 1 (the Philox core is the one
 *                    part each variant writes in its own way)
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
 *   the whole vector, which changes no value); u64_from_u32 reads the words of
 *   a vector as 64-bit lanes (low word first); u64_sign(a) is all ones where
 *   (int64)a < 0, else zero; u32_stream, f32_stream and
 *   f64_stream store to SIMD_VECTOR_BYTES-aligned memory without reading it
 *   (a plain store where the variant has no such thing) and stream_fence()
 *   orders them before the kernel returns. */
#include "elements.h"
#include "kernels.h"
#include "philox.h"

/* Words per philox_words call, and the vectors that hold them. */
#define PHILOX_WORDS (4 * PHILOX_BLOCKS)
#define PHILOX_VECTORS (PHILOX_WORDS / W32)

/* Elements per pass of the staged path: the words of a pass are staged in
 * L1, then converted; about 512, in whole philox_words calls. */
#define SIMD_STAGE_ELEMENTS ((512 + PHILOX_WORDS - 1) / PHILOX_WORDS * PHILOX_WORDS)
/* Enough blocks for 2 words per element, a start lane, and rounding up to
 * whole vectors of blocks. */
#define SIMD_STAGE_BLOCKS (SIMD_STAGE_ELEMENTS / 2 + 1 + PHILOX_BLOCKS)

/* The block that holds word pos. */
static inline uint64_t SIMD_FN(block_of)(xi_position pos)
{
    return (pos.lo >> 2) | ((uint64_t)pos.hi << 62);
}

/* nblocks (a multiple of PHILOX_BLOCKS) Philox blocks from block on, in memory order. */
static void SIMD_FN(philox_blocks)(const xi_stream *st, uint64_t block, size_t nblocks, uint32_t *out)
{
    for (; nblocks > 0; nblocks -= PHILOX_BLOCKS, block += PHILOX_BLOCKS, out += PHILOX_WORDS) {
        vu32 words[PHILOX_VECTORS];
        int v;
        philox_words(st, block, words);
        for (v = 0; v < PHILOX_VECTORS; v++)
            u32_store(out + v * W32, words[v]);
    }
}

/* Stage the n words from pos on; returns a pointer to the first. */
static const uint32_t *SIMD_FN(stage_words)(const xi_stream *st, xi_position pos, size_t n,
                                            uint32_t *stage)
{
    uint64_t block = SIMD_FN(block_of)(pos);
    unsigned lane = (unsigned)(pos.lo & 3u);
    size_t nblocks = (lane + n + 3) / 4;
    nblocks = (nblocks + PHILOX_BLOCKS - 1) / PHILOX_BLOCKS * PHILOX_BLOCKS;
    SIMD_FN(philox_blocks)(st, block, nblocks, stage);
    return stage + lane;
}

/* ---- float32 working format (float16, bfloat16, float32 outputs) ---- */

typedef struct {
    vf32 lo, hi, mean, std, cdf_lo, cdf_width, mirror, z_lo, z_hi;
} SIMD_FN(coeffs32);

static void SIMD_FN(broadcast32)(SIMD_FN(coeffs32) *v, const xi_coeffs_f32 *c)
{
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

/* 2^7 * m for xi_symmetric_unit_f32's m = (int32)x >> 7 | 1: x with its low
 * 7 bits replaced by 1000 0000b is 2^7 * m as an int32, and |m| < 2^24 makes
 * its conversion exact. */
static inline vf32 SIMD_FN(symmetric_odd32)(vu32 x)
{
    return f32_from_i32(u32_or(u32_and(x, u32_set1(0xffffff80u)), u32_set1(0x80u)));
}

/* How a uniform fill computes xi_elem_uniform_f32(x) = clamp(mid + half * v):
 * half * v = half * m * 2^-24 rounded once, which is scale * (2^7 * m)
 * rounded once for scale = half * 2^-31 wherever that scale is exact. Then
 * the sum and the clamp are left out where they change no bit. */
enum {
    UNIFORM_SCALED,      /* scale * 2^7 m: mid is zero and no product is */
    UNIFORM_SHIFTED,     /* mid + scale * 2^7 m: the clamp never binds */
    UNIFORM_CLAMPED,     /* clamp(mid + scale * 2^7 m) */
    UNIFORM_ELEMENTWISE  /* the scale is not exact: the scalar kernel */
};

#define TWO_POW_31F 2147483648.0f
#define TWO_POW_53 9007199254740992.0

/* Rounding is monotone, so every element lies between those of the extreme
 * words 0x7fff... and 0x8000... (v = +-(1 - 2^-24)); if both lie in
 * [lo, hi] the clamp never binds. A zero mid adds nothing to a nonzero
 * product (it would turn -0 into +0), and with an exact nonzero scale no
 * product is zero. Non-finite parameters take the scalar kernel. */
static int SIMD_FN(uniform32_form)(const xi_coeffs_f32 *c)
{
    float scale = c->half / TWO_POW_31F;
    float top = c->mid + c->half * xi_symmetric_unit_f32(0x7fffffffu);
    float bottom = c->mid + c->half * xi_symmetric_unit_f32(0x80000000u);
    if (c->mid - c->mid != 0.0f || c->half - c->half != 0.0f || c->lo - c->lo != 0.0f ||
        c->hi - c->hi != 0.0f || scale * TWO_POW_31F != c->half)
        return UNIFORM_ELEMENTWISE;
    if (!(c->lo <= top && top <= c->hi && c->lo <= bottom && bottom <= c->hi))
        return UNIFORM_CLAMPED;
    return c->mid == 0.0f && scale != 0.0f ? UNIFORM_SCALED : UNIFORM_SHIFTED;
}

typedef struct {
    vf32 scale, mid, lo, hi;
    const xi_coeffs_f32 *c;
} SIMD_FN(uniform32_plan);

static void SIMD_FN(plan_uniform32)(SIMD_FN(uniform32_plan) *p, const xi_params *prm)
{
    p->scale = f32_set1(prm->f32.half / TWO_POW_31F);
    p->mid = f32_set1(prm->f32.mid);
    p->lo = f32_set1(prm->f32.lo);
    p->hi = f32_set1(prm->f32.hi);
    p->c = &prm->f32;
}

static inline vf32 SIMD_FN(uniform32)(vu32 x, const SIMD_FN(uniform32_plan) *p, int form)
{
    vf32 v = f32_mul(SIMD_FN(symmetric_odd32)(x), p->scale);
    if (form != UNIFORM_SCALED)
        v = f32_add(p->mid, v);
    if (form == UNIFORM_CLAMPED)
        v = SIMD_FN(clamp32)(v, p->lo, p->hi);
    return v;
}

#define SIMD_STORE_F32(dst, v) f32_store((float *)(dst), v)
#define SIMD_STORE_F16(dst, v) f32_store_f16((uint16_t *)(dst), v)
#define SIMD_STORE_BF16(dst, v) f32_store_bf16((uint16_t *)(dst), v)
#define SCALAR_STORE_F32(v) (v)
#define SCALAR_STORE_F16(v) xi_f32_to_f16_bits(v)
#define SCALAR_STORE_BF16(v) xi_f32_to_bf16_bits(v)

/* Fills of at least this many bytes, far beyond a last-level cache, write
 * whole vectors with non-temporal stores: the lines are not read before
 * being overwritten and do not evict the cache. */
#define SIMD_STREAM_MIN_BYTES ((size_t)64 << 20)

/* Elements before out is aligned for streaming stores. */
static size_t SIMD_FN(peel)(const void *out, size_t itemsize)
{
    return ((SIMD_VECTOR_BYTES - (uintptr_t)out % SIMD_VECTOR_BYTES) % SIMD_VECTOR_BYTES) / itemsize;
}

/* A fill whose elements take w (1 or 2) consecutive words each, written
 * straight from the registers of philox_words wherever a run of whole calls
 * starts on a block boundary (and, when streaming, on an aligned address);
 * the elements before it and the short rest go through the stage. The
 * includer gives:
 *   context, prepare(&ctx, prm)          what the conversion needs
 *   vstore(out, x, &ctx, streaming)      the W32 / w elements of the word
 *                                        vector x, stored at out
 *   sstore(out, words, &ctx)             one element from its words
 *   streams                              whether huge fills stream (vstore
 *                                        then honours `streaming`) */
#define DEFINE_FILL(name, out_type, w, context, prepare, vstore, sstore, streams)              \
    static void SIMD_FN(name##_staged)(const xi_stream *st, xi_position pos, size_t n,         \
                                       out_type *out, const context *ctx, int streaming)       \
    {                                                                                          \
        uint32_t stage[4 * SIMD_STAGE_BLOCKS];                                                 \
        while (n > 0) {                                                                        \
            size_t m = n < SIMD_STAGE_ELEMENTS ? n : SIMD_STAGE_ELEMENTS, i = 0;               \
            const uint32_t *staged = SIMD_FN(stage_words)(st, pos, (w) * m, stage);            \
            for (; i + W32 / (w) <= m; i += W32 / (w))                                         \
                vstore(out + i, u32_load(staged + (w) * i), ctx, streaming);                   \
            for (; i < m; i++)                                                                 \
                sstore(out + i, staged + (w) * i, ctx);                                        \
            out += m;                                                                          \
            n -= m;                                                                            \
            xi_position_add(&pos, (w) * (uint64_t)m);                                          \
        }                                                                                      \
    }                                                                                          \
                                                                                               \
    static void SIMD_FN(name##_direct)(const xi_stream *st, uint64_t block, size_t calls,      \
                                       out_type *out, const context *ctx, int streaming)       \
    {                                                                                          \
        for (; calls > 0; calls--, block += PHILOX_BLOCKS, out += PHILOX_WORDS / (w)) {        \
            vu32 x[PHILOX_VECTORS];                                                            \
            int v;                                                                             \
            philox_words(st, block, x);                                                        \
            for (v = 0; v < PHILOX_VECTORS; v++)                                               \
                vstore(out + v * (W32 / (w)), x[v], ctx, streaming);                           \
        }                                                                                      \
    }                                                                                          \
                                                                                               \
    static void SIMD_FN(name)(const xi_stream *st, xi_position pos, size_t n, void *out_v,     \
                              const xi_params *prm)                                            \
    {                                                                                          \
        out_type *out = (out_type *)out_v;                                                     \
        int streaming = (streams) && n * sizeof *out >= SIMD_STREAM_MIN_BYTES;                 \
        size_t head = streaming ? SIMD_FN(peel)(out, sizeof *out) : 0, calls;                  \
        unsigned to_boundary;                                                                  \
        context ctx;                                                                           \
        prepare(&ctx, prm);                                                                    \
        head = head < n ? head : n;                                                            \
        SIMD_FN(name##_staged)(st, pos, head, out, &ctx, 0);                                   \
        xi_position_add(&pos, (w) * (uint64_t)head);                                           \
        out += head;                                                                           \
        n -= head;                                                                             \
        to_boundary = (unsigned)(0u - pos.lo) & 3u;          /* words before the next block */ \
        if (to_boundary % (w) != 0 || (streaming && to_boundary != 0)) {                       \
            SIMD_FN(name##_staged)(st, pos, n, out, &ctx, streaming);                          \
        } else {                                                                               \
            head = to_boundary / (w) < n ? to_boundary / (w) : n;                              \
            SIMD_FN(name##_staged)(st, pos, head, out, &ctx, 0);                               \
            xi_position_add(&pos, (w) * (uint64_t)head);                                       \
            out += head;                                                                       \
            n -= head;                                                                         \
            calls = n / (PHILOX_WORDS / (w));                                                  \
            SIMD_FN(name##_direct)(st, SIMD_FN(block_of)(pos), calls, out, &ctx, streaming);   \
            xi_position_add(&pos, (uint64_t)PHILOX_WORDS * calls);                             \
            out += calls * (PHILOX_WORDS / (w));                                               \
            SIMD_FN(name##_staged)(st, pos, n - calls * (PHILOX_WORDS / (w)), out, &ctx, 0);   \
        }                                                                                      \
        if (streaming)                                                                         \
            stream_fence();                                                                    \
    }

#define STORE_F32(out, v, streaming)                                                          \
    do {                                                                                      \
        if (streaming)                                                                        \
            f32_stream(out, v);                                                               \
        else                                                                                  \
            f32_store(out, v);                                                                \
    } while (0)

#define DEFINE_UNIFORM32(form_name, form)                                                                    \
    static inline void SIMD_FN(vstore_##form_name##_f32)(float *out, vu32 x,                                 \
                                                          const SIMD_FN(uniform32_plan) *p, int streaming)  \
    {                                                                                                        \
        STORE_F32(out, SIMD_FN(uniform32)(x, p, form), streaming);                                           \
    }                                                                                                        \
    static inline void SIMD_FN(vstore_##form_name##_f16)(uint16_t *out, vu32 x,                              \
                                                          const SIMD_FN(uniform32_plan) *p, int streaming)  \
    {                                                                                                        \
        (void)streaming;                                                                                     \
        f32_store_f16(out, SIMD_FN(uniform32)(x, p, form));                                                  \
    }                                                                                                        \
    static inline void SIMD_FN(vstore_##form_name##_bf16)(uint16_t *out, vu32 x,                             \
                                                           const SIMD_FN(uniform32_plan) *p, int streaming) \
    {                                                                                                        \
        (void)streaming;                                                                                     \
        f32_store_bf16(out, SIMD_FN(uniform32)(x, p, form));                                                 \
    }                                                                                                        \
    DEFINE_FILL(form_name##_f32, float, 1, SIMD_FN(uniform32_plan), SIMD_FN(plan_uniform32),                  \
                SIMD_FN(vstore_##form_name##_f32), SSTORE_UNIFORM_F32, 1)                                    \
    DEFINE_FILL(form_name##_f16, uint16_t, 1, SIMD_FN(uniform32_plan), SIMD_FN(plan_uniform32),               \
                SIMD_FN(vstore_##form_name##_f16), SSTORE_UNIFORM_F16, 0)                                    \
    DEFINE_FILL(form_name##_bf16, uint16_t, 1, SIMD_FN(uniform32_plan), SIMD_FN(plan_uniform32),              \
                SIMD_FN(vstore_##form_name##_bf16), SSTORE_UNIFORM_BF16, 0)

#define SSTORE_UNIFORM_F32(out, w, p) (*(out) = xi_elem_uniform_f32(*(w), (p)->c))
#define SSTORE_UNIFORM_F16(out, w, p) (*(out) = xi_f32_to_f16_bits(xi_elem_uniform_f32(*(w), (p)->c)))
#define SSTORE_UNIFORM_BF16(out, w, p) (*(out) = xi_f32_to_bf16_bits(xi_elem_uniform_f32(*(w), (p)->c)))

DEFINE_UNIFORM32(uniform_scaled, UNIFORM_SCALED)
DEFINE_UNIFORM32(uniform_shifted, UNIFORM_SHIFTED)
DEFINE_UNIFORM32(uniform_clamped, UNIFORM_CLAMPED)

/* The uniform kernel of one output type: the form its parameters allow. */
#define DEFINE_UNIFORM32_KERNEL(suffix)                                                         \
    static void SIMD_FN(uniform_##suffix)(const xi_stream *st, xi_position pos, size_t n,        \
                                          void *out, const xi_params *prm)                      \
    {                                                                                           \
        switch (SIMD_FN(uniform32_form)(&prm->f32)) {                                           \
        case UNIFORM_SCALED:                                                                    \
            SIMD_FN(uniform_scaled_##suffix)(st, pos, n, out, prm);                             \
            break;                                                                              \
        case UNIFORM_SHIFTED:                                                                   \
            SIMD_FN(uniform_shifted_##suffix)(st, pos, n, out, prm);                            \
            break;                                                                              \
        case UNIFORM_CLAMPED:                                                                   \
            SIMD_FN(uniform_clamped_##suffix)(st, pos, n, out, prm);                            \
            break;                                                                              \
        default:                                                                                \
            xi_kernels_scalar.kernels[XI_UNIFORM][prm->dtype](st, pos, n, out, prm);            \
        }                                                                                       \
    }

DEFINE_UNIFORM32_KERNEL(f32)
DEFINE_UNIFORM32_KERNEL(f16)
DEFINE_UNIFORM32_KERNEL(bf16)

typedef struct {
    vf64 lo, hi, mean, std, cdf_lo, cdf_width, mirror, z_lo, z_hi;
} SIMD_FN(coeffs64);

static void SIMD_FN(broadcast64)(SIMD_FN(coeffs64) *v, const xi_coeffs_f64 *c)
{
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

/* |m| for xi_symmetric_unit_f64's m = (int64)x >> 10 | 1 = 2k + 1, k =
 * (int64)x >> 11: with s the sign of x (all ones or zero), j = (x ^ s) >> 11
 * is k or ~k, below 2^52, and |m| = 2j + 1. The double with exponent 53 and
 * fraction j is 2^53 + 2j; subtracting 2^53 - 1 leaves |m| exactly. */
static inline vf64 SIMD_FN(odd_magnitude64)(vu64 x)
{
    vu64 j = u64_srli(u64_xor(x, u64_sign(x)), 11);
    vf64 biased = f64_from_bits(u64_or(j, u64_set1(UINT64_C(0x4340000000000000))));
    return f64_sub(biased, f64_set1(9007199254740991.0));
}

/* uniform32_form for xi_elem_uniform_f64: scale = half * 2^-53 times m */
static int SIMD_FN(uniform64_form)(const xi_coeffs_f64 *c)
{
    double scale = c->half / TWO_POW_53;
    double top = c->mid + c->half * xi_symmetric_unit_f64(UINT64_C(0x7fffffffffffffff));
    double bottom = c->mid + c->half * xi_symmetric_unit_f64(UINT64_C(0x8000000000000000));
    if (c->mid - c->mid != 0.0 || c->half - c->half != 0.0 || c->lo - c->lo != 0.0 ||
        c->hi - c->hi != 0.0 || scale * TWO_POW_53 != c->half)
        return UNIFORM_ELEMENTWISE;
    if (!(c->lo <= top && top <= c->hi && c->lo <= bottom && bottom <= c->hi))
        return UNIFORM_CLAMPED;
    return c->mid == 0.0 && scale != 0.0 ? UNIFORM_SCALED : UNIFORM_SHIFTED;
}

typedef struct {
    vf64 scale, mid, lo, hi;
    const xi_coeffs_f64 *c;
} SIMD_FN(uniform64_plan);

static void SIMD_FN(plan_uniform64)(SIMD_FN(uniform64_plan) *p, const xi_params *prm)
{
    p->scale = f64_set1(prm->f64.half / TWO_POW_53);
    p->mid = f64_set1(prm->f64.mid);
    p->lo = f64_set1(prm->f64.lo);
    p->hi = f64_set1(prm->f64.hi);
    p->c = &prm->f64;
}

static inline vf64 SIMD_FN(uniform64)(vu64 x, const SIMD_FN(uniform64_plan) *p, int form)
{
    /* scale * m rounds to minus scale * |m| rounded where m < 0 */
    vf64 v = f64_mul(SIMD_FN(odd_magnitude64)(x), p->scale);
    v = f64_from_bits(u64_xor(f64_bits(v), u64_and(x, u64_set1(UINT64_C(0x8000000000000000)))));
    if (form != UNIFORM_SCALED)
        v = f64_add(p->mid, v);
    if (form == UNIFORM_CLAMPED)
        v = SIMD_FN(clamp64)(v, p->lo, p->hi);
    return v;
}

#define STORE_F64(out, v, streaming)                                                          \
    do {                                                                                      \
        if (streaming)                                                                        \
            f64_stream(out, v);                                                               \
        else                                                                                  \
            f64_store(out, v);                                                                \
    } while (0)

/* Two words per element, low first: on a little-endian machine a vector of
 * words read as 64-bit lanes holds exactly xi_join_words(lo, hi). */
#define DEFINE_UNIFORM64(form_name, form)                                                                    \
    static inline void SIMD_FN(vstore_##form_name##_f64)(double *out, vu32 x,                                \
                                                          const SIMD_FN(uniform64_plan) *p, int streaming)  \
    {                                                                                                        \
        STORE_F64(out, SIMD_FN(uniform64)(u64_from_u32(x), p, form), streaming);                             \
    }                                                                                                        \
    DEFINE_FILL(form_name##_f64, double, 2, SIMD_FN(uniform64_plan), SIMD_FN(plan_uniform64),                 \
                SIMD_FN(vstore_##form_name##_f64), SSTORE_UNIFORM_F64, 1)

#define SSTORE_UNIFORM_F64(out, w, p) (*(out) = xi_elem_uniform_f64(xi_join_words((w)[0], (w)[1]), (p)->c))

DEFINE_UNIFORM64(uniform_scaled, UNIFORM_SCALED)
DEFINE_UNIFORM64(uniform_shifted, UNIFORM_SHIFTED)
DEFINE_UNIFORM64(uniform_clamped, UNIFORM_CLAMPED)

static void SIMD_FN(uniform_f64)(const xi_stream *st, xi_position pos, size_t n, void *out,
                                 const xi_params *prm)
{
    switch (SIMD_FN(uniform64_form)(&prm->f64)) {
    case UNIFORM_SCALED:
        SIMD_FN(uniform_scaled_f64)(st, pos, n, out, prm);
        break;
    case UNIFORM_SHIFTED:
        SIMD_FN(uniform_shifted_f64)(st, pos, n, out, prm);
        break;
    case UNIFORM_CLAMPED:
        SIMD_FN(uniform_clamped_f64)(st, pos, n, out, prm);
        break;
    default:
        xi_kernels_scalar.kernels[XI_UNIFORM][XI_FLOAT64](st, pos, n, out, prm);
    }
}

/* Raw words: uint32 takes them as they are, uint64 two at a time (little-endian). */
typedef struct {
    char unused;
} SIMD_FN(no_context);

static void SIMD_FN(no_preparation)(SIMD_FN(no_context) *ctx, const xi_params *prm)
{
    (void)ctx;
    (void)prm;
}

static inline void SIMD_FN(vstore_word)(uint32_t *out, vu32 x, const SIMD_FN(no_context) *ctx, int streaming)
{
    (void)ctx;
    if (streaming)
        u32_stream(out, x);
    else
        u32_store(out, x);
}

#define SSTORE_WORD(out, w, ctx) (*(out) = *(w))

DEFINE_FILL(raw_words, uint32_t, 1, SIMD_FN(no_context), SIMD_FN(no_preparation), SIMD_FN(vstore_word),
            SSTORE_WORD, 1)

static void SIMD_FN(bits_u32)(const xi_stream *st, xi_position pos, size_t n, void *out,
                              const xi_params *prm)
{
    SIMD_FN(raw_words)(st, pos, n, out, prm);
}

static void SIMD_FN(bits_u64)(const xi_stream *st, xi_position pos, size_t n, void *out,
                              const xi_params *prm)
{
    SIMD_FN(raw_words)(st, pos, 2 * n, out, prm);
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
