"""Safetensors checkpoints written out of core, tensor block by tensor block, through a memory map.

The file is laid out as the reference writer (safetensors' ``save_file``)
lays it out, so for the same tensors and metadata the two files hold the same
bytes. Format facts, from safetensors' documentation (its README's "Format",
https://github.com/huggingface/safetensors#format): an 8-byte little-endian
header length N; N bytes of UTF-8 JSON mapping each tensor name to its
``dtype``, ``shape`` and ``data_offsets`` (begin and end, relative to the
data section) plus an optional ``__metadata__`` object of string values; the
data section, every tensor C-ordered and little-endian. Observed of the
reference writer (safetensors 0.8.0), which the equality tests pin: compact
JSON without escaping non-ASCII; the header padded with spaces to a multiple
of 8 bytes; tensors ordered by dtype (I64, F64, F32, BF16, F16, BOOL: its
dtype enumeration, descending) and then by name; ``__metadata__`` first.

Each tensor is filled in place in the mapped file by its ``fill(out,
global_shape, offset)``: blockwise rules in C-contiguous blocks of at most
``chunk_bytes``, other rules whole. Each block's window is flushed and unmapped
before the next is mapped, so resident memory stays about one block (or one
whole non-blockwise tensor) whatever the file size. The file is written under
a temporary name beside ``path`` and renamed onto it only when complete: a
failure or Ctrl-C leaves no partial checkpoint and keeps an existing one.

This module needs no torch: :func:`write_safetensors` takes any tensors
described by :class:`TensorFill` (the command line uses it);
:func:`save_initialized` plans a torch module's tensors with
``xinit_c._torch_models.plan_module``.
"""
from __future__ import annotations

import importlib
import json
import math
import mmap
import os
import secrets
import struct
import sys
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import numpy as np

if TYPE_CHECKING:
    import torch

    from xinit_c._torch_models import Scheme

__all__ = ["CHUNK_BYTES", "TensorFill", "save_initialized", "write_safetensors"]

CHUNK_BYTES = 64 << 20
# safetensors' dtype names for the element types written here, in the order the reference writer lays them out
SAFETENSORS_DTYPES = {"int64": "I64", "float64": "F64", "float32": "F32", "bfloat16": "BF16", "float16": "F16",
                      "bool": "BOOL"}
LAYOUT_RANK = {code: rank for rank, code in enumerate(SAFETENSORS_DTYPES.values())}
HEADER_ALIGNMENT = 8
METADATA_KEY = "__metadata__"


@dataclass(frozen=True)
class TensorFill:
    """A tensor to write: its name, shape, element type and how to compute its values.

    ``fill(out, global_shape, offset)`` writes into ``out`` (a C-contiguous
    numpy array) its block of the tensor's values, the block at ``offset`` of
    a tensor of ``global_shape``; ``global_shape=None, offset=None``: ``out``
    is the whole tensor. ``blockwise=False`` asks for the whole tensor at once
    (rules such as orthogonal need it). ``dtype`` is a numpy dtype, a torch
    dtype or a name ("float32", "bfloat16", ...). ``xinit_c._torch_models.
    ParameterPlan`` has the same fields.
    """
    name: str
    shape: tuple[int, ...]
    dtype: Any
    fill: Callable[[Any, Any, Any], Any]
    blockwise: bool = True


@dataclass(frozen=True)
class _Placed:
    """A tensor with its place in the data section."""
    tensor: Any
    shape: tuple[int, ...]
    code: str
    element: np.dtype
    begin: int
    end: int


def _dtype_name(dtype: Any) -> str:
    # a torch dtype prints as "torch.float32"; reading its name needs no torch import
    text = str(dtype)
    if text.startswith("torch."):
        return text[len("torch."):]
    # "bfloat16" names no numpy dtype unless ml_dtypes is imported
    return text if isinstance(dtype, str) and text in SAFETENSORS_DTYPES else np.dtype(dtype).name


def _element_type(dtype: Any, where: str) -> tuple[str, np.dtype]:
    """(safetensors dtype name, numpy dtype of the mapped view) of ``dtype``."""
    try:
        name = _dtype_name(dtype)
    except TypeError:
        name = None
    if name not in SAFETENSORS_DTYPES:
        raise TypeError(f"{where}: dtype {dtype} cannot be written; the safetensors writer takes "
                        f"{', '.join(SAFETENSORS_DTYPES)}")
    if name == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise ImportError(f"{where}: bfloat16 needs the ml_dtypes package (pip install ml_dtypes)") from None
        return "BF16", np.dtype(ml_dtypes.bfloat16)
    return SAFETENSORS_DTYPES[name], np.dtype(name)


