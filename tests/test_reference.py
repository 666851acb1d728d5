"""Tests of the oracle (tests/reference.py) itself against docs/stream.md,
mpmath and scipy.  They do not import the package."""

import math
import os
import sys
from fractions import Fraction

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402

mp = pytest.importorskip("mpmath")
ml_dtypes = pytest.importorskip("ml_dtypes")
BF16 = np.dtype(ml_dtypes.bfloat16)

ALL_FLOATS = [np.dtype(np.float16), BF16, np.dtype(np.float32), np.dtype(np.float64)]
KEY = (0x12345678, 0x9ABCDEF0)


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize])


# ---------------------------------------------------------------------------
# Section 1: Philox known answers
# ---------------------------------------------------------------------------

KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    (
        (0xFFFFFFFF,) * 4,
        (0xFFFFFFFF, 0xFFFFFFFF),
        (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD),
    ),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize("ctr,key,expected", KAT)
def test_philox_known_answers(ctr, key, expected):
    out = R.philox4x32_10(np.array([ctr], dtype=np.uint32), key)
    assert out.dtype == np.uint32 and out.shape == (1, 4)
    assert tuple(int(v) for v in out[0]) == expected


def test_philox_batch_is_rowwise():
    ctrs = np.array([k[0] for k in KAT] * 3, dtype=np.uint32)
    rows = R.philox4x32_10(ctrs, KAT[2][1])
    for i, c in enumerate(ctrs):
        assert np.array_equal(rows[i], R.philox4x32_10(c[None, :], KAT[2][1])[0])
    assert tuple(int(v) for v in rows[2]) == KAT[2][2]


def test_words_first_block_is_kat():
    # position 0..3, stream 0, key (0, 0) is philox((0,0,0,0), (0,0))
    assert tuple(int(v) for v in R.words((0, 0), 0, 0, 4)) == KAT[0][2]
    # counter (ffffffff, ffffffff, ffffffff, ffffffff): block 2^64-1, stream 2^64-1
    w = R.words((0xFFFFFFFF, 0xFFFFFFFF), 2**64 - 1, 2**66 - 4, 4)
    assert tuple(int(v) for v in w) == KAT[1][2]


# ---------------------------------------------------------------------------
# Section 2: word positions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start,n",
    [
        (0, 13),
        (1, 7),
        (2, 3),
        (3, 2),
        (5, 11),
        (4 * 2**32 - 3, 9),  # block index crosses 2^32: counter word 1 carries
        (2**64 - 2, 8),
        (2**66 - 5, 5),  # the very last words of the stream
        (2**66 - 12, 12),
    ],
)
def test_words_consistency(start, n):
    for stream in (0, 7, 2**64 - 1):
        block = R.words(KEY, stream, start, n)
        assert block.dtype == np.uint32 and block.shape == (n,)
        single = [int(R.words(KEY, stream, start + i, 1)[0]) for i in range(n)]
        assert [int(v) for v in block] == single
        # any sub-range agrees too
        if n > 3:
            assert np.array_equal(R.words(KEY, stream, start + 1, n - 2), block[1:-1])


@pytest.mark.parametrize("b", [0, 1, 2**32 - 1, 2**32, 2**40 + 7, 2**64 - 1])
@pytest.mark.parametrize("s", [0, 1, 2**32 + 5, 2**64 - 1])
def test_words_counter_layout(b, s):
    ctr = np.array(
        [[b & 0xFFFFFFFF, b >> 32, s & 0xFFFFFFFF, s >> 32]], dtype=np.uint32
    )
    blk = R.philox4x32_10(ctr, KEY)[0]
    for lane in range(4):
        assert int(R.words(KEY, s, 4 * b + lane, 1)[0]) == int(blk[lane])


def test_words_depend_on_stream_and_key():
    base = R.words(KEY, 0, 1000, 64)
    seen = {base.tobytes()}
    for s in (1, 2, 2**32, 2**32 + 1, 2**63, 2**64 - 1):
        w = R.words(KEY, s, 1000, 64)
        assert w.tobytes() not in seen
        seen.add(w.tobytes())
    assert not np.array_equal(R.words((KEY[0] ^ 1, KEY[1]), 0, 1000, 64), base)
    assert not np.array_equal(R.words((KEY[0], KEY[1] ^ 1), 0, 1000, 64), base)
    # the stream id enters only counter words 2 and 3: stream s at block b
    # equals the raw philox of (b, 0, s_lo, s_hi)
    s = 0xDEADBEEF_CAFEF00D
    ctr = np.array([[250, 0, s & 0xFFFFFFFF, s >> 32]], dtype=np.uint32)
    assert np.array_equal(R.words(KEY, s, 1000, 4), R.philox4x32_10(ctr, KEY)[0])


