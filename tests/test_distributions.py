"""Distributions: Kolmogorov-Smirnov against the exact targets on 10^6 samples
(10^7 with -m slow), moments against the formulas, and bounds in every dtype."""
import math

import numpy as np
import pytest
from scipy import stats

import xinit_c as xi
from conftest import FLOAT_DTYPES

FAST_N = 1 << 20
SLOW_N = 1 << 24
P_MIN = 1e-4  # fixed keys: a deterministic test, failing only if the distribution is off


def sample(fill, n, dtype, seed=2024, **kw):
    return fill(np.empty(n, dtype), generator=xi.Generator(seed), **kw).astype(np.float64)


CASES = [
    ("uniform", lambda: (xi.uniform_, dict(low=-0.3, high=0.7)), stats.uniform(-0.3, 1.0)),
    ("normal", lambda: (xi.normal_, dict(mean=0.2, std=1.5)), stats.norm(0.2, 1.5)),
    ("trunc_normal", lambda: (xi.trunc_normal_, dict(mean=0.0, std=1.0, a=-2.0, b=2.0)),
     stats.truncnorm(-2.0, 2.0)),
    ("trunc_normal_one_sided", lambda: (xi.trunc_normal_, dict(mean=1.0, std=2.0, a=2.0, b=np.inf)),
     stats.truncnorm(0.5, np.inf, loc=1.0, scale=2.0)),
    ("trunc_normal_far_tail", lambda: (xi.trunc_normal_, dict(mean=0.0, std=1.0, a=-7.0, b=-6.0)),
     stats.truncnorm(-7.0, -6.0)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, make, target", CASES, ids=[c[0] for c in CASES])
def test_kolmogorov_smirnov(name, make, target, dtype):
    fill, kw = make()
    x = sample(fill, FAST_N, dtype, **kw)
    assert stats.kstest(x, target.cdf).pvalue > P_MIN


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, make, target", CASES, ids=[c[0] for c in CASES])
def test_kolmogorov_smirnov_large(name, make, target, dtype):
    fill, kw = make()
    x = sample(fill, SLOW_N, dtype, seed=99, **kw)
    assert stats.kstest(x, target.cdf).pvalue > P_MIN


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_xavier_moments(dtype):
    shape = (1024, 1024)
    w = xi.xavier_uniform_(np.empty(shape, dtype), generator=xi.Generator(1)).astype(np.float64)
    bound = math.sqrt(6 / 2048)
    assert abs(w.std() - bound / math.sqrt(3)) < 2e-3 * bound and abs(w.mean()) < 2e-3 * bound
    assert stats.kstest(w.ravel(), stats.uniform(-bound, 2 * bound).cdf).pvalue > P_MIN
    w = xi.xavier_normal_(np.empty(shape, dtype), gain=2.0, generator=xi.Generator(2)).astype(np.float64)
    std = 2.0 * math.sqrt(2 / 2048)
    assert abs(w.std() / std - 1) < 3e-3 and abs(w.mean()) < 3e-3 * std
    assert stats.kstest(w.ravel(), stats.norm(0, std).cdf).pvalue > P_MIN


def test_variance_scaling_truncated_has_the_requested_variance():
    w = xi.variance_scaling_(np.empty((1024, 1024)), scale=2.0, mode="fan_in", generator=xi.Generator(3))
    assert abs(w.var() / (2.0 / 1024) - 1) < 5e-3
    s = math.sqrt(2.0 / 1024) / 0.87962566103423978
    assert -2 * s <= w.min() and w.max() <= 2 * s


def test_bounds_hold_in_every_dtype(float_dtype):
    # every comparison and threshold in float64: arithmetic in a 16-bit scalar
    # type (ml_dtypes' bfloat16 keeps its own type) would round the thresholds
    n = 1 << 18
    for low, high in [(-0.1, 0.1), (0.0, 1.0), (-1e-3, 5.0)]:
        x = xi.uniform_(np.empty(n, float_dtype), low, high, generator=xi.Generator(4)).astype(np.float64)
        lo, hi = (float(np.array(np.float32(v) if float_dtype.itemsize < 8 else v, float_dtype).astype(np.float64))
                  for v in (low, high))
        assert (x >= lo).all() and (x <= hi).all()
        assert x.min() < lo + (hi - lo) * 1e-3 and x.max() > hi - (hi - lo) * 1e-3
    x = xi.trunc_normal_(np.empty(n, float_dtype), 0.0, 1.0, -0.5, 1.5, generator=xi.Generator(5))
    x = x.astype(np.float64)
    assert (x >= -0.5).all() and (x <= 1.5).all()
    x = xi.normal_(np.empty(n, float_dtype), generator=xi.Generator(6))
    assert np.isfinite(x.astype(np.float64)).all()


def test_symmetric_bounds_give_a_symmetric_distribution():
    # word x and ~x map to v and -v: over all 2^16 words of a 16-bit grid the
    # multiset of values is symmetric; on a sample, the two tails balance
    x = xi.uniform_(np.empty(1 << 20, np.float32), -1.0, 1.0, generator=xi.Generator(8)).astype(np.float64)
    assert abs((x > 0).mean() - 0.5) < 2e-3 and (x != 0).all()


@pytest.mark.parametrize("float_dtype", [d for d in FLOAT_DTYPES if d.itemsize == 2], ids=str)
def test_float16_and_bfloat16_are_rounded_float32(float_dtype):
    n = 4099
    x16 = xi.normal_(np.empty(n, float_dtype), generator=xi.Generator(10))
    x32 = xi.normal_(np.empty(n, np.float32), generator=xi.Generator(10))
    if float_dtype == np.float16:
        assert np.array_equal(x16, x32.astype(np.float16))
    else:  # round to nearest even on the bits
        bits = x32.view(np.uint32).astype(np.uint64)
        rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
        assert np.array_equal(x16.view(np.uint16), rounded)
