"""Accuracy of the contract-2 inverse normal (docs/stream.md section 6)
against the exact quantile Phi^-1(1 - p), in ulp: the spacing of the format
in the binade of the exact value.  Targets (issue 11): float32 at most 4 ulp
for every word, float64 at most 4 ulp for p >= 2^-60; the truncated normal's
far-tail branch as accurate.

Values come from the oracle (tests/reference.py), which the compiled fills
match bit for bit (tests/test_stream.py, tests/test_reference.py), and, in
the exhaustive float32 sweep, from the compiled element function itself
(tests/c/sweep_normal_f32.c).  Exact values: mpmath, or for the float32
words a binary64 Newton refinement (scipy's ndtri, then erf/erfc steps), which
is checked against mpmath here and lies within a few 2^-52 of the quantile."""

import math
import os
import re
import shutil
import subprocess
import sys
from multiprocessing import get_context

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402
from test_reference import near_threshold_elements  # noqa: E402

mp = pytest.importorskip("mpmath")
special = pytest.importorskip("scipy.special")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MAX_ULP = 4.0
PRECISION = {np.float32: 24, np.float64: 53}


def ulp_error(values, exact, T):
    """|values - exact| / spacing of T in the binade of exact (binary64 arrays
    for the float32 measurement: exact to far below a binary32 ulp)."""
    exact = np.asarray(exact, np.float64)
    _, e = np.frexp(exact)  # exact = m 2^e, m in [1/2, 1)
    return np.abs(np.asarray(values, np.float64) - exact) / np.ldexp(1.0, e - PRECISION[T])


def ulp_error_mp(value, exact, T):
    e = int(mp.floor(mp.log(abs(exact), 2)))
    return float(abs(mp.mpf(float(value)) - exact) / mp.mpf(2) ** (e - PRECISION[T] + 1))


# ---------------------------------------------------------------------------
# Exact quantiles
# ---------------------------------------------------------------------------


def quantile_f64(q, x_prime):
    """Phi^-1(1 - p) in binary64 for exact binary64 q = 2p and x' = 1 - q:
    ndtri, then one Newton step on erf(z/sqrt2) = x' (centre) or
    erfc(z/sqrt2) = q (tail); both residuals keep their relative accuracy."""
    z = -special.ndtri(q / 2)
    slope = math.sqrt(2 / math.pi) * np.exp(-0.5 * z * z)
    residual = np.where(x_prime < 0.5, special.erf(z / math.sqrt(2)) - x_prime,
                        -(special.erfc(z / math.sqrt(2)) - q))
    return z - residual / slope


def quantile_mp(p, x_prime, dps=40):
    """Phi^-1(1 - p) for exact mpf p in (0, 1/2] and x' = 1 - 2p, by Newton
    from a binary64 start: on erf(z/sqrt2) = x' for p > 1/4, on
    ln(erfc(z/sqrt2)/2) = ln p below (no underflow, fine relative
    accuracy down to p = 2^-1022)."""
    with mp.workdps(dps):
        pf = float(p)
        if pf > 0.25:
            z = mp.mpf(math.sqrt(2) * special.erfinv(float(x_prime)))
        else:
            z = mp.mpf(-special.ndtri(pf))
        for _ in range(50):
            if pf > 0.25:
                step = (mp.erf(z / mp.sqrt(2)) - x_prime) / (mp.sqrt(2 / mp.pi) * mp.exp(-z * z / 2))
            else:
                tail = mp.erfc(z / mp.sqrt(2)) / 2
                step = -(mp.log(tail) - mp.log(p)) * tail / mp.npdf(z)
            z -= step
            # quadratic convergence: the error left is about |z| step^2
            if abs(step) <= mp.mpf(2) ** -60 * abs(z):
                return +z
    raise AssertionError(f"Newton did not converge for p = {p}")


