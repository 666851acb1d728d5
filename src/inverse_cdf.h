/* The inverse normal CDF without libm: docs/stream.md sections 5 and 6.
 *
 * xi_ndtri_upper_*(p) = Phi^-1(1 - p) for p in (0, 0.5], from Wichura's
 * algorithm AS 241, "The percentage points of the normal distribution",
 * Applied Statistics 37(3):477-484 (1988): PPND7 for float32 and PPND16 for
 * float64, with a logarithm of our own so that every platform and every SIMD
 * variant computes the same bits. */
#ifndef XINIT_INVERSE_CDF_H
#define XINIT_INVERSE_CDF_H

#include <stdint.h>
#include <string.h>
#include <math.h> /* sqrt/sqrtf only: a correctly rounded IEEE operation */

#define XI_SQRT2 1.41421356237309504880
#define XI_LN2 0.693147180559945309417

/* Section 5: ln(x) for a positive normal x, from 2 atanh(s) = ln((1+s)/(1-s)). */
static inline float xi_log_f32(float x)
{
    uint32_t bits;
    int32_t exponent;
    float f, t, s, z, series;
    memcpy(&bits, &x, sizeof bits);
    exponent = (int32_t)(bits >> 23) - 127;
    bits = (bits & UINT32_C(0x7fffff)) | UINT32_C(0x3f800000);
    memcpy(&f, &bits, sizeof f);                   /* f in [1, 2) */
    if (f > (float)XI_SQRT2) {
        f = f * 0.5f;
        exponent += 1;
    }
    t = f - 1.0f;
    s = t / (2.0f + t);
    z = s * s;
    series = (float)(2.0 / 11.0);                  /* c_i = 2 / (2i + 1) */
    series = series * z + (float)(2.0 / 9.0);
    series = series * z + (float)(2.0 / 7.0);
    series = series * z + (float)(2.0 / 5.0);
    series = series * z + (float)(2.0 / 3.0);
    series = series * z + 2.0f;
    return (float)exponent * (float)XI_LN2 + s * series;
}

static inline double xi_log_f64(double x)
{
    uint64_t bits;
    int64_t exponent;
    double f, t, s, z, series;
    memcpy(&bits, &x, sizeof bits);
    exponent = (int64_t)(bits >> 52) - 1023;
    bits = (bits & UINT64_C(0xfffffffffffff)) | UINT64_C(0x3ff0000000000000);
    memcpy(&f, &bits, sizeof f);
    if (f > XI_SQRT2) {
        f = f * 0.5;
        exponent += 1;
    }
    t = f - 1.0;
    s = t / (2.0 + t);
    z = s * s;
    series = 2.0 / 21.0;
    series = series * z + 2.0 / 19.0;
    series = series * z + 2.0 / 17.0;
    series = series * z + 2.0 / 15.0;
    series = series * z + 2.0 / 13.0;
    series = series * z + 2.0 / 11.0;
    series = series * z + 2.0 / 9.0;
    series = series * z + 2.0 / 7.0;
    series = series * z + 2.0 / 5.0;
    series = series * z + 2.0 / 3.0;
    series = series * z + 2.0;
    return (double)exponent * XI_LN2 + s * series;
}

/* AS 241 break points */
#define AS241_SPLIT1 0.425
#define AS241_SPLIT2 5.0
#define AS241_CONST1 0.180625
#define AS241_CONST2 1.6

/* PPND7 coefficients, AS 241 (7 significant digits) */
#define PPND7_A0 3.3871327179E+00
#define PPND7_A1 5.0434271938E+01
#define PPND7_A2 1.5929113202E+02
#define PPND7_A3 5.9109374720E+01
#define PPND7_B1 1.7895169469E+01
#define PPND7_B2 7.8757757664E+01
#define PPND7_B3 6.7187563600E+01
#define PPND7_C0 1.4234372777E+00
#define PPND7_C1 2.7568153900E+00
#define PPND7_C2 1.3067284816E+00
#define PPND7_C3 1.7023821103E-01
#define PPND7_D1 7.3700164250E-01
#define PPND7_D2 1.2021132975E-01
#define PPND7_E0 6.6579051150E+00
#define PPND7_E1 3.0812263860E+00
#define PPND7_E2 4.2868294337E-01
#define PPND7_E3 1.7337203997E-02
#define PPND7_F1 2.4197894225E-01
#define PPND7_F2 1.2258202635E-02

