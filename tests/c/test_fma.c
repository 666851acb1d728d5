/* The software fma (src/soft_fma.h, src/soft_fma_sse2.h, src/fma.h) against the
 * CPU's fused multiply-add instruction (x86 FMA3 through a target("fma")
 * function, AArch64 natively), over random bit patterns and constructed hard
 * cases. tests/test_fma.py builds and runs it; the hard cases are also checked
 * against exact rational arithmetic there (--dump, --eval), independently of
 * the hardware.
 *
 *   test_fma [--precision f32|f64|both] [--count N] [--seed S] [--naive]
 *       compare N cases per precision; exit 1 on any difference, 77 when the
 *       CPU has no FMA instruction. --naive tests deliberately wrong
 *       emulations instead (binary32: f32(f64(a*b) + c); binary64: the fast
 *       path with the low part rounded to nearest), to show the cases catch
 *       them.
 *   test_fma --dump f32|f64 N S
 *       print N generated cases, one per line: category a b c scalar sse2
 *       (bit patterns in hex; sse2 repeats scalar where there is no SSE2).
 *   test_fma --eval f32|f64
 *       read lines "a b c" (hex bit patterns), print "scalar sse2" for each.
 *
 * Build: cc -std=c99 -O2 -ffp-contract=off -Isrc tests/c/test_fma.c (no -lm:
 * the builtins must become the instruction, never a libm call). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fma.h"
#include "soft_fma.h"

#if defined(__SSE2__) || defined(_M_X64)
#include "soft_fma_sse2.h"
#define HAVE_SSE2 1
#else
#define HAVE_SSE2 0
#endif

#if defined(__x86_64__) || defined(__i386__)
#define HW_FMA_TARGET __attribute__((target("fma")))
static int cpu_has_fma(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("fma");
}
#elif defined(__aarch64__)
#define HW_FMA_TARGET
static int cpu_has_fma(void) { return 1; }
#else
#define HW_FMA_TARGET
static int cpu_has_fma(void) { return 0; }
#endif

/* never inlined into the (non-FMA) callers: they stay one instruction */
HW_FMA_TARGET __attribute__((noinline)) static float hw_fma_f32(float a, float b, float c)
{
    return __builtin_fmaf(a, b, c);
}

HW_FMA_TARGET __attribute__((noinline)) static double hw_fma_f64(double a, double b, double c)
{
    return __builtin_fma(a, b, c);
}

/* ---------------- binary formats as integers ---------------- */

typedef struct {
    const char *name;
    int precision;          /* significand bits, hidden one included */
    int emax;               /* largest unbiased exponent */
    int width;              /* 32 or 64 */
} format;

static const format F32 = {"f32", 24, 127, 32};
static const format F64 = {"f64", 53, 1023, 64};

static int emin(const format *f) { return 1 - f->emax; }
static int emin_sub(const format *f) { return emin(f) - f->precision + 1; }   /* exponent of the smallest subnormal */
static int fraction_bits(const format *f) { return f->precision - 1; }
static uint64_t exponent_mask(const format *f) { return ((UINT64_C(1) << (f->width - f->precision)) - 1); }
static uint64_t sign_bit(const format *f) { return UINT64_C(1) << (f->width - 1); }
static uint64_t fraction_mask(const format *f) { return (UINT64_C(1) << fraction_bits(f)) - 1; }
static uint64_t inf_bits(const format *f) { return exponent_mask(f) << fraction_bits(f); }
static uint64_t max_bits(const format *f) { return inf_bits(f) - 1; }

static int top_bit(uint64_t x)
{
    int top = -1;
    while (x) {
        x >>= 1;
        top++;
    }
    return top;
}

/* bits of (-1)^negative * m * 2^e, or 0 with *ok = 0 if it is not a finite
 * number of the format */
static uint64_t encode(const format *f, int negative, uint64_t m, int e, int *ok)
{
    uint64_t sign = negative ? sign_bit(f) : 0;
    int top;
    *ok = 1;
    if (m == 0) return sign;
    while (!(m & 1)) {          /* canonical: odd m */
        m >>= 1;
        e++;
    }
    top = top_bit(m);
    if (top + e > f->emax || e < emin_sub(f) || top >= f->precision) {
        *ok = 0;
        return 0;
    }
    if (top + e >= emin(f)) {   /* normal: m's top bit at precision - 1 */
        int shift = fraction_bits(f) - top;
        uint64_t field = (uint64_t)(top + e + f->emax);
        return sign | field << fraction_bits(f) | ((m << shift) & fraction_mask(f));
    }
    return sign | m << (e - emin_sub(f));
}

