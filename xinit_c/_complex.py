"""Complex buffers: the real view the compiled fills write, and the transforms of docs/stream.md section 11.2.

A complex fill is a real fill of the buffer's real view (the parts interleaved,
real first: the words of section 11), then, for the disc and the complex
truncated normal, an in-place pass that turns each element's two uniforms
``(v1, v2)`` into a modulus and an angle. That pass uses only numpy ufuncs
that are single IEEE binary64 operations (``multiply``, ``add``, ``subtract``,
``sqrt``, ``negative``, ``absolute``, comparisons and selections): never
``sin``, ``cos``, ``log`` or ``exp``, whose results differ between CPUs and
libraries. It works on chunks of at most :data:`CHUNK` elements, so its
temporaries are small and of constant size whatever the tensor.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

#: Elements per chunk of the in-place pass (its temporaries: about 12 float64 arrays of this length).
CHUNK = 1 << 16

# docs/stream.md section 11.2, written exactly as there.
_SIN_PI = tuple(float.fromhex(c) for c in (
    "0x1.921fb54442d18p+1", "-0x1.4abbce625be53p+2", "0x1.466bc6775aae2p+1", "-0x1.32d2cce62bd86p-1",
    "0x1.50783487ee782p-4", "-0x1.e3074fde8871fp-8", "0x1.e8f434d018d63p-12", "-0x1.6fadb9f155744p-16",
    "0x1.aaec32af93359p-21"))
_COS_PI = tuple(float.fromhex(c) for c in (
    "0x1p+0", "-0x1.3bd3cc9be45dep+2", "0x1.03c1f081b5ac4p+2", "-0x1.55d3c7e3cbffap+0",
    "0x1.e1f506891babbp-3", "-0x1.a6d1f2a204a8cp-6", "0x1.f9d38a3763cc3p-10", "-0x1.b6e24f44b128fp-14",
    "0x1.20c62c2f2d7f5p-18"))
# section 5's f64 logarithm coefficients R[0..19] and ln 2 split, reused without fma
_LOG_R = tuple(float.fromhex(c) for c in (
    "-0x1.0000000000003p-1", "0x1.555555555551ep-2", "-0x1.fffffffffdcbap-3", "0x1.99999999a115ep-3",
    "-0x1.55555556f198bp-3", "0x1.249249227acdcp-3", "-0x1.fffffef04dbbfp-4", "0x1.c71c71beb0596p-4",
    "-0x1.9999c9be1dde4p-4", "0x1.745d4888b3ba2p-4", "-0x1.555069e85b0dp-4", "0x1.3b0a85f4fea7cp-4",
    "-0x1.24dc85b482f6dp-4", "0x1.11db14e0ff782p-4", "-0x1.fb714650dca7bp-5", "0x1.cf95936b8fa86p-5",
    "-0x1.d126f1f0e50c5p-5", "0x1.0b72b1ec0bafdp-4", "-0x1.ec03a4a5569d4p-5", "0x1.acd46a5ca57ffp-6"))
_LN2_HI = float.fromhex("0x1.62e42fefa3ap-1")
_LN2_LO = float.fromhex("-0x1.0ca86c3898dp-49")
_SQRT_HALF_BITS = 0x3FE6A09E667F3BCD   # section 5's H: the encoding of f64(sqrt(1/2))

#: The f64 nearest sqrt(1/2): a complex normal's part has std * SQRT_HALF (section 11.1).
SQRT_HALF = float.fromhex("0x1.6a09e667f3bcdp-1")
#: The f64 nearest 1 - e^-4 (A) and e^-4 (E) of the truncated modulus.
ONE_MINUS_E_M4 = float.fromhex("0x1.f69f5523ef618p-1")
E_M4 = float.fromhex("0x1.2c155b8213cf4p-6")
#: The f64 nearest sqrt((1 - 5e^-4) / (1 - e^-4)): the standard deviation of a complex standard normal
#: whose modulus is truncated to 2 (JAX's .95311164380491208 omits the division by 1 - e^-4).
TRUNCATED_COMPLEX_STD = float.fromhex("0x1.ec8642be975ffp-1")

#: The complex dtypes (by kind and size) and their real component.
PARTS = {8: np.float32, 16: np.float64}


def is_complex(arr):
    return arr.dtype.kind == "c"


def real_view(arr):
    """``arr`` (complex, any strides and byte order) as a real array of shape ``arr.shape + (2,)``,
    the real part at index 0: its C order is section 11's word order."""
    parts = arr.real   # a view of the real parts, in arr's byte order
    return as_strided(parts, arr.shape + (2,), arr.strides + (parts.itemsize,))


