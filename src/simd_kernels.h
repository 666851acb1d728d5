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
 *   PHILOX_BLOCKS    blocks per philox_words call, and
 *   philox_words(stream, block, words): the 4 * PHILOX_BLOCKS words of the
 *                    blocks from block on, in registers: words[v] holds words
 *                    v * W32 .. v * W32 + W32 - 1 (the Philox core is the one
 *                    part each variant writes in its own way)
 *   the types vu32, vf32, vm32 (W32 lanes) and vu64, vf64, vm64 (W64 lanes)
 *   and the operations u32_*, f32_*, u64_*, f64_* used below, with these
 *   meanings: integer ops wrap modulo 2^32; f32_max(lo, x) is
 *   (x < lo ? lo : x) and f32_min(hi, x) is (x > hi ? hi : x) lane by lane;
 *   f32_from_i32 converts signed lanes; f64_from_u32lo converts the low 32
 *   bits of each 64-bit lane as unsigned (exact); *_select(m, yes, no);
 *   *_all(m) is nonzero if every lane of m is set; u64_from_u32 reads the
 *   words of a vector as 64-bit lanes (low word first); u64_sign(a) is all
 *   ones where (int64)a < 0, else zero; u32_stream, f32_stream and
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

/* 2^7 * m for xi_symmetric_unit_f32's m = (int32)x >> 7 | 1: x with its low
 * 7 bits replaced by 1000 0000b is 2^7 * m as an int32, and |m| < 2^24 makes
 * its conversion exact. */
static inline vf32 SIMD_FN(symmetric_odd32)(vu32 x)
{
    return f32_from_i32(u32_or(u32_and(x, u32_set1(0xffffff80u)), u32_set1(0x80u)));
}

/* xi_tail_prob_f32 (j = x & 0x7fffffff) and xi_open_unit_f32 (j = x) */
static inline vf32 SIMD_FN(dyadic32)(vu32 j)
{
    vf32 high = f32_mul(f32_from_i32(u32_srli(j, 16)), f32_set1(XI_TWO_POW_M16F));
    vf32 low = f32_mul(f32_add(f32_from_i32(u32_and(j, u32_set1(0xffffu))), f32_set1(0.5f)),
                       f32_set1(XI_TWO_POW_M32F));
    return f32_add(high, low);
}

/* xi_log_f32 */
static inline vf32 SIMD_FN(log32)(vf32 x)
{
    vu32 bits = f32_bits(x);
    vf32 exponent = f32_from_i32(u32_add(u32_srli(bits, 23), u32_set1((uint32_t)-127)));
    vf32 f = f32_from_bits(u32_or(u32_and(bits, u32_set1(0x7fffffu)), u32_set1(0x3f800000u)));
    vm32 big = f32_lt(f32_set1((float)XI_SQRT2), f);
    vf32 t, s, z, series;
    f = f32_select(big, f32_mul(f, f32_set1(0.5f)), f);
    exponent = f32_select(big, f32_add(exponent, f32_set1(1.0f)), exponent);
    t = f32_sub(f, f32_set1(1.0f));
    s = f32_div(t, f32_add(f32_set1(2.0f), t));
    z = f32_mul(s, s);
    series = f32_set1((float)(2.0 / 11.0));
    series = f32_add(f32_mul(series, z), f32_set1((float)(2.0 / 9.0)));
    series = f32_add(f32_mul(series, z), f32_set1((float)(2.0 / 7.0)));
    series = f32_add(f32_mul(series, z), f32_set1((float)(2.0 / 5.0)));
    series = f32_add(f32_mul(series, z), f32_set1((float)(2.0 / 3.0)));
    series = f32_add(f32_mul(series, z), f32_set1(2.0f));
    return f32_add(f32_mul(exponent, f32_set1((float)XI_LN2)), f32_mul(s, series));
}

#define HORNER32_3(r, c3, c2, c1, c0)                                                     \
    f32_add(f32_mul(f32_add(f32_mul(f32_add(f32_mul(f32_set1((float)(c3)), r),            \
                                            f32_set1((float)(c2))), r),                   \
                            f32_set1((float)(c1))), r), f32_set1((float)(c0)))
#define HORNER32_2(r, c2, c1, c0)                                                         \
    f32_add(f32_mul(f32_add(f32_mul(f32_set1((float)(c2)), r), f32_set1((float)(c1))), r),  \
            f32_set1((float)(c0)))

