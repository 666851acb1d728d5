/* The normal and truncated normal kernels (docs/stream.md sections 5-8) over
 * the vector vocabulary of simd_kernels.h, which includes this file after its
 * float32 and float64 helpers. Every lane performs exactly the operations of
 * xi_elem_normal_* and xi_elem_trunc_normal_* (elements.h), in the same order;
 * those scalar functions are the definition, this file the fast way to the same bits.
 *
 * One vector's transform is a chain of some 20 (float32) or 45 (float64)
 * dependent fused multiply-adds: alone it is bound by their latency, not by
 * the machine's throughput. The kernels therefore transform SIMD_GROUP
 * vectors at a time with their operations interleaved (the includer sets
 * SIMD_GROUP for its register file). The tail branches of the inverse CDF
 * run one vector at a time, and only for vectors with a lane that needs them:
 * a branch for the whole vector, which changes no value.
 *
 * The sign of z is applied to x' before the product V = x' * P rather than
 * to V after it: rounding is symmetric, so (-x') * P = -(x' * P) bit for bit,
 * and the word or the mask that holds the sign need not stay live. */

/* k = 0 .. SIMD_GROUP - 1, unrolled */
#define EACH(k) XI_UNROLLED for (k = 0; k < SIMD_GROUP; k++)

/* ---- float32 working format (float16, bfloat16, float32 outputs) ---- */

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
    XI_UNROLLED
    for (j = degree - 1; j >= 0; j--)
        b = f32_fma(b, v, f32_set1(c[j]));
    return b;
}

/* xi_horner_f32 on each vector of a group */
static inline void SIMD_FN(horner32_group)(const float *c, int degree, const vf32 *v, vf32 *b)
{
    int j, k;
    EACH(k) b[k] = f32_set1(c[degree]);
    XI_UNROLLED
    for (j = degree - 1; j >= 0; j--)
        EACH(k) b[k] = f32_fma(b[k], v[k], f32_set1(c[j]));
}

/* w = -xi_log_f32(y) on each vector of a group */
static inline void SIMD_FN(minus_log32_group)(const vf32 *y, vf32 *w)
{
    vf32 exponent[SIMD_GROUP], t[SIMD_GROUP], r[SIMD_GROUP];
    int k;
    EACH(k) {
        vu32 d = u32_sub(f32_bits(y[k]), u32_set1(XI_LOG_PIVOT_F32));
        vf32 f = f32_from_bits(u32_add(u32_set1(XI_LOG_PIVOT_F32), u32_and(d, u32_set1(XI_LOG_FRACTION_F32))));
        exponent[k] = f32_from_i32(u32_srai(d, 23));
        t[k] = f32_sub(f, f32_set1(1.0f));
    }
    SIMD_FN(horner32_group)(xi_log_coeffs_f32, XI_LOG_DEGREE_F32, t, r);
    EACH(k) {
        vf32 l = f32_fma(f32_mul(t[k], t[k]), r[k], t[k]);
        w[k] = SIMD_FN(negate32)(f32_fma(exponent[k], f32_set1(XI_LN2_F32), l));
    }
}

/* P for a vector with a lane at w >= XI_CENTRAL_BOUND_F32, given its central P */
static inline vf32 SIMD_FN(tail_poly32)(vf32 w, vf32 central_p)
{
    vf32 root = f32_sqrt(w);
    vm32 tail = f32_lt(w, f32_set1(XI_TAIL_BOUND_F32));
    vf32 p = SIMD_FN(horner32)(xi_tail_coeffs_f32, XI_TAIL_DEGREE_F32, f32_sub(root, f32_set1(XI_TAIL_CENTRE_F32)));
    if (!f32_all(tail))
        p = f32_select(tail, p, SIMD_FN(horner32)(xi_far_coeffs_f32, XI_FAR_DEGREE_F32,
                                                  f32_sub(root, f32_set1(XI_FAR_CENTRE_F32))));
    return f32_select(f32_lt(w, f32_set1(XI_CENTRAL_BOUND_F32)), central_p, p);
}

/* xi_quantile_f32 on each vector of a group: v = V(q, x'), or -V(q, x') for
 * a lane whose x' carries a minus sign */