def real_block(shape, global_shape, offset):
    """The real view's global_shape and offset for a block of a complex tensor (section 11), given the
    block's own shape; values the compiled layer would refuse are passed on for it to refuse."""
    if global_shape is None:
        return None, offset
    dims = tuple(global_shape) if isinstance(global_shape, (tuple, list)) else (global_shape,)
    if len(shape) == 1 and not isinstance(offset, (tuple, list)):
        # a flat range [o, o + n) of the global tensor is the rows [o, o + n) of its (total, 2) real view
        total = 1
        for d in dims:
            total *= d
        return (total, 2), (0 if offset is None else offset, 0)
    if offset is None:
        return dims + (2,), None
    return dims + (2,), tuple(offset) + (0,)


def _sin_cos_pi(v2):
    """(cos(pi v2), sin(pi v2)) for v2 in (-1, 1), in exact f64 operations (section 11.2)."""
    a = np.absolute(v2)
    past_half = a > 0.5
    a1 = np.where(past_half, 1.0 - a, a)
    past_quarter = a1 > 0.25
    b = np.where(past_quarter, 0.5 - a1, a1)
    b2 = b * b
    p = np.full_like(b, _SIN_PI[8])
    for coefficient in _SIN_PI[7::-1]:
        p *= b2
        p += coefficient
    sb = b * p
    q = np.full_like(b, _COS_PI[8])
    for coefficient in _COS_PI[7::-1]:
        q *= b2
        q += coefficient
    sa = np.where(past_quarter, q, sb)
    ca = np.where(past_quarter, sb, q)
    return np.where(past_half, -ca, ca), np.where(v2 < 0.0, -sa, sa)


def _log1p_poly(t):
    """t + (t*t) * R(t) ~ ln(1 + t) for t in [sqrt(1/2) - 1, sqrt(2) - 1): section 5's polynomial, no fma."""
    r = np.full_like(t, _LOG_R[19])
    for coefficient in _LOG_R[18::-1]:
        r *= t
        r += coefficient
    r *= t * t
    r += t
    return r


def _log(y):
    """ln(y) for normal f64 y > 0: section 5's reduction, then section 11.2's L' (no fma)."""
    bits = y.view(np.int64)
    k = (bits - _SQRT_HALF_BITS) >> 52
    f = (bits - (k << 52)).view(np.float64)
    kf = k.astype(np.float64)   # exact: |k| < 2^11
    return kf * _LN2_HI + (kf * _LN2_LO + _log1p_poly(f - 1.0))


def _truncated_modulus_squared(u):
    """sigma = -ln(1 - (1 - e^-4) u) in [0, 4] for u in (0, 1) (section 11.2)."""
    # both branches for every element, each finite everywhere (t in (-1, 0), y in (e^-4, 1)); one is kept
    t = -(ONE_MINUS_E_M4 * u)
    y = (1.0 - u) + E_M4 * u
    sigma = np.negative(np.where(u <= 0.25, _log1p_poly(t), _log(y)))
    return np.minimum(sigma, 4.0)


def _disc(v1, v2, radius):
    c, s = _sin_cos_pi(v2)
    rho = radius * np.sqrt(np.absolute(v1))
    return rho * c, rho * s


def _truncated(v1, v2, scale):
    c, s = _sin_cos_pi(v2)
    rho = scale * np.sqrt(_truncated_modulus_squared(np.absolute(v1)))
    return rho * c, rho * s


#: The transforms of section 11.2, by variance_scaling_'s distribution name: (v1, v2, K) -> (re, im).
TRANSFORMS = {"uniform": _disc, "truncated_normal": _truncated}


def transform_in_place(arr, transform, k, chunk=CHUNK):
    """Replace each element ``v1 + i v2`` of the complex ``arr`` (its parts section 3's uniforms, as the
    uniform fill of its real view on [-1, 1] leaves them) by ``transform(v1, v2, k)``: computed in f64 and
    rounded once into arr's parts. Chunk by chunk of at most ``chunk`` elements, in any order: each
    element's value depends on that element alone. Run it in the default floating-point environment."""
    # buffered without growinner: even a contiguous complex128 array comes in pieces of at most chunk
    with np.nditer(arr, flags=["external_loop", "buffered", "zerosize_ok"], op_flags=[["readwrite"]],
                   op_dtypes=[np.complex128], casting="same_kind", buffersize=chunk) as it:
        for values in it:
            re, im = transform(values.real, values.imag, k)
            values.real = re
            values.imag = im
