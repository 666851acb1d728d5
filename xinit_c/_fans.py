"""Fan computation, gains and variance-scaling denominators.

Pure Python (no numpy import), used on every fill call, so the common
PyTorch 2-D case (``nn.Linear`` weights) takes a short fast path.

Conventions reproduced here:

* ``layout="torch"``: ``torch.nn.init._calculate_fan_in_and_fan_out``
  (torch/nn/init.py). Shape is ``(out, in, *kernel)``.
* ``layout="keras"``: ``keras.src.initializers.random_initializers.compute_fans``
  (keras/src/initializers/random_initializers.py). Shape is
  ``(*kernel, in, out)``.
* ``layout="jax"`` and explicit axes:
  ``jax._src.nn.initializers._compute_fans`` (jax/_src/nn/initializers.py)
  with ``in_axis``, ``out_axis`` and ``batch_axis``.
* :func:`calculate_gain`: ``torch.nn.init.calculate_gain`` (torch/nn/init.py).
* :func:`fan_for_mode`: the denominators of ``jax.nn.initializers.variance_scaling``
  (``fan_in``, ``fan_out``, ``fan_avg``, ``fan_geo_avg``).
"""

import math
import operator
from collections.abc import Mapping, Set

__all__ = [
    "LAYOUTS",
    "MODES",
    "NONLINEARITIES",
    "compute_fans",
    "calculate_gain",
    "fan_for_mode",
]

#: Weight layouts understood by :func:`compute_fans`.
LAYOUTS = ("torch", "keras", "jax")

#: Modes understood by :func:`fan_for_mode`.
MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)

#: Nonlinearity names understood by :func:`calculate_gain` (torch's table).
NONLINEARITIES = _LINEAR_FNS + ("sigmoid", "tanh", "relu", "leaky_relu", "selu")

# Gains that do not depend on ``param``. Values are exactly the expressions
# used in torch/nn/init.py (calculate_gain), returned as floats.
_FIXED_GAINS = dict.fromkeys(_LINEAR_FNS + ("sigmoid",), 1.0)
_FIXED_GAINS["tanh"] = 5.0 / 3
_FIXED_GAINS["relu"] = math.sqrt(2.0)
_FIXED_GAINS["selu"] = 3.0 / 4

_DEFAULT_NEGATIVE_SLOPE = 0.01


# --------------------------------------------------------------------------
# shape / axis validation
# --------------------------------------------------------------------------

def _normalize_shape(shape):
    """Return ``shape`` as a tuple of non-negative Python ints.

    Raises TypeError for non-sequences and non-integer entries (bool is
    rejected) and ValueError for negative entries.
    """
    if isinstance(shape, tuple):  # includes torch.Size
        dims = shape
    elif shape.__class__ is list:
        dims = tuple(shape)
    elif isinstance(shape, (str, bytes, bytearray, Set, Mapping)):
        raise TypeError(
            f"shape must be a sequence of non-negative ints, got {type(shape).__name__} {shape!r}"
        )
    else:
        try:
            dims = tuple(shape)
        except TypeError:
            raise TypeError(
                "shape must be a sequence of non-negative ints, "
                f"got {type(shape).__name__} {shape!r}"
            ) from None
    for d in dims:
        if d.__class__ is not int:
            return _normalize_shape_slow(dims, shape)
        if d < 0:
            raise ValueError(f"shape entries must be non-negative, got shape {tuple(dims)!r}")
    return dims


def _is_bool(value):
    """bool or numpy.bool_: numpy 2.0's bool_ still has __index__ (deprecated), so
    operator.index alone would take True for 1."""
    return isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", None) == "b"


def _normalize_shape_slow(dims, shape):
    out = []
    for d in dims:
        if _is_bool(d):
            raise TypeError(f"shape entries must be ints, not bool (shape {shape!r})")
        try:
            v = operator.index(d)  # int subclasses, numpy integers; not floats
        except TypeError:
            raise TypeError(
                f"shape entries must be ints, got {type(d).__name__} {d!r} (shape {shape!r})"
            ) from None
        if v < 0:
            raise ValueError(f"shape entries must be non-negative, got shape {shape!r}")
        out.append(int(v))
    return tuple(out)


