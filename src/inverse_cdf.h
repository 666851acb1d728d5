/* The inverse normal CDF without libm and without division: docs/stream.md
 * sections 4-6, in scalar form. The SIMD kernels (simd_kernels.h) perform the
 * same operations lane by lane from the same constants.
 *
 * xi_quantile_*(q, x') = Phi^-1(1 - p) for a tail probability p in (0, 1/2],
 * given as q = 2p and x' = 1 - 2p. The form is Giles', "Approximating the
 * erfinv function" (GPU Computing Gems Jade, 2011): Phi^-1(1 - p) =
 * sqrt(2) erfinv(x') = x' P(w) with w = -ln(1 - x'^2); the coefficients are
 * the contract's own minimax fits (tools/fit_inverse_normal.py). Every fma is
 * one correctly rounded fused multiply-add (src/fma.h), every other operation
 * one IEEE operation. */
#ifndef XINIT_INVERSE_CDF_H
#define XINIT_INVERSE_CDF_H

#include <stdint.h>
#include <string.h>
#include <math.h> /* sqrt/sqrtf only: a correctly rounded IEEE operation */

#include "fma.h"

/* ---- Section 5: the logarithm ---- */

/* Encodings of T(sqrt(1/2)): the exponent split puts f in [sqrt(1/2), sqrt(2)). */
#define XI_LOG_PIVOT_F32 UINT32_C(0x3f3504f3)
#define XI_LOG_PIVOT_F64 UINT64_C(0x3fe6a09e667f3bcd)
#define XI_LOG_FRACTION_F32 UINT32_C(0x7fffff)          /* the M = 23 fraction bits */
#define XI_LOG_FRACTION_F64 UINT64_C(0xfffffffffffff)   /* the M = 52 fraction bits */
#define XI_LN2_F32 0x1.62e43p-1f
#define XI_LN2_HI_F64 0x1.62e42fefa3ap-1                 /* 45 bits: k * LN2_HI is exact */
#define XI_LN2_LO_F64 -0x1.0ca86c3898dp-49

/* ln(1 + t) ~ t + t^2 R(t), lowest power first */
#define XI_LOG_DEGREE_F32 7
static const float xi_log_coeffs_f32[XI_LOG_DEGREE_F32 + 1] = {
    -0x1.fffffap-2f, 0x1.5556f4p-2f, -0x1.00049ap-2f, 0x1.98d2c4p-3f,
    -0x1.535d04p-3f, 0x1.3184dep-3f, -0x1.2505dcp-3f, 0x1.65cbecp-4f};

#define XI_LOG_DEGREE_F64 19
static const double xi_log_coeffs_f64[XI_LOG_DEGREE_F64 + 1] = {
    -0x1.0000000000003p-1, 0x1.555555555551ep-2, -0x1.fffffffffdcbap-3, 0x1.99999999a115ep-3,
    -0x1.55555556f198bp-3, 0x1.249249227acdcp-3, -0x1.fffffef04dbbfp-4, 0x1.c71c71beb0596p-4,
    -0x1.9999c9be1dde4p-4, 0x1.745d4888b3ba2p-4, -0x1.555069e85b0dp-4, 0x1.3b0a85f4fea7cp-4,
    -0x1.24dc85b482f6dp-4, 0x1.11db14e0ff782p-4, -0x1.fb714650dca7bp-5, 0x1.cf95936b8fa86p-5,
    -0x1.d126f1f0e50c5p-5, 0x1.0b72b1ec0bafdp-4, -0x1.ec03a4a5569d4p-5, 0x1.acd46a5ca57ffp-6};

/* ---- Section 6: the branches of P ---- */

/* float32: central P(w) for w < 6.25, tail P(sqrt(w) - 2.5) for w < 21.25,
 * far P(sqrt(w) - 4.625) beyond (truncated normals only). */
#define XI_CENTRAL_BOUND_F32 6.25f
#define XI_TAIL_BOUND_F32 21.25f
#define XI_TAIL_CENTRE_F32 2.5f
#define XI_FAR_CENTRE_F32 4.625f
#define XI_CENTRAL_DEGREE_F32 10
#define XI_TAIL_DEGREE_F32 9
#define XI_FAR_DEGREE_F32 7
static const float xi_central_coeffs_f32[XI_CENTRAL_DEGREE_F32 + 1] = {
    0x1.40d932p+0f, 0x1.4ffdc8p-2f, 0x1.0ba648p-6f, -0x1.b1ff08p-9f, -0x1.5e3a44p-13f, 0x1.bb572cp-15f,
    0x1.5ba966p-17f, -0x1.168722p-18f, 0x1.257634p-21f, -0x1.2a74ep-25f, 0x1.efd564p-31f};
