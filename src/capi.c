/* The C API table (xinit_c/include/xinit_c.h): one-dimensional fills on the
 * calling thread through the same parameters, dispatch and fill loops as the
 * Python package, in the default floating-point environment (fpenv.h) whatever
 * the caller's thread has set. */
#include "fpenv.h"
#include "xinit_c.h"
#include "xinit.h"

#include <math.h> /* sqrt: correctly rounded everywhere */

/* xinit_c.h promises the core's status codes */
typedef char status_codes_agree[(XINIT_OK == XI_OK && XINIT_ERR_PARAM == XI_ERR_PARAM &&
                                 XINIT_ERR_KIND == XI_ERR_KIND && XINIT_ERR_RANGE == XI_ERR_RANGE &&
                                 XINIT_ERR_SHAPE == XI_ERR_SHAPE && XINIT_ERR_TAIL == XI_ERR_TAIL) ? 1 : -1];

static int fill_1d(uint32_t key0, uint32_t key1, uint64_t stream_id, uint64_t position,
                   uint32_t position_high, size_t n, void *out, ptrdiff_t stride,
                   int status, const xi_params *params)
{
    xi_stream stream;
    xi_position start, end;
    int64_t shape, strides, logical = 1;
    if (status != XI_OK)
        return status;
    if (n == 0)
        return XI_OK;
    if (out == NULL || (stride == 0 && n > 1) || n > (size_t)INT64_MAX / 8)
        return XI_ERR_SHAPE;
    start.lo = position;
    start.hi = position_high;
    end = start;
    if (position_high > 4u || (position_high == 4u && position != 0) ||
        xi_position_add(&end, (uint64_t)n * xi_words_per_element(params)) != XI_OK)
        return XI_ERR_RANGE;
    stream.key[0] = key0;
    stream.key[1] = key1;
    stream.stream = stream_id;
    shape = (int64_t)n;
    strides = (int64_t)stride * (int64_t)xi_itemsize(params->dtype);
    return xi_fill_strided(&stream, start, params, (char *)out, 1, &shape, &strides, &logical, 0, 0, 1);
}

/* One switch of the environment for the whole call: the parameters' and the
 * fill's own switches then find the default already set. */
#define DEFINE_FILL(name, out_type, dist, dtype, extra_params, a0, a1, a2, a3)                 \
    static int name(XINIT_FILL_ARGS(out_type) extra_params)                                    \
    {                                                                                          \
        xi_params params;                                                                      \
        xi_fpenv saved;                                                                        \
        int status;                                                                            \
        xi_fpenv_enter_default(&saved);                                                        \
        status = xi_params_init(&params, dist, dtype, a0, a1, a2, a3);                         \
        status = fill_1d(key0, key1, stream, position, position_high, n, out, stride, status, &params); \
        xi_fpenv_restore(&saved);                                                              \
        return status;                                                                         \
    }

#define UNIFORM_ARGS , double low, double high
#define NORMAL_ARGS , double mean, double std
#define TRUNC_ARGS , double mean, double std, double a, double b
#define NO_ARGS

DEFINE_FILL(uniform_f16, uint16_t, XI_UNIFORM, XI_FLOAT16, UNIFORM_ARGS, low, high, 0, 0)
DEFINE_FILL(uniform_bf16, uint16_t, XI_UNIFORM, XI_BFLOAT16, UNIFORM_ARGS, low, high, 0, 0)
DEFINE_FILL(uniform_f32, float, XI_UNIFORM, XI_FLOAT32, UNIFORM_ARGS, low, high, 0, 0)
DEFINE_FILL(uniform_f64, double, XI_UNIFORM, XI_FLOAT64, UNIFORM_ARGS, low, high, 0, 0)
DEFINE_FILL(normal_f16, uint16_t, XI_NORMAL, XI_FLOAT16, NORMAL_ARGS, mean, std, 0, 0)
DEFINE_FILL(normal_bf16, uint16_t, XI_NORMAL, XI_BFLOAT16, NORMAL_ARGS, mean, std, 0, 0)
DEFINE_FILL(normal_f32, float, XI_NORMAL, XI_FLOAT32, NORMAL_ARGS, mean, std, 0, 0)
DEFINE_FILL(normal_f64, double, XI_NORMAL, XI_FLOAT64, NORMAL_ARGS, mean, std, 0, 0)
DEFINE_FILL(trunc_normal_f16, uint16_t, XI_TRUNC_NORMAL, XI_FLOAT16, TRUNC_ARGS, mean, std, a, b)
DEFINE_FILL(trunc_normal_bf16, uint16_t, XI_TRUNC_NORMAL, XI_BFLOAT16, TRUNC_ARGS, mean, std, a, b)
DEFINE_FILL(trunc_normal_f32, float, XI_TRUNC_NORMAL, XI_FLOAT32, TRUNC_ARGS, mean, std, a, b)
DEFINE_FILL(trunc_normal_f64, double, XI_TRUNC_NORMAL, XI_FLOAT64, TRUNC_ARGS, mean, std, a, b)
DEFINE_FILL(bits_u32, uint32_t, XI_BITS, XI_UINT32, NO_ARGS, 0, 0, 0, 0)
DEFINE_FILL(bits_u64, uint64_t, XI_BITS, XI_UINT64, NO_ARGS, 0, 0, 0, 0)

