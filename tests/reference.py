"""Pure-numpy, bit-exact reference implementation ("the oracle") of the
xinit-c random stream, contract version 2 (``docs/stream.md``).

Written from the contract alone.  Every floating-point step is one IEEE
operation in the stated format, done on numpy arrays (or scalars) of that
dtype, in the order the contract gives; constants are wrapped in
``np.float32(...)``/``np.float64(...)`` so that numpy never promotes a float32
computation to float64.  The contract's ``fma(a, b, c)`` is an exact software
emulation (section 4 below): numpy has no fused multiply-add, and the
oracle must not trust a platform's.  Branches are selected per element.
Integer steps use numpy integer dtypes (``>>`` on int32/int64 is an
arithmetic shift); float bits are read with ``.view()``.  The host-side
normal CDF (section 9) uses plain Python floats, which are IEEE binary64
wherever ``PYTHON_FLOATS_DOUBLE_ROUNDED`` is false.

Only numpy, ml_dtypes (bfloat16) and the standard library are used.

Public API (imported by the package test suite):

* ``philox4x32_10(counter, key)``                          section 1
* ``words(key, stream, position, n)``                      section 2
* ``uniform_unit(x, dtype)``                               section 3
* ``fma(a, b, c, dtype)``, ``round_rational(x, T)``        section 4
* ``log_portable(y, dtype)``                               section 5
* ``inverse_normal(q, xp, dtype)``, ``tail_w(q, dtype)``,
  ``branch_index(w, dtype)``, ``inverse_normal_upper(p, dtype)``  section 6
* ``normal_arguments(x, dtype)``                           section 7
* ``unit_U(x, dtype)``, ``trunc_normal_arguments(x, dtype, **params)``  section 8
* ``normal_cdf(x)``, ``exp_host(y)``                       section 9
* ``params_for(kind, dtype, **params)``                    sections 3, 7, 8
* ``from_words(kind, dtype, w, **params)``                 sections 3, 7, 8, 10
* ``fill(kind, shape, dtype, key, stream=0, position=0, **params)``
* ``key_from_seed(seed)``, ``words_per_element(dtype)``    section 2
* ``sin_cos_pi(v)``, ``truncated_modulus_squared(u)``,
  ``complex_from_words(kind, dtype, w, **params)``,
  ``complex_fill(kind, shape, dtype, key, stream=0, position=0, **params)``  section 11
* ``parameter_stream(name, stream=0)``,
  ``parameter_fill(kind, name, shape, dtype, key, stream=0, position=0, **params)``  section 13
* ``jax_key_generator(words)``, ``jax_key_fill(kind, words, shape, dtype, **params)``  section 14

Choices the contract leaves open are marked "ORACLE CHOICE" below.
"""

from __future__ import annotations

import hashlib
import math
import operator
import struct
import sysconfig
from fractions import Fraction

import numpy as np

# A CPython built for x87 math (Debian's i386) rounds each float operation first
# to 64 and then to 53 bits, so the host-side steps in Python floats can be an
# ulp off binary64 there (the oracle's Phi at x = -1.1599999999999966, say);
# tests that need them exact skip on such an interpreter.
PYTHON_FLOATS_DOUBLE_ROUNDED = sysconfig.get_config_var("X87_DOUBLE_ROUNDING") == 1

try:  # bfloat16 support is optional for everything but bfloat16 fills
    import ml_dtypes

    BFLOAT16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover
    ml_dtypes = None
    BFLOAT16 = None

__all__ = [
    "philox4x32_10",
    "words",
    "key_from_seed",
    "words_per_element",
    "uniform_unit",
    "fma",
    "round_rational",
    "log_portable",
    "tail_w",
    "branch_index",
    "inverse_normal",
    "inverse_normal_upper",
    "normal_arguments",
    "unit_U",
    "trunc_normal_arguments",
    "exp_host",
    "normal_cdf",
    "params_for",
    "from_words",
    "fill",
    "f32_to_bfloat16",
    "sin_cos_pi",
    "truncated_modulus_squared",
    "complex_from_words",
    "complex_fill",
    "sparse",
]

_MASK32 = 0xFFFFFFFF
POSITION_LIMIT = 1 << 66  # section 2: positions p satisfy 0 <= p < 2^66

# ---------------------------------------------------------------------------
# Section 1. Generator: Philox4x32-10
# ---------------------------------------------------------------------------

# Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3",
# SC11 (2011), and Random123 include/Random123/philox.h:
PHILOX_M4x32_0 = 0xD2511F53  # philox.h PHILOX_M4x32_0, round multiplier for c0
PHILOX_M4x32_1 = 0xCD9E8D57  # philox.h PHILOX_M4x32_1, round multiplier for c2
PHILOX_W32_0 = 0x9E3779B9  # philox.h PHILOX_W32_0, key bump: golden ratio (frac part * 2^32)
PHILOX_W32_1 = 0xBB67AE85  # philox.h PHILOX_W32_1, key bump: sqrt(3) - 1 (* 2^32)
PHILOX_ROUNDS = 10  # Philox4x32-10, the Random123 default round count


def _u32(value, what):
    v = operator.index(value)
    if not 0 <= v <= _MASK32:
        raise ValueError(f"{what} must be a u32, got {value!r}")
    return v


def _mulhilo32(m, c):
    """(hi, lo) of the 64-bit product of the u32 constant m and the u32 words
    c (held in uint64), i.e. Random123 mulhilo32."""
    prod = np.uint64(m) * c  # < 2^64: exact in uint64
    return prod >> np.uint64(32), prod & np.uint64(_MASK32)


def philox4x32_10(counter, key):
    """Philox4x32-10 (section 1) on a batch of counters.

    counter: uint32 array-like of shape (n, 4) (a single (4,) counter is
    accepted too); key: sequence of two u32 ints (k0, k1).
    Returns a uint32 array of shape (n, 4).

    round(c, k): (hi0, lo0) = M0*c0, (hi1, lo1) = M1*c2,
                 c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
    philox(c, k): one round, then 9 times {bump key; round}.
    """
    ctr = np.asarray(counter)
    if ctr.ndim == 1:
        ctr = ctr.reshape(1, -1)
    if ctr.ndim != 2 or ctr.shape[1] != 4:
        raise ValueError("counter must have shape (n, 4)")
    if ctr.dtype != np.uint32:
        if ctr.size and (np.any(ctr < 0) or np.any(ctr > _MASK32)):
            raise ValueError("counter words must be u32")
        ctr = ctr.astype(np.uint32)
    k0, k1 = (_u32(k, "key word") for k in key)
    c0, c1, c2, c3 = (ctr[:, i].astype(np.uint64) for i in range(4))
    for rnd in range(PHILOX_ROUNDS):
        if rnd:  # philox4x32bumpkey
            k0 = (k0 + PHILOX_W32_0) & _MASK32
            k1 = (k1 + PHILOX_W32_1) & _MASK32
        hi0, lo0 = _mulhilo32(PHILOX_M4x32_0, c0)
        hi1, lo1 = _mulhilo32(PHILOX_M4x32_1, c2)
        c0, c1, c2, c3 = (
            hi1 ^ c1 ^ np.uint64(k0),
            lo1,
            hi0 ^ c3 ^ np.uint64(k1),
            lo0,
        )
    return np.stack([c0, c1, c2, c3], axis=1).astype(np.uint32)


# ---------------------------------------------------------------------------
# Section 2. Key, stream and word positions
# ---------------------------------------------------------------------------


