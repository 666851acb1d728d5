/* The standard normal CDF, computed on the host once per truncated-normal fill
 * to map the uniform into [Phi(alpha), Phi(beta)]: docs/stream.md section 9.
 * No libm, so that the truncation bounds, and hence the stream, are the same
 * bits on every platform. */
#include "xinit.h"

#include <stdint.h>
#include <string.h>

/* fdlibm e_exp.c: ln2 split so that k * LN2_HI is exact for the k used here */
#define EXP_LN2_HI 6.93147180369123816490e-01
#define EXP_LN2_LO 1.90821492927058770002e-10
#define EXP_INV_LN2 1.44269504088896338700e+00
#define EXP_TAYLOR_DEGREE 13          /* |r| <= 0.35: r^14/14! < 2^-60 */
#define INV_SQRT_2PI 0.398942280401432677940
#define CDF_SERIES_TERMS 59           /* Marsaglia's series, |x| < 2.5 */
#define CDF_SERIES_LIMIT 2.5
#define CDF_FRACTION_DEPTH 120        /* Mills-ratio continued fraction, |x| >= 2.5 */
#define CDF_ZERO_BELOW (-37.5)        /* Phi(-37.5) ~ 5e-309: below, exp leaves the normal range */

/* e^y for y in [-704, 0] */
static double exp_nonpositive(double y)
{
    int64_t k = (int64_t)(y * EXP_INV_LN2 - 0.5); /* truncates toward zero */
    double r = (y - (double)k * EXP_LN2_HI) - (double)k * EXP_LN2_LO;
    double e = 1.0;
    uint64_t scale_bits = (uint64_t)(k + 1023) << 52;
    double scale;
    int n;
    for (n = EXP_TAYLOR_DEGREE; n >= 1; n--)
        e = 1.0 + e * r / (double)n;
    memcpy(&scale, &scale_bits, sizeof scale);
    return e * scale;
}

double xi_normal_cdf(double x)
{
    double t = x < 0 ? -x : x;
    double density, tail, mills;
    int n;
    if (x != x)
        return x;
    if (x < CDF_ZERO_BELOW)
        return 0.0;
    if (x > -CDF_ZERO_BELOW)
        return 1.0;
    density = exp_nonpositive(-0.5 * (x * x)) * INV_SQRT_2PI;
    if (t < CDF_SERIES_LIMIT) {
        /* Phi(x) = 1/2 + phi(x) (x + x^3/3 + x^5/(3*5) + ...) */
        double x2 = x * x, term = x, sum = x;
        for (n = 1; n <= CDF_SERIES_TERMS; n++) {
            term = term * x2 / (double)(2 * n + 1);
            sum = sum + term;
        }
        return 0.5 + density * sum;
    }
    /* 1 - Phi(t) = phi(t) / (t + 1/(t + 2/(t + 3/(t + ...)))) */
    mills = 0.0;
    for (n = CDF_FRACTION_DEPTH; n >= 1; n--)
        mills = (double)n / (t + mills);
    tail = density / (t + mills);
    return x < 0 ? tail : 1.0 - tail;
}
