"""The C driver's digests on every platform tests/c/platforms.sh can build and run here
(x86-64 gcc and clang, aarch64, ppc64le, riscv64, s390x and i686 under qemu-user, Windows
x86-64 under wine64), each kernel variant on its own: all equal to the oracle's digest."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from test_c_core import oracle_digest

PLATFORMS = pathlib.Path(__file__).parent / "c" / "platforms.sh"


@pytest.mark.slow  # about two minutes on 2 cores: a build per platform, most under emulation
def test_every_platform_and_variant_prints_the_oracles_digest():
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    result = subprocess.run(["bash", str(PLATFORMS), "--allow-missing"], env={**os.environ, "PYTHON": sys.executable},
                            capture_output=True, text=True, check=False, timeout=1800)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines, result.stderr
    assert {digest for _, _, digest in lines} == {oracle_digest().split()[1]}
    # a platform left out for a missing compiler or emulator is named, never counted as a pass
    missing = [line for line in result.stderr.splitlines() if ": missing " in line]
    if missing:
        pytest.skip("ran " + ", ".join(sorted({platform for platform, _, _ in lines}))
                    + "; left out: " + "; ".join(missing))
