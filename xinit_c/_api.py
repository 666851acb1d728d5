"""The public fills: in-place initialisers in the style of ``torch.nn.init``.

Every fill writes the buffer it is given (a numpy array, a CPU torch tensor, or
any writable object numpy can view without a copy) and returns that same
object. Element ``k`` of the logical tensor (its flat C-order index) takes the
stream words at ``generator.position + w*k`` (``w`` words per element), so the
values do not depend on memory layout, chunking or sharding; see
``docs/stream.md``. Bad input raises before anything is written, with the
generator untouched.

Common keywords
---------------
generator : Generator, optional
    Where the words come from; ``None`` uses the module's default generator
    (reseed it with :func:`manual_seed`).
global_shape : tuple of int, optional
    The shape of the full tensor of which ``out`` is a block. Fans come from
    it, and the values equal that block of a single fill of the full tensor.
offset : tuple of int or int, optional
    Where the block starts in each axis of ``global_shape``; for a 1-D ``out``
    one integer, the start of its flat range in the full tensor's C order.
threads : int, optional
    Threads for a large fill (default :func:`get_num_threads`); the values
    do not depend on it.
layout, fan_in, fan_out : (fan-based fills)
    How fans are read from the shape (see :func:`compute_fans`), or the fans
    themselves.
"""

import math
import operator
import os
import warnings

import numpy as np

from xinit_c import _complex, _core
from xinit_c._buffers import writable_view
from xinit_c._core import (
    SCHEME_KAIMING_NORMAL,
    SCHEME_KAIMING_UNIFORM,
    SCHEME_LECUN_NORMAL,
    SCHEME_LECUN_UNIFORM,
    SCHEME_VARIANCE_SCALING,
    SCHEME_XAVIER_NORMAL,
    SCHEME_XAVIER_UNIFORM,
    TRUNCATED_NORMAL_STD_CORRECTION,
    Generator,
    in_default_fp_environment,
    small_fan_fill,
    small_fill,
)
from xinit_c._fans import MODES, _is_bool, calculate_gain, compute_fans, fan_for_mode

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "lecun_uniform_",
    "lecun_normal_",
    "variance_scaling_",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "zeros_",
    "ones_",
    "constant_",
    "random_bits_",
    "describe",
]

DISTRIBUTIONS = ("truncated_normal", "normal", "untruncated_normal", "uniform")
KAIMING_MODES = ("fan_in", "fan_out")

#: Environment variable naming the SIMD variant to use from import on.
SIMD_ENVIRONMENT_VARIABLE = "XINIT_C_SIMD"


def _simd_from_environment():
    name = os.environ.get(SIMD_ENVIRONMENT_VARIABLE)
    if not name:
        return
    try:
        _core.set_simd(name)
    except ValueError as exc:  # an import must not fail over a speed setting
        warnings.warn(f"{SIMD_ENVIRONMENT_VARIABLE}: {exc}; using {_core.get_simd()!r}",
                      RuntimeWarning, stacklevel=3)


_simd_from_environment()

_default = Generator()


def default_generator():
    """The generator a fill uses when it is given ``generator=None``.

    One per process, seeded from OS entropy at import; :func:`manual_seed`
    reseeds it.

    Returns
    -------
    Generator
        The module's default generator (always the same object).

    Examples
    --------
    >>> default_generator() is default_generator()
    True
    >>> w = xavier_uniform_(np.empty((512, 256), np.float32))   # draws from it
    >>> default_generator() is manual_seed(0)
    True
    """
    return _default


def manual_seed(seed):
    """Reseed the default generator (stream 0, position 0) and return it.

    Parameters
    ----------
    seed : None, int, sequence of int or numpy.random.SeedSequence
        As for :class:`Generator`; ``None`` draws fresh entropy from the OS.

    Returns
    -------
    Generator
        The default generator, reseeded.

    Raises
    ------
    TypeError, ValueError
        ``seed`` is not something ``numpy.random.SeedSequence`` takes (a float or
        a negative integer, for example).

    Examples
    --------
    >>> g = manual_seed(0)
    >>> g is default_generator(), g.position
    (True, 0)
    >>> a = normal_(np.empty((4, 4)))
    >>> b = normal_(np.empty((4, 4)), generator=Generator(0))
    >>> bool((a == b).all())   # seed 0 is Generator(0)
    True
    """
    return _default.reseed(seed)


def _named(func, exc):
    """``exc`` with its message led by the public function that refused the input.

    The compiled layer and the helpers cannot know which public function
    called them. Only plain TypeError and ValueError are rebuilt: a subclass
    may not take a message alone, and passes as it is."""
    if type(exc) is TypeError or type(exc) is ValueError:
        return type(exc)(f"{func}: {exc}")
    return exc


def _buffer(func, out, global_shape, offset):
    """The ndarray to write, and the block of the logical tensor it holds.

    numpy arrays pass through; the rest is xinit_c._buffers' to turn into a view."""
    if type(out) is np.ndarray:
        return out, global_shape, offset
    try:
        return writable_view(out, global_shape, offset)
    except (TypeError, ValueError) as exc:
        raise _named(func, exc) from exc.__cause__


def _generator(func, generator):
    if generator is None:
        return _default
    if type(generator) is not Generator:
        raise TypeError(f"{func}: generator must be an xinit_c.Generator or None (the default generator), "
                        f"got {type(generator).__name__}")
    return generator


def _logical_shape(func, arr, global_shape):
    if global_shape is None:
        return arr.shape
    try:
        return _core._check_shape(global_shape)
    except (TypeError, ValueError) as exc:
        raise _named(func, exc) from None


def _is_empty(shape):
    for n in shape:
        if n == 0:
            return True
    return False


def _real(func, name, value):
    if type(value) is float:
        return value
    # float() parses text, numpy's str_ and bytes_ and string arrays included, and drops the imaginary part
    # of a numpy complex: a number given as text or as a complex is the caller's mistake, as in numpy and torch
    # and numpy 2.0 still converts a 1-element array of any rank to float (deprecated since 1.25)
    if type(value) is not int and (isinstance(value, (str, bytes, bytearray)) or (
            isinstance(value, (np.ndarray, np.generic)) and (value.dtype.kind not in "biuf" or value.ndim))):
        raise TypeError(f"{func}: {name} must be a real number, got {type(value).__name__} {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: {name} must be a real number, got {type(value).__name__} {value!r}") from None
    except OverflowError:
        raise ValueError(f"{func}: {name} = {value!r} is too large for a float") from None


def _nonnegative(func, name, value):
    value = _real(func, name, value)
    if not (0.0 <= value < math.inf):
        raise ValueError(f"{func}: {name} must be finite and >= 0, got {value}")
    return value


def _finite(func, name, value):
    value = _real(func, name, value)
    if not math.isfinite(value):
        raise ValueError(f"{func}: {name} must be finite, got {value}")
    return value


def _check_fan(func, name, fan):
    # bool is refused, as compute_fans refuses it in a shape
    if _is_bool(fan) or not hasattr(fan, "__index__"):
        raise TypeError(f"{func}: {name} must be a non-negative integer, got {type(fan).__name__} {fan!r}")
    fan = operator.index(fan)
    if fan < 0:
        raise ValueError(f"{func}: {name} must be a non-negative integer, got {fan}")
    return fan


#: in_axis, out_axis, batch_axis as a fill takes them when not given (compute_fans's defaults).
_NO_AXES = (None, None, ())


def _axes_given(in_axis, out_axis, batch_axis):
    return in_axis is not None or out_axis is not None or not (
        isinstance(batch_axis, (tuple, list)) and len(batch_axis) == 0)


def _fans(func, shape, layout, fan_in, fan_out, axes=_NO_AXES):
    """The fans: those given, the rest computed from the shape (with JAX's axes where given)."""
    if fan_in is not None:
        fan_in = _check_fan(func, "fan_in", fan_in)
    if fan_out is not None:
        fan_out = _check_fan(func, "fan_out", fan_out)
    if fan_in is None or fan_out is None:
        try:
            computed_in, computed_out = compute_fans(shape, layout, in_axis=axes[0], out_axis=axes[1],
                                                     batch_axis=axes[2])
        except (TypeError, ValueError) as exc:
            raise _named(func, exc) from None
        fan_in = computed_in if fan_in is None else fan_in
        fan_out = computed_out if fan_out is None else fan_out
    return fan_in, fan_out


# Each random fill first offers the common call (no global_shape, offset,
# threads or explicit fans) to the compiled layer: _core.small_fill and
# small_fan_fill do a small plain array there and then, or return None. All
# else, every refusal included, takes the general path below, which checks,
# names the function in its errors and handles any buffer, layout and size.

_COMPLEX_FILLS = ("normal_ (a complex normal) and variance_scaling_ (JAX's complex normal, uniform disc "
                  "and truncated normal) only")


def _refuse_complex(func, arr):
    if _complex.is_complex(arr):
        raise TypeError(f"{func}: cannot fill an array of dtype {arr.dtype}: complex buffers are filled by "
                        f"{_COMPLEX_FILLS}")


