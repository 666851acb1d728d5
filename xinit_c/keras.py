"""Keras 3 initializers drawing xinit-c's stream, serializable in Keras models.

One class per scheme of :mod:`xinit_c.initializers`, each a
``keras.initializers.Initializer`` with Keras 3's name, constructor arguments
and defaults, so ``Dense(128, kernel_initializer=GlorotUniform(seed=0))``
works as with Keras's own. Calling one, ``init(shape, dtype=None)``, returns a
tensor of the current Keras backend (torch, jax, numpy; tensorflow untested) whose
values are those of the :mod:`xinit_c.initializers` object with the same
arguments, bit for bit; ``dtype`` None means ``keras.config.floatx()``. On
the torch backend the values are written in place into a CPU tensor (then
moved to Keras's device, if that is not the CPU); elsewhere into a numpy
array, which the numpy backend returns as it is and the others convert once.

keras is optional: importing this module imports it, and without it raises an
ImportError that names the extra to install (``pip install 'xinit-c[keras]'``).

>>> import keras
>>> from xinit_c.keras import GlorotUniform
>>> init = GlorotUniform(seed=0)
>>> w = keras.ops.convert_to_numpy(init((3, 3, 64, 128)))
>>> w.dtype, bool(abs(w).max() <= (6 / (9 * 64 + 9 * 128)) ** 0.5)
(dtype('float32'), True)

Seeds
-----
``seed`` is an ``int``, an :class:`xinit_c.Generator` or ``None``:

* an ``int``: every call returns the same values (Keras 3's rule, and
  :mod:`xinit_c.initializers`'s);
* ``None``: as Keras 3 does for its own unseeded initializers, an int is
  drawn at construction from Python's :mod:`random` (``randint(1, 10**9)``),
  and the initializer behaves as if built with it: every call returns the
  same values, ``keras.utils.set_random_seed`` makes a model's initial
  weights reproducible, and, unlike Keras's own, the drawn int is the
  ``seed`` of the config, so a saved and reloaded model has the same
  initializers;
* a ``Generator``: each call draws from it and advances it, so successive
  calls differ (Keras's ``SeedGenerator`` use); the config records the
  state the next call starts from.

A ``keras.random.SeedGenerator`` (or its serialized dict) is refused: its
words come from the backend's own generator, which xinit-c's stream has no
documented mapping for; an :class:`xinit_c.Generator` gives the same use.

Configs
-------
``get_config()`` holds Keras's constructor arguments and, for a random
scheme, the stream state of :meth:`xinit_c.initializers.Initializer.get_config`
(``key``, ``stream``, ``position``, ``stream_version``); ``from_config``
rebuilds an initializer whose next call returns what the original's next
call would have. Every class is registered with
``keras.saving.register_keras_serializable(package="xinit_c")`` (registered
names ``"xinit_c>GlorotUniform"`` and so on, apart from Keras's own), so a
``.keras`` file of a model using them loads without ``custom_objects``
once this module is imported. Loading a model builds it, which calls its
initializers once more before the saved weights replace what they drew: an
int seed (given or drawn) gives the same initializers as the saved ones,
while a Generator-seeded one has moved on by that draw.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, SupportsFloat, SupportsIndex, TypeVar, cast

import numpy as np
import numpy.typing as npt

try:
    import keras  # type: ignore[import-untyped, unused-ignore]   # keras ships no type information
except ImportError as exc:
    raise ImportError(f"xinit_c.keras needs Keras 3 and the backend KERAS_BACKEND names, which could not be "
                      f"imported ({exc}): pip install 'xinit-c[keras]'") from exc

from xinit_c import _api, initializers
from xinit_c._core import Generator
from xinit_c.initializers import _STATE_KEYS, _Distribution, _Mode

if int(keras.__version__.split(".")[0]) < 3:
    raise ImportError(f"xinit_c.keras needs Keras 3, found keras {keras.__version__}: pip install 'xinit-c[keras]'")

__all__ = [
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
]

#: What ``seed=`` takes here: Keras's int or None, or an xinit_c Generator.
Seed = int | Generator | None
_Axes = Sequence[SupportsIndex] | None
_FLOATS = ("float16", "bfloat16", "float32", "float64")
_Self = TypeVar("_Self", bound="_Initializer")

if TYPE_CHECKING:
    class _KerasInitializer:
        """``keras.initializers.Initializer`` as mypy sees it: keras ships no type information."""
else:
    _KerasInitializer = keras.initializers.Initializer

_Class = TypeVar("_Class", bound=type)


def _registered(cls: _Class) -> _Class:
    """Register ``cls`` with Keras as ``"xinit_c>" + its name``, apart from Keras's own initializers."""
    return cast(_Class, keras.saving.register_keras_serializable(package="xinit_c")(cls))