/* ---------------- random numbers ---------------- */

static uint64_t rng_state;

static uint64_t next_random(void)
{
    /* splitmix64: Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014 */
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static int random_int(int lo, int hi) /* inclusive */
{
    return lo + (int)(next_random() % (uint64_t)(hi - lo + 1));
}

/* a random integer of exactly k >= 1 bits, odd if asked */
static uint64_t random_significand(int k, int odd)
{
    uint64_t m = k == 64 ? next_random() : next_random() & ((UINT64_C(1) << k) - 1);
    m |= UINT64_C(1) << (k - 1);
    return odd ? m | 1 : m;
}

static uint64_t random_finite(const format *f)
{
    uint64_t bits;
    do {
        bits = next_random() >> (64 - f->width);
    } while ((bits & inf_bits(f)) == inf_bits(f));
    return bits;
}

/* a random finite number with its exponent e clamped into the format */
static uint64_t random_with_exponent(const format *f, int e)
{
    int ok;
    uint64_t m = random_significand(f->precision, 0);
    if (e > f->emax) e = f->emax;
    if (e < emin_sub(f)) e = emin_sub(f);
    if (e < emin(f)) m >>= emin(f) - e;        /* subnormal: fewer bits */
    return encode(f, (int)(next_random() & 1), m ? m : 1, e - top_bit(m ? m : 1), &ok);
}

/* the exponent of the leading bit (of a subnormal's too) */
static int exponent_of(const format *f, uint64_t bits)
{
    int field = (int)(bits >> fraction_bits(f) & exponent_mask(f));
    uint64_t fraction = bits & fraction_mask(f);
    if (field) return field - f->emax;
    return fraction ? emin_sub(f) + top_bit(fraction) : emin_sub(f);
}

/* ---------------- the formats' arithmetic, through double ---------------- */

static double to_double(const format *f, uint64_t bits)
{
    if (f->width == 32) {
        float x;
        uint32_t b = (uint32_t)bits;
        memcpy(&x, &b, sizeof x);
        return x;
    } else {
        double x;
        memcpy(&x, &bits, sizeof x);
        return x;
    }
}

static uint64_t to_bits(const format *f, double x)
{
    if (f->width == 32) {
        float y = (float)x;
        uint32_t b;
        memcpy(&b, &y, sizeof b);
        return b;
    } else {
        uint64_t b;
        memcpy(&b, &x, sizeof b);
        return b;
    }
}

/* fl(a*b) in the format (for binary32 the double product is exact) */
static uint64_t rounded_product(const format *f, uint64_t a, uint64_t b)
{
    return to_bits(f, to_double(f, a) * to_double(f, b));
}

/* ---------------- hard cases ---------------- */

enum {
    RANDOM, INTERACTING, CANCELLATION, TIE, NEAR_TIE, TRAP, UNDERFLOW, OVERFLOW, SPECIAL, BOUNDARY,
    CATEGORIES
};
static const char *const category_names[CATEGORIES] = {
    "random", "interacting", "cancellation", "tie", "near_tie", "trap", "underflow", "overflow",
    "special", "boundary"
};

typedef struct { uint64_t a, b, c; } triple;

/* exponent for a's significand ma (top bit ta) and b's (tb) with ea + eb = sum,
 * both numbers finite; 0 if there is none */
static int split_exponent(const format *f, int sum, int ta, int tb, int *ea, int *eb)
{
    int lo = emin_sub(f), hi = f->emax - ta;
    if (sum - (f->emax - tb) > lo) lo = sum - (f->emax - tb);
    if (sum - emin_sub(f) < hi) hi = sum - emin_sub(f);
    if (lo > hi) return 0;
    *ea = random_int(lo, hi);
    *eb = sum - *ea;
    return 1;
}

/* The midpoint family. Exact a*b = X + D, X = x_odd * 2^(g-1) the part that
 * sits on a midpoint of the grid 2^g and D a deviation (0 for exact ties);
 * c = T - X with T = t_odd * 2^(g-1) a midpoint between two numbers of the
 * result's binade, so that a*b + c = T + D. Returns 0 when c is not
 * representable (the caller draws again). */
static int midpoint_case(const format *f, int g, int negative_product, uint64_t ma, int ea,
                         uint64_t mb, int eb, uint64_t x_odd, triple *out)
{
    int ok_a, ok_b, ok_c;
    uint64_t n, t_odd;
    int negative_target = (int)(next_random() & 1);
    int64_t c_half_units;     /* c in units of 2^(g-1) */
    if (g == emin_sub(f))    /* results with ulp 2^g: subnormals and the first binade */
        n = next_random() >> (64 - f->precision);
    else
        n = random_significand(f->precision, 0);
    t_odd = 2 * n + 1;
    /* mostly the product's sign: c then shrinks towards 0 and stays representable */
    if ((next_random() & 3) != 0) negative_product = negative_target;
    c_half_units = (negative_target ? -(int64_t)t_odd : (int64_t)t_odd)
                 - (negative_product ? -(int64_t)x_odd : (int64_t)x_odd);
    out->a = encode(f, negative_product, ma, ea, &ok_a);
    out->b = encode(f, 0, mb, eb, &ok_b);
    out->c = encode(f, c_half_units < 0, (uint64_t)(c_half_units < 0 ? -c_half_units : c_half_units) >> 1, g,
                    &ok_c);
    if (next_random() & 1) {  /* the product's sign on b instead */
        out->a ^= out->a & sign_bit(f);
        out->b |= negative_product ? sign_bit(f) : 0;
    }
    return ok_a && ok_b && ok_c;
}

static int random_grid(const format *f)
{
    int r = random_int(0, 7);
    if (r == 0) return emin_sub(f);                               /* subnormal results */
    if (r == 1) return f->emax - f->precision + 1;                /* the last binade, up to the overflow threshold */
    return random_int(emin_sub(f), f->emax - f->precision + 1);
}

/* exact ties: a*b = x_odd * 2^(g-1) with a, b odd significands of ka + kb <= p bits */
static int make_tie(const format *f, triple *out)
{
    int g = random_grid(f), ea, eb;
    int ka = random_int(1, f->precision - 1), kb = random_int(1, f->precision - ka);
    uint64_t ma = random_significand(ka, 1), mb = random_significand(kb, 1);
    if (!split_exponent(f, g - 1, ka - 1, kb - 1, &ea, &eb)) return 0;
    return midpoint_case(f, g, (int)(next_random() & 1), ma, ea, mb, eb, ma * mb, out);
}

/* near ties: b gets k more low bits (mb * 2^k + d), moving a*b off the tie by
 * ma * d * 2^(g-1-k), down to one unit of the product's last place */
static int make_near_tie(const format *f, triple *out)
{
    int g = random_grid(f), ea, eb;
    int ka = random_int(1, f->precision - 2), kb = random_int(1, f->precision - 1 - ka);
    int k = random_int(1, f->precision - kb);
    uint64_t ma = random_significand(ka, 1), mb = random_significand(kb, 1);
    int64_t d = (next_random() & 1) ? 1 : -1;
    if (next_random() & 1) d *= (int64_t)random_significand(random_int(1, k), 0);
    if (!split_exponent(f, g - 1, ka - 1, kb - 1 + k, &ea, &eb)) return 0;
    if (d < 0 && (uint64_t)(-d) >= mb << k) return 0;
    return midpoint_case(f, g, (int)(next_random() & 1), ma, ea, (uint64_t)((int64_t)(mb << k) + d), eb - k,
                         ma * mb, out);
}

/* double-rounding traps (numerics notes section 7): a*b = r * (2^q -+ 1) * (2^q +- 1)
 * = r * 2^2q + small, r * 2^2q on a midpoint of c's grid: the exact sum lies a
 * hair off a midpoint, which an intermediate rounding to nearest lands on */
static int make_trap(const format *f, triple *out)
{
    int g = random_grid(f), ea, eb;
    /* mostly q >= (p-1)/2, where the deviation falls below 2p bits of c */
    int q = next_random() & 3 ? random_int((f->precision - 1) / 2, f->precision - 2) : random_int(1, f->precision - 2);
    int kr = random_int(1, f->precision - 1 - q);
    uint64_t r = (next_random() & 3) ? 1 : random_significand(kr, 1);
    uint64_t one = 1, ma, mb;
    switch (random_int(0, 3)) {
    case 0: case 1: ma = (one << q) - 1; mb = (one << q) + 1; break;   /* 2^2q - 1 */
    case 2: ma = (one << q) + 1; mb = (one << q) + 1; break;   /* 2^2q + 2^(q+1) + 1 */
    default: ma = (one << q) - 1; mb = (one << q) - 1; break;  /* 2^2q - 2^(q+1) + 1 */
    }
    ma *= r;
    if (!split_exponent(f, g - 1 - 2 * q, top_bit(ma), top_bit(mb), &ea, &eb)) return 0;
    return midpoint_case(f, g, (int)(next_random() & 1), ma, ea, mb, eb, r, out);
}

static void make_case(const format *f, int category, triple *out)
{
    int ok = 1, e;
    uint64_t specials[12];
    specials[0] = 0;                            /* +0 */
    specials[1] = sign_bit(f);                  /* -0 */
    specials[2] = inf_bits(f);
    specials[3] = inf_bits(f) | sign_bit(f);
    specials[4] = inf_bits(f) | (UINT64_C(1) << (fraction_bits(f) - 1));  /* quiet nan */
    specials[5] = inf_bits(f) | 1;              /* signalling nan */
    specials[6] = 1;                            /* smallest subnormal */
    specials[7] = 1 | sign_bit(f);
    specials[8] = max_bits(f);
    specials[9] = max_bits(f) | sign_bit(f);
    specials[10] = (uint64_t)f->emax << fraction_bits(f);          /* 1 */
    specials[11] = UINT64_C(1) << fraction_bits(f) | sign_bit(f);  /* -smallest normal */

    switch (category) {
    case RANDOM:
        out->a = next_random() >> (64 - f->width);
        out->b = next_random() >> (64 - f->width);
        out->c = next_random() >> (64 - f->width);
        return;
    case INTERACTING:   /* c within 2^+-(2p+4) of a*b */
        out->a = random_finite(f);
        out->b = random_finite(f);
        e = exponent_of(f, out->a) + exponent_of(f, out->b) + random_int(-2 * f->precision - 4, 2 * f->precision + 4);
        out->c = random_with_exponent(f, e);
        return;
    case CANCELLATION:  /* c = -fl(a*b), moved by up to 3 units */
        do {
            out->a = random_finite(f);
            out->b = random_with_exponent(f, random_int(emin_sub(f), f->emax) - exponent_of(f, out->a));
            out->c = rounded_product(f, out->a, out->b) ^ sign_bit(f);
        } while ((out->c & inf_bits(f)) == inf_bits(f));
        out->c += (uint64_t)random_int(-3, 3);
        if ((out->c & inf_bits(f)) == inf_bits(f) || (out->c >> (f->width - 1)) > 1)
            out->c = rounded_product(f, out->a, out->b) ^ sign_bit(f);
        return;
    case TIE:
        while (!make_tie(f, out)) {}
        return;
    case NEAR_TIE:
        while (!make_near_tie(f, out)) {}
        return;
    case TRAP:
        while (!make_trap(f, out)) {}
        return;
    case UNDERFLOW:     /* products at and below the subnormal range */
        e = random_int(emin_sub(f) - f->precision - 3, emin(f) + 3);
        out->a = random_with_exponent(f, random_int(e - f->emax > emin_sub(f) ? e - f->emax : emin_sub(f),
                                                    e - emin_sub(f) < f->emax ? e - emin_sub(f) : f->emax));
        out->b = random_with_exponent(f, e - exponent_of(f, out->a));
        switch (random_int(0, 3)) {
        case 0: out->c = next_random() & 1 ? sign_bit(f) : 0; break;
        case 1: out->c = random_with_exponent(f, random_int(emin_sub(f), emin(f) + 2)); break;
        case 2: out->c = (rounded_product(f, out->a, out->b) ^ sign_bit(f)) + (uint64_t)random_int(0, 2); break;
        default: out->c = random_with_exponent(f, e + random_int(-f->precision, f->precision)); break;
        }
        return;
    case OVERFLOW:
        switch (random_int(0, 2)) {
        case 0:  /* c next to +-max, a*b near half its last place: ties and near ties at the threshold */
            out->c = (max_bits(f) - (uint64_t)random_int(0, 3)) | (next_random() & 1 ? sign_bit(f) : 0);
            e = f->emax - f->precision + random_int(-2, 1);
            out->a = encode(f, (int)(next_random() & 1), random_significand(random_int(1, 4), 1),
                            e / 2 - random_int(0, 3), &ok);
            out->b = random_with_exponent(f, e - exponent_of(f, out->a));
            if (next_random() & 1) out->b = encode(f, (int)(next_random() & 1), 1, e - exponent_of(f, out->a), &ok);
            break;
        case 1:  /* products around 2^(emax+1), c pulling back or pushing on */
            out->a = random_with_exponent(f, random_int(f->emax / 2 - 4, f->emax));
            out->b = random_with_exponent(f, f->emax + random_int(-1, 1) - exponent_of(f, out->a));
            out->c = random_with_exponent(f, f->emax - random_int(0, f->precision + 2));
            break;
        default:  /* c = -fl(a*b) with a*b close to overflowing */
            out->a = random_with_exponent(f, random_int(f->emax / 2, f->emax));
            out->b = random_with_exponent(f, f->emax - exponent_of(f, out->a));
            out->c = rounded_product(f, out->a, out->b) ^ sign_bit(f);
            if ((out->c & inf_bits(f)) == inf_bits(f)) out->c = max_bits(f) | (out->c & sign_bit(f));
            break;
        }
        if (!ok) out->a = max_bits(f);
        return;
    case SPECIAL:       /* each operand special three times in four, else random */
        out->a = next_random() & 3 ? specials[random_int(0, 11)] : random_finite(f);
        out->b = next_random() & 3 ? specials[random_int(0, 11)] : random_finite(f);
        out->c = next_random() & 3 ? specials[random_int(0, 11)] : random_finite(f);
        return;
    default: {          /* BOUNDARY: the binary64 path's range limits (scaled for binary32) */
        /* 2^-1074, 2^-1022, 2^-960, 2^500, 2^995, 2^1000, 2^1023 in binary64 */
        static const int f64_edges[] = {-1074, -1022, -960, 0, 500, 995, 1000, 1023};
        int ea, ep;
        ea = f64_edges[random_int(0, 7)] * f->emax / 1023 + random_int(-3, 3);
        ep = f64_edges[random_int(0, 7)] * f->emax / 1023 + random_int(-3, 3);
        out->a = random_with_exponent(f, ea);
        out->b = random_with_exponent(f, ep - exponent_of(f, out->a));
        if (next_random() & 1)
            out->c = random_with_exponent(f, f64_edges[random_int(0, 7)] * f->emax / 1023 + random_int(-3, 3));
        else
            out->c = random_with_exponent(f, ep + random_int(-2 * f->precision, 2 * f->precision));
        return;
    }
    }
}

/* ---------------- the functions under test ---------------- */

static int naive;

static float naive_fma_f32(float a, float b, float c)
{
    return (float)((double)a * (double)b + (double)c);   /* rounds twice */
}

static double naive_fma_f64(double a, double b, double c)
{
    /* the fast path with the low part rounded to nearest, not to odd, where
     * xi_soft_fma_f64 takes the fast path (the same test); its exact path elsewhere */
    const double split = 134217729.0;
    uint64_t a_field = xi_fma_bits_f64(a) >> 52 & 0x7ff;
    uint64_t b_field = xi_fma_bits_f64(b) >> 52 & 0x7ff;
    uint64_t c_field = xi_fma_bits_f64(c) >> 52 & 0x7ff;
    double a_big = split * a, b_big = split * b;
    double a_hi = a_big - (a_big - a), a_lo = a - a_hi;
    double b_hi = b_big - (b_big - b), b_lo = b - b_hi;
    double product_hi = a * b;
    double product_lo = ((a_hi * b_hi - product_hi) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo;
    double sum_lo;
    double sum_hi = xi_two_sum_f64(c, product_hi, &sum_lo);
    if (!((a_field - 1 < 2017) & (b_field - 1 < 2017) & (c_field < 2018) & (a_field + b_field - 1086 <= 3044 - 1086)))
        return xi_soft_fma_f64_slow(a, b, c);
    return sum_hi + (sum_lo + product_lo);
}

/* results of the scalar soft fma, the SSE2 one and the dispatcher for n cases */
static void evaluate(const format *f, const triple *cases, size_t n, uint64_t *scalar, uint64_t *sse2,
                     uint64_t *dispatched)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (f->width == 32) {
            float a = (float)to_double(f, cases[i].a), b = (float)to_double(f, cases[i].b);
            float c = (float)to_double(f, cases[i].c);
            scalar[i] = to_bits(f, naive ? naive_fma_f32(a, b, c) : xi_soft_fma_f32(a, b, c));
            dispatched[i] = to_bits(f, xi_fma_f32(a, b, c));
        } else {
            double a = to_double(f, cases[i].a), b = to_double(f, cases[i].b), c = to_double(f, cases[i].c);
            scalar[i] = to_bits(f, naive ? naive_fma_f64(a, b, c) : xi_soft_fma_f64(a, b, c));
            dispatched[i] = to_bits(f, xi_fma_f64(a, b, c));
        }
        sse2[i] = scalar[i];
    }
#if HAVE_SSE2
    if (naive) return;
    if (f->width == 32) {
        for (i = 0; i + 4 <= n; i += 4) {
            float a[4], b[4], c[4], r[4];
            int lane;
            for (lane = 0; lane < 4; lane++) {
                a[lane] = (float)to_double(f, cases[i + lane].a);
                b[lane] = (float)to_double(f, cases[i + lane].b);
                c[lane] = (float)to_double(f, cases[i + lane].c);
            }
            _mm_storeu_ps(r, xi_soft_fma_ps(_mm_loadu_ps(a), _mm_loadu_ps(b), _mm_loadu_ps(c)));
            for (lane = 0; lane < 4; lane++) sse2[i + lane] = to_bits(f, r[lane]);
        }
    } else {
        for (i = 0; i + 2 <= n; i += 2) {
            double a[2], b[2], c[2], r[2];
            int lane;
            for (lane = 0; lane < 2; lane++) {
                a[lane] = to_double(f, cases[i + lane].a);
                b[lane] = to_double(f, cases[i + lane].b);
                c[lane] = to_double(f, cases[i + lane].c);
            }
            _mm_storeu_pd(r, xi_soft_fma_pd(_mm_loadu_pd(a), _mm_loadu_pd(b), _mm_loadu_pd(c)));
            for (lane = 0; lane < 2; lane++) sse2[i + lane] = to_bits(f, r[lane]);
        }
    }
    /* a tail shorter than a vector: padded with copies of its first case */
    for (; i < n; i++) {
        triple padded[4];
        uint64_t padded_scalar[4], padded_sse2[4], padded_dispatched[4];
        int lane;
        for (lane = 0; lane < 4; lane++) padded[lane] = cases[i];
        evaluate(f, padded, 4, padded_scalar, padded_sse2, padded_dispatched);
        sse2[i] = padded_sse2[0];
    }
#endif
}

