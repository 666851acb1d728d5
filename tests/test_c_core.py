"""The C core on its own (tests/c/run.sh): known answers, every variant equal to
scalar, and the same digest natively and on aarch64 (NEON) under qemu."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

RUN = pathlib.Path(__file__).parent / "c" / "run.sh"


def run_driver(**env):
    env = {"PYTHON": sys.executable, **env}
    result = subprocess.run(["bash", str(RUN)], env={**os.environ, **env}, capture_output=True, text=True,
                            check=False, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("0 failed")
    return result.stdout


def digest(output):
    return next(line for line in output.splitlines() if line.startswith("digest "))


@pytest.fixture(scope="module")
def native():
    if shutil.which(os.environ.get("CC", "cc")) is None or shutil.which("bash") is None:
        pytest.skip("no C compiler or no bash")
    if not (RUN.parents[2] / "src" / "xinit.h").exists():
        pytest.skip("the C sources (src/) are not next to the tests")
    return run_driver()


def test_native_core(native):
    assert "scalar" in native.splitlines()[0]


@pytest.mark.parametrize("cflags", ["-O2 -static",
                                    # the scalar kernels with the software fma instead of fmadd
                                    pytest.param("-O2 -static -DXI_SOFT_FMA", marks=pytest.mark.slow)])
def test_aarch64_neon_under_qemu_gives_the_same_bytes(native, cflags):
    missing = [tool for tool in ("aarch64-linux-gnu-gcc", "qemu-aarch64-static") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"cross tools not installed ({', '.join(missing)}); .ci/run installs them")
    cross = run_driver(CC="aarch64-linux-gnu-gcc", CFLAGS=cflags, RUNNER="qemu-aarch64-static")
    assert "neon" in cross.splitlines()[0]
    assert digest(cross) == digest(native)


def test_clang_build_gives_the_same_bytes(native):
    # macOS wheels are built with clang: its target pragmas must give the same kernels
    if shutil.which("clang") is None:
        pytest.skip("clang not installed; .ci/run installs it")
    assert digest(run_driver(CC="clang")) == digest(native)


def oracle_digest():
    """The C driver's digest (tests/c/test_core.c), computed from the numpy oracle (tests/reference.py):
    an implementation of docs/stream.md independent of the C core."""
    import ml_dtypes
    import numpy as np

    import reference

    key, stream = (0x12345678, 0x9ABCDEF0), 0x0123456789ABCDEF
    f16, bf16, f32, f64 = np.float16, ml_dtypes.bfloat16, np.float32, np.float64

    def uniform(low, high):
        return "uniform", dict(low=low, high=high)

    def normal(mean, std):
        return "normal", dict(mean=mean, std=std)

    def trunc(mean, std, a, b):
        return "trunc_normal", dict(mean=mean, std=std, a=a, b=b)

    cases = [(t, uniform(-1.0, 1.0)) for t in (f16, bf16)] + [(t, uniform(-0.25, 3.0)) for t in (f32, f64)] + \
            [(t, normal(0.0, 1.0)) for t in (f16, bf16)] + [(t, normal(0.5, 2.0)) for t in (f32, f64)] + \
            [(t, trunc(0.0, 1.0, -2.0, 2.0)) for t in (f16, bf16, f32, f64)] + \
            [(f32, trunc(0.0, 1.0, 5.5, 1e300)), (f64, trunc(1.0, 0.5, -30.0, -2.0))] + \
            [(f32, trunc(0.0, 1.0, -9.5, -9.0)), (f32, trunc(0.0, 1.0, -7.0, -5.5)), (bf16, trunc(0.0, 1.0, 9.0, 9.5))] + \
            [(f64, trunc(0.0, 1.0, -36.0, -35.0)), (f64, trunc(0.0, 1.0, 8.5, 10.0))] + \
            [(np.uint32, ("bits", {})), (np.uint64, ("bits", {}))]
    sizes = [1, 3, 17, 64, 255, 1000, 5000]
    starts = [0, 1, 2, 3, 0x3FFFFFFFC * 4 + 1]
    digest = 0xCBF29CE484222325
    for dtype, (kind, params) in cases:
        with np.errstate(over="ignore"):  # b = 1e300 is +inf in float32, as the C core rounds it
            longest = [reference.fill(kind, max(sizes), dtype, key, stream, position=start, **params)
                       for start in starts]
        for n in sizes:
            for out in longest:
                # a fill of n elements is the first n of a longer one (section 2)
                for byte in out[:n].tobytes():
                    digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"digest {digest:016x}"


def test_the_c_driver_writes_the_oracles_bytes(native):
    # one digest over every dtype, distribution (the far branches included), odd sizes and start positions
    assert digest(native) == oracle_digest()
