"""A drop-in ``torch.nn.init`` on xinit-c's stream, and a patch that routes torch's own to it.

Every public function of ``torch.nn.init`` (torch 2.13) with torch's signature,
positional order and defaults, written over xinit-c's fills: the same
distributions, fans, gains, warnings and argument checks, but the values are
xinit-c's Philox4x32-10 stream (docs/stream.md), not torch's. They are the
same bits on any machine, SIMD path and thread count, and do not match what
``torch.nn.init`` draws for the same seed.

``generator`` takes a ``torch.Generator``, an :class:`xinit_c.Generator` or
None. A torch generator (None: torch's default CPU generator, which
``torch.manual_seed`` seeds) gives each call a fresh key, two 32-bit words
drawn from it (:func:`key_from_torch_generator`), so ``torch.manual_seed(0)``
makes a run reproducible and successive calls differ, as in torch; the fill
then reads that key's stream from position 0. An :class:`xinit_c.Generator`
is read from its position and moved past the words the fill takes, as the
top-level fills move it.

Tensors are filled in place on the CPU. A meta tensor has no memory: as in
torch, the call checks its shape and does nothing (so a model built on the
meta device under :func:`patch` stays unmaterialised). A tensor on another
device is refused with a TypeError that says what to do instead.

:func:`patch` / :func:`unpatch` / :func:`patched` put these functions in
``torch.nn.init`` (and in the torch modules that imported them by name), so
every built-in layer's ``reset_parameters`` and user code that calls
``torch.nn.init.<name>`` draws from xinit-c.
"""
from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, Literal, Union

import torch

from xinit_c import _api, _structured
from xinit_c._core import Generator
from xinit_c._fans import calculate_gain
from xinit_c._structured import _check_rank

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
    "uniform",
    "normal",
    "constant",
    "eye",
    "dirac",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "orthogonal",
    "sparse",
    "key_from_torch_generator",
    "patch",
    "unpatch",
    "patched",
]

_AnyGenerator = Union[torch.Generator, Generator, None]
_FanMode = Literal["fan_in", "fan_out"]
_Nonlinearity = Literal["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                        "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]


def key_from_torch_generator(gen: torch.Generator | None) -> tuple[int, int]:
    """The xinit-c key a torch generator gives one call: two 32-bit words drawn from it.

    ``torch.randint(0, 2**32, (2,), dtype=torch.int64, generator=gen)`` (on
    the generator's device) as ``(k0, k1)``. Every call draws, so successive fills under one
    ``torch.manual_seed`` get different keys, and reseeding repeats them.

    Parameters
    ----------
    gen : torch.Generator or None
        The torch generator to draw from; None is torch's default CPU generator
        (the one ``torch.manual_seed`` seeds).

    Returns
    -------
    (int, int)
        The key words, each in ``[0, 2**32)``.

    Raises
    ------
    TypeError
        ``gen`` is not a ``torch.Generator`` or None (torch raises it).

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> first = key_from_torch_generator(None)
    >>> _ = torch.manual_seed(0)
    >>> key_from_torch_generator(None) == first != key_from_torch_generator(None)
    True
    """
    # the generator's own device, so that a torch.device("meta") block around the call cannot redirect the draw
    device = "cpu" if gen is None else gen.device
    k0, k1 = torch.randint(0, 2**32, (2,), dtype=torch.int64, generator=gen, device=device).tolist()
    return k0, k1


@contextmanager
def _stream(func: str, generator: _AnyGenerator) -> Iterator[Generator]:
    """The xinit_c.Generator a call reads: ``generator`` itself, or a fresh key from a torch generator.

    A refused fill leaves a torch generator where it was (its state is put
    back), as a refused fill leaves an xinit_c.Generator unmoved."""
    if type(generator) is Generator:
        yield generator
        return
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"{func}: generator must be a torch.Generator, an xinit_c.Generator or None (torch's "
                        f"default generator), got {type(generator).__name__}")
    source = torch.default_generator if generator is None else generator
    state = source.get_state()
    drawn = Generator(key=key_from_torch_generator(generator))
    try:
        yield drawn
    except BaseException:
        source.set_state(state)
        raise


def _holds_no_memory(func: str, tensor: torch.Tensor) -> bool:
    """True for a meta tensor, which torch's initialisers leave as it is; refuses what is not a tensor."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{func}: tensor must be a torch.Tensor, got {type(tensor).__name__} (the numpy and "
                        f"buffer fills are xinit_c.{func})")
    return tensor.is_meta


def _check_fans(func: str, tensor: torch.Tensor) -> None:
    if tensor.dim() < 2:
        raise ValueError(f"{func}: Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions, got shape {tuple(tensor.shape)}")


def _warn_zero_elements(tensor: torch.Tensor) -> bool:
    """torch's kaiming initialisers warn about, and skip, a tensor with a zero dimension."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def _fan_mode(func: str, mode: str) -> _FanMode:
    # torch lower-cases the mode before checking it
    lowered = mode.lower() if isinstance(mode, str) else mode
    if lowered == "fan_in":
        return "fan_in"
    if lowered == "fan_out":
        return "fan_out"
    raise ValueError(f"{func}: Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")


