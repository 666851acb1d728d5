"""Whole torch models: a plan of every tensor's rule on its own name-keyed stream, and the writers that run it.

Every parameter and persistent buffer of ``module.state_dict()`` gets a rule
(from the layer type, the scheme and the overrides) and draws from its own
stream, derived from its qualified name (docs/stream.md, section 13), so its
values depend only on (key, name, shape, scheme, options): not on the other
tensors, the visiting order, the pipeline stage that holds the layer, or the
world size. The whole model is planned and checked before anything is written.
"""
from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

import torch
from torch import nn

import xinit_c as xi
from xinit_c import _api
from xinit_c._buffers import array_tensor, dtensor_block, tensor_array
from xinit_c._core import Generator
from xinit_c._streams import parameter_stream
from xinit_c._torch_init import key_from_torch_generator
from xinit_c.initializers import Initializer

__all__ = ["ParameterPlan", "parameter_stream", "plan_module", "init_module_", "materialize_"]

_ModuleT = TypeVar("_ModuleT", bound=nn.Module)
Scheme = Literal["torch", "gpt2", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
                 "lecun_uniform", "lecun_normal", "variance_scaling", "uniform", "normal", "trunc_normal", "zeros",
                 "ones", "constant", "orthogonal", "sparse"]
BiasRule = Literal["torch", "zeros"]



def _is_dtensor(t: Any) -> bool:
    # by name: torch.distributed is not importable on every build, and a plain model needs none of it
    return type(t).__name__ == "DTensor"


# -- rules -------------------------------------------------------------------------------------------------

Fill = Callable[[Any, "tuple[int, ...] | None", "tuple[int, ...] | None"], None]


@dataclass(frozen=True)
class ParameterPlan:
    """One tensor of a module's state dict: its name, shape, dtype and how to fill it.

    ``fill(out, global_shape, offset)`` fills ``out`` (a numpy array or a CPU
    tensor) with its block of the tensor's values: the block of
    ``global_shape`` starting at ``offset`` (same rank as ``out``), the flat
    range ``[offset, offset + out.size)`` of the C-order tensor (a 1-D
    ``out`` and an int ``offset``), or, with ``global_shape=None`` and
    ``offset=None``, the whole tensor. Every call
    draws from the tensor's own stream at the same position, so blocks can be
    filled in any order, by any process. ``blockwise`` is False when the rule
    needs the whole tensor at once (orthogonal, sparse, initializer objects,
    user callables): fill the whole tensor and slice it.

    Made by :func:`plan_module`, not by hand.

    Parameters
    ----------
    name : str
        The qualified name in ``module.state_dict()``, e.g. ``"h.0.attn.c_attn.weight"``.
    shape : tuple of int
        The global shape (a DTensor's full shape).
    dtype : torch.dtype
    fill : callable ``(out, global_shape, offset) -> None``
        Raises what the rule's fill raises for a wrong ``out`` (shape,
        dtype, device).
    blockwise : bool
    rule : str
        The rule, as shown in errors (``"normal(0.0, 0.02)"``).

    Raises
    ------
    dataclasses.FrozenInstanceError
        Setting a field.

    Examples
    --------
    >>> import numpy as np, torch.nn as nn, xinit_c as xi
    >>> plan = plan_module(nn.Linear(6, 4), generator=xi.Generator(3))[0]
    >>> whole = np.empty(plan.shape, np.float32)
    >>> plan.fill(whole, None, None)
    >>> block = np.empty((2, 6), np.float32)
    >>> plan.fill(block, plan.shape, (2, 0))      # rows 2 and 3, as a rank holding them would fill them
    >>> bool((block == whole[2:]).all())
    True
    """

    name: str
    shape: tuple[int, ...]
    dtype: torch.dtype
    fill: Fill
    blockwise: bool
    rule: str = ""


@dataclass(frozen=True)
class _Rule:
    """How one tensor is filled: ``apply(out, generator, global_shape, offset)``; ``what`` names it in
    errors and in ParameterPlan.rule."""

    what: str
    apply: Callable[[Any, Generator, Any, Any], None]
    blockwise: bool = True
    user: bool = False           # a user's callable or initializer object: cannot be checked before it runs
    keep: bool = False           # the tensor's current values (a buffer no rule knows, on a real device)


def _fill_rule(fill_name: str, *args: Any, **options: Any) -> _Rule:
    """A top-level fill of xinit_c applied to the whole tensor (or its block)."""
    fill = getattr(xi, fill_name + "_")
    shown = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in options.items()])

    def apply(out: Any, generator: Generator, global_shape: Any, offset: Any) -> None:
        if fill_name in _WORDLESS:
            fill(out, *args, global_shape=global_shape, offset=offset, **options)
        else:
            fill(out, *args, generator=generator, global_shape=global_shape, offset=offset, **options)

    return _Rule(f"{fill_name}({shown})", apply)