def _drawn_seed(owner: str, seed: Any) -> int | Generator:
    """The seed the core initializer is built with: ``None`` becomes an int drawn as Keras 3 draws one."""
    if seed is None:
        # Keras 3's make_default_seed (keras/src/random/seed_generator.py): Python's random, so that
        # keras.utils.set_random_seed, which seeds it, fixes every unseeded initializer built after it
        return random.randint(1, int(1e9))
    if isinstance(seed, (keras.random.SeedGenerator, dict)):
        raise TypeError(f"{owner}: a keras.random.SeedGenerator seed is not supported (xinit-c's stream has no "
                        "mapping from its words); give an int for the same values on every call, or an "
                        "xinit_c.Generator for new values on each call")
    if isinstance(seed, Generator):
        return seed
    # the core refuses anything else (bools, floats, negative ints) with a message naming the class
    given: int = seed
    return given


class _Initializer(_KerasInitializer):
    """A Keras initializer over one :mod:`xinit_c.initializers` object, ``self._core``, which holds the options
    and the stream state; subclasses build it and list their Keras options (``_options``)."""

    _core: initializers.Initializer
    _random: ClassVar[bool] = True

    @property
    def seed(self) -> Seed:
        """The int seed (given or drawn), the Generator, or None for a scheme that draws no words."""
        return self._core.seed if self._random else None

    def __call__(self, shape: Sequence[SupportsIndex], dtype: Any = None) -> Any:
        try:
            dims = initializers._shape(shape)
            name = keras.backend.standardize_dtype(keras.config.floatx() if dtype is None else dtype)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{self!r}: {exc}") from None
        if self._random and name not in _FLOATS:
            raise TypeError(f"{self!r}: dtype {name!r} is not a floating dtype; random schemes fill "
                            f"{', '.join(_FLOATS)}")
        backend = keras.backend.backend()
        if backend == "jax":
            import jax  # type: ignore[import-not-found, unused-ignore]   # absent where keras runs on torch
            # without jax_enable_x64, JAX would turn a 64-bit array into a 32-bit one
            if jax.dtypes.canonicalize_dtype(initializers._dtype(name)) != initializers._dtype(name):
                raise TypeError(f"{self!r}: the jax backend holds no {name} arrays unless jax_enable_x64 is set "
                                "(jax.config.update('jax_enable_x64', True))")
        if backend == "torch":
            import torch  # type: ignore[import-not-found, unused-ignore]   # absent where keras runs on jax
            out = torch.empty(dims, dtype=getattr(torch, name), device="cpu")
            self._fill(out)
            return keras.ops.convert_to_tensor(out)   # moves it to Keras's device, if that is not the CPU
        array = np.empty(dims, initializers._dtype(name))
        self._fill(array)
        return array if backend == "numpy" else keras.ops.convert_to_tensor(array, dtype=name)

    def _fill(self, out: Any) -> None:
        self._core(tuple(out.shape), out=out)

    def _options(self) -> dict[str, Any]:
        return {}

    def get_config(self) -> dict[str, Any]:
        """Keras's constructor arguments and the stream state, as a JSON-ready dict.

        Returns
        -------
        dict
            The options under Keras's names; for a random scheme also
            ``seed`` (the int seed, given or drawn, or None for a Generator)
            and the stream state the next call starts from: ``key``,
            ``stream``, ``position`` and ``stream_version``.

        Examples
        --------
        >>> config = HeNormal(seed=3).get_config()
        >>> config["seed"], config["position"], config["input_axes"]
        (3, 0, None)
        """
        config = self._options()
        if self._random:
            core = self._core.get_config()
            config.update((name, core[name]) for name in ("seed", *_STATE_KEYS))
        return config

    @classmethod
    def from_config(cls: type[_Self], config: Mapping[str, Any]) -> _Self:
        """Rebuild an initializer from :meth:`get_config`'s dict (or a Keras config).

        Parameters
        ----------
        config : dict
            As :meth:`get_config` returns it (after a JSON round trip too), or
            as Keras writes one (``{"seed": 0}``, without a stream state).

        Returns
        -------
        Initializer
            An instance of ``cls`` whose next call returns what the
            original's next call would have.

        Raises
        ------
        ValueError
            The config was written for another stream version, or holds part
            of the stream state only.
        TypeError
            An option the class does not take.

        Examples
        --------
        >>> import xinit_c
        >>> init = RandomNormal(seed=xinit_c.Generator(7))
        >>> copy = RandomNormal.from_config(init.get_config())
        >>> bool((keras.ops.convert_to_numpy(copy((3,))) == keras.ops.convert_to_numpy(init((3,)))).all())
        True
        """
        options = dict(config)
        state = {name: options.pop(name) for name in _STATE_KEYS if name in options}
        if not state:
            return cls(**options)
        seed = options.pop("seed", None)
        # a throwaway generator stands in for a None seed, whose state follows: no int is drawn for it
        build: Any = cls   # a random scheme's class, which takes a seed
        init: _Self = build(seed=Generator(key=(0, 0)) if seed is None else seed, **options)
        # the core rebuilds the state and refuses another stream version or a partial state
        init._core = type(init._core).from_config({**init._core.get_config(), **state, "seed": seed})
        return init

    def __repr__(self) -> str:
        options = self._options()
        if self._random:
            options["seed"] = self.seed
        return f"{type(self).__name__}({', '.join(f'{name}={value!r}' for name, value in options.items())})"


