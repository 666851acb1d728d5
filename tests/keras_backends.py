"""xinit_c.keras on one Keras backend: ``python keras_backends.py BACKEND``.

Keras fixes its backend when it is first imported (from KERAS_BACKEND), so tests/test_keras.py runs this script
in a subprocess per backend. It asserts as it goes (a failure exits non-zero with the traceback) and prints, last,
a JSON line naming the backend Keras used and how many checks ran.
"""
import contextlib
import doctest
import json
import math
import os
import sys
import tempfile

BACKEND = sys.argv[1]
os.environ["KERAS_BACKEND"] = BACKEND

import keras  # noqa: E402  (after KERAS_BACKEND)
import numpy as np  # noqa: E402
from keras.src.initializers.random_initializers import compute_fans as keras_fans  # noqa: E402

import xinit_c  # noqa: E402
import xinit_c.keras as xk  # noqa: E402
from xinit_c import initializers as core  # noqa: E402

CHECKS = 0
FLOATS = ["float16", "bfloat16", "float32", "float64"]
TENSOR_TYPES = {"numpy": "numpy.ndarray", "torch": "torch.Tensor", "jax": "jax.Array", "tensorflow": "tf.Tensor"}


def check(condition, message):
    global CHECKS
    assert condition, message
    CHECKS += 1


def host(tensor):
    return keras.ops.convert_to_numpy(tensor)


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def is_backend_tensor(value):
    if BACKEND == "numpy":
        return type(value) is np.ndarray
    if BACKEND == "torch":
        import torch
        return isinstance(value, torch.Tensor)
    if BACKEND == "jax":
        import jax
        return isinstance(value, jax.Array)
    return keras.ops.is_tensor(value)


# (Keras class, the xinit_c.initializers class with the same arguments, positional args, keyword args)
RANDOM_CASES = [
    (xk.VarianceScaling, core.VarianceScaling, (2.0, "fan_out", "uniform"), {}),
    (xk.VarianceScaling, core.VarianceScaling, (0.5, "fan_avg", "untruncated_normal"), {}),
    (xk.VarianceScaling, core.VarianceScaling, (1.0, "fan_in", "truncated_normal"), {}),
    (xk.GlorotUniform, core.GlorotUniform, (), {}),
    (xk.GlorotNormal, core.GlorotNormal, (), {}),
    (xk.HeUniform, core.HeUniform, (), {}),
    (xk.HeNormal, core.HeNormal, (), {}),
    (xk.LecunUniform, core.LecunUniform, (), {}),
    (xk.LecunNormal, core.LecunNormal, (), {}),
    (xk.RandomUniform, core.RandomUniform, (-0.5, 2.0), {}),
    (xk.RandomNormal, core.RandomNormal, (1.0, 0.25), {}),
    (xk.TruncatedNormal, core.TruncatedNormal, (-1.0, 0.5), {}),
    (xk.Orthogonal, core.Orthogonal, (1.5,), {}),
    (xk.XavierInitializer, core.XavierInitializer, (True,), {}),
    (xk.XavierInitializer, core.XavierInitializer, (False,), {}),
]
CONSTANT_CASES = [
    (xk.Zeros, core.Zeros, (), {}),
    (xk.Ones, core.Ones, (), {}),
    (xk.Constant, core.Constant, (0.75,), {}),
    (xk.Constant, core.Constant, ([1.0, 2.0, 3.0, 4.0, 5.0],), {}),
    (xk.Identity, core.Identity, (3.0,), {}),
]
SHAPES = [(6, 5), (3, 3, 4, 5), (5,), (2, 3, 5, 4, 5), (1, 5), (33, 5), (0, 5)]


