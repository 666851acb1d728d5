/* Exact software fused multiply-add (docs/stream.md section 4,
 * docs/stream-v2-numerics.md sections 7 and 8): round(a*b + c) once to
 * nearest-even, for targets without the FMA instruction. No libm: C's
 * fma/fmaf are not trusted (some are not correctly rounded in software).
 *
 * Method (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums:
 * proved algorithms using rounding to odd", IEEE Trans. Computers 57(4),
 * 2008): the exact value is split into an unevaluated sum, its low part is
 * rounded to odd (truncate, then set the last bit if anything was lost), and
 * the final rounding to nearest of the sum is then correct: rounding to odd at
 * two or more extra bits keeps exactly the information a rounding to nearest
 * needs, where rounding to nearest twice would not (double rounding).
 *
 * Needs FLT_EVAL_METHOD == 0, -ffp-contract=off (a contracted TwoSum or
 * Dekker product is no longer exact), no -ffast-math, round-to-nearest and
 * no flush-to-zero. */
#ifndef XINIT_SOFT_FMA_H
#define XINIT_SOFT_FMA_H

#include <float.h>
#include <stdint.h>
#include <string.h>

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#error "soft_fma.h needs FLT_EVAL_METHOD == 0 (32-bit x86: SSE2 math; s390x GCC: -fexcess-precision=fast)"
#endif