def test_words_bounds():
    assert R.words(KEY, 0, 2**66, 0).shape == (0,)
    assert R.words(KEY, 0, 2**66 - 1, 1).shape == (1,)
    for pos, n in ((2**66 - 5, 6), (2**66, 1), (-1, 1), (0, -1)):
        with pytest.raises(ValueError):
            R.words(KEY, 0, pos, n)
    for s in (-1, 2**64):
        with pytest.raises(ValueError):
            R.words(KEY, s, 0, 1)


def test_key_from_seed():
    st = np.random.SeedSequence(1234).generate_state(2, dtype=np.uint32)
    assert R.key_from_seed(1234) == (int(st[0]), int(st[1]))


# ---------------------------------------------------------------------------
# Fills: word mapping and position accounting
# ---------------------------------------------------------------------------


def test_words_per_element():
    assert R.words_per_element(np.float16) == 1
    assert R.words_per_element(BF16) == 1
    assert R.words_per_element(np.float32) == 1
    assert R.words_per_element(np.uint32) == 1
    assert R.words_per_element(np.float64) == 2
    assert R.words_per_element(np.uint64) == 2


def test_fill_bits_mapping():
    pos = 4 * 2**32 - 3
    w = R.words(KEY, 3, pos, 24)
    b32 = R.fill("bits", (4, 6), np.uint32, KEY, stream=3, position=pos)
    assert b32.dtype == np.uint32 and b32.shape == (4, 6)
    assert np.array_equal(b32.ravel(), w)
    b64 = R.fill("bits", (3, 4), np.uint64, KEY, stream=3, position=pos)
    assert b64.dtype == np.uint64 and b64.shape == (3, 4)
    lo = w[0::2].astype(np.uint64)
    hi = w[1::2].astype(np.uint64)
    assert np.array_equal(b64.ravel(), lo | (hi << np.uint64(32)))
    assert [int(v) for v in b64.ravel()[:2]] == [
        int(w[0]) | int(w[1]) << 32,
        int(w[2]) | int(w[3]) << 32,
    ]


@pytest.mark.parametrize("dtype", ALL_FLOATS)
@pytest.mark.parametrize(
    "kind,params",
    [
        ("uniform", {"low": -1.5, "high": 2.0}),
        ("normal", {"mean": 0.25, "std": 3.0}),
        ("trunc_normal", {"mean": 0.5, "std": 2.0, "a": -1.0, "b": 4.0}),
    ],
)
def test_fill_is_split_consistent(dtype, kind, params):
    """A fill of N1 + N2 elements equals a fill of N1 followed by a fill of N2
    at position P + w*N1; C order; the words are those of section 2."""
    w = R.words_per_element(dtype)
    pos = 2**40 + 1
    whole = R.fill(kind, (5, 7), dtype, KEY, 9, pos, **params)
    assert whole.shape == (5, 7) and whole.dtype == dtype
    first = R.fill(kind, 13, dtype, KEY, 9, pos, **params)
    rest = R.fill(kind, (22,), dtype, KEY, 9, pos + w * 13, **params)
    assert np.array_equal(_bits(whole).ravel(), _bits(np.concatenate([first, rest])))
    ws = R.words(KEY, 9, pos, w * 35)
    assert np.array_equal(_bits(R.from_words(kind, dtype, ws, **params)), _bits(whole).ravel())


def test_fill_position_overflow():
    top = 2**66
    assert R.fill("uniform", 3, np.float32, KEY, position=top - 3).shape == (3,)
    assert R.fill("uniform", 2, np.float64, KEY, position=top - 4).shape == (2,)
    assert R.fill("uniform", 0, np.float64, KEY, position=top).shape == (0,)
    for kind, dtype, n, pos in [
        ("uniform", np.float32, 4, top - 3),
        ("normal", np.float64, 2, top - 3),
        ("bits", np.uint64, 1, top - 1),
        ("trunc_normal", np.float16, 1, top),
        ("uniform", np.float32, 0, top + 1),
    ]:
        with pytest.raises(ValueError):
            R.fill(kind, n, dtype, KEY, position=pos)