static const float xi_tail_coeffs_f32[XI_TAIL_DEGREE_F32 + 1] = {
    0x1.a6d9eep+1f, 0x1.639e86p+0f, 0x1.989b8cp-5f, -0x1.6f3a6p-5f, 0x1.db8566p-6f, -0x1.909a94p-7f,
    0x1.606a74p-9f, -0x1.827846p-20f, -0x1.1171c8p-13f, 0x1.48f3e6p-16f};
static const float xi_far_coeffs_f32[XI_FAR_DEGREE_F32 + 1] = {
    0x1.94ac0ep+2f, 0x1.6dc428p+0f, 0x1.0469c6p-12f, -0x1.05263p-11f, 0x1.487678p-13f, -0x1.0cb01ep-15f,
    0x1.11343ep-18f, -0x1.fec09p-23f};

/* float64: central P(w) for w < 5, tail P(sqrt(w) - 2.25) for w < 12,
 * tail P(sqrt(w) - 3.4375) for w < 43.5, and for truncated normals only, far
 * P(sqrt(w) - C) in three pieces (w < 110, w < 280, beyond): one polynomial
 * over the whole far range cancels in its Horner terms. */
#define XI_CENTRAL_BOUND_F64 5.0
#define XI_TAIL_BOUND_F64 12.0
#define XI_DEEP_BOUND_F64 43.5
#define XI_TAIL_CENTRE_F64 2.25
#define XI_DEEP_CENTRE_F64 3.4375
#define XI_FAR_BOUND_F64 110.0
#define XI_FARTHER_BOUND_F64 280.0
#define XI_FAR_CENTRE_F64 6.625
#define XI_FARTHER_CENTRE_F64 10.5
#define XI_FARTHEST_CENTRE_F64 16.75
#define XI_CENTRAL_DEGREE_F64 21
#define XI_TAIL_DEGREE_F64 18
#define XI_DEEP_DEGREE_F64 22
#define XI_FAR_DEGREE_F64 16
static const double xi_central_coeffs_f64[XI_CENTRAL_DEGREE_F64 + 1] = {
    0x1.40d931ff62706p+0, 0x1.4ffddeaa22d8cp-2, 0x1.0b9a8ec5be067p-6, -0x1.b0d7e36cc6894p-9,
    -0x1.7bc0e1b3cb41bp-13, 0x1.147b6fd171ce8p-14, 0x1.7f6f989505e62p-19, -0x1.80753c9a9e797p-20,
    -0x1.c1eca749e0bb8p-25, 0x1.117065c0210e4p-25, 0x1.8288b0fdaf1aap-30, -0x1.08a3e82a3cb21p-30,
    0x1.883de1181a28p-34, -0x1.d4b536fb3ad36p-36, 0x1.e20b95d51f6e3p-37, -0x1.d674496a33f8p-39,
    0x1.ecdf23bcdabfap-42, -0x1.fb6525e63524p-46, -0x1.4603eebab23fcp-53, 0x1.87044e5a5982dp-53,
    -0x1.ba0446ead4ae8p-57, 0x1.5e83e1ca0c83bp-62};
static const double xi_tail_coeffs_f64[XI_TAIL_DEGREE_F64 + 1] = {
    0x1.7ae6225a68851p+1, 0x1.5aae83dac4bd8p+0, 0x1.7f820453d71f8p-4, -0x1.2db21d6c879fcp-4,
    0x1.f8a9ad3b573b5p-6, 0x1.f30af3d409d1fp-10, -0x1.2b366395f033p-7, 0x1.6ab931e254fa1p-9,
    0x1.cda7c5554024dp-10, -0x1.65bc233d72b75p-10, -0x1.2fe08ab1f45c7p-14, 0x1.5f1224c15c8c3p-12,
    0x1.9ee5db132f4cbp-15, -0x1.0ddeca34ba272p-12, 0x1.9dd90bab48a95p-13, -0x1.5b18879c441b3p-14,
    0x1.62504a604ee54p-16, -0x1.a054032019256p-19, 0x1.b2345976210c6p-23};