def _fill(func, arr, out, dist, a0, a1, a2, a3, generator, global_shape, offset, threads, constant_bits=0):
    try:
        _core.fill(arr, dist, a0, a1, a2, a3, generator, global_shape, offset, constant_bits, threads)
    except (TypeError, ValueError) as exc:
        # the core refuses every complex buffer; the message names the fills that take one, and costs a
        # successful fill nothing
        _refuse_complex(func, arr)
        raise _named(func, exc) from exc.__cause__
    return out


def _empty_fill(func, arr, out, global_shape, offset, threads):
    """Validate an empty logical tensor's buffer and layout; writes nothing."""
    return _fill(func, arr, out, _core.DIST_UNIFORM, 0.0, 0.0, 0.0, 0.0, None, global_shape, offset, threads)


# --------------------------------------------------------------------------
# Fan-based initialisers: each maps (fan_in, fan_out, options) to the
# distribution it draws from, shared by the fills and by describe(). Gains,
# bounds and standard deviations are computed in the default floating-point
# environment (in_default_fp_environment), as the C core computes its own
# constants: the caller's rounding mode must not reach the stream.
# --------------------------------------------------------------------------

# The options each initialiser takes, checked the same way by its fill and
# by describe(), for any tensor (an empty one too); each returns what its
# _spec_* function takes after the fans.

def _xavier_options(func, gain=1.0):
    return (_nonnegative(func, "gain", gain),)


def _kaiming_options(func, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    if _is_bool(a):  # calculate_gain refuses a bool slope, as torch's does
        raise TypeError(f"{func}: a (the negative slope) must be a real number, got bool {a!r}")
    a = _finite(func, "a", a)
    if mode not in KAIMING_MODES:
        raise ValueError(f"{func}: mode {mode!r} not supported, use one of {KAIMING_MODES}")
    try:
        gain = in_default_fp_environment(calculate_gain, nonlinearity, a)
    except ValueError as exc:
        raise _named(func, exc) from None
    except OverflowError:
        raise ValueError(f"{func}: a={a!r} is too large: a**2 overflows in the gain sqrt(2 / (1 + a**2))") \
            from None
    return (gain, mode)


def _variance_scaling_options(func, scale=1.0, mode="fan_in", distribution="truncated_normal"):
    scale = _nonnegative(func, "scale", scale)
    if mode not in MODES:
        raise ValueError(f"{func}: mode {mode!r} not supported, use one of {MODES}")
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"{func}: distribution {distribution!r} not supported, use one of {DISTRIBUTIONS}")
    return (scale, mode, distribution)


def _no_options(func):
    return ()


_MODE_FANS = {"fan_in": "fan_in", "fan_out": "fan_out", "fan_avg": "(fan_in + fan_out) / 2",
              "fan_geo_avg": "sqrt(fan_in * fan_out)"}


def _mode_fan(fan_in, fan_out, mode):
    """The fan of ``mode``, never 0: every initialiser divides by it."""
    fan = fan_for_mode(fan_in, fan_out, mode)
    if fan == 0:
        raise ValueError(f"{_MODE_FANS[mode]} is 0 (fan_in={fan_in}, fan_out={fan_out}): mode={mode!r} "
                         "divides by it")
    return fan


def _fan_sum(fan_in, fan_out):
    if fan_in + fan_out == 0:
        raise ValueError("fan_in and fan_out are both 0: the Xavier/Glorot scale divides by fan_in + fan_out")
    return fan_in + fan_out


def _spec_xavier_uniform(fan_in, fan_out, gain):
    bound = gain * math.sqrt(6.0 / _fan_sum(fan_in, fan_out))
    return ("uniform", -bound, bound, 0.0, 0.0)


def _spec_xavier_normal(fan_in, fan_out, gain):
    return ("normal", 0.0, gain * math.sqrt(2.0 / _fan_sum(fan_in, fan_out)), 0.0, 0.0)


def _spec_kaiming_uniform(fan_in, fan_out, gain, mode):
    bound = math.sqrt(3.0) * (gain / math.sqrt(_mode_fan(fan_in, fan_out, mode)))
    return ("uniform", -bound, bound, 0.0, 0.0)


def _spec_kaiming_normal(fan_in, fan_out, gain, mode):
    return ("normal", 0.0, gain / math.sqrt(_mode_fan(fan_in, fan_out, mode)), 0.0, 0.0)


def _spec_variance_scaling(fan_in, fan_out, scale, mode, distribution):
    variance = scale / _mode_fan(fan_in, fan_out, mode)
    if distribution == "truncated_normal":
        std = math.sqrt(variance) / TRUNCATED_NORMAL_STD_CORRECTION
        # scale = 0 truncates to [-0, 0], which the C core takes when std = 0: zeros, as normal and uniform
        # give (and JAX), from the same words as any other scale (positions never depend on parameters)
        return ("trunc_normal", 0.0, std, -2.0 * std, 2.0 * std)
    if distribution == "uniform":
        limit = math.sqrt(3.0 * variance)
        return ("uniform", -limit, limit, 0.0, 0.0)
    return ("normal", 0.0, math.sqrt(variance), 0.0, 0.0)


def _spec_lecun_uniform(fan_in, fan_out):
    return _spec_variance_scaling(fan_in, fan_out, 1.0, "fan_in", "uniform")


def _spec_lecun_normal(fan_in, fan_out):
    return _spec_variance_scaling(fan_in, fan_out, 1.0, "fan_in", "truncated_normal")


_DIST_CODES = {"uniform": _core.DIST_UNIFORM, "normal": _core.DIST_NORMAL,
               "trunc_normal": _core.DIST_TRUNC_NORMAL}


def _fan_fill(func, spec, out, options, magnitude, generator, global_shape, offset, threads, layout, fan_in,
              fan_out, axes=_NO_AXES):
    """``magnitude``: the name of options[0] when it scales the distribution without bound (gain, scale);
    None where no option can make the parameters overflow (kaiming's gain is at most sqrt(2))."""
    arr, global_shape, offset = _buffer(func, out, global_shape, offset)
    generator = _generator(func, generator)
    if _complex.is_complex(arr):
        if spec is not _spec_variance_scaling:
            _refuse_complex(func, arr)
        return _complex_variance_scaling(func, arr, out, options, generator, global_shape, offset, threads,
                                         layout, fan_in, fan_out, axes)
    shape = _logical_shape(func, arr, global_shape)
    if _is_empty(shape):
        return _empty_fill(func, arr, out, global_shape, offset, threads)
    fan_in, fan_out = _fans(func, shape, layout, fan_in, fan_out, axes)
    try:
        dist, a0, a1, a2, a3 = in_default_fp_environment(spec, fan_in, fan_out, *options)
    except ValueError as exc:
        raise _named(func, exc) from None
    code = _DIST_CODES[dist]
    try:
        return _fill(func, arr, out, code, a0, a1, a2, a3, generator, global_shape, offset, threads)
    except ValueError:
        if magnitude is None or _core._param_problem(code, arr.dtype, a0, a1, a2, a3) is None:
            raise
        # the user chose the gain or scale, not the bound or std the C core refused: name it first
        dtype = _core._dtype_name(arr.dtype)
        derived = "the bound b" if dist == "uniform" else "std"
        raise ValueError(f"{func}: {magnitude}={options[0]!r} is too large for {dtype}: it gives {derived} = "
                         f"{a1!r} (fan_in={fan_in}, fan_out={fan_out}), which overflows {dtype}, whose largest "
                         f"finite value is {_core._dtype_max(arr.dtype):.8g}") from None


# --------------------------------------------------------------------------
# Complex buffers (docs/stream.md section 11): a real fill of the buffer's
# real view (parts interleaved, real first), then, for the disc and the
# complex truncated normal, xinit_c._complex's in-place pass in exact f64
# operations. The real fill brings threads, SIMD, blocks and positions.
# --------------------------------------------------------------------------

def _complex_part(func, arr):
    """The real component's dtype of a complex64 or complex128 buffer."""
    part = _complex.PARTS.get(arr.dtype.itemsize)
    if part is None:
        raise TypeError(f"{func}: cannot fill an array of dtype {arr.dtype}: complex buffers are complex64 "
                        "or complex128")
    return part


def _complex_mean(func, mean):
    """A real or complex mean as its (real, imaginary) parts, each finite."""
    if isinstance(mean, (complex, np.complexfloating)):
        return _finite(func, "mean.real", float(mean.real)), _finite(func, "mean.imag", float(mean.imag))
    return _finite(func, "mean", mean), 0.0


def _check_part_limit(func, part, name, value, cause):
    limit = _core._dtype_max(part)
    if not -limit <= value <= limit:
        raise ValueError(f"{func}: {cause}{name} = {value!r} overflows the {np.dtype(part).name} parts, whose "
                         f"largest finite value is {limit:.8g}")


def _shift_parts(parts, value, part):
    """parts += T(value), one rounded add in the parts' format T."""
    np.add(parts, part(value), out=parts)


def _complex_normal(func, arr, out, mean_re, mean_im, std, cause, generator, global_shape, offset, threads):
    """Section 11.1: each part N(mean part, (std^2)/2), from the normal fill of the real view."""
    part = _complex_part(func, arr)
    part_std = in_default_fp_environment(float.__mul__, std, _complex.SQRT_HALF)
    _check_part_limit(func, part, "std * sqrt(1/2)", part_std, cause)
    _check_part_limit(func, part, "mean.real", mean_re, "")
    _check_part_limit(func, part, "mean.imag", mean_im, "")
    view = _complex.real_view(arr)
    view_shape, view_offset = _complex.real_block(arr.shape, global_shape, offset)
    _fill(func, view, out, _core.DIST_NORMAL, 0.0, part_std, 0.0, 0.0, generator, view_shape, view_offset, threads)
    for index, mean_part in ((0, mean_re), (1, mean_im)):
        if mean_part != 0.0:
            in_default_fp_environment(_shift_parts, view[..., index], mean_part, part)
    return out