def key_from_seed(seed):
    """Section 2: the key (k0, k1) of ``Generator(seed)``:
    ``numpy.random.SeedSequence(seed).generate_state(2, dtype=numpy.uint32)``."""
    state = np.random.SeedSequence(seed).generate_state(2, dtype=np.uint32)
    return int(state[0]), int(state[1])


def _check_stream(stream):
    s = operator.index(stream)
    if not 0 <= s < (1 << 64):
        raise ValueError(f"stream id must be a u64, got {stream!r}")
    return s


def words(key, stream, position, n):
    """Section 2: the n u32 words at positions position .. position+n-1.

    Word p is lane p mod 4 of philox((b mod 2^32, b >> 32, s mod 2^32, s >> 32),
    (k0, k1)) with b = p div 4.  Raises ValueError unless
    0 <= position and position + n <= 2^66.
    """
    s = _check_stream(stream)
    p0 = operator.index(position)
    n = operator.index(n)
    if n < 0 or p0 < 0 or p0 + n > POSITION_LIMIT:
        raise ValueError(
            f"words [{p0}, {p0 + n}) are outside the stream [0, 2^66)"
        )
    if n == 0:
        return np.zeros(0, dtype=np.uint32)
    b0, lane0 = divmod(p0, 4)
    nblocks = (lane0 + n + 3) // 4
    # b0 + nblocks - 1 <= (2^66 - 1) div 4 = 2^64 - 1: no uint64 overflow.
    b = np.uint64(b0) + np.arange(nblocks, dtype=np.uint64)
    ctr = np.empty((nblocks, 4), dtype=np.uint32)
    ctr[:, 0] = (b & np.uint64(_MASK32)).astype(np.uint32)
    ctr[:, 1] = (b >> np.uint64(32)).astype(np.uint32)
    ctr[:, 2] = s & _MASK32
    ctr[:, 3] = s >> 32
    return philox4x32_10(ctr, key).reshape(-1)[lane0 : lane0 + n].copy()


def _join64(w):
    """Section 2 (w = 2): element k takes words 2k (low) and 2k+1 (high):
    x = lo | hi << 32."""
    w = np.asarray(w, dtype=np.uint32).reshape(-1)
    if w.size % 2:
        raise ValueError("a 64-bit element needs an even number of words")
    lo = w[0::2].astype(np.uint64)
    hi = w[1::2].astype(np.uint64)
    return lo | (hi << np.uint64(32))


# ---------------------------------------------------------------------------
# Formats and constants
# ---------------------------------------------------------------------------


def _native(dt):
    return dt.newbyteorder("=") if dt.byteorder not in ("=", "|") else dt


_FLOAT_OUT = {np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)}
if BFLOAT16 is not None:
    _FLOAT_OUT.add(BFLOAT16)


def _working(dtype):
    """Working format T: f64 for float64, f32 for float16/bfloat16/float32."""
    dt = _native(np.dtype(dtype))
    if dt == np.float64:
        return np.float64
    if dt in _FLOAT_OUT:
        return np.float32
    raise ValueError(f"not a float output format: {dtype!r}")


def words_per_element(dtype):
    """Section 2: w = 1 for float16, bfloat16, float32, uint32; w = 2 for
    float64, uint64."""
    dt = _native(np.dtype(dtype))
    if dt in (np.dtype(np.float64), np.dtype(np.uint64)):
        return 2
    if dt in _FLOAT_OUT or dt == np.uint32:
        return 1
    raise ValueError(f"unsupported dtype {dtype!r}")


def _clamp_max(x, lo):
    """max(x, lo), defined by the contract as ``x < lo ? lo : x`` (which also
    fixes signed zeros and NaN)."""
    return np.where(x < lo, lo, x)


def _clamp_min(x, hi):
    """min(x, hi) as ``x > hi ? hi : x`` (see _clamp_max)."""
    return np.where(x > hi, hi, x)


# ---------------------------------------------------------------------------
# Section 3. Uniform numbers
# ---------------------------------------------------------------------------


def uniform_unit(x, dtype):
    """Section 3: the symmetric odd-integer uniform v in (-1, 1).

    f32 (x: uint32 words): m = (i32(x) >> 7) | 1, v = fl32(m) * 2^-24.
    f64 (x: uint64):       m = (i64(x) >> 10) | 1, v = fl64(m) * 2^-53.
    Both steps are exact.  dtype: np.float32 or np.float64 (the working format).
    """
    T = _working(dtype)
    if T is np.float32:
        x = np.array(x, dtype=np.uint32)
        m = (x.view(np.int32) >> np.int32(7)) | np.int32(1)
        return m.astype(np.float32) * np.float32(2.0**-24)
    x = np.array(x, dtype=np.uint64)
    m = (x.view(np.int64) >> np.int64(10)) | np.int64(1)
    return m.astype(np.float64) * np.float64(2.0**-53)


def _uniform_params(T, low, high):
    """Section 3: mid, half, lo, hi computed in f64 (Python floats) and
    rounded to T."""
    low = float(low)
    high = float(high)
    mid = T(0.5 * low + 0.5 * high)
    half = T(0.5 * high - 0.5 * low)
    return {"mid": mid, "half": half, "lo": T(low), "hi": T(high)}


def _uniform(x, T, prm):
    """Section 3: y = min(max(mid + half*v, lo), hi), all in T."""
    v = uniform_unit(x, T)
    y = prm["mid"] + prm["half"] * v
    return _clamp_min(_clamp_max(y, prm["lo"]), prm["hi"])


# ---------------------------------------------------------------------------
# Section 4. Fused multiply-add, emulated exactly
# ---------------------------------------------------------------------------

# binary32 and binary64: significand bits p (hidden bit included), exponent of
# the smallest subnormal's quantum, largest exponent.
_FORMAT = {np.float32: (24, -149, 127), np.float64: (53, -1074, 1023)}


def round_rational(x, T):
    """The rational ``x`` (Fraction or int) rounded to nearest-even in format
    T (np.float32 or np.float64), subnormals and overflow to infinity
    included, by integer arithmetic.  A zero x gives +0 (the caller knows
    which zero IEEE wants).  Returns a numpy scalar of T."""
    x = Fraction(x)
    if x == 0:
        return T(0.0)
    precision, quantum_min, emax = _FORMAT[T]
    negative = x < 0
    num, den = abs(x.numerator), x.denominator
    e = num.bit_length() - den.bit_length()  # 2^(e-1) < |x| < 2^(e+1)
    if (num << max(0, -e)) < (den << max(0, e)):
        e -= 1  # now 2^e <= |x| < 2^(e+1)
    quantum = max(e - (precision - 1), quantum_min)
    if quantum >= 0:
        mant, rem = divmod(num, den << quantum)
        half_cmp = 2 * rem - (den << quantum)
    else:
        mant, rem = divmod(num << -quantum, den)
        half_cmp = 2 * rem - den
    if half_cmp > 0 or (half_cmp == 0 and mant & 1):
        mant += 1
    if mant.bit_length() - 1 + quantum > emax:
        value = math.inf
    else:
        value = math.ldexp(mant, quantum)  # exact: a value of T, which binary64 holds
    return T(-value if negative else value)


def _fma_exact(a, b, c, T):
    """fusedMultiplyAdd of finite Python floats (values of T) from the exact
    rational a*b + c, with IEEE's signed zeros: an exact zero sum is +0 in
    round-to-nearest unless both addends are -0."""
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:
        product_negative = (math.copysign(1.0, a) * math.copysign(1.0, b)) < 0
        both_minus_zero = (a == 0 or b == 0) and product_negative and c == 0 and math.copysign(1.0, c) < 0
        return T(-0.0) if both_minus_zero else T(0.0)
    return round_rational(exact, T)


