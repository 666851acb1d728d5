"""xinit_c.initializers: the Keras/JAX-style objects, TensorFlow 1's xavier_initializer, configs and seeds.

Expected values come from the formulas as Keras 3 (keras/src/initializers/random_initializers.py,
VarianceScaling.__call__) and TensorFlow 1 (tensorflow/contrib/layers/python/layers/initializers.py,
variance_scaling_initializer) write them, applied to the in-place fills with the fans worked out by hand."""
import json
import math

import numpy as np
import pytest
from scipy import stats

import xinit_c as xi
from xinit_c import initializers as inits

# Keras's own test shapes for its kernels: Dense, Conv1D, Conv2D, Conv3D (*kernel, in, out), with their fans
KERAS_SHAPES = {
    (64, 128): (64, 128),
    (3, 16, 32): (48, 96),
    (3, 3, 64, 128): (576, 1152),
    (3, 3, 3, 8, 16): (216, 432),
}

# name -> (class, scale, the fan it divides by, distribution)
SCHEMES = {
    "glorot_uniform": (inits.GlorotUniform, 1.0, lambda fi, fo: (fi + fo) / 2.0, "uniform"),
    "glorot_normal": (inits.GlorotNormal, 1.0, lambda fi, fo: (fi + fo) / 2.0, "truncated_normal"),
    "he_uniform": (inits.HeUniform, 2.0, lambda fi, fo: float(fi), "uniform"),
    "he_normal": (inits.HeNormal, 2.0, lambda fi, fo: float(fi), "truncated_normal"),
    "lecun_uniform": (inits.LecunUniform, 1.0, lambda fi, fo: float(fi), "uniform"),
    "lecun_normal": (inits.LecunNormal, 1.0, lambda fi, fo: float(fi), "truncated_normal"),
}

# Keras: the std of a standard normal truncated to [-2, 2]
TRUNCATION_STD = 0.87962566103423978


def keras_fill(shape, scale, n, distribution, seed, dtype=np.float32):
    """What Keras's VarianceScaling computes, drawn through our plain fills from Generator(seed)."""
    out = np.empty(shape, dtype)
    scale = scale / n
    if distribution == "uniform":
        limit = math.sqrt(3.0 * scale)
        return xi.uniform_(out, -limit, limit, generator=xi.Generator(seed))
    stddev = math.sqrt(scale) / TRUNCATION_STD
    return xi.trunc_normal_(out, 0.0, stddev, -2.0 * stddev, 2.0 * stddev, generator=xi.Generator(seed))


@pytest.mark.parametrize("shape", KERAS_SHAPES)
@pytest.mark.parametrize("name", SCHEMES)
def test_fan_schemes_follow_keras_formulas_and_layout(name, shape):
    cls, scale, fan, distribution = SCHEMES[name]
    fan_in, fan_out = KERAS_SHAPES[shape]
    got = cls(seed=11)(shape)
    assert got.dtype == np.float32 and got.shape == shape
    np.testing.assert_array_equal(got, keras_fill(shape, scale, fan(fan_in, fan_out), distribution, 11))


def test_torch_layout_reads_fans_from_out_in_kernel():
    # a torch Conv2d(64, 128, 3) weight is (128, 64, 3, 3): fan_in 576, fan_out 1152, as the Keras kernel above
    got = inits.GlorotUniform(seed=2, layout="torch")((128, 64, 3, 3))
    np.testing.assert_array_equal(got, keras_fill((128, 64, 3, 3), 1.0, (576 + 1152) / 2.0, "uniform", 2))
    # read in Keras's layout the same shape has other fans: (3 * 8192, 3 * 8192)
    assert not np.array_equal(inits.GlorotUniform(seed=2)((128, 64, 3, 3)), got)