def test_byte_swapped_output():
    y = R.fill("normal", 10, np.float32, KEY, position=5)
    ys = R.fill("normal", 10, np.dtype(">f4"), KEY, position=5)
    assert ys.dtype == np.dtype(">f4")
    assert np.array_equal(y, ys.astype(np.float32))


# ---------------------------------------------------------------------------
# Sections 3 and 4: integer-to-float steps
# ---------------------------------------------------------------------------


def test_uniform_unit_exact_values():
    x = np.array([0, 0x7F, 0x80, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF], dtype=np.uint32)
    v = R.uniform_unit(x, np.float32)
    assert v.dtype == np.float32
    assert [float(t) for t in v] == [
        2.0**-24, 2.0**-24, 2.0**-24, 1 - 2.0**-24, -1 + 2.0**-24, -(2.0**-24)
    ]
    x64 = np.array([0, 2**63 - 1, 2**63, 2**64 - 1], dtype=np.uint64)
    v64 = R.uniform_unit(x64, np.float64)
    assert [float(t) for t in v64] == [2.0**-53, 1 - 2.0**-53, -1 + 2.0**-53, -(2.0**-53)]


def test_open_p_and_U_ranges():
    x = np.array([0, 1, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF], dtype=np.uint32)
    p, s = R.open_p(x, np.float32)
    assert p.dtype == np.float32
    assert [float(t) for t in p] == [2.0**-33, 1.5 * 2.0**-32, (0xFFFF + 0.5) * 2.0**-32, 0.5, 2.0**-33, 0.5]
    assert [bool(t) for t in s] == [False] * 4 + [True] * 2
    U = R.unit_U(x, np.float32)
    assert float(U[0]) == 2.0**-33 and float(U[-1]) == 1.0 and float(U[4]) == 0.5
    x64 = np.array([0, 2**63 - 1, 2**63, 2**64 - 1], dtype=np.uint64)
    p64, s64 = R.open_p(x64, np.float64)
    assert [float(t) for t in p64] == [2.0**-65, 0.5, 2.0**-65, 0.5]
    assert [bool(t) for t in s64] == [False, False, True, True]
    U64 = R.unit_U(x64, np.float64)
    assert [float(t) for t in U64] == [2.0**-65, 0.5, 0.5, 1.0]
    # the exact dyadic values round once: compare with exact rational rounding
    rng = np.random.default_rng(0)
    xs = rng.integers(0, 2**32, 2000, dtype=np.uint64).astype(np.uint32)
    p, _ = R.open_p(xs, np.float32)
    exact = [R.round_constant(Fraction(2 * (int(t) & 0x7FFFFFFF) + 1, 2**33), np.float32) for t in xs[:200]]
    assert [float(t) for t in p[:200]] == [float(t) for t in exact]


def test_constants_have_no_double_rounding():
    """Every f32 constant rounded directly from its decimal/rational value
    equals the binary64 value rounded to f32 (so a C `1.6f` and `(float)1.6`
    agree); informs the report on "rounded to T"."""
    lits = [c for tab in R._AS241[np.float32].values() for c in tab]
    lits += list(R._AS241_CONST.values())
    lits += ["1.41421356237309504880", "0.693147180559945309417"]
    for c in lits:
        assert R.round_constant(c, np.float32) == np.float32(float(c)), c
    for i in range(6):
        assert R.round_constant(Fraction(2, 2 * i + 1), np.float32) == np.float32(2 / (2 * i + 1))
    for tab in R._AS241[np.float64].values():
        for c in tab:
            assert R.round_constant(c, np.float64) == np.float64(float(c))