def _as_axes(axis, name, ndim):
    """Normalize an axis spec (int or sequence of ints) to a tuple of
    non-negative axis indices; ValueError when out of range or duplicated."""
    if _is_bool(axis):
        raise TypeError(f"{name} must be an int or a sequence of ints, not bool")
    try:
        raw = (operator.index(axis),)
    except TypeError:
        if isinstance(axis, (str, bytes, bytearray, Mapping)):
            raise TypeError(
                f"{name} must be an int or a sequence of ints, got {axis!r}"
            ) from None
        try:
            items = tuple(axis)
        except TypeError:
            raise TypeError(
                f"{name} must be an int or a sequence of ints, got {axis!r}"
            ) from None
        raw = []
        for a in items:
            if _is_bool(a):
                raise TypeError(f"{name} entries must be ints, not bool (got {axis!r})")
            try:
                raw.append(operator.index(a))
            except TypeError:
                raise TypeError(f"{name} entries must be ints, got {axis!r}") from None
    out = []
    for a in raw:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{name}={axis!r} is out of range for a weight of {ndim} dimensions"
            )
        a = a + ndim if a < 0 else a
        if a in out:
            raise ValueError(f"{name}={axis!r} names axis {a} more than once")
        out.append(a)
    return tuple(out)


def _product(dims, axes):
    p = 1
    for a in axes:
        p *= dims[a]
    return p


# --------------------------------------------------------------------------
# per-layout formulas (dims already normalized)
# --------------------------------------------------------------------------

def _torch_fans(dims):
    n = len(dims)
    if n < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than "
            f"2 dimensions (got shape {tuple(dims)!r})"
        )
    if n == 2:
        return dims[1], dims[0]
    if n == 3:
        r = dims[2]
    elif n == 4:
        r = dims[2] * dims[3]
    else:
        r = math.prod(dims[2:])
    return dims[1] * r, dims[0] * r


def _keras_fans(dims):
    n = len(dims)
    if n == 2:
        return dims[0], dims[1]
    if n == 0:
        return 1, 1
    if n == 1:
        return dims[0], dims[0]
    r = math.prod(dims[:-2])
    return dims[-2] * r, dims[-1] * r


def _jax_fans(dims, in_axis, out_axis, batch_axis):
    n = len(dims)
    # JAX refuses a 0-D or 1-D weight only with its default in_axis, the int -2 (which
    # such a weight does not have); with explicit axes, empty groups included, it works
    if n < 2 and not _is_bool(in_axis) and hasattr(in_axis, "__index__") and operator.index(in_axis) == -2:
        raise ValueError(
            "Can't compute input and output sizes of a weight with fewer than "
            f"2 dimensions (got shape {tuple(dims)!r}) with the default in_axis=-2; "
            "must be at least 2-D, or give in_axis and out_axis explicitly"
        )
    ins = _as_axes(in_axis, "in_axis", n)
    outs = _as_axes(out_axis, "out_axis", n)
    batches = _as_axes(batch_axis, "batch_axis", n)
    used = set(ins)
    for name, group in (("out_axis", outs), ("batch_axis", batches)):
        overlap = used.intersection(group)
        if overlap:
            raise ValueError(
                f"{name} overlaps another axis group on axes {sorted(overlap)} "
                f"(in_axis={in_axis!r}, out_axis={out_axis!r}, batch_axis={batch_axis!r})"
            )
        used.update(group)
    in_size = _product(dims, ins)
    out_size = _product(dims, outs)
    # JAX computes prod(shape) / in_size / out_size / batch_size. The product
    # of the remaining axes is the same number when no size is zero, exact in
    # integers, and defined (not 0/0) when a dimension is zero.
    receptive = 1
    for a in range(n):
        if a not in used:
            receptive *= dims[a]
    return in_size * receptive, out_size * receptive


def _axes_given(in_axis, out_axis, batch_axis):
    if in_axis is not None or out_axis is not None:
        return True
    if batch_axis is None:
        return False
    if _is_bool(batch_axis):
        return True  # let _as_axes reject it
    try:
        operator.index(batch_axis)
        return True  # a single int axis, including 0
    except TypeError:
        pass
    try:
        return len(batch_axis) != 0
    except TypeError:
        return True  # let _as_axes report the bad value


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------