def _check_chunk_bytes(chunk_bytes: Any, function: str) -> int:
    if isinstance(chunk_bytes, bool) or not isinstance(chunk_bytes, int):
        raise TypeError(f"{function}: chunk_bytes must be an int, got {type(chunk_bytes).__name__}")
    if chunk_bytes < 1:
        raise ValueError(f"{function}: chunk_bytes must be at least 1, got {chunk_bytes}")
    return chunk_bytes


def _check_metadata(metadata: Any, function: str) -> dict[str, str] | None:
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise TypeError(f"{function}: metadata must be a mapping of str to str, got {type(metadata).__name__}")
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"{function}: metadata holds {key!r}: {value!r}; the safetensors format takes "
                            "string keys and string values only")
        _utf8(key, f"{function}: metadata key")
        _utf8(value, f"{function}: metadata value of {key!r}")
    return dict(metadata)


def _check_destination(path: str | os.PathLike[str], function: str) -> str:
    destination = os.fspath(path)
    if os.path.isdir(destination):
        raise IsADirectoryError(f"{function}: {destination} is a directory")
    folder = os.path.dirname(os.path.abspath(destination))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{function}: the folder {folder} of {destination} does not exist")
    return destination


def _utf8(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} {text!r} is not encodable as UTF-8") from None


def _shape(shape: Any, where: str) -> tuple[int, ...]:
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"{where}: shape must be a sequence of ints, got {shape!r}") from None
    if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0 for n in dims):
        raise ValueError(f"{where}: shape {dims} must hold non-negative ints")
    return tuple(int(n) for n in dims)


def _place(tensors: Iterable[Any], function: str) -> list[_Placed]:
    """Validate every tensor and give it its bytes in the data section, in the reference writer's order."""
    described = []
    seen = set()
    for tensor in tensors:
        name = tensor.name
        if not isinstance(name, str):
            raise TypeError(f"{function}: tensor names must be str, got {name!r}")
        where = f"{function}: tensor {name!r}"
        if name == METADATA_KEY:
            raise ValueError(f"{where}: the name is reserved for the file's metadata")
        if name in seen:
            raise ValueError(f"{where} appears twice")
        seen.add(name)
        _utf8(name, f"{function}: tensor name")
        code, element = _element_type(tensor.dtype, where)
        described.append((LAYOUT_RANK[code], name, tensor, code, element, _shape(tensor.shape, where)))
    described.sort(key=lambda entry: entry[:2])
    placed = []
    begin = 0
    for _, _, tensor, code, element, shape in described:
        end = begin + math.prod(shape) * element.itemsize
        placed.append(_Placed(tensor, shape, code, element, begin, end))
        begin = end
    return placed


def _header(placed: list[_Placed], metadata: dict[str, str] | None) -> bytes:
    document: dict[str, Any] = {} if metadata is None else {METADATA_KEY: metadata}
    for entry in placed:
        document[entry.tensor.name] = {"dtype": entry.code, "shape": list(entry.shape),
                                       "data_offsets": [entry.begin, entry.end]}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % HEADER_ALIGNMENT)
    return struct.pack("<Q", len(text)) + text