def _two_sum(x, y):
    """Knuth's TwoSum: s = fl(x + y) and e = (x + y) - s exactly (for finite
    x, y whose sum does not overflow; underflow does not disturb it)."""
    s = x + y
    y_part = s - x
    x_part = s - y_part
    return s, (x - x_part) + (y - y_part)


def _round_to_odd(s, e):
    """The binary64 value s + e rounded to odd, where (s, e) is a TwoSum
    result: if e != 0 and the last significand bit of s is 0, step the
    encoding of s one unit towards e.  Rounding to odd at 53 bits followed by
    one rounding to nearest at p <= 51 bits (or, for the binary64 emulation,
    the final addition of Boldo & Melquiond's algorithm) is a correct
    rounding (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums:
    proved algorithms using rounding to odd", IEEE TC 57(4), 2008)."""
    s = np.ascontiguousarray(s, dtype=np.float64)
    bits = s.view(np.uint64)
    step = (e != 0) & np.isfinite(s) & ((bits & np.uint64(1)) == 0)
    grows = np.signbit(e) == np.signbit(s)  # e has the sign of s: the magnitude grows
    stepped = np.where(grows, bits + np.uint64(1), bits - np.uint64(1))
    return np.where(step, stepped, bits).view(np.float64)


def _fma32(a, b, c):
    """binary32 fusedMultiplyAdd, exact for every input: the binary64 product
    of two binary32 values is exact (48 bits, exponent within [-298, 256]),
    TwoSum with binary64(c) cannot overflow, and the sum rounded to odd at 53
    bits then to nearest at 24 is the correctly rounded a*b + c (subnormal
    results, overflow, inf and nan included: non-finite sums skip the odd
    step and follow IEEE through the plain operations)."""
    with np.errstate(all="ignore"):  # inf * 0, inf - inf and overflow follow IEEE
        product = a.astype(np.float64) * b.astype(np.float64)
        s, e = _two_sum(product, c.astype(np.float64))
        return _round_to_odd(s, e).astype(np.float32)


# Veltkamp's splitting constant 2^27 + 1 for 53-bit significands.
_VELTKAMP = np.float64(134217729.0)
# Where the binary64 fast path below is proved (no underflow or overflow in
# any step): |a|, |b| in [2^-450, 2^450] keep every partial product of the
# split normal (|a_lo * b_lo| >= ulp(a) ulp(b) >= 2^-1004) and |a*b| <= 2^900;
# |c| <= 2^1000 keeps every sum finite; a result th = fl(c + a*b) of at least
# 2^-900 (or exactly 0, an exact cancellation whose result is ul itself)
# keeps the final addition away from the subnormal range.
_FAST_FACTOR_MIN, _FAST_FACTOR_MAX = 2.0**-450, 2.0**450
_FAST_ADDEND_MAX = 2.0**1000
_FAST_RESULT_MIN = 2.0**-900


def _fma64(a, b, c):
    """binary64 fusedMultiplyAdd.  Fast path (Boldo & Melquiond 2008,
    "emulated FMA"): (uh, ul) = TwoProduct(a, b) by Veltkamp/Dekker,
    (th, tl) = TwoSum(c, uh), v = RO(tl + ul), result th + v rounded to
    nearest, taken only where it is proved (see above).  A zero product (0
    times a finite number is an exact signed zero) gives the plain sum
    a*b + c; a non-finite factor gives the plain a*b + c too (the product is
    then exactly inf or nan); a finite product plus a non-finite c is c.
    Every other element is computed exactly with Fractions."""
    with np.errstate(all="ignore"):
        a_big = _VELTKAMP * a
        a_hi = a_big - (a_big - a)
        a_lo = a - a_hi
        b_big = _VELTKAMP * b
        b_hi = b_big - (b_big - b)
        b_lo = b - b_hi
        uh = a * b
        ul = (((a_hi * b_hi - uh) + a_hi * b_lo) + a_lo * b_hi) + a_lo * b_lo
        th, tl = _two_sum(c, uh)
        s, e = _two_sum(tl, ul)
        fast_result = th + _round_to_odd(s, e)

        abs_a, abs_b, abs_th = np.abs(a), np.abs(b), np.abs(th)
        fast = (
            (abs_a >= _FAST_FACTOR_MIN) & (abs_a <= _FAST_FACTOR_MAX)
            & (abs_b >= _FAST_FACTOR_MIN) & (abs_b <= _FAST_FACTOR_MAX)
            & (np.abs(c) <= _FAST_ADDEND_MAX)
            & ((th == 0) | (abs_th >= _FAST_RESULT_MIN))
        )
        finite_factors = np.isfinite(a) & np.isfinite(b)
        plain = ~finite_factors | (finite_factors & ((a == 0) | (b == 0)) & np.isfinite(c))
        addend_wins = finite_factors & ~np.isfinite(c)
        out = np.where(fast, fast_result, np.where(plain, uh + c, c))
    exact = ~(fast | plain | addend_wins)
    for i in np.flatnonzero(exact):
        out[i] = _fma_exact(float(a[i]), float(b[i]), float(c[i]), np.float64)
    return out


def fma(a, b, c, dtype):
    """Section 4: fma(a, b, c), the exact a*b + c rounded once to nearest-even
    in the working format of ``dtype`` (elementwise, broadcast; the operands
    are taken as values of that format)."""
    T = _working(dtype)
    a, b, c = np.broadcast_arrays(np.asarray(a, T), np.asarray(b, T), np.asarray(c, T))
    shape = a.shape
    a, b, c = (np.ascontiguousarray(v).reshape(-1) for v in (a, b, c))
    out = _fma32(a, b, c) if T is np.float32 else _fma64(a, b, c)
    return out.reshape(shape)


# ---------------------------------------------------------------------------
# Section 5. Logarithm
# ---------------------------------------------------------------------------

# (H, M, signed integer type of the encoding): H is the encoding of T(sqrt(1/2)).
_LOG_SPLIT = {np.float32: (0x3F3504F3, 23, np.int32), np.float64: (0x3FE6A09E667F3BCD, 52, np.int64)}
# R[0..n], lowest power first: ln(1 + t) ~ t + t^2 R(t) (docs/stream.md section 5).
LOG_R = {
    np.float32: [
        "-0x1.fffffap-2", "0x1.5556f4p-2", "-0x1.00049ap-2", "0x1.98d2c4p-3",
        "-0x1.535d04p-3", "0x1.3184dep-3", "-0x1.2505dcp-3", "0x1.65cbecp-4",
    ],
    np.float64: [
        "-0x1.0000000000003p-1", "0x1.555555555551ep-2", "-0x1.fffffffffdcbap-3", "0x1.99999999a115ep-3",
        "-0x1.55555556f198bp-3", "0x1.249249227acdcp-3", "-0x1.fffffef04dbbfp-4", "0x1.c71c71beb0596p-4",
        "-0x1.9999c9be1dde4p-4", "0x1.745d4888b3ba2p-4", "-0x1.555069e85b0dp-4", "0x1.3b0a85f4fea7cp-4",
        "-0x1.24dc85b482f6dp-4", "0x1.11db14e0ff782p-4", "-0x1.fb714650dca7bp-5", "0x1.cf95936b8fa86p-5",
        "-0x1.d126f1f0e50c5p-5", "0x1.0b72b1ec0bafdp-4", "-0x1.ec03a4a5569d4p-5", "0x1.acd46a5ca57ffp-6",
    ],
}
LOG_LN2 = {np.float32: ["0x1.62e43p-1"], np.float64: ["0x1.62e42fefa3ap-1", "-0x1.0ca86c3898dp-49"]}