def compute_fans(shape, layout="torch", *, in_axis=None, out_axis=None, batch_axis=()):
    """Compute ``(fan_in, fan_out)`` of a weight of the given shape.

    Parameters
    ----------
    shape : sequence of int
        Weight shape. Entries must be non-negative integers (Python or numpy
        integers; ``bool`` is rejected).
    layout : {"torch", "keras", "jax"}, default "torch"
        How the axes of ``shape`` are laid out:

        ``"torch"``
            ``(out, in, *kernel)`` as in ``torch.nn.init``::

                receptive = prod(shape[2:])
                fan_in    = shape[1] * receptive
                fan_out   = shape[0] * receptive

            At least 2 dimensions are required.
        ``"keras"``
            ``(*kernel, in, out)`` as in ``keras.initializers``::

                0-D: (1, 1)
                1-D: (n, n)
                2-D: (shape[0], shape[1])
                else: receptive = prod(shape[:-2])
                      fan_in  = shape[-2] * receptive
                      fan_out = shape[-1] * receptive
        ``"jax"``
            ``jax.nn.initializers`` with ``in_axis=-2``, ``out_axis=-1``,
            ``batch_axis=()`` (see below). At least 2 dimensions are required
            with these default axes; a 0-D or 1-D weight needs explicit ones.
    in_axis, out_axis : int or sequence of int, optional
        Input / output axes (negative values count from the end). A sequence
        means the product over those axes; an empty one is a group of size 1
        (JAX's ``in_axis=[]``).
    batch_axis : int or sequence of int, default ()
        Axes excluded from the fans (e.g. a stack of independent kernels).

    Returns
    -------
    fan_in, fan_out : int

    Raises
    ------
    ValueError
        Unknown layout; fewer than 2 dimensions for ``"torch"``, or for
        ``"jax"`` with the default ``in_axis`` (-2); negative shape entries;
        explicit axes combined with ``layout="keras"``; axes out of range,
        repeated, or shared by two groups.
    TypeError
        ``shape`` (or an axis) is not a sequence of integers.

    Notes
    -----
    When any of ``in_axis``, ``out_axis`` or ``batch_axis`` is given (not
    None / not empty), the JAX formula is used with those axes, whatever the
    layout (``"torch"`` or ``"jax"``; ``"keras"`` is rejected as
    conflicting); a missing ``in_axis`` defaults to -2 and ``out_axis`` to -1::

        in_size    = prod(shape[a] for a in in_axis)
        out_size   = prod(shape[a] for a in out_axis)
        receptive  = prod(shape[a] for the remaining axes)
                   = prod(shape) / in_size / out_size / batch_size
        fan_in     = in_size * receptive
        fan_out    = out_size * receptive

    Arithmetic is exact (integers). Unlike JAX (which divides, giving 0/0),
    a zero-sized dimension simply makes the products zero.

    As ``jax._src.nn.initializers._compute_fans`` (jax 0.10.2), a weight of
    fewer than 2 dimensions is refused only with the default ``in_axis=-2``:
    with explicit axes a 1-D bias ``(n,)`` with ``in_axis=[0], out_axis=[]``
    has fans ``(n, 1)`` and a 0-D scalar with ``in_axis=[], out_axis=[]``
    has ``(1, 1)``. One difference is deliberate: an axis named by two groups
    (``in_axis=0, out_axis=0``) is refused here, where JAX divides the total
    size by both groups' products and returns a fractional receptive field.

    Examples
    --------
    Conv2d(3, 64, kernel_size=3) weight in torch layout:

    >>> compute_fans((64, 3, 3, 3))
    (27, 576)

    Linear(in_features=20, out_features=10) weight:

    >>> compute_fans((10, 20))
    (20, 10)

    The same convolution as a Keras/JAX HWIO kernel:

    >>> compute_fans((3, 3, 3, 64), "keras")
    (27, 576)
    >>> compute_fans((3, 3, 3, 64), "jax")
    (27, 576)

    Torch layout with explicit axes, and a batch of 8 Dense kernels:

    >>> compute_fans((64, 3, 3, 3), in_axis=1, out_axis=0)
    (27, 576)
    >>> compute_fans((8, 20, 10), "jax", batch_axis=0)
    (20, 10)

    A multi-head attention kernel (embed, heads, head_dim), and a 1-D bias:

    >>> compute_fans((512, 8, 64), "jax", in_axis=0, out_axis=(1, 2))
    (512, 512)
    >>> compute_fans((7,), "jax", in_axis=[0], out_axis=[])
    (7, 1)
    """
    if in_axis is None and out_axis is None and batch_axis.__class__ is tuple and not batch_axis:
        if layout == "torch":
            # Fast path: Linear weight given as a plain tuple of ints.
            if isinstance(shape, tuple) and len(shape) == 2:
                fo, fi = shape
                if fo.__class__ is int and fi.__class__ is int and fo >= 0 and fi >= 0:
                    return fi, fo
            return _torch_fans(_normalize_shape(shape))
        if layout == "keras":
            return _keras_fans(_normalize_shape(shape))
        if layout == "jax":
            # Default axes (-2, -1, batch ()): same numbers as keras for >= 2-D.
            dims = _normalize_shape(shape)
            if len(dims) < 2:
                return _jax_fans(dims, -2, -1, ())  # raises
            return _keras_fans(dims)
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")

    # Slow path: explicit axes (or an unusual batch_axis value).
    if not (isinstance(layout, str) and layout in LAYOUTS):
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    dims = _normalize_shape(shape)
    if not _axes_given(in_axis, out_axis, batch_axis):
        if layout == "torch":
            return _torch_fans(dims)
        if layout == "keras":
            return _keras_fans(dims)
        if len(dims) < 2:
            return _jax_fans(dims, -2, -1, ())  # raises
        return _keras_fans(dims)
    if layout == "keras":
        raise ValueError(
            "in_axis/out_axis/batch_axis conflict with layout='keras' (which fixes "
            "the axes as (*kernel, in, out)); use layout='jax' or 'torch' with explicit axes"
        )
    return _jax_fans(
        dims,
        -2 if in_axis is None else in_axis,
        -1 if out_axis is None else out_axis,
        () if batch_axis is None else batch_axis,
    )