def test_variance_scaling_options_and_jax_axes():
    shape = (64, 8, 16)   # an attention kernel (embed, heads, head_dim): in_axis=0, out_axis=(1, 2)
    got = inits.VarianceScaling(2.0, "fan_avg", "uniform", seed=4, in_axis=0, out_axis=(1, 2))(shape)
    np.testing.assert_array_equal(got, keras_fill(shape, 2.0, (64 + 128) / 2.0, "uniform", 4))
    got = inits.VarianceScaling(1.0, "fan_geo_avg", "untruncated_normal", seed=4)((30, 120))
    expected = xi.normal_(np.empty((30, 120), np.float32), 0.0, math.sqrt(1.0 / math.sqrt(30 * 120)),
                          generator=xi.Generator(4))
    np.testing.assert_array_equal(got, expected)
    # JAX's 1-D shape with explicit axes: fans (2, 1)
    got = inits.VarianceScaling(1.0, "fan_in", "uniform", seed=4, in_axis=[0], out_axis=[])((2,))
    np.testing.assert_array_equal(got, keras_fill((2,), 1.0, 2.0, "uniform", 4))
    assert inits.VarianceScaling(in_axis=0, out_axis=1).layout == "jax"


@pytest.mark.parametrize("name", ["glorot_normal", "he_normal"])
def test_truncated_schemes_have_the_stated_law(name):
    cls, scale, fan, _ = SCHEMES[name]
    w = cls(seed=5)((400, 300), "float64").ravel()
    std = math.sqrt(scale / fan(400, 300)) / TRUNCATION_STD
    law = stats.truncnorm(-2.0, 2.0, scale=std)
    assert stats.kstest(w, law.cdf).pvalue > 1e-4
    assert abs(w.var() / (scale / fan(400, 300)) - 1) < 0.02   # the variance is scale / n, not before truncation


def test_plain_distributions():
    np.testing.assert_array_equal(inits.RandomUniform(-1.0, 3.0, seed=1)((5, 7)),
                                  xi.uniform_(np.empty((5, 7), np.float32), -1.0, 3.0, generator=xi.Generator(1)))
    np.testing.assert_array_equal(inits.RandomNormal(0.5, 2.0, seed=1)((5, 7)),
                                  xi.normal_(np.empty((5, 7), np.float32), 0.5, 2.0, generator=xi.Generator(1)))
    np.testing.assert_array_equal(
        inits.TruncatedNormal(0.5, 2.0, seed=1)((5, 7)),
        xi.trunc_normal_(np.empty((5, 7), np.float32), 0.5, 2.0, -3.5, 4.5, generator=xi.Generator(1)))
    assert inits.RandomUniform(seed=0).get_config()["minval"] == -0.05   # Keras's defaults
    assert inits.TruncatedNormal(seed=0).get_config()["stddev"] == 0.05


def test_constants():
    assert inits.Zeros()((2, 3), "int16").tolist() == [[0] * 3] * 2
    assert inits.Ones()((2,), "bool").tolist() == [True, True]
    assert inits.Constant(7)((3,), "uint8").tolist() == [7, 7, 7]
    got = inits.Constant([[1.5], [2.5]])((2, 3), "float64")
    assert got.tolist() == [[1.5] * 3, [2.5] * 3]
    value = np.arange(3.0)
    init = inits.Constant(value)
    value[0] = 99.0   # the initializer holds its own copy
    assert init((3,)).tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(TypeError, match="Constant"):
        inits.Constant(["a", "b"])


def test_orthogonal_and_identity():
    q = inits.Orthogonal(seed=3)((3, 3, 4, 8), "float64").reshape(36, 8)   # Keras: (prod(shape[:-1]), shape[-1])
    np.testing.assert_allclose(q.T @ q, np.eye(8), atol=1e-12)
    q = inits.Orthogonal(2.0, seed=3, layout="torch")((8, 4, 3, 3), "float32").reshape(8, 36)   # torch: rows
    np.testing.assert_allclose(q @ q.T, 4.0 * np.eye(8), atol=1e-5)
    assert inits.Identity(3.0)((2, 3), "float64").tolist() == [[3.0, 0.0, 0.0], [0.0, 3.0, 0.0]]
    with pytest.raises(ValueError, match="Orthogonal"):
        inits.Orthogonal(seed=0)((5,))


