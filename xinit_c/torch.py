"""PyTorch support: fill CPU tensors in place (zero-copy), initialise whole
modules deterministically, and fill DTensor shards from their global offset.

torch is optional: importing this module imports it, and without it raises
an ImportError that names the extra to install (``pip install
'xinit-c[torch]'``). The top-level fills take tensors without it (the
neutral xinit_c._buffers views them), so ``xi.xavier_uniform_(linear.weight)``
just works; this module re-exports that view as :func:`as_array`.

It also holds a drop-in ``torch.nn.init``: every function of it under its
torch name and signature (``xinit_c.torch.uniform_(tensor, a, b, generator)``),
drawing xinit-c's stream, with ``patch()`` / ``patched()`` to route torch's
own (and so every built-in layer's ``reset_parameters``) to them; see
xinit_c._torch_init.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal, TypeVar

try:
    import torch
except ImportError as exc:
    raise ImportError("xinit_c.torch needs PyTorch, which could not be imported: "
                      "pip install 'xinit-c[torch]'") from exc

from xinit_c._buffers import dtensor_block, tensor_array as as_array
from xinit_c._torch_init import (
    calculate_gain,
    constant,
    constant_,
    dirac,
    dirac_,
    eye,
    eye_,
    kaiming_normal,
    kaiming_normal_,
    kaiming_uniform,
    kaiming_uniform_,
    key_from_torch_generator,
    normal,
    normal_,
    ones_,
    orthogonal,
    orthogonal_,
    patch,
    patched,
    sparse,
    sparse_,
    trunc_normal_,
    uniform,
    uniform_,
    unpatch,
    xavier_normal,
    xavier_normal_,
    xavier_uniform,
    xavier_uniform_,
    zeros_,
)

if TYPE_CHECKING:
    from xinit_c._api import _FanBased
    from xinit_c._core import Generator

_ModuleT = TypeVar("_ModuleT", bound=torch.nn.Module)

__all__ = ["as_array", "dtensor_block", "init_module_"]
# the drop-in torch.nn.init (torch's names and signatures) and the patch that routes torch's to it
__all__ += ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
            "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
            "sparse_", "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
            "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse", "key_from_torch_generator", "patch",
            "unpatch", "patched"]


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
