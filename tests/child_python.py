"""Some tests start a child interpreter (sys.executable). In the emulated runs (tests/emulated/) none can
start: under qemu-user without binfmt_misc the kernel cannot execute the target's interpreter (ENOEXEC),
and an i386 one, which an x86-64 kernel does execute, runs outside qemu's sysroot and misses its libraries.
Those tests skip there, naming the error, after actually trying `python -c pass` once. A child that
starts and then fails is no reason to skip."""
import errno
import functools
import os
import subprocess
import sys
import tempfile

import pytest


@functools.cache
def spawn_error():
    """Why no child interpreter (sys.executable) can start here, or None if one can."""
    try:
        # with cwd, subprocess forks and reports the exec's error; without, qemu-user's emulated vfork only
        # gives a silent exit status 127
        result = subprocess.run([sys.executable, "-c", "pass"], capture_output=True, text=True, timeout=120,
                                check=False, cwd=tempfile.gettempdir())
    except OSError as error:
        if error.errno != errno.ENOEXEC:
            raise
        return f"{type(error).__name__}: {error}"
    # i386 under tests/emulated/run.sh: the kernel runs the child outside qemu's sysroot; anywhere else a
    # child that cannot run `pass` is a failure, not a skip
    if result.returncode != 0 and os.environ.get("XINIT_C_EMULATED_ARCH"):
        return f"`python -c pass` exits with status {result.returncode}: {result.stderr.strip()}"
    return None


def require_child_python():
    """Skips the calling test where no child interpreter can be started."""
    error = spawn_error()
    if error is not None:
        pytest.skip(f"cannot start a child interpreter: {error}")
