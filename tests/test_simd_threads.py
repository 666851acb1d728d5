"""Every SIMD variant this CPU runs and every thread count write the same bits
as the scalar path and the numpy oracle."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import reference
import xinit_c as xi
from child_python import require_child_python

KEY = (0xC0FFEE, 0x5EED)
KINDS = {
    "uniform": (lambda o, g, **kw: xi.uniform_(o, -2.0, 0.5, generator=g, **kw), dict(low=-2.0, high=0.5)),
    "normal": (lambda o, g, **kw: xi.normal_(o, 1.0, 3.0, generator=g, **kw), dict(mean=1.0, std=3.0)),
    "trunc_normal": (lambda o, g, **kw: xi.trunc_normal_(o, 0.0, 1.0, -3.0, 1.5, generator=g, **kw),
                     dict(mean=0.0, std=1.0, a=-3.0, b=1.5)),
    "trunc_normal_tail": (lambda o, g, **kw: xi.trunc_normal_(o, 0.0, 1.0, 5.5, np.inf, generator=g, **kw),
                          dict(mean=0.0, std=1.0, a=5.5, b=np.inf)),
    # the far branches (docs/stream.md section 6), which only truncated normals reach: float32's from
    # about 6.3 sigma, float64's from about 9.1 sigma; each interval mixes two branches in some vectors
    "trunc_normal_far": (lambda o, g, **kw: xi.trunc_normal_(o, 0.0, 1.0, -9.8, -9.0, generator=g, **kw),
                         dict(mean=0.0, std=1.0, a=-9.8, b=-9.0)),
    "trunc_normal_far_edge": (lambda o, g, **kw: xi.trunc_normal_(o, 0.0, 1.0, 6.0, 7.0, generator=g, **kw),
                              dict(mean=0.0, std=1.0, a=6.0, b=7.0)),
}


def _ref_kind(kind):
    return "trunc_normal" if kind.startswith("trunc_normal") else kind


@pytest.fixture(params=xi.simd_backends())
def simd(request):
    """Run the test on one SIMD variant, then restore the previous one."""
    previous = xi.get_simd()
    xi.set_simd(request.param)
    yield request.param
    xi.set_simd(previous)


def test_backends_are_listed_and_best_is_default():
    names = xi.simd_backends()
    assert names[0] == "scalar" and set(names) <= {"scalar", "sse2", "avx2", "avx512", "neon"}
    if os.environ.get("XINIT_C_SIMD") is None:
        assert xi.get_simd() == names[-1]
    with pytest.raises(ValueError, match="unknown SIMD variant"):
        xi.set_simd("mmx")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_size_and_lane_alignment(simd, kind, float_dtype):
    fill, params = KINDS[kind]
    for position in range(4):
        want = reference.fill(_ref_kind(kind), 700, float_dtype, KEY, position=position, **params)
        for n in list(range(0, 70)) + [127, 128, 129, 511, 512, 513, 700]:
            out = np.empty(n, float_dtype)
            fill(out, xi.Generator(key=KEY, position=position))
            assert out.tobytes() == want[:n].tobytes(), (simd, kind, position, n)


def test_large_and_strided_fills_per_variant(simd, float_dtype):
    for kind, (fill, params) in KINDS.items():
        want = reference.fill(_ref_kind(kind), (301, 67), float_dtype, KEY, position=5, **params)
        out = np.empty((67, 301), float_dtype).T
        fill(out, xi.Generator(key=KEY, position=5))
        assert np.ascontiguousarray(out).tobytes() == want.tobytes(), (simd, kind)


@pytest.mark.parametrize("kind", [k for k in sorted(KINDS) if k != "uniform"])
def test_long_runs_equal_the_scalar_variant(simd, kind, float_dtype):
    # 2^16 elements from odd positions: many vectors per run, so the vector-level tail branches are
    # taken and skipped in every combination the kind produces
    fill = KINDS[kind][0]
    for position in (1, 3, 2**66 - 3 * 2**16):
        out = fill(np.empty(2**16 + 5, float_dtype), xi.Generator(key=KEY, position=position))
        previous = xi.get_simd()
        xi.set_simd("scalar")
        try:
            want = fill(np.empty(2**16 + 5, float_dtype), xi.Generator(key=KEY, position=position))
        finally:
            xi.set_simd(previous)
        assert out.tobytes() == want.tobytes(), (simd, kind, position)

# Parameters for each way a uniform kernel may compute section 3: a zero mid
# (the sum is left out), a nonzero mid, a width of one ulp (the clamp binds
# for about a quarter of the words), zero widths (0 + -0 must give +0), and a
# width so small that its scale is not exact (the scalar kernel).
UNIFORM_RANGES = {
    np.float32: [(-0.05, 0.05), (-2.0, 0.5), (1.0, 1.0 + 2.0**-23), (0.0, 0.0), (2.0, 2.0), (0.0, 1e-30)],
    np.float64: [(-0.05, 0.05), (-2.0, 0.5), (1.0, 1.0 + 2.0**-52), (0.0, 0.0), (2.0, 2.0), (0.0, 1e-300)],
}


def test_uniform_ranges_per_variant(simd, float_dtype):
    working = np.float64 if float_dtype == np.float64 else np.float32
    sizes = [0, 1, 3, 4, 5, 63, 64, 65, 191, 192, 193, 200, 383, 385, 1000, 2500]
    for low, high in UNIFORM_RANGES[working]:
        for position in range(4):
            want = reference.fill("uniform", max(sizes), float_dtype, KEY, position=position, low=low, high=high)
            for n in sizes:
                out = xi.uniform_(np.empty(n, float_dtype), low, high, generator=xi.Generator(key=KEY, position=position))
                assert out.tobytes() == want[:n].tobytes(), (simd, low, high, position, n)


def test_one_ulp_range_really_clamps():
    # the one-ulp range above exercises the clamp: mid + half*v falls below lo
    for working, (low, high) in ((np.float32, UNIFORM_RANGES[np.float32][2]),
                                 (np.float64, UNIFORM_RANGES[np.float64][2])):
        prm = reference._uniform_params(working, low, high)
        x = reference.words(KEY, 0, 0, 4096)
        if working is np.float64:
            x = x[0::2].astype(np.uint64) | x[1::2].astype(np.uint64) << np.uint64(32)
        unclamped = prm["mid"] + prm["half"] * reference.uniform_unit(x, working)
        assert 0.1 < np.mean(unclamped < prm["lo"]) < 0.5


def test_raw_bits_per_variant(simd):
    for n, position in [(1, 0), (1031, 3), (4096, 2**66 - 4096)]:
        out = xi.random_bits_(np.empty(n, np.uint32), generator=xi.Generator(key=KEY, position=position))
        assert out.tobytes() == reference.words(KEY, 0, position, n).tobytes()
    out = xi.random_bits_(np.empty(333, np.uint64), generator=xi.Generator(key=KEY, position=1))
    assert out.tobytes() == reference.fill("bits", 333, np.uint64, KEY, position=1).tobytes()


def test_counter_carry_inside_a_vector(simd):
    # the low counter word wraps at block 2^32: inside one vector of blocks
    position = 4 * (2**32 - 5) + 2
    out = xi.random_bits_(np.empty(200, np.uint32), generator=xi.Generator(key=KEY, position=position))
    assert out.tobytes() == reference.words(KEY, 0, position, 200).tobytes()


@pytest.mark.parametrize("threads", [1, 2, 3, 4, 7, 16])
def test_thread_counts_give_identical_bits(threads):
    n = xi._core.PARALLEL_MIN_ELEMENTS * 4 + 12345
    for dtype in (np.float32, np.float64):
        base = xi.normal_(np.empty(n, dtype), generator=xi.Generator(key=KEY), threads=1)
        out = xi.normal_(np.empty(n, dtype), generator=xi.Generator(key=KEY), threads=threads)
        assert out.tobytes() == base.tobytes()
    shape = (1031, 1029)  # N-D, strided, a block of a bigger tensor
    want = reference.fill("uniform", (2000, 1500), np.float32, KEY, low=-1.0, high=1.0)
    out = np.zeros((1029, 1031), np.float32).T
    xi.uniform_(out, -1.0, 1.0, generator=xi.Generator(key=KEY), threads=threads,
                global_shape=(2000, 1500), offset=(7, 400))
    assert np.ascontiguousarray(out).tobytes() == want[7:7 + shape[0], 400:400 + shape[1]].tobytes()


def test_default_thread_count():
    previous = xi.get_num_threads()
    try:
        xi.set_num_threads(3)
        assert xi.get_num_threads() == 3
        for bad in (0, -1, 1000):
            with pytest.raises(ValueError):
                xi.set_num_threads(bad)
        with pytest.raises(TypeError):
            xi.set_num_threads(2.5)
    finally:
        xi.set_num_threads(previous)
    with pytest.raises(ValueError):
        xi.normal_(np.empty(4), threads=0)


def _import_with_simd(value):
    require_child_python()
    env = dict(os.environ, XINIT_C_SIMD=value)
    code = "import xinit_c as xi, warnings; print(xi.get_simd())"
    return subprocess.run([sys.executable, "-W", "always", "-c", code], env=env, capture_output=True,
                          text=True, cwd=tempfile.gettempdir(), check=True)


def test_environment_variable_forces_a_variant():
    for name in xi.simd_backends():
        assert _import_with_simd(name).stdout.strip() == name
    result = _import_with_simd("avx1024")
    assert result.stdout.strip() == xi.simd_backends()[-1] and "XINIT_C_SIMD" in result.stderr


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_streaming_stores_for_huge_fills(simd, dtype):
    # at least 64 MiB in one run: the vector stores become non-temporal after a
    # few unaligned elements; compare with the scalar variant, which has none
    n = (64 << 20) // np.dtype(dtype).itemsize + 3
    raw = np.empty(n + 1, dtype)
    out = raw[1:]                                  # misaligned for the vector width
    xi.uniform_(out, -1.0, 1.0, generator=xi.Generator(key=KEY, position=1), threads=1)
    previous = xi.get_simd()
    xi.set_simd("scalar")
    try:
        want = xi.uniform_(np.empty(n, dtype), -1.0, 1.0, generator=xi.Generator(key=KEY, position=1))
    finally:
        xi.set_simd(previous)
    assert np.array_equal(out.view(np.uint8), want.view(np.uint8))

