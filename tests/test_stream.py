"""The compiled fills against the pure-numpy oracle (tests/reference.py), bit
for bit, and the published Philox known answers."""

import numpy as np
import pytest

import reference
import xinit_c as xi
from xinit_c import _core

KAT = [  # Random123 examples/kat_vectors: philox4x32_10
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]

PARAMS = {
    "uniform": [dict(low=-0.7, high=0.7), dict(low=0.0, high=1.0), dict(low=-3.0, high=11.5)],
    "normal": [dict(mean=0.0, std=1.0), dict(mean=0.25, std=0.02)],
    "trunc_normal": [dict(mean=0.0, std=1.0, a=-2.0, b=2.0), dict(mean=1.0, std=0.5, a=1.2, b=3.0),
                     dict(mean=0.0, std=2.0, a=-np.inf, b=-1.0), dict(mean=0.0, std=1.0, a=-9.0, b=-8.5)],
}


def compiled(kind, shape, dtype, key, stream=0, position=0, **params):
    out = np.empty(shape, dtype)
    g = xi.Generator(key=key, stream=stream, position=position)
    {"uniform": xi.uniform_, "normal": xi.normal_, "trunc_normal": xi.trunc_normal_}[kind](
        out, **params, generator=g)
    return out, g


def same_bits(a, b):
    a = np.ascontiguousarray(a)
    b = np.ascontiguousarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("counter, key, expected", KAT)
def test_philox_known_answers(counter, key, expected):
    assert _core.philox4x32_10(counter, key) == expected
    assert tuple(int(v) for v in reference.philox4x32_10(np.array([counter], np.uint32), key)[0]) == expected


@pytest.mark.parametrize("counter, key, expected", KAT)
def test_known_answers_through_random_bits(counter, key, expected):
    # word position 4*b (b = the counter's first two words) on stream (c2, c3)
    block = counter[0] | counter[1] << 32
    stream = counter[2] | counter[3] << 32
    g = xi.Generator(key=key, stream=stream, position=4 * block)
    words = xi.random_bits_(np.empty(4, np.uint32), generator=g)
    assert tuple(int(w) for w in words) == expected
    assert g.position == 4 * block + 4


@pytest.mark.parametrize("position", [0, 1, 2, 3, 5, 2**32 * 4 - 3, 2**64 + 1, 2**66 - 9])
@pytest.mark.parametrize("n", [1, 3, 4, 7, 9, 257, 1030])
def test_raw_words_match_reference(position, n):
    key, stream = (0x12345678, 0x9ABCDEF0), 0xDEADBEEF00000007
    n = min(n, 2**66 - position)
    g = xi.Generator(key=key, stream=stream, position=position)
    out = xi.random_bits_(np.empty(n, np.uint32), generator=g)
    assert same_bits(out, reference.words(key, stream, position, n))


@pytest.mark.parametrize("kind", sorted(PARAMS))
@pytest.mark.parametrize("n, position", [(1, 0), (13, 3), (255, 1), (4099, 6), (1000, 2**66 - 2000)])
def test_fills_match_reference(kind, float_dtype, n, position):
    for params in PARAMS[kind]:
        key = (0xA4093822, 0x299F31D0)
        got, g = compiled(kind, n, float_dtype, key, stream=5, position=position, **params)
        want = reference.fill(kind, n, float_dtype, key, stream=5, position=position, **params)
        assert same_bits(got, want), (kind, params)
        assert g.position == position + reference.words_per_element(float_dtype) * n


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
def test_random_bits_uint64_joins_two_words(dtype):
    key = (1, 2)
    got = xi.random_bits_(np.empty(101, dtype), generator=xi.Generator(key=key, position=3))
    assert same_bits(got, reference.fill("bits", 101, dtype, key, position=3))


def test_large_fill_matches_reference_everywhere():
    # 2**18 normals exercise every branch of the inverse CDF many times over
    key = (7, 11)
    for dtype in (np.float32, np.float64):
        got, _ = compiled("normal", 1 << 18, dtype, key)
        assert same_bits(got, reference.fill("normal", 1 << 18, dtype, key))


def _tail_grid(dtype, smallest):
    p = np.geomspace(smallest, 0.5, 3000).astype(dtype)
    # p where w = -ln(1 - x'^2) meets a branch bound B: 4p(1 - p) = exp(-B)
    bounds = [bound for bound, _, _ in reference.INVERSE_NORMAL_BRANCHES[dtype][:-1]]
    # p at w = b: (1 - sqrt(1 - e^-b)) / 2, written without the cancellation for large b
    at_bounds = np.array([np.exp(-b) / (2 * (1 + np.sqrt(-np.expm1(-b)))) for b in bounds], dtype)
    edges = np.concatenate([at_bounds, np.nextafter(at_bounds, dtype(0)), np.nextafter(at_bounds, dtype(1)),
                            np.array([0.5, smallest], dtype)])
    return np.unique(np.concatenate([p, edges]))


@pytest.mark.parametrize("dtype, smallest", [(np.float32, 2.0**-96), (np.float64, 2.0**-1022)])
def test_inverse_cdf_is_the_contracts(dtype, smallest):
    p = _tail_grid(dtype, smallest)
    q = p + p
    assert same_bits(_core.inverse_normal(q, 1 - q), reference.inverse_normal(q, 1 - q, dtype))
    # x' formed exactly from the word, as the normal fills do (section 7)
    utype = np.uint32 if dtype == np.float32 else np.uint64
    words = np.random.default_rng(8).integers(0, np.iinfo(utype).max, 4000, dtype=utype, endpoint=True)
    q, x_prime, _ = reference.normal_arguments(words, dtype)
    assert same_bits(_core.inverse_normal(q, x_prime), reference.inverse_normal(q, x_prime, dtype))


# the extension, built with SSE2 math, still gives x86-64's values there
@pytest.mark.skipif(reference.PYTHON_FLOATS_DOUBLE_ROUNDED,
                    reason="this CPython's float arithmetic is double-rounded (x87): the oracle's Phi is not binary64")
def test_normal_cdf_is_the_contracts():
    xs = np.concatenate([np.linspace(-40, 40, 2001), [-37.5, -2.5, 2.5, 0.0, -1e-300]])
    for x in xs:
        assert _core.normal_cdf(float(x)) == reference.normal_cdf(float(x)), x


def test_trunc_normal_with_zero_std_is_the_clamped_mean():
    for mean, a, b in [(0.0, -2.0, 2.0), (0.0, 0.0, 2.0), (3.0, -1.0, 2.0)]:
        got, _ = compiled("trunc_normal", 9, np.float32, (1, 2), mean=mean, std=0.0, a=a, b=b)
        want = reference.fill("trunc_normal", 9, np.float32, (1, 2), mean=mean, std=0.0, a=a, b=b)
        assert same_bits(got, want) and (got == min(max(mean, a), b)).all()