static const double xi_deep_coeffs_f64[XI_DEEP_DEGREE_F64 + 1] = {
    0x1.2832456f8819fp+2, 0x1.6c8c8c261017p+0, 0x1.561930030f524p-8, -0x1.b6720403520ecp-9,
    0x1.ee3cfaceb27b2p-10, -0x1.3f2b39a6426bp-10, 0x1.8ec7e793f409fp-11, -0x1.882d63ca4fa73p-12,
    0x1.d0f8db0049487p-14, 0x1.0c53385a78d05p-17, -0x1.f92c8c87405bap-16, 0x1.1e16fdca71e45p-16,
    -0x1.088379b3501cfp-18, -0x1.3e3bf64645f7cp-20, 0x1.a526cc32ba068p-20, -0x1.b2ed66683bb27p-21,
    0x1.2a86df7c18021p-22, -0x1.29e6627d7bd5cp-24, 0x1.b707e433fe595p-27, -0x1.d53873848136cp-30,
    0x1.59a7267c62f84p-33, -0x1.3ade481a95385p-37, 0x1.0bc3758ac84bep-42};
static const double xi_far_coeffs_f64[XI_FAR_DEGREE_F64 + 1] = {
    0x1.25bc9442ac6c8p+3, 0x1.6d4a4e145a9f2p+0, -0x1.7cdb0ce609372p-11, -0x1.027f973670247p-17,
    0x1.d433c0e8eaec2p-17, -0x1.dd57933e4d4e9p-19, 0x1.791149c97fabcp-21, -0x1.0b6d939d29005p-23,
    0x1.6484e12b53996p-26, -0x1.c64777d6facb8p-29, 0x1.146df364dad6bp-31, -0x1.3ab32bd7e9e1p-34,
    0x1.40665272d0a2ap-37, -0x1.1035193965e7fp-40, 0x1.5ef15abf660fdp-44, -0x1.29744755c2848p-48,
    0x1.e84d5e55bf10fp-54};
static const double xi_farther_coeffs_f64[XI_FAR_DEGREE_F64 + 1] = {
    0x1.d65b44828412dp+3, 0x1.6c1404519ee5p+0, -0x1.ded5830b4df3cp-12, 0x1.998848c3f7205p-16,
    -0x1.04eeb90f2b95dp-20, -0x1.3e4777ba78b36p-27, 0x1.2ee6e097104fp-27, -0x1.93d95d524c147p-30,
    0x1.a1e10f5b85803p-33, -0x1.81fe23eaa8fd1p-36, 0x1.488c5532285f5p-39, -0x1.fd826527ba6f7p-43,
    0x1.59117234fec37p-46, -0x1.7e1b76fc43b1ep-50, 0x1.3bea4463c699ep-54, -0x1.537db0e2b06eep-59,
    0x1.5e8e8dcdeba83p-65};
static const double xi_farthest_coeffs_f64[XI_FAR_DEGREE_F64 + 1] = {
    0x1.792f4f1b328bcp+4, 0x1.6b23844c3076p+0, -0x1.7d6a9cacfd8acp-13, 0x1.08e5f7a642f72p-17,
    -0x1.6bf1472de7d0ep-22, 0x1.de9f9adedde86p-27, -0x1.1d4a4694a7b66p-31, 0x1.08f5f66c937b5p-36,
    -0x1.574b561c1abcep-44, -0x1.53e80f587996dp-45, 0x1.34a3a698ce61ep-48, -0x1.7d3cd738b6eb4p-52,
    0x1.722480f82f164p-56, -0x1.17061bac2ee1dp-60, 0x1.31613e9dff03fp-65, -0x1.ab822078ddd7dp-71,
    0x1.1cd493ba1888bp-77};

/* Horner loops are unrolled: the compilers' own full-unrolling limits stop
 * short of the float64 degrees (up to 30), and a loop's counter and branch
 * cost more than its fma. */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
#define XI_UNROLLED _Pragma("GCC unroll 32")
#else
#define XI_UNROLLED
#endif

/* c[degree] v^degree + ... + c[0] by Horner with fma, from the highest coefficient */
static inline float xi_horner_f32(const float *c, int degree, float v)
{
    float b = c[degree];
    int j;
    XI_UNROLLED
    for (j = degree - 1; j >= 0; j--)
        b = xi_fma_f32(b, v, c[j]);
    return b;
}