# --------------------------------------------------------------------------
# seeds
# --------------------------------------------------------------------------

def test_an_int_seed_gives_the_same_values_on_every_call():
    init = inits.HeNormal(seed=9)
    first = init((20, 30))
    np.testing.assert_array_equal(init((20, 30)), first)
    np.testing.assert_array_equal(inits.HeNormal(seed=9)((20, 30)), first)
    assert not np.array_equal(inits.HeNormal(seed=10)((20, 30)), first)


def test_a_generator_seed_advances():
    g = xi.Generator(9)
    init = inits.HeNormal(seed=g)
    first, second = init((20, 30)), init((20, 30))
    assert g.position == 2 * 600
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, inits.HeNormal(seed=9)((20, 30)))   # Generator(9)'s first words


def test_no_seed_draws_from_the_default_generator():
    xi.manual_seed(21)
    first = inits.GlorotUniform()((4, 5))
    np.testing.assert_array_equal(first, inits.GlorotUniform(seed=21)((4, 5)))
    assert xi.default_generator().position == 20
    assert not np.array_equal(inits.GlorotUniform()((4, 5)), first)


@pytest.mark.parametrize("seed", [True, 1.5, "1", [1]])
def test_bad_seeds_are_refused_naming_the_class(seed):
    with pytest.raises(TypeError, match="GlorotUniform: seed"):
        inits.GlorotUniform(seed=seed)


def test_a_negative_seed_is_refused():
    with pytest.raises(ValueError, match="HeUniform: seed"):
        inits.HeUniform(seed=-1)


# --------------------------------------------------------------------------
# calling with out= and dtypes
# --------------------------------------------------------------------------

def test_out_is_filled_in_place_and_returned(float_dtype):
    out = np.empty((6, 4), float_dtype)
    assert inits.GlorotUniform(seed=1)((6, 4), out=out) is out
    np.testing.assert_array_equal(out, inits.GlorotUniform(seed=1)((6, 4), float_dtype))
    assert inits.GlorotUniform(seed=1)((6, 4), float_dtype).dtype == float_dtype


def test_out_must_match_shape_and_dtype():
    out = np.empty((6, 4), np.float32)
    with pytest.raises(ValueError, match="shape"):
        inits.GlorotUniform(seed=1)((4, 6), out=out)
    with pytest.raises(TypeError, match="dtype"):
        inits.GlorotUniform(seed=1)((6, 4), "float64", out=out)
    with pytest.raises(TypeError, match="dtype"):
        inits.GlorotUniform(seed=1)((6, 4), "not a dtype")


def test_torch_tensors_are_filled_in_place():
    torch = pytest.importorskip("torch", reason="torch is an optional extra")
    t = torch.empty(6, 4)
    assert inits.GlorotUniform(seed=1, layout="torch")((6, 4), out=t) is t
    np.testing.assert_array_equal(t.numpy(), inits.GlorotUniform(seed=1, layout="torch")((6, 4)))


def test_bad_options_are_refused_when_built():
    with pytest.raises(ValueError, match="mode"):
        inits.VarianceScaling(mode="fan_max")
    with pytest.raises(ValueError, match="distribution"):
        inits.VarianceScaling(distribution="cauchy")
    with pytest.raises(ValueError, match="layout"):
        inits.GlorotUniform(layout="tf")
    with pytest.raises(ValueError, match="layout='keras'"):
        inits.VarianceScaling(layout="keras", in_axis=0)
    with pytest.raises(TypeError, match="RandomNormal.*stddev|RandomNormal.*std"):
        inits.RandomNormal(stddev="big")
    with pytest.raises(ValueError, match="RandomUniform"):
        inits.RandomUniform(1.0, -1.0)


# --------------------------------------------------------------------------
# configs
# --------------------------------------------------------------------------

