"""Tests for xinit_c._fans: compute_fans, calculate_gain, fan_for_mode.

Conventions come from:
* torch/nn/init.py: _calculate_fan_in_and_fan_out (shape (out, in, *kernel),
  receptive = prod(shape[2:])) and calculate_gain.
* keras/src/initializers/random_initializers.py: compute_fans (shape
  (*kernel, in, out); 0-D -> (1, 1), 1-D -> (n, n), 2-D -> (shape[0], shape[1]),
  else receptive = prod(shape[:-2])).
* jax/_src/nn/initializers.py: _compute_fans(shape, in_axis=-2, out_axis=-1,
  batch_axis=()) (receptive = prod(shape) / in_size / out_size / batch_size)
  and the variance_scaling modes fan_in / fan_out / fan_avg / fan_geo_avg.
"""

import itertools
import math

import pytest

from xinit_c._fans import (
    LAYOUTS,
    MODES,
    NONLINEARITIES,
    calculate_gain,
    compute_fans,
    fan_for_mode,
)


def _torch_fans(torch, shape):
    # meta tensors: no memory is allocated for the shape.
    t = torch.empty(shape, device="meta")
    return torch.nn.init._calculate_fan_in_and_fan_out(t)


# --------------------------------------------------------------------------
# constants
# --------------------------------------------------------------------------

def test_constants():
    assert LAYOUTS == ("torch", "keras", "jax")
    assert MODES == ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
    assert isinstance(NONLINEARITIES, tuple)
    assert set(NONLINEARITIES) == {
        "linear", "conv1d", "conv2d", "conv3d",
        "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
        "sigmoid", "tanh", "relu", "leaky_relu", "selu",
    }
    assert len(NONLINEARITIES) == len(set(NONLINEARITIES))


# --------------------------------------------------------------------------
# torch layout
# --------------------------------------------------------------------------

# (shape, expected (fan_in, fan_out)) from torch/nn/init.py:
# fan_in = shape[1] * prod(shape[2:]), fan_out = shape[0] * prod(shape[2:]).
TORCH_CASES = [
    ((10, 20), (20, 10)),             # Linear(20, 10)
    ((1, 1), (1, 1)),
    ((32, 16, 5), (80, 160)),         # Conv1d(16, 32, 5)
    ((64, 3, 3, 3), (27, 576)),       # Conv2d(3, 64, 3)
    ((64, 3, 7, 5), (105, 2240)),     # Conv2d(3, 64, (7, 5))
    ((8, 4, 3, 3, 3), (108, 216)),    # Conv3d(4, 8, 3)
    ((2, 3, 4, 5, 6, 7), (2520, 1680)),
    ((0, 5), (5, 0)),                 # zero-sized dims are fine
    ((5, 0, 3), (0, 15)),
]


@pytest.mark.parametrize("shape,expected", TORCH_CASES)
def test_torch_layout_hardcoded(shape, expected):
    assert compute_fans(shape) == expected
    assert compute_fans(shape, "torch") == expected
    assert compute_fans(list(shape), layout="torch") == expected
    fi, fo = compute_fans(shape)
    assert type(fi) is int and type(fo) is int


@pytest.mark.parametrize("shape,expected", TORCH_CASES)
def test_torch_layout_matches_torch_hardcoded_cases(shape, expected):
    torch = pytest.importorskip("torch")
    assert _torch_fans(torch, shape) == expected
    assert compute_fans(torch.Size(shape)) == expected


def test_torch_layout_matches_torch_modules():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    modules = [
        nn.Linear(20, 10),
        nn.Linear(1, 300),
        nn.Conv1d(16, 32, 5),
        nn.Conv1d(3, 6, 4, groups=3),
        nn.Conv2d(3, 64, 3),
        nn.Conv2d(3, 64, (7, 5)),
        nn.Conv2d(8, 8, 3, groups=4),
        nn.Conv3d(4, 8, 3),
        nn.Conv3d(2, 5, (1, 2, 3)),
        nn.ConvTranspose2d(16, 8, 4),
    ]
    for m in modules:
        w = m.weight
        expected = torch.nn.init._calculate_fan_in_and_fan_out(w)
        assert compute_fans(w.shape) == expected, m
        assert compute_fans(tuple(w.shape)) == expected, m
        assert compute_fans(list(w.shape), "torch") == expected, m