# ---------------------------------------------------------------------------
# Section 5: logarithm
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "T,lo,hi,tol",
    [(np.float32, -126, 127, 3e-7), (np.float64, -1022, 1023, 4e-16)],
)
def test_log_portable_accuracy(T, lo, hi, tol):
    rng = np.random.default_rng(42)
    xs = np.exp2(rng.uniform(lo, hi, 200)).astype(T)
    near_one = (1 + rng.uniform(-0.35, 0.5, 150)).astype(T)
    sqrt2 = R._LOG_SQRT2[T]
    special = np.array(
        [np.finfo(T).tiny, np.finfo(T).max, 1, 2, 0.5, sqrt2,
         np.nextafter(sqrt2, T(3)), np.nextafter(sqrt2, T(0)), 2 ** -33, 2 ** -96, 0.075],
        dtype=T,
    )
    xs = np.concatenate([xs, near_one, special])
    L = R.log_portable(xs, T)
    assert L.dtype == T
    mp.mp.dps = 40
    for x, l in zip(xs, L):
        ref = mp.log(mp.mpf(float(x)))
        err = abs(mp.mpf(float(l)) - ref)
        assert err <= tol * abs(ref), (float(x), float(l), ref)
    assert float(R.log_portable(np.array([1.0], T), T)[0]) == 0.0


# ---------------------------------------------------------------------------
# Section 6: inverse normal CDF accuracy
# ---------------------------------------------------------------------------


def _ref_upper_quantile(p):
    """Phi^-1(1 - p) at 40 digits for the (exactly represented) float p."""
    with mp.workdps(40):
        pm = mp.mpf(float(p))
        if p >= 1e-3:
            return -mp.sqrt(2) * mp.erfinv(2 * pm - 1)
        target = mp.log(pm)
        z = mp.findroot(lambda z: mp.log(mp.ncdf(z)) - target, -mp.sqrt(-2 * target))
        return -z


@pytest.mark.parametrize(
    "T,lo_exp,tol",
    [(np.float32, -96, 2e-6), (np.float64, -1022, 1e-14)],
)
def test_inverse_cdf_accuracy(T, lo_exp, tol):
    c = R.AS241_CONSTS[T]
    ps = np.exp2(np.linspace(lo_exp, -1, 160)).astype(T)
    # branch boundaries: q = 0.425 (p ~ 0.075), r = 5 (p = exp(-25))
    p_split1 = T(0.5) - c["SPLIT1"]
    p_split2 = T(math.exp(-25.0))
    edges = [p_split1, np.nextafter(p_split1, T(0)), np.nextafter(p_split1, T(1)),
             p_split2, np.nextafter(p_split2, T(0)), np.nextafter(p_split2, T(1)),
             T(0.5), np.nextafter(T(0.5), T(0)), T(2.0**lo_exp), T(0.25), T(0.1)]
    ps = np.unique(np.concatenate([ps, np.array(edges, dtype=T)]))
    V = R.inverse_normal_upper(ps, T)
    assert V.dtype == T
    assert np.all(np.isfinite(V))
    assert np.all(np.diff(V.astype(np.float64)) <= 0)  # decreasing in p on the grid
    for p, v in zip(ps, V):
        z = _ref_upper_quantile(p)
        err = abs(mp.mpf(float(v)) - z)
        assert err <= tol * max(1, abs(z)), (float(p), float(v), z)
    assert float(R.inverse_normal_upper(np.array([0.5], T), T)[0]) == 0.0


# ---------------------------------------------------------------------------
# Section 9: normal CDF
# ---------------------------------------------------------------------------


def test_exp_host_accuracy():
    mp.mp.dps = 30
    for y in np.concatenate([np.linspace(-704, 0, 301), [-1e-300, -0.3465, -0.3466, -703.125]]):
        ref = mp.exp(mp.mpf(float(y)))
        assert abs(mp.mpf(R.exp_host(float(y))) - ref) <= 4e-16 * ref, y


def test_normal_cdf_accuracy():
    mp.mp.dps = 30
    xs = np.concatenate([
        np.linspace(-37.5, 8.5, 301),
        [-2.5, np.nextafter(-2.5, 0), 2.5, np.nextafter(2.5, 0), 0.0, -1e-300, 1e-10, -20.0],
    ])
    for x in xs:
        got = R.normal_cdf(float(x))
        ref = mp.ncdf(mp.mpf(float(x)))
        assert isinstance(got, float)
        assert abs(mp.mpf(got) - ref) <= 1e-13 * ref, (float(x), got, ref)
    assert R.normal_cdf(0.0) == 0.5
    assert R.normal_cdf(-37.5) > 0.0
    assert R.normal_cdf(np.nextafter(-37.5, -40)) == 0.0
    assert R.normal_cdf(-math.inf) == 0.0
    assert R.normal_cdf(40.0) == 1.0 and R.normal_cdf(math.inf) == 1.0