def _core_option(name: str) -> Any:
    """A read-only attribute that is the core initializer's option ``name``: the core holds every option."""
    return property(lambda self: getattr(self._core, name), doc=f"The option ``{name}``.")


def _keras_axes(axes: _Axes) -> list[int] | None:
    return None if axes is None else [int(axis) for axis in axes]


@_registered
class VarianceScaling(_Initializer):
    r"""Values whose variance is ``scale / n``: Keras 3's ``VarianceScaling`` over the stream.

    .. math:: \sigma^2 = \frac{\text{scale}}{n}, \qquad n = \text{fan\_in},\ \text{fan\_out} \text{ or }
              \frac{\text{fan\_in} + \text{fan\_out}}{2}

    with Keras's fans: ``(*kernel, in, out)``, the kernel's receptive field
    times the last two axes, or, when ``input_axes`` and ``output_axes`` are
    both given, the products of the dimensions on those axes only.
    ``"truncated_normal"`` (and Keras's ``"normal"``, which means it): a
    normal truncated at two stds, its std divided by 0.87962566103423978 so
    the variance is ``scale / n``; ``"untruncated_normal"``:
    ``N(0, scale / n)``; ``"uniform"``: ``U(-l, l)``, ``l = sqrt(3 scale / n)``.
    The values are :class:`xinit_c.initializers.VarianceScaling`'s.

    Parameters
    ----------
    scale : float, default 1.0
        Non-negative.
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}, default "fan_in"
        ``"fan_geo_avg"`` (``sqrt(fan_in fan_out)``) is xinit-c's, not Keras's.
    distribution : {"truncated_normal", "normal", "untruncated_normal", "uniform"}, default "truncated_normal"
        Case-insensitive, as in Keras.
    seed : int, Generator or None
        See the module's notes.
    input_axes, output_axes : sequence of int, optional
        Keras's explicit fan axes, used when both are given: each fan is the
        product of the dimensions on its axes (an axis may be in both, as in
        Keras); an axis outside the shape is refused when called.

    Raises
    ------
    TypeError
        ``scale`` is not a real number, ``distribution`` not a string; a bad
        ``seed`` or a ``keras.random.SeedGenerator``.
    ValueError
        A negative ``scale``; an unknown ``mode`` or ``distribution``.

    Examples
    --------
    >>> init = VarianceScaling(2.0, "fan_in", "uniform", seed=1)
    >>> w = keras.ops.convert_to_numpy(init((256, 128)))
    >>> bool(abs(w).max() <= (3 * 2.0 / 256) ** 0.5)
    True
    """

    def __init__(self, scale: SupportsFloat = 1.0, mode: _Mode = "fan_in",
                 distribution: str = "truncated_normal", seed: Seed = None,
                 input_axes: _Axes = None, output_axes: _Axes = None) -> None:
        if not isinstance(distribution, str):
            raise TypeError(f"{type(self).__name__}: distribution must be a string, got {distribution!r}")
        # Keras 3 lower-cases the name and reads "normal" as the truncated normal
        # (keras/src/initializers/random_initializers.py, VarianceScaling.__init__)
        distribution = distribution.lower()
        keras_distribution: _Distribution = "truncated_normal" if distribution == "normal" \
            else distribution  # type: ignore[assignment]   # the core refuses an unknown name
        self.input_axes = _keras_axes(input_axes)
        self.output_axes = _keras_axes(output_axes)
        self._core = self._make_core(scale, mode, keras_distribution, _drawn_seed(type(self).__name__, seed))

    def _make_core(self, scale: SupportsFloat, mode: _Mode, distribution: _Distribution,
                   seed: int | Generator) -> initializers.Initializer:
        return initializers.VarianceScaling(scale, mode, distribution, seed)

    scale = _core_option("scale")
    mode = _core_option("mode")
    distribution = _core_option("distribution")

    def _fill(self, out: Any) -> None:
        if self.input_axes is None or self.output_axes is None:
            super()._fill(out)
            return
        # Keras's fans over explicit axes (keras/src/initializers/random_initializers.py, compute_fans): the
        # products of the dimensions on those axes, the same axis in both allowed; the core draws from them
        rank = len(out.shape)
        try:
            for axis in self.input_axes + self.output_axes:
                if not -rank <= axis < rank:
                    raise ValueError(f"axis {axis} is out of range for a {rank}-D shape {tuple(out.shape)}")
            if math.prod(out.shape) == 0:
                return   # no values, and Keras's fans of an empty kernel can be 0
            _api.variance_scaling_(out, self.scale, self.mode, self.distribution,
                                   generator=self._core._next_generator(),
                                   fan_in=math.prod(out.shape[axis] for axis in self.input_axes),
                                   fan_out=math.prod(out.shape[axis] for axis in self.output_axes))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{self!r}: {exc}") from None

    def _options(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "input_axes": self.input_axes, "output_axes": self.output_axes}


