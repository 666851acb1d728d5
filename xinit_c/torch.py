"""PyTorch support: fill CPU tensors in place (zero-copy), initialise whole
modules deterministically, and fill DTensor shards from their global offset.

torch is optional: importing this module imports it, and without it raises
an ImportError that names the extra to install (``pip install
'xinit-c[torch]'``). The top-level fills take tensors without it (the
neutral xinit_c._buffers views them), so ``xi.xavier_uniform_(linear.weight)``
just works; this module re-exports that view as :func:`as_array`.

Whole models: :func:`init_module_` fills every parameter and buffer of a
module in place, each from the stream of its qualified name (so a layer's
values do not depend on the rest of the model or on how it is split), with
each layer type's own torch distributions by default; :func:`materialize_`
does the same for a model built on the meta device (DTensor shards
included), and :func:`plan_module` lists the rule of every tensor.
:func:`save_initialized` writes those values straight into a safetensors
checkpoint, chunk by chunk, without ever holding the model in memory.

>>> import torch.nn as nn, xinit_c as xi
>>> with torch.device("meta"):
...     net = nn.Sequential(nn.Embedding(100, 16), nn.LayerNorm(16), nn.Linear(16, 100))
>>> net = materialize_(net, generator=xi.Generator(0))
>>> deeper = init_module_(nn.Sequential(nn.Embedding(100, 16), nn.LayerNorm(16), nn.Linear(16, 100), nn.ReLU(),
...                                     nn.Linear(100, 3)), generator=xi.Generator(0))
>>> all(torch.equal(net.state_dict()[k], deeper.state_dict()[k]) for k in net.state_dict())
True

It also holds a drop-in ``torch.nn.init``: every function of it under its
torch name and signature (``xinit_c.torch.uniform_(tensor, a, b, generator)``),
drawing xinit-c's stream, with ``patch()`` / ``patched()`` to route torch's
own (and so every built-in layer's ``reset_parameters``) to them; see
xinit_c._torch_init.
"""
from __future__ import annotations

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
from xinit_c._torch_models import ParameterPlan, init_module_, materialize_, parameter_stream, plan_module
from xinit_c._safetensors import save_initialized

__all__ = ["as_array", "dtensor_block", "init_module_", "materialize_", "parameter_stream", "plan_module",
           "ParameterPlan"]
# the drop-in torch.nn.init (torch's names and signatures) and the patch that routes torch's to it
__all__ += ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
            "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
            "sparse_", "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
            "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse", "key_from_torch_generator", "patch",
            "unpatch", "patched"]
__all__ += ["save_initialized"]