def _exact_constant(hex_literal, T):
    """A constant the contract writes exactly as a hex float, in format T
    (refusing a literal that T cannot hold: that would be a typo)."""
    value = float.fromhex(hex_literal)
    constant = T(value)
    if float(constant) != value:
        raise ValueError(f"{hex_literal} is not a {T.__name__} value")
    return constant


_LOG_R = {T: [_exact_constant(c, T) for c in coeffs] for T, coeffs in LOG_R.items()}
_LOG_LN2 = {T: [_exact_constant(c, T) for c in parts] for T, parts in LOG_LN2.items()}


def log_portable(y, dtype):
    """Section 5: L(y) = ln(y) for normal y > 0 in the working format T:

        k = (Y - H) >> M;  f = the T encoded by Y - (k << M);  t = f - 1
        r = R[n];  r = fma(r, t, R[i]) for i = n-1 .. 0
        l = fma(t*t, r, t)
        f32: L = fma(T(k), LN2, l)
        f64: L = fma(T(k), LN2_HI, fma(T(k), LN2_LO, l))

    Values for zero, subnormal, negative or non-finite y are outside the
    contract's domain and meaningless."""
    T = _working(dtype)
    H, M, itype = _LOG_SPLIT[T]
    y = np.array(y, dtype=T)  # contiguous copy, shape kept (also 0-d)
    Y = y.view(itype).astype(np.int64)
    k = (Y - H) >> M  # arithmetic shift of a signed integer
    f = (Y - k * (1 << M)).astype(itype).view(T)
    with np.errstate(all="ignore"):
        t = f - T(1.0)
        coeffs = _LOG_R[T]
        r = np.full_like(t, coeffs[-1])
        for coefficient in reversed(coeffs[:-1]):
            r = fma(r, t, coefficient, T)
        l = fma(t * t, r, t, T)
        kT = k.astype(T)  # exact
        if T is np.float32:
            return fma(kT, _LOG_LN2[T][0], l, T)
        ln2_hi, ln2_lo = _LOG_LN2[T]
        return fma(kT, ln2_hi, fma(kT, ln2_lo, l, T), T)


# ---------------------------------------------------------------------------
# Section 6. Inverse normal CDF
# ---------------------------------------------------------------------------

# Branches in order: (bound B_i or None for the last, centre C_i or None for
# the central branch, coefficients lowest power first), docs/stream.md section 6.
INVERSE_NORMAL_BRANCHES = {
    np.float32: [
        (6.25, None, [
            "0x1.40d932p+0", "0x1.4ffdc8p-2", "0x1.0ba648p-6", "-0x1.b1ff08p-9", "-0x1.5e3a44p-13",
            "0x1.bb572cp-15", "0x1.5ba966p-17", "-0x1.168722p-18", "0x1.257634p-21", "-0x1.2a74ep-25",
            "0x1.efd564p-31",
        ]),
        (21.25, 2.5, [
            "0x1.a6d9eep+1", "0x1.639e86p+0", "0x1.989b8cp-5", "-0x1.6f3a6p-5", "0x1.db8566p-6",
            "-0x1.909a94p-7", "0x1.606a74p-9", "-0x1.827846p-20", "-0x1.1171c8p-13", "0x1.48f3e6p-16",
        ]),
        (None, 4.625, [
            "0x1.94ac0ep+2", "0x1.6dc428p+0", "0x1.0469c6p-12", "-0x1.05263p-11", "0x1.487678p-13",
            "-0x1.0cb01ep-15", "0x1.11343ep-18", "-0x1.fec09p-23",
        ]),
    ],
    np.float64: [
        (5.0, None, [
            "0x1.40d931ff62706p+0", "0x1.4ffddeaa22d8cp-2", "0x1.0b9a8ec5be067p-6", "-0x1.b0d7e36cc6894p-9",
            "-0x1.7bc0e1b3cb41bp-13", "0x1.147b6fd171ce8p-14", "0x1.7f6f989505e62p-19", "-0x1.80753c9a9e797p-20",
            "-0x1.c1eca749e0bb8p-25", "0x1.117065c0210e4p-25", "0x1.8288b0fdaf1aap-30", "-0x1.08a3e82a3cb21p-30",
            "0x1.883de1181a28p-34", "-0x1.d4b536fb3ad36p-36", "0x1.e20b95d51f6e3p-37", "-0x1.d674496a33f8p-39",
            "0x1.ecdf23bcdabfap-42", "-0x1.fb6525e63524p-46", "-0x1.4603eebab23fcp-53", "0x1.87044e5a5982dp-53",
            "-0x1.ba0446ead4ae8p-57", "0x1.5e83e1ca0c83bp-62",
        ]),
        (12.0, 2.25, [
            "0x1.7ae6225a68851p+1", "0x1.5aae83dac4bd8p+0", "0x1.7f820453d71f8p-4", "-0x1.2db21d6c879fcp-4",
            "0x1.f8a9ad3b573b5p-6", "0x1.f30af3d409d1fp-10", "-0x1.2b366395f033p-7", "0x1.6ab931e254fa1p-9",
            "0x1.cda7c5554024dp-10", "-0x1.65bc233d72b75p-10", "-0x1.2fe08ab1f45c7p-14", "0x1.5f1224c15c8c3p-12",
            "0x1.9ee5db132f4cbp-15", "-0x1.0ddeca34ba272p-12", "0x1.9dd90bab48a95p-13", "-0x1.5b18879c441b3p-14",
            "0x1.62504a604ee54p-16", "-0x1.a054032019256p-19", "0x1.b2345976210c6p-23",
        ]),
        (43.5, 3.4375, [
            "0x1.2832456f8819fp+2", "0x1.6c8c8c261017p+0", "0x1.561930030f524p-8", "-0x1.b6720403520ecp-9",
            "0x1.ee3cfaceb27b2p-10", "-0x1.3f2b39a6426bp-10", "0x1.8ec7e793f409fp-11", "-0x1.882d63ca4fa73p-12",
            "0x1.d0f8db0049487p-14", "0x1.0c53385a78d05p-17", "-0x1.f92c8c87405bap-16", "0x1.1e16fdca71e45p-16",
            "-0x1.088379b3501cfp-18", "-0x1.3e3bf64645f7cp-20", "0x1.a526cc32ba068p-20", "-0x1.b2ed66683bb27p-21",
            "0x1.2a86df7c18021p-22", "-0x1.29e6627d7bd5cp-24", "0x1.b707e433fe595p-27", "-0x1.d53873848136cp-30",
            "0x1.59a7267c62f84p-33", "-0x1.3ade481a95385p-37", "0x1.0bc3758ac84bep-42",
        ]),
        (110.0, 6.625, [
            "0x1.25bc9442ac6c8p+3", "0x1.6d4a4e145a9f2p+0", "-0x1.7cdb0ce609372p-11", "-0x1.027f973670247p-17",
            "0x1.d433c0e8eaec2p-17", "-0x1.dd57933e4d4e9p-19", "0x1.791149c97fabcp-21", "-0x1.0b6d939d29005p-23",
            "0x1.6484e12b53996p-26", "-0x1.c64777d6facb8p-29", "0x1.146df364dad6bp-31", "-0x1.3ab32bd7e9e1p-34",
            "0x1.40665272d0a2ap-37", "-0x1.1035193965e7fp-40", "0x1.5ef15abf660fdp-44", "-0x1.29744755c2848p-48",
            "0x1.e84d5e55bf10fp-54",
        ]),
        (280.0, 10.5, [
            "0x1.d65b44828412dp+3", "0x1.6c1404519ee5p+0", "-0x1.ded5830b4df3cp-12", "0x1.998848c3f7205p-16",
            "-0x1.04eeb90f2b95dp-20", "-0x1.3e4777ba78b36p-27", "0x1.2ee6e097104fp-27", "-0x1.93d95d524c147p-30",
            "0x1.a1e10f5b85803p-33", "-0x1.81fe23eaa8fd1p-36", "0x1.488c5532285f5p-39", "-0x1.fd826527ba6f7p-43",
            "0x1.59117234fec37p-46", "-0x1.7e1b76fc43b1ep-50", "0x1.3bea4463c699ep-54", "-0x1.537db0e2b06eep-59",
            "0x1.5e8e8dcdeba83p-65",
        ]),
        (None, 16.75, [
            "0x1.792f4f1b328bcp+4", "0x1.6b23844c3076p+0", "-0x1.7d6a9cacfd8acp-13", "0x1.08e5f7a642f72p-17",
            "-0x1.6bf1472de7d0ep-22", "0x1.de9f9adedde86p-27", "-0x1.1d4a4694a7b66p-31", "0x1.08f5f66c937b5p-36",
            "-0x1.574b561c1abcep-44", "-0x1.53e80f587996dp-45", "0x1.34a3a698ce61ep-48", "-0x1.7d3cd738b6eb4p-52",
            "0x1.722480f82f164p-56", "-0x1.17061bac2ee1dp-60", "0x1.31613e9dff03fp-65", "-0x1.ab822078ddd7dp-71",
            "0x1.1cd493ba1888bp-77",
        ]),
    ],
}
# The bounds and centres are short binary fractions: T(c) is exact.
_BRANCHES = {
    T: [
        (None if bound is None else T(bound), None if centre is None else T(centre),
         [_exact_constant(c, T) for c in coeffs])
        for bound, centre, coeffs in branches
    ]
    for T, branches in INVERSE_NORMAL_BRANCHES.items()
}


