"""Structured initialisers: orthogonal, sparse, identity and Dirac fills, in place.

Their values are not independent per element, so they are not a kernel of the
C core: each draws what it needs from the stream through the core's own fills
(a float64 ``normal_`` fill, a ``random_bits_`` fill) and computes the rest
with numpy. Which words they take is part of the stream contract
(docs/stream.md, "Structured initialisers"). Bad input raises before anything
is written and before the generator moves.

``eye_``, ``dirac_`` and ``identity_`` take no words. ``orthogonal_`` and
``delta_orthogonal_`` factor a normal matrix with LAPACK (``numpy.linalg.qr``),
so their bits depend on the LAPACK build; ``sparse_`` is exact everywhere.
"""
from __future__ import annotations

import math
import operator
from typing import TYPE_CHECKING, Any

import numpy as np

from xinit_c import _api, _core
from xinit_c._core import Generator

if TYPE_CHECKING:
    from collections.abc import Container

    import numpy.typing as npt

    from xinit_c._api import _Out, _Real

__all__ = ["orthogonal_", "sparse_", "eye_", "dirac_", "identity_", "delta_orthogonal_"]

_FLOAT_DTYPES = "float16, bfloat16, float32 or float64"
_EXACT_KINDS = ("float", "complex", "integer", "bool")


def _target(func: str, out: object, kinds: tuple[str, ...] = ("float",)) -> npt.NDArray[Any]:
    """The ndarray view of ``out`` that numpy writes, checked as the C core checks a buffer."""
    arr, _, _ = _api._buffer(func, out, None, None)
    if _api._value_kind(arr.dtype) not in kinds:
        expected = _FLOAT_DTYPES if kinds == ("float",) else _api._CONSTANT_DTYPES
        raise TypeError(f"{func}: cannot fill an array of dtype {arr.dtype}: expected {expected}")
    _api._check_written_by_numpy(func, arr, None)
    return arr


def _check_rank(func: str, arr: Any, ranks: Container[int], torch_message: str) -> None:
    """``arr``: an array or a tensor (xinit_c.torch checks meta tensors with it, before any view exists)."""
    if arr.ndim not in ranks:
        raise ValueError(f"{func}: {torch_message}, got shape {tuple(arr.shape)} ({arr.ndim}-D)")


def _set_diagonal(arr: npt.NDArray[Any], value: Any) -> None:
    """Zeros, and ``value`` on the main diagonal of a 2-D ``arr`` (rectangular allowed)."""
    arr[...] = 0
    diagonal = np.arange(min(arr.shape))
    arr[diagonal, diagonal] = value


def _factor(func: str, name: str, value: _Real, dtype: np.dtype[Any]) -> float:
    """A finite gain or scale whose products with entries of magnitude <= 1 stay finite in ``dtype``."""
    value = _api._finite(func, name, value)
    limit = _core._dtype_max(dtype)
    if abs(value) > limit:
        raise ValueError(f"{func}: {name} = {value!r} overflows {_core._dtype_name(dtype)}, whose largest "
                         f"finite value is {limit:.8g}")
    return value


def _round_into(arr: npt.NDArray[Any], values: npt.NDArray[np.float64]) -> None:
    """Store float64 ``values`` in ``arr``: rounded to nearest-even, through float32 for the 16-bit formats
    (docs/stream.md, section 10)."""
    if arr.itemsize == 2:
        values = values.astype(np.float32)
    arr[...] = values.astype(arr.dtype.newbyteorder("="))


def _reserve(func: str, generator: Generator, n_words: int) -> Generator:
    """A generator at the first of ``n_words`` words taken atomically from ``generator``."""
    try:
        start = generator._reserve_words(n_words)
    except ValueError as exc:
        raise _api._named(func, exc) from None
    return Generator(key=generator.key, stream=generator.stream, position=start)


