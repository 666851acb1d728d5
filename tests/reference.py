"""Pure-numpy, bit-exact reference implementation ("the oracle") of the
xinit-c random stream, contract version 1 (``docs/stream.md``).

Written from the contract alone.  Every floating-point step is one IEEE
operation in the stated format, done on numpy arrays (or scalars) of that
dtype, in the order the contract gives; constants are wrapped in
``np.float32(...)``/``np.float64(...)`` so that numpy never promotes a float32
computation to float64.  Branches are computed on every element and selected
with ``np.where`` (under ``np.errstate(all="ignore")``).  Integer steps use
numpy integer dtypes (``>>`` on int32/int64 is an arithmetic shift); float
bits are read with ``.view()``.  The host-side normal CDF (section 9) uses
plain Python floats, which are IEEE binary64.

Only numpy, ml_dtypes (bfloat16) and the standard library are used.

Public API (imported by the package test suite):

* ``philox4x32_10(counter, key)``                         section 1
* ``words(key, stream, position, n)``                     section 2
* ``uniform_unit(x, dtype)``                              section 3
* ``open_p(x, dtype)``, ``unit_U(x, dtype)``              section 4
* ``log_portable(x, dtype)``                              section 5
* ``inverse_normal_upper(p, dtype)``                      section 6
* ``normal_cdf(x)``, ``exp_host(y)``                      section 9
* ``params_for(kind, dtype, **params)``                   sections 3, 7, 8
* ``from_words(kind, dtype, w, **params)``                sections 3, 7, 8, 10
* ``fill(kind, shape, dtype, key, stream=0, position=0, **params)``
* ``key_from_seed(seed)``, ``words_per_element(dtype)``   section 2

Choices the contract leaves open are marked "ORACLE CHOICE" below.
"""

from __future__ import annotations

import math
import operator
from fractions import Fraction

import numpy as np

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
    "open_p",
    "unit_U",
    "log_portable",
    "inverse_normal_upper",
    "exp_host",
    "normal_cdf",
    "params_for",
    "from_words",
    "fill",
    "round_constant",
    "f32_to_bfloat16",
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


def round_constant(value, T):
    """The real number ``value`` (a decimal string, Fraction, int or float)
    rounded to nearest-even in format T (np.float32 or np.float64), directly
    from its exact value (no double rounding through binary64).

    ORACLE CHOICE: the contract says constants are "rounded to T"; a decimal
    literal is read as the exact real it denotes.  (test_reference checks that
    for every constant used here this equals np.float32(float(literal)), so a C
    implementation writing either ``1.6f`` or ``(float)1.6`` agrees.)"""
    x = Fraction(value)
    d = float(x)  # correctly rounded to binary64 (exact integer division)
    if T is np.float64:
        return np.float64(d)
    c = np.float32(d)
    cands = {c, np.nextafter(c, np.float32(np.inf)), np.nextafter(c, np.float32(-np.inf))}
    best = None
    for cand in sorted(cands, key=float):
        if not np.isfinite(cand):
            continue
        err = abs(Fraction(float(cand)) - x)
        key = (err, int(np.array(cand).view(np.uint32)) & 1)
        if best is None or key < best[0]:
            best = (key, cand)
    return np.float32(best[1])


def _clamp_max(x, lo):
    """max(x, lo) as ``x < lo ? lo : x`` (ORACLE CHOICE for signed zeros/NaN:
    the contract does not define min/max there; this keeps x unless it is
    strictly below lo, like the usual C clamp)."""
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
# Section 4. Open uniform numbers for the inverse CDF
# ---------------------------------------------------------------------------