static inline void SIMD_FN(quantile32_group)(const vf32 *q, const vf32 *x_prime, vf32 *v)
{
    vf32 w[SIMD_GROUP], p[SIMD_GROUP];
    int k;
    EACH(k) v[k] = f32_fma(SIMD_FN(negate32)(q[k]), q[k], f32_add(q[k], q[k]));    /* y */
    SIMD_FN(minus_log32_group)(v, w);
    SIMD_FN(horner32_group)(xi_central_coeffs_f32, XI_CENTRAL_DEGREE_F32, w, p);
    EACH(k) {
        if (!f32_all(f32_lt(w[k], f32_set1(XI_CENTRAL_BOUND_F32))))
            p[k] = SIMD_FN(tail_poly32)(w[k], p[k]);
        v[k] = f32_mul(x_prime[k], p[k]);
    }
}

/* The words of count <= SIMD_GROUP vectors; the missing ones repeat the first. */
static inline void SIMD_FN(load_group32)(const uint32_t *words, size_t count, vu32 *x)
{
    int k;
    EACH(k) x[k] = u32_load(words + ((size_t)k < count ? (size_t)k : 0) * W32);
}

/* xi_elem_normal_f32 on count <= SIMD_GROUP vectors of words */
static inline void SIMD_FN(normal32_group)(const uint32_t *words, size_t count, vf32 *y,
                                           const SIMD_FN(coeffs32) *c)
{
    vu32 x[SIMD_GROUP];
    vf32 q[SIMD_GROUP], x_prime[SIMD_GROUP], z[SIMD_GROUP];
    int k;
    SIMD_FN(load_group32)(words, count, x);
    EACH(k) {
        vu32 a = u32_or(u32_slli(x[k], 1), u32_set1(1));
        vf32 unsigned_x_prime = f32_mul(f32_from_u32(u32_sub(u32_set1(0), a)), f32_set1(XI_TWO_POW_M32F));
        q[k] = f32_mul(f32_from_u32(a), f32_set1(XI_TWO_POW_M32F));
        x_prime[k] = f32_from_bits(u32_xor(f32_bits(unsigned_x_prime), u32_and(x[k], u32_set1(0x80000000u))));
    }
    SIMD_FN(quantile32_group)(q, x_prime, z);
    EACH(k) y[k] = f32_add(c->mean, f32_mul(c->std, z[k]));
}

/* xi_elem_trunc_normal_f32 on count <= SIMD_GROUP vectors of words */
static inline void SIMD_FN(trunc_normal32_group)(const uint32_t *words, size_t count, vf32 *y,
                                                 const SIMD_FN(coeffs32) *c)
{
    vu32 x[SIMD_GROUP];
    vf32 q[SIMD_GROUP], x_prime[SIMD_GROUP], z[SIMD_GROUP];
    int k;
    SIMD_FN(load_group32)(words, count, x);
    EACH(k) {
        vf32 u = f32_add(c->cdf_lo, f32_mul(c->cdf_width, SIMD_FN(open_unit32)(x[k])));
        vm32 lower = f32_lt(u, f32_set1(0.5f));
        vf32 p = f32_max(f32_set1(TRUNC_PMIN_F32), f32_select(lower, u, f32_sub(f32_set1(1.0f), u)));
        vf32 unsigned_x_prime;
        q[k] = f32_add(p, p);
        unsigned_x_prime = f32_sub(f32_set1(1.0f), q[k]);
        x_prime[k] = f32_select(lower, SIMD_FN(negate32)(unsigned_x_prime), unsigned_x_prime);
    }
    SIMD_FN(quantile32_group)(q, x_prime, z);
    EACH(k) {
        vf32 clamped = SIMD_FN(clamp32)(f32_mul(c->mirror, z[k]), c->z_lo, c->z_hi);
        y[k] = SIMD_FN(clamp32)(f32_add(c->mean, f32_mul(c->std, clamped)), c->lo, c->hi);
    }
}

/* The last m - i < W32 elements of a pass go through one vector too, from a
 * copy of their words padded with zero words (no lane reads an undefined
 * word), and only their lanes are stored: with the software fma the scalar
 * element functions would cost some 200 ns per element. */
