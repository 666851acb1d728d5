"""PyTorch support: fill CPU tensors in place (zero-copy), initialise whole
modules deterministically, and fill DTensor shards from their global offset.

torch is optional: importing this module imports it, and without it raises
an ImportError that names the extra to install (``pip install
'xinit-c[torch]'``). The top-level fills hand tensors here, so
``xi.xavier_uniform_(linear.weight)`` just works.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal, TypeVar

try:
    import torch
except ImportError as exc:
    raise ImportError("xinit_c.torch needs PyTorch, which could not be imported: "
                      "pip install 'xinit-c[torch]'") from exc

if TYPE_CHECKING:
    import numpy.typing as npt
    from torch.distributed.tensor import DTensor

    from xinit_c._api import _FanBased
    from xinit_c._core import Generator

_ModuleT = TypeVar("_ModuleT", bound=torch.nn.Module)

__all__ = ["as_array", "dtensor_block", "init_module_"]


def _check_device(t: torch.Tensor) -> None:
    if t.device.type == "meta":
        raise TypeError("a meta tensor has no memory to fill: materialise it first "
                        "(module.to_empty(device='cpu')), then initialise it")
    if t.device.type != "cpu":
        raise TypeError(f"xinit_c fills CPU memory, and this tensor is on {t.device}: fill a CPU tensor "
                        "and copy it over (tensor.copy_(cpu_tensor)), or initialise on the CPU and move "
                        "the module afterwards")


def as_array(t: torch.Tensor) -> npt.NDArray[Any]:
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
    >>> t = torch.empty(3, 4).t()
    >>> view = as_array(t)
    >>> view.shape, view.ctypes.data == t.data_ptr()
    ((4, 3), True)
    """
    _check_device(t)
    t = t.detach()
    if t.dtype == torch.bfloat16:
        try:
            import ml_dtypes
        except ImportError:
            raise TypeError("filling a bfloat16 tensor needs the ml_dtypes package: "
                            "pip install 'xinit-c[torch]'") from None
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    if t.dtype not in _VIEWABLE:
        raise TypeError(f"cannot fill a tensor of dtype {t.dtype}: expected float16, bfloat16, float32, "
                        "float64, complex64 or complex128 (or an integer or bool dtype, for the constant fills)")
    return t.numpy()


# The dtypes some fill takes (each fill then checks its own): floats and complex for the random fills,
# uint32/uint64 for random_bits_, every integer and bool for the constants.
_VIEWABLE = frozenset((torch.float16, torch.float32, torch.float64, torch.complex64, torch.complex128,
                       torch.bool, torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.uint16,
                       torch.uint32, torch.uint64))


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
    >>> import os, torch.distributed as dist
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


def init_module_(module: _ModuleT, scheme: _FanBased = "xavier_uniform", generator: Generator | None = None, *,
                 bias: Literal["torch", "zeros"] = "torch", **options: Any) -> _ModuleT:
    """Initialise every weight of ``module`` with ``scheme``, in place, in name order.

    Every parameter named ``weight`` (of a Linear, Conv, Embedding or any
    module) with at least two dimensions gets ``xinit_c.<scheme>_(weight,
    generator=generator, **options)``; parameters are visited sorted by their
    full name, so two processes with the same seed build the same model.
    Other parameters (norm layers' weights, for instance) are left as they are.

    Parameters
    ----------
    module : torch.nn.Module
        On the CPU (materialise a meta-device module with ``to_empty`` first).
    scheme : str, default "xavier_uniform"
        A fan-based fill's name without the trailing underscore:
        "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
        "lecun_uniform", "lecun_normal" or "variance_scaling".
    generator : Generator, optional
        Where the words come from (default: the module's default generator);
        weights and biases draw from it in turn.
    bias : {"torch", "zeros"}, default "torch"
        "torch" draws each bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) of its
        weight, as torch's ``reset_parameters`` does; "zeros" zeroes them.
    **options
        Passed to every weight's fill (``gain``, ``nonlinearity``, ``mode``,
        ...).

    Returns
    -------
    torch.nn.Module
        ``module`` itself.

    Raises
    ------
    ValueError
        Unknown ``scheme`` or ``bias``; a bad option value (as the fill raises it).
    TypeError
        An option the fill does not take, or a weight the fill refuses (on
        another device, of an integer dtype).

    Examples
    --------
    >>> import torch.nn as nn, xinit_c as xi
    >>> net = nn.Sequential(nn.Linear(8, 4), nn.Tanh(), nn.Linear(4, 2))
    >>> net = init_module_(net, "xavier_uniform", xi.Generator(0), gain=5 / 3)
    >>> bool(net[0].weight.abs().max() <= 5 / 3 * (6 / 12) ** 0.5)
    True
    """
    import xinit_c as xi
    from xinit_c import _api

    if bias not in ("torch", "zeros"):
        raise ValueError(f"bias must be 'torch' or 'zeros', got {bias!r}")
    if scheme not in _api.FAN_BASED:
        raise ValueError(f"unknown scheme {scheme!r}: use one of the fan-based fills {_api.FAN_BASED}")
    fill = getattr(xi, scheme + "_")
    generator = xi.default_generator() if generator is None else generator
    for name, sub in sorted(module.named_modules()):
        weight = sub._parameters.get("weight")
        if weight is None or weight.dim() < 2:
            continue
        fill(weight, generator=generator, **options)
        b = sub._parameters.get("bias")
        if b is None:
            continue
        if bias == "zeros":
            xi.zeros_(b)
        else:
            fan_in, _ = xi.compute_fans(tuple(weight.shape))
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            xi.uniform_(b, -bound, bound, generator=generator)
    return module