def _horner_fma(coeffs, v, T):
    """b = B[n]; b = fma(b, v, B[j]) for j = n-1 .. 0."""
    b = np.full_like(v, coeffs[-1])
    for coefficient in reversed(coeffs[:-1]):
        b = fma(b, v, coefficient, T)
    return b


def tail_w(q, dtype):
    """Section 6: w = -L(fma(-q, q, q + q)) for q = 2p (the fma forms
    q(2 - q) = 1 - x'^2 with one rounding; q + q is exact)."""
    T = _working(dtype)
    q = np.asarray(q, dtype=T)
    with np.errstate(all="ignore"):
        y = fma(-q, q, q + q, T)
        return -log_portable(y, T)


def branch_index(w, dtype):
    """Section 6: the index of the first branch whose bound B_i exceeds w
    (the last branch has none), as an int array."""
    T = _working(dtype)
    w = np.asarray(w, dtype=T)
    branches = _BRANCHES[T]
    index = np.full(w.shape, len(branches) - 1, dtype=np.intp)
    chosen = np.zeros(w.shape, dtype=bool)
    for i, (bound, _, _) in enumerate(branches[:-1]):
        take = ~chosen & (w < bound)
        index[take] = i
        chosen |= take
    return index


def inverse_normal(q, xp, dtype):
    """Section 6: V(q, x') = Phi^-1(1 - p) for p in (0, 1/2], given as
    q = 2p and x' = 1 - 2p in the working format T:

        w = -L(fma(-q, q, q + q))
        P = B_0(w) on the central branch, B_i(sqrt(w) - C_i) on tail branch i
            (the first branch whose bound exceeds w), Horner with fma
        V = x' * P

    Each element is computed on its own branch only (the value of an element
    never depends on its neighbours)."""
    T = _working(dtype)
    q, xp = np.broadcast_arrays(np.asarray(q, dtype=T), np.asarray(xp, dtype=T))
    shape = q.shape
    q = q.reshape(-1)
    xp = xp.reshape(-1)
    w = tail_w(q, T)
    index = branch_index(w, T)
    poly = np.empty_like(w)
    with np.errstate(all="ignore"):
        for i, (_, centre, coeffs) in enumerate(_BRANCHES[T]):
            here = index == i
            if not here.any():
                continue
            v = w[here] if centre is None else np.sqrt(w[here]) - centre
            poly[here] = _horner_fma(coeffs, v, T)
        return (xp * poly).reshape(shape)


def inverse_normal_upper(p, dtype):
    """V(p + p, 1 - (p + p)) for p in (0, 1/2] in the working format: V with
    its arguments formed from a tail probability as section 8 forms them
    (q = p + p exact, x' = 1 - q rounded)."""
    T = _working(dtype)
    p = np.asarray(p, dtype=T)
    q = p + p
    return inverse_normal(q, T(1.0) - q, T)


# ---------------------------------------------------------------------------
# Section 7. Normal numbers
# ---------------------------------------------------------------------------


def _unsigned_to_float(n, T):
    """fl(n) of an unsigned N-bit integer, the correctly rounded conversion,
    as fl(fl(n >> h) * 2^h + fl(n & (2^h - 1))) with h = N/2 (both addends
    exact, the sum the one rounding: section 7)."""
    half = 16 if T is np.float32 else 32
    utype = n.dtype.type
    high = (n >> utype(half)).astype(T) * T(2.0**half)
    low = (n & utype((1 << half) - 1)).astype(T)
    return high + low


def normal_arguments(x, dtype):
    """Section 7: (q, x', s) of the words x (uint32 for the f32 working
    format, the uint64 lo | hi << 32 for f64), N = 32 or 64:

        s  = x >> (N-1)
        a  = ((x << 1) | 1) mod 2^N         (2j + 1, 2p 2^N with p = (j + 1/2) 2^-N)
        m  = (0 - a) mod 2^N                (x' 2^N)
        q  = fl(a) * 2^-N,  x' = fl(m) * 2^-N
    s is returned as a bool array."""
    T = _working(dtype)
    utype, bits = (np.uint32, 32) if T is np.float32 else (np.uint64, 64)
    x = np.asarray(x, dtype=utype)
    sign = (x >> utype(bits - 1)) != 0
    a = (x << utype(1)) | utype(1)  # the shift drops bit N-1: mod 2^N
    m = ~a + utype(1)  # 0 - a mod 2^N; a is odd, so ~a + 1 does not wrap
    scale = T(2.0**-bits)
    return _unsigned_to_float(a, T) * scale, _unsigned_to_float(m, T) * scale, sign


def _normal_params(T, mean, std):
    return {"mean": T(float(mean)), "std": T(float(std))}


def _normal(x, T, prm):
    """Section 7: z = s ? -V(q, x') : V(q, x'); y = T(mean) + T(std)*z."""
    q, xp, sign = normal_arguments(x, T)
    v = inverse_normal(q, xp, T)
    z = np.where(sign, -v, v)
    return prm["mean"] + prm["std"] * z


# ---------------------------------------------------------------------------
# Section 8. Truncated normal numbers
# ---------------------------------------------------------------------------

TRUNC_LIMIT = {np.float32: 10.0, np.float64: 37.0}  # refusal, in standard deviations
PMIN = {np.float32: np.float32(2.0**-96), np.float64: np.float64(2.0**-1022)}