static uint64_t hardware(const format *f, triple t)
{
    if (f->width == 32)
        return to_bits(f, hw_fma_f32((float)to_double(f, t.a), (float)to_double(f, t.b), (float)to_double(f, t.c)));
    return to_bits(f, hw_fma_f64(to_double(f, t.a), to_double(f, t.b), to_double(f, t.c)));
}

static int is_nan(const format *f, uint64_t bits)
{
    return (bits & inf_bits(f)) == inf_bits(f) && (bits & fraction_mask(f)) != 0;
}

/* equal bits, or both nan (IEEE leaves the payload open) */
static int same(const format *f, uint64_t x, uint64_t y)
{
    return x == y || (is_nan(f, x) && is_nan(f, y));
}

enum { BATCH = 4096 };

static long compare(const format *f, uint64_t count)
{
    static triple cases[BATCH];
    static uint64_t scalar[BATCH], sse2[BATCH], dispatched[BATCH];
    uint64_t done = 0, tested[CATEGORIES] = {0};
    long failures[CATEGORIES] = {0}, total_failures = 0, shown = 0;
    int category;
    while (done < count) {
        size_t n = count - done < BATCH ? (size_t)(count - done) : BATCH, i;
        for (i = 0; i < n; i++) make_case(f, (int)((done + i) % CATEGORIES), &cases[i]);
        evaluate(f, cases, n, scalar, sse2, dispatched);
        for (i = 0; i < n; i++) {
            int k = (int)((done + i) % CATEGORIES);
            uint64_t expected = hardware(f, cases[i]);
            int ok_scalar = same(f, scalar[i], expected), ok_sse2 = same(f, sse2[i], expected);
            int ok_dispatched = same(f, dispatched[i], expected);
            tested[k]++;
            if (ok_scalar && ok_sse2 && ok_dispatched) continue;
            failures[k]++;
            total_failures++;
            if (shown++ < 10)
                printf("MISMATCH %s %s a=%#llx b=%#llx c=%#llx hardware=%#llx scalar=%#llx sse2=%#llx "
                       "dispatched=%#llx\n",
                       f->name, category_names[k], (unsigned long long)cases[i].a, (unsigned long long)cases[i].b,
                       (unsigned long long)cases[i].c, (unsigned long long)expected,
                       (unsigned long long)scalar[i], (unsigned long long)sse2[i], (unsigned long long)dispatched[i]);
        }
        done += n;
    }
    for (category = 0; category < CATEGORIES; category++)
        printf("%s %-12s %12llu cases %10ld mismatches\n", f->name, category_names[category],
               (unsigned long long)tested[category], failures[category]);
    printf("%s total %llu cases %ld mismatches\n", f->name, (unsigned long long)count, total_failures);
    return total_failures;
}