def _orthogonal_matrix(rows: int, cols: int, generator: Generator) -> npt.NDArray[np.float64]:
    """torch.nn.init.orthogonal_'s matrix for a (rows, cols) shape, from a float64 normal fill of it.

    The (rows, cols) normal matrix (C order, 2 words an element) is transposed
    when it is wide, factored Q R, Q's columns multiplied by the signs of R's
    diagonal (so that the factorisation is unique and Q Haar-distributed), and
    transposed back."""
    z = _api.normal_(np.empty((rows, cols)), generator=generator)
    wide = rows < cols
    q, r = np.linalg.qr(z.T if wide else z)
    q *= np.sign(np.diagonal(r))
    return q.T if wide else q


def orthogonal_(out: _Out, gain: _Real = 1.0, *, generator: Generator | None = None) -> _Out:
    """Fill ``out`` with a (semi-)orthogonal matrix times ``gain``, in place (torch's ``orthogonal_``).

    ``out`` is read as a ``(rows, cols)`` matrix, ``rows = out.shape[0]``,
    ``cols = out.size // rows``. A ``(rows, cols)`` matrix ``Z`` of standard
    normals is drawn as :func:`normal_` draws a float64 array of that shape;
    with ``Z = QR`` (of ``Z^T`` when ``rows < cols``, transposed back),
    ``out = gain * Q * sign(diag(R))``: orthonormal columns when
    ``rows >= cols`` (``W^T W = gain^2 I``), orthonormal rows otherwise
    (``W W^T = gain^2 I``). Computed in float64 and rounded once into
    ``out``'s dtype (through float32 for float16 and bfloat16).

    The QR factorisation is numpy's LAPACK: the stream words are exact and
    portable, the bits of ``out`` depend on the LAPACK build (its blocking and
    SIMD paths), within rounding.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        At least 2-D, float16, bfloat16 (ml_dtypes), float32 or float64, any
        strides and byte order; a CPU ``torch.Tensor`` is written through a
        view of its memory. An empty tensor is left as it is and takes no words.
    gain : float, default 1.0
        Finite; its magnitude at most the dtype's largest finite value.
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past ``2 * rows * cols`` words (a float64 normal fill of the
        matrix), whatever ``out``'s dtype.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy or is not float16,
        bfloat16, float32 or float64; ``gain`` is not a real number;
        ``generator`` is not an :class:`xinit_c.Generator`.
    ValueError
        ``out`` has fewer than 2 dimensions, is read-only, or a broadcast or
        overlapping view; ``gain`` is not finite or overflows the dtype; the
        stream has fewer words left than the fill takes. Nothing is written and
        the generator does not move.

    Examples
    --------
    >>> w = orthogonal_(np.empty((6, 3)), generator=Generator(0))     # a (6, 3) matrix: W^T W = I
    >>> bool(np.allclose(w.T @ w, np.eye(3)))
    True
    >>> w = orthogonal_(np.empty((2, 3, 2), np.float32), 2.0, generator=Generator(0))   # read as (2, 6)
    >>> m = w.reshape(2, 6).astype(np.float64)
    >>> bool(np.allclose(m @ m.T, 4 * np.eye(2), atol=1e-5))
    True
    """
    func = "orthogonal_"
    arr = _target(func, out)
    _check_rank(func, arr, range(2, 65), "out must have 2 or more dimensions (torch: Only tensors with 2 "
                "or more dimensions are supported)")
    gain = _factor(func, "gain", gain, arr.dtype)
    generator = _api._generator(func, generator)
    if arr.size == 0:
        return out
    rows = arr.shape[0]
    cols = arr.size // rows
    q = _orthogonal_matrix(rows, cols, _reserve(func, generator, 2 * rows * cols))
    _round_into(arr, (gain * q).reshape(arr.shape))
    return out


