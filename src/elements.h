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

/* Section 7. The normal and truncated normal elements are split into the
 * probability fed to the inverse CDF and the finish that turns V(p) into the
 * element, so that the SIMD kernels can evaluate V for a batch of lanes and
 * finish each one with exactly these operations. */
static inline float xi_normal_prob_f32(uint32_t x)
{
    return xi_tail_prob_f32(x);
}

static inline float xi_normal_finish_f32(uint32_t x, float v, const xi_coeffs_f32 *c)
{
    float z = (x >> 31) ? -v : v;
    return c->mean + c->std * z;
}

static inline float xi_elem_normal_f32(uint32_t x, const xi_coeffs_f32 *c)
{
    return xi_normal_finish_f32(x, xi_ndtri_upper_f32(xi_normal_prob_f32(x)), c);
}

static inline double xi_normal_prob_f64(uint64_t x)
{
    return xi_tail_prob_f64(x);
}

static inline double xi_normal_finish_f64(uint64_t x, double v, const xi_coeffs_f64 *c)
{
    double z = (x >> 63) ? -v : v;
    return c->mean + c->std * z;
}

static inline double xi_elem_normal_f64(uint64_t x, const xi_coeffs_f64 *c)
{
    return xi_normal_finish_f64(x, xi_ndtri_upper_f64(xi_normal_prob_f64(x)), c);
}

/* Section 8 */
static inline float xi_trunc_u_f32(uint32_t x, const xi_coeffs_f32 *c)
{
    return c->cdf_lo + c->cdf_width * xi_open_unit_f32(x);
}

static inline float xi_trunc_prob_f32(uint32_t x, const xi_coeffs_f32 *c)
{
    float u = xi_trunc_u_f32(x, c);
    float p = u < 0.5f ? u : 1.0f - u;
    return p < TRUNC_PMIN_F32 ? TRUNC_PMIN_F32 : p;
}

static inline float xi_trunc_finish_f32(uint32_t x, float v, const xi_coeffs_f32 *c)
{
    float z = xi_trunc_u_f32(x, c) < 0.5f ? -v : v;
    z = xi_clamp_f32(c->mirror * z, c->z_lo, c->z_hi);
    return xi_clamp_f32(c->mean + c->std * z, c->lo, c->hi);
}

static inline float xi_elem_trunc_normal_f32(uint32_t x, const xi_coeffs_f32 *c)
{
    return xi_trunc_finish_f32(x, xi_ndtri_upper_f32(xi_trunc_prob_f32(x, c)), c);
}

static inline double xi_trunc_u_f64(uint64_t x, const xi_coeffs_f64 *c)
{
    return c->cdf_lo + c->cdf_width * xi_open_unit_f64(x);
}

static inline double xi_trunc_prob_f64(uint64_t x, const xi_coeffs_f64 *c)
{
    double u = xi_trunc_u_f64(x, c);
    double p = u < 0.5 ? u : 1.0 - u;
    return p < TRUNC_PMIN_F64 ? TRUNC_PMIN_F64 : p;
}

static inline double xi_trunc_finish_f64(uint64_t x, double v, const xi_coeffs_f64 *c)
{
    double z = xi_trunc_u_f64(x, c) < 0.5 ? -v : v;
    z = xi_clamp_f64(c->mirror * z, c->z_lo, c->z_hi);
    return xi_clamp_f64(c->mean + c->std * z, c->lo, c->hi);
}

static inline double xi_elem_trunc_normal_f64(uint64_t x, const xi_coeffs_f64 *c)
{
    return xi_trunc_finish_f64(x, xi_ndtri_upper_f64(xi_trunc_prob_f64(x, c)), c);
}

#endif