def test_torch_layout_matches_torch_exhaustive():
    torch = pytest.importorskip("torch")
    sizes = (0, 1, 2, 3, 7)
    for ndim in (2, 3, 4, 5):
        for shape in itertools.product(sizes, repeat=ndim):
            assert compute_fans(shape) == _torch_fans(torch, shape), shape


@pytest.mark.parametrize("shape", [(), (5,), [7]])
def test_torch_layout_fewer_than_two_dims(shape):
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        compute_fans(shape)
    with pytest.raises(ValueError, match=r"shape \("):
        compute_fans(shape, "torch")


def test_torch_fewer_than_two_dims_torch_agrees():
    torch = pytest.importorskip("torch")
    for shape in [(), (5,)]:
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            _torch_fans(torch, shape)


def test_numpy_shapes_accepted():
    np = pytest.importorskip("numpy")
    shape = (np.int64(64), np.int32(3), np.uint8(3), np.int16(3))
    fi, fo = compute_fans(shape)
    assert (fi, fo) == (27, 576)
    assert type(fi) is int and type(fo) is int
    assert compute_fans(np.array([10, 20])) == (20, 10)
    assert compute_fans(np.zeros((64, 3, 3, 3)).shape) == (27, 576)
    fi, fo = compute_fans(np.array([3, 3, 16, 32]), "keras")
    assert (fi, fo) == (144, 288) and type(fi) is int and type(fo) is int
    assert compute_fans((np.int64(20), np.int64(10)), "jax") == (20, 10)


# --------------------------------------------------------------------------
# keras layout: keras/src/initializers/random_initializers.py compute_fans
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "shape,expected",
    [
        ((), (1, 1)),                      # 0-D: constant
        ((7,), (7, 7)),                    # 1-D: (n, n)
        ((0,), (0, 0)),
        ((20, 10), (20, 10)),              # Dense kernel (in, out)
        ((5, 16, 32), (80, 160)),          # Conv1D kernel (k, in, out)
        ((3, 3, 16, 32), (144, 288)),      # Conv2D kernel (kh, kw, in, out)
        ((3, 3, 3, 64), (27, 576)),
        ((7, 5, 3, 64), (105, 2240)),
        ((2, 3, 4, 5, 6), (120, 144)),     # Conv3D kernel
    ],
)
def test_keras_layout(shape, expected):
    fi, fo = compute_fans(shape, "keras")
    assert (fi, fo) == expected
    assert type(fi) is int and type(fo) is int
    assert compute_fans(list(shape), layout="keras") == expected


def test_keras_is_transposed_torch():
    # A torch (out, in, kh, kw) weight viewed as keras (kh, kw, in, out).
    for torch_shape in [(10, 20), (32, 16, 5), (64, 3, 3, 3), (8, 4, 1, 2, 3)]:
        out, inp, *k = torch_shape
        keras_shape = (*k, inp, out)
        assert compute_fans(keras_shape, "keras") == compute_fans(torch_shape, "torch")


# --------------------------------------------------------------------------
# jax layout: jax/_src/nn/initializers.py _compute_fans
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "shape,expected",
    [
        ((20, 10), (20, 10)),
        ((5, 16, 32), (80, 160)),
        ((3, 3, 16, 32), (144, 288)),
        ((3, 3, 3, 64), (27, 576)),
        ((2, 3, 4, 5, 6), (120, 144)),
        ((0, 5), (0, 5)),                 # JAX itself would divide 0/0 here
        ((3, 0, 4), (0, 12)),
    ],
)
def test_jax_layout(shape, expected):
    fi, fo = compute_fans(shape, "jax")
    assert (fi, fo) == expected
    assert type(fi) is int and type(fo) is int
    # Default axes made explicit give the same result.
    assert compute_fans(shape, "jax", in_axis=-2, out_axis=-1) == expected
    assert compute_fans(shape, "jax", in_axis=-2, out_axis=-1, batch_axis=()) == expected