def blocks(shape: tuple[int, ...], itemsize: int,
           chunk_bytes: int) -> Iterable[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(offset, block shape) of C-contiguous blocks of at most ``chunk_bytes`` covering ``shape``, in memory order.

    A block runs along the first axis whose sub-tensors (one index of it)
    fit in ``chunk_bytes``, spanning every axis after it and one index of
    every axis before it: rows of a matrix, or parts of one row when a row is
    larger. A block holds at least one element.
    """
    if math.prod(shape) == 0:
        return
    if not shape:
        yield (), ()
        return
    split = next((axis for axis in range(len(shape)) if math.prod(shape[axis + 1:]) * itemsize <= chunk_bytes),
                 len(shape) - 1)
    trailing = shape[split + 1:]
    step = max(1, chunk_bytes // (math.prod(trailing) * itemsize))
    for outer in np.ndindex(*shape[:split]):
        for start in range(0, shape[split], step):
            count = min(step, shape[split] - start)
            yield tuple(outer) + (start,) + (0,) * len(trailing), (1,) * split + (count,) + trailing


def _fill_window(descriptor: int, file_offset: int, element: np.dtype, block_shape: tuple[int, ...],
                 fill: Callable[[np.ndarray], Any]) -> None:
    """Map the bytes of one block, fill them, flush them to the file and unmap them."""
    length = math.prod(block_shape) * element.itemsize
    window_start = file_offset - file_offset % mmap.ALLOCATIONGRANULARITY
    lead = file_offset - window_start
    window = mmap.mmap(descriptor, lead + length, offset=window_start)
    out = np.frombuffer(window, dtype=element, count=math.prod(block_shape), offset=lead).reshape(block_shape)
    try:
        fill(out)
        if sys.byteorder == "big":   # the format is little-endian
            out.byteswap(inplace=True)
    except BaseException as exc:
        del out
        # the failed fill's frames, kept by the traceback, hold views of the window, under which it cannot close
        traceback.clear_frames(exc.__traceback__)
        window.close()
        raise
    del out
    window.flush()
    window.close()


def _bar_maker(progress: Any, function: str) -> Any:
    """tqdm's bar class when a bar is to be shown, else None: when asked, or by default on a terminal with tqdm
    installed."""
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"{function}: progress must be True, False or None, got {progress!r}")
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return None
    try:
        return importlib.import_module("tqdm").tqdm
    except ImportError:
        if progress:
            raise ImportError(f"{function}: progress=True needs tqdm: pip install 'xinit-c[safetensors]'") from None
        return None


def _write_tensor(descriptor: int, data_start: int, entry: _Placed, chunk_bytes: int, bar: Any) -> None:
    tensor, shape = entry.tensor, entry.shape
    if entry.end == entry.begin:   # an empty tensor: nothing to map
        return
    pieces = blocks(shape, entry.element.itemsize, chunk_bytes) if tensor.blockwise else [((0,) * len(shape), shape)]
    strides = [math.prod(shape[axis + 1:]) for axis in range(len(shape))]
    for offset, block_shape in pieces:
        whole = block_shape == shape
        first = sum(index * stride for index, stride in zip(offset, strides))
        _fill_window(descriptor, data_start + entry.begin + first * entry.element.itemsize, entry.element,
                     block_shape, lambda out: tensor.fill(out, None if whole else shape, None if whole else offset))
        if bar is not None:
            bar.update(math.prod(block_shape) * entry.element.itemsize)


def _temporary_name(path: str) -> str:
    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{base}.{secrets.token_hex(6)}.partial")


def _write(path: str, placed: list[_Placed], metadata: dict[str, str] | None, chunk_bytes: int,
           bar_maker: Any) -> None:
    header = _header(placed, metadata)
    data_bytes = placed[-1].end if placed else 0
    size = len(header) + data_bytes
    partial = _temporary_name(path)
    # os.open with mode 0o666: the permissions the umask gives any new file, as open() and save_file give
    descriptor = os.open(partial, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    bar = None if bar_maker is None else bar_maker(total=data_bytes, unit="B", unit_scale=True, unit_divisor=1024,
                                                   desc=os.path.basename(path), file=sys.stderr)
    try:
        try:
            written = 0
            while written < len(header):   # a write may take only part of it
                written += os.write(descriptor, header[written:])
            os.ftruncate(descriptor, size)
            for entry in placed:
                _write_tensor(descriptor, len(header), entry, chunk_bytes, bar)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise
    finally:
        if bar is not None:
            bar.close()


def write_safetensors(path: str | os.PathLike[str], tensors: Iterable[Any], *,
                      metadata: Mapping[str, str] | None = None, chunk_bytes: int = CHUNK_BYTES,
                      progress: bool | None = None) -> str:
    """Write ``tensors`` into a safetensors file at ``path``, each filled in place block by block.

    Every tensor is checked (names unique and UTF-8, shapes, dtypes) before
    the file is created; the file appears at ``path`` (replacing one there)
    only once complete. Resident memory stays about ``chunk_bytes`` for
    blockwise tensors and one whole tensor for the others.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    tensors : iterable of TensorFill
        Or any objects with the same fields (``ParameterPlan``).
    metadata : mapping of str to str, optional
        The header's ``__metadata__``; left out when None.
    chunk_bytes : int, default 64 MiB
        The most bytes filled (and resident) at once in a blockwise tensor.
    progress : bool, optional
        A tqdm progress bar on stderr: True shows it (tqdm needed), False
        hides it, None shows it when stderr is a terminal and tqdm is installed.

    Returns
    -------
    str
        ``path``.

    Raises
    ------
    TypeError
        A dtype other than int64, float64, float32, bfloat16, float16 and bool;
        metadata that is not str to str; a bad ``chunk_bytes`` or ``progress``.
    ValueError
        A repeated, reserved or non-UTF-8 name; a negative dimension.
    OSError
        The folder is missing or not writable (no file is left behind).

    Examples
    --------
    >>> import xinit_c as xi
    >>> def fill(out, global_shape, offset):
    ...     xi.normal_(out, std=0.02, generator=xi.Generator(0), global_shape=global_shape, offset=offset)
    >>> write_safetensors("w.safetensors", [TensorFill("w", (4096, 1024), "bfloat16", fill)], chunk_bytes=1 << 20)
    'w.safetensors'
    """
    function = "write_safetensors"
    chunk_bytes = _check_chunk_bytes(chunk_bytes, function)
    metadata = _check_metadata(metadata, function)
    destination = _check_destination(path, function)
    bar_maker = _bar_maker(progress, function)
    _write(destination, _place(tensors, function), metadata, chunk_bytes, bar_maker)
    return destination


def save_initialized(model: torch.nn.Module, path: str | os.PathLike[str], *, scheme: Scheme = "torch",
                     generator: Any = None, overrides: Any = None, chunk_bytes: int = CHUNK_BYTES,
                     progress: bool | None = None, metadata: Mapping[str, str] | None = None,
                     **options: Any) -> str:
    """Write the initialised ``model``'s state dict into a safetensors file, never holding the model in memory.

    Every parameter and persistent buffer of ``model.state_dict()`` gets the
    values ``materialize_(model, scheme=scheme, generator=generator, ...)``
    gives it, computed in place in the memory-mapped file a block of at most
    ``chunk_bytes`` at a time, so ``model`` may live on the meta device and
    be larger than memory. The file equals, byte for byte, safetensors'
    ``save_file`` of the materialised model's state dict with the same
    metadata (when that metadata has at most one key: ``save_file`` orders
    more keys by hash). A tied tensor (shared by several names, which
    ``save_file`` refuses) is written under each of its names, with the
    values of the first, as ``load_state_dict`` expects. Nothing is written, and the generator is not drawn
    from, before every argument and every tensor's dtype is checked; the file
    appears at ``path`` only once complete.

    Parameters
    ----------
    model : torch.nn.Module
        On any device, the meta device included: only names, shapes and dtypes
        are read.
    path : str or os.PathLike
        The file to write (replaced if it exists); its folder must exist.
    scheme, generator, overrides, **options
        As for ``init_module_``: the rules and the stream of every tensor.
    chunk_bytes : int, default 64 MiB
        The most bytes of a tensor filled (and resident) at once; rules that
        need a whole tensor (orthogonal, sparse) hold that tensor.
    progress : bool, optional
        A tqdm bar on stderr: True shows it, False hides it, None shows it on
        a terminal when tqdm is installed.
    metadata : mapping of str to str, optional
        Added to the header's ``__metadata__``, after ``format`` ("pt", which
        Hugging Face loaders ask for), ``xinit_c.scheme``, ``xinit_c.version``
        and ``xinit_c.stream_version`` (which it may not replace).

    Returns
    -------
    str
        ``path``.

    Raises
    ------
    TypeError
        A state-dict tensor of a dtype the writer does not take (int64, float64,
        float32, bfloat16, float16 and bool are taken); bad metadata,
        ``chunk_bytes`` or ``progress``; what ``plan_module`` raises.
    ValueError
        What ``plan_module`` raises (unknown scheme, bad options or overrides).
    OSError
        The folder is missing or not writable (no file is left behind).

    Examples
    --------
    >>> import torch, xinit_c as xi
    >>> from safetensors.torch import load_file
    >>> with torch.device("meta"):
    ...     net = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.LayerNorm(4))
    >>> path = save_initialized(net, "init.safetensors", generator=xi.Generator(0))
    >>> sorted((name, tuple(t.shape)) for name, t in load_file(path).items())
    [('0.bias', (4,)), ('0.weight', (4, 8)), ('1.bias', (4,)), ('1.weight', (4,))]
    """
    import xinit_c
    from xinit_c._torch_models import plan_module

    function = "save_initialized"
    chunk_bytes = _check_chunk_bytes(chunk_bytes, function)
    recorded = {"format": "pt", "xinit_c.scheme": str(scheme), "xinit_c.version": xinit_c.__version__,
                "xinit_c.stream_version": str(xinit_c.STREAM_VERSION)}
    extra = _check_metadata(metadata, function) or {}
    clashing = sorted(set(extra) & set(recorded))
    if clashing:
        raise ValueError(f"{function}: metadata may not replace {', '.join(map(repr, clashing))}, which the "
                         "writer records")
    destination = _check_destination(path, function)
    bar_maker = _bar_maker(progress, function)
    for name, tensor in model.state_dict(keep_vars=True).items():
        _element_type(tensor.dtype, f"{function}: {name}")
    # a tied tensor's later names plan its first name's rule and stream, so each name gets the same bytes
    tensors = [TensorFill(plan.name, plan.shape, plan.dtype, plan.fill, plan.blockwise)
               for plan in plan_module(model, scheme, generator, overrides=overrides, **options)]
    _write(destination, _place(tensors, function), {**recorded, **extra}, chunk_bytes, bar_maker)
    return destination
