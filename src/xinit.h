/* xinit-c core: fill preallocated buffers from the counter-based stream of
 * docs/stream.md. Plain C99, no Python. */
#ifndef XINIT_H
#define XINIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes returned by the functions below. */
#define XI_OK 0
#define XI_ERR_PARAM (-1)    /* a parameter is NaN, infinite, negative or out of order */
#define XI_ERR_KIND (-2)     /* unknown distribution or element type, or a pair that does not go together */
#define XI_ERR_RANGE (-3)    /* the fill would move the position past 2^66 words */
#define XI_ERR_SHAPE (-4)    /* bad rank, stride or null data with a nonzero count */
#define XI_ERR_TAIL (-5)     /* truncation interval too far in the tail for the element type */

/* Key and stream id select the stream; see docs/stream.md section 2. */
typedef struct xi_stream {
    uint32_t key[2];
    uint64_t stream;
} xi_stream;

/* A word position p = hi * 2^64 + lo, 0 <= p <= 2^66. */
typedef struct xi_position {
    uint64_t lo;
    uint32_t hi;
} xi_position;

typedef enum xi_dist {
    XI_UNIFORM = 0,
    XI_NORMAL = 1,
    XI_TRUNC_NORMAL = 2,
    XI_BITS = 3,
    XI_CONSTANT = 4,
    XI_DIST_COUNT = 5
} xi_dist;

typedef enum xi_dtype {
    XI_FLOAT16 = 0,
    XI_BFLOAT16 = 1,
    XI_FLOAT32 = 2,
    XI_FLOAT64 = 3,
    XI_UINT32 = 4,
    XI_UINT64 = 5,
    XI_DTYPE_COUNT = 6
} xi_dtype;

/* Per-element constants of one fill in its working format (sections 3-8). */
typedef struct xi_coeffs_f32 {
    float mid, half, lo, hi;        /* uniform; lo/hi also clamp truncated output */
    float mean, std;                /* normal and truncated normal */
    float cdf_lo, cdf_width, mirror, z_lo, z_hi; /* truncated normal */
} xi_coeffs_f32;

typedef struct xi_coeffs_f64 {
    double mid, half, lo, hi;
    double mean, std;
    double cdf_lo, cdf_width, mirror, z_lo, z_hi;
} xi_coeffs_f64;

typedef struct xi_params {
    int dist;                       /* xi_dist */
    int dtype;                      /* xi_dtype */
    xi_coeffs_f32 f32;              /* used by float16, bfloat16, float32 */
    xi_coeffs_f64 f64;              /* used by float64 */
    uint64_t constant_bits;         /* XI_CONSTANT: the element's bit pattern */
} xi_params;

/* Fill n contiguous elements of the prepared kind at out, from position pos. */
typedef void (*xi_kernel)(const xi_stream *stream, xi_position pos, size_t n,
                          void *out, const xi_params *params);

/* Prepare a fill. Arguments by distribution:
 *   XI_UNIFORM      a0 = low, a1 = high            (low <= high)
 *   XI_NORMAL       a0 = mean, a1 = std            (std >= 0)
 *   XI_TRUNC_NORMAL a0 = mean, a1 = std, a2 = a, a3 = b (std >= 0; a, b not NaN; a < b, or a == b when std == 0)
 * low, high, mean and std must be finite with magnitude <= xi_dtype_max(dtype).
 *   XI_BITS         none; dtype XI_UINT32 or XI_UINT64
 * Float dtypes for the three distributions. Returns XI_OK or an XI_ERR_*
 * code; params is written only on success. */
int xi_params_init(xi_params *params, int dist, int dtype,
                   double a0, double a1, double a2, double a3);

/* Prepare a fill of every element with one bit pattern (consumes no words). */
int xi_params_constant(xi_params *params, int dtype, uint64_t bits);

/* The largest finite value of a float output format. */
double xi_dtype_max(int dtype);

/* Bytes per element and 32-bit words per element of a prepared fill. */
size_t xi_itemsize(int dtype);
unsigned xi_words_per_element(const xi_params *params);

/* Position arithmetic; xi_position_add returns XI_ERR_RANGE past 2^66. */
int xi_position_add(xi_position *pos, uint64_t words);

/* Fill a (possibly strided, byte-swapped, unaligned) block of the logical
 * tensor. Element (i_0..i_{ndim-1}) lives at data + sum(i_d * strides[d])
 * bytes and has logical index logical_base + sum(i_d * logical_strides[d]);
 * it takes the words at start + w * logical index. The caller has checked
 * that every logical index is below 2^63 and start + w * (last + 1) <= 2^66.
 * Buffers of at least XI_PARALLEL_MIN_ELEMENTS elements per thread are split
 * over up to `threads` threads; the bytes written do not depend on it. */
int xi_fill_strided(const xi_stream *stream, xi_position start, const xi_params *params,
                    char *data, int ndim, const int64_t *shape, const int64_t *strides,
                    const int64_t *logical_strides, int64_t logical_base, int byteswap,
                    unsigned threads);

/* The same, for the elements begin <= k < end of the buffer in its own C
 * order (k = flat index over shape): a long fill done in pieces, e.g. to look
 * for an interrupt between them, writes what one call would. */
int xi_fill_strided_range(const xi_stream *stream, xi_position start, const xi_params *params,
                          char *data, int ndim, const int64_t *shape, const int64_t *strides,
                          const int64_t *logical_strides, int64_t logical_base, int byteswap,
                          int64_t begin, int64_t end, unsigned threads);

/* Smallest share of a uniform, raw-bits or constant fill worth a thread of
 * its own; normal and truncated normal elements cost about four times as
 * much, so their shares may be four times smaller. Measured on a 2-core
 * x86-64 (AVX-512): creating and joining a thread costs about 30 us, which
 * 65536 uniform float32 elements take to generate; two threads break even
 * near 2^16 uniform or 2^15 normal elements and give 1.4x at twice that. */
#define XI_PARALLEL_MIN_ELEMENTS 65536

/* Same stream on n contiguous elements from pos; out must be aligned. */
int xi_fill_contiguous(const xi_stream *stream, xi_position pos, const xi_params *params,
                       void *out, size_t n);

/* The table of the public C API (xinit_c/include/xinit_c.h). */
struct xinit_c_api;
const struct xinit_c_api *xinit_c_api_table(void);

/* Building blocks, exposed for tests and the C API. */
void xi_philox4x32_10(uint32_t counter[4], const uint32_t key[2]);
double xi_normal_cdf(double x);
/* V(q, x') = Phi^-1(1 - p) of section 6, for q = 2p and x' = 1 - 2p, p in (0, 1/2] */
float xi_inverse_normal_f32(float q, float x_prime);
double xi_inverse_normal_f64(double q, double x_prime);

/* SIMD variant selection. Every variant writes the same bits; they differ in
 * speed only. Names: "scalar", "sse2", "avx2", "avx512", "neon". */
const char *xi_kernel_variant(void);
/* The names of the variants this CPU can run, least capable first; returns
 * how many there are (names holds at most capacity of them). */
size_t xi_kernel_variants(const char **names, size_t capacity);
/* Use the named variant ("best" or NULL: the most capable one). XI_ERR_KIND
 * if it is unknown or this CPU cannot run it. Not thread-safe against
 * fills running at the same time. */
int xi_set_kernel_variant(const char *name);

#ifdef __cplusplus
}
#endif

#endif