def sparse_(out: _Out, sparsity: _Real, std: _Real = 0.01, *, generator: Generator | None = None) -> _Out:
    """Fill a 2-D ``out`` with ``N(0, std^2)`` values and exact zeros in each column, in place (torch's ``sparse_``).

    For ``out`` of shape ``(rows, cols)``, each column gets exactly
    ``n_zeros = ceil(sparsity * rows)`` zeros (the product rounded to float64,
    as torch computes it) and ``N(0, std^2)`` values elsewhere. The values are
    those of ``normal_(out, 0, std)`` from the same position; the zero rows of
    column ``j`` are the ``n_zeros`` rows with the smallest keys, key ``i``
    being word ``P + w*rows*cols + j*rows + i`` of the stream (ties broken by the
    lower row), so each column's zeros are a uniformly random set, independent
    of the values, of threads and of memory layout (docs/stream.md,
    "Structured initialisers").

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        2-D, float16, bfloat16 (ml_dtypes), float32 or float64, any strides and
        byte order; a CPU ``torch.Tensor`` is written through a view of its
        memory. An empty tensor is left as it is and takes no words.
    sparsity : float
        The fraction of each column set to zero, from 0 to 1.
    std : float, default 0.01
        The standard deviation of the non-zero values, finite and >= 0.
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past ``(w + 1) * rows * cols`` words (``w = 2`` for float64, 1
        otherwise), whatever ``sparsity``.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy or is not float16,
        bfloat16, float32 or float64; ``sparsity`` or ``std`` is not a real
        number; ``generator`` is not an :class:`xinit_c.Generator`.
    ValueError
        ``out`` is not 2-D, is read-only, or a broadcast or overlapping view;
        ``sparsity`` is outside [0, 1]; ``std`` is negative, not finite or
        overflows the dtype; the stream has fewer words left than the fill
        takes. Nothing is written and the generator does not move.

    Examples
    --------
    >>> w = sparse_(np.empty((10, 4), np.float32), 0.3, generator=Generator(0))
    >>> (w == 0).sum(axis=0).tolist()       # ceil(0.3 * 10) zeros in every column
    [3, 3, 3, 3]
    """
    func = "sparse_"
    arr = _target(func, out)
    _check_rank(func, arr, (2,), "out must be 2-D (torch: Only tensors with 2 dimensions are supported)")
    sparsity = _api._real(func, "sparsity", sparsity)
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"{func}: sparsity must be in [0, 1], got {sparsity}")
    std = _api._nonnegative(func, "std", std)
    problem = _core._param_problem(_core.DIST_NORMAL, arr.dtype, 0.0, std)
    if problem is not None:
        raise ValueError(f"{func}: {problem}")
    generator = _api._generator(func, generator)
    if arr.size == 0:
        return out
    rows, cols = arr.shape
    n_zeros = math.ceil(sparsity * rows)
    values_words = (2 if arr.itemsize == 8 else 1) * rows * cols
    start = _reserve(func, generator, values_words + rows * cols)
    values = _api.normal_(np.empty((rows, cols), arr.dtype.newbyteorder("=")), 0.0, std, generator=start)
    keys = _api.random_bits_(np.empty((cols, rows), np.uint32), generator=start)
    # a stable sort keeps equal keys in row order
    zero_rows = np.argsort(keys, axis=1, kind="stable")[:, :n_zeros]
    values[zero_rows, np.arange(cols)[:, None]] = 0
    arr[...] = values
    return out


def eye_(out: _Out) -> _Out:
    """Fill a 2-D ``out`` with the identity matrix, in place (torch's ``eye_``). Takes no words.

    ``out[i, j] = 1`` where ``i == j``, 0 elsewhere; a non-square matrix gets
    ones on its leading diagonal, as ``numpy.eye(rows, cols)``.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        2-D, of any dtype :func:`constant_` fills (float, complex, bool or
        integer), any strides and byte order.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy, or its dtype is not
        one :func:`constant_` fills.
    ValueError
        ``out`` is not 2-D, is read-only, or a broadcast or overlapping view.
        Nothing is written.

    Examples
    --------
    >>> eye_(np.empty((2, 3), np.float32))
    array([[1., 0., 0.],
           [0., 1., 0.]], dtype=float32)
    """
    func = "eye_"
    arr = _target(func, out, _EXACT_KINDS)
    _check_rank(func, arr, (2,), "out must be 2-D (torch: Only tensors with 2 dimensions are supported)")
    _set_diagonal(arr, 1)
    return out