def open_p(x, dtype):
    """Section 4: (p, s), the tail probability p in (0, 0.5] and sign bit s.

    f32 (x uint32): s = x >> 31, j = x & 0x7fffffff,
        p = fl32(fl32(j >> 16) * 2^-16 + (fl32(j & 0xffff) + 0.5) * 2^-32)
    f64 (x uint64): s = x >> 63, j = x & (2^63 - 1), jh = j >> 32,
        jl = j & 0xffffffff, p = fl64(fl64(jh) * 2^-32 + (fl64(jl) + 0.5) * 2^-64)
    s is returned as a bool array.
    """
    T = _working(dtype)
    if T is np.float32:
        x = np.asarray(x, dtype=np.uint32)
        s = (x >> np.uint32(31)) != 0
        j = x & np.uint32(0x7FFFFFFF)
        hi = (j >> np.uint32(16)).astype(np.float32) * np.float32(2.0**-16)
        lo = ((j & np.uint32(0xFFFF)).astype(np.float32) + np.float32(0.5)) * np.float32(2.0**-32)
        return hi + lo, s
    x = np.asarray(x, dtype=np.uint64)
    s = (x >> np.uint64(63)) != 0
    j = x & np.uint64(0x7FFFFFFFFFFFFFFF)
    jh = j >> np.uint64(32)
    jl = j & np.uint64(_MASK32)
    hi = jh.astype(np.float64) * np.float64(2.0**-32)
    lo = (jl.astype(np.float64) + np.float64(0.5)) * np.float64(2.0**-64)
    return hi + lo, s


