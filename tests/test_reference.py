"""Tests of the oracle (tests/reference.py) itself against docs/stream.md,
exact rational arithmetic, mpmath and scipy, and of the compiled fills against
the oracle on chosen words (near the branch bounds and in the far tails).
The accuracy of the transform: tests/test_accuracy.py."""

import math
import os
import sys
from fractions import Fraction

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402
import xinit_c as xi  # noqa: E402
from bfloat16 import bfloat16_dtype, bfloat16_param  # noqa: E402

# the bfloat16 cases skip, saying why, where ml_dtypes is missing
ALL_FLOATS = [np.dtype(np.float16), bfloat16_param(id="dtype1"), np.dtype(np.float32), np.dtype(np.float64)]


@pytest.fixture
def mp():
    """mpmath, for the tests that measure against it; they skip where it is missing."""
    return pytest.importorskip("mpmath")
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
    assert R.words_per_element(np.float32) == 1
    assert R.words_per_element(np.uint32) == 1
    assert R.words_per_element(np.float64) == 2
    assert R.words_per_element(np.uint64) == 2
    assert R.words_per_element(bfloat16_dtype()) == 1   # last: skips where ml_dtypes is missing


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
# Sections 3, 7 and 8: integer-to-float steps
# ---------------------------------------------------------------------------


def _round_f32(x):
    """Fraction x rounded to nearest-even binary32 (as a Python float), by
    comparing distances to the candidates around the binary64 rounding;
    independent of the oracle's integer rounding routine."""
    if x == 0:
        return 0.0
    if abs(x) >= Fraction(2**128 - 2**103):  # half way from the largest binary32 to 2^128
        return math.inf if x > 0 else -math.inf
    near = np.float32(float(x))
    with np.errstate(over="ignore"):  # the neighbour of the largest value is inf: dropped below
        cands = {near, np.nextafter(near, np.float32(np.inf)), np.nextafter(near, np.float32(-np.inf))}
    if np.isinf(near):
        cands.add(np.copysign(np.finfo(np.float32).max, near))
    cands = [c for c in cands if np.isfinite(c)]
    best = min(cands, key=lambda c: (abs(Fraction(float(c)) - x), int(np.array(c).view(np.uint32)) & 1))
    return float(best)


