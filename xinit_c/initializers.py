"""Initializer objects in the style of Keras 3 and JAX, over the in-place fills.

An initializer is built once with its options and a seed, then called with a
shape (and a dtype) to get a new array, or with ``out=`` to fill a buffer:

>>> import numpy as np
>>> from xinit_c.initializers import GlorotUniform
>>> init = GlorotUniform(seed=0)
>>> w = init((3, 3, 64, 128))                 # Keras's (*kernel, in, out) layout
>>> w.dtype, bool(abs(w).max() <= np.sqrt(6 / (9 * 64 + 9 * 128)))
(dtype('float32'), True)
>>> bool((init((3, 3, 64, 128)) == w).all())  # an int seed gives the same values on every call
True

Seeds
-----
``seed`` is an ``int``, an :class:`xinit_c.Generator` or ``None``:

* an ``int``: every call starts at the same stream position,
  ``Generator(seed)``, and returns the same values (as Keras 3 does with an
  integer seed);
* a ``Generator``: each call draws from it and advances it, so successive
  calls differ and a generator shared by several initializers hands each its
  own words;
* ``None``: the module's default generator (:func:`xinit_c.manual_seed`
  reseeds it), advanced by each call.

Configs
-------
``get_config()`` returns a JSON-ready dict holding everything that determines
the values: the options, the ``layout`` where fans are read, and the stream
state the next call starts from (``key``, ``stream``, ``position``), with the
``stream_version`` whose values they are. ``from_config(config)`` rebuilds an
initializer whose next call returns exactly what the original's next call
would have returned: one built from an ``int`` seed keeps returning those
values, one built from a generator (or the default one) gets a generator of
its own, started where the original's stood. A config written for another
stream version is refused rather than silently giving other values. A Keras
config without the stream state (``{"seed": 0}``) loads too.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, SupportsFloat, SupportsIndex, TypeVar, cast, overload

import numpy as np
import numpy.typing as npt

from xinit_c import _api
from xinit_c._core import STREAM_VERSION, Generator
from xinit_c._fans import _is_bool, _normalize_shape, compute_fans

__all__ = [
    "Initializer",
    "VarianceScaling",
    "GlorotUniform",
    "GlorotNormal",
    "HeUniform",
    "HeNormal",
    "LecunUniform",
    "LecunNormal",
    "RandomUniform",
    "RandomNormal",
    "TruncatedNormal",
    "Zeros",
    "Ones",
    "Constant",
    "Orthogonal",
    "Identity",
    "XavierInitializer",
    "xavier_initializer",
    "get",
    "serialize",
    "deserialize",
]

#: Config entries that describe the stream state rather than an option.
_STATE_KEYS = ("key", "stream", "position", "stream_version")

#: What ``seed=`` takes: an int (the same values on every call), a Generator (advanced) or None (the default).
Seed = int | Generator | None
Layout = Literal["keras", "torch", "jax"]
_Mode = Literal["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]
_Distribution = Literal["truncated_normal", "untruncated_normal", "normal", "uniform"]
_Axes = SupportsIndex | Sequence[SupportsIndex] | None
_Shape = SupportsIndex | Sequence[SupportsIndex]
_Out = TypeVar("_Out")
_Self = TypeVar("_Self", bound="Initializer")


def _dtype(dtype: npt.DTypeLike | None) -> np.dtype[Any]:
    """numpy's dtype for ``dtype``; the name "bfloat16" needs ml_dtypes, as numpy has no bfloat16 of its own."""
    if dtype is None:
        return np.dtype(np.float32)
    if isinstance(dtype, str) and dtype == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise TypeError("dtype 'bfloat16' needs the ml_dtypes package (pip install ml_dtypes)") from None
        bfloat16: np.dtype[Any] = np.dtype(ml_dtypes.bfloat16)   # ml_dtypes has no type information
        return bfloat16
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype {dtype!r} is not a numpy dtype") from None


def _shape(shape: _Shape) -> tuple[int, ...]:
    """``shape`` as a tuple of non-negative ints, checked as compute_fans checks one (a bare int is a 1-D
    shape, as numpy takes it)."""
    if isinstance(shape, SupportsIndex) and not _is_bool(shape):
        shape = (shape,)
    return _normalize_shape(shape)


def _seed_state(owner: str, seed: Seed) -> tuple[tuple[tuple[int, int], int, int] | None, Generator | None]:
    """(fixed state or None, generator or None) for a constructor's ``seed``."""
    if seed is None:
        return None, None
    if type(seed) is Generator:
        return None, seed
    if _is_bool(seed) or not isinstance(seed, SupportsIndex):
        raise TypeError(f"{owner}: seed must be an int, an xinit_c.Generator or None, got "
                        f"{type(seed).__name__} {seed!r}")
    if operator.index(seed) < 0:
        raise ValueError(f"{owner}: seed must be a non-negative int, got {seed!r}")
    g = Generator(operator.index(seed))
    return (g.key, g.stream, g.position), None


