"""tests/emulated/s390x.sh: the stream, oracle and byte-order tests on big-endian
s390x (Debian's s390x CPython and numpy under qemu-user, xinit_c cross-built by
setup.py). Skips, naming them, where its tools are missing."""
import os
import pathlib
import subprocess
import sys

import pytest

SCRIPT = pathlib.Path(__file__).parent / "emulated" / "s390x.sh"
MISSING_TOOLS = 77  # the script's exit status when a tool is missing


@pytest.mark.slow  # about 2 minutes on 2 cores (the first run also downloads about 30 MB)
def test_the_s390x_subset_passes_on_big_endian():
    result = subprocess.run(["bash", str(SCRIPT)], env={**os.environ, "PYTHON": sys.executable},
                            capture_output=True, text=True, check=False, timeout=1800)
    if result.returncode == MISSING_TOOLS:
        pytest.skip(result.stderr.strip())
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    assert " passed" in result.stdout.splitlines()[-1] and "failed" not in result.stdout.splitlines()[-1]