def _round_f64(x):
    """Fraction x rounded to nearest-even binary64: CPython's correctly
    rounded integer division (subnormals included), overflow to inf."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


ROUND_EXACT = {np.float32: _round_f32, np.float64: _round_f64}


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


def test_normal_arguments_edge_words():
    # j = 0 gives the smallest q = 2^-N+1 (p = 2^-(N+1)); j = 2^(N-1) - 1 gives p just below 1/2
    x = np.array([0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x7FFFFF7F, 0x00800000, 0x00800001],
                 dtype=np.uint32)
    q, xp, s = R.normal_arguments(x, np.float32)
    assert q.dtype == np.float32 and xp.dtype == np.float32
    assert [bool(t) for t in s] == [False, False, False, True, True, False, False, False]
    assert float(q[0]) == 2.0**-32 and float(xp[0]) == 1.0  # m = 2^32 - 1 rounds up to 2^32
    assert float(q[1]) == 3 * 2.0**-32
    assert float(q[2]) == 1.0 and float(xp[2]) == 2.0**-32  # a = 2^32 - 1 rounds to 2^32
    assert float(q[3]) == float(q[0]) and float(q[4]) == float(q[2])  # the sign bit is not in j
    # a = 2^32 - 257 rounds up (its 8 dropped bits are all ones); m = 257 is exact
    assert float(q[5]) == (2**32 - 256) * 2.0**-32 and float(xp[5]) == 257 * 2.0**-32
    # a = 2^24 + 1 and 2^24 + 3 are binary32 ties: to even
    assert float(q[6]) == 2**24 * 2.0**-32 and float(q[7]) == (2**24 + 4) * 2.0**-32
    x64 = np.array([0, 2**63 - 1, 2**63, 2**64 - 1], dtype=np.uint64)
    q64, xp64, s64 = R.normal_arguments(x64, np.float64)
    assert [float(t) for t in q64] == [2.0**-64, 1.0, 2.0**-64, 1.0]
    assert [float(t) for t in xp64] == [1.0, 2.0**-64, 1.0, 2.0**-64]
    assert [bool(t) for t in s64] == [False, False, True, True]


@pytest.mark.parametrize("T,utype,bits", [(np.float32, np.uint32, 32), (np.float64, np.uint64, 64)])
def test_normal_arguments_are_correctly_rounded(T, utype, bits):
    """q = fl(2j + 1) 2^-N and x' = fl(2^N - 2j - 1) 2^-N, with fl the
    correctly rounded conversion (the oracle forms it from two halves)."""
    rng = np.random.default_rng(0)
    p = FMT[T][1]
    random_j = [int(j) for j in rng.integers(0, 2 ** (bits - 1), 1000, dtype=np.uint64)]
    # an odd a (or m) of p + 1 bits is exactly half way between two values of T
    tie_a = [int(j) for j in rng.integers(2 ** (p - 1), 2**p, 200, dtype=np.uint64)]
    tie_m = [(2**bits - (2 * int(h) + 1) - 1) // 2 for h in rng.integers(2 ** (p - 1), 2**p, 200, dtype=np.uint64)]
    near_tie = [j ^ 1 for j in tie_a] + [(j << 1) | 1 for j in tie_a[:100]]
    j = np.array(random_j + tie_a + tie_m + near_tie, dtype=np.uint64)
    sign = rng.integers(0, 2, j.size, dtype=np.uint64) << np.uint64(bits - 1)
    x = (j | sign).astype(utype)
    q, xp, s = R.normal_arguments(x, T)
    for xi, qi, xpi, si in zip(x, q, xp, s):
        xi = int(xi)
        j = xi & ((1 << (bits - 1)) - 1)
        assert bool(si) == bool(xi >> (bits - 1))
        assert float(qi) == ROUND_EXACT[T](Fraction(2 * j + 1, 1 << bits)), hex(xi)
        assert float(xpi) == ROUND_EXACT[T](Fraction((1 << bits) - 2 * j - 1, 1 << bits)), hex(xi)


def test_unit_U_exact_values():
    x = np.array([0, 1, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF], dtype=np.uint32)
    U = R.unit_U(x, np.float32)
    assert U.dtype == np.float32
    assert float(U[0]) == 2.0**-33 and float(U[1]) == 1.5 * 2.0**-32
    assert float(U[-1]) == 1.0 and float(U[4]) == 0.5
    x64 = np.array([0, 2**63 - 1, 2**63, 2**64 - 1], dtype=np.uint64)
    assert [float(t) for t in R.unit_U(x64, np.float64)] == [2.0**-65, 0.5, 0.5, 1.0]
    rng = np.random.default_rng(1)
    xs = rng.integers(0, 2**32, 300, dtype=np.uint64).astype(np.uint32)
    U = R.unit_U(xs, np.float32)
    assert [float(t) for t in U] == [_round_f32(Fraction(2 * int(t) + 1, 2**33)) for t in xs]


def test_trunc_normal_arguments_follow_section_8():
    """q = 2 max(p, PMIN) with p = u or 1 - u, x' = fl(1 - q), from
    u = fa + fw*U, for an interval reaching far into the lower tail."""
    params = dict(mean=0.0, std=1.0, a=-11.5, b=-9.5)
    prm = R.params_for("trunc_normal", np.float32, **params)
    x = np.concatenate([_rand_words(2000, 9), EDGE_WORDS])
    q, xp, lower = R.trunc_normal_arguments(x, np.float32, **params)
    U = R.unit_U(x, np.float32)
    for Ui, qi, xpi, li in zip(U, q, xp, lower):
        u = _round_f32(Fraction(float(prm["fw"])) * Fraction(float(Ui)))
        u = _round_f32(Fraction(float(prm["fa"])) + Fraction(u))
        p = u if u < 0.5 else 1.0 - u
        p = max(p, 2.0**-96)
        assert bool(li) == (u < 0.5)
        assert float(qi) == 2 * p and float(xpi) == _round_f32(1 - Fraction(2 * p))
    assert float(q.min()) == 2.0**-95  # fa = Phi(-11.5) < PMIN and the word 0 reaches the clamp


def test_constants_are_the_contracts(mp):
    """The log split point H is the encoding of T(sqrt(1/2)), LN2_HI + LN2_LO
    is ln 2 to far below binary64 resolution, every coefficient is a value of
    its format (the oracle refuses others at import) and the branch bounds and
    centres are exact in T."""
    with mp.workdps(60):
        assert np.float32(float(mp.sqrt(0.5))).view(np.uint32) == 0x3F3504F3
        assert np.float64(float(mp.sqrt(0.5))).view(np.uint64) == 0x3FE6A09E667F3BCD
        hi, lo = (float.fromhex(c) for c in R.LOG_LN2[np.float64])
        assert abs(mp.mpf(hi) + mp.mpf(lo) - mp.log(2)) < mp.mpf(2) ** -100
        assert float.fromhex(R.LOG_LN2[np.float32][0]) == float(np.float32(float(mp.log(2))))
    for T, branches in R.INVERSE_NORMAL_BRANCHES.items():
        for bound, centre, coeffs in branches:
            for c in (bound, centre):
                if c is not None:
                    assert float(T(c)) == c
            for c in coeffs:
                assert float(T(float.fromhex(c))) == float.fromhex(c), c
    assert [len(b[2]) - 1 for b in R.INVERSE_NORMAL_BRANCHES[np.float32]] == [10, 9, 7]
    assert [len(b[2]) - 1 for b in R.INVERSE_NORMAL_BRANCHES[np.float64]] == [21, 18, 22, 16, 16, 16]
    assert [len(R.LOG_R[T]) - 1 for T in (np.float32, np.float64)] == [7, 19]


# ---------------------------------------------------------------------------
# Section 4: fused multiply-add emulation against exact rational arithmetic
# ---------------------------------------------------------------------------

FMT = {np.float32: (np.uint32, 24), np.float64: (np.uint64, 53)}


def _fma_exact(a, b, c, T):
    """IEEE-754 fusedMultiplyAdd of Python floats (values of T), rounding to
    nearest-even, from exact Fraction arithmetic and the IEEE special-value
    rules."""
    if math.isnan(a) or math.isnan(b) or math.isnan(c):
        return math.nan
    if math.isinf(a) or math.isinf(b):
        if a == 0 or b == 0:
            return math.nan
        prod_inf = math.copysign(math.inf, math.copysign(1, a) * math.copysign(1, b))
        if math.isinf(c) and c != prod_inf:
            return math.nan
        return prod_inf
    if math.isinf(c):
        return c
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact != 0:
        return ROUND_EXACT[T](exact)
    product_sign = math.copysign(1, a) * math.copysign(1, b)
    if (a == 0 or b == 0) and c == 0 and product_sign < 0 and math.copysign(1, c) < 0:
        return -0.0
    return 0.0


def _same(got, want):
    return (math.isnan(got) and math.isnan(want)) or (got == want and math.copysign(1, got) == math.copysign(1, want))


def _assert_fma_exact(T, a, b, c, what):
    got = R.fma(a, b, c, T)
    assert got.dtype == T and got.shape == a.shape
    bad = [
        (float(x).hex(), float(y).hex(), float(z).hex(), float(g).hex(), want.hex())
        for x, y, z, g in zip(a, b, c, got)
        if not _same(float(g), want := _fma_exact(float(x), float(y), float(z), T))
    ]
    assert not bad, (what, len(bad), bad[:5])


def _random_significands(rng, n, T):
    """Values in [1, 2) with random full-width significands."""
    utype, p = FMT[T]
    one = np.array(1.0, T).view(utype)
    frac = rng.integers(0, 2 ** (p - 1), n, dtype=np.uint64).astype(utype)
    return (one | frac).view(T)


def _scaled(sig, exps, T):
    return (sig.astype(np.float64) * np.exp2(exps.astype(np.float64))).astype(T) if T is np.float32 \
        else np.ldexp(sig, exps.astype(np.int64))


def _signs(rng, n, T):
    return rng.choice(np.array([-1.0, 1.0], T), n)


def fma_hard_cases(T, n, seed):
    """{category: (a, b, c)} of constructed hard cases, n per category."""
    rng = np.random.default_rng(seed)
    utype, p = FMT[T]
    fi = np.finfo(T)
    emax = int(fi.maxexp) - 1
    emin = int(fi.minexp)
    cases = {}
    with np.errstate(all="ignore"):
        raw = rng.integers(0, 2**fi.bits, n, dtype=np.uint64).astype(utype).view(T)
        cases["random bits"] = (raw, np.roll(raw, 1), np.roll(raw, 2))

        ea = rng.integers(-40, 40, n)
        eb = rng.integers(-40, 40, n)
        a = _scaled(_random_significands(rng, n, T), ea, T) * _signs(rng, n, T)
        b = _scaled(_random_significands(rng, n, T), eb, T) * _signs(rng, n, T)
        k = rng.integers(-(2 * p + 4), 2 * p + 5, n)
        c = _scaled(_random_significands(rng, n, T), ea + eb + k, T) * _signs(rng, n, T)
        cases["interacting"] = (a, b, c)

        steps = rng.integers(-3, 4, n)
        c = -(a * b)
        for i in range(n):
            for _ in range(abs(int(steps[i]))):
                c[i] = np.nextafter(c[i], T(np.inf) if steps[i] > 0 else T(-np.inf))
        cases["cancellation"] = (a, b, c)

        # a*b = m * (half an ulp of c), m odd: c + a*b is a midpoint (a tie)
        c = _scaled(_random_significands(rng, n, T), rng.integers(-60, 60, n), T) * _signs(rng, n, T)
        half_ulp = np.spacing(np.abs(c)) / T(2)
        m = (2 * rng.integers(0, 8, n) + 1).astype(T)
        cases["ties"] = (m * _signs(rng, n, T), half_ulp, c)
        # the same off by one unit of the product's last place either way
        b_near = np.where(rng.random(n) < 0.5, np.nextafter(half_ulp, T(0)), np.nextafter(half_ulp, T(np.inf)))
        cases["near ties"] = (m * _signs(rng, n, T), b_near, c)
        # a*b = half an ulp of c times (1 - 2^-2q): a sum rounded once to a
        # wider format lands on the midpoint and the second rounding goes wrong
        qexp = rng.integers(p // 2, p, n)
        a_trap = (T(1) - np.exp2(-qexp.astype(np.float64)).astype(T)) * _signs(rng, n, T)
        b_trap = (T(1) + np.exp2(-qexp.astype(np.float64)).astype(T)) * half_ulp
        cases["double-rounding traps"] = (a_trap, b_trap, c)

        # products in and below the subnormal range, with zero, subnormal or normal c
        ea = rng.integers(emin - p - 10, emin // 2, n)
        eb = emin - ea + rng.integers(-p - 8, 4, n)
        a = _scaled(_random_significands(rng, n, T), ea, T) * _signs(rng, n, T)
        b = _scaled(_random_significands(rng, n, T), eb, T) * _signs(rng, n, T)
        choice = rng.integers(0, 4, n)
        c_sub = (rng.integers(0, 2 ** (p - 1), n, dtype=np.uint64).astype(utype)).view(T) * _signs(rng, n, T)
        c_norm = _scaled(_random_significands(rng, n, T), rng.integers(emin, emin + p + 4, n), T)
        c = np.where(choice == 0, T(0) * _signs(rng, n, T), np.where(choice == 1, c_sub, c_norm * _signs(rng, n, T)))
        cases["subnormal products"] = (a, b, c)

        # the overflow threshold: c near the largest finite value, a*b around its half ulp
        top = np.full(n, fi.max, T) * _signs(rng, n, T)
        for i in range(n):
            for _ in range(int(rng.integers(0, 3))):
                top[i] = np.nextafter(top[i], T(0))
        half_ulp_top = T(2.0 ** (emax - p))
        a = np.array([1.0, 1.0, 0.5, 2.0, 3.0], T)[rng.integers(0, 5, n)]
        b = np.where(rng.random(n) < 0.5, half_ulp_top, np.nextafter(half_ulp_top, T(0))) * _signs(rng, n, T)
        b = np.where(rng.random(n) < 0.2, np.nextafter(b, T(np.inf)), b)
        a_big = _scaled(_random_significands(rng, n, T), np.full(n, emax // 2), T)
        b_big = _scaled(_random_significands(rng, n, T), np.full(n, emax - emax // 2), T)
        big = rng.random(n) < 0.3
        cases["overflow threshold"] = (np.where(big, a_big, a), np.where(big, b_big, b), top)
    return cases


def fma_special_cases(T):
    fi = np.finfo(T)
    sub = np.array(fi.smallest_subnormal if hasattr(fi, "smallest_subnormal") else 0, T)
    vals = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, 3.0, float(fi.max), -float(fi.max),
                     float(fi.tiny), float(sub), -float(sub)], T)
    a, b, c = np.meshgrid(vals, vals, vals, indexing="ij")
    return a.ravel(), b.ravel(), c.ravel()


@pytest.mark.parametrize("T", [np.float32, np.float64])
def test_fma_special_values(T):
    _assert_fma_exact(T, *fma_special_cases(T), "specials")


@pytest.mark.parametrize("T", [np.float32, np.float64])
def test_fma_hard_cases(T):
    for what, (a, b, c) in fma_hard_cases(T, 1500, seed=20260101).items():
        _assert_fma_exact(T, a, b, c, what)


@pytest.mark.slow
@pytest.mark.parametrize("T", [np.float32, np.float64])
def test_fma_hard_cases_many(T):
    for seed in range(20):
        for what, (a, b, c) in fma_hard_cases(T, 10000, seed=seed).items():
            _assert_fma_exact(T, a, b, c, what)


def test_fma_cases_have_teeth():
    """The constructed traps and ties are what they claim: binary64 addition
    without round-to-odd misrounds many binary32 traps, and ties that stay
    in c's binade round to an even significand."""
    cases = fma_hard_cases(np.float32, 1500, seed=7)
    a, b, c = cases["double-rounding traps"]
    naive = (a.astype(np.float64) * b.astype(np.float64) + c.astype(np.float64)).astype(np.float32)
    assert np.count_nonzero(naive != R.fma(a, b, c, np.float32)) > 100
    a, b, c = cases["ties"]
    # a tie goes to even: the result's last significand bit is 0 wherever it rounded
    got = R.fma(a, b, c, np.float32)
    rounded = (got != c) & (np.spacing(np.abs(got)) == np.spacing(np.abs(c)))
    assert np.count_nonzero(rounded) > 1000
    assert np.all(got.view(np.uint32)[rounded] & 1 == 0)


