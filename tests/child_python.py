"""Some tests start a child interpreter (sys.executable). Under qemu-user without binfmt_misc, as in the
emulated big-endian run (tests/emulated/), the kernel cannot execute the target's interpreter: those tests
skip there, naming the error, after actually trying once. A child that starts and then fails is no reason
to skip."""
import functools
import subprocess
import sys

import pytest


@functools.cache
def spawn_error():
    """Why sys.executable cannot be started as a child process, or None if it can."""
    try:
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, timeout=120, check=False)
    except OSError as error:
        return f"{type(error).__name__}: {error}"
    return None


def require_child_python():
    """Skips the calling test where no child interpreter can be started."""
    error = spawn_error()
    if error is not None:
        pytest.skip(f"cannot start a child interpreter (qemu-user without binfmt_misc?): {error}")