def unit_U(x, dtype):
    """Section 8: U in (0, 1] from the whole word, U = fl((x + 1/2) 2^-N).

    f32: U = fl32(fl32(x >> 16) * 2^-16 + (fl32(x & 0xffff) + 0.5) * 2^-32)
    f64: U = fl64(fl64(x >> 32) * 2^-32 + (fl64(x & 0xffffffff) + 0.5) * 2^-64)
    """
    T = _working(dtype)
    if T is np.float32:
        x = np.asarray(x, dtype=np.uint32)
        hi = (x >> np.uint32(16)).astype(np.float32) * np.float32(2.0**-16)
        lo = ((x & np.uint32(0xFFFF)).astype(np.float32) + np.float32(0.5)) * np.float32(2.0**-32)
        return hi + lo
    x = np.asarray(x, dtype=np.uint64)
    hi = (x >> np.uint64(32)).astype(np.float64) * np.float64(2.0**-32)
    lo = ((x & np.uint64(_MASK32)).astype(np.float64) + np.float64(0.5)) * np.float64(2.0**-64)
    return hi + lo




def _trunc_normal_params(T, mean, std, a, b):
    """Section 8, host part (binary64): alpha, beta, mirroring, fa, fw.

    Refuses (ValueError) intervals lying entirely beyond 10 (f32) or 37 (f64)
    standard deviations on one side, i.e. beta' < -limit after mirroring
    (equivalently alpha > limit or beta < -limit); the boundary
    beta' == -limit is accepted.  std == 0 gives alpha = -inf, beta = +inf:
    every draw is the mean, clamped into [a, b]."""
    mean, std, a, b = float(mean), float(std), float(a), float(b)
    if std == 0.0:
        alpha, beta = -math.inf, math.inf
    else:
        alpha = (a - mean) / std
        beta = (b - mean) / std
    if alpha + beta > 0:
        a1, b1, sigma = -beta, -alpha, -1.0
    else:
        a1, b1, sigma = alpha, beta, 1.0
    limit = TRUNC_LIMIT[T]
    if b1 < -limit:
        raise ValueError(
            f"truncated normal interval lies entirely beyond {limit:g} standard "
            "deviations: its probability mass is not representable"
        )
    pa = normal_cdf(a1)
    pb = normal_cdf(b1)
    return {
        "fa": T(pa),
        "fw": T(pb - pa),
        "sigma": T(sigma),
        "alpha": T(alpha),
        "beta": T(beta),
        "mean": T(mean),
        "std": T(std),
        "a": T(a),
        "b": T(b),
    }


def _trunc_normal_tail(x, T, prm):
    """Section 8, per element up to V's arguments: (q, x', lower) with

        u = fa + fw*U;  p = (u < 0.5) ? u : 1 - u;  p = max(p, PMIN)
        q = p + p;  x' = 1 - q;  lower = u < 0.5"""
    U = unit_U(x, T)
    with np.errstate(all="ignore"):
        u = prm["fa"] + prm["fw"] * U
        lower = u < T(0.5)
        p = _clamp_max(np.where(lower, u, T(1.0) - u), PMIN[T])
        q = p + p
        return q, T(1.0) - q, lower


def trunc_normal_arguments(x, dtype, **params):
    """Section 8: (q, x', lower) of the words x (uint32, or the uint64
    lo | hi << 32 for float64) of a truncated-normal fill with ``params``
    (mean, std, a, b): the arguments of V and whether z is negated."""
    T = _working(dtype)
    utype = np.uint32 if T is np.float32 else np.uint64
    return _trunc_normal_tail(np.asarray(x, dtype=utype), T, params_for("trunc_normal", T, **params))


def _trunc_normal(x, T, prm):
    """Section 8, per element:
        z = lower ? -V(q, x') : V(q, x')
        z = min(max(sigma*z, T(alpha)), T(beta))
        y = min(max(T(mean) + T(std)*z, T(a)), T(b))"""
    q, xp, lower = _trunc_normal_tail(x, T, prm)
    with np.errstate(all="ignore"):
        v = inverse_normal(q, xp, T)
        z = np.where(lower, -v, v)
        z = _clamp_min(_clamp_max(prm["sigma"] * z, prm["alpha"]), prm["beta"])
        y = prm["mean"] + prm["std"] * z
        return _clamp_min(_clamp_max(y, prm["a"]), prm["b"])


# ---------------------------------------------------------------------------
# Section 9. Normal CDF (host side, binary64 Python floats)
# ---------------------------------------------------------------------------

# fdlibm e_exp.c constants
EXP_LN2_HI = 6.93147180369123816490e-01  # fdlibm ln2HI[0]
EXP_LN2_LO = 1.90821492927058770002e-10  # fdlibm ln2LO[0]
EXP_INV_LN2 = 1.44269504088896338700e00  # fdlibm invln2
INV_SQRT_2PI = 0.398942280401432677940  # 1/sqrt(2 pi)


def exp_host(y):
    """Section 9: exp(y) for y in [-704, 0]:
    k = trunc(y*INV_LN2 - 0.5); r = (y - k*LN2_HI) - k*LN2_LO;
    e = 1; for n = 13..1: e = 1 + (e*r)/n; result e * 2^k."""
    y = float(y)
    k = math.trunc(y * EXP_INV_LN2 - 0.5)
    fk = float(k)
    r = (y - fk * EXP_LN2_HI) - fk * EXP_LN2_LO
    e = 1.0
    for n in range(13, 0, -1):
        e = 1.0 + (e * r) / float(n)
    return math.ldexp(e, k)  # exact: e * 2^k is a normal number here


def normal_cdf(x):
    """Section 9: Phi(x) in binary64.

        Phi(x) = 0                                   x < -37.5
        Phi(x) = 1                                   x > 37.5
        Phi(x) = 0.5 + phi(x) * S(x)                 |x| < 2.5
            S = x + x^3/3 + ..., 59 terms after x, term_n = (term_{n-1} * x^2) / (2n+1)
        tail = phi(x) / (t + M), t = |x|, M = 0; for n = 120..1: M = n / (t + M)
        Phi(x) = tail (x < 0), 1 - tail (x > 0)      |x| >= 2.5
        phi(x) = exp(-0.5*(x*x)) * 0.398942280401432677940

    S is summed forward (x + term_1 + term_2 + ...) with x2 = x*x computed
    once.  ORACLE CHOICE (the contract does not say): NaN returns NaN.
    """
    x = float(x)
    if x != x:
        return math.nan
    if x < -37.5:
        return 0.0
    if x > 37.5:
        return 1.0
    phi = exp_host(-0.5 * (x * x)) * INV_SQRT_2PI
    if abs(x) < 2.5:
        x2 = x * x
        term = x
        s = x
        for n in range(1, 60):
            term = (term * x2) / float(2 * n + 1)
            s = s + term
        return 0.5 + phi * s
    t = abs(x)
    m = 0.0
    for n in range(120, 0, -1):
        m = float(n) / (t + m)
    tail = phi / (t + m)
    return tail if x < 0 else 1.0 - tail


# ---------------------------------------------------------------------------
# Section 10. Output formats
# ---------------------------------------------------------------------------


