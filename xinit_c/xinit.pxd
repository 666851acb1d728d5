# Cython declarations of src/xinit.h (keep the two in sync).
from libc.stdint cimport uint32_t, uint64_t, int64_t

cdef extern from "xinit.h" nogil:
    enum:
        XI_PARALLEL_MIN_ELEMENTS
        XI_OK
        XI_ERR_PARAM
        XI_ERR_KIND
        XI_ERR_RANGE
        XI_ERR_SHAPE
        XI_ERR_TAIL

    ctypedef struct xi_stream:
        uint32_t key[2]
        uint64_t stream

    ctypedef struct xi_position:
        uint64_t lo
        uint32_t hi

    ctypedef enum xi_dist:
        XI_UNIFORM
        XI_NORMAL
        XI_TRUNC_NORMAL
        XI_BITS
        XI_CONSTANT
        XI_DIST_COUNT

    ctypedef enum xi_dtype:
        XI_FLOAT16
        XI_BFLOAT16
        XI_FLOAT32
        XI_FLOAT64
        XI_UINT32
        XI_UINT64
        XI_DTYPE_COUNT

    ctypedef struct xi_coeffs_f32:
        float mid, half, lo, hi
        float mean, std
        float cdf_lo, cdf_width, mirror, z_lo, z_hi

    ctypedef struct xi_coeffs_f64:
        double mid, half, lo, hi
        double mean, std
        double cdf_lo, cdf_width, mirror, z_lo, z_hi

    ctypedef struct xi_params:
        int dist
        int dtype
        xi_coeffs_f32 f32
        xi_coeffs_f64 f64
        uint64_t constant_bits

    ctypedef void (*xi_kernel)(const xi_stream *stream, xi_position pos, size_t n,
                               void *out, const xi_params *params)

    int xi_params_init(xi_params *params, int dist, int dtype,
                       double a0, double a1, double a2, double a3)
    int xi_params_constant(xi_params *params, int dtype, uint64_t bits)
    size_t xi_itemsize(int dtype)
    unsigned xi_words_per_element(const xi_params *params)
    int xi_position_add(xi_position *pos, uint64_t words)
    int xi_fill_strided(const xi_stream *stream, xi_position start, const xi_params *params,
                        char *data, int ndim, const int64_t *shape, const int64_t *strides,
                        const int64_t *logical_strides, int64_t logical_base, int byteswap,
                        unsigned threads)
    int xi_fill_strided_range(const xi_stream *stream, xi_position start, const xi_params *params,
                              char *data, int ndim, const int64_t *shape, const int64_t *strides,
                              const int64_t *logical_strides, int64_t logical_base, int byteswap,
                              int64_t begin, int64_t end, unsigned threads)
    int xi_fill_contiguous(const xi_stream *stream, xi_position pos, const xi_params *params,
                           void *out, size_t n)
    void xi_philox4x32_10(uint32_t counter[4], const uint32_t key[2])
    double xi_normal_cdf(double x)
    float xi_inverse_normal_f32(float q, float x_prime)
    double xi_inverse_normal_f64(double q, double x_prime)
    const char *xi_kernel_variant()
    size_t xi_kernel_variants(const char **names, size_t capacity)
    int xi_set_kernel_variant(const char *name)