#define DEFINE_TRANSFORM_KERNEL32(name, out_type, group_element, vstore)                             \
    static void SIMD_FN(name)(const xi_stream *st, xi_position pos, size_t n, void *out_v,           \
                              const xi_params *prm)                                                 \
    {                                                                                               \
        out_type *out = (out_type *)out_v;                                                          \
        uint32_t stage[4 * SIMD_STAGE_BLOCKS];                                                      \
        SIMD_FN(coeffs32) c;                                                                        \
        SIMD_FN(broadcast32)(&c, &prm->f32);                                                        \
        while (n > 0) {                                                                             \
            size_t m = n < SIMD_STAGE_ELEMENTS ? n : SIMD_STAGE_ELEMENTS, i, k;                     \
            const uint32_t *words = SIMD_FN(stage_words)(st, pos, m, stage);                        \
            vf32 y[SIMD_GROUP];                                                                     \
            for (i = 0; i + W32 <= m; i += SIMD_GROUP * W32) {                                      \
                size_t count = (m - i) / W32 < SIMD_GROUP ? (m - i) / W32 : SIMD_GROUP;             \
                SIMD_FN(group_element)(words + i, count, y, &c);                                    \
                EACH(k) if (k < count) /* unrolled: a loop here may become a memcpy */              \
                    vstore(out + i + k * W32, y[k]);                                                \
            }                                                                                       \
            i = m / W32 * W32;                                                                      \
            if (i < m) {                                                                            \
                uint32_t last_words[W32] = {0};                                                     \
                out_type last[W32];                                                                 \
                memcpy(last_words, words + i, (m - i) * sizeof *words);                             \
                SIMD_FN(group_element)(last_words, 1, y, &c);                                       \
                vstore(last, y[0]);                                                                 \
                memcpy(out + i, last, (m - i) * sizeof *out);                                       \
            }                                                                                       \
            out += m;                                                                               \
            n -= m;                                                                                 \
            xi_position_add(&pos, m);                                                               \
        }                                                                                           \
    }

DEFINE_TRANSFORM_KERNEL32(normal_f32, float, normal32_group, SIMD_STORE_F32)
DEFINE_TRANSFORM_KERNEL32(normal_f16, uint16_t, normal32_group, SIMD_STORE_F16)
DEFINE_TRANSFORM_KERNEL32(normal_bf16, uint16_t, normal32_group, SIMD_STORE_BF16)
DEFINE_TRANSFORM_KERNEL32(trunc_normal_f32, float, trunc_normal32_group, SIMD_STORE_F32)
DEFINE_TRANSFORM_KERNEL32(trunc_normal_f16, uint16_t, trunc_normal32_group, SIMD_STORE_F16)
DEFINE_TRANSFORM_KERNEL32(trunc_normal_bf16, uint16_t, trunc_normal32_group, SIMD_STORE_BF16)

/* ---- float64 working format ---- */

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
    XI_UNROLLED
    for (j = degree - 1; j >= 0; j--)
        b = f64_fma(b, v, f64_set1(c[j]));
    return b;
}

/* xi_horner_f64 on each vector of a group */
static inline void SIMD_FN(horner64_group)(const double *c, int degree, const vf64 *v, vf64 *b)
{
    int j, k;
    EACH(k) b[k] = f64_set1(c[degree]);
    XI_UNROLLED
    for (j = degree - 1; j >= 0; j--)
        EACH(k) b[k] = f64_fma(b[k], v[k], f64_set1(c[j]));
}

/* w = -xi_log_f64(y) on each vector of a group */
static inline void SIMD_FN(minus_log64_group)(const vf64 *y, vf64 *w)
{
    vf64 exponent[SIMD_GROUP], t[SIMD_GROUP], r[SIMD_GROUP];
    int k;
    EACH(k) {
        vu64 d = u64_sub(f64_bits(y[k]), u64_set1(XI_LOG_PIVOT_F64));
        vf64 f = f64_from_bits(u64_add(u64_set1(XI_LOG_PIVOT_F64), u64_and(d, u64_set1(XI_LOG_FRACTION_F64))));
        exponent[k] = f64_from_srai64(d, 52);
        t[k] = f64_sub(f, f64_set1(1.0));
    }
    SIMD_FN(horner64_group)(xi_log_coeffs_f64, XI_LOG_DEGREE_F64, t, r);
    EACH(k) {
        vf64 l = f64_fma(f64_mul(t[k], t[k]), r[k], t[k]);
        l = f64_fma(exponent[k], f64_set1(XI_LN2_HI_F64), f64_fma(exponent[k], f64_set1(XI_LN2_LO_F64), l));
        w[k] = SIMD_FN(negate64)(l);
    }
}

