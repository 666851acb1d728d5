"""The C API from Python: the header's directory, and the fill functions as
raw addresses with their ctypes signatures (for ctypes, cffi and numba).

The table itself is the capsule ``xinit_c._C_API``; its layout is
``xinit_c/include/xinit_c.h``, mirrored here and in ``xinit_c/capi.pxd``.
"""
from __future__ import annotations

import ctypes
import os
from typing import TYPE_CHECKING

from xinit_c import _core

if TYPE_CHECKING:
    from _ctypes import CFuncPtr

ABI_VERSION = 1

_FILL_ARGS = [ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_uint32,
              ctypes.c_size_t]


def _fill_type(n_params: int) -> type[CFuncPtr]:
    # the output as a plain address (c_void_p), whatever the element type:
    # ctypes takes arr.ctypes.data, numba takes arr.ctypes
    return ctypes.CFUNCTYPE(ctypes.c_int, *_FILL_ARGS, ctypes.c_void_p, ctypes.c_ssize_t,
                            *([ctypes.c_double] * n_params))


#: name -> ctypes function type, in the order of the xinit_c_api struct
SIGNATURES = {
    "uniform_f16": _fill_type(2),
    "uniform_bf16": _fill_type(2),
    "uniform_f32": _fill_type(2),
    "uniform_f64": _fill_type(2),
    "normal_f16": _fill_type(2),
    "normal_bf16": _fill_type(2),
    "normal_f32": _fill_type(2),
    "normal_f64": _fill_type(2),
    "trunc_normal_f16": _fill_type(4),
    "trunc_normal_bf16": _fill_type(4),
    "trunc_normal_f32": _fill_type(4),
    "trunc_normal_f64": _fill_type(4),
    "bits_u32": _fill_type(0),
    "bits_u64": _fill_type(0),
    "compute_fans": ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int64), ctypes.c_int, ctypes.c_int,
                                     ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64)),
    "calculate_gain": ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_double,
                                       ctypes.POINTER(ctypes.c_double)),
    "simd_variant": ctypes.CFUNCTYPE(ctypes.c_char_p),
}


class CApiTable(ctypes.Structure):
    """ctypes view of ``struct xinit_c_api``."""
    _fields_ = [("abi_version", ctypes.c_uint32), ("struct_size", ctypes.c_uint32)] + [
        (name, ctypes.c_void_p) for name in SIGNATURES]


def get_include() -> str:
    """The directory of ``xinit_c.h``, for compiling against the C API (like numpy.get_include()).

    Returns
    -------
    str
        An absolute path inside the installed package.

    Examples
    --------
    >>> os.path.isfile(os.path.join(get_include(), "xinit_c.h"))
    True
    """
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "include")


def _table() -> CApiTable:
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    table = CApiTable.from_address(get_pointer(_core._C_API, b"xinit_c._C_API"))
    if table.abi_version != ABI_VERSION:
        raise ImportError(f"C API version {table.abi_version}, this module expects {ABI_VERSION}")
    return table


def capi_functions() -> dict[str, tuple[int, type[CFuncPtr]]]:
    """Every C API function as ``name -> (address, ctypes function type)``.

    ``ftype(address)`` is a ctypes callable; numba calls it from ``@njit`` code.
    A fill takes ``(k0, k1, stream, position, position_high, n, out, stride,
    *params)`` and writes what the Python fill writes for a 1-D array
    (``xinit_c/include/xinit_c.h``).

    Returns
    -------
    dict of str to (int, ctypes function type)
        In the order of ``struct xinit_c_api``: the fills per distribution and
        dtype (``uniform_f32``, ``normal_bf16``, ``bits_u64``, ...), then
        ``compute_fans``, ``calculate_gain`` and ``simd_variant``.

    Raises
    ------
    ImportError
        The compiled module's table has another ABI version than this module
        expects (a mixed installation).

    Examples
    --------
    >>> import numpy as np, xinit_c as xi
    >>> address, ftype = capi_functions()["uniform_f32"]
    >>> uniform_f32 = ftype(address)
    >>> w = np.empty(1000, np.float32)
    >>> uniform_f32(0, 0, 0, 0, 0, w.size, w.ctypes.data, 1, -1.0, 1.0)   # status XINIT_OK
    0
    >>> want = xi.uniform_(np.empty(1000, np.float32), -1.0, 1.0, generator=xi.Generator(key=(0, 0)))
    >>> bool((w == want).all())
    True
    """
    table = _table()
    return {name: (getattr(table, name), ftype) for name, ftype in SIGNATURES.items()}