def test_round_rational_against_cpython():
    rng = np.random.default_rng(3)
    for _ in range(3000):
        x = Fraction(int(rng.integers(1, 2**62)), int(rng.integers(1, 2**62))) * Fraction(2) ** int(rng.integers(-1150, 1050))
        x = -x if rng.random() < 0.5 else x
        assert float(R.round_rational(x, np.float64)) == _round_f64(x)
        assert float(R.round_rational(x, np.float32)) == _round_f32(x)
    for x in (Fraction(2**1024 - 2**970), Fraction(2**1024 - 2**970 - 1), Fraction(1, 2**1075),
              Fraction(3, 2**1075), Fraction(2**128 - 2**103), Fraction(1, 2**150), Fraction(3, 2**150)):
        assert float(R.round_rational(x, np.float64)) == _round_f64(x)
        assert float(R.round_rational(x, np.float32)) == _round_f32(x)


# ---------------------------------------------------------------------------
# Section 5: logarithm
# ---------------------------------------------------------------------------


def _ulps(mp, value, exact, T):
    """|value - exact| in units of the spacing of T in the binade of exact."""
    p = FMT[T][1]
    e = mp.floor(mp.log(abs(exact), 2))
    return float(abs(mp.mpf(float(value)) - exact) / mp.mpf(2) ** (e - p + 1))