def _whole_tensor_rule(fill_name: str, **options: Any) -> _Rule:
    """orthogonal_ and sparse_: the values of a block depend on the whole matrix."""
    fill = getattr(xi, fill_name + "_")
    shown = ", ".join(f"{k}={v!r}" for k, v in options.items())

    def apply(out: Any, generator: Generator, global_shape: Any, offset: Any) -> None:
        fill(out, generator=generator, **options)

    return _Rule(f"{fill_name}({shown})", apply, blockwise=False)


_WORDLESS = ("zeros", "ones", "constant")
#: Fills applied element by element (blockwise); the key is the scheme name a rule may use.
_ELEMENTWISE = tuple(_api.FAN_BASED) + ("uniform", "normal", "trunc_normal") + _WORDLESS
_WHOLE_TENSOR = ("orthogonal", "sparse")
#: Schemes that decide per layer type (not a single fill).
_MODEL_SCHEMES = ("torch", "gpt2")
SCHEMES = _MODEL_SCHEMES + _ELEMENTWISE + _WHOLE_TENSOR
_DEFAULT_RESIDUAL = ("*c_proj.weight", "*out_proj.weight", "*o_proj.weight", "*fc2.weight", "*linear2.weight",
                     "*down_proj.weight")


def _zero_row(rule: _Rule, row: int) -> _Rule:
    """``rule``, then row ``row`` of the (global) matrix set to zero: Embedding's padding_idx."""

    def apply(out: Any, generator: Generator, global_shape: Any, offset: Any) -> None:
        rule.apply(out, generator, global_shape, offset)
        view = tensor_array(out) if isinstance(out, torch.Tensor) else out
        if global_shape is not None and view.ndim != len(global_shape):
            # a 1-D flat range [offset, offset + size) of the C-order tensor: the row is a range of it too
            row_size = math.prod(global_shape[1:])
            start = int(offset)
            low, high = max(row * row_size, start), min((row + 1) * row_size, start + view.size)
            if low < high:
                view[low - start:high - start] = 0
            return
        first = 0 if offset is None else offset[0]
        if first <= row < first + view.shape[0]:
            view[row - first] = 0

    return _Rule(f"{rule.what}, row {row} zero", apply, rule.blockwise)


def _user_rule(rule: Any, what: str) -> _Rule:
    if isinstance(rule, Initializer):
        def apply_initializer(out: Any, generator: Generator, global_shape: Any, offset: Any) -> None:
            rule._fill(out, generator)
        return _Rule(repr(rule), apply_initializer, blockwise=False, user=True)

    def apply_callable(out: Any, generator: Generator, global_shape: Any, offset: Any) -> None:
        with torch.no_grad():
            rule(array_tensor(out), generator)
    return _Rule(what, apply_callable, blockwise=False, user=True)


# -- the rules of each layer type (torch 2.13's reset_parameters, nn/modules/*.py) ---------------------------

_NORMS = (nn.LayerNorm, nn.GroupNorm, nn.RMSNorm, nn.modules.batchnorm._NormBase)
_CONVS = (nn.modules.conv._ConvNd,)
_RNNS = (nn.RNNBase, nn.RNNCellBase)


def _fan_in(shape: tuple[int, ...]) -> int:
    return xi.compute_fans(shape)[0] if len(shape) >= 2 else 0


def _torch_layer_rule(module: nn.Module, local: str, tensor: torch.Tensor) -> _Rule | None:
    """The distribution torch's own constructor gives ``module``'s tensor ``local``; None: a tensor no layer
    rule knows."""
    if isinstance(module, (nn.Linear, *_CONVS)) and local in ("weight", "bias"):
        if local == "weight":
            return _fill_rule("kaiming_uniform", a=math.sqrt(5))
        fan_in = _fan_in(tuple(module.weight.shape))
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        return _fill_rule("uniform", -bound, bound)
    if isinstance(module, nn.Bilinear) and local in ("weight", "bias"):
        bound = 1 / math.sqrt(module.weight.shape[1])
        return _fill_rule("uniform", -bound, bound)
    if isinstance(module, (nn.Embedding, nn.EmbeddingBag)) and local == "weight":
        return _embedding(module, _fill_rule("normal", 0.0, 1.0))
    if isinstance(module, _RNNS):
        bound = 1 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0.0
        return _fill_rule("uniform", -bound, bound)
    if isinstance(module, nn.MultiheadAttention):
        if local in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
            return _fill_rule("xavier_uniform")
        if local == "in_proj_bias":
            return _fill_rule("zeros")
        if local in ("bias_k", "bias_v"):
            return _fill_rule("xavier_normal")
        return None
    if isinstance(module, _NORMS):
        if local in ("weight", "running_var"):
            return _fill_rule("ones")
        if local in ("bias", "running_mean", "num_batches_tracked"):
            return _fill_rule("zeros")
        return None
    if isinstance(module, nn.PReLU) and local == "weight":
        return _fill_rule("constant", float(module.init))
    return None