static inline double xi_horner_f64(const double *c, int degree, double v)
{
    double b = c[degree];
    int j;
    XI_UNROLLED
    for (j = degree - 1; j >= 0; j--)
        b = xi_fma_f64(b, v, c[j]);
    return b;
}

/* Section 5: ln(y) for a normal y > 0. With d = Y - H and k = d >> M, the
 * reduced argument's encoding Y - (k << M) is H + (d mod 2^M): written that
 * way it needs no shift of a negative number. */
static inline float xi_log_f32(float y)
{
    uint32_t bits, d;
    int32_t k;
    float f, t, r, l;
    memcpy(&bits, &y, sizeof bits);
    d = bits - XI_LOG_PIVOT_F32;
    k = (int32_t)d >> 23;                        /* arithmetic shift */
    bits = XI_LOG_PIVOT_F32 + (d & XI_LOG_FRACTION_F32);
    memcpy(&f, &bits, sizeof f);
    t = f - 1.0f;                                /* exact */
    r = xi_horner_f32(xi_log_coeffs_f32, XI_LOG_DEGREE_F32, t);
    l = xi_fma_f32(t * t, r, t);
    return xi_fma_f32((float)k, XI_LN2_F32, l);
}

static inline double xi_log_f64(double y)
{
    uint64_t bits, d;
    int64_t k;
    double f, t, r, l;
    memcpy(&bits, &y, sizeof bits);
    d = bits - XI_LOG_PIVOT_F64;
    k = (int64_t)d >> 52;                        /* arithmetic shift */
    bits = XI_LOG_PIVOT_F64 + (d & XI_LOG_FRACTION_F64);
    memcpy(&f, &bits, sizeof f);
    t = f - 1.0;                                 /* exact */
    r = xi_horner_f64(xi_log_coeffs_f64, XI_LOG_DEGREE_F64, t);
    l = xi_fma_f64(t * t, r, t);
    return xi_fma_f64((double)k, XI_LN2_HI_F64, xi_fma_f64((double)k, XI_LN2_LO_F64, l));
}

/* Section 6: V(q, x') = x' P(w), w = -ln(q (2 - q)) = -ln((1 - x')(1 + x')) */
static inline float xi_quantile_f32(float q, float x_prime)
{
    float y = xi_fma_f32(-q, q, q + q);
    float w = -xi_log_f32(y);
    float p;
    if (w < XI_CENTRAL_BOUND_F32)
        p = xi_horner_f32(xi_central_coeffs_f32, XI_CENTRAL_DEGREE_F32, w);
    else if (w < XI_TAIL_BOUND_F32)
        p = xi_horner_f32(xi_tail_coeffs_f32, XI_TAIL_DEGREE_F32, sqrtf(w) - XI_TAIL_CENTRE_F32);
    else
        p = xi_horner_f32(xi_far_coeffs_f32, XI_FAR_DEGREE_F32, sqrtf(w) - XI_FAR_CENTRE_F32);
    return x_prime * p;
}

static inline double xi_quantile_f64(double q, double x_prime)
{
    double y = xi_fma_f64(-q, q, q + q);
    double w = -xi_log_f64(y);
    double p;
    if (w < XI_CENTRAL_BOUND_F64)
        p = xi_horner_f64(xi_central_coeffs_f64, XI_CENTRAL_DEGREE_F64, w);
    else if (w < XI_TAIL_BOUND_F64)
        p = xi_horner_f64(xi_tail_coeffs_f64, XI_TAIL_DEGREE_F64, sqrt(w) - XI_TAIL_CENTRE_F64);
    else if (w < XI_DEEP_BOUND_F64)
        p = xi_horner_f64(xi_deep_coeffs_f64, XI_DEEP_DEGREE_F64, sqrt(w) - XI_DEEP_CENTRE_F64);
    else if (w < XI_FAR_BOUND_F64)
        p = xi_horner_f64(xi_far_coeffs_f64, XI_FAR_DEGREE_F64, sqrt(w) - XI_FAR_CENTRE_F64);
    else if (w < XI_FARTHER_BOUND_F64)
        p = xi_horner_f64(xi_farther_coeffs_f64, XI_FAR_DEGREE_F64, sqrt(w) - XI_FARTHER_CENTRE_F64);
    else
        p = xi_horner_f64(xi_farthest_coeffs_f64, XI_FAR_DEGREE_F64, sqrt(w) - XI_FARTHEST_CENTRE_F64);
    return x_prime * p;
}

#endif