@pytest.mark.parametrize("T,lo,hi", [(np.float32, -126, 127), (np.float64, -1022, 1023)])
def test_log_portable_accuracy(mp, T, lo, hi):
    rng = np.random.default_rng(42)
    xs = np.exp2(rng.uniform(lo, hi, 300)).astype(T)
    near_one = (1 + rng.uniform(-0.35, 0.5, 300)).astype(T)
    split = np.array(0x3F3504F3, np.uint32).view(np.float32) if T is np.float32 \
        else np.array(0x3FE6A09E667F3BCD, np.uint64).view(np.float64)
    special = np.array(
        [np.finfo(T).tiny, np.finfo(T).max, 2, 0.5, split, 2 * split,
         np.nextafter(split, T(3)), np.nextafter(split, T(0)), np.nextafter(2 * split, T(0)),
         np.nextafter(T(1), T(0)), np.nextafter(T(1), T(2)), 2 ** -33, 2 ** -96, 0.075],
        dtype=T,
    )
    xs = np.concatenate([xs, near_one, special])
    L = R.log_portable(xs, T)
    assert L.dtype == T
    with mp.workdps(40):
        worst = max(_ulps(mp, l, mp.log(mp.mpf(float(x))), T) for x, l in zip(xs, L) if x != 1)
    assert worst <= 1.5, worst
    assert float(R.log_portable(np.array([1.0], T), T)[0]) == 0.0