/* xi_ndtri_upper_f32: both branches where lanes need them, one division */
static inline vf32 SIMD_FN(ndtri_upper32)(vf32 p)
{
    vf32 q = f32_sub(f32_set1(0.5f), p);
    vm32 central = f32_le(q, f32_set1((float)AS241_SPLIT1));
    vf32 r = f32_sub(f32_set1((float)AS241_CONST1), f32_mul(q, q));
    vf32 num = f32_mul(q, HORNER32_3(r, PPND7_A3, PPND7_A2, PPND7_A1, PPND7_A0));
    vf32 den = HORNER32_3(r, PPND7_B3, PPND7_B2, PPND7_B1, 1.0);
    if (!f32_all(central)) {
        vf32 rt = f32_sqrt(SIMD_FN(negate32)(SIMD_FN(log32)(p)));
        vm32 near = f32_le(rt, f32_set1((float)AS241_SPLIT2));
        vf32 rn = f32_sub(rt, f32_set1((float)AS241_CONST2));
        vf32 tail_num = HORNER32_3(rn, PPND7_C3, PPND7_C2, PPND7_C1, PPND7_C0);
        vf32 tail_den = HORNER32_2(rn, PPND7_D2, PPND7_D1, 1.0);
        if (!f32_all(f32_or_mask(near, central))) {
            vf32 rf = f32_sub(rt, f32_set1((float)AS241_SPLIT2));
            tail_num = f32_select(near, tail_num, HORNER32_3(rf, PPND7_E3, PPND7_E2, PPND7_E1, PPND7_E0));
            tail_den = f32_select(near, tail_den, HORNER32_2(rf, PPND7_F2, PPND7_F1, 1.0));
        }
        num = f32_select(central, num, tail_num);
        den = f32_select(central, den, tail_den);
    }
    return f32_div(num, den);
}