def uniform_(tensor: torch.Tensor, a: float = 0.0, b: float = 1.0, generator: _AnyGenerator = None) -> torch.Tensor:
    r"""Fill ``tensor`` with values from :math:`U(a, b)`, in place (``torch.nn.init.uniform_``).

    .. math:: v = \frac{a + b}{2} + \frac{b - a}{2} \cdot \frac{o}{2^{24}}

    for an odd integer ``o`` in ``(-2^24, 2^24)`` from one word (``2^53`` and two
    words for float64), clamped to ``[a, b]`` (docs/stream.md section 3).

    Parameters
    ----------
    tensor : torch.Tensor
        float16, bfloat16, float32 or float64, on the CPU (any strides), or on
        the meta device (left as it is).
    a, b : float, default 0.0 and 1.0
        The bounds, finite, ``a <= b``.
    generator : torch.Generator, xinit_c.Generator or None
        A torch generator (None: torch's default) gives a fresh key per call;
        an xinit_c.Generator is read and moved past the words taken (1 per
        element, 2 for float64).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor, is on a device other than the CPU and meta,
        or has an integer, bool or complex dtype (torch refuses those too);
        ``generator`` is of another type.
    ValueError
        ``a`` or ``b`` is not finite, ``a > b``, or a bound overflows the
        dtype. Nothing is written and the generator does not move.

    Notes
    -----
    The values are xinit-c's stream, not torch's: the same for any thread
    count and machine, different from ``torch.nn.init.uniform_``'s.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> w = uniform_(torch.empty(3, 5), -1.0, 1.0)
    >>> bool(w.abs().max() <= 1.0)
    True
    >>> _ = torch.manual_seed(0)
    >>> torch.equal(uniform_(torch.empty(3, 5), -1.0, 1.0), w)      # reseeding repeats the values
    True
    """
    if _holds_no_memory("uniform_", tensor):
        return tensor
    with _stream("uniform_", generator) as stream:
        return _api.uniform_(tensor, a, b, generator=stream)


def normal_(tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0,
            generator: _AnyGenerator = None) -> torch.Tensor:
    r"""Fill ``tensor`` with values from :math:`N(\text{mean}, \text{std}^2)`, in place (``torch.nn.init.normal_``).

    .. math:: v = \text{mean} + \text{std} \cdot \Phi^{-1}(u)

    with ``u`` strictly inside (0, 1) from one word (two for float64), so no
    value is infinite (docs/stream.md section 7).

    Parameters
    ----------
    tensor : torch.Tensor
        float16, bfloat16, float32, float64, complex64 or complex128 (each part
        of std ``std / sqrt(2)``), on the CPU, or on the meta device (left as
        it is).
    mean : float, default 0.0
        Finite.
    std : float, default 1.0
        Finite and >= 0.
    generator : torch.Generator, xinit_c.Generator or None
        A torch generator (None: torch's default) gives a fresh key per call;
        an xinit_c.Generator is read and moved past the words taken.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor, is on a device other than the CPU and meta,
        or has an integer or bool dtype; ``generator`` is of another type.
    ValueError
        ``mean`` or ``std`` is not finite, ``std < 0``, or they overflow the
        dtype. Nothing is written and the generator does not move.

    Notes
    -----
    The values are xinit-c's stream, not torch's: the same for any thread
    count and machine, different from ``torch.nn.init.normal_``'s.

    Examples
    --------
    >>> import torch, xinit_c as xi
    >>> w = normal_(torch.empty(768, 768), 0.0, 0.02, xi.Generator(0))   # GPT-2's projections
    >>> round(float(w.std()), 3)
    0.02
    """
    if _holds_no_memory("normal_", tensor):
        return tensor
    with _stream("normal_", generator) as stream:
        return _api.normal_(tensor, mean, std, generator=stream)


