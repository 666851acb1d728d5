"""bfloat16, the one tested format numpy lacks, comes from ml_dtypes. The test extra installs it, but some
platforms have no build of it (s390x, ppc64le and i686, where the emulated wheel tests run): there every
bfloat16 case skips with the reason MISSING and the rest of the suite runs. A bfloat16 case is never
silently dropped."""
import numpy as np
import pytest

try:
    import ml_dtypes
except ImportError:
    ml_dtypes = None

MISSING = "ml_dtypes is not installed"
BFLOAT16 = np.dtype(ml_dtypes.bfloat16) if ml_dtypes is not None else None


def bfloat16_dtype():
    """numpy's bfloat16 dtype; skips the calling test where ml_dtypes is missing."""
    if BFLOAT16 is None:
        pytest.skip(MISSING)
    return BFLOAT16


def dtype_named(name):
    """np.dtype(name), with "bfloat16" from ml_dtypes (the calling test skips where it is missing)."""
    return bfloat16_dtype() if name == "bfloat16" else np.dtype(name)


def bfloat16_param(make_value=lambda dtype: dtype, id="bfloat16", arity=1):
    """A parametrize entry holding make_value(BFLOAT16) (a tuple of arity values where arity > 1); where
    ml_dtypes is missing, a case named id that skips with the reason."""
    if BFLOAT16 is None:
        return pytest.param(*[None] * arity, id=id, marks=pytest.mark.skip(reason=MISSING))
    return make_value(BFLOAT16)