def test_jax_equals_keras_for_two_or_more_dims():
    for ndim in (2, 3, 4, 5):
        for shape in itertools.product((1, 2, 3, 5), repeat=ndim):
            assert compute_fans(shape, "jax") == compute_fans(shape, "keras"), shape


@pytest.mark.parametrize("shape", [(), (5,)])
def test_jax_layout_fewer_than_two_dims_with_the_default_in_axis(shape):
    # jax 0.10.2 refuses exactly when in_axis is the int -2 and the weight has at most one axis
    with pytest.raises(ValueError, match="at least 2-D"):
        compute_fans(shape, "jax")
    with pytest.raises(ValueError, match="at least 2-D"):
        compute_fans(shape, "jax", in_axis=-2, out_axis=[])
    with pytest.raises(ValueError, match="at least 2-D"):
        compute_fans(shape, "jax", out_axis=[])   # in_axis left at its default -2
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        compute_fans(shape, "torch", batch_axis=[])   # not given: torch's own formula refuses
    with pytest.raises(ValueError, match="at least 2-D"):
        compute_fans(shape, "jax", batch_axis=0) if shape else compute_fans(shape, "jax", batch_axis=[0])


@pytest.mark.parametrize("shape, kwargs, expected", [
    # the cases the issue quotes from JAX: a 1-D weight with in_axis=[0], out_axis=[]; a scalar with no axes
    ((2,), {"in_axis": [0], "out_axis": []}, (2, 1)),
    ((), {"in_axis": [], "out_axis": []}, (1, 1)),
    ((2,), {"in_axis": [], "out_axis": [0]}, (1, 2)),
    ((2,), {"in_axis": 0, "out_axis": ()}, (2, 1)),
    ((5,), {"in_axis": [], "out_axis": []}, (5, 5)),          # the whole axis is receptive field
    ((5,), {"in_axis": [], "out_axis": [], "batch_axis": 0}, (1, 1)),
    ((3,), {"in_axis": [-1], "out_axis": []}, (3, 1)),
    ((0,), {"in_axis": [0], "out_axis": []}, (0, 1)),          # JAX: 0/0; here exact integers
])
def test_jax_zero_and_one_dimensional_weights_with_explicit_axes(shape, kwargs, expected):
    for layout in ("jax", "torch"):   # explicit axes select the JAX formula on either layout
        fans = compute_fans(shape, layout, **kwargs)
        assert fans == expected
        assert all(type(f) is int for f in fans)


def test_an_empty_out_axis_counts_as_given():
    # out_axis=[] is an axis group of size 1, not "no axes": the JAX formula applies with in_axis -2
    assert compute_fans((4, 5, 6), out_axis=[]) == (5 * 4 * 6, 4 * 6)
    assert compute_fans((4, 5, 6), "jax", in_axis=[], out_axis=[]) == (120, 120)
    with pytest.raises(ValueError, match="layout='keras'"):
        compute_fans((4, 5), "keras", out_axis=[])


