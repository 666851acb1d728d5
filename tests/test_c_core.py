"""The C core on its own (tests/c/run.sh): known answers, every variant equal to
scalar, and the same digest natively and on aarch64 (NEON) under qemu."""
import os
import pathlib
import shutil
import subprocess

import pytest

RUN = pathlib.Path(__file__).parent / "c" / "run.sh"


def run_driver(**env):
    result = subprocess.run(["bash", str(RUN)], env={**os.environ, **env}, capture_output=True, text=True,
                            check=False, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("0 failed")
    return result.stdout


def digest(output):
    return next(line for line in output.splitlines() if line.startswith("digest "))


@pytest.fixture(scope="module")
def native():
    if shutil.which(os.environ.get("CC", "cc")) is None:
        pytest.skip("no C compiler")
    return run_driver()


def test_native_core(native):
    assert "scalar" in native.splitlines()[0]


def test_aarch64_neon_under_qemu_gives_the_same_bytes(native):
    missing = [tool for tool in ("aarch64-linux-gnu-gcc", "qemu-aarch64-static") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"cross tools not installed ({', '.join(missing)}); .ci/run installs them")
    cross = run_driver(CC="aarch64-linux-gnu-gcc", CFLAGS="-O2 -static", RUNNER="qemu-aarch64-static")
    assert "neon" in cross.splitlines()[0]
    assert digest(cross) == digest(native)


def test_clang_build_gives_the_same_bytes(native):
    # macOS wheels are built with clang: its target pragmas must give the same kernels
    if shutil.which("clang") is None:
        pytest.skip("clang not installed; .ci/run installs it")
    assert digest(run_driver(CC="clang")) == digest(native)