# ---------------------------------------------------------------------------
# Section 6: inverse normal CDF (structure; accuracy: tests/test_accuracy.py)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("T", [np.float32, np.float64])
def test_branch_selection_at_the_bounds(T):
    branches = R.INVERSE_NORMAL_BRANCHES[T]
    for i, (bound, _, _) in enumerate(branches[:-1]):
        w = np.array([bound, np.nextafter(T(bound), T(0)), np.nextafter(T(bound), T(np.inf))], T)
        assert list(R.branch_index(w, T)) == [i + 1, i, i + 1]
    assert list(R.branch_index(np.array([-0.0, 0.0, 1e3], T), T)) == [0, 0, len(branches) - 1]


@pytest.mark.parametrize("T,pmin", [(np.float32, 2.0**-96), (np.float64, 2.0**-1022)])
def test_inverse_normal_shape(T, pmin):
    """V is 0 at p = 1/2, decreasing in p down to PMIN, and every branch is
    reached; of the normal fills' words only j = 0 (p = 2^-(N+1)) reaches the
    first far one."""
    assert float(R.inverse_normal(T(1.0), T(0.0), T)) == 0.0
    p = np.unique(np.geomspace(pmin, 0.5, 4000).astype(T))
    v = R.inverse_normal_upper(p, T)
    assert v.dtype == T and np.all(np.isfinite(v))
    assert np.all(np.diff(v.astype(np.float64)) <= 0)
    index = R.branch_index(R.tail_w(p + p, T), T)
    assert set(index) == set(range(len(R.INVERSE_NORMAL_BRANCHES[T])))
    utype = np.uint32 if T is np.float32 else np.uint64
    q, xp, _ = R.normal_arguments(np.arange(4, dtype=utype), T)
    far = FIRST_FAR_BRANCH[T]
    assert list(R.branch_index(R.tail_w(q, T), T)) == [far, far - 1, far - 1, far - 1]
    # the far end: about 11.2 (binary32) and 37.5 (binary64) standard deviations
    assert 11.1 < float(v[0]) < 11.3 if T is np.float32 else 37.4 < float(v[0]) < 37.6


@pytest.mark.parametrize("T", [np.float32, np.float64])
def test_tail_w_rounds_y_once(T):
    """w = -L(y) with y = fma(-q, q, q + q) = q(2 - q) rounded once."""
    rng = np.random.default_rng(5)
    q = np.concatenate([rng.random(500), np.exp2(rng.uniform(-60, 0, 500))]).astype(T)
    y_exact = np.array([ROUND_EXACT[T](Fraction(float(v)) * (2 - Fraction(float(v)))) for v in q], T)
    assert np.array_equal(R.tail_w(q, T), -R.log_portable(y_exact, T))
    twice_rounded = q + q - q * q
    assert np.count_nonzero(twice_rounded != y_exact) > 20  # the single rounding matters


# ---------------------------------------------------------------------------
# Section 9: normal CDF
# ---------------------------------------------------------------------------


def test_exp_host_accuracy(mp):
    mp.mp.dps = 30
    for y in np.concatenate([np.linspace(-704, 0, 301), [-1e-300, -0.3465, -0.3466, -703.125]]):
        ref = mp.exp(mp.mpf(float(y)))
        assert abs(mp.mpf(R.exp_host(float(y))) - ref) <= 4e-16 * ref, y


def test_normal_cdf_accuracy(mp):
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