# Kernels in the layouts of Keras and flax/JAX (their test suites' shapes) and their fans, by hand:
# fan_in = in_size * receptive, fan_out = out_size * receptive.
@pytest.mark.parametrize("shape, kwargs, expected", [
    ((20, 10), {}, (20, 10)),                                              # Dense (in, out)
    ((5, 16, 32), {}, (5 * 16, 5 * 32)),                                   # Conv1D (w, in, out)
    ((3, 3, 16, 32), {}, (9 * 16, 9 * 32)),                                # Conv2D (h, w, in, out)
    ((2, 3, 3, 8, 4), {}, (18 * 8, 18 * 4)),                               # Conv3D (d, h, w, in, out)
    ((512, 8, 64), {"in_axis": 0, "out_axis": (1, 2)}, (512, 512)),       # attention query/key/value kernel
    ((8, 64, 512), {"in_axis": (0, 1), "out_axis": 2}, (512, 512)),       # attention output kernel
    ((16, 8, 4), {"in_axis": -3, "out_axis": (-2, -1)}, (16, 32)),
    ((4, 20, 10), {"batch_axis": 0}, (20, 10)),                            # 4 stacked Dense kernels
    ((4, 3, 3, 16, 32), {"batch_axis": 0}, (144, 288)),                    # 4 stacked Conv2D kernels
    ((2, 512, 8, 64), {"in_axis": 1, "out_axis": (2, 3), "batch_axis": 0}, (512, 512)),
    ((3, 3, 16, 32), {"in_axis": (0, 1, 2), "out_axis": 3}, (144, 32)),   # all spatial axes as input
])
def test_jax_fans_of_dense_conv_and_attention_kernels(shape, kwargs, expected):
    assert compute_fans(shape, "jax", **kwargs) == expected
    if not kwargs:
        assert compute_fans(shape, "keras") == expected


def test_overlapping_groups_are_refused_where_jax_divides():
    # JAX: shape (5,), in_axis=0, out_axis=0 gives receptive 5/5/5 = 0.2, fans (1.0, 1.0); refused here
    with pytest.raises(ValueError, match="overlaps"):
        compute_fans((5,), "jax", in_axis=0, out_axis=0)
    with pytest.raises(ValueError, match="overlaps"):
        compute_fans((4, 5), "jax", in_axis=[0], out_axis=[], batch_axis=[0])


# --------------------------------------------------------------------------
# explicit axes (JAX formula)
# --------------------------------------------------------------------------

def test_explicit_axes_on_torch_layout_reproduce_torch():
    # torch's (out, in, *k) convention expressed with explicit axes.
    for shape in [(10, 20), (32, 16, 5), (64, 3, 3, 3), (8, 4, 3, 3, 3)]:
        assert compute_fans(shape, in_axis=1, out_axis=0) == compute_fans(shape)
        assert compute_fans(shape, "jax", in_axis=1, out_axis=0) == compute_fans(shape)
    assert compute_fans((64, 3, 3, 3), in_axis=1, out_axis=0) == (27, 576)
    assert compute_fans((64, 3, 3, 3), in_axis=-3, out_axis=-4) == (27, 576)


def test_explicit_axes_match_torch():
    torch = pytest.importorskip("torch")
    for shape in [(10, 20), (32, 16, 5), (64, 3, 3, 3), (8, 4, 3, 3, 3)]:
        assert compute_fans(shape, "jax", in_axis=1, out_axis=0) == _torch_fans(torch, shape)


def test_explicit_axes_defaults():
    # Only in_axis given: out_axis defaults to -1 (and vice versa).
    assert compute_fans((4, 5, 6), in_axis=0) == (4 * 5, 6 * 5)
    assert compute_fans((4, 5, 6), out_axis=0) == (5 * 6, 4 * 6)
    # Only batch_axis given on the torch layout: JAX defaults -2 / -1 apply.
    assert compute_fans((8, 20, 10), batch_axis=0) == (20, 10)
    assert compute_fans((8, 20, 10), "torch", batch_axis=(0,)) == (20, 10)


def test_explicit_tuple_axes():
    # in_axis as a tuple: product over the axes.
    assert compute_fans((3, 3, 16, 32), "jax", in_axis=(0, 1, 2), out_axis=3) == (144, 32)
    assert compute_fans((3, 3, 16, 32), "jax", in_axis=(0, 1, 2), out_axis=-1) == (144, 32)
    # out_axis as a tuple (e.g. a (in, heads, head_dim) attention kernel).
    assert compute_fans((4, 5, 6), "jax", in_axis=0, out_axis=(1, 2)) == (4, 30)
    assert compute_fans((4, 5, 6), "jax", in_axis=[0], out_axis=[-2, -1]) == (4, 30)
    # Both tuples with a receptive field left over.
    assert compute_fans((2, 3, 4, 5, 6), "jax", in_axis=(0, 1), out_axis=(3,)) == (
        2 * 3 * 4 * 6,
        5 * 4 * 6,
    )
    # An empty in_axis tuple means in_size == 1 (as in JAX).
    assert compute_fans((4, 5, 6), "jax", in_axis=(), out_axis=0) == (5 * 6, 4 * 5 * 6)