def trunc_normal_(tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator: _AnyGenerator = None) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`N(\text{mean}, \text{std}^2)` truncated to ``[a, b]``, in place (``torch.nn.init.trunc_normal_``).

    .. math:: v = \text{mean} + \text{std} \cdot \Phi^{-1}\bigl(\Phi(\alpha) + u\,(\Phi(\beta) - \Phi(\alpha))\bigr),
              \quad \alpha = \frac{a - \text{mean}}{\text{std}},\ \beta = \frac{b - \text{mean}}{\text{std}}

    by exact inversion, one uniform ``u`` per element and no rejection loop
    (docs/stream.md section 8); ``a`` and ``b`` are absolute bounds, as in
    torch.

    Parameters
    ----------
    tensor : torch.Tensor
        float16, bfloat16, float32 or float64, on the CPU, or on the meta device
        (left as it is).
    mean : float, default 0.0
        Finite.
    std : float, default 1.0
        Finite and >= 0.
    a, b : float, default -2.0 and 2.0
        The bounds, ``a < b``.
    generator : torch.Generator, xinit_c.Generator or None
        A torch generator (None: torch's default) gives a fresh key per call;
        an xinit_c.Generator is read and moved past the words taken.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor, is on a device other than the CPU and meta,
        or has an integer, bool or complex dtype; ``generator`` is of another
        type.
    ValueError
        ``mean`` or ``std`` is not finite, ``std < 0``, ``a >= b``, or
        ``[a, b]`` lies too far in a tail for the dtype (more than 10 standard
        deviations for float32 and narrower, 37 for float64). Nothing is
        written and the generator does not move.

    Notes
    -----
    The values are xinit-c's stream, not torch's. torch warns when ``mean`` is
    more than 2 std outside ``[a, b]`` because its sampler loses accuracy
    there; the inversion is exact at any distance it accepts, so no warning
    is given.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> w = trunc_normal_(torch.empty(768, 3072), std=0.02, a=-0.04, b=0.04)
    >>> bool(w.min() >= -0.04 and w.max() <= 0.04)
    True
    """
    if _holds_no_memory("trunc_normal_", tensor):
        return tensor
    with _stream("trunc_normal_", generator) as stream:
        return _api.trunc_normal_(tensor, mean, std, a, b, generator=stream)


def constant_(tensor: torch.Tensor, val: float) -> torch.Tensor:
    """Fill ``tensor`` with ``val``, in place (``torch.nn.init.constant_``). Takes no words.

    Parameters
    ----------
    tensor : torch.Tensor
        Of any float, complex, integer or bool dtype, on the CPU, or on the meta
        device (left as it is).
    val : float
        The value; it must be held exactly by an integer or bool dtype.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor or is on a device other than the CPU and
        meta; ``val`` is not a number.
    ValueError
        ``val`` is not held by the dtype (a fraction for an integer tensor, a
        float beyond its range), where torch would truncate or wrap. Nothing
        is written.

    Examples
    --------
    >>> import torch
    >>> constant_(torch.empty(2, 3), 0.3)
    tensor([[0.3000, 0.3000, 0.3000],
            [0.3000, 0.3000, 0.3000]])
    """
    if _holds_no_memory("constant_", tensor):
        return tensor
    return _api.constant_(tensor, val)


def ones_(tensor: torch.Tensor) -> torch.Tensor:
    """Fill ``tensor`` with 1, in place (``torch.nn.init.ones_``). Takes no words.

    Parameters
    ----------
    tensor : torch.Tensor
        Of any float, complex, integer or bool dtype, on the CPU, or on the meta
        device (left as it is).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor or is on a device other than the CPU and
        meta.

    Examples
    --------
    >>> import torch
    >>> ones_(torch.empty(2, 2))
    tensor([[1., 1.],
            [1., 1.]])
    """
    if _holds_no_memory("ones_", tensor):
        return tensor
    return _api.ones_(tensor)


def zeros_(tensor: torch.Tensor) -> torch.Tensor:
    """Fill ``tensor`` with 0, in place (``torch.nn.init.zeros_``). Takes no words.

    Parameters
    ----------
    tensor : torch.Tensor
        Of any float, complex, integer or bool dtype, on the CPU, or on the meta
        device (left as it is).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor or is on a device other than the CPU and
        meta.

    Examples
    --------
    >>> import torch
    >>> zeros_(torch.empty(3))
    tensor([0., 0., 0.])
    """
    if _holds_no_memory("zeros_", tensor):
        return tensor
    return _api.zeros_(tensor)


def eye_(tensor: torch.Tensor) -> torch.Tensor:
    """Fill a 2-D ``tensor`` with the identity matrix, in place (``torch.nn.init.eye_``). Takes no words.

    ``tensor[i, j] = 1`` where ``i == j``, 0 elsewhere (a non-square matrix gets
    ones on its leading diagonal).

    Parameters
    ----------
    tensor : torch.Tensor
        2-D, of any float, complex, integer or bool dtype, on the CPU, or on
        the meta device (checked, then left as it is).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor or is on a device other than the CPU and
        meta.
    ValueError
        ``tensor`` is not 2-D (as torch). Nothing is written.

    Examples
    --------
    >>> import torch
    >>> eye_(torch.empty(2, 3))
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    meta = _holds_no_memory("eye_", tensor)
    _check_rank("eye_", tensor, (2,), "Only tensors with 2 dimensions are supported")
    return tensor if meta else _structured.eye_(tensor)


def dirac_(tensor: torch.Tensor, groups: int = 1) -> torch.Tensor:
    """Fill a 3-, 4- or 5-D kernel with the Dirac delta, in place (``torch.nn.init.dirac_``). Takes no words.

    For a kernel ``(out_channels, in_channels, *spatial)`` in ``groups`` groups
    of ``n = out_channels // groups``: ``tensor[g*n + d, d, *centre] = 1`` for
    ``d < min(n, in_channels)``, ``centre = [k // 2 for k in spatial]``; 0
    elsewhere.

    Parameters
    ----------
    tensor : torch.Tensor
        3-, 4- or 5-D, of any float, complex, integer or bool dtype, on the CPU,
        or on the meta device (checked, then left as it is).
    groups : int, default 1
        The number of groups, >= 1, dividing ``tensor.shape[0]``.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor or is on a device other than the CPU and
        meta; ``groups`` is not an integer.
    ValueError
        ``tensor`` is not 3-, 4- or 5-D, or ``groups`` does not divide its first
        dimension (as torch). Nothing is written.

    Examples
    --------
    >>> import torch
    >>> w = dirac_(torch.empty(4, 2, 3), groups=2)       # Conv1d(2, 4, 3, groups=2)
    >>> w.nonzero().tolist()
    [[0, 0, 1], [1, 1, 1], [2, 0, 1], [3, 1, 1]]
    """
    meta = _holds_no_memory("dirac_", tensor)
    _check_rank("dirac_", tensor, (3, 4, 5), "Only tensors with 3, 4, or 5 dimensions are supported")
    if meta:
        if isinstance(groups, int) and groups >= 1 and tensor.shape[0] % groups:
            raise ValueError(f"dirac_: dim 0 must be divisible by groups, got shape {tuple(tensor.shape)} and "
                             f"groups={groups}")
        return tensor
    return _structured.dirac_(tensor, groups)


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0, generator: _AnyGenerator = None) -> torch.Tensor:
    r"""Fill ``tensor`` with Xavier/Glorot uniform values, in place (``torch.nn.init.xavier_uniform_``).

    .. math:: U(-b, b), \qquad b = \text{gain} \cdot \sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}

    with torch's fans: ``fan_in = size(1) * receptive``, ``fan_out = size(0) *
    receptive``, ``receptive`` the product of the dimensions after the second
    (Glorot & Bengio, 2010).

    Parameters
    ----------
    tensor : torch.Tensor
        At least 2-D, float16, bfloat16, float32 or float64, on the CPU, or on
        the meta device (checked, then left as it is).
    gain : float, default 1.0
        Finite and >= 0 (:func:`calculate_gain` gives torch's per
        nonlinearity).
    generator : torch.Generator, xinit_c.Generator or None
        A torch generator (None: torch's default) gives a fresh key per call;
        an xinit_c.Generator is read and moved past the words taken.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor, is on a device other than the CPU and meta,
        or has an integer, bool or complex dtype; ``generator`` is of another
        type.
    ValueError
        ``tensor`` has fewer than 2 dimensions (as torch); ``gain`` is negative,
        not finite or makes the bound overflow the dtype. Nothing is written
        and the generator does not move.

    Notes
    -----
    The values are xinit-c's stream, not torch's.

    Examples
    --------
    >>> import torch, xinit_c as xi
    >>> w = xavier_uniform_(torch.empty(512, 256), calculate_gain("relu"), xi.Generator(0))
    >>> bool(w.abs().max() <= 2 ** 0.5 * (6 / (256 + 512)) ** 0.5)
    True
    """
    meta = _holds_no_memory("xavier_uniform_", tensor)
    _check_fans("xavier_uniform_", tensor)
    if meta:
        return tensor
    with _stream("xavier_uniform_", generator) as stream:
        return _api.xavier_uniform_(tensor, gain, generator=stream)


