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
    return run_driver(XINIT_TEST_HUGE_FILLS="1")


def test_native_core(native):
    assert "scalar" in native.splitlines()[0]


def test_aarch64_neon_under_qemu_gives_the_same_bytes(native):
    missing = [tool for tool in ("aarch64-linux-gnu-gcc", "qemu-aarch64-static") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"cross tools not installed ({', '.join(missing)}); .ci/run installs them")
    cross = run_driver(CC="aarch64-linux-gnu-gcc", CFLAGS="-O2 -static", RUNNER="qemu-aarch64-static")
    assert "neon" in cross.splitlines()[0]
    assert digest(cross) == digest(native)


@pytest.mark.slow
def test_aarch64_neon_streaming_fills_under_qemu(native):
    # the huge fills (64 MiB and more) that the native run checks too: about a minute under qemu
    missing = [tool for tool in ("aarch64-linux-gnu-gcc", "qemu-aarch64-static") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"cross tools not installed ({', '.join(missing)}); .ci/run installs them")
    run_driver(CC="aarch64-linux-gnu-gcc", CFLAGS="-O2 -static", RUNNER="qemu-aarch64-static",
               XINIT_TEST_HUGE_FILLS="1")


def test_clang_build_gives_the_same_bytes(native):
    # macOS wheels are built with clang: its target pragmas must give the same kernels
    if shutil.which("clang") is None:
        pytest.skip("clang not installed; .ci/run installs it")
    assert digest(run_driver(CC="clang")) == digest(native)


def python_digest():
    """The C driver's digest (tests/c/test_core.c), computed through the Python API."""
    import ml_dtypes
    import numpy as np

    import xinit_c as xi

    key, stream = (0x12345678, 0x9ABCDEF0), 0x0123456789ABCDEF
    f16, bf16, f32, f64 = np.float16, ml_dtypes.bfloat16, np.float32, np.float64
    cases = [(xi.uniform_, t, (-1.0, 1.0)) for t in (f16, bf16)] + \
            [(xi.uniform_, t, (-0.25, 3.0)) for t in (f32, f64)] + \
            [(xi.normal_, t, (0.0, 1.0)) for t in (f16, bf16)] + \
            [(xi.normal_, t, (0.5, 2.0)) for t in (f32, f64)] + \
            [(xi.trunc_normal_, t, (0.0, 1.0, -2.0, 2.0)) for t in (f16, bf16, f32, f64)] + \
            [(xi.trunc_normal_, f32, (0.0, 1.0, 5.5, 1e300)), (xi.trunc_normal_, f64, (1.0, 0.5, -30.0, -2.0))] + \
            [(xi.random_bits_, np.uint32, ()), (xi.random_bits_, np.uint64, ())]
    sizes = [1, 3, 17, 64, 255, 1000, 5000]
    starts = [0, 1, 2, 3, 0x3FFFFFFFC * 4 + 1]
    digest = 0xCBF29CE484222325
    for fill, dtype, params in cases:
        for n in sizes:
            for start in starts:
                out = fill(np.empty(n, dtype), *params, generator=xi.Generator(key=key, stream=stream, position=start))
                for byte in out.tobytes():
                    digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"digest {digest:016x}"


def test_the_c_driver_and_the_python_api_write_the_same_bytes(native):
    # the golden output: one digest over every dtype, distribution, odd sizes and start positions
    assert digest(native) == python_digest()