static const format *parse_format(const char *name)
{
    if (strcmp(name, "f32") == 0) return &F32;
    if (strcmp(name, "f64") == 0) return &F64;
    fprintf(stderr, "unknown precision %s (f32 or f64)\n", name);
    exit(2);
}

static void dump(const format *f, uint64_t count)
{
    uint64_t i;
    for (i = 0; i < count; i++) {
        triple t;
        uint64_t scalar, sse2, dispatched;
        int k = (int)(i % CATEGORIES);
        make_case(f, k, &t);
        evaluate(f, &t, 1, &scalar, &sse2, &dispatched);
        printf("%s %llx %llx %llx %llx %llx\n", category_names[k], (unsigned long long)t.a,
               (unsigned long long)t.b, (unsigned long long)t.c, (unsigned long long)scalar,
               (unsigned long long)sse2);
    }
}

static void eval_stdin(const format *f)
{
    static triple cases[BATCH];
    static uint64_t scalar[BATCH], sse2[BATCH], dispatched[BATCH];
    unsigned long long a, b, c;
    size_t n = 0, i;
    int done = 0;
    while (!done) {
        done = scanf("%llx %llx %llx", &a, &b, &c) != 3;
        if (!done) {
            cases[n].a = a;
            cases[n].b = b;
            cases[n].c = c;
            n++;
        }
        if (n == BATCH || (done && n > 0)) {
            evaluate(f, cases, n, scalar, sse2, dispatched);
            for (i = 0; i < n; i++)
                printf("%llx %llx\n", (unsigned long long)scalar[i], (unsigned long long)sse2[i]);
            n = 0;
        }
    }
}