def _embedding(module: nn.Embedding | nn.EmbeddingBag, rule: _Rule) -> _Rule:
    return rule if module.padding_idx is None else _zero_row(rule, module.padding_idx)


def _is_bias(local: str) -> bool:
    return local.startswith("bias") or local.endswith("bias")


def _is_mha_out_bias(module: nn.Module, parent: nn.Module | None) -> bool:
    # MultiheadAttention zeroes its out_proj's bias (its _reset_parameters), where a Linear draws it
    return isinstance(parent, nn.MultiheadAttention) and module is parent.out_proj


class _PlanError(Exception):
    pass


def _scheme_rule(scheme: str, options: Mapping[str, Any], name: str, module: nn.Module, parent: nn.Module | None,
                 local: str, tensor: torch.Tensor, is_buffer: bool, in_transformer: bool = False) -> _Rule:
    """The rule of the model scheme ``scheme`` for one tensor; raises _PlanError naming what is missing."""
    if is_buffer:
        rule = _torch_layer_rule(module, local, tensor)
        if rule is None:
            raise _PlanError("a buffer that no layer rule knows")
        return rule
    layer_rule = _torch_layer_rule(module, local, tensor)
    if local == "bias" and _is_mha_out_bias(module, parent):
        layer_rule = _fill_rule("zeros")
    options = dict(options)
    if _is_bias(local) and options.pop("bias", "torch") == "zeros":
        return _fill_rule("zeros")
    options.pop("bias", None)
    if scheme == "torch":
        if in_transformer and tensor.dim() > 1:   # nn.Transformer's _reset_parameters: xavier_uniform_ on all
            return _fill_rule("xavier_uniform")
        if layer_rule is not None:
            return layer_rule
        if tensor.dim() >= 2:
            return _fill_rule("kaiming_uniform", a=math.sqrt(5))
        if _is_bias(local):
            return _fill_rule("zeros")
        raise _PlanError(f"a {tensor.dim()}-D parameter that no layer rule knows")
    if scheme == "gpt2":
        std = options.get("std", 0.02)
        if _is_bias(local) and tensor.dim() <= 1:
            return _fill_rule("zeros")
        if tensor.dim() >= 2:
            if any(fnmatch.fnmatchcase(name, glob) for glob in options["residual"]):
                std = std / math.sqrt(2 * options["n_layers"])
            weight = _fill_rule("normal", 0.0, std)
            if isinstance(module, (nn.Embedding, nn.EmbeddingBag)):
                return _embedding(module, weight)
            return weight
    else:
        if _is_bias(local):
            if layer_rule is not None:
                return layer_rule
            if tensor.dim() <= 1:
                return _fill_rule("zeros")
        if tensor.dim() >= 2:
            weight = (_whole_tensor_rule(scheme, **options) if scheme in _WHOLE_TENSOR
                      else _fill_rule(scheme, **options))
            if isinstance(module, (nn.Embedding, nn.EmbeddingBag)):
                return _embedding(module, weight)
            return weight
    if layer_rule is not None:    # 1-D layer constants (norm weights, PReLU) whatever the scheme
        return layer_rule
    raise _PlanError(f"a {tensor.dim()}-D parameter that no layer rule knows")


def _direct_rule(rule: Any, what: str, resolve_scheme: Callable[[str, Mapping[str, Any]], _Rule]) -> _Rule:
    """A rule given for one tensor: a scheme name, (name, options), an initializer object or a callable."""
    if isinstance(rule, tuple) and len(rule) == 2 and isinstance(rule[0], str) and isinstance(rule[1], Mapping):
        name, options = rule
    elif isinstance(rule, str):
        name, options = rule, {}
    elif isinstance(rule, Initializer) or callable(rule):
        return _user_rule(rule, what)
    else:
        raise TypeError(f"{what}: a rule is a scheme name, a (scheme, options) pair, an xinit_c.initializers "
                        f"object or a callable(tensor, generator); got {type(rule).__name__}")
    if name in _MODEL_SCHEMES:
        return resolve_scheme(name, options)
    if name in _WHOLE_TENSOR:
        return _whole_tensor_rule(name, **options)
    if name in _ELEMENTWISE:
        return _fill_rule(name, **options)
    raise ValueError(f"{what}: unknown scheme {name!r}; use one of {SCHEMES}")