def _refuses_beyond_ten_std(dtype):
    # the f32 working format's limit, either side
    for a, b in ((10.5, 12.0), (-12.0, -10.5), (11.0, math.inf), (-math.inf, -10.01)):
        with pytest.raises(ValueError):
            R.fill("trunc_normal", 4, dtype, KEY, mean=0.0, std=1.0, a=a, b=b)
    y = R.fill("trunc_normal", 4, dtype, KEY, mean=0.0, std=1.0, a=9.5, b=12.0)
    assert np.all(y.astype(np.float64) >= _fmt(9.5, dtype))


def test_trunc_normal_refusals():
    # entirely beyond 10 std (f32 working format) or 37 std (f64), either side
    for dtype in (np.float16, np.float32):
        _refuses_beyond_ten_std(dtype)
    for a, b in ((37.5, 40.0), (-math.inf, -37.1)):
        with pytest.raises(ValueError):
            R.fill("trunc_normal", 4, np.float64, KEY, a=a, b=b)
    y = R.fill("trunc_normal", 4, np.float64, KEY, a=36.0, b=40.0)
    assert np.all((y >= 36.0) & (y <= 40.0))
    # scaled: the limit is in standard deviations
    with pytest.raises(ValueError):
        R.fill("trunc_normal", 4, np.float32, KEY, mean=1.0, std=0.1, a=2.05, b=3.0)
    _refuses_beyond_ten_std(bfloat16_dtype())   # last: skips where ml_dtypes is missing


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
    bfloat16 = bfloat16_dtype()
    y = _interesting_f32(7)
    got = R.f32_to_bfloat16(y)
    assert got.dtype == bfloat16
    exp = _rne_to_16(y, 7, -126, 127)
    assert np.array_equal(got.astype(np.float64), exp)
    # sign of zero preserved, NaN stays NaN
    z = R.f32_to_bfloat16(np.array([-0.0, np.nan, -np.nan], np.float32))
    assert _bits(z)[0] == 0x8000 and np.all(np.isnan(z[1:].astype(np.float32)))


# ---------------------------------------------------------------------------
# Statistical sanity (deterministic: fixed key)
# ---------------------------------------------------------------------------

# 10^5 draws by default; 10^6 (tighter) in the slow run
N_STAT = [10**5, pytest.param(10**6, marks=pytest.mark.slow)]
STAT_KEY = (0x0BADF00D, 0x5EED1234)


@pytest.mark.parametrize("n", N_STAT)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ks_uniform(dtype, n):
    stats = pytest.importorskip("scipy.stats")
    y = R.fill("uniform", n, dtype, STAT_KEY, stream=1, low=-2.0, high=3.0)
    assert stats.kstest(y.astype(np.float64), stats.uniform(loc=-2.0, scale=5.0).cdf).pvalue > 1e-4


@pytest.mark.parametrize("n", N_STAT)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ks_normal(dtype, n):
    stats = pytest.importorskip("scipy.stats")
    y = R.fill("normal", n, dtype, STAT_KEY, stream=2, mean=1.0, std=2.0)
    assert stats.kstest(y.astype(np.float64), stats.norm(loc=1.0, scale=2.0).cdf).pvalue > 1e-4
    # tails: fraction beyond 3 sigma matches (binomial, 5 sd)
    frac = np.mean(np.abs(y.astype(np.float64) - 1.0) > 6.0)
    exp = 2 * stats.norm.sf(3.0)
    assert abs(frac - exp) < 5 * math.sqrt(exp / n)


@pytest.mark.parametrize("n", N_STAT)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("a,b", [(-2.0, 2.0), (0.5, 4.0), (-math.inf, -1.0)])
def test_ks_trunc_normal(dtype, a, b, n):
    stats = pytest.importorskip("scipy.stats")
    mean, std = 0.5, 1.5
    y = R.fill("trunc_normal", n, dtype, STAT_KEY, stream=3, mean=mean, std=std, a=a, b=b)
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

# ---------------------------------------------------------------------------
# The compiled fills against the oracle on chosen words
# ---------------------------------------------------------------------------
# For a fixed key Philox is a bijection of the 128-bit counter, and a counter
# is a (block, stream) pair (section 2): inverting it gives the stream and the
# position whose first four words are any four chosen words.  That drives the
# compiled fills through their public API with the words that matter (near
# the branch bounds, in the far tails), in the first lanes of a SIMD vector.

PHILOX_M = (0xD2511F53, 0xCD9E8D57)
PHILOX_W = (0x9E3779B9, 0xBB67AE85)
CHOSEN_KEY = (0x243F6A88, 0x85A308D3)


def philox_counter_for(block_words, key):
    """The counter c with philox(c, key) == block_words: each round
    c' = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0) is undone from the back,
    lo = M*c mod 2^32 by the inverse of the odd multiplier."""
    mask = 0xFFFFFFFF
    inverse = [pow(m, -1, 1 << 32) for m in PHILOX_M]
    c = [int(v) for v in block_words]
    for r in reversed(range(10)):
        k0 = (key[0] + r * PHILOX_W[0]) & mask
        k1 = (key[1] + r * PHILOX_W[1]) & mask
        c0 = (c[3] * inverse[0]) & mask
        c2 = (c[1] * inverse[1]) & mask
        hi0 = (PHILOX_M[0] * c0) >> 32
        hi1 = (PHILOX_M[1] * c2) >> 32
        c = [c0, c[0] ^ hi1 ^ k0, c2, c[2] ^ hi0 ^ k1]
    return c


