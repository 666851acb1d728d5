"""Shared fixtures. The suite runs against the compiled extension: if it is
missing (running from a source tree that was never built), collection fails
loudly instead of skipping."""
import numpy as np
import pytest

import xinit_c
from xinit_c import _core  # noqa: F401  (the compiled module must import)

import ml_dtypes  # the test extra installs it: bfloat16 is tested, never silently dropped

BFLOAT16 = np.dtype(ml_dtypes.bfloat16)
FLOAT_DTYPES = [np.dtype(np.float16), BFLOAT16, np.dtype(np.float32), np.dtype(np.float64)]


def pytest_report_header(config):
    return f"xinit_c {xinit_c.__version__} from {xinit_c.__file__}, kernel variant {_core.get_simd()}"


@pytest.fixture(params=FLOAT_DTYPES, ids=lambda d: d.name)
def float_dtype(request):
    return request.param