def _complex_variance_scaling(func, arr, out, options, generator, global_shape, offset, threads, layout, fan_in,
                              fan_out, axes):
    """variance_scaling_ on a complex buffer, with JAX's semantics (docs/stream.md section 11)."""
    part = _complex_part(func, arr)
    scale, mode, distribution = options
    shape = _logical_shape(func, arr, global_shape)
    view = _complex.real_view(arr)
    view_shape, view_offset = _complex.real_block(arr.shape, global_shape, offset)
    if _is_empty(shape):
        return _empty_fill(func, view, out, view_shape, view_offset, threads)
    fan_in, fan_out = _fans(func, shape, layout, fan_in, fan_out, axes)
    try:
        variance = in_default_fp_environment(_variance, fan_in, fan_out, scale, mode)
    except ValueError as exc:
        raise _named(func, exc) from None
    cause = f"scale={scale!r} (fan_in={fan_in}, fan_out={fan_out}) gives "
    if distribution not in _complex.TRANSFORMS:   # "normal", "untruncated_normal"
        return _complex_normal(func, arr, out, 0.0, 0.0, in_default_fp_environment(math.sqrt, variance), cause,
                               generator, global_shape, offset, threads)
    radius, bound = in_default_fp_environment(_complex_radius, variance, distribution)
    _check_part_limit(func, part, "the largest modulus", bound, cause)
    # the parts become section 3's uniforms v1, v2: U(-1, 1) gives mid 0, half 1, so v exactly
    _fill(func, view, out, _core.DIST_UNIFORM, -1.0, 1.0, 0.0, 0.0, generator, view_shape, view_offset, threads)
    in_default_fp_environment(_complex.transform_in_place, arr, _complex.TRANSFORMS[distribution], radius)
    return out


def _variance(fan_in, fan_out, scale, mode):
    return scale / _mode_fan(fan_in, fan_out, mode)


def _complex_radius(variance, distribution):
    """K of section 11.2 and the largest modulus it allows: the disc's radius, or twice the truncated scale."""
    if distribution == "uniform":
        radius = math.sqrt(2.0 * variance)
        return radius, radius
    radius = math.sqrt(variance) / _complex.TRUNCATED_COMPLEX_STD
    return radius, 2.0 * radius


def _option_names(check_options):
    """The options an initialiser takes: the parameters of its check after ``func``."""
    code = check_options.__code__
    return code.co_varnames[1:code.co_argcount]


def describe(init, shape, *, layout="torch", fan_in=None, fan_out=None, in_axis=None, out_axis=None, batch_axis=(),
             **options):
    """The distribution a fan-based initialiser draws from for a tensor shape.

    Parameters
    ----------
    init : str
        A fan-based initialiser's name without the trailing underscore:
        "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
        "lecun_uniform", "lecun_normal" or "variance_scaling".
    shape : sequence of int
        The weight's (full) shape.
    layout : {"torch", "keras", "jax"}, default "torch"
        How the fans are read from ``shape`` (:func:`compute_fans`).
    fan_in, fan_out : int, optional
        The fans themselves, instead of reading them from ``shape``.
    in_axis, out_axis, batch_axis : int or sequence of int, optional
        "variance_scaling" only: JAX's axes (:func:`compute_fans`).
    **options
        The initialiser's own options (``gain``; ``a``, ``mode``,
        ``nonlinearity``; ``scale``, ``mode``, ``distribution``), by keyword.

    Returns
    -------
    dict
        ``fan_in``, ``fan_out``, ``distribution`` (one of "uniform", "normal",
        "trunc_normal") and its parameters: ``low``/``high``, or ``mean``/``std``
        and, truncated, ``a``/``b``.

    Raises
    ------
    TypeError
        An option the initialiser does not take (axes for another initialiser
        than "variance_scaling" included), or a number given as a string.
    ValueError
        Unknown ``init``; an option with a bad value (unknown mode, distribution
        or nonlinearity); bad fans, layout or shape, as for the fill itself.

    Examples
    --------
    >>> d = describe("xavier_uniform", (512, 256))   # torch Linear(256, 512).weight
    >>> d["fan_in"], d["fan_out"], d["distribution"]
    (256, 512, 'uniform')
    >>> d["high"] == math.sqrt(6 / 768)
    True
    >>> describe("kaiming_normal", (64, 3, 3, 3), nonlinearity="relu")["std"] == math.sqrt(2 / 27)
    True
    >>> d = describe("variance_scaling", (512, 8, 64), in_axis=0, out_axis=(1, 2), mode="fan_geo_avg")
    >>> d["fan_in"], d["fan_out"]   # a JAX attention kernel (embed, heads, head_dim)
    (512, 512)
    """
    try:
        check_options, spec = _SCHEMES[init]
    except (KeyError, TypeError):  # TypeError: an unhashable init
        raise ValueError(f"describe: unknown initialiser {init!r}, use one of {FAN_BASED}") from None
    func = f"describe({init!r})"
    names = _option_names(check_options)
    for name in options:
        if name not in names:
            raise TypeError(f"{func}: unexpected option {name!r}; {init} takes "
                            f"{', '.join(names) if names else 'no options'}")
    axes = (in_axis, out_axis, batch_axis)
    if _axes_given(*axes) and init != "variance_scaling":
        raise TypeError(f"{func}: in_axis, out_axis and batch_axis are variance_scaling's; {init} reads its fans "
                        "from the layout")
    options = check_options(func, **options)
    fan_in, fan_out = _fans(func, shape, layout, fan_in, fan_out, axes)
    try:
        dist, *params = in_default_fp_environment(spec, fan_in, fan_out, *options)
    except ValueError as exc:
        raise _named(func, exc) from None
    names = {"uniform": ("low", "high"), "normal": ("mean", "std"),
             "trunc_normal": ("mean", "std", "a", "b")}[dist]
    return {"fan_in": fan_in, "fan_out": fan_out, "distribution": dist, **dict(zip(names, params))}


def xavier_uniform_(out, gain=1.0, *, generator=None, global_shape=None, offset=None, threads=None,
                    layout="torch", fan_in=None, fan_out=None):
    r"""Fill ``out`` with Xavier/Glorot uniform values, in place.

    .. math:: U(-b, b), \qquad b = \text{gain} \cdot \sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}

    Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks". Values lie in ``[-b, b]`` after rounding to
    ``out``'s dtype, symmetric about 0.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32 or
        float64, any strides, alignment and byte order; a CPU ``torch.Tensor``
        (or DTensor shard) is written through a view of its memory.
    gain : float, default 1.0
        Scale of the bound (:func:`calculate_gain` gives torch's per
        nonlinearity); finite and >= 0.
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past the words the whole logical tensor takes (1 per element, 2 for
        float64), so consecutive fills never share words.
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the fans come
        from it, and the values equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.
    layout : {"torch", "keras", "jax"}, default "torch"
        How :func:`compute_fans` reads the fans from the shape: torch
        ``(out, in, *kernel)``, Keras/JAX ``(*kernel, in, out)``.
    fan_in, fan_out : int, optional
        The fans themselves, instead of reading them from the shape.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or is not float16, bfloat16, float32 or float64; ``gain`` is not a real
        number (a string, for example); ``generator`` is not an
        :class:`xinit_c.Generator`; ``threads``, ``global_shape`` or ``offset``
        is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view;
        ``gain`` is negative, infinite or NaN, or makes the bound overflow
        ``out``'s dtype (the message names ``gain``, the bound and the dtype's
        largest finite value); an explicit ``fan_in``/``fan_out`` is negative,
        or 0 where the formula divides by it; the layout is unknown or the shape
        has too few dimensions for it; ``global_shape``/``offset`` do not
        contain ``out``; ``threads`` is outside 1 to 256; the stream has fewer
        words left than the fill takes. Nothing is written and the generator
        does not move.

    Examples
    --------
    >>> w = np.empty((512, 256), np.float32)   # torch Linear(256, 512).weight
    >>> xavier_uniform_(w, generator=Generator(0)) is w
    True
    >>> bool(np.abs(w).max() <= math.sqrt(6 / (256 + 512)))
    True
    """
    if global_shape is None and offset is None and threads is None and fan_in is None and fan_out is None:
        filled = small_fan_fill(SCHEME_XAVIER_UNIFORM, out, generator, _default, layout, gain)
        if filled is not None:
            return filled
    return _fan_fill("xavier_uniform_", _spec_xavier_uniform, out, _xavier_options("xavier_uniform_", gain), "gain",
                     generator, global_shape, offset, threads, layout, fan_in, fan_out)