# ---------------------------------------------------------------------------
# Symmetry and range properties promised by the contract
# ---------------------------------------------------------------------------


def _rand_words(n, seed):
    return np.random.default_rng(seed).integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32)


EDGE_WORDS = np.array(
    [0, 1, 0x7F, 0x80, 0xFF, 0x7FFFFFFF, 0x80000000, 0x8000007F, 0xFFFFFF80, 0xFFFFFFFF],
    dtype=np.uint32,
)


@pytest.mark.parametrize("dtype", ALL_FLOATS)
@pytest.mark.parametrize("bound", [1.0, 0.1, 3.0e38, 1e-30, 7.25])
def test_uniform_symmetric_bounds_negate(dtype, bound):
    w = np.concatenate([_rand_words(4000, 1), EDGE_WORDS, EDGE_WORDS[::-1]])
    y = R.from_words("uniform", dtype, w, low=-bound, high=bound)
    ny = R.from_words("uniform", dtype, ~w, low=-bound, high=bound)
    assert y.dtype == dtype
    assert np.array_equal(_bits(ny), _bits(-y))  # bit-exact negation


@pytest.mark.parametrize("dtype", ALL_FLOATS)
@pytest.mark.parametrize("std", [1.0, 0.02, 5.5])
def test_normal_sign_bit_negates(dtype, std):
    w = np.concatenate([_rand_words(4000, 2), EDGE_WORDS, EDGE_WORDS[::-1]])
    flip = w.copy()
    if R.words_per_element(dtype) == 1:
        flip ^= np.uint32(0x80000000)
    else:
        flip[1::2] ^= np.uint32(0x80000000)  # bit 63 of lo | hi << 32
    y = R.from_words("normal", dtype, w, mean=0.0, std=std)
    ny = R.from_words("normal", dtype, flip, mean=0.0, std=std)
    # values (a zero result is +0 for both signs, since T(0) + (+-0) = +0)
    assert np.array_equal(ny.astype(np.float64), -(y.astype(np.float64)))


def _fmt(value, dtype):
    """fmt(T(value)) as float64."""
    T = R._working(dtype)
    return float(R._to_output(np.array([T(value)]), np.dtype(dtype))[0])


@pytest.mark.parametrize("dtype", ALL_FLOATS)
@pytest.mark.parametrize(
    "low,high",
    [(0.0, 1.0), (-1.0, 1.0), (-0.01, 0.3), (1.0, 1.0000001), (-3e38, 3e38),
     (1e-40, 2e-40), (-65504.0, 65504.0), (100.0, 100.5), (-1e-3, 1e-3)],
)
def test_uniform_within_bounds(dtype, low, high):
    w = np.concatenate([_rand_words(20000, 3), EDGE_WORDS])
    if R.words_per_element(dtype) == 2:
        w = np.concatenate([w, np.array([0xFFFFFFFF, 0x7FFFFFFF, 0, 0x80000000], np.uint32)])
    y = R.from_words("uniform", dtype, w, low=low, high=high).astype(np.float64)
    assert not np.any(np.isnan(y))
    assert np.all(y >= _fmt(low, dtype)) and np.all(y <= _fmt(high, dtype))


@pytest.mark.parametrize("dtype", ALL_FLOATS)
def test_normal_finite(dtype):
    w = np.concatenate([_rand_words(20000, 4), EDGE_WORDS, EDGE_WORDS[::-1]])
    y = R.from_words("normal", dtype, w, mean=0.0, std=1.0).astype(np.float64)
    assert np.all(np.isfinite(y))
    # the largest |z| comes from p = 2^-33 (f32) or 2^-65 (f64)
    zmax = 6.4 if R.words_per_element(dtype) == 1 else 9.3
    assert np.max(np.abs(y)) < zmax
    extreme = R.from_words("normal", dtype, EDGE_WORDS, mean=0.0, std=1.0).astype(np.float64)
    assert np.all(np.isfinite(extreme)) and np.max(np.abs(extreme)) > 5.0