def xavier_normal_(tensor: torch.Tensor, gain: float = 1.0, generator: _AnyGenerator = None) -> torch.Tensor:
    r"""Fill ``tensor`` with Xavier/Glorot normal values, in place (``torch.nn.init.xavier_normal_``).

    .. math:: N(0, \sigma^2), \qquad \sigma = \text{gain} \cdot \sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}

    with torch's fans (see :func:`xavier_uniform_`).

    Parameters
    ----------
    tensor : torch.Tensor
        At least 2-D, float16, bfloat16, float32 or float64, on the CPU, or on
        the meta device (checked, then left as it is).
    gain : float, default 1.0
        Finite and >= 0.
    generator : torch.Generator, xinit_c.Generator or None
        A torch generator (None: torch's default) gives a fresh key per call;
        an xinit_c.Generator is read and moved past the words taken.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor, is on a device other than the CPU and meta,
        or has an integer, bool or complex dtype; ``generator`` is of another
        type.
    ValueError
        ``tensor`` has fewer than 2 dimensions (as torch); ``gain`` is negative,
        not finite or makes std overflow the dtype. Nothing is written and the
        generator does not move.

    Notes
    -----
    The values are xinit-c's stream, not torch's.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> w = xavier_normal_(torch.empty(1000, 1000))
    >>> round(float(w.std()) * 1000 ** 0.5, 2)             # sigma = sqrt(2 / 2000)
    1.0
    """
    meta = _holds_no_memory("xavier_normal_", tensor)
    _check_fans("xavier_normal_", tensor)
    if meta:
        return tensor
    with _stream("xavier_normal_", generator) as stream:
        return _api.xavier_normal_(tensor, gain, generator=stream)