def xavier_normal_(out, gain=1.0, *, generator=None, global_shape=None, offset=None, threads=None,
                   layout="torch", fan_in=None, fan_out=None):
    r"""Fill ``out`` with Xavier/Glorot normal values (untruncated, as torch), in place.

    .. math:: N(0, \sigma^2), \qquad \sigma = \text{gain} \cdot \sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32 or
        float64, any strides, alignment and byte order; a CPU ``torch.Tensor``
        (or DTensor shard) is written through a view of its memory.
    gain : float, default 1.0
        Scale of the standard deviation (:func:`calculate_gain`); finite and >= 0.
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past the words the whole logical tensor takes (1 per element, 2 for
        float64), so consecutive fills never share words.
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the fans come
        from it, and the values equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.
    layout : {"torch", "keras", "jax"}, default "torch"
        How :func:`compute_fans` reads the fans from the shape: torch
        ``(out, in, *kernel)``, Keras/JAX ``(*kernel, in, out)``.
    fan_in, fan_out : int, optional
        The fans themselves, instead of reading them from the shape.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or is not float16, bfloat16, float32 or float64; ``gain`` is not a real
        number (a string, for example); ``generator`` is not an
        :class:`xinit_c.Generator`; ``threads``, ``global_shape`` or ``offset``
        is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view;
        ``gain`` is negative, infinite or NaN, or makes sigma overflow ``out``'s
        dtype (the message names ``gain`` and the limit); an explicit
        ``fan_in``/``fan_out`` is negative, or 0 where the formula divides by
        it; the layout is unknown or the shape has too few dimensions for it;
        ``global_shape``/``offset`` do not contain ``out``; ``threads`` is
        outside 1 to 256; the stream has fewer words left than the fill takes.
        Nothing is written and the generator does not move.

    Examples
    --------
    >>> w = np.empty((64, 3, 3, 3), np.float32)   # Conv2d(3, 64, 3): fans 27, 576
    >>> w = xavier_normal_(w, generator=Generator(0))
    >>> round(float(w.std()) / math.sqrt(2 / (27 + 576)), 1)
    1.0
    """
    if global_shape is None and offset is None and threads is None and fan_in is None and fan_out is None:
        filled = small_fan_fill(SCHEME_XAVIER_NORMAL, out, generator, _default, layout, gain)
        if filled is not None:
            return filled
    return _fan_fill("xavier_normal_", _spec_xavier_normal, out, _xavier_options("xavier_normal_", gain), "gain",
                     generator, global_shape, offset, threads, layout, fan_in, fan_out)


def kaiming_uniform_(out, a=0, mode="fan_in", nonlinearity="leaky_relu", *, generator=None,
                     global_shape=None, offset=None, threads=None, layout="torch", fan_in=None, fan_out=None):
    r"""Fill ``out`` with He/Kaiming uniform values, in place (torch semantics).

    .. math:: U(-b, b), \qquad b = \sqrt{3}\,\frac{\text{gain}}{\sqrt{\text{fan\_mode}}}

    with ``gain = calculate_gain(nonlinearity, a)`` and ``fan_mode`` the fan_in
    or fan_out (``mode``). He et al. (2015), "Delving deep into rectifiers".

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32 or
        float64, any strides, alignment and byte order; a CPU ``torch.Tensor``
        (or DTensor shard) is written through a view of its memory.
    a : float, default 0
        The negative slope of a leaky ReLU, used for ``nonlinearity="leaky_relu"``
        only (torch's ``a``).
    mode : {"fan_in", "fan_out"}, default "fan_in"
        Which fan the variance is divided by: "fan_in" keeps the forward pass's
        variance, "fan_out" the backward pass's.
    nonlinearity : str, default "leaky_relu"
        A :func:`calculate_gain` name ("relu", "leaky_relu", "tanh", "linear",
        ...).
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past the words the whole logical tensor takes (1 per element, 2 for
        float64), so consecutive fills never share words.
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the fans come
        from it, and the values equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.
    layout : {"torch", "keras", "jax"}, default "torch"
        How :func:`compute_fans` reads the fans from the shape: torch
        ``(out, in, *kernel)``, Keras/JAX ``(*kernel, in, out)``.
    fan_in, fan_out : int, optional
        The fans themselves, instead of reading them from the shape.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or is not float16, bfloat16, float32 or float64; ``a`` is not a real
        number (a string, for example); ``generator`` is not an
        :class:`xinit_c.Generator`; ``threads``, ``global_shape`` or ``offset``
        is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view;
        ``mode`` is not "fan_in" or "fan_out"; ``nonlinearity`` is unknown; the
        bound overflows ``out``'s dtype (the message names the parameter and the
        limit); an explicit ``fan_in``/``fan_out`` is negative, or 0 where the
        formula divides by it; the layout is unknown or the shape has too few
        dimensions for it; ``global_shape``/``offset`` do not contain ``out``;
        ``threads`` is outside 1 to 256; the stream has fewer words left than
        the fill takes. Nothing is written and the generator does not move.

    Examples
    --------
    >>> w = np.empty((128, 64), np.float32)   # torch Linear(64, 128).weight
    >>> w = kaiming_uniform_(w, a=math.sqrt(5), generator=Generator(0))   # torch Linear's default
    >>> bool(np.abs(w).max() <= 1 / math.sqrt(64))   # b = sqrt(3) * sqrt(2 / 6) / sqrt(64)
    True
    """
    if global_shape is None and offset is None and threads is None and fan_in is None and fan_out is None:
        filled = small_fan_fill(SCHEME_KAIMING_UNIFORM, out, generator, _default, layout, a, mode, nonlinearity)
        if filled is not None:
            return filled
    return _fan_fill("kaiming_uniform_", _spec_kaiming_uniform, out,
                     _kaiming_options("kaiming_uniform_", a, mode, nonlinearity), None,
                     generator, global_shape, offset, threads, layout, fan_in, fan_out)


def kaiming_normal_(out, a=0, mode="fan_in", nonlinearity="leaky_relu", *, generator=None,
                    global_shape=None, offset=None, threads=None, layout="torch", fan_in=None, fan_out=None):
    r"""Fill ``out`` with He/Kaiming normal values, in place (torch semantics).

    .. math:: N(0, \sigma^2), \qquad \sigma = \frac{\text{gain}}{\sqrt{\text{fan\_mode}}}

    with ``gain = calculate_gain(nonlinearity, a)`` and ``fan_mode`` the fan_in
    or fan_out (``mode``); untruncated, as torch.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32 or
        float64, any strides, alignment and byte order; a CPU ``torch.Tensor``
        (or DTensor shard) is written through a view of its memory.
    a : float, default 0
        The negative slope of a leaky ReLU, used for ``nonlinearity="leaky_relu"``
        only (torch's ``a``).
    mode : {"fan_in", "fan_out"}, default "fan_in"
        Which fan the variance is divided by: "fan_in" keeps the forward pass's
        variance, "fan_out" the backward pass's.
    nonlinearity : str, default "leaky_relu"
        A :func:`calculate_gain` name ("relu", "leaky_relu", "tanh", "linear",
        ...).
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past the words the whole logical tensor takes (1 per element, 2 for
        float64), so consecutive fills never share words.
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the fans come
        from it, and the values equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.
    layout : {"torch", "keras", "jax"}, default "torch"
        How :func:`compute_fans` reads the fans from the shape: torch
        ``(out, in, *kernel)``, Keras/JAX ``(*kernel, in, out)``.
    fan_in, fan_out : int, optional
        The fans themselves, instead of reading them from the shape.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or is not float16, bfloat16, float32 or float64; ``a`` is not a real
        number (a string, for example); ``generator`` is not an
        :class:`xinit_c.Generator`; ``threads``, ``global_shape`` or ``offset``
        is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view;
        ``mode`` is not "fan_in" or "fan_out"; ``nonlinearity`` is unknown; the
        bound overflows ``out``'s dtype (the message names the parameter and the
        limit); an explicit ``fan_in``/``fan_out`` is negative, or 0 where the
        formula divides by it; the layout is unknown or the shape has too few
        dimensions for it; ``global_shape``/``offset`` do not contain ``out``;
        ``threads`` is outside 1 to 256; the stream has fewer words left than
        the fill takes. Nothing is written and the generator does not move.

    Examples
    --------
    >>> w = np.empty((64, 3, 7, 7), np.float32)   # a ResNet stem: fan_out 64 * 49
    >>> w = kaiming_normal_(w, mode="fan_out", nonlinearity="relu", generator=Generator(0))
    >>> round(float(w.std()) / math.sqrt(2 / (64 * 49)), 1)
    1.0
    """
    if global_shape is None and offset is None and threads is None and fan_in is None and fan_out is None:
        filled = small_fan_fill(SCHEME_KAIMING_NORMAL, out, generator, _default, layout, a, mode, nonlinearity)
        if filled is not None:
            return filled
    return _fan_fill("kaiming_normal_", _spec_kaiming_normal, out,
                     _kaiming_options("kaiming_normal_", a, mode, nonlinearity), None,
                     generator, global_shape, offset, threads, layout, fan_in, fan_out)