def test_philox_counter_for_inverts_philox():
    rng = np.random.default_rng(11)
    for _ in range(50):
        block = rng.integers(0, 2**32, 4, dtype=np.uint64)
        c = philox_counter_for(block, KEY)
        assert [int(v) for v in R.philox4x32_10(np.array([c], np.uint32), KEY)[0]] == [int(v) for v in block]


def _as_words(x, T):
    """Section 2: the u32 words of elements x (uint32, or uint64 as lo, hi)."""
    if T is np.float32:
        return np.asarray(x, np.uint32)
    x = np.asarray(x, np.uint64)
    return np.stack([(x & np.uint64(0xFFFFFFFF)), x >> np.uint64(32)], axis=1).astype(np.uint32).ravel()


def _branch_of(kind, T, x, params):
    if kind == "normal":
        q, _, _ = R.normal_arguments(x, T)
    else:
        q, _, _ = R.trunc_normal_arguments(x, T, **params)
    return R.branch_index(R.tail_w(q, T), T)


def near_threshold_elements(kind, T, bound, half_width, params=None, last=None):
    """Elements x (uint32 or uint64) around the one where the oracle's branch
    drops from above ``bound`` (a branch index) to at most ``bound``, found by
    bisection over [0, last] (last: the largest x to consider, by default
    2^(N-1) - 1, the largest magnitude; p grows with x up to there)."""
    params = params or {}
    utype, bits = (np.uint32, 32) if T is np.float32 else (np.uint64, 64)
    lo, hi = 0, (1 << (bits - 1)) - 1 if last is None else last

    def branch(x):
        return int(_branch_of(kind, T, np.array([x], utype), params)[0])

    assert branch(lo) > bound >= branch(hi), (kind, T, bound, params)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if branch(mid) > bound else (lo, mid)
    first = max(0, lo - half_width + 1)
    return np.array([first + i for i in range(min(hi + half_width, last or hi + half_width) - first)], dtype=utype)


FILLS = {"normal": xi.normal_, "trunc_normal": xi.trunc_normal_}