ALL = {
    "VarianceScaling": lambda seed: inits.VarianceScaling(0.5, "fan_out", "uniform", seed),
    "VarianceScaling2": lambda seed: inits.VarianceScaling(2.0, "fan_avg", seed=seed, in_axis=(0, 1), out_axis=2, batch_axis=()),
    "GlorotUniform": lambda seed: inits.GlorotUniform(seed),
    "GlorotNormal": lambda seed: inits.GlorotNormal(seed, layout="torch"),
    "HeUniform": lambda seed: inits.HeUniform(seed),
    "HeNormal": lambda seed: inits.HeNormal(seed),
    "LecunUniform": lambda seed: inits.LecunUniform(seed),
    "LecunNormal": lambda seed: inits.LecunNormal(seed),
    "RandomUniform": lambda seed: inits.RandomUniform(-2.0, 1.0, seed),
    "RandomNormal": lambda seed: inits.RandomNormal(1.0, 3.0, seed),
    "TruncatedNormal": lambda seed: inits.TruncatedNormal(0.0, 0.5, seed),
    "Orthogonal": lambda seed: inits.Orthogonal(1.5, seed),
    "xavier_initializer": lambda seed: xi.xavier_initializer(False, seed, np.float64),
    "Zeros": lambda seed: inits.Zeros(),
    "Ones": lambda seed: inits.Ones(),
    "Constant": lambda seed: inits.Constant(2.5),
    "Constant2": lambda seed: inits.Constant([[1.0, 2.0, 3.0, 4.0]]),
    "Identity": lambda seed: inits.Identity(2.0),
}


def through_json(config):
    return json.loads(json.dumps(config))


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("seed_kind", ["int", "generator", "default"])
def test_configs_round_trip_through_json_to_the_same_values(name, seed_kind):
    make = ALL[name]
    shape = (4, 4, 4) if "in_axis" in make(0).get_config() else (4, 4)
    seed = {"int": 12, "generator": xi.Generator(12).advance(100), "default": None}[seed_kind]
    xi.manual_seed(33)
    original = make(seed)
    original(shape)   # the state the config records is the one after this call
    config = original.get_config()
    reloaded = type(original).from_config(through_json(config))
    assert reloaded.get_config() == config
    np.testing.assert_array_equal(reloaded(shape), original(shape))
    restored = inits.get(through_json(inits.serialize(original)))
    assert type(restored) is type(original)


def test_configs_record_what_determines_the_values():
    config = inits.HeUniform(seed=Generator7()).get_config()
    assert config == {"layout": "keras", "seed": None, "key": list(Generator7().key), "stream": 7,
                      "position": 16, "stream_version": xi.STREAM_VERSION}
    assert inits.Constant(1.0).get_config() == {"value": 1.0}
    assert inits.Constant(np.array([1 + 2j])).get_config() == {"value": {"real": [1.0], "imag": [2.0]}}


def Generator7():
    return xi.Generator(key=(1, 2), stream=7, position=16)


def test_a_config_of_another_stream_version_is_refused():
    config = inits.GlorotUniform(seed=0).get_config()
    config["stream_version"] = xi.STREAM_VERSION + 1
    with pytest.raises(ValueError, match="stream version"):
        inits.GlorotUniform.from_config(config)


def test_keras_configs_without_stream_state_load():
    np.testing.assert_array_equal(inits.GlorotUniform.from_config({"seed": 3})((3, 3)),
                                  inits.GlorotUniform(seed=3)((3, 3)))
    init = inits.deserialize({"module": "keras.initializers", "class_name": "RandomNormal",
                              "config": {"mean": 0.0, "stddev": 1.0, "seed": None}, "registered_name": None})
    assert isinstance(init, inits.RandomNormal) and init.stddev == 1.0
    with pytest.raises(ValueError, match="key, stream and position"):
        inits.GlorotUniform.from_config({"seed": 3, "key": [1, 2]})