def variance_scaling_(out, scale=1.0, mode="fan_in", distribution="truncated_normal", *,
                      generator=None, global_shape=None, offset=None, threads=None, layout="torch",
                      fan_in=None, fan_out=None, in_axis=None, out_axis=None, batch_axis=()):
    """Fill ``out`` from the variance-scaling family (Keras/JAX semantics), in place.

    With ``n`` the fan of ``mode`` (``fan_in``, ``fan_out``, ``fan_avg`` =
    (fan_in + fan_out)/2, ``fan_geo_avg`` = sqrt(fan_in * fan_out)):

    * ``"truncated_normal"``: N(0, s^2) truncated to [-2s, 2s] with
      ``s = sqrt(scale/n) / 0.87962566103423978`` (so the variance is scale/n);
    * ``"normal"`` (alias ``"untruncated_normal"``): N(0, scale/n);
    * ``"uniform"``: U(-l, l) with ``l = sqrt(3 * scale / n)``.

    ``scale=0`` gives zeros with every distribution (as JAX does), and the
    generator still moves by as many words as for any other scale.

    A complex64 or complex128 buffer gets JAX's complex variance scaling
    (docs/stream.md section 11), of variance ``E|z|^2 = scale/n``:

    * ``"normal"``: real and imaginary parts independent N(0, scale/(2n));
    * ``"uniform"``: uniform on the disc of radius ``sqrt(2 * scale/n)``;
    * ``"truncated_normal"``: a complex normal whose modulus is truncated to
      ``|z| <= 2K``, ``K = sqrt(scale/n) / c``: ``|z|^2/K^2`` is Exp(1)
      truncated to [0, 4], whose mean is ``(1 - 5e^-4)/(1 - e^-4)``, so
      ``c = sqrt((1 - 5e^-4)/(1 - e^-4)) = 0.961961828...`` gives exactly the
      variance asked for. (JAX divides by ``.95311164380491208``, which is
      ``sqrt(1 - 5e^-4)`` to 13 digits: the second moment without the division
      by the truncated mass; its samples have 1.0187 times the variance.)

    Each complex element takes twice the words of its real part (2 for
    complex64, 4 for complex128), the real part's first. The modulus and angle
    are computed with IEEE operations only (no libm), so they are the same on
    every platform.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32,
        float64, complex64 or complex128, any strides, alignment and byte
        order; a CPU ``torch.Tensor`` (or DTensor shard) is written through a
        view of its memory.
    scale : float, default 1.0
        The variance numerator; finite and >= 0 (2.0 is He, 1.0 LeCun).
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}, default "fan_in"
        The denominator ``n`` (:func:`fan_for_mode`).
    distribution : {"truncated_normal", "normal", "untruncated_normal", "uniform"}, default "truncated_normal"
        The family member, as above (for a complex buffer, its complex form).
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past the words the whole logical tensor takes (1 per element, 2 for
        float64), so consecutive fills never share words.
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the fans come
        from it, and the values equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.
    layout : {"torch", "keras", "jax"}, default "torch"
        How :func:`compute_fans` reads the fans from the shape: torch
        ``(out, in, *kernel)``, Keras/JAX ``(*kernel, in, out)``.
    fan_in, fan_out : int, optional
        The fans themselves, instead of reading them from the shape.
    in_axis, out_axis : int or sequence of int, optional
        JAX's input and output axes (a sequence: the product over it; an empty
        one: size 1); given, they replace the layout's axes as in
        :func:`compute_fans`, which also takes 0-D and 1-D shapes then.
    batch_axis : int or sequence of int, default ()
        Axes left out of the fans (a stack of independent kernels).

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or is not float16, bfloat16, float32, float64, complex64 or
        complex128; ``scale`` is not a real number (a string, for example);
        ``generator`` is not an :class:`xinit_c.Generator`; ``threads``,
        ``global_shape``, ``offset`` or an axis is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view;
        ``scale`` is negative, infinite or NaN, or makes the standard deviation
        or bound overflow ``out``'s dtype (the message names ``scale`` and the
        limit); ``mode`` or ``distribution`` is unknown; an axis is out of
        range, repeated or in two groups, or axes come with
        ``layout="keras"``; an explicit
        ``fan_in``/``fan_out`` is negative, or 0 where the formula divides by
        it; the layout is unknown or the shape has too few dimensions for it;
        ``global_shape``/``offset`` do not contain ``out``; ``threads`` is
        outside 1 to 256; the stream has fewer words left than the fill takes.
        Nothing is written and the generator does not move.

    Examples
    --------
    >>> k = np.empty((3, 3, 16, 32), np.float32)   # a Keras Conv2D kernel: fan_in 3 * 3 * 16
    >>> k = variance_scaling_(k, 2.0, "fan_in", "truncated_normal", layout="keras",
    ...                       generator=Generator(0))   # keras he_normal
    >>> s = math.sqrt(2.0 / 144) / 0.87962566103423978
    >>> bool(np.abs(k).max() <= 2 * s)
    True

    A complex JAX kernel, fans read with explicit axes, uniform on the disc:

    >>> z = variance_scaling_(np.empty((64, 32), np.complex64), 1.0, "fan_avg", "uniform",
    ...                       in_axis=0, out_axis=1, generator=Generator(0))
    >>> bool(np.abs(z).max() <= math.sqrt(2 / 48))
    True
    """
    axes = (in_axis, out_axis, batch_axis)
    if global_shape is None and offset is None and threads is None and fan_in is None and fan_out is None \
            and not _axes_given(*axes):
        filled = small_fan_fill(SCHEME_VARIANCE_SCALING, out, generator, _default, layout, scale, mode, distribution)
        if filled is not None:
            return filled
    return _fan_fill("variance_scaling_", _spec_variance_scaling, out,
                     _variance_scaling_options("variance_scaling_", scale, mode, distribution), "scale",
                     generator, global_shape, offset, threads, layout, fan_in, fan_out, axes)


def lecun_uniform_(out, *, generator=None, global_shape=None, offset=None, threads=None, layout="torch",
                   fan_in=None, fan_out=None):
    r"""Fill ``out`` with LeCun uniform values, in place (Keras/JAX ``lecun_uniform``).

    .. math:: U(-l, l), \qquad l = \sqrt{\frac{3}{\text{fan\_in}}}

    The same as ``variance_scaling_(out, 1.0, "fan_in", "uniform")``.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32 or
        float64, any strides, alignment and byte order; a CPU ``torch.Tensor``
        (or DTensor shard) is written through a view of its memory.
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past the words the whole logical tensor takes (1 per element, 2 for
        float64), so consecutive fills never share words.
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the fans come
        from it, and the values equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.
    layout : {"torch", "keras", "jax"}, default "torch"
        How :func:`compute_fans` reads the fans from the shape: torch
        ``(out, in, *kernel)``, Keras/JAX ``(*kernel, in, out)``.
    fan_in, fan_out : int, optional
        The fans themselves, instead of reading them from the shape.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or is not float16, bfloat16, float32 or float64; ``generator`` is not an
        :class:`xinit_c.Generator`; ``threads``, ``global_shape`` or ``offset``
        is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view; an
        explicit ``fan_in``/``fan_out`` is negative, or 0 where the formula
        divides by it; the layout is unknown or the shape has too few dimensions
        for it; ``global_shape``/``offset`` do not contain ``out``; ``threads``
        is outside 1 to 256; the stream has fewer words left than the fill
        takes. Nothing is written and the generator does not move.

    Examples
    --------
    >>> w = lecun_uniform_(np.empty((10, 20)), generator=Generator(0))   # fan_in 20
    >>> bool(np.abs(w).max() <= math.sqrt(3 / 20))
    True
    """
    if global_shape is None and offset is None and threads is None and fan_in is None and fan_out is None:
        filled = small_fan_fill(SCHEME_LECUN_UNIFORM, out, generator, _default, layout)
        if filled is not None:
            return filled
    return _fan_fill("lecun_uniform_", _spec_lecun_uniform, out, (), None, generator, global_shape,
                     offset, threads, layout, fan_in, fan_out)


def lecun_normal_(out, *, generator=None, global_shape=None, offset=None, threads=None, layout="torch",
                  fan_in=None, fan_out=None):
    """Fill ``out`` with LeCun normal values, in place (Keras/JAX ``lecun_normal``).

    A normal of variance ``1 / fan_in``, truncated at two of its standard
    deviations: N(0, s^2) on [-2s, 2s] with
    ``s = sqrt(1/fan_in) / 0.87962566103423978``. The same as
    ``variance_scaling_(out, 1.0, "fan_in", "truncated_normal")``.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32 or
        float64, any strides, alignment and byte order; a CPU ``torch.Tensor``
        (or DTensor shard) is written through a view of its memory.
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past the words the whole logical tensor takes (1 per element, 2 for
        float64), so consecutive fills never share words.
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the fans come
        from it, and the values equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.
    layout : {"torch", "keras", "jax"}, default "torch"
        How :func:`compute_fans` reads the fans from the shape: torch
        ``(out, in, *kernel)``, Keras/JAX ``(*kernel, in, out)``.
    fan_in, fan_out : int, optional
        The fans themselves, instead of reading them from the shape.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or is not float16, bfloat16, float32 or float64; ``generator`` is not an
        :class:`xinit_c.Generator`; ``threads``, ``global_shape`` or ``offset``
        is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view; an
        explicit ``fan_in``/``fan_out`` is negative, or 0 where the formula
        divides by it; the layout is unknown or the shape has too few dimensions
        for it; ``global_shape``/``offset`` do not contain ``out``; ``threads``
        is outside 1 to 256; the stream has fewer words left than the fill
        takes. Nothing is written and the generator does not move.

    Examples
    --------
    >>> w = lecun_normal_(np.empty((10, 20)), generator=Generator(0))   # fan_in 20
    >>> bool(np.abs(w).max() <= 2 * math.sqrt(1 / 20) / 0.87962566103423978)
    True
    """
    if global_shape is None and offset is None and threads is None and fan_in is None and fan_out is None:
        filled = small_fan_fill(SCHEME_LECUN_NORMAL, out, generator, _default, layout)
        if filled is not None:
            return filled
    return _fan_fill("lecun_normal_", _spec_lecun_normal, out, (), None, generator, global_shape,
                     offset, threads, layout, fan_in, fan_out)