def f32_to_bfloat16(y):
    """Section 10: float32 -> bfloat16, round to nearest even on the bits:
    (x + 0x7FFF + ((x >> 16) & 1)) >> 16 for non-NaN (infinities pass through,
    overflow goes to infinity); NaN -> quiet NaN with the same sign."""
    if BFLOAT16 is None:  # pragma: no cover
        raise RuntimeError("ml_dtypes is needed for bfloat16")
    y = np.ascontiguousarray(y, dtype=np.float32)
    bits = y.view(np.uint32)
    with np.errstate(all="ignore"):
        rounded = (bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) >> np.uint32(16)
        quiet = (bits >> np.uint32(16)) | np.uint32(0x0040)
    out = np.where(np.isnan(y), quiet, rounded).astype(np.uint16)
    return out.view(BFLOAT16)


def _to_output(y, dt):
    """Section 10: float32/float64 as computed; float16 and bfloat16 rounded to
    nearest even from the f32 value."""
    if dt == np.float16:
        with np.errstate(over="ignore"):  # overflow to +-inf is the RNE result
            return np.asarray(y, dtype=np.float32).astype(np.float16)
    if BFLOAT16 is not None and dt == BFLOAT16:
        return f32_to_bfloat16(y)
    return np.asarray(y, dtype=dt)


# ---------------------------------------------------------------------------
# Fills
# ---------------------------------------------------------------------------

_DEFAULTS = {
    "uniform": {"low": 0.0, "high": 1.0},
    "normal": {"mean": 0.0, "std": 1.0},
    "trunc_normal": {"mean": 0.0, "std": 1.0, "a": -2.0, "b": 2.0},
    "bits": {},
}


def _params(kind, params):
    if kind not in _DEFAULTS:
        raise ValueError(f"unknown kind {kind!r}")
    unknown = set(params) - set(_DEFAULTS[kind])
    if unknown:
        raise TypeError(f"unexpected parameters for {kind}: {sorted(unknown)}")
    out = dict(_DEFAULTS[kind])
    out.update(params)
    return out


def params_for(kind, dtype, **params):
    """The working-format parameters of a fill (sections 3, 7, 8), as a dict of
    numpy scalars of the working format T.  Defaults (ORACLE CHOICE, the
    contract gives none): uniform low=0, high=1; normal mean=0, std=1;
    trunc_normal mean=0, std=1, a=-2, b=2.  Raises ValueError on the
    truncated-normal refusal of section 8."""
    prm = _params(kind, params)
    if kind == "bits":
        return {}
    T = _working(dtype)
    if kind == "uniform":
        return _uniform_params(T, prm["low"], prm["high"])
    if kind == "normal":
        return _normal_params(T, prm["mean"], prm["std"])
    return _trunc_normal_params(T, prm["mean"], prm["std"], prm["a"], prm["b"])


def from_words(kind, dtype, w, **params):
    """Values of a fill of ``kind`` in ``dtype`` from its u32 words ``w``
    (len w = words_per_element(dtype) * N), as a flat array of dtype."""
    dt = np.dtype(dtype)
    ndt = _native(dt)
    w = np.ascontiguousarray(w, dtype=np.uint32).reshape(-1)
    if kind == "bits":
        _params(kind, params)
        if ndt == np.uint32:
            out = w.copy()
        elif ndt == np.uint64:
            out = _join64(w)
        else:
            raise ValueError("bits fills take uint32 or uint64")
        return out.astype(dt, copy=False)
    if ndt not in _FLOAT_OUT:
        raise ValueError(f"{kind} fills take a float format, not {dtype!r}")
    T = _working(ndt)
    prm = params_for(kind, ndt, **params)
    x = _join64(w) if T is np.float64 else w
    with np.errstate(all="ignore"):
        if kind == "uniform":
            y = _uniform(x, T, prm)
        elif kind == "normal":
            y = _normal(x, T, prm)
        else:
            y = _trunc_normal(x, T, prm)
    return _to_output(y, ndt).astype(dt, copy=False)


def fill(kind, shape, dtype, key, stream=0, position=0, **params):
    """A new array of ``shape`` and ``dtype`` holding the logical tensor of a
    fill at generator position ``position`` (C order, section 2).

    kind: "uniform" (low, high), "normal" (mean, std), "trunc_normal"
    (mean, std, a, b) or "bits" (dtype uint32/uint64).  dtype: float16,
    bfloat16, float32, float64 (float kinds), uint32/uint64 (bits);
    non-native byte order gives the same values byte-swapped.
    Raises ValueError if position + w*N > 2^66 (or position outside
    [0, 2^66]) and on the truncated-normal refusal of section 8.
    The generator position after the fill is position + w*N.
    """
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(operator.index(d) for d in shape)
    if any(d < 0 for d in shape):
        raise ValueError("negative dimension")
    dt = np.dtype(dtype)
    n = math.prod(shape)
    w = words_per_element(dt)
    pos = operator.index(position)
    if pos < 0 or pos > POSITION_LIMIT or pos + w * n > POSITION_LIMIT:
        raise ValueError(
            f"fill needs words [{pos}, {pos + w * n}), beyond the 2^66-word stream"
        )
    _check_stream(stream)
    # validate kind/dtype/parameters (and the section 8 refusal) before drawing
    if kind != "bits":
        params_for(kind, _native(dt), **params)
    ws = words(key, stream, pos, w * n)
    return from_words(kind, dt, ws, **params).reshape(shape)


# ---------------------------------------------------------------------------
# Section 11. Complex numbers
#
# Section 11.2 is plain f64 arithmetic without fma: it is written here with
# Python floats (IEEE binary64, one rounding per operation; math.sqrt is
# correctly rounded), element by element, in the order the contract gives.
# ---------------------------------------------------------------------------

_COMPLEX_PART = {np.dtype(np.complex64): np.float32, np.dtype(np.complex128): np.float64}

SQRT_HALF = float.fromhex("0x1.6a09e667f3bcdp-1")
SIN_PI = [float.fromhex(c) for c in (
    "0x1.921fb54442d18p+1", "-0x1.4abbce625be53p+2", "0x1.466bc6775aae2p+1", "-0x1.32d2cce62bd86p-1",
    "0x1.50783487ee782p-4", "-0x1.e3074fde8871fp-8", "0x1.e8f434d018d63p-12", "-0x1.6fadb9f155744p-16",
    "0x1.aaec32af93359p-21")]
COS_PI = [float.fromhex(c) for c in (
    "0x1p+0", "-0x1.3bd3cc9be45dep+2", "0x1.03c1f081b5ac4p+2", "-0x1.55d3c7e3cbffap+0",
    "0x1.e1f506891babbp-3", "-0x1.a6d1f2a204a8cp-6", "0x1.f9d38a3763cc3p-10", "-0x1.b6e24f44b128fp-14",
    "0x1.20c62c2f2d7f5p-18")]
ONE_MINUS_E_M4 = float.fromhex("0x1.f69f5523ef618p-1")   # A
E_M4 = float.fromhex("0x1.2c155b8213cf4p-6")             # E
TRUNCATED_COMPLEX_STD = float.fromhex("0x1.ec8642be975ffp-1")   # CT
_R64 = [float(c) for c in _LOG_R[np.float64]]
_LN2_HI, _LN2_LO = (float(c) for c in _LOG_LN2[np.float64])


def sin_cos_pi(v):
    """Section 11.2: (cos(pi v), sin(pi v)) of one f64 v in (-1, 1), as (c, s)."""
    a = abs(v)
    a1 = 1.0 - a if a > 0.5 else a
    b = 0.5 - a1 if a1 > 0.25 else a1
    b2 = b * b
    p = SIN_PI[8]
    for j in range(7, -1, -1):
        p = p * b2 + SIN_PI[j]
    sb = b * p
    q = COS_PI[8]
    for j in range(7, -1, -1):
        q = q * b2 + COS_PI[j]
    cb = q
    sa, ca = (cb, sb) if a1 > 0.25 else (sb, cb)
    c = -ca if a > 0.5 else ca
    s = -sa if v < 0 else sa
    return c, s


