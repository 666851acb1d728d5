"""Any supported object as the writable numpy view the fills write: the one place that knows the types.

numpy arrays pass through; CPU torch tensors become views of their memory
(a DTensor its local shard, with its global shape and offset); any other object
numpy can view in place without a copy goes through the compiled layer's
check. torch is imported here only when a tensor arrives, so the core fills
never depend on the framework adapters (xinit_c.torch, xinit_c.dask, ...),
which depend on the core.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from xinit_c._core import as_writable_array

if TYPE_CHECKING:
    import numpy.typing as npt
    # torch is optional: where it is missing (the wheel's checks at the dependency floors), mypy reads these
    # names as Any rather than failing on a module the core only meets when a tensor is passed
    import torch  # type: ignore[import-not-found, unused-ignore]
    from torch.distributed.tensor import DTensor  # type: ignore[import-not-found, unused-ignore]

__all__ = ["writable_view", "tensor_array", "array_tensor", "dtensor_block"]


def writable_view(out: Any, global_shape: Any = None, offset: Any = None) -> tuple[npt.NDArray[Any], Any, Any]:
    """(the ndarray to write, the global shape, the offset) for a fill's ``out``.

    Raises TypeError or ValueError for an object that cannot be written in place
    (the fill names itself in front of the message)."""
    if type(out).__module__.startswith("torch"):
        if type(out).__name__ == "DTensor":
            if global_shape is not None or offset is not None:
                raise ValueError("a DTensor carries its own global shape and offset: "
                                 "do not pass global_shape= or offset=")
            out, global_shape, offset = dtensor_block(out)
        return tensor_array(out), global_shape, offset
    return as_writable_array(out), global_shape, offset


def _check_device(t: torch.Tensor) -> None:
    if t.device.type == "meta":
        raise TypeError("a meta tensor has no memory to fill: materialise it first "
                        "(module.to_empty(device='cpu')), then initialise it")
    if t.device.type != "cpu":
        raise TypeError(f"xinit_c fills CPU memory, and this tensor is on {t.device}: fill a CPU tensor "
                        "and copy it over (tensor.copy_(cpu_tensor)), or initialise on the CPU and move "
                        "the module afterwards")


def tensor_array(t: torch.Tensor) -> npt.NDArray[Any]:
    """A numpy view of a CPU tensor's memory (no copy), whatever its strides.

    Parameters that require grad are viewed through ``detach()``: the fill
    writes the data in place without autograd seeing it, as torch.nn.init
    does under no_grad.

    Parameters
    ----------
    t : torch.Tensor
        On the CPU, of dtype float16, bfloat16, float32, float64, complex64,
        complex128, an integer dtype or bool.

    Returns
    -------
    numpy.ndarray
        Sharing ``t``'s memory, with its shape and strides (bfloat16 as
        ``ml_dtypes.bfloat16``).

    Raises
    ------
    TypeError
        ``t`` is a meta tensor or on another device than the CPU (the message
        says what to do instead); its dtype cannot be filled; a bfloat16 tensor
        without ml_dtypes installed.

    Examples
    --------
    >>> import torch
    >>> t = torch.empty(3, 4).t()
    >>> view = tensor_array(t)
    >>> view.shape, view.ctypes.data == t.data_ptr()
    ((4, 3), True)
    """
    import torch

    _check_device(t)
    t = t.detach()
    if t.dtype == torch.bfloat16:
        try:
            import ml_dtypes
        except ImportError:
            raise TypeError("filling a bfloat16 tensor needs the ml_dtypes package: "
                            "pip install 'xinit-c[torch]'") from None
        view: npt.NDArray[Any] = t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
        return view
    if t.dtype not in _viewable_dtypes(torch):
        raise TypeError(f"cannot fill a tensor of dtype {t.dtype}: expected float16, bfloat16, float32, "
                        "float64, complex64 or complex128 (or an integer or bool dtype, for the constant fills)")
    view = t.numpy()
    return view


def array_tensor(out: Any) -> torch.Tensor:
    """A CPU tensor sharing the memory of ``out`` (a tensor is returned as it is): the reverse of
    :func:`tensor_array`, for rules written for torch. ``torch.from_numpy`` knows no ml_dtypes.bfloat16, so
    bfloat16 goes through int16."""
    import torch

    if isinstance(out, torch.Tensor):
        return out
    if out.dtype.name == "bfloat16":
        return torch.from_numpy(out.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(out)


@functools.cache
def _viewable_dtypes(torch: Any) -> frozenset[Any]:
    """The tensor dtypes some fill takes (each fill then checks its own): floats and complex for the random
    fills, uint32/uint64 for random_bits_, every integer and bool for the constants. Built once: every tensor
    fill asks."""
    return frozenset((torch.float16, torch.float32, torch.float64, torch.complex64, torch.complex128, torch.bool,
                      torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.uint16, torch.uint32,
                      torch.uint64))


def _chunk_range(size: int, parts: int, index: int) -> tuple[int, int]:
    """torch.chunk's split of range(size) into `parts`: the `index`-th (start, stop)."""
    step = -(-size // parts)
    start = min(index * step, size)
    return start, min(start + step, size)


def dtensor_block(t: DTensor) -> tuple[torch.Tensor, tuple[int, ...], tuple[int, ...]]:
    """(local tensor, global shape, offset of the local block) of a DTensor.

    Shard(d) placements follow torch.chunk (uneven splits leave the last ranks
    smaller or empty); Replicate keeps the whole dimension; a Partial tensor
    has no values of its own to fill. Every fill calls it for a DTensor, so
    each rank fills its own block of one global fill.

    Parameters
    ----------
    t : torch.distributed.tensor.DTensor
        On a CPU device mesh.

    Returns
    -------
    (torch.Tensor, tuple of int, tuple of int)
        ``t.to_local()``, ``t``'s global shape, and where the local block starts
        in each dimension.

    Raises
    ------
    TypeError
        A placement other than Shard and Replicate (Partial).
    ValueError
        This rank is not in ``t``'s device mesh.

    Examples
    --------
    >>> import os, torch, torch.distributed as dist
    >>> from torch.distributed.device_mesh import init_device_mesh
    >>> from torch.distributed.tensor import Shard, distribute_tensor
    >>> os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT="29533")
    >>> dist.init_process_group("gloo", rank=0, world_size=1)
    >>> w = distribute_tensor(torch.empty(8, 4), init_device_mesh("cpu", (1,)), [Shard(0)])
    >>> local, global_shape, offset = dtensor_block(w)
    >>> tuple(local.shape), global_shape, offset
    ((8, 4), (8, 4), (0, 0))
    >>> dist.destroy_process_group()
    """
    from torch.distributed.tensor import Replicate, Shard

    global_shape = tuple(t.shape)
    start = [0] * len(global_shape)
    stop = list(global_shape)
    coordinate = t.device_mesh.get_coordinate()
    if coordinate is None:
        raise ValueError("this rank is not in the DTensor's device mesh, so it holds no shard to fill: "
                         "call the fill on the mesh's ranks")
    for mesh_dim, placement in enumerate(t.placements):
        if isinstance(placement, Replicate):
            continue
        if not isinstance(placement, Shard):
            raise TypeError(f"cannot fill a DTensor with placement {placement}: only Shard and Replicate "
                            "hold values")
        d = placement.dim % len(global_shape)
        lo, hi = _chunk_range(stop[d] - start[d], t.device_mesh.size(mesh_dim), coordinate[mesh_dim])
        start[d], stop[d] = start[d] + lo, start[d] + hi
    return t.to_local(), global_shape, tuple(start)