/* torch.nn.init._calculate_fan_in_and_fan_out and Keras' compute_fans */
static int compute_fans(const int64_t *shape, int ndim, int layout, int64_t *fan_in, int64_t *fan_out)
{
    int64_t receptive = 1;
    int d;
    if (ndim < 0 || ndim > 64 || (ndim > 0 && shape == NULL) || fan_in == NULL || fan_out == NULL)
        return XI_ERR_SHAPE;
    for (d = 0; d < ndim; d++)
        if (shape[d] < 0)
            return XI_ERR_SHAPE;
    if (layout == XINIT_LAYOUT_TORCH) {
        if (ndim < 2)
            return XI_ERR_SHAPE;
        for (d = 2; d < ndim; d++)
            receptive *= shape[d];
        *fan_in = shape[1] * receptive;
        *fan_out = shape[0] * receptive;
        return XI_OK;
    }
    if (layout != XINIT_LAYOUT_KERAS)
        return XI_ERR_KIND;
    if (ndim == 0) {
        *fan_in = *fan_out = 1;
    } else if (ndim == 1) {
        *fan_in = *fan_out = shape[0];
    } else {
        for (d = 0; d < ndim - 2; d++)
            receptive *= shape[d];
        *fan_in = shape[ndim - 2] * receptive;
        *fan_out = shape[ndim - 1] * receptive;
    }
    return XI_OK;
}

/* torch.nn.init.calculate_gain, the same expressions */
static int gain_in_default_environment(int nonlinearity, double param, double *gain)
{
    if (gain == NULL)
        return XI_ERR_SHAPE;
    switch (nonlinearity) {
    case XINIT_GAIN_LINEAR:
    case XINIT_GAIN_SIGMOID: *gain = 1.0; return XI_OK;
    case XINIT_GAIN_TANH: *gain = 5.0 / 3; return XI_OK;
    case XINIT_GAIN_RELU: *gain = sqrt(2.0); return XI_OK;
    case XINIT_GAIN_LEAKY_RELU:
        if (param != param || param > 1e300 || param < -1e300)
            return XI_ERR_PARAM;
        *gain = sqrt(2.0 / (1 + param * param));
        return XI_OK;
    case XINIT_GAIN_SELU: *gain = 3.0 / 4; return XI_OK;
    default: return XI_ERR_KIND;
    }
}

/* A gain is a per-call constant of a fill: the caller's rounding mode must
 * not reach it either. */
static int calculate_gain(int nonlinearity, double param, double *gain)
{
    xi_fpenv saved;
    int status;
    xi_fpenv_enter_default(&saved);
    status = gain_in_default_environment(nonlinearity, xi_fpenv_fence(param), gain);
    xi_fpenv_restore(&saved);
    return status;
}

static const char *simd_variant(void)
{
    return xi_kernel_variant();
}

static const xinit_c_api api_table = {
    XINIT_C_ABI_VERSION,
    (uint32_t)sizeof(xinit_c_api),
    uniform_f16, uniform_bf16, uniform_f32, uniform_f64,
    normal_f16, normal_bf16, normal_f32, normal_f64,
    trunc_normal_f16, trunc_normal_bf16, trunc_normal_f32, trunc_normal_f64,
    bits_u32, bits_u64,
    compute_fans, calculate_gain, simd_variant,
};

const xinit_c_api *xinit_c_api_table(void)
{
    return &api_table;
}