static inline vf32 SIMD_FN(negate_where_sign32)(vf32 v, vu32 sign_source)
{
    return f32_from_bits(u32_xor(f32_bits(v), u32_and(sign_source, u32_set1(0x80000000u))));
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

static inline vf32 SIMD_FN(normal32)(vu32 x, const SIMD_FN(coeffs32) *c)
{
    vf32 v = SIMD_FN(ndtri_upper32)(SIMD_FN(dyadic32)(u32_and(x, u32_set1(0x7fffffffu))));
    return f32_add(c->mean, f32_mul(c->std, SIMD_FN(negate_where_sign32)(v, x)));
}

static inline vf32 SIMD_FN(trunc_normal32)(vu32 x, const SIMD_FN(coeffs32) *c)
{
    vf32 u = f32_add(c->cdf_lo, f32_mul(c->cdf_width, SIMD_FN(dyadic32)(x)));
    vm32 lower = f32_lt(u, f32_set1(0.5f));
    vf32 pmin = f32_set1(TRUNC_PMIN_F32);
    vf32 p = f32_select(lower, f32_max(pmin, u), f32_max(pmin, f32_sub(f32_set1(1.0f), u)));
    vf32 v = SIMD_FN(ndtri_upper32)(p);
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

/* xi_tail_prob_f64 (j = x & (2^63 - 1)) and xi_open_unit_f64 (j = x) */
static inline vf64 SIMD_FN(dyadic64)(vu64 j)
{
    vf64 high = f64_mul(f64_from_u32lo(u64_srli(j, 32)), f64_set1(XI_TWO_POW_M32));
    vf64 low = f64_mul(f64_add(f64_from_u32lo(j), f64_set1(0.5)), f64_set1(XI_TWO_POW_M64));
    return f64_add(high, low);
}

/* xi_log_f64 */
static inline vf64 SIMD_FN(log64)(vf64 x)
{
    vu64 bits = f64_bits(x);
    vf64 exponent = f64_sub(f64_from_u32lo(u64_srli(bits, 52)), f64_set1(1023.0));
    vf64 f = f64_from_bits(u64_or(u64_and(bits, u64_set1(UINT64_C(0xfffffffffffff))),
                                  u64_set1(UINT64_C(0x3ff0000000000000))));
    vm64 big = f64_lt(f64_set1(XI_SQRT2), f);
    vf64 t, s, z, series;
    f = f64_select(big, f64_mul(f, f64_set1(0.5)), f);
    exponent = f64_select(big, f64_add(exponent, f64_set1(1.0)), exponent);
    t = f64_sub(f, f64_set1(1.0));
    s = f64_div(t, f64_add(f64_set1(2.0), t));
    z = f64_mul(s, s);
    series = f64_set1(2.0 / 21.0);
    series = f64_add(f64_mul(series, z), f64_set1(2.0 / 19.0));
    series = f64_add(f64_mul(series, z), f64_set1(2.0 / 17.0));
    series = f64_add(f64_mul(series, z), f64_set1(2.0 / 15.0));
    series = f64_add(f64_mul(series, z), f64_set1(2.0 / 13.0));
    series = f64_add(f64_mul(series, z), f64_set1(2.0 / 11.0));
    series = f64_add(f64_mul(series, z), f64_set1(2.0 / 9.0));
    series = f64_add(f64_mul(series, z), f64_set1(2.0 / 7.0));
    series = f64_add(f64_mul(series, z), f64_set1(2.0 / 5.0));
    series = f64_add(f64_mul(series, z), f64_set1(2.0 / 3.0));
    series = f64_add(f64_mul(series, z), f64_set1(2.0));
    return f64_add(f64_mul(exponent, f64_set1(XI_LN2)), f64_mul(s, series));
}

/* xi_horner7 */
static inline vf64 SIMD_FN(horner7)(const double c[8], vf64 r)
{
    vf64 acc = f64_set1(c[7]);
    int i;
    for (i = 6; i >= 0; i--)
        acc = f64_add(f64_mul(acc, r), f64_set1(c[i]));
    return acc;
}

/* xi_ndtri_upper_f64 */
static inline vf64 SIMD_FN(ndtri_upper64)(vf64 p)
{
    vf64 q = f64_sub(f64_set1(0.5), p);
    vm64 central = f64_le(q, f64_set1(AS241_SPLIT1));
    vf64 r = f64_sub(f64_set1(AS241_CONST1), f64_mul(q, q));
    vf64 num = f64_mul(q, SIMD_FN(horner7)(xi_ppnd16_a, r));
    vf64 den = SIMD_FN(horner7)(xi_ppnd16_b, r);
    if (!f64_all(central)) {
        vf64 rt = f64_sqrt(SIMD_FN(negate64)(SIMD_FN(log64)(p)));
        vm64 near = f64_le(rt, f64_set1(AS241_SPLIT2));
        vf64 rn = f64_sub(rt, f64_set1(AS241_CONST2));
        vf64 tail_num = SIMD_FN(horner7)(xi_ppnd16_c, rn);
        vf64 tail_den = SIMD_FN(horner7)(xi_ppnd16_d, rn);
        if (!f64_all(f64_or_mask(near, central))) {
            vf64 rf = f64_sub(rt, f64_set1(AS241_SPLIT2));
            tail_num = f64_select(near, tail_num, SIMD_FN(horner7)(xi_ppnd16_e, rf));
            tail_den = f64_select(near, tail_den, SIMD_FN(horner7)(xi_ppnd16_f, rf));
        }
        num = f64_select(central, num, tail_num);
        den = f64_select(central, den, tail_den);
    }
    return f64_div(num, den);
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

static inline vf64 SIMD_FN(normal64)(vu64 x, const SIMD_FN(coeffs64) *c)
{
    vu64 sign = u64_and(x, u64_set1(UINT64_C(0x8000000000000000)));
    vf64 v = SIMD_FN(ndtri_upper64)(SIMD_FN(dyadic64)(u64_xor(x, sign)));
    vf64 z = f64_from_bits(u64_xor(f64_bits(v), sign));
    return f64_add(c->mean, f64_mul(c->std, z));
}

static inline vf64 SIMD_FN(trunc_normal64)(vu64 x, const SIMD_FN(coeffs64) *c)
{
    vf64 u = f64_add(c->cdf_lo, f64_mul(c->cdf_width, SIMD_FN(dyadic64)(x)));
    vm64 lower = f64_lt(u, f64_set1(0.5));
    vf64 pmin = f64_set1(TRUNC_PMIN_F64);
    vf64 p = f64_select(lower, f64_max(pmin, u), f64_max(pmin, f64_sub(f64_set1(1.0), u)));
    vf64 v = SIMD_FN(ndtri_upper64)(p);
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