def calculate_gain(nonlinearity, param=None):
    """Recommended gain for a nonlinearity, as ``torch.nn.init.calculate_gain``.

    ===================================================  ===============================
    nonlinearity                                         gain
    ===================================================  ===============================
    linear, conv{1,2,3}d, conv_transpose{1,2,3}d         1
    sigmoid                                              1
    tanh                                                 5/3
    relu                                                 sqrt(2)
    leaky_relu                                           sqrt(2 / (1 + negative_slope**2))
    selu                                                 3/4
    ===================================================  ===============================

    Parameters
    ----------
    nonlinearity : str
        One of :data:`NONLINEARITIES` (``torch.nn.functional`` names).
    param : int or float, optional
        ``negative_slope`` for ``"leaky_relu"`` (default 0.01); ignored
        otherwise. ``bool`` is rejected.

    Returns
    -------
    float
        (torch returns the int ``1`` for the linear entries; the value is equal.)

    Raises
    ------
    ValueError
        Unknown nonlinearity, or a ``param`` for ``"leaky_relu"`` that is not
        an int or float.

    Examples
    --------
    Gain for a ReLU layer, e.g. used by Kaiming init of a (64, 3, 3, 3) kernel
    with fan_in 27: ``std = gain / sqrt(27)``.

    >>> calculate_gain("relu") == 2 ** 0.5
    True
    >>> round(calculate_gain("leaky_relu", 0.2), 6)
    1.38675
    """
    if isinstance(nonlinearity, str):
        gain = _FIXED_GAINS.get(nonlinearity)
        if gain is not None:
            return gain
        if nonlinearity == "leaky_relu":
            if param is None:
                negative_slope = _DEFAULT_NEGATIVE_SLOPE
            elif isinstance(param, (int, float)) and not isinstance(param, bool):
                negative_slope = param
            else:
                raise ValueError(f"negative_slope {param!r} not a valid number")
            return math.sqrt(2.0 / (1 + negative_slope**2))
    raise ValueError(
        f"Unsupported nonlinearity {nonlinearity!r}; choose one of {NONLINEARITIES}"
    )


def _check_mode_fans(fan_in, fan_out):
    for name, fan in (("fan_in", fan_in), ("fan_out", fan_out)):
        # float() would parse text: a fan given as a string is the caller's mistake, not a number
        if isinstance(fan, (str, bytes, bytearray)):
            raise TypeError(f"fan_for_mode: {name} must be a number, got {type(fan).__name__} {fan!r}")
        if fan < 0:
            raise ValueError(f"fan_for_mode: {name} must be >= 0, got {fan!r}")


def fan_for_mode(fan_in, fan_out, mode):
    """Variance-scaling denominator for a fan mode.

    ==============  ==========================
    mode            result
    ==============  ==========================
    ``fan_in``      fan_in
    ``fan_out``     fan_out
    ``fan_avg``     (fan_in + fan_out) / 2
    ``fan_geo_avg`` sqrt(fan_in * fan_out)
    ==============  ==========================

    Parameters
    ----------
    fan_in, fan_out : int or float
        As returned by :func:`compute_fans` (non-negative).
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Unknown mode.

    Examples
    --------
    Conv2d weight (64, 3, 3, 3) in torch layout has fan_in 27, fan_out 576:

    >>> fan_for_mode(27, 576, "fan_in")
    27.0
    >>> fan_for_mode(27, 576, "fan_avg")
    301.5
    >>> fan_for_mode(27, 576, "fan_geo_avg")
    124.70765814495917
    """
    if not (fan_in.__class__ is int and fan_out.__class__ is int and fan_in >= 0 and fan_out >= 0):
        _check_mode_fans(fan_in, fan_out)
    if mode == "fan_in":
        return float(fan_in)
    if mode == "fan_out":
        return float(fan_out)
    if mode == "fan_avg":
        return (fan_in + fan_out) / 2.0
    if mode == "fan_geo_avg":
        return math.sqrt(fan_in * fan_out)
    raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
