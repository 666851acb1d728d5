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
    float v = xi_ndtri_upper_f32(xi_tail_prob_f32(x));
    float z = (x >> 31) ? -v : v;
    return c->mean + c->std * z;
}

static inline double xi_elem_normal_f64(uint64_t x, const xi_coeffs_f64 *c)
{
    double v = xi_ndtri_upper_f64(xi_tail_prob_f64(x));
    double z = (x >> 63) ? -v : v;
    return c->mean + c->std * z;
}

/* Section 8 */
static inline float xi_elem_trunc_normal_f32(uint32_t x, const xi_coeffs_f32 *c)
{
    float u = c->cdf_lo + c->cdf_width * xi_open_unit_f32(x);
    float z;
    if (u < 0.5f) {
        float p = u < TRUNC_PMIN_F32 ? TRUNC_PMIN_F32 : u;
        z = -xi_ndtri_upper_f32(p);
    } else {
        float p = 1.0f - u;
        z = xi_ndtri_upper_f32(p < TRUNC_PMIN_F32 ? TRUNC_PMIN_F32 : p);
    }
    z = xi_clamp_f32(c->mirror * z, c->z_lo, c->z_hi);
    return xi_clamp_f32(c->mean + c->std * z, c->lo, c->hi);
}

static inline double xi_elem_trunc_normal_f64(uint64_t x, const xi_coeffs_f64 *c)
{
    double u = c->cdf_lo + c->cdf_width * xi_open_unit_f64(x);
    double z;
    if (u < 0.5) {
        double p = u < TRUNC_PMIN_F64 ? TRUNC_PMIN_F64 : u;
        z = -xi_ndtri_upper_f64(p);
    } else {
        double p = 1.0 - u;
        z = xi_ndtri_upper_f64(p < TRUNC_PMIN_F64 ? TRUNC_PMIN_F64 : p);
    }
    z = xi_clamp_f64(c->mirror * z, c->z_lo, c->z_hi);
    return xi_clamp_f64(c->mean + c->std * z, c->lo, c->hi);
}

#endif
