/* One element from its word(s): docs/stream.md sections 3, 7 and 8 in scalar
 * form. The scalar kernels use these for every element and the SIMD kernels
 * for the tails, so each variant's lanes must compute exactly these. */
#ifndef XINIT_ELEMENTS_H
#define XINIT_ELEMENTS_H

#include "float_convert.h"
#include "inverse_cdf.h"
#include "xinit.h"

/* Smallest tail probability fed to the inverse CDF of a truncated normal. */
#define TRUNC_PMIN_F32 1.2621774483536188886587657044524579674771302961744368076324462890625e-29f /* 2^-96 */
#define TRUNC_PMIN_F64 2.2250738585072014e-308 /* 2^-1022 */

static inline float xi_clamp_f32(float x, float lo, float hi)
{
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}

static inline double xi_clamp_f64(double x, double lo, double hi)
{
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}

/* Section 3 */
static inline float xi_elem_uniform_f32(uint32_t x, const xi_coeffs_f32 *c)
{
    return xi_clamp_f32(c->mid + c->half * xi_symmetric_unit_f32(x), c->lo, c->hi);
}

static inline double xi_elem_uniform_f64(uint64_t x, const xi_coeffs_f64 *c)
{
    return xi_clamp_f64(c->mid + c->half * xi_symmetric_unit_f64(x), c->lo, c->hi);
}

/* Section 7 */
static inline float xi_elem_normal_f32(uint32_t x, const xi_coeffs_f32 *c)
{
    float q, x_prime, v, z;
    xi_tail_pair_f32(x, &q, &x_prime);
    v = xi_quantile_f32(q, x_prime);
    z = (x >> 31) ? -v : v;
    return c->mean + c->std * z;
}

static inline double xi_elem_normal_f64(uint64_t x, const xi_coeffs_f64 *c)
{
    double q, x_prime, v, z;
    xi_tail_pair_f64(x, &q, &x_prime);
    v = xi_quantile_f64(q, x_prime);
    z = (x >> 63) ? -v : v;
    return c->mean + c->std * z;
}

/* Section 8: the lower half of the CDF maps to -V, the upper to V, each from
 * its own tail probability p >= PMIN. */
static inline float xi_elem_trunc_normal_f32(uint32_t x, const xi_coeffs_f32 *c)
{
    float u = c->cdf_lo + c->cdf_width * xi_open_unit_f32(x);
    int lower = u < 0.5f;
    float p = lower ? u : 1.0f - u;
    float q, v, z;
    p = p < TRUNC_PMIN_F32 ? TRUNC_PMIN_F32 : p;
    q = p + p;
    v = xi_quantile_f32(q, 1.0f - q);
    z = lower ? -v : v;
    z = xi_clamp_f32(c->mirror * z, c->z_lo, c->z_hi);
    return xi_clamp_f32(c->mean + c->std * z, c->lo, c->hi);
}

static inline double xi_elem_trunc_normal_f64(uint64_t x, const xi_coeffs_f64 *c)
{
    double u = c->cdf_lo + c->cdf_width * xi_open_unit_f64(x);
    int lower = u < 0.5;
    double p = lower ? u : 1.0 - u;
    double q, v, z;
    p = p < TRUNC_PMIN_F64 ? TRUNC_PMIN_F64 : p;
    q = p + p;
    v = xi_quantile_f64(q, 1.0 - q);
    z = lower ? -v : v;
    z = xi_clamp_f64(c->mirror * z, c->z_lo, c->z_hi);
    return xi_clamp_f64(c->mean + c->std * z, c->lo, c->hi);
}

#endif
