"""Stands in for tests/conftest.py in tests/emulated/s390x.sh (pytest --noconftest -p s390x_plugin).

ml_dtypes has no s390x build (no PyPI wheel, no Debian package), so float_dtype
leaves bfloat16 out here; the header says so. The run refuses to start unless it
is on big-endian s390x with the s390x build of xinit_c, so that a misconfigured
run cannot pass on the host.
"""
import platform
import sys

import numpy as np
import pytest

import xinit_c
from xinit_c import _core

FLOAT_DTYPES = [np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)]


def pytest_configure(config):
    where = f"byteorder {sys.byteorder}, machine {platform.machine()}, extension {_core.__file__}"
    if sys.byteorder != "big" or platform.machine() != "s390x" or not _core.__file__.endswith("-s390x-linux-gnu.so"):
        raise pytest.UsageError(f"the s390x subset must run on big-endian s390x with the s390x build: {where}")


def pytest_report_header(config):
    return (f"xinit_c {xinit_c.__version__} from {xinit_c.__file__}, {platform.machine()} {sys.byteorder}-endian, "
            f"numpy {np.__version__}; no bfloat16 (ml_dtypes has no s390x build)")


@pytest.fixture(params=FLOAT_DTYPES, ids=lambda d: d.name)
def float_dtype(request):
    return request.param