def kaiming_uniform_(tensor: torch.Tensor, a: float = 0, mode: _FanMode = "fan_in",
                     nonlinearity: _Nonlinearity = "leaky_relu", generator: _AnyGenerator = None) -> torch.Tensor:
    r"""Fill ``tensor`` with Kaiming/He uniform values, in place (``torch.nn.init.kaiming_uniform_``).

    .. math:: U(-b, b), \qquad b = \text{gain} \cdot \sqrt{\frac{3}{\text{fan\_mode}}},
              \quad \text{gain} = \text{calculate\_gain}(\text{nonlinearity}, a)

    with torch's fans (He et al., 2015). ``nn.Linear`` and the convolutions
    call it with ``a=sqrt(5)``: ``b = 1 / sqrt(fan_in)``.

    Parameters
    ----------
    tensor : torch.Tensor
        At least 2-D, float16, bfloat16, float32 or float64, on the CPU, or on
        the meta device (checked, then left as it is).
    a : float, default 0
        The negative slope of the rectifier after this layer (used with
        ``"leaky_relu"`` only).
    mode : {"fan_in", "fan_out"}, default "fan_in"
        Which fan scales the bound (any letter case, as torch).
    nonlinearity : str, default "leaky_relu"
        A ``torch.nn.functional`` name that :func:`calculate_gain` knows.
    generator : torch.Generator, xinit_c.Generator or None
        A torch generator (None: torch's default) gives a fresh key per call;
        an xinit_c.Generator is read and moved past the words taken.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor, is on a device other than the CPU and meta,
        or has an integer, bool or complex dtype; ``a`` is not a number;
        ``generator`` is of another type.
    ValueError
        ``tensor`` has fewer than 2 dimensions, ``mode`` or ``nonlinearity`` is
        unknown (as torch); ``a`` is not finite. Nothing is written and the
        generator does not move.

    Warns
    -----
    UserWarning
        "Initializing zero-element tensors is a no-op" for a tensor with a
        zero dimension, which is left as it is (as torch).

    Notes
    -----
    The values are xinit-c's stream, not torch's.

    Examples
    --------
    >>> import math, torch
    >>> _ = torch.manual_seed(0)
    >>> w = kaiming_uniform_(torch.empty(64, 3, 3, 3), a=math.sqrt(5))     # Conv2d(3, 64, 3)'s default
    >>> bool(w.abs().max() <= 1 / math.sqrt(27))
    True
    """
    meta = _holds_no_memory("kaiming_uniform_", tensor)
    if _warn_zero_elements(tensor):
        return tensor
    _check_fans("kaiming_uniform_", tensor)
    fan_mode = _fan_mode("kaiming_uniform_", mode)
    if meta:
        return tensor
    with _stream("kaiming_uniform_", generator) as stream:
        return _api.kaiming_uniform_(tensor, a, fan_mode, nonlinearity, generator=stream)