@pytest.mark.parametrize("dtype", ALL_FLOATS)
@pytest.mark.parametrize(
    "mean,std,a,b",
    [(0.0, 1.0, -2.0, 2.0), (0.0, 1.0, 0.0, math.inf), (1.0, 2.0, -math.inf, -3.0),
     (0.0, 1.0, 6.0, 9.5), (0.0, 1.0, -9.9, -9.0), (5.0, 0.1, 4.0, 5.0), (0.0, 1.0, -40.0, 40.0)],
)
def test_trunc_normal_within_bounds(dtype, mean, std, a, b):
    w = np.concatenate([_rand_words(20000, 5), EDGE_WORDS])
    if R.words_per_element(dtype) == 2:
        w = np.concatenate([w, np.array([0xFFFFFFFF, 0xFFFFFFFF, 0, 0], np.uint32)])
    y = R.from_words("trunc_normal", dtype, w, mean=mean, std=std, a=a, b=b).astype(np.float64)
    assert np.all(np.isfinite(y))
    assert np.all(y >= _fmt(a, dtype)) and np.all(y <= _fmt(b, dtype))


def test_trunc_normal_refusals():
    # entirely beyond 10 std (f32 working format) or 37 std (f64), either side
    for dtype in (np.float16, BF16, np.float32):
        for a, b in ((10.5, 12.0), (-12.0, -10.5), (11.0, math.inf), (-math.inf, -10.01)):
            with pytest.raises(ValueError):
                R.fill("trunc_normal", 4, dtype, KEY, mean=0.0, std=1.0, a=a, b=b)
        y = R.fill("trunc_normal", 4, dtype, KEY, mean=0.0, std=1.0, a=9.5, b=12.0)
        assert np.all(y.astype(np.float64) >= _fmt(9.5, dtype))
    for a, b in ((37.5, 40.0), (-math.inf, -37.1)):
        with pytest.raises(ValueError):
            R.fill("trunc_normal", 4, np.float64, KEY, a=a, b=b)
    y = R.fill("trunc_normal", 4, np.float64, KEY, a=36.0, b=40.0)
    assert np.all((y >= 36.0) & (y <= 40.0))
    # scaled: the limit is in standard deviations
    with pytest.raises(ValueError):
        R.fill("trunc_normal", 4, np.float32, KEY, mean=1.0, std=0.1, a=2.05, b=3.0)


def test_trunc_normal_host_parameters():
    prm = R.params_for("trunc_normal", np.float64, mean=0.0, std=1.0, a=1.0, b=3.0)
    # mirrored: alpha + beta > 0 -> (alpha', beta', sigma) = (-3, -1, -1)
    assert float(prm["sigma"]) == -1.0
    assert float(prm["fa"]) == R.normal_cdf(-3.0)
    assert float(prm["fw"]) == R.normal_cdf(-1.0) - R.normal_cdf(-3.0)
    prm = R.params_for("trunc_normal", np.float32, mean=0.0, std=1.0, a=-2.0, b=2.0)
    assert float(prm["sigma"]) == 1.0 and prm["fa"].dtype == np.float32


# ---------------------------------------------------------------------------
# Section 10: rounding to 16-bit formats
# ---------------------------------------------------------------------------


def _rne_to_16(y32, mant_bits, min_exp, max_exp):
    """Exact round-to-nearest-even of float64-representable f32 values to a
    binary format with mant_bits fraction bits (brute force, float64 math)."""
    out = []
    for v in y32.astype(np.float64):
        if not math.isfinite(v) or v == 0:
            out.append(v)
            continue
        e = max(math.frexp(abs(v))[1] - 1, min_exp)
        q = 2.0 ** (e - mant_bits)
        n = abs(v) / q  # exact: f32 values fit in float64
        f = math.floor(n)
        r = n - f
        if r > 0.5 or (r == 0.5 and f % 2 == 1):
            f += 1
        res = math.copysign(f * q, v)
        if abs(res) >= 2.0 ** (max_exp + 1):
            res = math.copysign(math.inf, v)
        out.append(res)
    return np.array(out)