int main(int argc, char **argv)
{
    const char *precision = "both";
    uint64_t count = 1000000, seed = 1;
    long failures = 0;
    int i;
    if (argc == 5 && strcmp(argv[1], "--dump") == 0) {
        rng_state = strtoull(argv[4], NULL, 0);
        dump(parse_format(argv[2]), strtoull(argv[3], NULL, 0));
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--eval") == 0) {
        eval_stdin(parse_format(argv[2]));
        return 0;
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--naive") == 0) naive = 1;
        else if (i + 1 < argc && strcmp(argv[i], "--precision") == 0) precision = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--count") == 0) count = strtoull(argv[++i], NULL, 0);
        else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0) seed = strtoull(argv[++i], NULL, 0);
        else {
            fprintf(stderr, "usage: see the comment at the top of tests/c/test_fma.c\n");
            return 2;
        }
    }
    if (!cpu_has_fma()) {
        printf("no FMA instruction on this CPU: nothing to compare against\n");
        return 77;
    }
    printf("sse2 %s, naive %d, seed %llu\n", HAVE_SSE2 ? "yes" : "no", naive, (unsigned long long)seed);
    rng_state = seed;
    if (strcmp(precision, "f64") != 0) failures += compare(&F32, count);
    if (strcmp(precision, "f32") != 0) failures += compare(&F64, count);
    return failures != 0;
}
