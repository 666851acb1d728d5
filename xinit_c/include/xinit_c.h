/* xinit-c C API: the same fills as the Python package, callable from C, C++,
 * Cython, ctypes/cffi and numba, without the GIL and without Python.
 *
 * Get the table from the capsule xinit_c._C_API (see the README, "C API"):
 *
 *     const xinit_c_api *api = PyCapsule_Import(XINIT_C_CAPSULE_NAME, 0);
 *     if (!api || api->abi_version != XINIT_C_ABI_VERSION) ... refuse ...
 *     int status = api->uniform_f32(k0, k1, stream, position, 0, n, out, 1, -b, b);
 *
 * Every fill writes element i (0 <= i < n) at out[i * stride] (stride in
 * elements, may be negative; out points at element 0) with the value that
 * element (position / w + i) of the stream has, w the words per element
 * (docs/stream.md): exactly what the Python fill writes for a 1-D array at
 * generator position `position + 2^64 * position_high`. The functions
 * validate what they can cheaply and return a status, never crash on it:
 *   XINIT_OK         written
 *   XINIT_ERR_PARAM  a NaN or infinite parameter, low/high/mean/std beyond the
 *                    output dtype's largest finite value, std < 0, low > high,
 *                    a > b, or a == b with std > 0
 *   XINIT_ERR_KIND   (not returned by the fills; reserved)
 *   XINIT_ERR_RANGE  position + w*n would pass 2^66 words
 *   XINIT_ERR_SHAPE  out is NULL with n > 0, or stride is 0 with n > 1
 *   XINIT_ERR_TAIL   the truncation interval lies beyond 10 (float32/16) or 37
 *                    (float64) standard deviations on one side
 * Nothing is written unless the status is XINIT_OK. The fills run on the
 * calling thread with the SIMD variant the package chose (or was told to
 * use); they are thread-safe.
 *
 * ABI policy: fields are only ever appended. XINIT_C_ABI_VERSION changes when
 * an existing field changes meaning or type; a consumer must compare
 * abi_version with the version it was compiled against and refuse a mismatch
 * (a newer package with the same version may have a larger struct_size). */
#ifndef XINIT_C_H
#define XINIT_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XINIT_C_ABI_VERSION 1
#define XINIT_C_CAPSULE_NAME "xinit_c._C_API"

#define XINIT_OK 0
#define XINIT_ERR_PARAM (-1)
#define XINIT_ERR_KIND (-2)
#define XINIT_ERR_RANGE (-3)
#define XINIT_ERR_SHAPE (-4)
#define XINIT_ERR_TAIL (-5)

/* Weight layouts for xinit_compute_fans */
#define XINIT_LAYOUT_TORCH 0   /* (out, in, *kernel) */
#define XINIT_LAYOUT_KERAS 1   /* (*kernel, in, out) */

/* Nonlinearities for xinit_calculate_gain (torch.nn.init.calculate_gain) */
#define XINIT_GAIN_LINEAR 0      /* also conv1d/2d/3d and conv_transpose1d/2d/3d: 1 */
#define XINIT_GAIN_SIGMOID 1     /* 1 */
#define XINIT_GAIN_TANH 2        /* 5/3 */
#define XINIT_GAIN_RELU 3        /* sqrt(2) */
#define XINIT_GAIN_LEAKY_RELU 4  /* sqrt(2 / (1 + param^2)), param = negative slope */
#define XINIT_GAIN_SELU 5        /* 3/4 */

/* The arguments every fill starts with: the key, the 64-bit stream id and
 * the word position (low 64 bits, then bits 64-65), the element count, the
 * output and its stride in elements. */
#define XINIT_FILL_ARGS(out_type)                                                         \
    uint32_t key0, uint32_t key1, uint64_t stream, uint64_t position, uint32_t position_high, \
    size_t n, out_type *out, ptrdiff_t stride

typedef struct xinit_c_api {
    uint32_t abi_version;   /* XINIT_C_ABI_VERSION of the package */
    uint32_t struct_size;   /* sizeof(xinit_c_api) in the package */
    /* U(low, high), values in [low, high] after rounding (docs/stream.md section 3) */
    int (*uniform_f16)(XINIT_FILL_ARGS(uint16_t), double low, double high);
    int (*uniform_bf16)(XINIT_FILL_ARGS(uint16_t), double low, double high);
    int (*uniform_f32)(XINIT_FILL_ARGS(float), double low, double high);
    int (*uniform_f64)(XINIT_FILL_ARGS(double), double low, double high);
    /* N(mean, std^2) (section 7) */
    int (*normal_f16)(XINIT_FILL_ARGS(uint16_t), double mean, double std);
    int (*normal_bf16)(XINIT_FILL_ARGS(uint16_t), double mean, double std);
    int (*normal_f32)(XINIT_FILL_ARGS(float), double mean, double std);
    int (*normal_f64)(XINIT_FILL_ARGS(double), double mean, double std);
    /* N(mean, std^2) truncated to [a, b], absolute bounds (section 8) */
    int (*trunc_normal_f16)(XINIT_FILL_ARGS(uint16_t), double mean, double std, double a, double b);
    int (*trunc_normal_bf16)(XINIT_FILL_ARGS(uint16_t), double mean, double std, double a, double b);
    int (*trunc_normal_f32)(XINIT_FILL_ARGS(float), double mean, double std, double a, double b);
    int (*trunc_normal_f64)(XINIT_FILL_ARGS(double), double mean, double std, double a, double b);
    /* the raw words: one per uint32, two per uint64 (low word first) */
    int (*bits_u32)(XINIT_FILL_ARGS(uint32_t));
    int (*bits_u64)(XINIT_FILL_ARGS(uint64_t));
    /* fan_in and fan_out of a weight shape, as torch or Keras compute them;
     * XINIT_ERR_SHAPE for fewer than 2 dimensions in torch layout, a
     * negative size or ndim outside [0, 64] */
    int (*compute_fans)(const int64_t *shape, int ndim, int layout, int64_t *fan_in, int64_t *fan_out);
    /* torch's gain for a nonlinearity; XINIT_ERR_KIND for an unknown code */
    int (*calculate_gain)(int nonlinearity, double param, double *gain);
    /* the SIMD variant the fills use now ("scalar", "sse2", "avx2", "avx512", "neon") */
    const char *(*simd_variant)(void);
} xinit_c_api;

#ifdef __cplusplus
}
#endif

#endif