def _interesting_f32(seed):
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2**32, 3000, dtype=np.uint64).astype(np.uint32)
    y = bits.view(np.float32)
    y = y[np.isfinite(y)]
    # values with ties and near-ties in the 16-bit formats, overflow, subnormals
    base = rng.integers(0, 2**16, 1000, dtype=np.uint64).astype(np.uint32) << np.uint32(16)
    ties = (base | np.uint32(0x8000)).view(np.float32)
    around = np.concatenate([(base | np.uint32(0x7FFF)).view(np.float32), (base | np.uint32(0x8001)).view(np.float32)])
    small = rng.uniform(-1, 1, 2000).astype(np.float32) * np.float32(2.0**-14)
    mid = rng.uniform(-70000, 70000, 2000).astype(np.float32)
    f16ties = np.float32(1.0) + np.float32(2.0**-11) * np.arange(-20, 20, dtype=np.float32)
    extra = np.array([0.0, -0.0, np.inf, -np.inf, 65504.0, 65520.0, 65519.996, 3.4e38, -3.4e38], np.float32)
    vals = np.concatenate([y, ties, around, small, mid, f16ties, extra]).astype(np.float32)
    return vals[np.isfinite(vals) | np.isinf(vals)]


def test_float16_rounding_is_rne():
    y = _interesting_f32(6)
    with np.errstate(over="ignore"):
        got = y.astype(np.float16).astype(np.float64)
    exp = _rne_to_16(y, 10, -14, 15)
    assert np.array_equal(got, exp)
    assert np.array_equal(R._to_output(y, np.dtype(np.float16)).astype(np.float64), exp)


def test_bfloat16_rounding_is_rne():
    y = _interesting_f32(7)
    got = R.f32_to_bfloat16(y)
    assert got.dtype == BF16
    exp = _rne_to_16(y, 7, -126, 127)
    assert np.array_equal(got.astype(np.float64), exp)
    # sign of zero preserved, NaN stays NaN
    z = R.f32_to_bfloat16(np.array([-0.0, np.nan, -np.nan], np.float32))
    assert _bits(z)[0] == 0x8000 and np.all(np.isnan(z[1:].astype(np.float32)))


# ---------------------------------------------------------------------------
# Statistical sanity (deterministic: fixed key)
# ---------------------------------------------------------------------------

N_STAT = 10**6
STAT_KEY = (0x0BADF00D, 0x5EED1234)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ks_uniform(dtype):
    stats = pytest.importorskip("scipy.stats")
    y = R.fill("uniform", N_STAT, dtype, STAT_KEY, stream=1, low=-2.0, high=3.0)
    assert stats.kstest(y.astype(np.float64), stats.uniform(loc=-2.0, scale=5.0).cdf).pvalue > 1e-4


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ks_normal(dtype):
    stats = pytest.importorskip("scipy.stats")
    y = R.fill("normal", N_STAT, dtype, STAT_KEY, stream=2, mean=1.0, std=2.0)
    assert stats.kstest(y.astype(np.float64), stats.norm(loc=1.0, scale=2.0).cdf).pvalue > 1e-4
    # tails: fraction beyond 3 sigma matches (binomial, 5 sd)
    frac = np.mean(np.abs(y.astype(np.float64) - 1.0) > 6.0)
    exp = 2 * stats.norm.sf(3.0)
    assert abs(frac - exp) < 5 * math.sqrt(exp / N_STAT)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("a,b", [(-2.0, 2.0), (0.5, 4.0), (-math.inf, -1.0)])
def test_ks_trunc_normal(dtype, a, b):
    stats = pytest.importorskip("scipy.stats")
    mean, std = 0.5, 1.5
    y = R.fill("trunc_normal", N_STAT, dtype, STAT_KEY, stream=3, mean=mean, std=std, a=a, b=b)
    ref = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    assert stats.kstest(y.astype(np.float64), ref.cdf).pvalue > 1e-4


def test_trunc_normal_zero_std_is_the_clamped_mean():
    # std == 0: alpha = -inf, beta = +inf, every draw is the mean clamped into [a, b]
    y = R.fill("trunc_normal", 5, np.float32, KEY, mean=0.0, std=0.0, a=-2.0, b=2.0)
    assert np.all(y == 0.0)
    y = R.fill("trunc_normal", 5, np.float64, KEY, mean=0.0, std=0.0, a=0.0, b=2.0)
    assert np.all(y == 0.0)
    y = R.fill("trunc_normal", 5, np.float64, KEY, mean=3.0, std=0.0, a=-1.0, b=2.0)
    assert np.all(y == 2.0)