def _scheme_options(scheme: str, options: Mapping[str, Any], owner: str) -> dict[str, Any]:
    """The checked options of a model-level scheme."""
    if not isinstance(scheme, str) or scheme not in SCHEMES:
        raise ValueError(f"{owner}: unknown scheme {scheme!r}; use one of {SCHEMES}")
    options = dict(options)
    bias = options.get("bias", "torch")
    if bias not in ("torch", "zeros"):
        raise ValueError(f"{owner}: bias must be 'torch' or 'zeros', got {bias!r}")
    if scheme == "torch":
        if set(options) - {"bias"}:
            raise TypeError(f"{owner}: scheme 'torch' takes no options but bias, got {sorted(options)}")
    elif scheme == "gpt2":
        unknown = set(options) - {"n_layers", "std", "residual", "bias"}
        if unknown:
            raise TypeError(f"{owner}: scheme 'gpt2' takes n_layers, std, residual and bias, "
                            f"got {sorted(unknown)}")
        n_layers = options.get("n_layers")
        if isinstance(n_layers, bool) or not isinstance(n_layers, int) or n_layers < 1:
            raise ValueError(f"{owner}: scheme 'gpt2' needs n_layers=, the number of residual blocks "
                             f"(a positive int), got {n_layers!r}")
        std = options.setdefault("std", 0.02)
        if isinstance(std, bool) or not isinstance(std, (int, float)) or not math.isfinite(std) or std < 0:
            raise ValueError(f"{owner}: std must be a finite non-negative number, got {std!r}")
        residual = options.setdefault("residual", _DEFAULT_RESIDUAL)
        if isinstance(residual, str):
            residual = options["residual"] = (residual,)
        if not all(isinstance(glob, str) for glob in residual):
            raise TypeError(f"{owner}: residual must be a sequence of name globs, got {residual!r}")
    return options


# -- planning ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Entry:
    name: str
    tensor: torch.Tensor
    rule: _Rule
    stream_name: str      # the name whose stream it draws from: its own, or the first name of a tied tensor
    owner: nn.Module
    local: str
    is_buffer: bool


def _state_tensors(module: nn.Module, persistent_only: bool) -> list[tuple[str, nn.Module, nn.Module | None,
                                                                            str, torch.Tensor, bool]]:
    """(name, owner, owner's parent, local name, tensor, is_buffer) in module.state_dict()'s order: each
    module's parameters, then its persistent buffers, then its children, depth first (registration order)."""
    out = []
    parents: dict[str, nn.Module | None] = {"": None}
    for prefix, sub in module.named_modules(remove_duplicate=False):
        for child_name, child in sub._modules.items():
            if child is not None:
                parents[prefix + ("." if prefix else "") + child_name] = sub
        dot = prefix + "." if prefix else ""
        for local, p in sub._parameters.items():
            if p is not None:
                out.append((dot + local, sub, parents.get(prefix), local, p, False))
        for local, b in sub._buffers.items():
            if b is not None and not (persistent_only and local in sub._non_persistent_buffers_set):
                out.append((dot + local, sub, parents.get(prefix), local, b, True))
    return out


def _override_rule(overrides: Any, name: str, module: nn.Module, tensor: torch.Tensor,
                   resolve_scheme: Callable[[str, Mapping[str, Any]], _Rule]) -> _Rule | None:
    if overrides is None:
        return None
    if callable(overrides) and not isinstance(overrides, Mapping):
        rule = overrides(name, module, tensor)
        return None if rule is None else _direct_rule(rule, f"override for {name!r}", resolve_scheme)
    for key, rule in overrides.items():
        if isinstance(key, str) and fnmatch.fnmatchcase(name, key):
            return _direct_rule(rule, f"override {key!r} for {name!r}", resolve_scheme)
    for cls in type(module).__mro__:
        if cls in overrides:
            rule = overrides[cls]
            if isinstance(rule, str) or isinstance(rule, tuple) and len(rule) == 2 and isinstance(rule[0], str):
                scheme, options = (rule, {}) if isinstance(rule, str) else rule
                return resolve_scheme(scheme, options)
            # an initializer object or a callable keyed by a type fills that type's weights (>= 2 dims)
            if tensor.dim() >= 2:
                return _direct_rule(rule, f"override {cls.__name__} for {name!r}", resolve_scheme)
            return None
    return None


def _check_overrides(overrides: Any, owner: str) -> None:
    if overrides is None or callable(overrides) and not isinstance(overrides, Mapping):
        return
    if not isinstance(overrides, Mapping):
        raise TypeError(f"{owner}: overrides must be a mapping {{module type or name glob: rule}} or a "
                        f"callable(name, module, tensor) -> rule or None, got {type(overrides).__name__}")
    for key in overrides:
        if not (isinstance(key, str) or isinstance(key, type) and issubclass(key, nn.Module)):
            raise TypeError(f"{owner}: an overrides key is a module type or a qualified-name glob, got {key!r}")


def _probe(entry: _Entry, owner: str) -> None:
    """Run the entry's rule on a scratch block of its dtype (one element per dimension, or the whole tensor
    when empty or small), so that a bad option, shape or dtype fails before anything is written."""
    rule, shape, dtype = entry.rule, tuple(entry.tensor.shape), entry.tensor.dtype
    if rule.user or rule.keep:
        return
    generator = Generator(key=(0, 0))
    try:
        if not rule.blockwise:
            small = tuple(min(d, 2) for d in shape)
            rule.apply(torch.empty(small, dtype=dtype), generator, None, None)
        elif math.prod(shape) <= 64:
            rule.apply(torch.empty(shape, dtype=dtype), generator, None, None)
        else:
            rule.apply(torch.empty((1,) * len(shape), dtype=dtype), generator, shape, (0,) * len(shape))
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{owner}: {entry.name!r} ({rule.what}, shape {shape}, {dtype}): {exc}") from None


