"""PyTorch support: fill CPU tensors in place (zero-copy), initialise whole
modules deterministically, and fill DTensor shards from their global offset.

torch is optional: importing this module imports it. The top-level fills hand
tensors here, so ``xi.xavier_uniform_(linear.weight)`` just works.
"""
import math

import numpy as np
import torch

__all__ = ["as_array", "dtensor_block", "init_module_"]


def _check_device(t):
    if t.device.type == "meta":
        raise TypeError("a meta tensor has no memory to fill: materialise it first "
                        "(module.to_empty(device='cpu')), then initialise it")
    if t.device.type != "cpu":
        raise TypeError(f"xinit_c fills CPU memory, and this tensor is on {t.device}: fill a CPU tensor "
                        "and copy it over (tensor.copy_(cpu_tensor)), or initialise on the CPU and move "
                        "the module afterwards")


def as_array(t):
    """A numpy view of a CPU tensor's memory (no copy), whatever its strides.

    Parameters that require grad are viewed through ``detach()``: the fill
    writes the data in place without autograd seeing it, as torch.nn.init
    does under no_grad.
    """
    _check_device(t)
    t = t.detach()
    if t.dtype == torch.bfloat16:
        try:
            import ml_dtypes
        except ImportError:
            raise TypeError("filling a bfloat16 tensor needs the ml_dtypes package (pip install ml_dtypes)") \
                from None
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    if t.dtype not in (torch.float16, torch.float32, torch.float64, torch.uint32, torch.uint64):
        raise TypeError(f"cannot fill a tensor of dtype {t.dtype}: expected float16, bfloat16, float32 "
                        "or float64")
    return t.numpy()


def _chunk_range(size, parts, index):
    """torch.chunk's split of range(size) into `parts`: the `index`-th (start, stop)."""
    step = -(-size // parts)
    start = min(index * step, size)
    return start, min(start + step, size)


def dtensor_block(t):
    """(local tensor, global shape, offset of the local block) of a DTensor.

    Shard(d) placements follow torch.chunk (uneven splits leave the last ranks
    smaller or empty); Replicate keeps the whole dimension; a Partial tensor
    has no values of its own to fill.
    """
    from torch.distributed.tensor import Replicate, Shard

    global_shape = tuple(t.shape)
    start = [0] * len(global_shape)
    stop = list(global_shape)
    coordinate = t.device_mesh.get_coordinate()
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


def init_module_(module, scheme="xavier_uniform", generator=None, *, bias="torch", **options):
    """Initialise every weight of ``module`` with ``scheme``, in place, in name order.

    Every parameter named ``weight`` (of a Linear, Conv, Embedding or any
    module) with at least two dimensions gets ``xinit_c.<scheme>_(weight,
    generator=generator, **options)``; parameters are visited sorted by their
    full name, so two processes with the same seed build the same model.
    Biases: ``bias="torch"`` draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as
    torch's ``reset_parameters`` does, ``bias="zeros"`` zeroes them. Other
    parameters (norm layers' weights, for instance) are left as they are.

    >>> import torch.nn as nn, xinit_c as xi
    >>> net = nn.Sequential(nn.Linear(8, 4), nn.Tanh(), nn.Linear(4, 2))
    >>> _ = init_module_(net, "xavier_uniform", xi.Generator(0), gain=5 / 3)
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