def test_binary64_reference_is_exact_enough():
    """The binary64 reference is within 2^-48 relative of the quantile over
    the float32 words (so its share of an error is below 2^-24 ulp)."""
    j = np.concatenate([np.arange(64), np.random.default_rng(2).integers(0, 2**31, 300),
                        2**31 - 1 - np.arange(64)]).astype(np.int64)
    a = 2 * j + 1
    z = quantile_f64(np.ldexp(a.astype(np.float64), -32), np.ldexp((2**32 - a).astype(np.float64), -32))
    with mp.workdps(40):
        for ai, zi in zip(a, z):
            p = mp.mpf(int(ai)) / mp.mpf(2) ** 33
            exact = quantile_mp(p, 1 - 2 * p)
            assert abs(mp.mpf(float(zi)) - exact) <= mp.mpf(2) ** -48 * exact, int(ai)


def test_mp_reference_agrees_with_erfinv():
    """Two routes to the quantile agree: Newton (both residual forms) and
    mpmath's own erfinv."""
    with mp.workdps(40):
        for p in (mp.mpf("0.4999999"), mp.mpf("0.3"), mp.mpf("0.1"), mp.mpf("1e-5"), mp.mpf(2) ** -60):
            assert abs(quantile_mp(p, 1 - 2 * p) - mp.sqrt(2) * mp.erfinv(1 - 2 * p)) < mp.mpf(10) ** -30
        p = mp.mpf(2) ** -1022  # and the log-space root of ln Phi(-z) = ln p
        target = mp.log(p)
        z = -mp.findroot(lambda t: mp.log(mp.ncdf(t)) - target, -37.5)
        assert abs(quantile_mp(p, 1 - 2 * p) - z) < mp.mpf(10) ** -30


# ---------------------------------------------------------------------------
# float32 normal words
# ---------------------------------------------------------------------------


def _f32_errors(j):
    """Errors of the oracle's V for the words x = j (magnitudes: the sign
    bit only negates), against the exact quantile at p = (j + 1/2) 2^-32."""
    j = np.asarray(j, np.uint32)
    q, x_prime, _ = R.normal_arguments(j, np.float32)
    v = R.inverse_normal(q, x_prime, np.float32)
    a = 2 * j.astype(np.int64) + 1
    exact = quantile_f64(np.ldexp(a.astype(np.float64), -32), np.ldexp((2**32 - a).astype(np.float64), -32))
    return ulp_error(v, exact, np.float32)


def dense_f32_words():
    """j < 2^16 (the far tail, both tail branches), the words around the
    central branch's bound w = 6.25, the largest j (p next to 1/2, tiny V),
    and 200,000 random j."""
    return np.unique(np.concatenate([
        np.arange(2**16, dtype=np.uint32),
        near_threshold_elements("normal", np.float32, 0, 4096),
        np.uint32(2**31 - 1) - np.arange(2**16, dtype=np.uint32),
        np.random.default_rng(20260101).integers(0, 2**31, 200_000, dtype=np.uint64).astype(np.uint32),
    ]))


def test_float32_dense_subset_within_4_ulp():
    j = dense_f32_words()
    err = _f32_errors(j)
    worst = int(np.argmax(err))
    assert err[worst] <= MAX_ULP, (f"{err[worst]:.3f} ulp at j = {int(j[worst])}")
    # the bound has teeth: errors of a few tenths of an ulp and more do occur
    assert err.max() > 1.0


def _sweep_binary(tmp_path):
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        pytest.skip(f"no C compiler ({cc}) for tests/c/sweep_normal_f32.c")
    binary = tmp_path / "sweep_normal_f32"
    subprocess.run([cc, "-std=c99", "-O2", "-ffp-contract=off", "-Wall", "-Wextra", "-Werror",
                    "-I" + os.path.join(ROOT, "src"), os.path.join(HERE, "c", "sweep_normal_f32.c"),
                    "-o", str(binary), "-lm", "-lpthread"], check=True)
    return binary


def _run_sweep(binary, threads, j_range=None):
    args = [str(binary), str(threads)] + ([str(v) for v in j_range] if j_range else [])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    bands = {int(m[1]): (float(m[2]), int(m[3]), int(m[4]))
             for m in re.finditer(r"band (\d+) max_ulp ([\d.]+) worst_j (\d+) count (\d+)", out)}
    summary = re.search(r"max_ulp ([\d.]+) worst_j (\d+) sign_mismatches (\d+)$", out.strip())
    return bands, float(summary[1]), int(summary[2]), int(summary[3]), out