class _Preset(VarianceScaling):
    """A VarianceScaling with Keras's fixed options: only the seed and the axes are chosen."""

    _CORE: ClassVar[type[initializers._Preset]]

    def __init__(self, seed: Seed = None, input_axes: _Axes = None, output_axes: _Axes = None) -> None:
        super().__init__(self._CORE._SCALE, self._CORE._MODE, self._CORE._DISTRIBUTION, seed, input_axes, output_axes)

    def _make_core(self, scale: SupportsFloat, mode: _Mode, distribution: _Distribution,
                   seed: int | Generator) -> initializers.Initializer:
        return self._CORE(seed)

    def _options(self) -> dict[str, Any]:
        return {"input_axes": self.input_axes, "output_axes": self.output_axes}


_PresetClass = TypeVar("_PresetClass", bound=type[_Preset])


def _documented(law: str) -> Callable[[_PresetClass], _PresetClass]:
    """Give a preset its docstring: the law, Keras's fixed options (its core's) and its arguments."""

    def document(cls: _PresetClass) -> _PresetClass:
        core = cls._CORE
        cls.__doc__ = f"""{law}

    Keras 3's ``{cls.__name__}``: ``VarianceScaling({core._SCALE}, "{core._MODE}", "{core._DISTRIBUTION}")``
    (Keras's fans) with only the seed (and Keras's explicit axes) chosen; the
    values are :class:`xinit_c.initializers.{core.__name__}`'s.

    Parameters
    ----------
    seed : int, Generator or None
        See the module's notes.
    input_axes, output_axes : sequence of int, optional
        Keras's explicit fan axes; used when both are given.

    Raises
    ------
    TypeError
        A bad ``seed`` or a ``keras.random.SeedGenerator``.

    Examples
    --------
    >>> keras.ops.convert_to_numpy({cls.__name__}(seed=0)((3, 3, 16, 32))).shape
    (3, 3, 16, 32)
    """
        return cls

    return document


@_registered
@_documented("Glorot/Xavier uniform: ``U(-l, l)``, ``l = sqrt(6 / (fan_in + fan_out))``.")
class GlorotUniform(_Preset):
    _CORE = initializers.GlorotUniform


@_registered
@_documented("Glorot/Xavier normal, truncated: variance ``2 / (fan_in + fan_out)`` after truncation at 2 std.")
class GlorotNormal(_Preset):
    _CORE = initializers.GlorotNormal


@_registered
@_documented("He/Kaiming uniform: ``U(-l, l)``, ``l = sqrt(6 / fan_in)``.")
class HeUniform(_Preset):
    _CORE = initializers.HeUniform


@_registered
@_documented("He/Kaiming normal, truncated: variance ``2 / fan_in`` after truncation at 2 std.")
class HeNormal(_Preset):
    _CORE = initializers.HeNormal