def test_get_takes_keras_names_configs_and_instances():
    for name, cls in [("glorot_uniform", inits.GlorotUniform), ("GlorotUniform", inits.GlorotUniform),
                      ("he_normal", inits.HeNormal), ("random_normal", inits.RandomNormal),
                      ("truncated_normal", inits.TruncatedNormal), ("variance_scaling", inits.VarianceScaling),
                      ("zeros", inits.Zeros), ("ones", inits.Ones), ("constant", inits.Constant),
                      ("orthogonal", inits.Orthogonal), ("identity", inits.Identity),
                      ("lecun_uniform", inits.LecunUniform)]:
        assert type(inits.get(name)) is cls
    init = inits.Ones()
    assert inits.get(init) is init and inits.get(None) is None
    with pytest.raises(ValueError, match="unknown initializer"):
        inits.get("glorot")
    with pytest.raises(TypeError):
        inits.get(3)


# --------------------------------------------------------------------------
# TensorFlow 1's xavier_initializer
# --------------------------------------------------------------------------

def test_the_articles_example():
    w = xi.xavier_initializer(seed=0)([4, 4])
    assert w.shape == (4, 4) and w.dtype == np.float32
    limit = math.sqrt(6 / 8)
    np.testing.assert_array_equal(w, xi.uniform_(np.empty((4, 4), np.float32), -limit, limit,
                                                 generator=xi.Generator(0)))


@pytest.mark.parametrize("shape, fans", [((4, 4), (4, 4)), ((3, 3, 64, 128), (576, 1152)), ((10,), (10, 10)),
                                         ((), (1, 1))])
def test_xavier_initializer_has_tensorflow_1_semantics(shape, fans):
    n = (fans[0] + fans[1]) / 2.0
    stddev = math.sqrt(1.3 / n)   # TF1: truncated_normal(stddev=sqrt(1.3 * factor / n)), cut at two stddevs
    expected = xi.trunc_normal_(np.empty(shape, np.float64), 0.0, stddev, -2 * stddev, 2 * stddev,
                                generator=xi.Generator(8))
    np.testing.assert_array_equal(xi.xavier_initializer(uniform=False, seed=8, dtype=np.float64)(shape), expected)
    limit = math.sqrt(3.0 / n)
    expected = xi.uniform_(np.empty(shape, np.float32), -limit, limit, generator=xi.Generator(8))
    np.testing.assert_array_equal(xi.xavier_initializer(seed=8)(shape), expected)


def test_xavier_initializer_arguments():
    assert xi.xavier_initializer(dtype="float16")((2, 2)).dtype == np.float16
    assert xi.xavier_initializer()((2, 2), "float64").dtype == np.float64
    with pytest.raises(TypeError, match="uniform"):
        xi.xavier_initializer(uniform="yes")
    with pytest.raises(TypeError, match="dtype"):
        xi.xavier_initializer(dtype=np.int32)
    assert xi.xavier_initializer(seed=1)((0, 5)).shape == (0, 5)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_dtypes_follow_the_fills(dtype):
    # JAX's conventions, through variance_scaling_ and normal_ (tests/test_complex.py checks those against the
    # oracle and the laws)
    for cls, scale, mode, distribution in [(inits.GlorotUniform, 1.0, "fan_avg", "uniform"),
                                           (inits.HeNormal, 2.0, "fan_in", "truncated_normal")]:
        expected = xi.variance_scaling_(np.empty((8, 6), dtype), scale, mode, distribution, layout="keras",
                                        generator=xi.Generator(3))
        np.testing.assert_array_equal(cls(seed=3)((8, 6), dtype), expected)
    np.testing.assert_array_equal(inits.RandomNormal(0.5, 2.0, seed=3)((8, 6), dtype),
                                  xi.normal_(np.empty((8, 6), dtype), 0.5, 2.0, generator=xi.Generator(3)))
    with pytest.raises(TypeError, match="TruncatedNormal.*trunc_normal_"):
        inits.TruncatedNormal(seed=3)((8, 6), dtype)
    with pytest.raises(TypeError, match="RandomUniform.*uniform_"):
        inits.RandomUniform(seed=3)((8, 6), dtype)