def kaiming_normal_(tensor: torch.Tensor, a: float = 0, mode: _FanMode = "fan_in",
                    nonlinearity: _Nonlinearity = "leaky_relu", generator: _AnyGenerator = None) -> torch.Tensor:
    r"""Fill ``tensor`` with Kaiming/He normal values, in place (``torch.nn.init.kaiming_normal_``).

    .. math:: N(0, \sigma^2), \qquad \sigma = \frac{\text{gain}}{\sqrt{\text{fan\_mode}}},
              \quad \text{gain} = \text{calculate\_gain}(\text{nonlinearity}, a)

    with torch's fans (He et al., 2015).

    Parameters
    ----------
    tensor : torch.Tensor
        At least 2-D, float16, bfloat16, float32 or float64, on the CPU, or on
        the meta device (checked, then left as it is).
    a : float, default 0
        The negative slope of the rectifier after this layer (used with
        ``"leaky_relu"`` only).
    mode : {"fan_in", "fan_out"}, default "fan_in"
        Which fan scales std (any letter case, as torch).
    nonlinearity : str, default "leaky_relu"
        A ``torch.nn.functional`` name that :func:`calculate_gain` knows.
    generator : torch.Generator, xinit_c.Generator or None
        A torch generator (None: torch's default) gives a fresh key per call;
        an xinit_c.Generator is read and moved past the words taken.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor, is on a device other than the CPU and meta,
        or has an integer, bool or complex dtype; ``a`` is not a number;
        ``generator`` is of another type.
    ValueError
        ``tensor`` has fewer than 2 dimensions, ``mode`` or ``nonlinearity`` is
        unknown (as torch); ``a`` is not finite. Nothing is written and the
        generator does not move.

    Warns
    -----
    UserWarning
        "Initializing zero-element tensors is a no-op" for a tensor with a
        zero dimension, which is left as it is (as torch).

    Notes
    -----
    The values are xinit-c's stream, not torch's.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> w = kaiming_normal_(torch.empty(256, 4096), mode="fan_out", nonlinearity="relu")
    >>> round(float(w.std()) * 256 ** 0.5, 1)              # sigma = sqrt(2) / sqrt(fan_out)
    1.4
    """
    meta = _holds_no_memory("kaiming_normal_", tensor)
    if _warn_zero_elements(tensor):
        return tensor
    _check_fans("kaiming_normal_", tensor)
    fan_mode = _fan_mode("kaiming_normal_", mode)
    if meta:
        return tensor
    with _stream("kaiming_normal_", generator) as stream:
        return _api.kaiming_normal_(tensor, a, fan_mode, nonlinearity, generator=stream)


def orthogonal_(tensor: torch.Tensor, gain: float = 1, generator: _AnyGenerator = None) -> torch.Tensor:
    r"""Fill ``tensor`` with a (semi-)orthogonal matrix times ``gain``, in place (``torch.nn.init.orthogonal_``).

    ``tensor`` is read as a ``(rows, cols)`` matrix, ``rows = size(0)``; with
    ``Z = QR`` a QR factorisation of a standard normal matrix (of ``Z^T`` when
    ``rows < cols``), :math:`W = \text{gain} \cdot Q \operatorname{diag}(\operatorname{sign} R)`
    (Saxe et al., 2013): orthonormal columns when ``rows >= cols``, rows
    otherwise. See :func:`xinit_c.orthogonal_`.

    Parameters
    ----------
    tensor : torch.Tensor
        At least 2-D, float16, bfloat16, float32 or float64, on the CPU, or on
        the meta device (checked, then left as it is).
    gain : float, default 1
        Finite scale.
    generator : torch.Generator, xinit_c.Generator or None
        A torch generator (None: torch's default) gives a fresh key per call;
        an xinit_c.Generator is read and moved past ``2 * rows * cols`` words.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor, is on a device other than the CPU and meta,
        or has an integer, bool or complex dtype; ``generator`` is of another
        type.
    ValueError
        ``tensor`` has fewer than 2 dimensions (as torch); ``gain`` is not
        finite or overflows the dtype. Nothing is written and the generator does
        not move.

    Notes
    -----
    The normal matrix is xinit-c's stream, not torch's; the QR factorisation is
    numpy's LAPACK, so the bits depend on the LAPACK build within rounding.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> w = orthogonal_(torch.empty(3, 5, dtype=torch.float64), gain=2)
    >>> torch.allclose(w @ w.T, 4 * torch.eye(3, dtype=torch.float64))
    True
    """
    meta = _holds_no_memory("orthogonal_", tensor)
    _check_rank("orthogonal_", tensor, range(2, 65), "Only tensors with 2 or more dimensions are supported")
    if meta:
        return tensor
    with _stream("orthogonal_", generator) as stream:
        return _structured.orthogonal_(tensor, gain, generator=stream)


def sparse_(tensor: torch.Tensor, sparsity: float, std: float = 0.01, generator: _AnyGenerator = None) -> torch.Tensor:
    r"""Fill a 2-D ``tensor`` as a sparse matrix, in place (``torch.nn.init.sparse_``).

    Every column gets exactly ``ceil(sparsity * rows)`` zeros at uniformly
    random rows and :math:`N(0, \text{std}^2)` values elsewhere (Martens,
    2010). See :func:`xinit_c.sparse_` for which words choose the zeros.

    Parameters
    ----------
    tensor : torch.Tensor
        2-D, float16, bfloat16, float32 or float64, on the CPU, or on the meta
        device (checked, then left as it is).
    sparsity : float
        The fraction of each column set to zero, from 0 to 1.
    std : float, default 0.01
        The standard deviation of the non-zero values, finite and >= 0.
    generator : torch.Generator, xinit_c.Generator or None
        A torch generator (None: torch's default) gives a fresh key per call;
        an xinit_c.Generator is read and moved past the words taken.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor, is on a device other than the CPU and meta,
        or has an integer, bool or complex dtype; ``generator`` is of another
        type.
    ValueError
        ``tensor`` is not 2-D (as torch); ``sparsity`` is outside [0, 1];
        ``std`` is negative or not finite. Nothing is written and the generator
        does not move.

    Notes
    -----
    Values and zero rows are xinit-c's stream, not torch's (torch draws the
    zero rows from its default generator even when given another one; here
    both come from ``generator``).

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> w = sparse_(torch.empty(10, 4), sparsity=0.3)
    >>> (w == 0).sum(dim=0).tolist()
    [3, 3, 3, 3]
    """
    meta = _holds_no_memory("sparse_", tensor)
    _check_rank("sparse_", tensor, (2,), "Only tensors with 2 dimensions are supported")
    if meta:
        return tensor
    with _stream("sparse_", generator) as stream:
        return _structured.sparse_(tensor, sparsity, std, generator=stream)