def assert_compiled_matches_oracle(kind, dtype, elements, params, n_elements=256):
    """Fill n_elements around the words of ``elements`` (four words at a
    time, each block at its own stream and position, preceded by 17 to 20
    blocks of that stream so that it lands in a different lane in the middle
    of the vectors, past any alignment peeling), compiled (every SIMD variant
    this CPU runs) and oracle, and compare bit for bit; a mismatch names the
    variant, the element's words and position and both values."""
    dtype = np.dtype(dtype)
    T = R._working(dtype)
    w = R.words_per_element(dtype)
    chosen = _as_words(elements, T)
    chosen = np.concatenate([chosen, np.zeros(-len(chosen) % 4, np.uint32)])
    runs = []
    for index, block in enumerate(chosen.reshape(-1, 4)):
        c = philox_counter_for(block, CHOSEN_KEY)
        block_number, stream = c[0] | c[1] << 32, c[2] | c[3] << 32
        lead = min(17 + index % 4, block_number)
        position = 4 * (block_number - lead)
        n = min(n_elements, (2**66 - position) // w)
        ws = R.words(CHOSEN_KEY, stream, position, w * n)
        assert np.array_equal(ws[4 * lead:4 * lead + 4], block)
        runs.append((stream, position, ws))
    want_all = R.from_words(kind, dtype, np.concatenate([ws for _, _, ws in runs]), **params)
    mismatches = []
    previous = xi.get_simd()
    try:
        for simd in xi.simd_backends():
            xi.set_simd(simd)
            offset = 0
            for stream, position, ws in runs:
                n = len(ws) // w
                want = want_all[offset:offset + n]
                offset += n
                got = FILLS[kind](np.empty(n, dtype), **params,
                                  generator=xi.Generator(key=CHOSEN_KEY, stream=stream, position=position))
                for i in np.flatnonzero(_bits(got) != _bits(want)):
                    mismatches.append(dict(
                        simd=simd, words=[hex(int(v)) for v in ws[w * i:w * (i + 1)]], stream=hex(stream),
                        position=position + w * int(i), compiled=float(got[i]).hex(), oracle=float(want[i]).hex()))
    finally:
        xi.set_simd(previous)
    assert not mismatches, (kind, dtype.name, params, len(mismatches), mismatches[:8])


F32_FORMATS = [np.dtype(np.float16), bfloat16_param(), np.dtype(np.float32)]


def _both_signs(x, T):
    top = np.uint32(1 << 31) if T is np.float32 else np.uint64(1 << 63)
    return np.concatenate([x, x | top])


@pytest.mark.parametrize("dtype", F32_FORMATS, ids=lambda d: d.name)
def test_compiled_normal_f32_at_branch_bounds(dtype):
    T = np.float32
    x = np.concatenate([
        near_threshold_elements("normal", T, 0, 48),  # w = 6.25
        np.arange(4, dtype=np.uint32),  # j = 0 alone reaches the last branch (w >= 21.25)
        np.uint32(2**31 - 1) - np.arange(4, dtype=np.uint32),  # p next to 1/2
    ])
    assert_compiled_matches_oracle("normal", dtype, _both_signs(x, T), dict(mean=0.0, std=1.0))
    assert_compiled_matches_oracle("normal", dtype, _both_signs(x, T), dict(mean=0.25, std=0.02))


def test_compiled_normal_f64_at_branch_bounds():
    T = np.float64
    x = np.concatenate([
        near_threshold_elements("normal", T, 0, 24),  # w = 5
        near_threshold_elements("normal", T, 1, 24),  # w = 12
        np.arange(4, dtype=np.uint64),  # j = 0 alone reaches the first far branch (w >= 43.5)
        np.uint64(2**63 - 1) - np.arange(4, dtype=np.uint64),
    ])
    assert_compiled_matches_oracle("normal", np.float64, _both_signs(x, T), dict(mean=0.0, std=1.0))


# Truncation intervals (mean 0, std 1) whose p reaches the far branches (past a
# normal fill's reach): entirely in them, or crossing into them (then the words
# around the crossing are added).
FAR_TAIL_F32 = [(-9.5, -9.0), (-11.5, -10.0), (9.5, 12.0), (6.0, math.inf), (-math.inf, -9.0), (-math.inf, math.inf)]
FAR_TAIL_F64 = [(-36.0, -35.0), (-40.0, -36.5), (35.0, 40.0), (9.0, math.inf), (-math.inf, -30.0),
                (-24.0, -14.0), (-math.inf, math.inf)]
# The first branch past a normal fill's reach: f32 w >= 21.25, f64 w >= 43.5.
FIRST_FAR_BRANCH = {np.float32: 2, np.float64: 3}


def _far_tail_elements(T, a, b, seed):
    """Random elements, the edge words, and the elements around the first
    far branch's bound when the interval crosses it."""
    params = dict(mean=0.0, std=1.0, a=a, b=b)
    utype, bits = (np.uint32, 32) if T is np.float32 else (np.uint64, 64)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2**bits - 1, 24, dtype=np.uint64, endpoint=True).astype(utype)
    edges = np.array([0, 1, 2, 2**(bits - 1) - 1, 2**(bits - 1), 2**bits - 2, 2**bits - 1], dtype=np.uint64).astype(utype)
    x = np.concatenate([x, edges])
    far = FIRST_FAR_BRANCH[T]
    # the lower half (u < 1/2) is where p grows with x, up to x = 2^N - 1 once mirrored
    _, _, lower = R.trunc_normal_arguments(np.array([2**bits - 1], utype), T, **params)
    end = 2**bits - 1 if lower[0] else 2**(bits - 1) - 1
    branches = _branch_of("trunc_normal", T, np.array([0, end], utype), params)
    if branches[0] >= far > branches[1]:
        x = np.concatenate([x, near_threshold_elements("trunc_normal", T, far - 1, 16, params, last=end)])
    return x, params


@pytest.mark.parametrize("dtype", F32_FORMATS, ids=lambda d: d.name)
@pytest.mark.parametrize("a,b", FAR_TAIL_F32)
def test_compiled_trunc_normal_f32_far_tails(dtype, a, b):
    x, params = _far_tail_elements(np.float32, a, b, seed=12)
    assert_compiled_matches_oracle("trunc_normal", dtype, x, params)


@pytest.mark.parametrize("a,b", FAR_TAIL_F64)
def test_compiled_trunc_normal_f64_far_tails(a, b):
    x, params = _far_tail_elements(np.float64, a, b, seed=13)
    assert_compiled_matches_oracle("trunc_normal", np.float64, x, params)


@pytest.mark.parametrize("T,cases", [(np.float32, FAR_TAIL_F32), (np.float64, FAR_TAIL_F64)])
def test_far_tail_cases_reach_the_far_branches(T, cases):
    """The far-tail cases above do what they are for: every interval sends
    words to the far branches, and the half-infinite ones that reach back
    below them ([6, inf) f32, [9, inf) f64, and the untruncated one) add
    words on both sides of the first far bound; [-24, -14] (f64) crosses the
    bound between the first two far branches."""
    far = FIRST_FAR_BRANCH[T]
    crossing = {(6.0, math.inf), (9.0, math.inf), (-math.inf, math.inf)}
    for a, b in cases:
        x, params = _far_tail_elements(T, a, b, seed=12 if T is np.float32 else 13)
        branches = set(_branch_of("trunc_normal", T, x, params))
        assert max(branches) >= far, (a, b)
        assert (far - 1 in branches) == ((a, b) in crossing), (a, b)
        if (a, b) == (-24.0, -14.0):
            assert {far, far + 1} <= branches