def dirac_(out: _Out, groups: int = 1) -> _Out:
    """Fill a 3-, 4- or 5-D convolution kernel with the Dirac delta, in place (torch's ``dirac_``). Takes no words.

    For ``out`` of shape ``(out_channels, in_channels, *spatial)``, split into
    ``groups`` groups of ``n = out_channels // groups`` output channels:
    ``out[g*n + d, d, *centre] = 1`` for each group ``g`` and each
    ``d < min(n, in_channels)``, with ``centre = [k // 2 for k in spatial]``;
    0 elsewhere. A convolution with it keeps the first ``min(n, in_channels)``
    input channels of each group unchanged.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        3-, 4- or 5-D, of any dtype :func:`constant_` fills, any strides and
        byte order.
    groups : int, default 1
        The number of groups, >= 1, dividing ``out.shape[0]``.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy, or its dtype is not
        one :func:`constant_` fills; ``groups`` is not an integer.
    ValueError
        ``out`` is not 3-, 4- or 5-D, is read-only, or a broadcast or
        overlapping view; ``groups`` is below 1 or does not divide
        ``out.shape[0]``. Nothing is written.

    Examples
    --------
    >>> w = dirac_(np.empty((4, 2, 3)), groups=2)     # Conv1d(2, 4, kernel_size=3, groups=2)
    >>> [tuple(int(i) for i in index) for index in zip(*np.nonzero(w))]
    [(0, 0, 1), (1, 1, 1), (2, 0, 1), (3, 1, 1)]
    """
    func = "dirac_"
    arr = _target(func, out, _EXACT_KINDS)
    _check_rank(func, arr, (3, 4, 5), "out must be 3-, 4- or 5-D (torch: Only tensors with 3, 4, or 5 "
                "dimensions are supported)")
    if _api._is_bool(groups) or not hasattr(groups, "__index__"):
        raise TypeError(f"{func}: groups must be an integer, got {type(groups).__name__} {groups!r}")
    groups = operator.index(groups)
    if groups < 1:
        raise ValueError(f"{func}: groups must be >= 1, got {groups}")
    if arr.shape[0] % groups:
        raise ValueError(f"{func}: out.shape[0] = {arr.shape[0]} must be divisible by groups = {groups} "
                         "(torch: dim 0 must be divisible by groups)")
    arr[...] = 0
    if arr.size == 0:
        return out
    per_group = arr.shape[0] // groups
    channels = np.arange(min(per_group, arr.shape[1]))
    out_channels = (np.arange(groups)[:, None] * per_group + channels).ravel()
    in_channels = np.tile(channels, groups)
    arr[(out_channels, in_channels) + tuple(k // 2 for k in arr.shape[2:])] = 1
    return out


def identity_(out: _Out, gain: _Real = 1.0) -> _Out:
    """Fill a 2-D ``out`` with ``gain`` times the identity matrix, in place (Keras's ``Identity``). Takes no words.

    ``out[i, i] = gain`` (rounded to ``out``'s dtype as :func:`constant_`
    rounds it), 0 elsewhere; a non-square matrix gets ``gain`` on its leading
    diagonal, as ``gain * numpy.eye(rows, cols)``.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        2-D, float16, bfloat16 (ml_dtypes), float32 or float64, any strides and
        byte order.
    gain : float, default 1.0
        Finite; at most the dtype's largest finite value in magnitude.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy, or is not float16,
        bfloat16, float32 or float64; ``gain`` is not a real number.
    ValueError
        ``out`` is not 2-D (Keras: the identity initializer is for 2D
        matrices), is read-only, or a broadcast or overlapping view; ``gain``
        is not finite or overflows the dtype. Nothing is written.

    Examples
    --------
    >>> identity_(np.empty((2, 3)), gain=0.5)
    array([[0.5, 0. , 0. ],
           [0. , 0.5, 0. ]])
    """
    func = "identity_"
    arr = _target(func, out)
    _check_rank(func, arr, (2,), "out must be 2-D (Keras: Identity matrix initializer can only be used for 2D "
                "matrices)")
    gain = _factor(func, "gain", gain, arr.dtype)
    _set_diagonal(arr, np.array(gain, arr.dtype.newbyteorder("=")))
    return out


def delta_orthogonal_(out: _Out, scale: _Real = 1.0, column_axis: int = -1, *,
                      generator: Generator | None = None) -> _Out:
    """Fill a 3-, 4- or 5-D kernel with an orthogonal matrix at its spatial centre, in place (JAX's ``delta_orthogonal``).

    For ``out`` of shape ``(*spatial, c_in, c_out)`` (``c_in <= c_out``):
    ``out[centre] = scale * M``, zeros elsewhere, with
    ``centre = [(k - 1) // 2 for k in spatial]`` and ``M`` a ``(c_in, c_out)``
    matrix with orthonormal rows, built as JAX's ``orthogonal(scale,
    column_axis)`` builds it for the shape ``(c_in, c_out)``: its axis
    ``column_axis`` holds the columns, so ``M`` is :func:`orthogonal_`'s matrix
    for ``(c_in, c_out)`` when ``column_axis`` is -1 or 1, and the transpose of
    its matrix for ``(c_out, c_in)`` when it is -2 or 0. Computed in float64,
    rounded once into ``out``'s dtype; the bits depend on the LAPACK build (see
    :func:`orthogonal_`).

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        3-, 4- or 5-D with ``shape[-1] >= shape[-2]``, float16, bfloat16
        (ml_dtypes), float32 or float64, any strides and byte order. An empty
        tensor is left as it is and takes no words.
    scale : float, default 1.0
        Finite; at most the dtype's largest finite value in magnitude.
    column_axis : int, default -1
        The axis of the ``(c_in, c_out)`` matrix that holds its columns: -2, -1,
        0 or 1.
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past ``2 * c_in * c_out`` words (a float64 normal fill of the
        matrix drawn, ``(c_in, c_out)`` or ``(c_out, c_in)``).

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy or is not float16,
        bfloat16, float32 or float64; ``scale`` is not a real number;
        ``column_axis`` is not an integer; ``generator`` is not an
        :class:`xinit_c.Generator`.
    ValueError
        ``out`` is not 3-, 4- or 5-D, has ``shape[-1] < shape[-2]`` (JAX:
        fan_in must be less or equal than fan_out), is read-only, or a broadcast
        or overlapping view; ``scale`` is not finite or overflows the dtype;
        ``column_axis`` is not -2, -1, 0 or 1; the stream has fewer words left
        than the fill takes. Nothing is written and the generator does not move.

    Examples
    --------
    >>> w = delta_orthogonal_(np.empty((3, 3, 4, 8), np.float32), generator=Generator(0))
    >>> centre = w[1, 1].astype(np.float64)
    >>> bool(np.allclose(centre @ centre.T, np.eye(4), atol=1e-6))
    True
    >>> int(np.count_nonzero(w)) - int(np.count_nonzero(centre))          # zeros elsewhere
    0
    """
    func = "delta_orthogonal_"
    arr = _target(func, out)
    _check_rank(func, arr, (3, 4, 5), "out must be 3-, 4- or 5-D (JAX: Delta orthogonal initializer requires a "
                "3D, 4D or 5D shape)")
    c_in, c_out = arr.shape[-2:]
    if c_out < c_in:
        raise ValueError(f"{func}: shape[-1] = {c_out} must be >= shape[-2] = {c_in} (JAX: `fan_in` must be less "
                         "or equal than `fan_out`)")
    scale = _factor(func, "scale", scale, arr.dtype)
    if _api._is_bool(column_axis) or not hasattr(column_axis, "__index__"):
        raise TypeError(f"{func}: column_axis must be an integer, got {type(column_axis).__name__} "
                        f"{column_axis!r}")
    column_axis = operator.index(column_axis)
    if not -2 <= column_axis <= 1:
        raise ValueError(f"{func}: column_axis must be -2, -1, 0 or 1 (an axis of the (shape[-2], shape[-1]) "
                         f"matrix), got {column_axis}")
    generator = _api._generator(func, generator)
    if arr.size == 0:
        return out
    start = _reserve(func, generator, 2 * c_in * c_out)
    if column_axis % 2 == 1:
        matrix = _orthogonal_matrix(c_in, c_out, start)
    else:
        matrix = _orthogonal_matrix(c_out, c_in, start).T
    values = np.zeros(arr.shape)
    values[tuple((k - 1) // 2 for k in arr.shape[:-2])] = scale * matrix
    _round_into(arr, values)
    return out