@_registered
@_documented("LeCun uniform: ``U(-l, l)``, ``l = sqrt(3 / fan_in)``.")
class LecunUniform(_Preset):
    _CORE = initializers.LecunUniform


@_registered
@_documented("LeCun normal, truncated: variance ``1 / fan_in`` after truncation at 2 std.")
class LecunNormal(_Preset):
    _CORE = initializers.LecunNormal


@_registered
class RandomUniform(_Initializer):
    """``U(minval, maxval)``: Keras 3's ``RandomUniform``; the values are :class:`xinit_c.initializers.RandomUniform`'s.

    Parameters
    ----------
    minval, maxval : float, default -0.05, 0.05
    seed : int, Generator or None
        See the module's notes.

    Raises
    ------
    TypeError
        A bound that is not a real number; a bad ``seed``.
    ValueError
        A bound that is not finite, or ``minval > maxval``.

    Examples
    --------
    >>> w = keras.ops.convert_to_numpy(RandomUniform(-1.0, 1.0, seed=0)((3, 4), "float16"))
    >>> w.dtype, bool(((-1 <= w) & (w <= 1)).all())
    (dtype('float16'), True)
    """

    def __init__(self, minval: SupportsFloat = -0.05, maxval: SupportsFloat = 0.05, seed: Seed = None) -> None:
        self._core = initializers.RandomUniform(minval, maxval, _drawn_seed(type(self).__name__, seed))

    minval = _core_option("minval")
    maxval = _core_option("maxval")

    def _options(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval}


@_registered
class RandomNormal(_Initializer):
    """``N(mean, stddev^2)``: Keras 3's ``RandomNormal``; the values are :class:`xinit_c.initializers.RandomNormal`'s.

    Parameters
    ----------
    mean : float, default 0.0
    stddev : float, default 0.05
    seed : int, Generator or None
        See the module's notes.

    Raises
    ------
    TypeError
        ``mean`` or ``stddev`` is not a real number; a bad ``seed``.
    ValueError
        ``mean`` is not finite, or ``stddev`` is negative or not finite.

    Examples
    --------
    >>> keras.ops.convert_to_numpy(RandomNormal(stddev=1.0, seed=0)((2, 2))).shape
    (2, 2)
    """

    _CORE: ClassVar[type[initializers.RandomNormal]] = initializers.RandomNormal

    def __init__(self, mean: SupportsFloat = 0.0, stddev: SupportsFloat = 0.05, seed: Seed = None) -> None:
        self._core = self._CORE(mean, stddev, _drawn_seed(type(self).__name__, seed))

    mean = _core_option("mean")
    stddev = _core_option("stddev")

    def _options(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev}


@_registered
class TruncatedNormal(RandomNormal):
    """``N(mean, stddev^2)`` truncated to ``[mean - 2 stddev, mean + 2 stddev]``: Keras 3's ``TruncatedNormal``.

    ``stddev`` is the std before truncation, as in Keras; the values are
    :class:`xinit_c.initializers.TruncatedNormal`'s.

    Parameters
    ----------
    mean : float, default 0.0
    stddev : float, default 0.05
    seed : int, Generator or None
        See the module's notes.

    Raises
    ------
    TypeError
        ``mean`` or ``stddev`` is not a real number; a bad ``seed``.
    ValueError
        ``mean`` is not finite, or ``stddev`` is negative or not finite.

    Examples
    --------
    >>> w = keras.ops.convert_to_numpy(TruncatedNormal(stddev=1.0, seed=0)((1000,)))
    >>> bool((abs(w) <= 2).all())
    True
    """

    _CORE = initializers.TruncatedNormal


@_registered
class Orthogonal(_Initializer):
    """A (semi-)orthogonal matrix times ``gain``: Keras 3's ``Orthogonal``.

    The shape is seen as Keras sees it, a ``(prod(shape[:-1]), shape[-1])``
    matrix whose rows or columns, whichever are fewer, are orthonormal; the
    values are :class:`xinit_c.initializers.Orthogonal`'s (whose bits depend
    on the LAPACK build).

    Parameters
    ----------
    gain : float, default 1.0
    seed : int, Generator or None
        See the module's notes.

    Raises
    ------
    TypeError
        ``gain`` is not a real number; a bad ``seed``.
    ValueError
        ``gain`` is not finite.

    Examples
    --------
    >>> q = keras.ops.convert_to_numpy(Orthogonal(seed=0)((4, 4)))
    >>> bool(np.allclose(q.T @ q, np.eye(4), atol=1e-6))
    True
    """

    def __init__(self, gain: SupportsFloat = 1.0, seed: Seed = None) -> None:
        self._core = initializers.Orthogonal(gain, _drawn_seed(type(self).__name__, seed))

    gain = _core_option("gain")

    def _options(self) -> dict[str, Any]:
        return {"gain": self.gain}