def _plan_entries(module: nn.Module, scheme: str, overrides: Any, options: Mapping[str, Any], owner: str,
                  persistent_only: bool = True) -> list[_Entry]:
    if not isinstance(module, nn.Module):
        raise TypeError(f"{owner}: module must be a torch.nn.Module, got {type(module).__name__}")
    options = _scheme_options(scheme, options, owner)
    _check_overrides(overrides, owner)
    entries: list[_Entry] = []
    first_entry: dict[int, _Entry] = {}   # a tied tensor's first name, by the tensor
    transformers = [prefix + "." if prefix else "" for prefix, sub in module.named_modules()
                    if isinstance(sub, nn.Transformer)]
    for name, sub, parent, local, tensor, is_buffer in _state_tensors(module, persistent_only):
        in_transformer = any(name.startswith(prefix) for prefix in transformers)
        if isinstance(tensor, (nn.parameter.UninitializedParameter, nn.parameter.UninitializedBuffer)):
            raise ValueError(f"{owner}: {name!r} of the lazy {type(sub).__name__} has no shape yet: run a "
                             "forward pass (or give the layer its sizes) before initialising it")

        def resolve(scheme_name: str, scheme_opts: Mapping[str, Any], *, _name: str = name, _sub: nn.Module = sub,
                    _parent: nn.Module | None = parent, _local: str = local, _t: torch.Tensor = tensor,
                    _buf: bool = is_buffer, _in_transformer: bool = in_transformer) -> _Rule:
            checked = _scheme_options(scheme_name, scheme_opts, f"{owner}: {_name!r}")
            return _scheme_rule(scheme_name, checked, _name, _sub, _parent, _local, _t, _buf, _in_transformer)

        first = first_entry.get(id(tensor))
        if first is not None:   # a tied tensor holds its first name's values: that name's rule and stream
            entries.append(_Entry(name, tensor, first.rule, first.name, sub, local, is_buffer))
            continue
        try:
            rule = _override_rule(overrides, name, sub, tensor, resolve)
            if rule is None:
                rule = _scheme_rule(scheme, options, name, sub, parent, local, tensor, is_buffer, in_transformer)
        except _PlanError as exc:
            if is_buffer and tensor.device.type != "meta":
                rule = _keep_rule(tensor)
            else:
                kind = "buffer" if is_buffer else "parameter"
                raise ValueError(f"{owner}: {kind} {name!r} of {type(sub).__name__} (shape {tuple(tensor.shape)}): "
                                 f"{exc}; give it a rule with overrides={{{name!r}: ...}}") from None
        entry = first_entry[id(tensor)] = _Entry(name, tensor, rule, name, sub, local, is_buffer)
        entries.append(entry)
        _probe(entry, owner)
    return entries


def _keep_rule(source: torch.Tensor) -> _Rule:
    """A buffer no rule knows, on a real device: its current values (a causal mask, a frequency table)."""
    def apply(out: Any, generator: Generator, global_shape: Any, offset: Any) -> None:
        block: Any = source.detach()
        if _is_dtensor(block):
            block = block.to_local()
        elif offset is not None and len(out.shape) != block.dim():      # a flat range of the C-order tensor
            block = block.reshape(-1)[int(offset):int(offset) + math.prod(out.shape)]
        elif offset is not None:
            block = block[tuple(slice(o, o + n) for o, n in zip(offset, tuple(out.shape)))]
        target = array_tensor(out)
        if target.data_ptr() != block.data_ptr():
            target.detach().copy_(block)
    return _Rule("its current values", apply, keep=True)


def _base_state(generator: Any, owner: str) -> tuple[tuple[int, int], int, int] | None:
    """Check ``generator``; the (key, stream, position) of an xinit_c Generator, None for a torch one."""
    if isinstance(generator, Generator):
        return generator.key, generator.stream, generator.position
    if generator is None or isinstance(generator, torch.Generator):
        if isinstance(generator, torch.Generator) and generator.device.type != "cpu":
            raise TypeError(f"{owner}: generator must be a CPU torch.Generator, got one on {generator.device}")
        return None
    raise TypeError(f"{owner}: generator must be an xinit_c.Generator, a torch.Generator or None, "
                    f"got {type(generator).__name__}")


def _stream_state(generator: Any, base: tuple[tuple[int, int], int, int] | None) -> tuple[tuple[int, int], int, int]:
    # called after every check: a torch generator moves only for a call that will write
    return base if base is not None else (key_from_torch_generator(generator), 0, 0)