def test_sweep_program_agrees_with_the_oracle_measurement(tmp_path):
    """The C sweep (compiled element function, libm reference) on the first
    and last 2^16 magnitudes reports, band by band, the largest errors the
    oracle's values give against the scipy reference."""
    binary = _sweep_binary(tmp_path)
    for j_range in ((0, 2**16), (2**31 - 2**16, 2**31)):
        bands, max_ulp, _, sign_mismatches, out = _run_sweep(binary, 1, j_range)
        assert sign_mismatches == 0, out
        j = np.arange(*j_range, dtype=np.int64)
        err = _f32_errors(j.astype(np.uint32))
        band_of = np.floor(np.log2(2 * j + 1)).astype(int)
        assert sum(count for _, _, count in bands.values()) == len(j)
        for k, (band_max, worst_j, count) in bands.items():
            here = band_of == k
            assert count == np.count_nonzero(here)
            assert abs(band_max - err[here].max()) < 1e-3, (k, band_max, err[here].max())
            assert abs(err[j == worst_j][0] - band_max) < 1e-3
        assert max_ulp <= MAX_ULP, out


@pytest.mark.slow
def test_float32_every_word_within_4_ulp(tmp_path):
    """Exhaustive: all 2^31 magnitudes (and their negations) through the
    compiled scalar element function."""
    bands, max_ulp, worst_j, sign_mismatches, out = _run_sweep(_sweep_binary(tmp_path), os.cpu_count() or 1)
    print(out)
    assert sum(count for _, _, count in bands.values()) == 2**31
    assert sign_mismatches == 0, out
    assert max_ulp <= MAX_ULP, out


# ---------------------------------------------------------------------------
# float64 normal words, p >= 2^-60
# ---------------------------------------------------------------------------

P_MIN_F64_TARGET = 2.0**-60  # (j + 1/2) 2^-64 >= 2^-60 for j >= 16


def f64_words(n, seed):
    """n magnitudes j with p log-uniform in [2^-60, 1/2] (every binade of both
    tails' p), plus the smallest j in range and the largest j."""
    rng = np.random.default_rng(seed)
    p = np.exp2(rng.uniform(-60, -1, n))
    j = np.minimum(np.floor(p * 2.0**64), 2.0**63 - 1).astype(np.uint64)
    j = np.maximum(j, np.uint64(16))
    ends = np.array([16, 17, 18, 2**63 - 3, 2**63 - 2, 2**63 - 1], dtype=np.uint64)
    return np.concatenate([j, ends])


def _f64_worst(j):
    """(largest error, its word) of the oracle's V for the words x = j
    against mpmath at p = (j + 1/2) 2^-64 exactly; the words x = j | 2^63
    (the other tail) must give exactly the negated values."""
    j = np.asarray(j, np.uint64)
    values = R.from_words("normal", np.float64, _words64(j))  # mean 0, std 1: z itself
    mirrored = R.from_words("normal", np.float64, _words64(j | np.uint64(1 << 63)))
    assert np.array_equal(mirrored.view(np.uint64), (-values).view(np.uint64))
    worst = (0.0, None)
    with mp.workdps(40):
        for ji, vi in zip(j, values):
            a = 2 * int(ji) + 1
            p = mp.mpf(a) / mp.mpf(2) ** 65
            err = ulp_error_mp(vi, quantile_mp(p, mp.mpf(2**64 - a) / mp.mpf(2) ** 64), np.float64)
            if err > worst[0]:
                worst = (err, hex(int(ji)))
    return worst


def _words64(x):
    """The u32 words (lo, hi) of the u64 elements x (section 2)."""
    x = np.asarray(x, np.uint64)
    return np.stack([x & np.uint64(0xFFFFFFFF), x >> np.uint64(32)], axis=1).astype(np.uint32).ravel()


def test_float64_within_4_ulp_sampled():
    j = np.concatenate([
        f64_words(2500, seed=1),
        near_threshold_elements("normal", np.float64, 0, 16),  # w = 5
        near_threshold_elements("normal", np.float64, 1, 16),  # w = 12
    ])
    err, word = _f64_worst(j)
    assert err <= MAX_ULP, (err, word)