_SCHEMES = {
    "xavier_uniform": (_xavier_options, _spec_xavier_uniform),
    "xavier_normal": (_xavier_options, _spec_xavier_normal),
    "kaiming_uniform": (_kaiming_options, _spec_kaiming_uniform),
    "kaiming_normal": (_kaiming_options, _spec_kaiming_normal),
    "lecun_uniform": (_no_options, _spec_lecun_uniform),
    "lecun_normal": (_no_options, _spec_lecun_normal),
    "variance_scaling": (_variance_scaling_options, _spec_variance_scaling),
}

#: The fan-based initialisers, by name without the trailing underscore.
FAN_BASED = tuple(_SCHEMES)


# --------------------------------------------------------------------------
# Plain distributions
# --------------------------------------------------------------------------

def uniform_(out, low=0.0, high=1.0, *, generator=None, global_shape=None, offset=None, threads=None):
    """Fill ``out`` with ``U(low, high)`` values in ``[low, high]``, in place.

    ``v = mid + half * (odd / 2^24)`` (float32; ``odd / 2^53`` for float64),
    clamped to the bounds; see docs/stream.md section 3.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32 or
        float64, any strides, alignment and byte order; a CPU ``torch.Tensor``
        (or DTensor shard) is written through a view of its memory.
    low, high : float, default 0.0 and 1.0
        The bounds, finite, ``low <= high``.
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past the words the whole logical tensor takes (1 per element, 2 for
        float64), so consecutive fills never share words.
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the values
        equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or is not float16, bfloat16, float32 or float64; ``low`` or ``high`` is
        not a real number (a string, for example); ``generator`` is not an
        :class:`xinit_c.Generator`; ``threads``, ``global_shape`` or ``offset``
        is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view;
        ``low`` or ``high`` is infinite or NaN, ``low > high``, or a bound
        overflows ``out``'s dtype (the message names the bound and the dtype's
        largest finite value); ``global_shape``/``offset`` do not contain
        ``out``; ``threads`` is outside 1 to 256; the stream has fewer words
        left than the fill takes. Nothing is written and the generator does not
        move.

    Examples
    --------
    >>> w = uniform_(np.empty(1000, np.float32), -1.0, 1.0, generator=Generator(0))
    >>> bool(w.min() >= -1.0 and w.max() <= 1.0)
    True
    """
    if global_shape is None and offset is None and threads is None:
        filled = small_fill(_core.DIST_UNIFORM, out, generator, _default, low, high)
        if filled is not None:
            return filled
    arr, global_shape, offset = _buffer("uniform_", out, global_shape, offset)
    low = _finite("uniform_", "low", low)
    high = _finite("uniform_", "high", high)
    if low > high:
        raise ValueError(f"uniform_: low must be <= high, got low={low}, high={high}")
    return _fill("uniform_", arr, out, _core.DIST_UNIFORM, low, high, 0.0, 0.0, _generator("uniform_", generator),
                 global_shape, offset, threads)


def normal_(out, mean=0.0, std=1.0, *, generator=None, global_shape=None, offset=None, threads=None):
    """Fill ``out`` with ``N(mean, std^2)`` values, in place.

    ``z = Phi^-1(u)`` of one uniform strictly inside (0, 1) per element
    (docs/stream.md section 7): never infinite.

    On a complex64 or complex128 buffer (JAX's complex normal), the real and
    imaginary parts are independent normals of std ``std / sqrt(2)`` about
    the real and imaginary parts of ``mean``, so ``E|z - mean|^2 = std^2``;
    an element takes the words of two real ones, the real part's first
    (docs/stream.md section 11).

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32,
        float64, complex64 or complex128, any strides, alignment and byte
        order; a CPU ``torch.Tensor`` (or DTensor shard) is written through a
        view of its memory.
    mean : float or complex, default 0.0
        Finite (both parts); complex only for a complex buffer.
    std : float, default 1.0
        Finite and >= 0 (0 gives ``mean`` everywhere).
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past the words the whole logical tensor takes (1 per element, 2 for
        float64), so consecutive fills never share words.
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the values
        equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or is not float16, bfloat16, float32, float64, complex64 or
        complex128; ``std`` is not a real number, or ``mean`` is not a real
        number (a complex one for a complex buffer); ``generator`` is not an
        :class:`xinit_c.Generator`; ``threads``, ``global_shape`` or ``offset``
        is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view;
        ``mean`` is not finite, ``std`` is negative or not finite, or they
        overflow ``out``'s dtype (the message names the parameter and the
        limit); ``global_shape``/``offset`` do not contain ``out``; ``threads``
        is outside 1 to 256; the stream has fewer words left than the fill
        takes. Nothing is written and the generator does not move.

    Examples
    --------
    >>> w = normal_(np.empty((768, 768)), 0.0, 0.02, generator=Generator(0))   # a transformer projection
    >>> round(float(w.std()), 3)
    0.02
    >>> z = normal_(np.empty(100000, np.complex128), 1 + 1j, 0.5, generator=Generator(0))
    >>> round(float(np.mean(np.abs(z - (1 + 1j)) ** 2)), 2), round(float(z.real.std()), 2)
    (0.25, 0.35)
    """
    if global_shape is None and offset is None and threads is None:
        filled = small_fill(_core.DIST_NORMAL, out, generator, _default, mean, std)
        if filled is not None:
            return filled
    arr, global_shape, offset = _buffer("normal_", out, global_shape, offset)
    if _complex.is_complex(arr):
        mean_re, mean_im = _complex_mean("normal_", mean)
        return _complex_normal("normal_", arr, out, mean_re, mean_im, _nonnegative("normal_", "std", std), "",
                               _generator("normal_", generator), global_shape, offset, threads)
    mean = _finite("normal_", "mean", mean)
    std = _nonnegative("normal_", "std", std)
    return _fill("normal_", arr, out, _core.DIST_NORMAL, mean, std, 0.0, 0.0, _generator("normal_", generator),
                 global_shape, offset, threads)


def trunc_normal_(out, mean=0.0, std=1.0, a=-2.0, b=2.0, *, generator=None, global_shape=None,
                  offset=None, threads=None):
    """Fill ``out`` with ``N(mean, std^2)`` truncated to ``[a, b]``, in place.

    ``a`` and ``b`` are absolute bounds (torch semantics). Exact inversion:
    the uniform is mapped into ``[Phi(alpha), Phi(beta)]``,
    ``alpha = (a - mean)/std``, ``beta = (b - mean)/std``, then through
    ``Phi^-1``; no rejection loop (docs/stream.md section 8).

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32 or
        float64, any strides, alignment and byte order; a CPU ``torch.Tensor``
        (or DTensor shard) is written through a view of its memory.
    mean : float, default 0.0
        Finite.
    std : float, default 1.0
        Finite and >= 0.
    a, b : float, default -2.0 and 2.0
        The bounds, absolute (not in units of ``std``), ``a < b``.
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past the words the whole logical tensor takes (1 per element, 2 for
        float64), so consecutive fills never share words.
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the values
        equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or is not float16, bfloat16, float32 or float64; ``mean``, ``std``,
        ``a`` or ``b`` is not a real number (a string, for example);
        ``generator`` is not an :class:`xinit_c.Generator`; ``threads``,
        ``global_shape`` or ``offset`` is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view;
        ``mean`` is not finite, ``std`` is negative or not finite; ``a >= b`` or
        a bound is NaN; the interval lies too far in the tail for the dtype
        (more than 10 standard deviations for float32, float16 and bfloat16, 37
        for float64); a parameter overflows ``out``'s dtype (the message names
        it and the limit); ``global_shape``/``offset`` do not contain ``out``;
        ``threads`` is outside 1 to 256; the stream has fewer words left than
        the fill takes. Nothing is written and the generator does not move.

    Examples
    --------
    >>> w = trunc_normal_(np.empty((768, 3072)), std=0.02, a=-0.04, b=0.04, generator=Generator(0))
    >>> bool(w.min() >= -0.04 and w.max() <= 0.04)
    True
    """
    if global_shape is None and offset is None and threads is None:
        filled = small_fill(_core.DIST_TRUNC_NORMAL, out, generator, _default, mean, std, a, b)
        if filled is not None:
            return filled
    arr, global_shape, offset = _buffer("trunc_normal_", out, global_shape, offset)
    mean = _finite("trunc_normal_", "mean", mean)
    std = _nonnegative("trunc_normal_", "std", std)
    a = _real("trunc_normal_", "a", a)
    b = _real("trunc_normal_", "b", b)
    # with std = 0 every draw is the mean clamped into [a, b], defined for a == b too (src/params.c)
    if math.isnan(a) or math.isnan(b) or not (a < b or (std == 0.0 and a == b)):
        raise ValueError(f"trunc_normal_: need a < b (or a == b with std = 0), got a={a}, b={b}")
    return _fill("trunc_normal_", arr, out, _core.DIST_TRUNC_NORMAL, mean, std, a, b,
                 _generator("trunc_normal_", generator), global_shape, offset, threads)