def _plans(entries: list[_Entry], state: tuple[tuple[int, int], int, int]) -> list[ParameterPlan]:
    key, stream, position = state
    plans = []
    for entry in entries:
        sub_stream = parameter_stream(entry.stream_name, stream)

        def fill(out: Any, global_shape: Any = None, offset: Any = None, *, _rule: _Rule = entry.rule,
                 _stream: int = sub_stream, _name: str = entry.name) -> None:
            if not _rule.blockwise and (global_shape is not None or offset is not None):
                raise ValueError(f"{_name!r} ({_rule.what}) needs the whole tensor at once (blockwise=False): "
                                 "fill the whole tensor, then take the block")
            _rule.apply(out, Generator(key=key, stream=_stream, position=position), global_shape, offset)

        plans.append(ParameterPlan(entry.name, tuple(entry.tensor.shape), entry.tensor.dtype, fill,
                                   entry.rule.blockwise, entry.rule.what))
    return plans


def plan_module(module: nn.Module, scheme: Scheme = "torch", generator: Generator | torch.Generator | None = None, *,
                overrides: Any = None, bias: BiasRule = "torch", **options: Any) -> list[ParameterPlan]:
    """The rule of every parameter and persistent buffer of ``module``, in ``state_dict()`` order.

    Nothing is written: the plan reads only names, shapes and dtypes, so a
    meta-device module works. Every tensor's rule is resolved and checked
    first (all-or-nothing); then, for a torch generator, its key is drawn.

    Parameters
    ----------
    module : torch.nn.Module
    scheme, generator, overrides, bias, **options
        As :func:`init_module_`.

    Returns
    -------
    list of ParameterPlan
        One per ``module.state_dict()`` entry, in its order (a tied tensor
        appears under each of its names, all with the values of its first
        name). A buffer that no rule knows keeps its current values (on a
        meta module it is an error).

    Raises
    ------
    TypeError, ValueError
        As :func:`init_module_`, except that meta tensors are accepted.

    Examples
    --------
    >>> import torch.nn as nn, xinit_c as xi
    >>> with torch.device("meta"):
    ...     net = nn.Sequential(nn.Linear(4, 3), nn.LayerNorm(3))
    >>> plans = plan_module(net, generator=xi.Generator(0))
    >>> [(p.name, p.shape, p.rule) for p in plans]  # doctest: +NORMALIZE_WHITESPACE
    [('0.weight', (3, 4), 'kaiming_uniform(a=2.23606797749979)'), ('0.bias', (3,), 'uniform(-0.5, 0.5)'),
     ('1.weight', (3,), 'ones()'), ('1.bias', (3,), 'zeros()')]
    """
    owner = "plan_module"
    base = _base_state(generator, owner)
    entries = _plan_entries(module, scheme, overrides, dict(options, bias=bias), owner)
    return _plans(entries, _stream_state(generator, base))


# -- writing -----------------------------------------------------------------------------------------------

def _write(plan: ParameterPlan, tensor: torch.Tensor) -> None:
    """Fill ``tensor`` (a CPU tensor, or a DTensor: only its local block) by ``plan``."""
    with torch.no_grad():
        if not _is_dtensor(tensor):
            plan.fill(tensor.detach(), None, None)
            return
        local, global_shape, offset = dtensor_block(cast(Any, tensor))
        if plan.blockwise:
            plan.fill(local, global_shape, offset)
            return
        # a whole-tensor rule: every rank computes the same full tensor from the same stream and keeps its block
        full = torch.empty(global_shape, dtype=plan.dtype)
        plan.fill(full, None, None)
        local.copy_(full[tuple(slice(o, o + n) for o, n in zip(offset, local.shape))])


def _run_user_rules(plans: list[ParameterPlan], entries: list[_Entry]) -> dict[str, torch.Tensor]:
    """Run the rules that cannot be checked in advance (user callables, initializer objects) into scratch
    tensors first, so that one raising leaves the model untouched."""
    done = {}
    for plan, entry in zip(plans, entries):
        if entry.rule.user and entry.stream_name == entry.name:
            shape = tuple(entry.tensor.shape)
            scratch = torch.empty(shape, dtype=plan.dtype)
            plan.fill(scratch, None, None)
            done[entry.name] = scratch
    return done


def _write_all(module: nn.Module, entries: list[_Entry], plans: list[ParameterPlan]) -> None:
    scratch = _run_user_rules(plans, entries)
    tensors = dict(_current_tensors(module))
    for plan, entry in zip(plans, entries):
        if entry.stream_name != entry.name or entry.rule.keep and tensors[entry.name] is entry.tensor:
            continue        # a tied tensor is written once, under its first name; a kept buffer is already there
        target = tensors[entry.name]
        if entry.name in scratch:
            _copy_block(target, scratch[entry.name])
        else:
            _write(plan, target)


def _copy_block(target: torch.Tensor, full: torch.Tensor) -> None:
    with torch.no_grad():
        if _is_dtensor(target):
            local, _, offset = dtensor_block(cast(Any, target))
            local.copy_(full[tuple(slice(o, o + n) for o, n in zip(offset, local.shape))])
        else:
            target.detach().copy_(full)