def _f64_worst_of_chunk(seed):
    return _f64_worst(f64_words(10_000, seed))


@pytest.mark.slow
def test_float64_within_4_ulp_million_points():
    seeds = range(1000, 1100)  # 100 x 10,000 magnitudes (and their mirrored words)
    with get_context("fork").Pool(os.cpu_count() or 1) as pool:
        results = pool.map(_f64_worst_of_chunk, seeds)
    err, word = max(results, key=lambda r: r[0])
    print(f"float64, 10^6 words with p >= 2^-60: max {err:.3f} ulp at x = {word}")
    assert err <= MAX_ULP, (err, word)


# ---------------------------------------------------------------------------
# The truncated normal's far-tail branch
# ---------------------------------------------------------------------------

# Intervals whose draws reach the last branch (mean 0, std 1): entirely in it,
# or crossing its bound, or reaching PMIN.
FAR_TAIL = {
    np.float32: [(-9.5, -9.0), (-11.5, -10.0), (9.5, 12.0), (6.0, math.inf), (-math.inf, -9.0)],
    np.float64: [(-23.0, -20.0), (-15.0, -9.5), (9.0, math.inf), (-math.inf, -20.0)],
}
# Contract 2's float64 last branch is within 4 ulp down to p = 2^-440 or so
# (z = 24.3); checked from 2^-400 (see the xfail below for the rest).
F64_ACCURATE_P = 2.0**-400


def _last_branch_errors(T, a, b, n, p_floor=0.0):
    """Errors of V at the (q, x') of truncated-normal words of [a, b] that
    fall in the last branch (with p >= p_floor), against the exact quantile
    at their p = q/2 (the value V is asked for)."""
    utype, bits = (np.uint32, 32) if T is np.float32 else (np.uint64, 64)
    x = np.random.default_rng(17).integers(0, 2**bits - 1, n, dtype=np.uint64, endpoint=True).astype(utype)
    x = np.concatenate([x, np.array([0, 1, 2**bits - 1], np.uint64).astype(utype)])
    q, x_prime, _ = R.trunc_normal_arguments(x, T, mean=0.0, std=1.0, a=a, b=b)
    last = len(R.INVERSE_NORMAL_BRANCHES[T]) - 1
    keep = (R.branch_index(R.tail_w(q, T), T) == last) & (q / 2 >= p_floor)
    assert np.count_nonzero(keep) >= 20, (a, b)
    v = R.inverse_normal(q[keep], x_prime[keep], T)
    errors = []
    with mp.workdps(40):
        for qi, vi in zip(q[keep], v):
            p = mp.mpf(float(qi)) / 2
            errors.append((ulp_error_mp(vi, quantile_mp(p, 1 - 2 * p), T), float(qi) / 2))
    return errors


@pytest.mark.parametrize("a,b", FAR_TAIL[np.float32])
def test_trunc_far_tail_float32_within_4_ulp(a, b):
    err, p = max(_last_branch_errors(np.float32, a, b, 400))
    assert err <= MAX_ULP, (err, p)


@pytest.mark.parametrize("a,b", FAR_TAIL[np.float64])
def test_trunc_far_tail_float64_within_4_ulp(a, b):
    err, p = max(_last_branch_errors(np.float64, a, b, 300, p_floor=F64_ACCURATE_P))
    assert err <= MAX_ULP, (err, p)


@pytest.mark.xfail(strict=True, reason=(
    "docs/stream.md section 6, float64 last branch: Horner in v = sqrt(w) - 6.625 up to v = 20 is "
    "ill-conditioned; the exactly specified evaluation (the exact polynomial is within 0.3 ulp) is "
    "off by more than 4 ulp below p = 2^-440 (z = 24.3): 18 ulp at 2^-500, 1.3e3 ulp near 2^-690, "
    "1.6e5 ulp (3.6e-11 relative) next to PMIN = 2^-1022; reported to the lead"))
@pytest.mark.parametrize("a,b", [(-36.0, -35.0), (-40.0, -36.5)])
def test_trunc_far_tail_float64_down_to_pmin_within_4_ulp(a, b):
    err, p = max(_last_branch_errors(np.float64, a, b, 100))
    assert err <= MAX_ULP, (err, p)