def unit_U(x, dtype):
    """Section 4: U in (0, 1] over the whole word (truncated normal).

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


# ---------------------------------------------------------------------------
# Section 5. Logarithm
# ---------------------------------------------------------------------------

_LOG_K = {np.float32: 5, np.float64: 10}
_LOG_SQRT2 = {T: round_constant("1.41421356237309504880", T) for T in (np.float32, np.float64)}
_LOG_LN2 = {T: round_constant("0.693147180559945309417", T) for T in (np.float32, np.float64)}
# c_i = T(2 / (2i + 1)), i = 0..K
_LOG_C = {
    T: [round_constant(Fraction(2, 2 * i + 1), T) for i in range(_LOG_K[T] + 1)]
    for T in (np.float32, np.float64)
}


def log_portable(x, dtype):
    """Section 5: ln(x) for positive normal numbers x, in format dtype
    (np.float32 or np.float64):

        e = biased exponent - bias; f = x with exponent 0 (f in [1, 2))
        if f > SQRT2: f = f * 0.5; e = e + 1
        t = f - 1; s = t / (2 + t); z = s*s
        L = s * (c0 + z*(c1 + z*(... + z*cK)))   c_i = T(2/(2i+1))
        ln = T(e) * LN2 + L
    K = 5 (f32), 10 (f64).  Results for zero, subnormal, negative or
    non-finite inputs are meaningless (outside the contract's domain).
    """
    T = _working(dtype)
    x = np.array(x, dtype=T)  # contiguous copy, shape kept (also 0-d)
    with np.errstate(all="ignore"):
        if T is np.float32:
            bits = x.view(np.uint32)
            e = ((bits >> np.uint32(23)) & np.uint32(0xFF)).astype(np.int32) - np.int32(127)
            f = ((bits & np.uint32(0x007FFFFF)) | np.uint32(0x3F800000)).view(np.float32)
        else:
            bits = x.view(np.uint64)
            e = ((bits >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.int64) - np.int64(1023)
            f = ((bits & np.uint64(0x000FFFFFFFFFFFFF)) | np.uint64(0x3FF0000000000000)).view(np.float64)
        big = f > _LOG_SQRT2[T]
        f = np.where(big, f * T(0.5), f)
        e = np.where(big, e + 1, e)
        t = f - T(1.0)
        s = t / (T(2.0) + t)
        z = s * s
        c = _LOG_C[T]
        poly = c[-1]
        for ci in reversed(c[:-1]):
            poly = ci + z * poly
        L = s * poly
        return e.astype(T) * _LOG_LN2[T] + L


# ---------------------------------------------------------------------------
# Section 6. Inverse normal CDF (Wichura, AS 241, Appl. Statist. 37(3), 1988)
# ---------------------------------------------------------------------------

# Coefficient tables, lowest degree first (a_0, a_1, ..., a_n); the
# denominators have b_0 = d_0 = f_0 = 1.  Decimal literals as published.
_AS241 = {
    # PPND7 (about 7 significant digits), evaluated in f32
    np.float32: {
        "A": ["3.3871327179E+00", "5.0434271938E+01", "1.5929113202E+02", "5.9109374720E+01"],
        "B": ["1", "1.7895169469E+01", "7.8757757664E+01", "6.7187563600E+01"],
        "C": ["1.4234372777E+00", "2.7568153900E+00", "1.3067284816E+00", "1.7023821103E-01"],
        "D": ["1", "7.3700164250E-01", "1.2021132975E-01"],
        "E": ["6.6579051150E+00", "3.0812263860E+00", "4.2868294337E-01", "1.7337203997E-02"],
        "F": ["1", "2.4197894225E-01", "1.2258202635E-02"],
    },
    # PPND16 (about 16 significant digits), evaluated in f64
    np.float64: {
        "A": [
            "3.3871328727963666080E0", "1.3314166789178437745E+2",
            "1.9715909503065514427E+3", "1.3731693765509461125E+4",
            "4.5921953931549871457E+4", "6.7265770927008700853E+4",
            "3.3430575583588128105E+4", "2.5090809287301226727E+3",
        ],
        "B": [
            "1", "4.2313330701600911252E+1",
            "6.8718700749205790830E+2", "5.3941960214247511077E+3",
            "2.1213794301586595867E+4", "3.9307895800092710610E+4",
            "2.8729085735721942674E+4", "5.2264952788528545610E+3",
        ],
        "C": [
            "1.42343711074968357734E0", "4.63033784615654529590E0",
            "5.76949722146069140550E0", "3.64784832476320460504E0",
            "1.27045825245236838258E0", "2.41780725177450611770E-1",
            "2.27238449892691845833E-2", "7.74545014278341407640E-4",
        ],
        "D": [
            "1", "2.05319162663775882187E0",
            "1.67638483018380384940E0", "6.89767334985100004550E-1",
            "1.48103976427480074590E-1", "1.51986665636164571966E-2",
            "5.47593808499534494600E-4", "1.05075007164441684324E-9",
        ],
        "E": [
            "6.65790464350110377720E0", "5.46378491116411436990E0",
            "1.78482653991729133580E0", "2.96560571828504891230E-1",
            "2.65321895265761230930E-2", "1.24266094738807843860E-3",
            "2.71155556874348757815E-5", "2.01033439929228813265E-7",
        ],
        "F": [
            "1", "5.99832206555887937690E-1",
            "1.36929880922735805310E-1", "1.48753612908506148525E-2",
            "7.86869131145613259100E-4", "1.84631831751005468180E-5",
            "1.42151175831644588870E-7", "2.04426310338993978564E-15",
        ],
    },
}
# AS 241 split points and shifts, also rounded to T.  ORACLE CHOICE: the
# comparisons q <= 0.425 and r <= 5 are done in T against T(0.425) and T(5)
# (for f32, T(0.425) = 0.42500001192..., which differs from comparing against
# the binary64 0.425 when q == fl32(0.425)).
_AS241_CONST = {"SPLIT1": "0.425", "SPLIT2": "5", "CONST1": "0.180625", "CONST2": "1.6"}

AS241_COEFFS = {
    T: {name: [round_constant(c, T) for c in coeffs] for name, coeffs in tab.items()}
    for T, tab in _AS241.items()
}
AS241_CONSTS = {
    T: {name: round_constant(c, T) for name, c in _AS241_CONST.items()}
    for T in (np.float32, np.float64)
}


def _horner(r, coeffs):
    """((c_n*r + c_{n-1})*r + ...)*r + c_0, one rounding per operation."""
    acc = coeffs[-1] * np.ones_like(r)
    for c in reversed(coeffs[:-1]):
        acc = acc * r + c
    return acc


def inverse_normal_upper(p, dtype):
    """Section 6: V(p) = Phi^-1(1 - p) for p in (0, 0.5] (numpy array of the
    working dtype np.float32 -> PPND7, np.float64 -> PPND16), in that dtype:

        q = 0.5 - p
        if q <= 0.425:  r = 0.180625 - q*q;  V = (q * A(r)) / B(r)
        else:           r = sqrt(-ln(p))           (ln: section 5)
                        if r <= 5: r = r - 1.6;  V = C(r) / D(r)
                        else:      r = r - 5;    V = E(r) / F(r)
    """
    T = _working(dtype)
    p = np.asarray(p, dtype=T)
    K = AS241_COEFFS[T]
    c = AS241_CONSTS[T]
    with np.errstate(all="ignore"):
        q = T(0.5) - p
        # central region
        rc = c["CONST1"] - q * q
        vc = (q * _horner(rc, K["A"])) / _horner(rc, K["B"])
        # tails
        r = np.sqrt(-log_portable(p, T))
        r1 = r - c["CONST2"]
        v1 = _horner(r1, K["C"]) / _horner(r1, K["D"])
        r2 = r - c["SPLIT2"]
        v2 = _horner(r2, K["E"]) / _horner(r2, K["F"])
        vt = np.where(r <= c["SPLIT2"], v1, v2)
        return np.where(q <= c["SPLIT1"], vc, vt).astype(T, copy=False)


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
        Phi(x) = 0.5 + phi(x) * S(x)                 |x| < 2.5
            S = x + x^3/3 + ..., 59 terms after x, term_n = (term_{n-1} * x^2) / (2n+1)
        tail = phi(x) / (t + M), t = |x|, M = 0; for n = 120..1: M = n / (t + M)
        Phi(x) = tail (x < 0), 1 - tail (x > 0)      |x| >= 2.5
        phi(x) = exp(-0.5*(x*x)) * 0.398942280401432677940

    ORACLE CHOICES (the contract does not say): x > 37.5 returns 1.0 (exp is
    only specified on [-704, 0]; for 37.5 < x <= 37.52 the formula gives
    exactly 1.0 as well, since tail < 1e-300); S is summed forward
    (x + term_1 + term_2 + ...) with x^2 = x*x computed once; NaN returns NaN.
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
# Sections 7 and 8. Normal and truncated normal numbers
# ---------------------------------------------------------------------------

TRUNC_LIMIT = {np.float32: 10.0, np.float64: 37.0}  # section 8 refusal, in std
PMIN = {np.float32: np.float32(2.0**-96), np.float64: np.float64(2.0**-1022)}


def _normal_params(T, mean, std):
    return {"mean": T(float(mean)), "std": T(float(std))}


def _normal(x, T, prm):
    """Section 7: z = s ? -V(p) : V(p); y = T(mean) + T(std)*z."""
    p, s = open_p(x, T)
    v = inverse_normal_upper(p, T)
    z = np.where(s, -v, v)
    return prm["mean"] + prm["std"] * z


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


def _trunc_normal(x, T, prm):
    """Section 8, per element:
        u = fa + fw*U
        z = (u < 0.5) ? -V(max(u, PMIN)) : V(max(1 - u, PMIN))
        z = min(max(sigma*z, T(alpha)), T(beta))
        y = min(max(T(mean) + T(std)*z, T(a)), T(b))
    (V is applied once to the selected argument; V is a function, so this is
    the same as computing both branches.)"""
    U = unit_U(x, T)
    with np.errstate(all="ignore"):
        u = prm["fa"] + prm["fw"] * U
        low = u < T(0.5)
        arg = np.where(low, _clamp_max(u, PMIN[T]), _clamp_max(T(1.0) - u, PMIN[T]))
        v = inverse_normal_upper(arg, T)
        z = np.where(low, -v, v)
        z = _clamp_min(_clamp_max(prm["sigma"] * z, prm["alpha"]), prm["beta"])
        y = prm["mean"] + prm["std"] * z
        return _clamp_min(_clamp_max(y, prm["a"]), prm["b"])


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