def _current_tensors(module: nn.Module) -> list[tuple[str, torch.Tensor]]:
    return [(name, tensor) for name, _, _, _, tensor, _ in _state_tensors(module, persistent_only=False)]


def init_module_(module: _ModuleT, scheme: Scheme = "torch", generator: Generator | torch.Generator | None = None, *,
                 overrides: Any = None, bias: BiasRule = "torch", **options: Any) -> _ModuleT:
    """Initialise every parameter and persistent buffer of ``module`` in place, each on its own stream.

    Each tensor draws from the stream of its qualified name (docs/stream.md,
    section 13): its values depend only on (key, name, shape, scheme,
    options), not on the other tensors, the order, the pipeline stage that
    holds the layer or the world size. The whole module is checked first:
    a bad option, a meta tensor or a parameter without a rule raises,
    naming it, before anything is written or the generator moves.

    Rules, per tensor (the first that applies):

    1. ``overrides``: a mapping ``{qualified-name glob or module type: rule}``
       (globs in the mapping's order, then the module's type and its bases),
       or a callable ``(name, module, tensor) -> rule or None``. A rule is a
       scheme name, a ``(scheme, options)`` pair, an
       :mod:`xinit_c.initializers` object or a callable ``(tensor,
       generator)``. A scheme keyed by a type applies as the model's scheme
       to that type's tensors; an object or callable keyed by a type fills
       its tensors of two or more dimensions.
    2. ``scheme="torch"``: each layer's ``reset_parameters`` distribution
       (torch 2.13): Linear, Conv and ConvTranspose weights
       ``kaiming_uniform(a=sqrt(5))`` (torch's fans; transposed weights
       ``(in, out/groups, *k)`` as torch reads them) and biases
       ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``; Bilinear ``U(-1/sqrt(in1),
       1/sqrt(in1))``; Embedding and EmbeddingBag ``N(0, 1)`` with the
       ``padding_idx`` row zero; RNN/LSTM/GRU and their cells
       ``U(-1/sqrt(hidden), 1/sqrt(hidden))`` for every weight and bias;
       MultiheadAttention ``xavier_uniform`` for ``in_proj_weight`` (or the
       separate q/k/v weights), zero ``in_proj_bias`` and ``out_proj.bias``,
       ``xavier_normal`` ``bias_k``/``bias_v``; norm layers ones and zeros,
       BatchNorm's running mean 0, variance 1, ``num_batches_tracked`` 0;
       PReLU its ``init`` (0.25); inside an ``nn.Transformer``, every
       parameter of two or more dimensions ``xavier_uniform`` (its own
       ``_reset_parameters``). A parameter of another module: two or more
       dimensions ``kaiming_uniform(a=sqrt(5))``, a 1-D bias zeros, anything
       else an error naming it.
    3. ``scheme="gpt2"`` (options ``n_layers`` (required), ``std=0.02``,
       ``residual``): every parameter of two or more dimensions ``N(0, std)``
       (the Embedding's padding row zero), and ``N(0, std/sqrt(2*n_layers))``
       when its name matches one of the ``residual`` globs (default
       ``"*c_proj.weight"``, ``"*out_proj.weight"``, ``"*o_proj.weight"``,
       ``"*fc2.weight"``, ``"*linear2.weight"``, ``"*down_proj.weight"``: GPT-2's,
       torch's Transformer layers', and Llama's output projections); biases
       zeros; norm layers ones and zeros.
    4. Any other scheme (a fill's name: "xavier_uniform", "kaiming_normal",
       ..., "variance_scaling", "normal", "trunc_normal", "uniform",
       "orthogonal", "sparse", ...) fills every parameter of two or more
       dimensions with ``options`` passed to the fill; biases follow
       ``bias=`` ("torch": the layer's own rule as above, "zeros"); 1-D layer
       constants (norm weights, PReLU) and buffers keep the layer's rule.

    A buffer that no rule knows keeps its values; tied tensors get the
    values of their first name in registration order.

    Parameters
    ----------
    module : torch.nn.Module
        On the CPU, or holding DTensors (each rank fills its shards from
        their global offsets). Materialise a meta module with
        :func:`materialize_`.
    scheme : str, default "torch"
    generator : xinit_c.Generator, torch.Generator or None
        An xinit_c Generator gives its key, stream s and position P to every
        tensor's stream ``S(name, s)``, and does not move. A torch generator
        (None: torch's default generator, so ``torch.manual_seed`` applies)
        gives a key drawn from it once per call (stream 0, position 0):
        successive calls differ.
    overrides : mapping or callable, optional
    bias : {"torch", "zeros"}, default "torch"
        "torch": each bias by its layer's rule (zeros for a bias no layer
        rule knows, and under "gpt2"); "zeros": every bias zero.
    **options
        The scheme's options: the fill's (``gain``, ``nonlinearity``,
        ``mode``, ``std``, ...); for "gpt2" ``n_layers``, ``std`` and
        ``residual``.

    Returns
    -------
    torch.nn.Module
        ``module`` itself.

    Raises
    ------
    ValueError
        An unknown scheme, a bad option value, a parameter without a rule, a
        lazy (uninitialised) parameter.
    TypeError
        An option the fill does not take; a meta tensor or one on another
        device; a dtype the rule cannot fill; a bad generator or overrides.

    Examples
    --------
    >>> import torch.nn as nn, xinit_c as xi
    >>> net = nn.Sequential(nn.Linear(8, 4), nn.Tanh(), nn.Linear(4, 2))
    >>> net = init_module_(net, "xavier_uniform", xi.Generator(0), gain=5 / 3)
    >>> bool(net[0].weight.abs().max() <= 5 / 3 * (6 / 12) ** 0.5)
    True
    >>> a = init_module_(nn.Linear(3, 2), generator=xi.Generator(1))
    >>> b = init_module_(nn.Sequential(nn.Linear(3, 2)), generator=xi.Generator(1))
    >>> torch.equal(a.weight, b[0].weight)   # different names, different streams
    False
    """
    owner = "init_module_"
    base = _base_state(generator, owner)
    entries = _plan_entries(module, scheme, overrides, dict(options, bias=bias), owner)
    for entry in entries:
        device = entry.tensor.device.type
        if device != "cpu" and not (_is_dtensor(entry.tensor) and
                                    cast(Any, entry.tensor).to_local().device.type == "cpu"):
            raise TypeError(f"{owner}: {entry.name!r} is on {entry.tensor.device}: "
                            + ("materialise the module with xinit_c.torch.materialize_(module) instead"
                               if device == "meta" else "initialise on the CPU and move the module afterwards"))
    _write_all(module, entries, _plans(entries, _stream_state(generator, base)))
    return module