def test_batch_axis():
    # A stack of 8 Dense kernels (8, in=20, out=10).
    assert compute_fans((8, 20, 10), "jax", batch_axis=0) == (20, 10)
    assert compute_fans((8, 20, 10), "jax", batch_axis=(0,)) == (20, 10)
    assert compute_fans((8, 20, 10), "jax", batch_axis=-3) == (20, 10)
    # A stack of 8 HWIO conv kernels.
    assert compute_fans((8, 3, 3, 16, 32), "jax", batch_axis=0) == (144, 288)
    # Two batch axes.
    assert compute_fans((2, 4, 20, 10), "jax", batch_axis=(0, 1)) == (20, 10)
    # Batch axis in the middle, with tuple in/out axes.
    assert compute_fans(
        (3, 7, 5, 6, 2), "jax", in_axis=(0, 2), out_axis=3, batch_axis=1
    ) == (3 * 5 * 2, 6 * 2)
    # Zero-sized batch: no 0/0.
    assert compute_fans((0, 20, 10), "jax", batch_axis=0) == (20, 10)


def test_empty_batch_axis_is_not_given():
    # batch_axis=() / [] / None alone keep the layout's own formula.
    for ba in ((), [], None):
        assert compute_fans((64, 3, 3, 3), "torch", batch_axis=ba) == (27, 576)
        assert compute_fans((7,), "keras", batch_axis=ba) == (7, 7)
        assert compute_fans((3, 3, 3, 64), "jax", batch_axis=ba) == (27, 576)
    # ... but batch_axis=0 is a real axis.
    assert compute_fans((8, 20, 10), batch_axis=0) == (20, 10)


def test_axes_accept_numpy_ints():
    np = pytest.importorskip("numpy")
    assert compute_fans((64, 3, 3, 3), in_axis=np.int64(1), out_axis=np.int32(0)) == (27, 576)
    assert compute_fans((3, 3, 16, 32), "jax", in_axis=np.array([0, 1, 2])) == (144, 32)


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs",
    [dict(in_axis=0), dict(out_axis=1), dict(batch_axis=0), dict(batch_axis=(0,)),
     dict(in_axis=(0, 1), out_axis=2)],
)
def test_keras_with_axes_conflicts(kwargs):
    with pytest.raises(ValueError, match="conflict"):
        compute_fans((3, 4, 5), "keras", **kwargs)


@pytest.mark.parametrize(
    "shape,kwargs",
    [
        ((3, 4), dict(in_axis=2)),
        ((3, 4), dict(in_axis=-3)),
        ((3, 4), dict(out_axis=5)),
        ((3, 4, 5), dict(batch_axis=3)),
        ((3, 4, 5), dict(in_axis=(0, 3))),
        ((3, 4, 5), dict(out_axis=(-4,))),
    ],
)
def test_axis_out_of_range(shape, kwargs):
    with pytest.raises(ValueError, match="out of range"):
        compute_fans(shape, "jax", **kwargs)
    with pytest.raises(ValueError, match="out of range"):
        compute_fans(shape, "torch", **kwargs)


