/* From random words to floating-point numbers: docs/stream.md sections 3, 7,
 * 8 and 10. Every conversion here is exact except the one rounding the contract
 * names, so that SIMD variants and other platforms reproduce it bit for bit. */
#ifndef XINIT_FLOAT_CONVERT_H
#define XINIT_FLOAT_CONVERT_H

#include <stdint.h>
#include <string.h>

#define XI_TWO_POW_M16F 1.52587890625e-05f        /* 2^-16 */
#define XI_TWO_POW_M24F 5.9604644775390625e-08f   /* 2^-24 */
#define XI_TWO_POW_M32F 2.3283064365386962890625e-10f /* 2^-32 */
#define XI_TWO_POW_M32 2.3283064365386962890625e-10 /* 2^-32 */
#define XI_TWO_POW_M53 1.1102230246251565404236316680908203125e-16 /* 2^-53 */
#define XI_TWO_POW_M64 5.42101086242752217003726400434970855712890625e-20 /* 2^-64 */

static inline uint64_t xi_join_words(uint32_t lo, uint32_t hi)
{
    return (uint64_t)lo | ((uint64_t)hi << 32);
}

/* Section 3: v = odd / 2^24 in (-1, 1); words x and ~x give v and -v. */
static inline float xi_symmetric_unit_f32(uint32_t x)
{
    int32_t odd = (int32_t)x >> 7 | 1;
    return (float)odd * XI_TWO_POW_M24F;
}

/* Section 3: v = odd / 2^53 in (-1, 1). */
static inline double xi_symmetric_unit_f64(uint64_t x)
{
    int64_t odd = (int64_t)x >> 10 | 1;
    return (double)odd * XI_TWO_POW_M53;
}

/* fl32(a) and fl64(a) of an unsigned integer, as two exact halves and one
 * rounded sum: the correctly rounded conversion, whatever the compiler emits
 * for unsigned operands (section 7). */
static inline float xi_unsigned_to_f32(uint32_t a)
{
    return (float)(a >> 16) * 65536.0f + (float)(a & 0xffffu);
}

static inline double xi_unsigned_to_f64(uint64_t a)
{
    return (double)(uint32_t)(a >> 32) * 4294967296.0 + (double)(uint32_t)a;
}

/* Section 7: the tail probability p = (j + 1/2) 2^-32 of a word (j its low 31
 * bits) as q = 2p = fl(a) 2^-32 and x' = 1 - 2p = fl(m) 2^-32, from the exact
 * integers a = 2j + 1 and m = 2^32 - a: each has full relative precision, x'
 * near 0 too. */
static inline void xi_tail_pair_f32(uint32_t x, float *q, float *x_prime)
{
    uint32_t a = (x << 1) | 1u;
    *q = xi_unsigned_to_f32(a) * XI_TWO_POW_M32F;
    *x_prime = xi_unsigned_to_f32(0u - a) * XI_TWO_POW_M32F;
}

static inline void xi_tail_pair_f64(uint64_t x, double *q, double *x_prime)
{
    uint64_t a = (x << 1) | 1u;
    *q = xi_unsigned_to_f64(a) * XI_TWO_POW_M64;
    *x_prime = xi_unsigned_to_f64(0u - a) * XI_TWO_POW_M64;
}

/* Section 8: U = RNE((x + 1/2) 2^-32) in (0, 1], for the truncated normal. */
static inline float xi_open_unit_f32(uint32_t x)
{
    float high = (float)(x >> 16) * XI_TWO_POW_M16F;
    float low = ((float)(x & 0xffffu) + 0.5f) * XI_TWO_POW_M32F;
    return high + low;
}

static inline double xi_open_unit_f64(uint64_t x)
{
    double high = (double)(uint32_t)(x >> 32) * XI_TWO_POW_M32;
    double low = ((double)(uint32_t)x + 0.5) * XI_TWO_POW_M64;
    return high + low;
}

static inline uint32_t xi_f32_bits(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    return x;
}

/* Section 10: float32 -> IEEE binary16, round to nearest even. */
static inline uint16_t xi_f32_to_f16_bits(float f)
{
    uint32_t x = xi_f32_bits(f);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t mag = x & UINT32_C(0x7fffffff);
    if (mag > UINT32_C(0x7f800000))                /* NaN stays a quiet NaN */
        return (uint16_t)(sign | 0x7e00u);
    if (mag >= UINT32_C(0x477ff000))               /* >= 65520 rounds to inf */
        return (uint16_t)(sign | 0x7c00u);
    if (mag >= UINT32_C(0x38800000)) {             /* >= 2^-14: a normal half */
        /* rebias the exponent (127 -> 15), then round 23 -> 10 mantissa bits */
        uint32_t r = mag - UINT32_C(0x38000000);
        r += 0x0fffu + ((r >> 13) & 1u);
        return (uint16_t)(sign | (r >> 13));
    }
    if (mag < UINT32_C(0x33000000))                /* < 2^-25 (and 2^-25 itself, a tie) -> 0 */
        return (uint16_t)sign;
    {
        /* a subnormal half: count units of 2^-24, rounding half to even */
        uint32_t exponent = mag >> 23;             /* 102 ... 112 */
        uint32_t mantissa = (mag & UINT32_C(0x7fffff)) | UINT32_C(0x800000);
        uint32_t shift = 126u - exponent;          /* 14 ... 24 */
        uint32_t units = mantissa >> shift;
        uint32_t rest = mantissa & ((UINT32_C(1) << shift) - 1u);
        uint32_t halfway = UINT32_C(1) << (shift - 1u);
        if (rest > halfway || (rest == halfway && (units & 1u)))
            units++;
        return (uint16_t)(sign | units);
    }
}

/* Section 10: float32 -> bfloat16, round to nearest even. */
static inline uint16_t xi_f32_to_bf16_bits(float f)
{
    uint32_t x = xi_f32_bits(f);
    if ((x & UINT32_C(0x7fffffff)) > UINT32_C(0x7f800000))
        return (uint16_t)((x >> 16) | 0x40u);
    x += UINT32_C(0x7fff) + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

#endif
