"""Shared fixtures. The suite runs against the compiled extension: if it is
missing (running from a source tree that was never built), collection fails
loudly instead of skipping."""
import numpy as np
import pytest

import xinit_c
from xinit_c import _core  # noqa: F401  (the compiled module must import)

from bfloat16 import BFLOAT16, bfloat16_param  # noqa: F401  (BFLOAT16: imported from here by some tests)

# the formats this run can test, for loops; parametrize with FLOAT_DTYPE_PARAMS, whose bfloat16 case
# skips, saying why, where ml_dtypes is missing
FLOAT_DTYPES = [np.dtype(np.float16), *([BFLOAT16] if BFLOAT16 is not None else []), np.dtype(np.float32),
                np.dtype(np.float64)]
FLOAT_DTYPE_PARAMS = [np.dtype(np.float16), bfloat16_param(), np.dtype(np.float32), np.dtype(np.float64)]


def pytest_report_header(config):
    return f"xinit_c {xinit_c.__version__} from {xinit_c.__file__}, kernel variant {_core.get_simd()}"


@pytest.fixture(params=FLOAT_DTYPE_PARAMS, ids=lambda d: d.name)
def float_dtype(request):
    return request.param