def _log1p_poly(t):
    """t + (t*t) * R(t), R by Horner with a multiply then an add (section 11.2)."""
    r = _R64[19]
    for i in range(18, -1, -1):
        r = r * t + _R64[i]
    return t + (t * t) * r


def _log_no_fma(y):
    """Section 11.2's L'(y): section 5's f64 reduction, then no fma."""
    Y = struct.unpack("<q", struct.pack("<d", y))[0]
    H = 0x3FE6A09E667F3BCD
    k = (Y - H) >> 52                   # Python's >> on int is arithmetic
    f = struct.unpack("<d", struct.pack("<q", Y - (k << 52)))[0]
    t = f - 1.0
    l = _log1p_poly(t)
    kf = float(k)
    return kf * _LN2_HI + (kf * _LN2_LO + l)


def truncated_modulus_squared(u):
    """Section 11.2: sigma in [0, 4] for u in (0, 1), the inverse CDF of Exp(1) truncated to [0, 4]."""
    if u <= 0.25:
        t = -(ONE_MINUS_E_M4 * u)
        sigma = -_log1p_poly(t)
    else:
        y = (1.0 - u) + E_M4 * u
        sigma = -_log_no_fma(y)
    return 4.0 if sigma > 4.0 else sigma


def _complex_parts(w, T):
    """The components x1 (real part) and x2 (imaginary part) of each element: its first and second word
    (complex64) or u64 (complex128), section 11."""
    x = _join64(w) if T is np.float64 else np.asarray(w, dtype=np.uint32).reshape(-1)
    return x[0::2], x[1::2]


def complex_from_words(kind, dtype, w, **params):
    """Values of a complex fill from its u32 words (2 per complex64 element, 4 per complex128), flat.

    kind "normal" (mean: real or complex, std), "disc" (variance) or "truncated" (variance): section 11.1,
    the disc and the complex truncated normal of section 11.2 with variance = scale / n."""
    dt = np.dtype(dtype)
    ndt = _native(dt)
    T = _COMPLEX_PART[ndt]
    x1, x2 = _complex_parts(w, T)
    out = np.empty(x1.size, dtype=ndt)
    with np.errstate(all="ignore"):
        if kind == "normal":
            mean = complex(params.get("mean", 0.0))
            s = float(params.get("std", 1.0)) * SQRT_HALF
            out.real = _normal(x1, T, {"mean": T(mean.real + 0.0), "std": T(s)})
            out.imag = _normal(x2, T, {"mean": T(mean.imag + 0.0), "std": T(s)})
            return out.astype(dt, copy=False)
        variance = float(params["variance"])
        if kind == "disc":
            K = math.sqrt(2.0 * variance)
        elif kind == "truncated":
            K = math.sqrt(variance) / TRUNCATED_COMPLEX_STD
        else:
            raise ValueError(f"unknown complex kind {kind!r}")
        v1 = uniform_unit(x1, T).astype(np.float64)
        v2 = uniform_unit(x2, T).astype(np.float64)
        re = np.empty(x1.size, np.float64)
        im = np.empty(x1.size, np.float64)
        for i in range(x1.size):
            u = abs(float(v1[i]))
            c, s = sin_cos_pi(float(v2[i]))
            rho = K * math.sqrt(u if kind == "disc" else truncated_modulus_squared(u))
            re[i] = rho * c
            im[i] = rho * s
        out.real = re.astype(T)   # one rounding to nearest-even into T
        out.imag = im.astype(T)
    return out.astype(dt, copy=False)


def complex_fill(kind, shape, dtype, key, stream=0, position=0, **params):
    """A new complex array of ``shape`` holding a complex fill at ``position`` (section 11): element k
    takes the 2w words from position + 2wk, w the words of its real component."""
    shape = tuple(operator.index(d) for d in ((shape,) if isinstance(shape, (int, np.integer)) else shape))
    dt = np.dtype(dtype)
    T = _COMPLEX_PART[_native(dt)]
    n = math.prod(shape)
    per = 2 * (2 if T is np.float64 else 1)
    ws = words(key, stream, operator.index(position), per * n)
    return complex_from_words(kind, dt, ws, **params).reshape(shape)
# Section 12. Structured initialisers: sparse_, the one whose bits are exact
# ---------------------------------------------------------------------------

def sparse(shape, dtype, key, stream=0, position=0, *, sparsity, std=0.01):
    """sparse_'s output for a (rows, cols) tensor at generator position
    ``position``: normal values from ``position``, then in each column the
    ceil(sparsity * rows) rows with the smallest key words (ties to the lower
    row) set to +0. The generator position after it is
    position + (w + 1) * rows * cols."""
    rows, cols = (operator.index(d) for d in shape)
    dt = np.dtype(dtype)
    w = words_per_element(dt)
    out = fill("normal", (rows, cols), dt, key, stream, position, mean=0.0, std=std)
    keys = words(key, stream, position + w * rows * cols, rows * cols)
    n_zeros = math.ceil(sparsity * rows)
    for j in range(cols):
        column = [int(k) for k in keys[j * rows:(j + 1) * rows]]
        for i in sorted(range(rows), key=lambda i: (column[i], i))[:n_zeros]:
            out[i, j] = 0
    return out


# ---------------------------------------------------------------------------
# Section 13: parameter streams
# ---------------------------------------------------------------------------

PARAMETER_STREAM_DOMAIN = b"xinit-c/parameter-stream/1" + b"\0"


def parameter_stream(name, stream=0):
    """S(N, s): the stream id of the tensor named ``name`` (a str, UTF-8 encoded) under base stream ``stream``."""
    _check_stream(stream)
    digest = hashlib.sha256(PARAMETER_STREAM_DOMAIN + int(stream).to_bytes(8, "little")
                            + name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little")


def parameter_fill(kind, name, shape, dtype, key, stream=0, position=0, **params):
    """The fill of ``kind`` for the tensor named ``name`` under the base generator (key, stream, position):
    the same fill on the generator (key, S(name, stream), position)."""
    return fill(kind, shape, dtype, key, parameter_stream(name, stream), position, **params)


# ---------------------------------------------------------------------------
# Section 14: JAX keys
# ---------------------------------------------------------------------------

JAX_KEY_DOMAIN = b"xinit-c/jax-key/1" + b"\0"


def jax_key_generator(words):
    """((k0, k1), stream, position) of the JAX key whose uint32 data is ``words`` (2 or 4 of them)."""
    words = [int(w) for w in words]
    if len(words) not in (2, 4) or not all(0 <= w < 2**32 for w in words):
        raise ValueError(f"a JAX key is 2 or 4 uint32 words, got {words}")
    digest = hashlib.sha256(JAX_KEY_DOMAIN + b"".join(w.to_bytes(4, "little") for w in words)).digest()
    key = (int.from_bytes(digest[0:4], "little"), int.from_bytes(digest[4:8], "little"))
    return key, int.from_bytes(digest[8:16], "little"), 0


def jax_key_fill(kind, words, shape, dtype, **params):
    """The fill of ``kind`` from the generator of the JAX key whose data is ``words``."""
    key, stream, position = jax_key_generator(words)
    return fill(kind, shape, dtype, key, stream, position, **params)