/* P for a vector with a lane at w >= XI_DEEP_BOUND_F64 (truncated normals only) */
static inline vf64 SIMD_FN(far_poly64)(vf64 w, vf64 root)
{
    vm64 far = f64_lt(w, f64_set1(XI_FAR_BOUND_F64));
    vf64 p = SIMD_FN(horner64)(xi_far_coeffs_f64, XI_FAR_DEGREE_F64, f64_sub(root, f64_set1(XI_FAR_CENTRE_F64)));
    if (!f64_all(far)) {
        vm64 farther = f64_lt(w, f64_set1(XI_FARTHER_BOUND_F64));
        vf64 farther_p = SIMD_FN(horner64)(xi_farther_coeffs_f64, XI_FAR_DEGREE_F64,
                                           f64_sub(root, f64_set1(XI_FARTHER_CENTRE_F64)));
        if (!f64_all(farther))
            farther_p = f64_select(farther, farther_p,
                                   SIMD_FN(horner64)(xi_farthest_coeffs_f64, XI_FAR_DEGREE_F64,
                                                     f64_sub(root, f64_set1(XI_FARTHEST_CENTRE_F64))));
        p = f64_select(far, p, farther_p);
    }
    return p;
}

/* P for a vector with a lane at w >= XI_CENTRAL_BOUND_F64, given its central P */
static inline vf64 SIMD_FN(tail_poly64)(vf64 w, vf64 central_p)
{
    vf64 root = f64_sqrt(w);
    vm64 tail = f64_lt(w, f64_set1(XI_TAIL_BOUND_F64));
    vf64 p = SIMD_FN(horner64)(xi_tail_coeffs_f64, XI_TAIL_DEGREE_F64, f64_sub(root, f64_set1(XI_TAIL_CENTRE_F64)));
    if (!f64_all(tail)) {
        vm64 deep = f64_lt(w, f64_set1(XI_DEEP_BOUND_F64));
        vf64 deep_p = SIMD_FN(horner64)(xi_deep_coeffs_f64, XI_DEEP_DEGREE_F64,
                                        f64_sub(root, f64_set1(XI_DEEP_CENTRE_F64)));
        if (!f64_all(deep))
            deep_p = f64_select(deep, deep_p, SIMD_FN(far_poly64)(w, root));
        p = f64_select(tail, p, deep_p);
    }
    return f64_select(f64_lt(w, f64_set1(XI_CENTRAL_BOUND_F64)), central_p, p);
}

/* xi_quantile_f64 on each vector of a group, x' signed as for quantile32_group */
static inline void SIMD_FN(quantile64_group)(const vf64 *q, const vf64 *x_prime, vf64 *v)
{
    vf64 w[SIMD_GROUP], p[SIMD_GROUP];
    int k;
    EACH(k) v[k] = f64_fma(SIMD_FN(negate64)(q[k]), q[k], f64_add(q[k], q[k]));    /* y */
    SIMD_FN(minus_log64_group)(v, w);
    SIMD_FN(horner64_group)(xi_central_coeffs_f64, XI_CENTRAL_DEGREE_F64, w, p);
    EACH(k) {
        if (!f64_all(f64_lt(w[k], f64_set1(XI_CENTRAL_BOUND_F64))))
            p[k] = SIMD_FN(tail_poly64)(w[k], p[k]);
        v[k] = f64_mul(x_prime[k], p[k]);
    }
}

/* The words of count <= SIMD_GROUP vectors of elements (two words each, low
 * first: on a little-endian machine the staged words read as uint64 lanes are
 * exactly xi_join_words(lo, hi)); the missing vectors repeat the first. */
static inline void SIMD_FN(load_group64)(const uint32_t *words, size_t count, vu64 *x)
{
    int k;
    EACH(k) x[k] = u64_load(words + ((size_t)k < count ? (size_t)k : 0) * 2 * W64);
}

/* xi_elem_normal_f64 on count <= SIMD_GROUP vectors of elements */
static inline void SIMD_FN(normal64_group)(const uint32_t *words, size_t count, vf64 *y,
                                           const SIMD_FN(coeffs64) *c)
{
    vu64 x[SIMD_GROUP];
    vf64 q[SIMD_GROUP], x_prime[SIMD_GROUP], z[SIMD_GROUP];
    int k;
    SIMD_FN(load_group64)(words, count, x);
    EACH(k) {
        vu64 a = u64_or(u64_slli(x[k], 1), u64_set1(1));
        vf64 unsigned_x_prime = f64_mul(f64_from_u64(u64_sub(u64_set1(0), a)), f64_set1(XI_TWO_POW_M64));
        vu64 sign = u64_and(x[k], u64_set1(UINT64_C(0x8000000000000000)));
        q[k] = f64_mul(f64_from_u64(a), f64_set1(XI_TWO_POW_M64));
        x_prime[k] = f64_from_bits(u64_xor(f64_bits(unsigned_x_prime), sign));
    }
    SIMD_FN(quantile64_group)(q, x_prime, z);
    EACH(k) y[k] = f64_add(c->mean, f64_mul(c->std, z[k]));
}