@pytest.mark.parametrize(
    "shape,kwargs",
    [
        ((3, 4), dict(in_axis=0, out_axis=0)),
        ((3, 4), dict(in_axis=1, out_axis=-1)),          # same axis, aliased
        ((3, 4, 5), dict(in_axis=-1)),                   # default out_axis=-1
        ((3, 4, 5), dict(out_axis=-2)),                  # default in_axis=-2
        ((3, 4, 5), dict(in_axis=(0, 0), out_axis=2)),   # repeated inside a tuple
        ((3, 4, 5), dict(in_axis=(0, -3), out_axis=2)),
        ((3, 4, 5), dict(batch_axis=-1)),                # overlaps default out
        ((3, 4, 5), dict(batch_axis=1)),                 # overlaps default in
        ((3, 4, 5), dict(in_axis=0, out_axis=1, batch_axis=(2, 0))),
        ((3, 4, 5), dict(in_axis=0, out_axis=1, batch_axis=(2, 2))),
    ],
)
def test_axis_duplicated_or_overlapping(shape, kwargs):
    with pytest.raises(ValueError, match="more than once|overlaps"):
        compute_fans(shape, "jax", **kwargs)


@pytest.mark.parametrize("layout", ["tf", "TORCH", "", None, 3])
def test_unknown_layout(layout):
    with pytest.raises(ValueError, match="'torch', 'keras', 'jax'"):
        compute_fans((3, 4), layout)
    with pytest.raises(ValueError, match="'torch', 'keras', 'jax'"):
        compute_fans((3, 4), layout, in_axis=0, out_axis=1)


@pytest.mark.parametrize(
    "shape",
    [
        None,
        5,
        3.0,
        "ab",
        b"ab",
        {1, 2},
        {1: 2, 3: 4},
        (2.0, 3),
        (3, 2.0),
        (True, 3),
        (3, False),
        ("3", 4),
        (None, 4),
    ],
)
def test_bad_shape_type(shape):
    for layout in LAYOUTS:
        with pytest.raises(TypeError):
            compute_fans(shape, layout)


def test_numpy_bool_and_float_rejected():
    np = pytest.importorskip("numpy")
    with pytest.raises(TypeError):
        compute_fans((np.bool_(True), 3))
    with pytest.raises(TypeError):
        compute_fans((np.float64(3.0), 3))
    # numpy 2.0's bool_ still has a (deprecated) __index__: refused all the same
    with pytest.raises(TypeError, match="bool"):
        compute_fans((2, 3, 4), "jax", in_axis=np.bool_(True), out_axis=-1)


@pytest.mark.parametrize("shape", [(-1, 3), (3, -1), (2, 3, -4), [5, -2], (-1,)])
def test_negative_shape(shape):
    for layout in ("torch", "keras", "jax") if len(shape) >= 2 else ("keras",):
        with pytest.raises(ValueError, match="non-negative"):
            compute_fans(shape, layout)


@pytest.mark.parametrize("axis", [1.0, True, "0", object(), (0, 1.5), (True,)])
def test_bad_axis_type(axis):
    with pytest.raises(TypeError):
        compute_fans((3, 4, 5), "jax", in_axis=axis)


# --------------------------------------------------------------------------
# calculate_gain: torch/nn/init.py calculate_gain
# --------------------------------------------------------------------------

GAINS = {
    "linear": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "conv3d": 1.0,
    "conv_transpose1d": 1.0,
    "conv_transpose2d": 1.0,
    "conv_transpose3d": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3,                               # 1.6666666666666667
    "relu": math.sqrt(2.0),                        # 1.4142135623730951
    "leaky_relu": math.sqrt(2.0 / (1 + 0.01**2)),  # default negative_slope 0.01
    "selu": 3.0 / 4,
}


def test_gain_table_covers_all_nonlinearities():
    assert set(GAINS) == set(NONLINEARITIES)


@pytest.mark.parametrize("name", sorted(GAINS))
def test_calculate_gain_hardcoded(name):
    assert calculate_gain(name) == GAINS[name]


