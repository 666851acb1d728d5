/* Per-call preparation of a fill: validation and the working-format constants
 * of docs/stream.md sections 3, 7 and 8. */
#include "fpenv.h"
#include "xinit.h"

#include <float.h>
#include <math.h> /* HUGE_VAL */

/* Truncation intervals farther out than this (in standard deviations, on one
 * side of the mean) have no representable mass for the inverse CDF. */
#define TRUNC_TAIL_LIMIT_F32 10.0
#define TRUNC_TAIL_LIMIT_F64 37.0
#define FLOAT16_MAX 65504.0
#define BFLOAT16_MAX 3.3895313892515355e38 /* 0x1.fep127: 0x7f7f, the largest finite bfloat16 */

static int is_finite(double x)
{
    return x == x && x <= DBL_MAX && x >= -DBL_MAX;
}

static int is_float_dtype(int dtype)
{
    return dtype == XI_FLOAT16 || dtype == XI_BFLOAT16 || dtype == XI_FLOAT32 || dtype == XI_FLOAT64;
}

/* bfloat16 has float32's exponent range but not its largest value: a float32
 * above BFLOAT16_MAX can round to infinity when narrowed. */
double xi_dtype_max(int dtype)
{
    switch (dtype) {
    case XI_FLOAT16: return FLOAT16_MAX;
    case XI_BFLOAT16: return BFLOAT16_MAX;
    case XI_FLOAT64: return DBL_MAX;
    default: return FLT_MAX;
    }
}

/* A parameter the output format cannot hold would make every value (or, for
 * std, every product std * z) infinite or NaN. */
static int fits(double x, int dtype)
{
    return is_finite(x) && x <= xi_dtype_max(dtype) && x >= -xi_dtype_max(dtype);
}

size_t xi_itemsize(int dtype)
{
    switch (dtype) {
    case XI_FLOAT16:
    case XI_BFLOAT16: return 2;
    case XI_FLOAT32:
    case XI_UINT32: return 4;
    case XI_FLOAT64:
    case XI_UINT64: return 8;
    default: return 0;
    }
}

unsigned xi_words_per_element(const xi_params *params)
{
    if (params->dist == XI_CONSTANT)
        return 0;
    return (params->dtype == XI_FLOAT64 || params->dtype == XI_UINT64) ? 2u : 1u;
}

static void set_uniform(xi_params *p, double low, double high)
{
    double mid = 0.5 * low + 0.5 * high;
    double half = 0.5 * high - 0.5 * low;
    p->f64.mid = mid;
    p->f64.half = half;
    p->f64.lo = low;
    p->f64.hi = high;
    p->f32.mid = (float)mid;
    p->f32.half = (float)half;
    p->f32.lo = (float)low;
    p->f32.hi = (float)high;
}

static void set_location_scale(xi_params *p, double mean, double std)
{
    p->f64.mean = mean;
    p->f64.std = std;
    p->f32.mean = (float)mean;
    p->f32.std = (float)std;
}

static int set_trunc_normal(xi_params *p, int dtype, double mean, double std, double a, double b)
{
    double alpha, beta, lower, upper, mirror, cdf_lower;
    double limit = dtype == XI_FLOAT64 ? TRUNC_TAIL_LIMIT_F64 : TRUNC_TAIL_LIMIT_F32;
    if (std == 0.0) {
        /* every draw is the mean, clamped into [a, b] */
        alpha = -HUGE_VAL;
        beta = HUGE_VAL;
    } else {
        alpha = (a - mean) / std;
        beta = (b - mean) / std;
    }
    /* Work on the side of the mean where the interval's centre lies, so that
     * the CDF values are small numbers with full relative precision. */
    mirror = (alpha + beta > 0.0) ? -1.0 : 1.0;
    lower = mirror > 0 ? alpha : -beta;
    upper = mirror > 0 ? beta : -alpha;
    if (upper < -limit)
        return XI_ERR_TAIL;
    cdf_lower = xi_normal_cdf(lower);
    set_location_scale(p, mean, std);
    p->f64.lo = a;
    p->f64.hi = b;
    p->f64.cdf_lo = cdf_lower;
    p->f64.cdf_width = xi_normal_cdf(upper) - cdf_lower;
    p->f64.mirror = mirror;
    p->f64.z_lo = alpha;
    p->f64.z_hi = beta;
    p->f32.lo = (float)a;
    p->f32.hi = (float)b;
    p->f32.cdf_lo = (float)p->f64.cdf_lo;
    p->f32.cdf_width = (float)p->f64.cdf_width;
    p->f32.mirror = (float)mirror;
    p->f32.z_lo = (float)alpha;
    p->f32.z_hi = (float)beta;
    return XI_OK;
}

static int params_init(xi_params *params, int dist, int dtype,
                       double a0, double a1, double a2, double a3)
{
    xi_params p = {0};
    int status = XI_OK;
    p.dist = dist;
    p.dtype = dtype;
    if (dtype < 0 || dtype >= XI_DTYPE_COUNT)
        return XI_ERR_KIND;
    switch (dist) {
    case XI_UNIFORM:
        if (!is_float_dtype(dtype))
            return XI_ERR_KIND;
        if (!fits(a0, dtype) || !fits(a1, dtype) || a0 > a1)
            return XI_ERR_PARAM;
        set_uniform(&p, a0, a1);
        break;
    case XI_NORMAL:
        if (!is_float_dtype(dtype))
            return XI_ERR_KIND;
        if (!fits(a0, dtype) || !fits(a1, dtype) || a1 < 0.0)
            return XI_ERR_PARAM;
        set_location_scale(&p, a0, a1);
        break;
    case XI_TRUNC_NORMAL:
        if (!is_float_dtype(dtype))
            return XI_ERR_KIND;
        /* With std = 0 every draw is the mean clamped into [a, b], which is
         * defined for a == b too: variance scaling with scale 0 truncates at
         * +-2 std = +-0. */
        if (!fits(a0, dtype) || !fits(a1, dtype) || a1 < 0.0 || a2 != a2 || a3 != a3
            || !(a2 < a3 || (a1 == 0.0 && a2 == a3)))
            return XI_ERR_PARAM;
        status = set_trunc_normal(&p, dtype, a0, a1, a2, a3);
        break;
    case XI_BITS:
        if (dtype != XI_UINT32 && dtype != XI_UINT64)
            return XI_ERR_KIND;
        break;
    default:
        return XI_ERR_KIND;
    }
    if (status == XI_OK)
        *params = p;
    return status;
}

/* The constants are part of the stream (the truncation bounds' Phi, the
 * float32 copies) and so is the validation (a subnormal std is not 0 to us):
 * both are computed in the default floating-point environment. */
int xi_params_init(xi_params *params, int dist, int dtype,
                   double a0, double a1, double a2, double a3)
{
    xi_fpenv saved;
    volatile int status;
    xi_fpenv_enter_default(&saved);
    status = params_init(params, dist, dtype, xi_fpenv_fence(a0), xi_fpenv_fence(a1), xi_fpenv_fence(a2),
                         xi_fpenv_fence(a3));
    xi_fpenv_restore(&saved);
    return status;
}

int xi_params_constant(xi_params *params, int dtype, uint64_t bits)
{
    xi_params p = {0};
    if (dtype < 0 || dtype >= XI_DTYPE_COUNT)
        return XI_ERR_KIND;
    p.dist = XI_CONSTANT;
    p.dtype = dtype;
    p.constant_bits = bits;
    *params = p;
    return XI_OK;
}