class Initializer:
    """Base class of the initializer objects.

    A subclass sets ``_fill(self, out, generator)``, which fills ``out`` in
    place, and ``_options(self)``, the constructor arguments other than
    ``seed`` as a dict (JSON-ready). Subclasses that draw no words set
    ``_random = False`` and take no seed.

    Calling an initializer: ``init(shape, dtype=None, *, out=None)``:

    shape : sequence of int
        The shape of the tensor; for a fan-based scheme, read in the
        initializer's ``layout`` (Keras's ``(*kernel, in, out)`` by default).
    dtype : dtype or str, optional
        float16, "bfloat16" (ml_dtypes), float32 (the default), float64,
        complex64 or complex128 where the scheme supports complex values; any
        numeric or bool dtype for the constants. With ``out``, it must be
        ``out``'s dtype or None.
    out : numpy.ndarray, torch.Tensor or writable buffer, optional
        Fill this buffer in place (its shape must be ``shape``) and return it,
        instead of a new array.

    The call returns the new array, or ``out``. It raises what the fill raises
    (led by the initializer's repr), ValueError when ``shape`` is not
    ``out``'s and TypeError when ``dtype`` is not ``out``'s.

    Parameters
    ----------
    seed : int, Generator or None
        See the module's notes.

    Raises
    ------
    TypeError
        ``seed`` is not an int, a Generator or None.
    ValueError
        A negative int seed.

    Examples
    --------
    >>> class Halves(Initializer):
    ...     def _fill(self, out: Any, generator: Generator | None) -> None:
    ...         out[...] = 0.5
    >>> Halves()((2,)).tolist()
    [0.5, 0.5]
    """

    _random = True
    #: The dtype of a new array when the call names none (None: float32).
    _default_dtype: npt.DTypeLike | None = None

    def __init__(self, seed: Seed = None) -> None:
        self.seed = seed
        self._fixed, self._generator = _seed_state(type(self).__name__, seed)

    # -- calling ------------------------------------------------------------
    @overload
    def __call__(self, shape: _Shape, dtype: npt.DTypeLike | None = None, *,
                 out: None = None) -> npt.NDArray[Any]: ...

    @overload
    def __call__(self, shape: _Shape, dtype: npt.DTypeLike | None = None, *, out: _Out) -> _Out: ...

    def __call__(self, shape: _Shape, dtype: npt.DTypeLike | None = None, *, out: Any = None) -> Any:
        dims = _shape(shape)
        if out is None:
            out = np.empty(dims, _dtype(self._default_dtype if dtype is None else dtype))
        else:
            got = tuple(out.shape)
            if got != dims:
                raise ValueError(f"{self!r}: shape {dims} does not match out's shape {got}")
            if dtype is not None and hasattr(out, "dtype") and isinstance(out.dtype, np.dtype) \
                    and _dtype(dtype) != out.dtype:
                raise TypeError(f"{self!r}: dtype {dtype!r} is not out's dtype {out.dtype}")
        self._fill(out, self._next_generator())
        return out

    def _fill(self, out: Any, generator: Generator | None) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define _fill")

    def _next_generator(self) -> Generator | None:
        if self._fixed is not None:
            key, stream, position = self._fixed
            return Generator(key=key, stream=stream, position=position)
        return self._generator  # None: the default generator

    def _state(self) -> tuple[tuple[int, int], int, int]:
        """(key, stream, position) that the next call starts from."""
        if self._fixed is not None:
            return self._fixed
        g = self._generator if self._generator is not None else _api.default_generator()
        return g.key, g.stream, g.position

    # -- configs ------------------------------------------------------------
    def _options(self) -> dict[str, Any]:
        return {}

    def get_config(self) -> dict[str, Any]:
        """Everything that determines the values, as a JSON-ready dict.

        Returns
        -------
        dict
            The constructor's options, ``seed`` (the int seed, or None for a
            generator or the default generator), and, for a random scheme, the
            stream state the next call starts from: ``key`` ([k0, k1]),
            ``stream``, ``position`` and ``stream_version``.

        Examples
        --------
        >>> config = GlorotUniform(seed=0).get_config()
        >>> config["seed"], config["layout"], config["position"], config["stream_version"]
        (0, 'keras', 0, 2)
        """
        config = dict(self._options())
        if not self._random:
            return config
        key, stream, position = self._state()
        seed = operator.index(self.seed) if isinstance(self.seed, SupportsIndex) else None
        config.update(seed=seed, key=[int(key[0]), int(key[1])],
                      stream=int(stream), position=int(position), stream_version=STREAM_VERSION)
        return config

    @classmethod
    def from_config(cls: type[_Self], config: Mapping[str, Any]) -> _Self:
        """Rebuild an initializer from :meth:`get_config`'s dict (or a Keras config).

        Parameters
        ----------
        config : dict
            As :meth:`get_config` returns it (after a JSON round trip too).

        Returns
        -------
        Initializer
            An instance of ``cls`` whose next call returns what the
            original's next call would have.

        Raises
        ------
        ValueError
            The config was written for another stream version, or is missing
            part of the stream state.
        TypeError
            An option the class does not take.

        Examples
        --------
        >>> import json
        >>> g = Generator(7)
        >>> init = RandomNormal(seed=g)
        >>> copy = RandomNormal.from_config(json.loads(json.dumps(init.get_config())))
        >>> bool((copy((3, 3)) == init((3, 3))).all())
        True
        """
        config = dict(config)
        state = {name: config.pop(name) for name in _STATE_KEYS if name in config}
        version = state.pop("stream_version", STREAM_VERSION)
        if version != STREAM_VERSION:
            raise ValueError(f"{cls.__name__}.from_config: the config was written for stream version {version!r}; "
                             f"this xinit_c implements version {STREAM_VERSION}, whose values differ")
        if not cls._random:
            if state:
                raise ValueError(f"{cls.__name__}.from_config: {cls.__name__} draws no words, but the config "
                                 f"holds a stream state {sorted(state)}")
            return cls(**config)
        if state and ("key" not in state or "stream" not in state or "position" not in state):
            raise ValueError(f"{cls.__name__}.from_config: the stream state needs key, stream and position, "
                             f"got {sorted(state)}")
        seed = config.pop("seed", None)
        if not state:
            return cls(seed=seed, **config)
        generator = Generator(key=tuple(state["key"]), stream=state["stream"], position=state["position"])
        if seed is None:
            return cls(seed=generator, **config)
        init = cls(seed=seed, **config)
        init._fixed = (generator.key, generator.stream, generator.position)
        return init

    def clone(self: _Self) -> _Self:
        """A new initializer from this one's config: same next values, its own state.

        Returns
        -------
        Initializer

        Examples
        --------
        >>> init = HeUniform(seed=Generator(1))
        >>> bool((init.clone()((2, 2)) == init((2, 2))).all())
        True
        """
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        options = self._options()
        if self._random:
            options["seed"] = self.seed
        args = ", ".join(f"{name}={value!r}" for name, value in options.items())
        return f"{type(self).__name__}({args})"

    def _named(self, exc: Exception) -> Exception:
        """A fill's error led by this initializer, whose arguments the caller wrote."""
        if type(exc) is TypeError or type(exc) is ValueError:
            return type(exc)(f"{self!r}: {exc}")
        return exc

    def _checked(self, fill: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fill(*args, **kwargs)
        except (TypeError, ValueError) as exc:
            raise self._named(exc) from None

    def _check_options(self) -> None:
        """Refuse bad options when the initializer is built, not at its first call: a 1-element float64 fill
        from a throwaway generator runs every check the real call runs (the shape's own checks aside)."""
        self._fill(np.empty((1, 1)), Generator(key=(0, 0)))


def _layout(layout: str) -> Layout:
    if layout in ("keras", "torch", "jax"):
        return cast(Layout, layout)
    raise ValueError(f"layout must be 'keras', 'torch' or 'jax', got {layout!r}")


class VarianceScaling(Initializer):
    r"""Values whose variance is ``scale / n``, ``n`` set by the fans and ``mode``.

    .. math:: \sigma^2 = \frac{\text{scale}}{n}, \qquad n = \text{fan\_in},\ \text{fan\_out},\
              \frac{\text{fan\_in} + \text{fan\_out}}{2} \text{ or } \sqrt{\text{fan\_in}\,\text{fan\_out}}

    ``"truncated_normal"``: a normal truncated at two standard deviations,
    whose std is divided by 0.87962566103423978 (the std of a standard normal
    truncated to [-2, 2]) so that the variance is ``scale / n``;
    ``"untruncated_normal"`` (or ``"normal"``): ``N(0, scale / n)``;
    ``"uniform"``: ``U(-l, l)``, ``l = sqrt(3 scale / n)``. Complex dtypes
    follow JAX (:func:`xinit_c.variance_scaling_`).

    Keras 3's ``keras.initializers.VarianceScaling`` and JAX's
    ``jax.nn.initializers.variance_scaling``.

    Parameters
    ----------
    scale : float, default 1.0
        Non-negative.
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}, default "fan_in"
    distribution : {"truncated_normal", "untruncated_normal", "normal", "uniform"}, default "truncated_normal"
    seed : int, Generator or None
        See the module's notes.
    layout : {"keras", "torch", "jax"}, optional
        How fans are read from the shape (:func:`xinit_c.compute_fans`):
        Keras's ``(*kernel, in, out)`` by default, "jax" when axes are given;
        "torch" for ``(out, in, *kernel)`` weights.
    in_axis, out_axis, batch_axis : int or sequence of int, optional
        JAX's explicit axes: the fans are the products over them, times the
        remaining (receptive field) axes; 0-D and 1-D shapes work with them.

    Raises
    ------
    TypeError
        ``scale`` is not a real number; a bad ``seed``.
    ValueError
        A negative ``scale``; an unknown ``mode``, ``distribution`` or
        ``layout``; axes with ``layout="keras"``.

    Examples
    --------
    >>> init = VarianceScaling(2.0, "fan_in", "uniform", seed=1)
    >>> w = init((256, 128))
    >>> bool(abs(w).max() <= np.sqrt(3 * 2.0 / 256))
    True
    >>> VarianceScaling(in_axis=0, out_axis=(1, 2), seed=0)((64, 8, 16)).shape
    (64, 8, 16)
    """

    def __init__(self, scale: SupportsFloat = 1.0, mode: _Mode = "fan_in",
                 distribution: _Distribution = "truncated_normal", seed: Seed = None, *, layout: Layout | None = None,
                 in_axis: _Axes = None, out_axis: _Axes = None, batch_axis: _Axes = ()) -> None:
        super().__init__(seed)
        self.scale = _number(scale)
        self.mode = mode
        self.distribution = distribution
        self.in_axis = _axes_option(in_axis)
        self.out_axis = _axes_option(out_axis)
        self.batch_axis = _axes_option(batch_axis)
        axes_given = in_axis is not None or out_axis is not None or self.batch_axis not in ((), [])
        # explicit axes are JAX's way of naming the fans: they imply layout="jax" unless another is given
        self.layout = _layout(layout if layout is not None else "jax" if axes_given else "keras")
        if axes_given and self.layout == "keras":
            raise ValueError(f"{type(self).__name__}: in_axis/out_axis/batch_axis conflict with layout='keras', "
                             "which fixes the axes as (*kernel, in, out); leave layout out or give 'jax'")
        # the checks variance_scaling_ makes of these options, at construction rather than at the first call
        _api._variance_scaling_options(type(self).__name__, self.scale, mode, distribution)

    def _fill(self, out: Any, generator: Generator | None) -> None:
        self._checked(_api.variance_scaling_, out, self.scale, self.mode, self.distribution, generator=generator,
                      layout=self.layout, in_axis=self.in_axis, out_axis=self.out_axis, batch_axis=self.batch_axis)

    def _options(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "layout": self.layout,
                "in_axis": self.in_axis, "out_axis": self.out_axis, "batch_axis": self.batch_axis}


def _axes_option(axes: _Axes) -> Any:
    """An axis option as JSON keeps it: an int, None, or a list of ints (a tuple would come back a list)."""
    if axes is None or isinstance(axes, (int, np.integer)) and not _is_bool(axes):
        return None if axes is None else int(axes)
    if isinstance(axes, (tuple, list)):
        return [int(a) if isinstance(a, np.integer) else a for a in axes]
    return axes


class _Preset(VarianceScaling):
    """A VarianceScaling whose options are fixed, as Keras's GlorotUniform and the rest: only the seed and the
    layout are chosen, and the config records only those."""

    _SCALE: float
    _MODE: _Mode
    _DISTRIBUTION: _Distribution

    def __init__(self, seed: Seed = None, *, layout: Layout = "keras") -> None:
        super().__init__(self._SCALE, self._MODE, self._DISTRIBUTION, seed, layout=_layout(layout))

    def _options(self) -> dict[str, Any]:
        return {"layout": self.layout}


_PresetClass = TypeVar("_PresetClass", bound=type[_Preset])


def _documented(law: str, names: str) -> Callable[[_PresetClass], _PresetClass]:
    """Give a preset its docstring: the law, its options (the class's own), and its names elsewhere."""

    def document(cls: _PresetClass) -> _PresetClass:
        cls.__doc__ = f"""{law}

    ``VarianceScaling({cls._SCALE}, "{cls._MODE}", "{cls._DISTRIBUTION}")`` with only the seed and the layout
    chosen: {names}.

    Parameters
    ----------
    seed : int, Generator or None
        See the module's notes.
    layout : {{"keras", "torch", "jax"}}, default "keras"
        How fans are read from the shape (:func:`xinit_c.compute_fans`).

    Raises
    ------
    TypeError
        A bad ``seed``.
    ValueError
        An unknown ``layout``.

    Examples
    --------
    >>> {cls.__name__}(seed=0)((3, 3, 16, 32)).shape
    (3, 3, 16, 32)
    """
        return cls

    return document


@_documented(
    "Glorot/Xavier uniform: ``U(-l, l)``, ``l = sqrt(6 / (fan_in + fan_out))``.",
    "Keras ``GlorotUniform``, JAX ``glorot_uniform``, torch ``xavier_uniform_`` (gain 1, torch layout)")
class GlorotUniform(_Preset):
    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_avg", "uniform"


@_documented(
    "Glorot/Xavier normal, truncated: variance ``2 / (fan_in + fan_out)`` after truncation at 2 std.",
    "Keras ``GlorotNormal``, JAX ``glorot_normal`` (torch's ``xavier_normal_`` is not truncated)")
class GlorotNormal(_Preset):
    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_avg", "truncated_normal"


@_documented(
    "He/Kaiming uniform: ``U(-l, l)``, ``l = sqrt(6 / fan_in)``.",
    "Keras ``HeUniform``, JAX ``he_uniform``, torch ``kaiming_uniform_(nonlinearity='relu')``")
class HeUniform(_Preset):
    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "uniform"


@_documented(
    "He/Kaiming normal, truncated: variance ``2 / fan_in`` after truncation at 2 std.",
    "Keras ``HeNormal``, JAX ``he_normal`` (torch's ``kaiming_normal_`` is not truncated)")
class HeNormal(_Preset):
    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "truncated_normal"


@_documented(
    "LeCun uniform: ``U(-l, l)``, ``l = sqrt(3 / fan_in)``.",
    "Keras ``LecunUniform``, JAX ``lecun_uniform``")
class LecunUniform(_Preset):
    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_in", "uniform"


@_documented(
    "LeCun normal, truncated: variance ``1 / fan_in`` after truncation at 2 std.",
    "Keras ``LecunNormal``, JAX ``lecun_normal``")
class LecunNormal(_Preset):
    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_in", "truncated_normal"


def _number(value: Any) -> Any:
    """An option as JSON keeps it: numpy scalars become Python numbers."""
    return value.item() if isinstance(value, np.generic) else value


class RandomUniform(Initializer):
    """``U(minval, maxval)``: Keras ``RandomUniform``, torch ``uniform_``.

    Parameters
    ----------
    minval, maxval : float, default -0.05, 0.05
    seed : int, Generator or None

    Raises
    ------
    TypeError
        A bound that is not a real number; a bad ``seed``.
    ValueError
        A bound that is not finite, or ``minval > maxval``.

    Examples
    --------
    >>> w = RandomUniform(-1.0, 1.0, seed=0)((3, 4), "float64")
    >>> bool(((-1 <= w) & (w <= 1)).all())
    True
    """

    def __init__(self, minval: SupportsFloat = -0.05, maxval: SupportsFloat = 0.05, seed: Seed = None) -> None:
        super().__init__(seed)
        self.minval = _number(minval)
        self.maxval = _number(maxval)
        self._check_options()

    def _fill(self, out: Any, generator: Generator | None) -> None:
        self._checked(_api.uniform_, out, self.minval, self.maxval, generator=generator)

    def _options(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval}


class RandomNormal(Initializer):
    """``N(mean, stddev^2)``: Keras ``RandomNormal``, JAX ``normal``, torch ``normal_``.

    For complex dtypes the real and imaginary parts each have variance
    ``stddev^2 / 2`` (JAX's convention).

    Parameters
    ----------
    mean : float, default 0.0
    stddev : float, default 0.05
    seed : int, Generator or None

    Raises
    ------
    TypeError
        ``mean`` or ``stddev`` is not a number; a bad ``seed``.
    ValueError
        ``mean`` is not finite, or ``stddev`` is negative or not finite.

    Examples
    --------
    >>> RandomNormal(stddev=1.0, seed=0)((2, 2)).shape
    (2, 2)
    """

    def __init__(self, mean: SupportsFloat = 0.0, stddev: SupportsFloat = 0.05, seed: Seed = None) -> None:
        super().__init__(seed)
        self.mean = _number(mean)
        self.stddev = _number(stddev)
        self._check_options()

    def _fill(self, out: Any, generator: Generator | None) -> None:
        self._checked(_api.normal_, out, self.mean, self.stddev, generator=generator)

    def _options(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomNormal):
    """``N(mean, stddev^2)`` truncated to ``[mean - 2 stddev, mean + 2 stddev]``.

    ``stddev`` is the std before truncation, as in Keras ``TruncatedNormal``
    and JAX ``truncated_normal``; torch's ``trunc_normal_(mean, std, a, b)``
    with ``a``, ``b`` two stds away.

    Parameters
    ----------
    mean : float, default 0.0
    stddev : float, default 0.05
    seed : int, Generator or None

    Raises
    ------
    TypeError
        ``mean`` or ``stddev`` is not a real number; a bad ``seed``.
    ValueError
        ``mean`` is not finite, or ``stddev`` is negative or not finite.

    Examples
    --------
    >>> w = TruncatedNormal(stddev=1.0, seed=0)((1000,))
    >>> bool((abs(w) <= 2).all())
    True
    """

    def _check_options(self) -> None:
        # normal_ checks mean and stddev as trunc_normal_ does; the cut at two stddevs is then computed in floats
        self._checked(_api.normal_, np.empty(1), self.mean, self.stddev, generator=Generator(key=(0, 0)))

    def _fill(self, out: Any, generator: Generator | None) -> None:
        mean, stddev = float(self.mean), float(self.stddev)
        self._checked(_api.trunc_normal_, out, mean, stddev, mean - 2.0 * stddev, mean + 2.0 * stddev,
                      generator=generator)


class Zeros(Initializer):
    """All zeros: Keras ``Zeros``, JAX ``zeros``, torch ``zeros_``; any numeric or bool dtype.

    Examples
    --------
    >>> Zeros()((2, 3), "int32").tolist()
    [[0, 0, 0], [0, 0, 0]]
    """

    _random = False

    def __init__(self) -> None:
        self.seed = None
        self._fixed = self._generator = None

    def _fill(self, out: Any, generator: Generator | None) -> None:
        self._checked(_api.zeros_, out)


class Ones(Zeros):
    """All ones: Keras ``Ones``, JAX ``ones``, torch ``ones_``; any numeric or bool dtype.

    Examples
    --------
    >>> Ones()((3,), "float16").tolist()
    [1.0, 1.0, 1.0]
    """

    def _fill(self, out: Any, generator: Generator | None) -> None:
        self._checked(_api.ones_, out)


def _value_to_json(value: Any) -> Any:
    """A constant as JSON can hold it: a number, a nested list, or for complex values {"real": ..., "imag": ...}."""
    array = np.asarray(value)
    if array.dtype.kind == "c":
        return {"real": array.real.tolist(), "imag": array.imag.tolist()}
    return array.tolist() if array.ndim else array.item()


def _value_from_json(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"real", "imag"}:
        return np.asarray(value["real"]) + 1j * np.asarray(value["imag"])
    return value


class Constant(Zeros):
    """``value`` everywhere, or an array value broadcast to the shape.

    Keras ``Constant``, JAX ``constant``, torch ``constant_``. Integer, bool
    and complex dtypes take values they represent exactly.

    Parameters
    ----------
    value : number or array_like, default 0.0
        A scalar, or an array broadcastable to the shapes it is called with.

    Raises
    ------
    TypeError
        ``value`` holds something other than numbers.

    Examples
    --------
    >>> Constant(0.5)((2,)).tolist()
    [0.5, 0.5]
    >>> Constant([1, 2, 3])((2, 3), "int64").tolist()
    [[1, 2, 3], [1, 2, 3]]
    """

    def __init__(self, value: npt.ArrayLike | Mapping[str, Any] = 0.0) -> None:
        super().__init__()
        value = _value_from_json(value)
        if isinstance(value, (list, tuple, np.ndarray)):
            value = np.array(value)  # a copy: later changes to the caller's array must not change the initializer
            if value.dtype.kind not in "biufc":
                raise TypeError(f"Constant: value must be numbers, got an array of {value.dtype}")
        self.value = _number(value)

    def _fill(self, out: Any, generator: Generator | None) -> None:
        self._checked(_api.constant_, out, self.value)

    def _options(self) -> dict[str, Any]:
        return {"value": _value_to_json(self.value)}

    def __repr__(self) -> str:
        return f"Constant(value={self.value!r})"


def _orthogonal_matrix(out: Any, layout: str) -> Any:
    """The 2-D view whose rows or columns Orthogonal makes orthonormal: Keras flattens all leading axes into
    rows (``(prod(shape[:-1]), shape[-1])``), torch (orthogonal_ itself) all trailing axes into columns."""
    shape = tuple(out.shape)
    if len(shape) < 2:
        raise ValueError(f"an orthogonal matrix needs at least 2 dimensions, got shape {shape}")
    if layout == "torch":
        return out
    rows, cols = math.prod(shape[:-1]), shape[-1]
    if isinstance(out, np.ndarray):
        matrix = out.view()
        try:
            matrix.shape = (rows, cols)   # refuses, where reshape would copy and the fill would be lost
        except AttributeError:
            raise ValueError(f"out's memory layout (strides {out.strides}) cannot be seen as a {rows} x {cols} "
                             "matrix without a copy") from None
        return matrix
    if type(out).__module__.startswith("torch"):
        try:
            return out.view(rows, cols)
        except RuntimeError:
            raise ValueError(f"out's memory layout (strides {out.stride()}) cannot be seen as a {rows} x {cols} "
                             "matrix without a copy") from None
    raise TypeError(f"out must be a numpy array or a torch tensor, got {type(out).__name__}")


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain``: Keras ``Orthogonal``, JAX ``orthogonal``, torch ``orthogonal_``.

    The shape is seen as a matrix: Keras's ``(prod(shape[:-1]), shape[-1])``
    by default, torch's ``(shape[0], prod(shape[1:]))`` with
    ``layout="torch"``; its rows or its columns, whichever are fewer, are
    orthonormal (:func:`xinit_c.orthogonal_`, whose bits depend on the LAPACK
    build).

    Parameters
    ----------
    gain : float, default 1.0
    seed : int, Generator or None
    layout : {"keras", "torch"}, default "keras"

    Raises
    ------
    TypeError
        ``gain`` is not a real number; a bad ``seed``.
    ValueError
        ``gain`` is not finite, or an unknown ``layout``.

    Examples
    --------
    >>> q = Orthogonal(seed=0)((4, 4), "float64")
    >>> bool(np.allclose(q.T @ q, np.eye(4)))
    True
    """

    def __init__(self, gain: SupportsFloat = 1.0, seed: Seed = None, *,
                 layout: Literal["keras", "torch"] = "keras") -> None:
        super().__init__(seed)
        self.gain = _number(gain)
        if layout not in ("keras", "torch"):
            raise ValueError(f"Orthogonal: layout must be 'keras' or 'torch', got {layout!r}")
        self.layout = layout
        self._check_options()

    def _fill(self, out: Any, generator: Generator | None) -> None:
        from xinit_c._structured import orthogonal_
        try:
            matrix = _orthogonal_matrix(out, self.layout)
        except (TypeError, ValueError) as exc:
            raise self._named(exc) from None
        self._checked(orthogonal_, matrix, self.gain, generator=generator)

    def _options(self) -> dict[str, Any]:
        return {"gain": self.gain, "layout": self.layout}


class Identity(Zeros):
    """``gain`` times the identity matrix (2-D shapes; rectangular allowed): Keras ``Identity``, torch ``eye_``.

    Parameters
    ----------
    gain : float, default 1.0

    Raises
    ------
    TypeError
        ``gain`` is not a real number.
    ValueError
        ``gain`` is not finite.

    Examples
    --------
    >>> Identity(2.0)((2, 3)).tolist()
    [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    """

    def __init__(self, gain: SupportsFloat = 1.0) -> None:
        super().__init__()
        self.gain = _number(gain)
        self._check_options()

    def _fill(self, out: Any, generator: Generator | None) -> None:
        from xinit_c._structured import identity_
        self._checked(identity_, out, self.gain)

    def _options(self) -> dict[str, Any]:
        return {"gain": self.gain}


class XavierInitializer(Initializer):
    r"""TensorFlow 1's ``tf.contrib.layers.xavier_initializer``: see :func:`xinit_c.xavier_initializer`.

    Parameters
    ----------
    uniform : bool, default True
    seed : int, Generator or None
    dtype : dtype, default float32
        The dtype of the arrays it returns when called without one.

    Raises
    ------
    TypeError
        ``uniform`` is not a bool, a bad ``seed`` or a non-floating ``dtype``.

    Examples
    --------
    >>> XavierInitializer(uniform=False, seed=0)([4, 4]).dtype
    dtype('float32')
    """

    def __init__(self, uniform: bool = True, seed: Seed = None, dtype: npt.DTypeLike = np.float32) -> None:
        super().__init__(seed)
        if not isinstance(uniform, (bool, np.bool_)):
            raise TypeError(f"xavier_initializer: uniform must be a bool, got {type(uniform).__name__} {uniform!r}")
        self.uniform = bool(uniform)
        self.dtype = self._default_dtype = _dtype(dtype)
        if self.dtype.kind != "f" and self.dtype.name != "bfloat16":
            raise TypeError(f"xavier_initializer: dtype must be a floating dtype, got {self.dtype}")

    def _fill(self, out: Any, generator: Generator | None) -> None:
        # TF1 variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform): n = (fan_in + fan_out) / 2 with
        # TF's (..., in, out) kernel layout, which is Keras's (tensorflow/contrib/layers/python/layers/
        # initializers.py)
        shape = tuple(out.shape)
        fan_in, fan_out = compute_fans(shape, "keras")
        if math.prod(shape) == 0:  # nothing to write, as for every fill of an empty tensor; the buffer is still checked
            self._checked(_api.uniform_, out, 0.0, 0.0, generator=generator)
            return
        n = (fan_in + fan_out) / 2.0
        if self.uniform:
            limit = math.sqrt(3.0 / n)
            self._checked(_api.uniform_, out, -limit, limit, generator=generator)
        else:
            stddev = math.sqrt(1.3 / n)
            self._checked(_api.trunc_normal_, out, 0.0, stddev, -2.0 * stddev, 2.0 * stddev, generator=generator)

    def _options(self) -> dict[str, Any]:
        return {"uniform": self.uniform, "dtype": self.dtype.name}


def xavier_initializer(uniform: bool = True, seed: Seed = None,
                       dtype: npt.DTypeLike = np.float32) -> XavierInitializer:
    r"""TensorFlow 1's ``xavier_initializer``: an initializer object to call with a shape.

    ``tf.contrib.layers.xavier_initializer(uniform, seed, dtype)`` is
    ``variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform)``,
    with ``n = (fan_in + fan_out) / 2`` read from TensorFlow's
    ``(..., in, out)`` kernel layout:

    * ``uniform=True``: ``U(-l, l)``, :math:`l = \sqrt{3/n} = \sqrt{6/(\text{fan\_in} + \text{fan\_out})}`;
    * ``uniform=False``: a normal of std :math:`\sqrt{1.3/n}` truncated at two
      stds (TensorFlow 1's factor 1.3 approximates the truncation's loss of
      variance; Keras's ``GlorotNormal`` corrects it exactly).

    Parameters
    ----------
    uniform : bool, default True
    seed : int, Generator or None
        An int gives the same values on every call; a Generator (or None, the
        default generator) advances.
    dtype : dtype, default numpy.float32
        The dtype of the arrays when the call gives none (float16,
        "bfloat16", float32 or float64).

    Returns
    -------
    XavierInitializer
        Call it as ``init(shape, dtype=None, *, out=None)``.

    Raises
    ------
    TypeError
        ``uniform`` is not a bool; a bad ``seed`` or a non-floating ``dtype``.

    Examples
    --------
    The article's example, ``tf.contrib.layers.xavier_initializer()([4, 4])``:

    >>> w = xavier_initializer(seed=0)([4, 4])
    >>> w.shape, w.dtype, bool(abs(w).max() <= np.sqrt(6 / 8))
    ((4, 4), dtype('float32'), True)
    """
    return XavierInitializer(uniform, seed, dtype)


# Keras 3's names (keras/src/initializers/__init__.py ALL_OBJECTS and its aliases), and the class names.
_CLASSES = (VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
            RandomUniform, RandomNormal, TruncatedNormal, Zeros, Ones, Constant, Orthogonal, Identity,
            XavierInitializer)
_BY_NAME: dict[str, type[Initializer]] = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal, "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "random_uniform": RandomUniform, "uniform": RandomUniform, "random_normal": RandomNormal,
    "normal": RandomNormal, "truncated_normal": TruncatedNormal, "zeros": Zeros, "zero": Zeros, "ones": Ones,
    "one": Ones, "constant": Constant, "orthogonal": Orthogonal, "OrthogonalInitializer": Orthogonal,
    "identity": Identity, "IdentityInitializer": Identity, "xavier_initializer": XavierInitializer,
})


def serialize(initializer: Initializer) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}``, as ``keras.initializers.serialize`` writes it.

    Parameters
    ----------
    initializer : Initializer

    Returns
    -------
    dict

    Raises
    ------
    TypeError
        ``initializer`` is not an xinit_c initializer.

    Examples
    --------
    >>> serialize(GlorotUniform(seed=0))["class_name"]
    'GlorotUniform'
    """
    if not isinstance(initializer, Initializer):
        raise TypeError(f"serialize: expected an xinit_c initializer, got {type(initializer).__name__}")
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config: Mapping[str, Any]) -> Initializer:
    """The initializer :func:`serialize` (or Keras) described.

    Parameters
    ----------
    config : dict
        ``{"class_name": ..., "config": ...}``.

    Returns
    -------
    Initializer

    Raises
    ------
    TypeError
        ``config`` is not such a dict.
    ValueError
        An unknown class name, or a config :meth:`Initializer.from_config`
        refuses.

    Examples
    --------
    >>> init = deserialize(serialize(HeNormal(seed=3)))
    >>> bool((init((8, 8)) == HeNormal(seed=3)((8, 8))).all())
    True
    """
    if not isinstance(config, Mapping) or "class_name" not in config:
        raise TypeError(f"deserialize: expected a dict with 'class_name' and 'config', got {config!r}")
    name = config["class_name"]
    cls = _BY_NAME.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"deserialize: unknown initializer {name!r}; known: {sorted(_BY_NAME)}")
    return cls.from_config(config.get("config", {}))


def get(identifier: str | Mapping[str, Any] | Initializer | None) -> Initializer | None:
    """An initializer from a Keras name, a serialized config or an instance.

    Parameters
    ----------
    identifier : str, dict, Initializer or None
        A name ("glorot_uniform", "GlorotUniform", "he_normal", "orthogonal",
        "zeros", ...): the class with its default options and no seed; a
        ``{"class_name": ..., "config": ...}`` dict; an initializer (returned
        as it is); None (returned as it is, as Keras does).

    Returns
    -------
    Initializer or None

    Raises
    ------
    ValueError
        An unknown name or class.
    TypeError
        Anything else.

    Examples
    --------
    >>> type(get("glorot_uniform")).__name__
    'GlorotUniform'
    >>> get({"class_name": "Constant", "config": {"value": 2.0}})((2,)).tolist()
    [2.0, 2.0]
    """
    if identifier is None or isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise ValueError(f"get: unknown initializer {identifier!r}; known: {sorted(_BY_NAME)}")
        return cls()
    raise TypeError(f"get: expected a name, a config dict or an initializer, got {type(identifier).__name__}")