static inline float xi_ndtri_upper_f32(float p)
{
    float q = 0.5f - p;
    float r, num, den;
    if (q <= (float)AS241_SPLIT1) {
        r = (float)AS241_CONST1 - q * q;
        num = (((float)PPND7_A3 * r + (float)PPND7_A2) * r + (float)PPND7_A1) * r + (float)PPND7_A0;
        den = (((float)PPND7_B3 * r + (float)PPND7_B2) * r + (float)PPND7_B1) * r + 1.0f;
        return q * num / den;
    }
    r = sqrtf(-xi_log_f32(p));
    if (r <= (float)AS241_SPLIT2) {
        r = r - (float)AS241_CONST2;
        num = (((float)PPND7_C3 * r + (float)PPND7_C2) * r + (float)PPND7_C1) * r + (float)PPND7_C0;
        den = ((float)PPND7_D2 * r + (float)PPND7_D1) * r + 1.0f;
    } else {
        r = r - (float)AS241_SPLIT2;
        num = (((float)PPND7_E3 * r + (float)PPND7_E2) * r + (float)PPND7_E1) * r + (float)PPND7_E0;
        den = ((float)PPND7_F2 * r + (float)PPND7_F1) * r + 1.0f;
    }
    return num / den;
}

/* PPND16 coefficients, AS 241 (about 16 significant digits) */
static const double xi_ppnd16_a[8] = {
    3.3871328727963666080E+00, 1.3314166789178437745E+02, 1.9715909503065514427E+03,
    1.3731693765509461125E+04, 4.5921953931549871457E+04, 6.7265770927008700853E+04,
    3.3430575583588128105E+04, 2.5090809287301226727E+03};
static const double xi_ppnd16_b[8] = {
    1.0, 4.2313330701600911252E+01, 6.8718700749205790830E+02, 5.3941960214247511077E+03,
    2.1213794301586595867E+04, 3.9307895800092710610E+04, 2.8729085735721942674E+04,
    5.2264952788528545610E+03};
static const double xi_ppnd16_c[8] = {
    1.42343711074968357734E+00, 4.63033784615654529590E+00, 5.76949722146069140550E+00,
    3.64784832476320460504E+00, 1.27045825245236838258E+00, 2.41780725177450611770E-01,
    2.27238449892691845833E-02, 7.74545014278341407640E-04};
static const double xi_ppnd16_d[8] = {
    1.0, 2.05319162663775882187E+00, 1.67638483018380384940E+00, 6.89767334985100004550E-01,
    1.48103976427480074590E-01, 1.51986665636164571966E-02, 5.47593808499534494600E-04,
    1.05075007164441684324E-09};
static const double xi_ppnd16_e[8] = {
    6.65790464350110377720E+00, 5.46378491116411436990E+00, 1.78482653991729133580E+00,
    2.96560571828504891230E-01, 2.65321895265761230930E-02, 1.24266094738807843860E-03,
    2.71155556874348757815E-05, 2.01033439929228813265E-07};
static const double xi_ppnd16_f[8] = {
    1.0, 5.99832206555887937690E-01, 1.36929880922735805310E-01, 1.48753612908506148525E-02,
    7.86869131145613259100E-04, 1.84631831751005468180E-05, 1.42151175831644588870E-07,
    2.04426310338993978564E-15};

/* c[7] r^7 + ... + c[0], Horner from the highest coefficient down */
static inline double xi_horner7(const double c[8], double r)
{
    double acc = c[7];
    int i;
    for (i = 6; i >= 0; i--)
        acc = acc * r + c[i];
    return acc;
}

static inline double xi_ndtri_upper_f64(double p)
{
    double q = 0.5 - p;
    double r;
    if (q <= AS241_SPLIT1) {
        r = AS241_CONST1 - q * q;
        return q * xi_horner7(xi_ppnd16_a, r) / xi_horner7(xi_ppnd16_b, r);
    }
    r = sqrt(-xi_log_f64(p));
    if (r <= AS241_SPLIT2) {
        r = r - AS241_CONST2;
        return xi_horner7(xi_ppnd16_c, r) / xi_horner7(xi_ppnd16_d, r);
    }
    r = r - AS241_SPLIT2;
    return xi_horner7(xi_ppnd16_e, r) / xi_horner7(xi_ppnd16_f, r);
}

#endif
