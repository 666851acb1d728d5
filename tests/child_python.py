"""Some tests start a child interpreter (sys.executable). Under qemu-user without binfmt_misc, as in the
emulated runs (tests/emulated/), the kernel cannot execute the target's interpreter (ENOEXEC): those tests
skip there, naming the error, after actually trying once. Any other failure to start, or a child that
starts and then fails, is no reason to skip."""
import errno
import functools
import subprocess
import sys
import tempfile

import pytest


@functools.cache
def spawn_error():
    """Why the kernel cannot execute sys.executable (its format is foreign to it), or None if it can."""
    try:
        # with cwd, subprocess forks and reports the exec's error; without, qemu-user's emulated vfork only
        # gives a silent exit status 127
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, timeout=120, check=False,
                       cwd=tempfile.gettempdir())
    except OSError as error:
        if error.errno != errno.ENOEXEC:
            raise
        return f"{type(error).__name__}: {error}"
    return None


def require_child_python():
    """Skips the calling test where no child interpreter can be started."""
    error = spawn_error()
    if error is not None:
        pytest.skip(f"cannot start a child interpreter (qemu-user without binfmt_misc): {error}")