_FLOAT_NAMES = ("float16", "bfloat16", "float32", "float64")
_CONSTANT_DTYPES = ("float16, bfloat16, float32, float64, complex64, complex128, bool or an integer type "
                    "(int8 to int64, uint8 to uint64)")
_READ_ONLY = "the output array is read-only (its writeable flag is False): pass a writable array"


def _value_kind(dtype):
    """What constant_ stores in an array of ``dtype``: "float", "complex", "integer", "bool", or None."""
    if _core._dtype_name(dtype) in _FLOAT_NAMES:
        return "float"
    if dtype.kind == "c" and dtype.itemsize in (8, 16):
        return "complex"
    if dtype.kind in "iu":
        return "integer"
    if dtype.kind == "b":
        return "bool"
    return None


def _elements_disjoint(shape, strides, itemsize):
    """The C core's test that no two elements share a byte (_core.pyx, _elements_disjoint): taken by
    growing |stride|, each dimension's step must clear everything the smaller ones span."""
    span = itemsize
    for step, n in sorted((abs(s), n) for n, s in zip(shape, strides) if n > 1):
        if step < span:
            return False
        span += step * (n - 1)
    return True


def _check_written_by_numpy(func, arr, threads):
    """The checks the C core makes before it writes (_core.fill), for a buffer numpy writes instead."""
    if not arr.flags.writeable:
        raise ValueError(f"{func}: {_READ_ONLY}")
    if threads is not None:
        if _is_bool(threads) or not hasattr(threads, "__index__"):
            raise TypeError(f"{func}: threads must be {_core._FILL_THREADS_ACCEPTED}, got "
                            f"{type(threads).__name__} {threads!r}")
        if not 1 <= operator.index(threads) <= _core.MAX_THREADS:
            raise ValueError(f"{func}: threads must be {_core._FILL_THREADS_ACCEPTED}, got {operator.index(threads)}")
    if arr.size == 0:
        return
    if any(n > 1 and s == 0 for n, s in zip(arr.shape, arr.strides)):
        raise ValueError(f"{func}: cannot fill a broadcast view (stride 0): it would write the same element "
                         "many times")
    if not _elements_disjoint(arr.shape, arr.strides, arr.itemsize):
        raise ValueError(f"{func}: cannot fill a view whose elements may overlap in memory (as_strided?): the "
                         "values would depend on the order of the writes")


def _block_place(func, arr, global_shape, offset):
    """The logical tensor's shape, and where the buffer lies in it: a tuple of slices, or for a 1-D buffer
    given a flat offset the range of its flat C-order indices. The C core's rules and messages
    (_core.pyx, _logical_layout), for the fills numpy writes."""
    if global_shape is None:
        if offset is not None:
            raise ValueError(f"{func}: offset= needs global_shape=")
        return arr.shape, tuple(slice(0, n) for n in arr.shape)
    gshape = _logical_shape(func, arr, global_shape)
    if math.prod(gshape) >= 1 << 63:
        raise ValueError(f"{func}: global_shape {gshape} has {math.prod(gshape)} elements, more than 2**63 - 1")
    if not (offset is None or isinstance(offset, (tuple, list)) or hasattr(offset, "__index__")):
        raise TypeError(f"{func}: offset must be a tuple of integers, one per dimension (or, for a 1-D buffer, "
                        f"one integer: a flat offset), got {type(offset).__name__} {offset!r}")
    try:
        flat = offset is None or not isinstance(offset, (tuple, list))
        if arr.ndim == 1 and (len(gshape) != 1 or not isinstance(offset, tuple)) and flat:
            start = 0 if offset is None else _core._check_int("offset", offset, None)
            if start + arr.shape[0] > math.prod(gshape):
                raise ValueError(f"a buffer of {arr.shape[0]} elements at flat offset {start} does not fit "
                                 f"in global_shape {gshape} ({math.prod(gshape)} elements)")
            return gshape, range(start, start + arr.shape[0])
        if len(gshape) != arr.ndim:
            raise ValueError(f"global_shape {gshape} has {len(gshape)} dimensions, the buffer {arr.ndim} "
                             "(or give a 1-D buffer and one flat offset)")
        if offset is None:
            offsets = (0,) * arr.ndim
        else:
            if not isinstance(offset, (tuple, list)):
                raise ValueError(f"offset must be a tuple of {arr.ndim} integers for a {arr.ndim}-D buffer, "
                                 f"got {offset!r}")
            offsets = tuple(_core._check_int("offset", o, None) for o in offset)
            if len(offsets) != arr.ndim:
                raise ValueError(f"offset {offsets} has {len(offsets)} entries, the buffer {arr.ndim} dimensions")
    except (TypeError, ValueError) as exc:
        raise _named(func, exc) from None
    for d in range(arr.ndim - 1, -1, -1):
        if offsets[d] + arr.shape[d] > gshape[d]:
            raise ValueError(f"{func}: a buffer of shape {arr.shape} at offset {offsets} does not fit in "
                             f"global_shape {gshape} (axis {d})")
    return gshape, tuple(slice(o, o + n) for o, n in zip(offsets, arr.shape))


def _value_array(func, value):
    """``value`` as an array when it is an array-like of one or more dimensions; None for a single value."""
    if isinstance(value, (int, float, complex, str, bytes, bytearray, np.generic)):
        return None
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: val must be a number or an array-like of numbers, got "
                        f"{type(value).__name__} {value!r}") from None
    if array.ndim == 0:
        return None
    if array.dtype.kind not in "biufc":
        raise TypeError(f"{func}: val must be a number or an array-like of numbers, got an array of dtype "
                        f"{array.dtype}")
    return array


def _first(values, bad):
    return values[np.unravel_index(int(np.flatnonzero(bad)[0]), values.shape)].item()


def _checked_values(func, values, dtype, kind):
    """``values`` (an array of numbers) in ``dtype``, refusing what the dtype cannot hold: a complex value in a
    real buffer, a finite value beyond a float format's range, a value an integer or bool buffer cannot hold
    exactly."""
    native = dtype.newbyteorder("=")
    if values.dtype.kind == "c" and kind != "complex":
        raise TypeError(f"{func}: val must be real numbers for a {native} buffer, got an array of dtype "
                        f"{values.dtype}")
    if kind in ("float", "complex"):
        limit = _core._dtype_max(dtype) if kind == "float" else float(np.finfo(native).max)
        parts = (values.real, values.imag) if values.dtype.kind == "c" else (values,)
        for part in parts:
            part = part.astype(np.float64) if part.dtype.kind in "biu" else part
            overflow = np.isfinite(part) & (np.abs(part) > limit)
            if overflow.any():
                name = _core._dtype_name(dtype) if kind == "float" else str(native)
                raise ValueError(f"{func}: val = {_first(part, overflow)!r} overflows {name}, whose largest "
                                 f"finite {'value' if kind == 'float' else 'part'} is {limit:.8g}")
        return values.astype(native)
    low, high = _integer_range(native, kind)
    if values.dtype.kind == "f":
        inexact = ~np.isfinite(values) | (values != np.trunc(np.where(np.isfinite(values), values, 0)))
        if inexact.any():
            raise ValueError(f"{func}: val = {_first(values, inexact)!r} is not an integer, and the {native} "
                             "buffer holds only integers")
        # high + 1 is a power of two, exact in every float format; high itself may not be
        outside = (values < float(low)) | (values >= float(high + 1))
    else:   # numpy compares integers of any width with Python ints exactly
        outside = (values < low) | (values > high)
    if outside.any():
        raise _not_held(func, _first(values, outside), native, kind)
    return values.astype(native)


def _integer_range(dtype, kind):
    return (0, 1) if kind == "bool" else (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))


def _not_held(func, value, dtype, kind):
    low, high = _integer_range(dtype, kind)
    what = "0 and 1 (False and True)" if kind == "bool" else f"the integers from {low} to {high}"
    return ValueError(f"{func}: val = {value!r} does not fit in {dtype}, which holds only {what}")


def _scalar_value(func, value, dtype, kind):
    """A single ``value`` as a 0-D array of ``dtype``, refused as _checked_values refuses."""
    if kind == "complex":
        if isinstance(value, (str, bytes, bytearray)) or (
                isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind not in "biufc"):
            raise TypeError(f"{func}: val must be a number, got {type(value).__name__} {value!r}")
        try:
            number = complex(value)
        except (TypeError, ValueError):
            raise TypeError(f"{func}: val must be a number, got {type(value).__name__} {value!r}") from None
        except OverflowError:
            raise ValueError(f"{func}: val = {value!r} is too large for a complex number") from None
        return _checked_values(func, np.array(number), dtype, kind)
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        value = value.item()             # a 0-D integer array: its exact int, not float(value)
    if kind in ("integer", "bool") and hasattr(value, "__index__"):
        number = operator.index(value)   # exact: an int beyond float's 53 bits must not round
        low, high = _integer_range(dtype, kind)
        if not low <= number <= high:
            raise _not_held(func, number, dtype.newbyteorder("="), kind)
        return np.array(number, dtype.newbyteorder("="))
    return _checked_values(func, np.array(_real(func, "val", value)), dtype, kind)