def test_calculate_gain_literal_values():
    assert calculate_gain("tanh") == 1.6666666666666667
    assert calculate_gain("relu") == 1.4142135623730951
    assert calculate_gain("leaky_relu") == 1.4141428569978354
    assert calculate_gain("leaky_relu", 0.2) == pytest.approx(1.3867504905630728, rel=1e-15)
    assert calculate_gain("leaky_relu", 0) == math.sqrt(2.0)
    assert calculate_gain("leaky_relu", 0.0) == math.sqrt(2.0)
    assert calculate_gain("leaky_relu", 1) == 1.0
    assert calculate_gain("leaky_relu", -1.0) == 1.0
    assert calculate_gain("selu") == 0.75
    # param is ignored for the other nonlinearities, as in torch.
    assert calculate_gain("relu", 0.5) == math.sqrt(2.0)
    assert calculate_gain("linear", True) == 1.0


@pytest.mark.parametrize("name", sorted(GAINS))
def test_calculate_gain_matches_torch(name):
    torch = pytest.importorskip("torch")
    assert calculate_gain(name) == torch.nn.init.calculate_gain(name)


@pytest.mark.parametrize("slope", [0, 1, 2, 0.0, 0.01, 0.1, 0.2, 0.3333, 1.0, -0.5, 5.5])
def test_leaky_relu_matches_torch(slope):
    torch = pytest.importorskip("torch")
    assert calculate_gain("leaky_relu", slope) == torch.nn.init.calculate_gain("leaky_relu", slope)
    assert calculate_gain("leaky_relu", slope) == math.sqrt(2.0 / (1 + slope**2))


def test_leaky_relu_numpy_float_param():
    np = pytest.importorskip("numpy")
    # np.float64 is a float subclass: accepted, as in torch.
    assert calculate_gain("leaky_relu", np.float64(0.2)) == math.sqrt(2.0 / 1.04)


@pytest.mark.parametrize("param", [True, False, "0.1", [0.1], complex(0.1, 0)])
def test_leaky_relu_bad_param(param):
    with pytest.raises(ValueError, match="negative_slope .* not a valid number"):
        calculate_gain("leaky_relu", param)


def test_leaky_relu_bad_param_torch_agrees():
    torch = pytest.importorskip("torch")
    for param in [True, "0.1"]:
        with pytest.raises(ValueError, match="not a valid number"):
            torch.nn.init.calculate_gain("leaky_relu", param)


@pytest.mark.parametrize("name", ["gelu", "ReLU", "Linear", "", None, 1, "leaky-relu"])
def test_calculate_gain_unknown(name):
    with pytest.raises(ValueError, match="Unsupported nonlinearity") as info:
        calculate_gain(name)
    # the message names the supported choices
    for choice in NONLINEARITIES:
        assert choice in str(info.value)


# --------------------------------------------------------------------------
# fan_for_mode (jax variance_scaling denominators)
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "fan_in,fan_out,mode,expected",
    [
        (27, 576, "fan_in", 27.0),
        (27, 576, "fan_out", 576.0),
        (27, 576, "fan_avg", 301.5),
        (27, 576, "fan_geo_avg", math.sqrt(27 * 576)),
        (20, 10, "fan_in", 20.0),
        (20, 10, "fan_out", 10.0),
        (20, 10, "fan_avg", 15.0),
        (20, 10, "fan_geo_avg", math.sqrt(200.0)),
        (4, 9, "fan_geo_avg", 6.0),
        (3, 4, "fan_avg", 3.5),
        (0, 0, "fan_avg", 0.0),
    ],
)
def test_fan_for_mode(fan_in, fan_out, mode, expected):
    result = fan_for_mode(fan_in, fan_out, mode)
    assert result == expected
    assert type(result) is float


def test_fan_for_mode_every_mode():
    fi, fo = compute_fans((64, 3, 3, 3))
    got = {m: fan_for_mode(fi, fo, m) for m in MODES}
    assert got == {
        "fan_in": 27.0,
        "fan_out": 576.0,
        "fan_avg": (27 + 576) / 2,
        "fan_geo_avg": 124.70765814495917,
    }


@pytest.mark.parametrize("mode", ["fan_sum", "FAN_IN", "", None, "avg"])
def test_fan_for_mode_unknown(mode):
    with pytest.raises(ValueError) as info:
        fan_for_mode(3, 4, mode)
    for choice in MODES:
        assert choice in str(info.value)
