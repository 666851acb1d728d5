"""Statistical battery: goodness of fit of the raw stream and of every
distribution (chi-square and Kolmogorov-Smirnov), and correlation between
neighbouring positions, streams, keys and spawned generators. The fast subset
(about 2^21 samples per check) always runs; ``-m slow`` runs each check on
10^8 samples. Every check uses fixed keys: it is deterministic, and a failure
means a real defect, not bad luck (thresholds are at p < 1e-6)."""
import numpy as np
import pytest
from scipy import stats

import xinit_c as xi

P_MIN = 1e-6
FAST = 1 << 21
LARGE = 10**8
CHUNK = 1 << 24


def sizes():
    return [pytest.param(FAST, id="2^21"), pytest.param(LARGE, id="1e8", marks=pytest.mark.slow)]


def chunks(n, fill):
    """Fill n values in chunks from one generator (chunk invariance makes this one stream)."""
    done = 0
    while done < n:
        m = min(CHUNK, n - done)
        yield fill(m)
        done += m


@pytest.mark.parametrize("n", sizes())
def test_raw_words_bytes_and_bits_are_uniform(n):
    g = xi.Generator(key=(0x5EED, 0xF00D))
    byte_counts = np.zeros(256, np.int64)
    bit_counts = np.zeros(32, np.int64)
    total = 0
    for words in chunks(n, lambda m: xi.random_bits_(np.empty(m, np.uint32), generator=g)):
        byte_counts += np.bincount(words.view(np.uint8), minlength=256)
        bits = np.unpackbits(words.view(np.uint8)).reshape(-1, 32)
        bit_counts += bits.sum(axis=0, dtype=np.int64)
        total += len(words)
    assert stats.chisquare(byte_counts).pvalue > P_MIN
    # every bit position is set half the time
    z = (bit_counts - total / 2) / np.sqrt(total / 4)
    assert np.abs(z).max() < 5.5


@pytest.mark.parametrize("n", sizes())
@pytest.mark.parametrize("name, make, target", [
    ("uniform_f32", lambda g, m: xi.uniform_(np.empty(m, np.float32), -1.0, 1.0, generator=g),
     stats.uniform(-1.0, 2.0)),
    ("uniform_f64", lambda g, m: xi.uniform_(np.empty(m), -1.0, 1.0, generator=g), stats.uniform(-1.0, 2.0)),
    ("normal_f32", lambda g, m: xi.normal_(np.empty(m, np.float32), generator=g), stats.norm()),
    ("normal_f64", lambda g, m: xi.normal_(np.empty(m), generator=g), stats.norm()),
    ("trunc_f32", lambda g, m: xi.trunc_normal_(np.empty(m, np.float32), generator=g), stats.truncnorm(-2, 2)),
    ("trunc_f64", lambda g, m: xi.trunc_normal_(np.empty(m), generator=g), stats.truncnorm(-2, 2)),
])
def test_distribution_goodness_of_fit(n, name, make, target):
    g = xi.Generator(key=(0xC0DE, len(name)))
    edges = target.ppf(np.linspace(0, 1, 1001))   # 1000 equiprobable bins
    edges[0], edges[-1] = -np.inf, np.inf
    sample = np.empty(n)                            # 800 MB at 10^8: the slow run has the memory
    done = 0
    for values in chunks(n, lambda m: make(g, m)):
        sample[done:done + len(values)] = values
        done += len(values)
    assert stats.kstest(sample, target.cdf).pvalue > P_MIN
    assert stats.chisquare(np.histogram(sample, edges)[0]).pvalue > P_MIN


def correlation_bound(n):
    return 6.0 / np.sqrt(n)   # |r| of independent samples is about N(0, 1/n)


@pytest.mark.parametrize("n", sizes())
def test_neighbouring_positions_are_uncorrelated(n):
    x = xi.uniform_(np.empty(min(n, 1 << 24)), -1.0, 1.0, generator=xi.Generator(key=(1, 2)))
    for lag in (1, 2, 3, 4, 5, 8, 16, 64):
        r = np.corrcoef(x[:-lag], x[lag:])[0, 1]
        assert abs(r) < correlation_bound(len(x) - lag), lag


@pytest.mark.parametrize("n", sizes())
def test_neighbouring_streams_keys_and_children_are_uncorrelated(n):
    m = min(n, 1 << 24)

    def draw(g):
        return xi.normal_(np.empty(m), generator=g)

    base = draw(xi.Generator(key=(7, 7), stream=0))
    parent = xi.Generator(1234)
    children = parent.spawn(2)
    others = {
        "stream + 1": draw(xi.Generator(key=(7, 7), stream=1)),
        "stream 2^32": draw(xi.Generator(key=(7, 7), stream=1 << 32)),
        "key + 1": draw(xi.Generator(key=(8, 7))),
        "key high word + 1": draw(xi.Generator(key=(7, 8))),
    }
    for name, other in others.items():
        assert abs(np.corrcoef(base, other)[0, 1]) < correlation_bound(m), name
    a, b, p = draw(children[0]), draw(children[1]), draw(parent)
    for name, (u, v) in {"child 0 / child 1": (a, b), "parent / child 0": (p, a)}.items():
        assert abs(np.corrcoef(u, v)[0, 1]) < correlation_bound(m), name
