"""tests/emulated/run.sh: the stream, oracle and byte-order tests on big-endian
s390x, ppc64le and 32-bit x86 (Debian's CPython and numpy for each under
qemu-user, xinit_c cross-built by setup.py). Skips, naming them, where its tools
are missing."""
import os
import pathlib
import subprocess
import sys

import pytest

SCRIPT = pathlib.Path(__file__).parent / "emulated" / "run.sh"
MISSING_TOOLS = 77  # the script's exit status when a tool is missing


# about 3 (s390x), 4.5 (ppc64el) and 8.5 (i386) minutes on 2 cores once cached; the
# first run of each also downloads about 30 MB of packages and 50 MB of indices
@pytest.mark.slow
@pytest.mark.parametrize("arch", ["s390x", "ppc64el", "i386"])
def test_the_subset_passes_under_emulation(arch):
    result = subprocess.run(["bash", str(SCRIPT), arch], env={**os.environ, "PYTHON": sys.executable},
                            capture_output=True, text=True, check=False, timeout=1800)
    if result.returncode == MISSING_TOOLS:
        pytest.skip(result.stderr.strip())
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    assert " passed" in result.stdout.splitlines()[-1] and "failed" not in result.stdout.splitlines()[-1]