static inline uint64_t xi_fma_bits_f64(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

static inline double xi_fma_from_bits_f64(uint64_t bits)
{
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* Knuth's TwoSum: *err = (x + y) - fl(x + y) exactly, for any finite x, y
 * whose sum does not overflow (no precondition on their order). */
static inline double xi_two_sum_f64(double x, double y, double *err)
{
    double s = x + y;
    double y_part = s - x;
    double x_part = s - y_part;
    *err = (x - x_part) + (y - y_part);
    return s;
}

/* Rounds the exact value s + err (s = fl(s + err), as TwoSum leaves it) to
 * odd: when err != 0 and s has an even last bit, s moves one unit towards err
 * (its encoding +1 when err has s's sign, -1 otherwise); the neighbour it
 * reaches is the odd one of the two around s + err. Inf and nan (s - s is
 * nan) are left alone. */
static inline double xi_round_to_odd_f64(double s, double err)
{
    uint64_t s_bits = xi_fma_bits_f64(s);
    uint64_t inexact = (uint64_t)((err != 0.0) & (s - s == 0.0));
    uint64_t even = ~s_bits & 1u;
    uint64_t grows = ((xi_fma_bits_f64(err) ^ s_bits) >> 63) ^ 1u;
    uint64_t step = inexact & even;
    /* +step when growing, -step otherwise, in unsigned arithmetic */
    return xi_fma_from_bits_f64(s_bits + step * (2u * grows) - step);
}

/* binary32: the product of two 24-bit significands is exact in binary64 and
 * far from its overflow and underflow, TwoSum with c cannot overflow, and
 * rounding the sum to odd at 53 >= 24 + 2 bits then to nearest binary32
 * (subnormal grid and overflow threshold included) rounds once. Inf and nan
 * propagate through the ordinary operations. Exact for all inputs. */
static inline float xi_soft_fma_f32(float a, float b, float c)
{
    double product = (double)a * (double)b;
    double err;
    double sum = xi_two_sum_f64(product, (double)c, &err);
    return (float)xi_round_to_odd_f64(sum, err);
}

/* ---- binary64 slow path: exact integer arithmetic on 128-bit values ---- */

typedef struct { uint64_t hi, lo; } xi_u128;

static inline int xi_u128_is_zero(xi_u128 x) { return (x.hi | x.lo) == 0; }

static inline int xi_u128_less(xi_u128 x, xi_u128 y)
{
    return x.hi < y.hi || (x.hi == y.hi && x.lo < y.lo);
}

static inline xi_u128 xi_u128_add(xi_u128 x, xi_u128 y)
{
    xi_u128 r;
    r.lo = x.lo + y.lo;
    r.hi = x.hi + y.hi + (r.lo < x.lo);
    return r;
}

/* x - y for x >= y */
static inline xi_u128 xi_u128_sub(xi_u128 x, xi_u128 y)
{
    xi_u128 r;
    r.lo = x.lo - y.lo;
    r.hi = x.hi - y.hi - (x.lo < y.lo);
    return r;
}

/* x << n for n >= 0 */
static inline xi_u128 xi_u128_shl(xi_u128 x, int n)
{
    xi_u128 r;
    if (n == 0) return x;
    if (n >= 128) {
        r.hi = r.lo = 0;
    } else if (n >= 64) {
        r.hi = x.lo << (n - 64);
        r.lo = 0;
    } else {
        r.hi = x.hi << n | x.lo >> (64 - n);
        r.lo = x.lo << n;
    }
    return r;
}

/* x >> n for n >= 0 */
static inline xi_u128 xi_u128_shr(xi_u128 x, int n)
{
    xi_u128 r;
    if (n == 0) return x;
    if (n >= 128) {
        r.hi = r.lo = 0;
    } else if (n >= 64) {
        r.lo = x.hi >> (n - 64);
        r.hi = 0;
    } else {
        r.lo = x.lo >> n | x.hi << (64 - n);
        r.hi = x.hi >> n;
    }
    return r;
}

/* x >> n with every bit shifted out ORed into bit 0 (the sticky bit): the
 * callers keep at least two bits between it and the rounding position, so
 * "something nonzero below" is all the rounding needs to know. */
static inline xi_u128 xi_u128_shr_sticky(xi_u128 x, int n)
{
    xi_u128 r = xi_u128_shr(x, n);
    r.lo |= (uint64_t)xi_u128_less(xi_u128_shl(r, n), x);
    return r;
}

/* index of the highest set bit of x != 0 */
static inline int xi_u64_top_bit(uint64_t x)
{
    int top = 0;
    int width;
    for (width = 32; width > 0; width >>= 1) {
        if (x >> width) {
            x >>= width;
            top += width;
        }
    }
    return top;
}

static inline int xi_u128_top_bit(xi_u128 x)
{
    return x.hi ? 64 + xi_u64_top_bit(x.hi) : xi_u64_top_bit(x.lo);
}

/* The 106-bit product of two significands below 2^53, from 32-bit halves. */
static inline xi_u128 xi_mul_53x53(uint64_t x, uint64_t y)
{
    uint64_t x0 = x & 0xffffffffu, x1 = x >> 32;
    uint64_t y0 = y & 0xffffffffu, y1 = y >> 32;
    uint64_t low = x0 * y0;
    uint64_t mid1 = x0 * y1;          /* < 2^53 */
    uint64_t mid2 = x1 * y0;          /* < 2^53 */
    uint64_t high = x1 * y1;          /* < 2^42 */
    uint64_t mid = mid1 + mid2;       /* < 2^54: no carry out */
    xi_u128 r;
    r.lo = low + (mid << 32);
    r.hi = high + (mid >> 32) + (r.lo < low);
    return r;
}

/* Significand (an integer below 2^53) and exponent of finite x != 0, with
 * |x| = significand * 2^exponent; subnormals are normalised so that bit 52
 * is set. */
static inline uint64_t xi_unpack_f64(double x, int *exponent)
{
    uint64_t bits = xi_fma_bits_f64(x);
    int field = (int)(bits >> 52 & 0x7ff);
    uint64_t significand = bits & UINT64_C(0xfffffffffffff);
    if (field == 0) {
        int shift = 52 - xi_u64_top_bit(significand);
        *exponent = -1074 - shift;
        return significand << shift;
    }
    *exponent = field - 1075;
    return significand | UINT64_C(1) << 52;
}

/* Rounds (-1)^negative * x * 2^scale (x != 0) to nearest-even binary64,
 * subnormals and overflow included. */
static inline double xi_round_u128_f64(int negative, xi_u128 x, int scale)
{
    uint64_t sign = (uint64_t)negative << 63;
    int top = xi_u128_top_bit(x);
    /* bits dropped: those below a 53-bit significand, or below 2^-1074 */
    int drop = top - 52;
    uint64_t significand;
    int exponent;
    if (drop < -1074 - scale) drop = -1074 - scale;
    if (drop <= 0) {
        significand = xi_u128_shl(x, -drop).lo;
    } else if (drop > top + 1) {           /* below half of 2^-1074: a signed zero */
        significand = 0;
    } else {
        xi_u128 kept = xi_u128_shr(x, drop);
        xi_u128 rest = xi_u128_sub(x, xi_u128_shl(kept, drop));
        xi_u128 half = xi_u128_shl((xi_u128){0, 1}, drop - 1);
        significand = kept.lo;
        if (xi_u128_less(half, rest) ||
            (!xi_u128_less(rest, half) && (significand & 1u)))
            significand += 1;
        if (significand >> 53) {           /* rounded up to the next binade */
            significand >>= 1;
            drop += 1;
        }
    }
    exponent = drop + scale;                /* |result| = significand * 2^exponent */
    if (exponent > 971)                     /* >= 2^1024 after rounding */
        return xi_fma_from_bits_f64(sign | UINT64_C(0x7ff0000000000000));
    /* significand >= 2^52 adds one to the exponent field; below 2^52 the
     * exponent is -1074 and the field stays 0: a subnormal */
    return xi_fma_from_bits_f64(sign | (((uint64_t)(exponent + 1074) << 52) + significand));
}

/* The rare path stays out of line so that the callers' fast path is small
 * ("unused": this header is included where only the binary32 one is used). */
#if defined(__GNUC__)
#define XI_FMA_SLOW_PATH static __attribute__((noinline, unused))
#elif defined(_MSC_VER)
#define XI_FMA_SLOW_PATH static __declspec(noinline)
#else
#define XI_FMA_SLOW_PATH static inline
#endif

/* a*b + c by exact integer arithmetic, for every input. */
XI_FMA_SLOW_PATH double xi_soft_fma_f64_slow(double a, double b, double c)
{
    int a_exponent, b_exponent, c_exponent;
    uint64_t c_significand;
    int product_negative, c_negative;
    xi_u128 product, addend, sum;
    int product_scale, c_scale, scale;

    if (a - a != 0.0 || b - b != 0.0)       /* inf or nan among a, b */
        return a * b + c;                   /* IEEE: inf*0, inf-inf -> nan */
    if (c - c != 0.0)                       /* finite product, c inf or nan */
        return c + c;
    if (a == 0.0 || b == 0.0)               /* exact signed-zero product */
        return a * b + c;
    if (c == 0.0)                           /* a*b != 0: its sign wins, even if it rounds to 0 */
        return a * b;

    product_negative = (int)((xi_fma_bits_f64(a) ^ xi_fma_bits_f64(b)) >> 63);
    c_negative = (int)(xi_fma_bits_f64(c) >> 63);
    product = xi_mul_53x53(xi_unpack_f64(a, &a_exponent), xi_unpack_f64(b, &b_exponent));
    c_significand = xi_unpack_f64(c, &c_exponent);

    /* Both at their top (bit 125 or 126 of 128, so the sum cannot carry
     * out): the product's 105-106 bits shifted by 21, c's 53 bits by 74.
     * Aligning the smaller-scaled one loses bits only when it is more than
     * 21 (product) or 74 (c) bits below, and then the other one leads by so
     * much that the result's rounding bit stays far above the sticky bit. */
    product = xi_u128_shl(product, 21);
    product_scale = a_exponent + b_exponent - 21;
    addend.hi = c_significand << 10;
    addend.lo = 0;
    c_scale = c_exponent - 74;
    if (product_scale >= c_scale) {
        addend = xi_u128_shr_sticky(addend, product_scale - c_scale);
        scale = product_scale;
    } else {
        product = xi_u128_shr_sticky(product, c_scale - product_scale);
        scale = c_scale;
    }

    if (product_negative == c_negative) {
        sum = xi_u128_add(product, addend);
    } else if (xi_u128_less(product, addend)) {
        sum = xi_u128_sub(addend, product);
        product_negative = c_negative;
    } else {
        sum = xi_u128_sub(product, addend);
    }
    if (xi_u128_is_zero(sum))               /* exact cancellation: +0 in round-to-nearest */
        return 0.0;
    return xi_round_u128_f64(product_negative, sum, scale);
}

/* binary64: Dekker's product with Veltkamp's splitting, TwoSum, rounding to
 * odd, one final rounding (numerics notes section 8), proved when nothing
 * overflows and the product's error term is exact. The single branch takes
 * that path when a and b are normal with |a|, |b| < 2^995, |c| < 2^995 (zero
 * and subnormal c included) and 2^-960 <= |a*b| < 2^1000: then the split
 * (2^27+1)*a, the product and every sum stay finite, every partial product
 * of the split halves is a multiple of 2^-1074 (exact), and a tiny result can
 * only come from c cancelling a*b, where c + fl(a*b) is exact (Sterbenz) and
 * the sum is exact too. Everything else (zero, subnormal, huge, inf or nan
 * factors, c >= 2^995 or inf/nan) goes to the exact integer path. */
static inline double xi_soft_fma_f64(double a, double b, double c)
{
    const double split = 134217729.0;       /* 2^27 + 1 */
    uint64_t a_field = xi_fma_bits_f64(a) >> 52 & 0x7ff;
    uint64_t b_field = xi_fma_bits_f64(b) >> 52 & 0x7ff;
    uint64_t c_field = xi_fma_bits_f64(c) >> 52 & 0x7ff;
    /* fields 1..2017: normal and below 2^995; |a*b| in [2^(fa+fb-2046), 2^(fa+fb-2044)) */
    int fast = (a_field - 1 < 2017) & (b_field - 1 < 2017) & (c_field < 2018)
             & (a_field + b_field - 1086 <= 3044 - 1086);
    if (fast) {
        double a_big = split * a, b_big = split * b;
        double a_hi = a_big - (a_big - a), a_lo = a - a_hi;
        double b_hi = b_big - (b_big - b), b_lo = b - b_hi;
        double product_hi = a * b;
        double product_lo = ((a_hi * b_hi - product_hi) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo;
        double sum_lo, low_err;
        double sum_hi = xi_two_sum_f64(c, product_hi, &sum_lo);
        double low = xi_two_sum_f64(sum_lo, product_lo, &low_err);
        return sum_hi + xi_round_to_odd_f64(low, low_err);
    }
    return xi_soft_fma_f64_slow(a, b, c);
}

#endif