def values_equal_the_core_initializers():
    dtypes = FLOATS + [None]
    if BACKEND == "jax":
        import jax
        refused(lambda: xk.HeUniform(seed=0)((2, 2), "float64"), TypeError, "HeUniform", "jax_enable_x64")
        refused(lambda: xk.Zeros()((2, 2), "int64"), TypeError, "Zeros", "jax_enable_x64")
    # float64 needs JAX's 64-bit mode, on for these values only: the model below trains in JAX's default mode
    with (jax.enable_x64(True) if BACKEND == "jax" else contextlib.nullcontext()):
        for keras_cls, core_cls, args, kwargs in RANDOM_CASES + CONSTANT_CASES:
            for shape in SHAPES:
                if keras_cls is xk.Identity and len(shape) != 2 or keras_cls is xk.Orthogonal and len(shape) < 2:
                    continue
                for dtype in dtypes:
                    seed = {"seed": 11} if keras_cls in [c[0] for c in RANDOM_CASES] else {}
                    got = keras_cls(*args, **kwargs, **seed)(shape, dtype)
                    expected = core_cls(*args, **kwargs, **seed)(shape, dtype or keras.config.floatx())
                    check(is_backend_tensor(got), f"{keras_cls.__name__} returned a {type(got)}, not a "
                                                  f"{TENSOR_TYPES.get(BACKEND)}")
                    check(keras.backend.standardize_dtype(got.dtype) == (dtype or keras.config.floatx()),
                          f"{keras_cls.__name__}{shape} {dtype}: got dtype {got.dtype}")
                    check(same_bits(host(got), expected), f"{keras_cls.__name__}{args} {shape} {dtype}: other values")
        for init, value in [(xk.Zeros(), 0), (xk.Ones(), 1), (xk.Constant(1), 1)]:
            for dtype in ["int32", "uint8", "bool"]:
                got = host(init((2, 3), dtype))
                check(keras.backend.standardize_dtype(got.dtype) == dtype and (got == np.array(value, dtype)).all(),
                      f"{init!r} {dtype}: {got}")
        # Keras would cast 0.75 to 0; xinit_c's constant_ refuses a value the dtype cannot hold
        refused(lambda: xk.Constant(0.75)((2,), "int32"), ValueError, "Constant", "int32")


def keras_axes_give_keras_fans():
    # Keras 3 with input_axes and output_axes: the fans are the products over those axes only; the expected values
    # are a uniform / normal fill with Keras's bound computed here from Keras's own compute_fans
    shape = (2, 5, 16, 24)
    fan_in, fan_out = keras_fans(shape, [2], [3])
    for mode, n in [("fan_in", fan_in), ("fan_out", fan_out), ("fan_avg", (fan_in + fan_out) / 2)]:
        limit = math.sqrt(3.0 * 2.0 / n)
        got = xk.VarianceScaling(2.0, mode, "uniform", seed=4, input_axes=[2], output_axes=[3])(shape)
        check(same_bits(host(got), core.RandomUniform(-limit, limit, seed=4)(shape, keras.config.floatx())),
              f"uniform {mode} over axes")
        got = xk.VarianceScaling(2.0, mode, "untruncated_normal", seed=4, input_axes=[-2], output_axes=[-1])(shape)
        check(same_bits(host(got), core.RandomNormal(0.0, math.sqrt(2.0 / n), seed=4)(shape, keras.config.floatx())),
              f"normal {mode} over axes")
    # an axis in both groups, as Keras allows: (4, 6) with [0] / [0] has fans (4, 4); [0, 1] / [1] has (24, 6)
    for inputs, outputs in [([0], [0]), ([0, 1], [1])]:
        fan_in, fan_out = keras_fans((4, 6), inputs, outputs)
        limit = math.sqrt(3.0 * 2.0 / ((fan_in + fan_out) / 2))
        got = xk.VarianceScaling(2.0, "fan_avg", "uniform", seed=5, input_axes=inputs, output_axes=outputs)((4, 6))
        check(same_bits(host(got), core.RandomUniform(-limit, limit, seed=5)((4, 6), keras.config.floatx())),
              f"uniform over overlapping axes {inputs} {outputs}")
    refused(lambda: xk.GlorotUniform(seed=1, input_axes=[0], output_axes=[5])((4, 6)), ValueError,
            "GlorotUniform", "axis 5")
    # only one of them: Keras ignores it, and so the default fans apply
    check(same_bits(host(xk.HeUniform(seed=4, input_axes=[2])(shape)), core.HeUniform(seed=4)(shape)),
          "a lone input_axes changes nothing")
    # Keras reads "normal" as the truncated normal
    check(same_bits(host(xk.VarianceScaling(distribution="Normal", seed=2)((8, 8))),
                    core.VarianceScaling(distribution="truncated_normal", seed=2)((8, 8))),
          "Keras's 'normal' is the truncated normal")


def refused(call, error, *words):
    try:
        call()
    except error as exc:
        check(all(word in str(exc) for word in words), f"{exc!r} does not name {words}")
        return
    raise AssertionError(f"{call} did not raise {error.__name__}")


