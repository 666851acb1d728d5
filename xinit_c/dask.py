"""Lazy dask arrays of initialised weights, identical for every chunking.

Each block is filled by the C kernel as its block of the whole tensor
(``global_shape=``, ``offset=``), so the values do not depend on the chunks,
the scheduler or the number of workers: ``xavier_uniform((50000, 1024),
chunks=...).compute()`` equals ``xinit_c.xavier_uniform_`` on one array with
the same generator state. Building the array takes the generator's current
position and moves it past the tensor, like an eager fill would.

Every function here takes ``shape``, ``chunks``, ``generator`` and ``dtype``,
then the options of the eager fill of the same name as keywords (``gain``,
``mode``, ``std``, ..., and ``layout``/``fan_in``/``fan_out`` for the
fan-based ones). Bad options raise when the array is built, not later inside
a worker.

>>> import numpy as np, xinit_c as xi
>>> from xinit_c import dask as xd
>>> w = xd.xavier_normal((4000, 512), chunks=(1000, 256), generator=xi.Generator(0))
>>> xd.to_npy(w, "w.npy")   # written block by block, never whole in memory
'w.npy'
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, SupportsFloat, SupportsIndex, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

try:
    # from dask.array.core, where they are defined: dask 2024.8's dask.array does not export them to mypy
    from dask.array.core import Array, map_blocks, normalize_chunks, store
except ImportError as exc:
    raise ImportError("xinit_c.dask needs dask.array, which could not be imported: "
                      "pip install 'xinit-c[dask]'") from exc

from xinit_c import _api

if TYPE_CHECKING:
    from xinit_c._api import _Distribution, _Fan, _KaimingMode
    from xinit_c._core import Generator
    from xinit_c._fans import _Axes, _Layout, _Mode, _Nonlinearity

__all__ = ["to_npy", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "lecun_uniform",
           "lecun_normal", "variance_scaling", "uniform", "normal", "trunc_normal"]

#: What dask.array.core.normalize_chunks takes: "auto", a block size, a tuple per axis or a dict of axes.
_Chunks: TypeAlias = str | int | tuple[Any, ...] | dict[int, Any]
_PathT = TypeVar("_PathT", bound=str | os.PathLike[str])


def _fill_block(fill_name: str, dtype: np.dtype[Any], global_shape: tuple[int, ...],
                state: tuple[tuple[int, int], int, int], options: dict[str, Any],
                block_info: dict[Any, Any] | None = None) -> npt.NDArray[Any]:
    assert block_info is not None  # map_blocks passes it because the signature names it
    info = block_info[None]
    out = np.empty(info["chunk-shape"], dtype)
    key, stream, position = state
    generator = _api.Generator(key=key, stream=stream, position=position)
    offset = tuple(start for start, _ in info["array-location"])
    # one thread per block: dask already runs blocks in parallel
    getattr(_api, fill_name)(out, generator=generator, global_shape=global_shape, offset=offset, threads=1,
                             **options)
    return out


def _lazy(fill_name: str, shape: Sequence[SupportsIndex], chunks: _Chunks, generator: Generator | None,
          dtype: npt.DTypeLike, options: dict[str, Any]) -> Array:
    fill = getattr(_api, fill_name)
    dims = tuple(int(n) for n in shape)
    element_type = np.dtype(dtype)
    generator = _api.default_generator() if generator is None else generator
    # fill an empty block of the same tensor from a copy of the generator: it
    # validates everything now (not inside a worker later) and moves the copy
    # exactly as far as the whole fill moves the generator
    state = (generator.key, generator.stream, generator.position)
    probe = _api.Generator(key=state[0], stream=state[1], position=state[2])
    fill(np.empty((0,) * len(dims), element_type), generator=probe, global_shape=dims,
         offset=(0,) * len(dims), **options)
    generator.advance(probe.position - state[2])
    # dask does not annotate these two; unused-ignore keeps a release that does from failing mypy --strict
    normalized = normalize_chunks(  # type: ignore[no-untyped-call, unused-ignore]
        chunks, dims, dtype=element_type)
    lazy: Array = map_blocks(  # type: ignore[no-untyped-call, unused-ignore]
        _fill_block, fill_name, element_type, dims, state, options, chunks=normalized, dtype=element_type,
        meta=np.empty((0,) * len(dims), element_type))
    return lazy


def xavier_uniform(shape: Sequence[SupportsIndex], chunks: _Chunks = "auto", generator: Generator | None = None,
                   dtype: npt.DTypeLike = np.float32, *, gain: SupportsFloat = 1.0, layout: _Layout = "torch",
                   fan_in: _Fan | None = None, fan_out: _Fan | None = None) -> Array:
    """A lazy dask array filled as :func:`xinit_c.xavier_uniform_` fills one array.

    Parameters
    ----------
    shape : sequence of int
        The shape of the whole tensor; fans come from it.
    chunks : str, int, tuple or dict, default "auto"
        The block shape, as :func:`dask.array.core.normalize_chunks` takes it.
        The values do not depend on it.
    generator : Generator, optional
        Where the words come from (default: the module's default generator).
        It moves past the whole tensor now, as the eager fill would move it.
    dtype : data-type, default float32
        float16, bfloat16 (ml_dtypes), float32 or float64.
    gain, layout, fan_in, fan_out
        As in :func:`xinit_c.xavier_uniform_`.

    Returns
    -------
    dask.array.Array
        Of ``shape`` and ``dtype``, computed block by block.

    Raises
    ------
    TypeError, ValueError
        What :func:`xinit_c.xavier_uniform_` raises for these arguments,
        raised here (before the generator moves) rather than by a worker.

    Examples
    --------
    >>> import xinit_c as xi
    >>> w = xavier_uniform((4000, 512), chunks=(1000, 256), generator=xi.Generator(0))
    >>> w.shape, w.chunksize, w.dtype
    ((4000, 512), (1000, 256), dtype('float32'))
    """
    return _lazy("xavier_uniform_", shape, chunks, generator, dtype,
                 {"gain": gain, "layout": layout, "fan_in": fan_in, "fan_out": fan_out})


def xavier_normal(shape: Sequence[SupportsIndex], chunks: _Chunks = "auto", generator: Generator | None = None,
                  dtype: npt.DTypeLike = np.float32, *, gain: SupportsFloat = 1.0, layout: _Layout = "torch",
                  fan_in: _Fan | None = None, fan_out: _Fan | None = None) -> Array:
    """A lazy dask array filled as :func:`xinit_c.xavier_normal_` fills one array.

    Parameters
    ----------
    shape : sequence of int
        The shape of the whole tensor; fans come from it.
    chunks : str, int, tuple or dict, default "auto"
        The block shape, as :func:`dask.array.core.normalize_chunks` takes it.
        The values do not depend on it.
    generator : Generator, optional
        Where the words come from (default: the module's default generator).
        It moves past the whole tensor now, as the eager fill would move it.
    dtype : data-type, default float32
        float16, bfloat16 (ml_dtypes), float32 or float64.
    gain, layout, fan_in, fan_out
        As in :func:`xinit_c.xavier_normal_`.

    Returns
    -------
    dask.array.Array
        Of ``shape`` and ``dtype``, computed block by block.

    Raises
    ------
    TypeError, ValueError
        What :func:`xinit_c.xavier_normal_` raises for these arguments,
        raised here (before the generator moves) rather than by a worker.

    Examples
    --------
    >>> import xinit_c as xi
    >>> w = xavier_normal((64, 3, 3, 3), chunks=(16, 3, 3, 3), generator=xi.Generator(0), dtype=np.float64)
    >>> w.numblocks, w.dtype
    ((4, 1, 1, 1), dtype('float64'))
    """
    return _lazy("xavier_normal_", shape, chunks, generator, dtype,
                 {"gain": gain, "layout": layout, "fan_in": fan_in, "fan_out": fan_out})


def kaiming_uniform(shape: Sequence[SupportsIndex], chunks: _Chunks = "auto", generator: Generator | None = None,
                    dtype: npt.DTypeLike = np.float32, *, a: float = 0, mode: _KaimingMode = "fan_in",
                    nonlinearity: _Nonlinearity = "leaky_relu", layout: _Layout = "torch",
                    fan_in: _Fan | None = None, fan_out: _Fan | None = None) -> Array:
    """A lazy dask array filled as :func:`xinit_c.kaiming_uniform_` fills one array.

    Parameters
    ----------
    shape : sequence of int
        The shape of the whole tensor; fans come from it.
    chunks : str, int, tuple or dict, default "auto"
        The block shape, as :func:`dask.array.core.normalize_chunks` takes it.
        The values do not depend on it.
    generator : Generator, optional
        Where the words come from (default: the module's default generator).
        It moves past the whole tensor now, as the eager fill would move it.
    dtype : data-type, default float32
        float16, bfloat16 (ml_dtypes), float32 or float64.
    a, mode, nonlinearity, layout, fan_in, fan_out
        As in :func:`xinit_c.kaiming_uniform_`.

    Returns
    -------
    dask.array.Array
        Of ``shape`` and ``dtype``, computed block by block.

    Raises
    ------
    TypeError, ValueError
        What :func:`xinit_c.kaiming_uniform_` raises for these arguments,
        raised here (before the generator moves) rather than by a worker.

    Examples
    --------
    >>> import xinit_c as xi
    >>> w = kaiming_uniform((1024, 1024), chunks=256, nonlinearity="relu", generator=xi.Generator(0))
    >>> w.numblocks
    (4, 4)
    """
    return _lazy("kaiming_uniform_", shape, chunks, generator, dtype,
                 {"a": a, "mode": mode, "nonlinearity": nonlinearity, "layout": layout, "fan_in": fan_in,
                  "fan_out": fan_out})


def kaiming_normal(shape: Sequence[SupportsIndex], chunks: _Chunks = "auto", generator: Generator | None = None,
                   dtype: npt.DTypeLike = np.float32, *, a: float = 0, mode: _KaimingMode = "fan_in",
                   nonlinearity: _Nonlinearity = "leaky_relu", layout: _Layout = "torch",
                   fan_in: _Fan | None = None, fan_out: _Fan | None = None) -> Array:
    """A lazy dask array filled as :func:`xinit_c.kaiming_normal_` fills one array.

    Parameters
    ----------
    shape : sequence of int
        The shape of the whole tensor; fans come from it.
    chunks : str, int, tuple or dict, default "auto"
        The block shape, as :func:`dask.array.core.normalize_chunks` takes it.
        The values do not depend on it.
    generator : Generator, optional
        Where the words come from (default: the module's default generator).
        It moves past the whole tensor now, as the eager fill would move it.
    dtype : data-type, default float32
        float16, bfloat16 (ml_dtypes), float32 or float64.
    a, mode, nonlinearity, layout, fan_in, fan_out
        As in :func:`xinit_c.kaiming_normal_`.

    Returns
    -------
    dask.array.Array
        Of ``shape`` and ``dtype``, computed block by block.

    Raises
    ------
    TypeError, ValueError
        What :func:`xinit_c.kaiming_normal_` raises for these arguments,
        raised here (before the generator moves) rather than by a worker.

    Examples
    --------
    >>> import xinit_c as xi
    >>> w = kaiming_normal((256, 128, 3, 3), mode="fan_out", nonlinearity="relu", generator=xi.Generator(0))
    >>> w.shape
    (256, 128, 3, 3)
    """
    return _lazy("kaiming_normal_", shape, chunks, generator, dtype,
                 {"a": a, "mode": mode, "nonlinearity": nonlinearity, "layout": layout, "fan_in": fan_in,
                  "fan_out": fan_out})


def lecun_uniform(shape: Sequence[SupportsIndex], chunks: _Chunks = "auto", generator: Generator | None = None,
                  dtype: npt.DTypeLike = np.float32, *, layout: _Layout = "torch", fan_in: _Fan | None = None,
                  fan_out: _Fan | None = None) -> Array:
    """A lazy dask array filled as :func:`xinit_c.lecun_uniform_` fills one array.

    Parameters
    ----------
    shape : sequence of int
        The shape of the whole tensor; fans come from it.
    chunks : str, int, tuple or dict, default "auto"
        The block shape, as :func:`dask.array.core.normalize_chunks` takes it.
        The values do not depend on it.
    generator : Generator, optional
        Where the words come from (default: the module's default generator).
        It moves past the whole tensor now, as the eager fill would move it.
    dtype : data-type, default float32
        float16, bfloat16 (ml_dtypes), float32 or float64.
    layout, fan_in, fan_out
        As in :func:`xinit_c.lecun_uniform_`.

    Returns
    -------
    dask.array.Array
        Of ``shape`` and ``dtype``, computed block by block.

    Raises
    ------
    TypeError, ValueError
        What :func:`xinit_c.lecun_uniform_` raises for these arguments,
        raised here (before the generator moves) rather than by a worker.

    Examples
    --------
    >>> import xinit_c as xi
    >>> k = lecun_uniform((3, 3, 64, 128), layout="keras", generator=xi.Generator(0))
    >>> k.shape
    (3, 3, 64, 128)
    """
    return _lazy("lecun_uniform_", shape, chunks, generator, dtype,
                 {"layout": layout, "fan_in": fan_in, "fan_out": fan_out})


def lecun_normal(shape: Sequence[SupportsIndex], chunks: _Chunks = "auto", generator: Generator | None = None,
                 dtype: npt.DTypeLike = np.float32, *, layout: _Layout = "torch", fan_in: _Fan | None = None,
                 fan_out: _Fan | None = None) -> Array:
    """A lazy dask array filled as :func:`xinit_c.lecun_normal_` fills one array.

    Parameters
    ----------
    shape : sequence of int
        The shape of the whole tensor; fans come from it.
    chunks : str, int, tuple or dict, default "auto"
        The block shape, as :func:`dask.array.core.normalize_chunks` takes it.
        The values do not depend on it.
    generator : Generator, optional
        Where the words come from (default: the module's default generator).
        It moves past the whole tensor now, as the eager fill would move it.
    dtype : data-type, default float32
        float16, bfloat16 (ml_dtypes), float32 or float64.
    layout, fan_in, fan_out
        As in :func:`xinit_c.lecun_normal_`.

    Returns
    -------
    dask.array.Array
        Of ``shape`` and ``dtype``, computed block by block.

    Raises
    ------
    TypeError, ValueError
        What :func:`xinit_c.lecun_normal_` raises for these arguments,
        raised here (before the generator moves) rather than by a worker.

    Examples
    --------
    >>> import xinit_c as xi
    >>> lecun_normal((512, 256), chunks=(128, 256), generator=xi.Generator(0)).numblocks
    (4, 1)
    """
    return _lazy("lecun_normal_", shape, chunks, generator, dtype,
                 {"layout": layout, "fan_in": fan_in, "fan_out": fan_out})


def variance_scaling(shape: Sequence[SupportsIndex], chunks: _Chunks = "auto", generator: Generator | None = None,
                     dtype: npt.DTypeLike = np.float32, *, scale: SupportsFloat = 1.0, mode: _Mode = "fan_in",
                     distribution: _Distribution = "truncated_normal", layout: _Layout = "torch",
                     fan_in: _Fan | None = None, fan_out: _Fan | None = None, in_axis: _Axes | None = None,
                     out_axis: _Axes | None = None, batch_axis: _Axes | None = ()) -> Array:
    """A lazy dask array filled as :func:`xinit_c.variance_scaling_` fills one array.

    Parameters
    ----------
    shape : sequence of int
        The shape of the whole tensor; fans come from it.
    chunks : str, int, tuple or dict, default "auto"
        The block shape, as :func:`dask.array.core.normalize_chunks` takes it.
        The values do not depend on it.
    generator : Generator, optional
        Where the words come from (default: the module's default generator).
        It moves past the whole tensor now, as the eager fill would move it.
    dtype : data-type, default float32
        float16, bfloat16 (ml_dtypes), float32 or float64.
    scale, mode, distribution, layout, fan_in, fan_out, in_axis, out_axis, batch_axis
        As in :func:`xinit_c.variance_scaling_`.

    Returns
    -------
    dask.array.Array
        Of ``shape`` and ``dtype``, computed block by block.

    Raises
    ------
    TypeError, ValueError
        What :func:`xinit_c.variance_scaling_` raises for these arguments,
        raised here (before the generator moves) rather than by a worker.

    Examples
    --------
    >>> import xinit_c as xi
    >>> k = variance_scaling((3, 3, 16, 32), scale=2.0, layout="keras", generator=xi.Generator(0))
    >>> k.shape   # keras he_normal
    (3, 3, 16, 32)
    """
    return _lazy("variance_scaling_", shape, chunks, generator, dtype,
                 {"scale": scale, "mode": mode, "distribution": distribution, "layout": layout,
                  "fan_in": fan_in, "fan_out": fan_out, "in_axis": in_axis, "out_axis": out_axis,
                  "batch_axis": batch_axis})


def uniform(shape: Sequence[SupportsIndex], chunks: _Chunks = "auto", generator: Generator | None = None,
            dtype: npt.DTypeLike = np.float32, *, low: SupportsFloat = 0.0,
            high: SupportsFloat = 1.0) -> Array:
    """A lazy dask array filled as :func:`xinit_c.uniform_` fills one array.

    Parameters
    ----------
    shape : sequence of int
        The shape of the whole tensor.
    chunks : str, int, tuple or dict, default "auto"
        The block shape, as :func:`dask.array.core.normalize_chunks` takes it.
        The values do not depend on it.
    generator : Generator, optional
        Where the words come from (default: the module's default generator).
        It moves past the whole tensor now, as the eager fill would move it.
    dtype : data-type, default float32
        float16, bfloat16 (ml_dtypes), float32 or float64.
    low, high
        As in :func:`xinit_c.uniform_`.

    Returns
    -------
    dask.array.Array
        Of ``shape`` and ``dtype``, computed block by block.

    Raises
    ------
    TypeError, ValueError
        What :func:`xinit_c.uniform_` raises for these arguments, raised
        here (before the generator moves) rather than by a worker.

    Examples
    --------
    >>> import xinit_c as xi
    >>> uniform((1000,), chunks=100, low=-1.0, high=1.0, generator=xi.Generator(0)).numblocks
    (10,)
    """
    return _lazy("uniform_", shape, chunks, generator, dtype, {"low": low, "high": high})


def normal(shape: Sequence[SupportsIndex], chunks: _Chunks = "auto", generator: Generator | None = None,
           dtype: npt.DTypeLike = np.float32, *, mean: SupportsFloat = 0.0, std: SupportsFloat = 1.0) -> Array:
    """A lazy dask array filled as :func:`xinit_c.normal_` fills one array.

    Parameters
    ----------
    shape : sequence of int
        The shape of the whole tensor.
    chunks : str, int, tuple or dict, default "auto"
        The block shape, as :func:`dask.array.core.normalize_chunks` takes it.
        The values do not depend on it.
    generator : Generator, optional
        Where the words come from (default: the module's default generator).
        It moves past the whole tensor now, as the eager fill would move it.
    dtype : data-type, default float32
        float16, bfloat16 (ml_dtypes), float32 or float64.
    mean, std
        As in :func:`xinit_c.normal_`.

    Returns
    -------
    dask.array.Array
        Of ``shape`` and ``dtype``, computed block by block.

    Raises
    ------
    TypeError, ValueError
        What :func:`xinit_c.normal_` raises for these arguments, raised here
        (before the generator moves) rather than by a worker.

    Examples
    --------
    >>> import xinit_c as xi
    >>> g = xi.Generator(0)
    >>> normal((30000, 768), std=0.02, generator=g).shape   # an embedding table
    (30000, 768)
    >>> g.position   # moved past the whole tensor: one word per float32 element
    23040000
    """
    return _lazy("normal_", shape, chunks, generator, dtype, {"mean": mean, "std": std})


def trunc_normal(shape: Sequence[SupportsIndex], chunks: _Chunks = "auto", generator: Generator | None = None,
                 dtype: npt.DTypeLike = np.float32, *, mean: SupportsFloat = 0.0, std: SupportsFloat = 1.0,
                 a: SupportsFloat = -2.0, b: SupportsFloat = 2.0) -> Array:
    """A lazy dask array filled as :func:`xinit_c.trunc_normal_` fills one array.

    Parameters
    ----------
    shape : sequence of int
        The shape of the whole tensor.
    chunks : str, int, tuple or dict, default "auto"
        The block shape, as :func:`dask.array.core.normalize_chunks` takes it.
        The values do not depend on it.
    generator : Generator, optional
        Where the words come from (default: the module's default generator).
        It moves past the whole tensor now, as the eager fill would move it.
    dtype : data-type, default float32
        float16, bfloat16 (ml_dtypes), float32 or float64.
    mean, std, a, b
        As in :func:`xinit_c.trunc_normal_` (``a`` and ``b`` are absolute bounds).

    Returns
    -------
    dask.array.Array
        Of ``shape`` and ``dtype``, computed block by block.

    Raises
    ------
    TypeError, ValueError
        What :func:`xinit_c.trunc_normal_` raises for these arguments,
        raised here (before the generator moves) rather than by a worker.

    Examples
    --------
    >>> import xinit_c as xi
    >>> w = trunc_normal((768, 3072), std=0.02, a=-0.04, b=0.04, generator=xi.Generator(0))
    >>> bool(abs(w).max().compute() <= 0.04)
    True
    """
    return _lazy("trunc_normal_", shape, chunks, generator, dtype, {"mean": mean, "std": std, "a": a, "b": b})


def to_npy(array: Array, path: _PathT) -> _PathT:
    """Write a dask array to a new .npy file block by block through a memory map.

    Blocks are written in parallel (threads) straight into the mapped file,
    so the array is never whole in memory.

    Parameters
    ----------
    array : dask.array.Array
        What to write, in any dtype numpy can save.
    path : str or os.PathLike
        The file to create (an existing one is overwritten).

    Returns
    -------
    str or os.PathLike
        ``path``, so that ``np.load(to_npy(a, path), mmap_mode="r")`` reads it back.

    Raises
    ------
    OSError
        The file cannot be created or the disk is full.
    ValueError
        ``array`` has a dtype that the .npy format cannot hold (object).

    Examples
    --------
    >>> import xinit_c as xi
    >>> path = to_npy(xavier_uniform((1000, 100), chunks=(250, 100), generator=xi.Generator(0)), "w.npy")
    >>> np.load(path, mmap_mode="r").shape
    (1000, 100)
    """
    # numpy 2.0 does not annotate open_memmap (later releases do)
    out = np.lib.format.open_memmap(  # type: ignore[no-untyped-call, unused-ignore]
        path, mode="w+", dtype=array.dtype, shape=array.shape)
    store(array, out, lock=False, scheduler="threads")
    out.flush()
    return path