# --------------------------------------------------------------------------
# torch's deprecated names without the trailing underscore: the same fill
# after torch's FutureWarning
# --------------------------------------------------------------------------

def _deprecated(old: str, fill: Callable[..., torch.Tensor], args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> torch.Tensor:
    warnings.warn(f"`nn.init.{old}` is now deprecated in favor of `nn.init.{old}_`.", FutureWarning, stacklevel=3)
    return fill(*args, **kwargs)


def uniform(*args: Any, **kwargs: Any) -> torch.Tensor:
    return _deprecated("uniform", uniform_, args, kwargs)


def normal(*args: Any, **kwargs: Any) -> torch.Tensor:
    return _deprecated("normal", normal_, args, kwargs)


def constant(*args: Any, **kwargs: Any) -> torch.Tensor:
    return _deprecated("constant", constant_, args, kwargs)


def eye(*args: Any, **kwargs: Any) -> torch.Tensor:
    return _deprecated("eye", eye_, args, kwargs)


def dirac(*args: Any, **kwargs: Any) -> torch.Tensor:
    return _deprecated("dirac", dirac_, args, kwargs)


def xavier_uniform(*args: Any, **kwargs: Any) -> torch.Tensor:
    return _deprecated("xavier_uniform", xavier_uniform_, args, kwargs)


def xavier_normal(*args: Any, **kwargs: Any) -> torch.Tensor:
    return _deprecated("xavier_normal", xavier_normal_, args, kwargs)


def kaiming_uniform(*args: Any, **kwargs: Any) -> torch.Tensor:
    return _deprecated("kaiming_uniform", kaiming_uniform_, args, kwargs)


def kaiming_normal(*args: Any, **kwargs: Any) -> torch.Tensor:
    return _deprecated("kaiming_normal", kaiming_normal_, args, kwargs)


def orthogonal(*args: Any, **kwargs: Any) -> torch.Tensor:
    return _deprecated("orthogonal", orthogonal_, args, kwargs)


def sparse(*args: Any, **kwargs: Any) -> torch.Tensor:
    return _deprecated("sparse", sparse_, args, kwargs)


_DEPRECATED_DOC = """Deprecated alias of :func:`{name}_`: warns, then fills as it does (torch's ``nn.init.{name}``).

    Parameters
    ----------
    *args, **kwargs
        Those of :func:`{name}_`.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself, filled.

    Raises
    ------
    TypeError, ValueError
        As :func:`{name}_` raises them.

    Warns
    -----
    FutureWarning
        "`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`." (torch's message).

    Examples
    --------
    >>> import torch, warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     w = {name}({example})
    >>> caught[0].category.__name__, w.shape
    ('FutureWarning', torch.Size({shape}))
    """

# each alias's example call and the shape of the tensor it fills
_DEPRECATED_EXAMPLES: dict[Callable[..., torch.Tensor], tuple[str, str]] = {
    uniform: ("torch.empty(3, 5)", "[3, 5]"),
    normal: ("torch.empty(3, 5)", "[3, 5]"),
    constant: ("torch.empty(3, 5), 0.5", "[3, 5]"),
    eye: ("torch.empty(3, 5)", "[3, 5]"),
    dirac: ("torch.empty(4, 2, 3)", "[4, 2, 3]"),
    xavier_uniform: ("torch.empty(3, 5)", "[3, 5]"),
    xavier_normal: ("torch.empty(3, 5)", "[3, 5]"),
    kaiming_uniform: ("torch.empty(3, 5)", "[3, 5]"),
    kaiming_normal: ("torch.empty(3, 5)", "[3, 5]"),
    orthogonal: ("torch.empty(3, 5)", "[3, 5]"),
    sparse: ("torch.empty(3, 5), 0.5", "[3, 5]"),
}
for _alias, (_example, _shape) in _DEPRECATED_EXAMPLES.items():
    _alias.__doc__ = _DEPRECATED_DOC.format(name=_alias.__name__, example=_example, shape=_shape)


# --------------------------------------------------------------------------
# patch(): torch.nn.init's fills replaced by these while a count of holders
# is above zero
# --------------------------------------------------------------------------

#: torch.nn.init's names that fill a tensor (calculate_gain computes a number and stays torch's).
# torch's names this module defines: a name a later torch adds stays torch's own instead of breaking patch()
_ROUTED: tuple[str, ...] = tuple(name for name in torch.nn.init.__all__ if name != "calculate_gain" and name in __all__)

#: torch modules that bound some of those functions by name at import (``from torch.nn.init import
#: xavier_uniform_``): MultiheadAttention's and Transformer's resets call these bindings, not the module's.
_NAME_IMPORTERS = ("torch.nn.modules.activation", "torch.nn.modules.transformer")

_patch_lock = threading.Lock()
_patch_holders = 0
_replaced: list[tuple[ModuleType, str, Any]] = []


def _install() -> None:
    import importlib

    init = torch.nn.init
    ours = globals()
    originals = {name: getattr(init, name) for name in _ROUTED}
    for module in [init, *(importlib.import_module(name) for name in _NAME_IMPORTERS)]:
        for name, original in originals.items():
            if vars(module).get(name) is original:
                _replaced.append((module, name, original))
                setattr(module, name, ours[name])


def _restore() -> None:
    ours = globals()
    for module, name, original in reversed(_replaced):
        if vars(module).get(name) is ours[name]:   # a later rebinding by someone else is theirs to keep
            setattr(module, name, original)
    _replaced.clear()


def patch() -> None:
    """Route ``torch.nn.init``'s fills to these until as many :func:`unpatch` calls.

    Replaces every function of ``torch.nn.init`` that fills a tensor (all of
    its public names but ``calculate_gain``, the deprecated aliases included),
    and the copies that ``torch.nn.modules.activation`` (MultiheadAttention)
    and ``torch.nn.modules.transformer`` imported by name, with this module's.
    Every built-in layer's ``reset_parameters`` then draws from xinit-c, as does
    user code that looks the functions up in ``torch.nn.init`` when it calls
    them (``nn.init.normal_(...)``; a name imported earlier with ``from
    torch.nn.init import normal_`` keeps torch's function).

    Calls nest and may come from several threads: a lock guards a count of
    holders, the first installs, and the last :func:`unpatch` restores torch's
    functions.

    Returns
    -------
    None

    Examples
    --------
    >>> import torch
    >>> patch()
    >>> torch.nn.init.normal_ is normal_
    True
    >>> unpatch()
    >>> torch.nn.init.normal_ is normal_
    False
    """
    global _patch_holders
    with _patch_lock:
        if _patch_holders == 0:
            _install()
        _patch_holders += 1


def unpatch() -> None:
    """Undo one :func:`patch`; the last one puts torch's functions back.

    Restores each replaced name that still holds this module's function (a
    name rebound meanwhile by someone else keeps its new value).

    Returns
    -------
    None

    Raises
    ------
    RuntimeError
        More ``unpatch()`` calls than ``patch()`` calls.

    Examples
    --------
    >>> import torch
    >>> patch(); patch()
    >>> unpatch()
    >>> torch.nn.init.uniform_ is uniform_        # one holder left
    True
    >>> unpatch()
    >>> torch.nn.init.uniform_ is uniform_
    False
    """
    global _patch_holders
    with _patch_lock:
        if _patch_holders == 0:
            raise RuntimeError("unpatch: torch.nn.init is not patched (more unpatch() calls than patch())")
        _patch_holders -= 1
        if _patch_holders == 0:
            _restore()


@contextmanager
def patched() -> Iterator[None]:
    """A ``with`` block in which ``torch.nn.init`` is routed to xinit-c (:func:`patch` on entry, :func:`unpatch` on exit).

    The exit runs however the block ends, an exception included; blocks nest
    and may run in several threads at once.

    Returns
    -------
    contextlib.AbstractContextManager
        The block's context manager (``as`` gives None).

    Examples
    --------
    >>> import torch, xinit_c as xi
    >>> _ = torch.manual_seed(0)
    >>> with patched():
    ...     layer = torch.nn.Linear(4, 3)          # reset_parameters runs kaiming_uniform_ on xinit-c
    >>> _ = torch.manual_seed(0)
    >>> k0, k1 = torch.randint(0, 2**32, (2,), dtype=torch.int64).tolist()
    >>> want = xi.kaiming_uniform_(torch.empty(3, 4), a=5 ** 0.5, generator=xi.Generator(key=(k0, k1)))
    >>> torch.equal(layer.weight.detach(), want)
    True
    """
    patch()
    try:
        yield
    finally:
        unpatch()