/* xi_elem_trunc_normal_f64 on count <= SIMD_GROUP vectors of elements */
static inline void SIMD_FN(trunc_normal64_group)(const uint32_t *words, size_t count, vf64 *y,
                                                 const SIMD_FN(coeffs64) *c)
{
    vu64 x[SIMD_GROUP];
    vf64 q[SIMD_GROUP], x_prime[SIMD_GROUP], z[SIMD_GROUP];
    int k;
    SIMD_FN(load_group64)(words, count, x);
    EACH(k) {
        vf64 u = f64_add(c->cdf_lo, f64_mul(c->cdf_width, SIMD_FN(open_unit64)(x[k])));
        vm64 lower = f64_lt(u, f64_set1(0.5));
        vf64 p = f64_max(f64_set1(TRUNC_PMIN_F64), f64_select(lower, u, f64_sub(f64_set1(1.0), u)));
        vf64 unsigned_x_prime;
        q[k] = f64_add(p, p);
        unsigned_x_prime = f64_sub(f64_set1(1.0), q[k]);
        x_prime[k] = f64_select(lower, SIMD_FN(negate64)(unsigned_x_prime), unsigned_x_prime);
    }
    SIMD_FN(quantile64_group)(q, x_prime, z);
    EACH(k) {
        vf64 clamped = SIMD_FN(clamp64)(f64_mul(c->mirror, z[k]), c->z_lo, c->z_hi);
        y[k] = SIMD_FN(clamp64)(f64_add(c->mean, f64_mul(c->std, clamped)), c->lo, c->hi);
    }
}

/* As DEFINE_TRANSFORM_KERNEL32, two words per element. */
#define DEFINE_TRANSFORM_KERNEL64(name, group_element)                                              \
    static void SIMD_FN(name)(const xi_stream *st, xi_position pos, size_t n, void *out_v,           \
                              const xi_params *prm)                                                 \
    {                                                                                               \
        double *out = (double *)out_v;                                                              \
        uint32_t stage[4 * SIMD_STAGE_BLOCKS];                                                      \
        SIMD_FN(coeffs64) c;                                                                        \
        SIMD_FN(broadcast64)(&c, &prm->f64);                                                        \
        while (n > 0) {                                                                             \
            size_t m = n < SIMD_STAGE_ELEMENTS ? n : SIMD_STAGE_ELEMENTS, i, k;                     \
            const uint32_t *words = SIMD_FN(stage_words)(st, pos, 2 * m, stage);                    \
            vf64 y[SIMD_GROUP];                                                                     \
            for (i = 0; i + W64 <= m; i += SIMD_GROUP * W64) {                                      \
                size_t count = (m - i) / W64 < SIMD_GROUP ? (m - i) / W64 : SIMD_GROUP;             \
                SIMD_FN(group_element)(words + 2 * i, count, y, &c);                                \
                EACH(k) if (k < count)                                                              \
                    f64_store(out + i + k * W64, y[k]);                                             \
            }                                                                                       \
            i = m / W64 * W64;                                                                      \
            if (i < m) {                                                                            \
                uint32_t last_words[2 * W64] = {0};                                                 \
                double last[W64];                                                                   \
                memcpy(last_words, words + 2 * i, 2 * (m - i) * sizeof *words);                    \
                SIMD_FN(group_element)(last_words, 1, y, &c);                                       \
                f64_store(last, y[0]);                                                              \
                memcpy(out + i, last, (m - i) * sizeof *out);                                       \
            }                                                                                       \
            out += m;                                                                               \
            n -= m;                                                                                 \
            xi_position_add(&pos, 2 * (uint64_t)m);                                                 \
        }                                                                                           \
    }

DEFINE_TRANSFORM_KERNEL64(normal_f64, normal64_group)
DEFINE_TRANSFORM_KERNEL64(trunc_normal_f64, trunc_normal64_group)

#undef EACH