def bad_input_is_refused():
    refused(lambda: xk.GlorotUniform(seed=0)((4, 4), "int32"), TypeError, "GlorotUniform", "int32")
    refused(lambda: xk.Orthogonal(seed=0)((4, 4), "float8_e4m3fn"), TypeError, "Orthogonal")
    refused(lambda: xk.HeNormal(seed=keras.random.SeedGenerator(1)), TypeError, "HeNormal", "SeedGenerator")
    refused(lambda: xk.RandomNormal(seed=-1), ValueError, "RandomNormal", "seed")
    refused(lambda: xk.RandomUniform(seed=1.5), TypeError, "RandomUniform", "seed")
    refused(lambda: xk.VarianceScaling(mode="fan_sum"), ValueError, "VarianceScaling", "fan_sum")
    refused(lambda: xk.VarianceScaling(distribution="cauchy"), ValueError, "VarianceScaling", "cauchy")
    refused(lambda: xk.RandomUniform(1.0, -1.0), ValueError, "RandomUniform")
    refused(lambda: xk.Identity()((2, 3, 4)), ValueError, "Identity")
    refused(lambda: xk.Orthogonal(seed=0)((4,)), ValueError, "Orthogonal")
    refused(lambda: xk.GlorotUniform.from_config({**xk.GlorotUniform(seed=0).get_config(), "stream_version": 1}),
            ValueError, "stream version")


def seeds_follow_keras():
    shape = (16, 8)
    init = xk.GlorotNormal(seed=3)
    check(same_bits(host(init(shape)), host(init(shape))), "an int seed gives the same values on every call")
    # None: an int drawn from Python's random at construction, as Keras 3 draws one
    keras.utils.set_random_seed(1234)
    first, second = xk.GlorotNormal(), xk.GlorotNormal()
    keras.utils.set_random_seed(1234)
    again = xk.GlorotNormal()
    check(isinstance(first.seed, int) and first.seed == again.seed and first.seed != second.seed,
          f"drawn seeds {first.seed}, {second.seed}, {again.seed}")
    check(same_bits(host(first(shape)), core.GlorotNormal(seed=first.seed)(shape)), "a drawn seed is a seed")
    check(same_bits(host(first(shape)), host(first(shape))), "an unseeded initializer repeats, as Keras's does")
    check(first.get_config()["seed"] == first.seed, "the drawn seed is in the config")
    # a Generator advances on each call, as the core's does
    mine, theirs = xk.RandomNormal(seed=xinit_c.Generator(9)), core.RandomNormal(seed=xinit_c.Generator(9))
    a, b = host(mine(shape)), host(mine(shape))
    check(not np.array_equal(a, b), "a Generator gives new values on each call")
    check(same_bits(a, theirs(shape, keras.config.floatx())) and same_bits(b, theirs(shape, keras.config.floatx())),
          "a Generator's values are the core's")


def configs_round_trip():
    everything = RANDOM_CASES + CONSTANT_CASES
    for keras_cls, _, args, kwargs in everything:
        random_scheme = keras_cls in [c[0] for c in RANDOM_CASES]
        for seed in ([5, xinit_c.Generator(5), None] if random_scheme else [None]):
            init = keras_cls(*args, **kwargs, **({"seed": seed} if random_scheme else {}))
            if seed is not None and not isinstance(seed, int):
                init((4, 5))   # the generator has moved: the config must carry where it stands
            serialized = json.loads(json.dumps(keras.saving.serialize_keras_object(init)))
            check(serialized["registered_name"] == f"xinit_c>{keras_cls.__name__}", serialized["registered_name"])
            copy = keras.saving.deserialize_keras_object(serialized)
            check(type(copy) is keras_cls and copy.get_config() == init.get_config(),
                  f"{keras_cls.__name__}: {copy.get_config()} != {init.get_config()}")
            check(same_bits(host(copy((4, 5))), host(init((4, 5)))), f"{keras_cls.__name__}: next values differ")
    # the registered names do not hide Keras's own initializers
    check(type(keras.initializers.get("GlorotUniform")) is keras.initializers.GlorotUniform, "Keras's own name")
    check(keras.saving.get_registered_object("xinit_c>GlorotUniform") is xk.GlorotUniform, "our registered name")


def build_model():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, kernel_initializer=xk.HeNormal(seed=1),
                            bias_initializer=xk.Constant(0.1), name="conv")(inputs)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(6, activation="tanh", kernel_initializer=xk.Orthogonal(seed=xinit_c.Generator(2)),
                           bias_initializer=xk.Zeros(), name="hidden")(x)
    outputs = keras.layers.Dense(2, kernel_initializer=xk.GlorotUniform(seed=3), name="out")(x)
    return keras.Model(inputs, outputs)


INITIALIZER_KEYS = ("kernel_initializer", "bias_initializer")