def _constant(func, out, value, global_shape, offset, threads):
    arr, global_shape, offset = _buffer(func, out, global_shape, offset)
    dtype = arr.dtype
    kind = _value_kind(dtype)
    if kind is None:
        raise TypeError(f"{func}: cannot fill an array of dtype {dtype}: expected {_CONSTANT_DTYPES}")
    values = _value_array(func, value)
    if kind == "float" and values is None:
        # one value in a float buffer: the C core's constant kernel writes its bits (threads, any layout)
        value = _real(func, "val", value)
        # the limit of uniform_ and normal_: a finite value must not turn into an infinity when stored
        limit = _core._dtype_max(dtype)
        if math.isfinite(value) and not -limit <= value <= limit:
            raise ValueError(f"{func}: val = {value!r} overflows {_core._dtype_name(dtype)}, whose largest "
                             f"finite value is {limit:.8g}")
        native = dtype.newbyteorder("=")
        bits = np.array(value, dtype=native).view(f"u{native.itemsize}").item()
        return _fill(func, arr, out, _core.DIST_CONSTANT, 0.0, 0.0, 0.0, 0.0, None, global_shape, offset,
                     threads, bits)
    # the dtypes the C core does not know, and values that vary: numpy writes, after the core's checks
    _check_written_by_numpy(func, arr, threads)
    shape, place = _block_place(func, arr, global_shape, offset)
    if values is None:
        block = _scalar_value(func, value, dtype, kind)
    else:
        try:
            whole = np.broadcast_to(values, shape)
        except ValueError:
            raise ValueError(f"{func}: val of shape {values.shape} does not broadcast to the "
                             f"{'global ' if global_shape is not None else ''}shape {shape}") from None
        part = whole[np.unravel_index(np.asarray(place), shape)] if type(place) is range else whole[place]
        block = _checked_values(func, part, dtype, kind)
    arr[...] = block
    return out


def zeros_(out, *, generator=None, global_shape=None, offset=None, threads=None):
    """Fill ``out`` with zeros, in place. Consumes no words of the generator.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32,
        float64, complex64, complex128, bool or any integer type (int8 to int64,
        uint8 to uint64), any strides, alignment and byte order; a CPU
        ``torch.Tensor`` (or DTensor shard) is written through a view of its
        memory.
    generator : Generator, optional
        Accepted so that every fill takes the same keywords; not used (this fill
        consumes no words).
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the values
        equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or its dtype is none of those above; ``threads``, ``global_shape`` or
        ``offset`` is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view;
        ``global_shape``/``offset`` do not contain ``out``; ``threads`` is
        outside 1 to 256. Nothing is written and the generator does not move.

    Examples
    --------
    >>> w = zeros_(np.empty((512, 256), np.float32))
    >>> bool((w == 0).all())
    True
    >>> zeros_(np.empty(3, np.int64))
    array([0, 0, 0])
    """
    return _constant("zeros_", out, 0.0, global_shape, offset, threads)


def ones_(out, *, generator=None, global_shape=None, offset=None, threads=None):
    """Fill ``out`` with ones, in place. Consumes no words of the generator.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32,
        float64, complex64, complex128, bool or any integer type (int8 to int64,
        uint8 to uint64), any strides, alignment and byte order; a CPU
        ``torch.Tensor`` (or DTensor shard) is written through a view of its
        memory.
    generator : Generator, optional
        Accepted so that every fill takes the same keywords; not used (this fill
        consumes no words).
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the values
        equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or its dtype is none of those above; ``threads``, ``global_shape`` or
        ``offset`` is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view;
        ``global_shape``/``offset`` do not contain ``out``; ``threads`` is
        outside 1 to 256. Nothing is written and the generator does not move.

    Examples
    --------
    >>> w = ones_(np.empty((4, 4)))
    >>> float(w.sum())
    16.0
    >>> ones_(np.empty(2, bool))
    array([ True,  True])
    """
    return _constant("ones_", out, 1.0, global_shape, offset, threads)


def constant_(out, val, *, generator=None, global_shape=None, offset=None, threads=None):
    """Fill ``out`` with ``val``, in place. Consumes no words of the generator.

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        The buffer to fill in place: float16, bfloat16 (ml_dtypes), float32,
        float64, complex64, complex128, bool or any integer type (int8 to int64,
        uint8 to uint64), any strides, alignment and byte order; a CPU
        ``torch.Tensor`` (or DTensor shard) is written through a view of its
        memory.
    val : number or array_like
        One value, or an array of values that broadcasts to ``out``'s shape (to
        ``global_shape`` when it is given: the block takes its part) by numpy's
        rules. Stored as numpy converts it to ``out``'s dtype, with nothing
        lost that the dtype cannot hold: a float format rounds to nearest
        (infinities and NaN stored as given, a finite value beyond the range
        refused); an integer or bool buffer takes only values it holds exactly
        (``1.5`` in int32, ``300`` in uint8, ``-1`` in an unsigned type, ``2``
        in bool are refused); a complex value only a complex buffer takes.
    generator : Generator, optional
        Accepted so that every fill takes the same keywords; not used (this fill
        consumes no words).
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the values
        equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or its dtype is none of those above; ``val`` is not a number or an
        array of numbers (a string, for example), or is complex for a buffer
        that is not; ``threads``, ``global_shape`` or ``offset`` is not made of
        integers.
    ValueError
        ``val`` is finite but overflows ``out``'s float format, or is not held
        exactly by an integer or bool buffer; an array ``val`` does not
        broadcast to the (global) shape; ``out`` is read-only, or a broadcast
        (stride 0) or overlapping view; ``global_shape``/``offset`` do not
        contain ``out``; ``threads`` is outside 1 to 256. Nothing is written and
        the generator does not move.

    Examples
    --------
    >>> w = constant_(np.empty((2, 3), np.float32), 0.1)
    >>> w.shape, bool((w == np.float32(0.1)).all())
    ((2, 3), True)
    >>> constant_(np.empty((2, 3), np.int8), [1, 2, 3])     # a row, broadcast to every row
    array([[1, 2, 3],
           [1, 2, 3]], dtype=int8)
    >>> constant_(np.empty(2, np.complex64), 1 - 2j)
    array([1.-2.j, 1.-2.j], dtype=complex64)
    >>> block = np.empty((2, 2))          # rows 2 and 3 of a (4, 2) tensor filled with [[0], [1], [2], [3]]
    >>> constant_(block, np.arange(4.0).reshape(4, 1), global_shape=(4, 2), offset=(2, 0))
    array([[2., 2.],
           [3., 3.]])
    """
    return _constant("constant_", out, val, global_shape, offset, threads)


def random_bits_(out, *, generator=None, global_shape=None, offset=None, threads=None):
    """Fill a uint32 array with the raw stream words (uint64: ``lo | hi << 32``), in place.

    Element ``k`` is word ``position + k`` (uint32) or the words
    ``position + 2k`` (low half) and ``position + 2k + 1`` (high half) of the
    stream: the bits every other fill is computed from (docs/stream.md).

    Parameters
    ----------
    out : numpy.ndarray, torch.Tensor or writable buffer
        A uint32 or uint64 buffer to fill in place, any strides and byte order.
    generator : Generator, optional
        Where the words come from; ``None`` uses :func:`default_generator`. It
        moves past the words the whole logical tensor takes (1 per element, 2 for
        uint64), so consecutive fills never share words.
    global_shape : tuple of int, optional
        The shape of the full tensor of which ``out`` is a block; the values
        equal that block of one fill of the full tensor.
    offset : tuple of int or int, optional
        Where ``out`` starts in each axis of ``global_shape`` (default 0); for a
        1-D ``out``, one integer: its start in the full tensor's flat C order.
    threads : int, optional
        Threads for a large fill, from 1 to 256; ``None`` uses
        :func:`get_num_threads`. The values do not depend on it.

    Returns
    -------
    same type as out
        ``out`` itself, filled.

    Raises
    ------
    TypeError
        ``out`` cannot be viewed in place without a copy (a list, for example)
        or is not uint32 or uint64; ``generator`` is not an
        :class:`xinit_c.Generator`; ``threads``, ``global_shape`` or ``offset``
        is not made of integers.
    ValueError
        ``out`` is read-only, or a broadcast (stride 0) or overlapping view;
        ``global_shape``/``offset`` do not contain ``out``; ``threads`` is
        outside 1 to 256; the stream has fewer words left than the fill takes.
        Nothing is written and the generator does not move.

    Examples
    --------
    >>> g = Generator(key=(0, 0))
    >>> bits = random_bits_(np.empty((2, 2), np.uint32), generator=g)
    >>> hex(int(bits[0, 0])), g.position
    ('0x6627e8d5', 4)
    """
    if global_shape is None and offset is None and threads is None:
        filled = small_fill(_core.DIST_BITS, out, generator, _default)
        if filled is not None:
            return filled
    arr, global_shape, offset = _buffer("random_bits_", out, global_shape, offset)
    return _fill("random_bits_", arr, out, _core.DIST_BITS, 0.0, 0.0, 0.0, 0.0, _generator("random_bits_", generator),
                 global_shape, offset, threads)