@_registered
class Zeros(_Initializer):
    """All zeros: Keras 3's ``Zeros``; any float, int or bool dtype.

    Examples
    --------
    >>> keras.ops.convert_to_numpy(Zeros()((2, 3), "int32")).tolist()
    [[0, 0, 0], [0, 0, 0]]
    """

    _random = False

    def __init__(self) -> None:
        self._core = initializers.Zeros()


@_registered
class Ones(_Initializer):
    """All ones: Keras 3's ``Ones``; any float, int or bool dtype.

    Examples
    --------
    >>> keras.ops.convert_to_numpy(Ones()((3,), "float16")).tolist()
    [1.0, 1.0, 1.0]
    """

    _random = False

    def __init__(self) -> None:
        self._core = initializers.Ones()


@_registered
class Constant(_Initializer):
    """``value`` everywhere, or an array value broadcast to the shape: Keras 3's ``Constant``.

    Parameters
    ----------
    value : number or array_like, default 0.0

    Raises
    ------
    TypeError
        ``value`` holds something other than numbers.

    Examples
    --------
    >>> keras.ops.convert_to_numpy(Constant([1, 2, 3])((2, 3), "int32")).tolist()
    [[1, 2, 3], [1, 2, 3]]
    """

    _random = False

    def __init__(self, value: npt.ArrayLike = 0.0) -> None:
        self._core = initializers.Constant(value)

    value = _core_option("value")

    def _options(self) -> dict[str, Any]:
        return self._core.get_config()


@_registered
class Identity(_Initializer):
    """``gain`` times the identity matrix (2-D shapes; rectangular allowed): Keras 3's ``Identity``.

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
    >>> keras.ops.convert_to_numpy(Identity(2.0)((2, 3))).tolist()
    [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    """

    _random = False

    def __init__(self, gain: SupportsFloat = 1.0) -> None:
        self._core = initializers.Identity(gain)

    gain = _core_option("gain")

    def _options(self) -> dict[str, Any]:
        return self._core.get_config()


@_registered
class XavierInitializer(_Initializer):
    """TensorFlow 1's ``tf.contrib.layers.xavier_initializer`` as a Keras 3 initializer.

    ``variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform)`` with
    ``n = (fan_in + fan_out) / 2`` from Keras's ``(*kernel, in, out)`` layout:
    ``uniform=True`` is ``U(-l, l)``, ``l = sqrt(3 / n)`` (Glorot's bound);
    ``uniform=False`` a normal of std ``sqrt(1.3 / n)`` cut at two stds
    (TensorFlow 1's approximation). The values are
    :class:`xinit_c.initializers.XavierInitializer`'s, so a TF1 model ported to
    Keras 3 keeps the article's initializer by name.

    Parameters
    ----------
    uniform : bool, default True
    seed : int, Generator or None
        See the module's notes.
    dtype : str, optional
        The dtype of a call that names none (TF1's ``dtype``); None:
        ``keras.config.floatx()``.

    Raises
    ------
    TypeError
        ``uniform`` is not a bool, ``dtype`` not a floating dtype; a bad
        ``seed`` or a ``keras.random.SeedGenerator``.

    Examples
    --------
    >>> w = keras.ops.convert_to_numpy(XavierInitializer(seed=0)((4, 4)))
    >>> bool(abs(w).max() <= (6 / 8) ** 0.5)
    True
    """

    def __init__(self, uniform: bool = True, seed: Seed = None, dtype: str | None = None) -> None:
        name = None if dtype is None else keras.backend.standardize_dtype(dtype)
        if name is not None and name not in _FLOATS:
            raise TypeError(f"XavierInitializer: dtype must be one of {', '.join(_FLOATS)}, got {dtype!r}")
        self.dtype = name
        self._core = initializers.XavierInitializer(uniform, _drawn_seed(type(self).__name__, seed),
                                                    "float32" if name is None else name)

    uniform = _core_option("uniform")

    def __call__(self, shape: Sequence[SupportsIndex], dtype: Any = None) -> Any:
        return super().__call__(shape, self.dtype if dtype is None else dtype)

    def _options(self) -> dict[str, Any]:
        return {"uniform": self.uniform, "dtype": self.dtype}