def initializer_configs(model):
    return {layer.name: {key: layer.get_config()[key] for key in INITIALIZER_KEYS}
            for layer in model.layers if "kernel_initializer" in layer.get_config()}


def a_model_trains_saves_and_loads(work):
    model = build_model()
    initial = {w.path: host(w) for w in model.weights}
    check(same_bits(initial["conv/kernel"], core.HeNormal(seed=1)((3, 3, 3, 4), keras.config.floatx())),
          "the Conv2D kernel is the core's HeNormal")
    check(same_bits(initial["conv/bias"], np.full(4, 0.1, keras.config.floatx())), "the Constant bias")
    check(same_bits(initial["out/kernel"], core.GlorotUniform(seed=3)((6, 2), keras.config.floatx())),
          "the Dense kernel is the core's GlorotUniform")
    check(same_bits(initial["hidden/kernel"], core.Orthogonal(seed=xinit_c.Generator(2))((144, 6))),
          "the Orthogonal kernel")
    x = np.random.default_rng(0).standard_normal((4, 8, 8, 3)).astype("float32")
    y = np.random.default_rng(1).standard_normal((4, 2)).astype("float32")
    if BACKEND == "numpy":   # the numpy backend cannot train: forward only
        out = host(model(x))
        check(out.shape == (4, 2) and np.isfinite(out).all(), "the forward pass")
    else:
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
        loss = model.fit(x, y, batch_size=4, epochs=1, verbose=0).history["loss"][0]
        check(math.isfinite(loss), f"loss {loss}")
        trained = {w.path: host(w) for w in model.weights}
        check(all(not np.array_equal(trained[p], initial[p]) for p in initial), "one step changed every weight")
    path = os.path.join(work, "model.keras")
    model.save(path)
    for custom_objects in [None, {name: getattr(xk, name) for name in xk.__all__}]:
        loaded = keras.saving.load_model(path, custom_objects=custom_objects)
        saved, reloaded = initializer_configs(model), initializer_configs(loaded)
        for name in ["conv", "out"]:   # int seeds: the same initializers
            check(reloaded[name] == saved[name], f"{name}: {reloaded[name]} != {saved[name]}")
        # loading builds the model, which calls each initializer once: the Generator-seeded one has moved on by
        # that draw, as the original would have
        check(reloaded["hidden"]["bias_initializer"] == saved["hidden"]["bias_initializer"], "Zeros")
        original = model.get_layer("hidden").kernel_initializer.clone()
        original((144, 6))
        check(reloaded["hidden"]["kernel_initializer"]["config"] == original.get_config(),
              "the Generator-seeded initializer is one build further on")
        for layer in model.layers:
            if "kernel_initializer" in layer.get_config():
                mine, theirs = layer.kernel_initializer, loaded.get_layer(layer.name).kernel_initializer
                check(type(theirs) is type(mine), f"{layer.name}: {type(theirs)}")
                if layer.name != "hidden":
                    check(same_bits(host(theirs((5, 5))), host(mine((5, 5)))), f"{layer.name}: next values")
        # a copy built from the loaded model's config has the original's initial weights where the seeds are ints,
        # and the Generator-seeded layer draws what the generator gives next
        fresh = keras.Model.from_config(loaded.get_config())
        fresh_weights = {w.path: host(w) for w in fresh.weights}
        for name in ["conv/kernel", "conv/bias", "out/kernel", "out/bias", "hidden/bias"]:
            check(same_bits(fresh_weights[name], initial[name]), f"{name} of a fresh copy")
        draws = core.Orthogonal(seed=xinit_c.Generator(2))
        expected = [draws((144, 6)) for _ in range(3)][-1]   # the model's build, the load's, the copy's
        check(same_bits(fresh_weights["hidden/kernel"], expected), "the fresh copy's Orthogonal kernel")


def the_examples_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    for test in finder.find(xk):
        runner.run(test, out=report.append)
    results = runner.summarize(verbose=False)
    check(results.attempted >= 15 and results.failed == 0, "".join(report))


if __name__ == "__main__":
    check(keras.backend.backend() == BACKEND, f"Keras runs on {keras.backend.backend()}, not {BACKEND}")
    values_equal_the_core_initializers()
    keras_axes_give_keras_fans()
    bad_input_is_refused()
    seeds_follow_keras()
    configs_round_trip()
    with tempfile.TemporaryDirectory() as work:
        a_model_trains_saves_and_loads(work)
    the_examples_run()
    print(json.dumps({"backend": keras.backend.backend(), "checks": CHECKS}))