def _retie(entries: list[_Entry]) -> None:
    """to_empty gives each module a tensor of its own: a tensor tied under several names (an embedding and
    the output layer) is tied again, to the tensor of its first name."""
    by_name = {entry.name: entry for entry in entries}
    for entry in entries:
        if entry.stream_name != entry.name:
            first = by_name[entry.stream_name]
            table = "_buffers" if first.is_buffer else "_parameters"
            getattr(entry.owner, "_buffers" if entry.is_buffer else "_parameters")[entry.local] = \
                getattr(first.owner, table)[first.local]


def materialize_(module: _ModuleT, device: str | torch.device = "cpu", *, scheme: Scheme = "torch",
                 generator: Generator | torch.Generator | None = None, overrides: Any = None,
                 bias: BiasRule = "torch", **options: Any) -> _ModuleT:
    """Allocate every meta parameter and buffer of ``module`` on ``device`` and initialise it, in place.

    ``module.to_empty(device=device)``, then every tensor filled by the
    rules of :func:`init_module_` (the same keywords and values: a
    materialised model equals the same model built on the CPU and passed to
    :func:`init_module_`). DTensor parameters (from ``parallelize_module``,
    ``distribute_tensor`` or FSDP2's ``fully_shard``, which runs on CPU/gloo
    in torch 2.13) are filled shard by shard from their global offsets, so
    each rank holds its slice of the single-process model;
    a whole-tensor rule (orthogonal, sparse, initializer objects, callables)
    computes the full tensor on every rank and keeps the rank's block.
    Non-persistent buffers are filled too, so each needs a rule (a layer's,
    or an override) unless it is already off the meta device.

    Parameters
    ----------
    module : torch.nn.Module
        Typically built under ``torch.device("meta")``.
    device : str or torch.device, default "cpu"
        Only the CPU: xinit_c fills CPU memory.
    scheme, generator, overrides, bias, **options
        As :func:`init_module_`.

    Returns
    -------
    torch.nn.Module
        ``module`` itself.

    Raises
    ------
    TypeError, ValueError
        As :func:`init_module_` (checked before anything is allocated); a
        device other than the CPU.

    Examples
    --------
    >>> import torch.nn as nn, xinit_c as xi
    >>> with torch.device("meta"):
    ...     net = nn.Sequential(nn.Linear(8, 4), nn.BatchNorm1d(4))
    >>> net = materialize_(net, generator=xi.Generator(0))
    >>> net[1].running_var.tolist(), net[0].weight.device.type
    ([1.0, 1.0, 1.0, 1.0], 'cpu')
    """
    owner = "materialize_"
    if torch.device(device).type != "cpu":
        raise TypeError(f"{owner}: xinit_c fills CPU memory; materialise on the CPU and move the module "
                        f"afterwards (module.to({str(device)!r})), got device={device!r}")
    base = _base_state(generator, owner)
    entries = _plan_entries(module, scheme, overrides, dict(options, bias=bias), owner, persistent_only=False)
    plans = _plans(entries, _stream_state(generator, base))
    module.to_empty(device=device)
    _retie(entries)
    _write_all(module, entries, plans)
    return module
