"""xinit_c: fast, reproducible, in-place weight initialisation.

Fills preallocated buffers with Xavier/Glorot, He/Kaiming, LeCun and
variance-scaling weights from the Philox4x32-10 counter-based stream: element
``k`` of a tensor depends only on (key, stream, position + k), so chunked,
sharded and multithreaded fills give the same bits. See ``docs/stream.md``.

>>> import numpy as np, xinit_c as xi
>>> w = np.empty((512, 256), np.float32)
>>> xi.xavier_uniform_(w, generator=xi.Generator(1234)) is w
True
"""
import os as _os

try:
    import xinit_c._core as _core  # noqa: F401  (first: its failure is the one to explain)
except ImportError as _exc:
    _ROOT = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
    if _os.path.isfile(_os.path.join(_ROOT, "setup.py")) and _os.path.isdir(_os.path.join(_ROOT, "src")):
        # without this, the first import of the compiled layer from _api.py (plain Python here) fails as a
        # "circular import", which sends a user looking for a cycle instead of the build
        raise ImportError(
            f"xinit_c is being imported from its source tree ({_ROOT}), where the compiled extension "
            "xinit_c._core is not built (or was built for another Python or numpy): run Python from another "
            "directory to use the installed package, or build it here with `pip install -e .` or "
            "`python setup.py build_ext --inplace`") from _exc
    raise

from xinit_c._api import (
    Generator,
    constant_,
    default_generator,
    describe,
    kaiming_normal_,
    kaiming_uniform_,
    lecun_normal_,
    lecun_uniform_,
    manual_seed,
    normal_,
    ones_,
    random_bits_,
    trunc_normal_,
    uniform_,
    variance_scaling_,
    xavier_normal_,
    xavier_uniform_,
    zeros_,
)
from xinit_c._structured import delta_orthogonal_, dirac_, eye_, identity_, orthogonal_, sparse_
from xinit_c._core import STREAM_VERSION, get_num_threads, get_simd, set_num_threads, set_simd, simd_backends
from xinit_c._capi import capi_functions, get_include
from xinit_c._core import _C_API
from xinit_c._fans import calculate_gain, compute_fans
from xinit_c import initializers
from xinit_c.initializers import xavier_initializer

__version__ = "0.1.0"

__all__ = [
    "STREAM_VERSION",
    "Generator",
    "calculate_gain",
    "capi_functions",
    "compute_fans",
    "constant_",
    "default_generator",
    "delta_orthogonal_",
    "describe",
    "dirac_",
    "eye_",
    "get_include",
    "get_num_threads",
    "get_simd",
    "identity_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "lecun_normal_",
    "lecun_uniform_",
    "manual_seed",
    "normal_",
    "ones_",
    "orthogonal_",
    "random_bits_",
    "set_num_threads",
    "set_simd",
    "simd_backends",
    "sparse_",
    "trunc_normal_",
    "uniform_",
    "variance_scaling_",
    "xavier_initializer",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]
