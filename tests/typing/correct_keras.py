"""A correct script using keras: `mypy --strict` must accept every line, and it runs (tests/test_typing.py, which
runs it on the numpy backend)."""
from typing_extensions import assert_type

import numpy as np

import xinit_c as xi
from xinit_c import keras as xk

glorot = xk.GlorotUniform(seed=0)
assert_type(glorot, xk.GlorotUniform)
kernel = np.asarray(glorot((3, 3, 16, 32), "float32"))
assert kernel.shape == (3, 3, 16, 32)
xk.VarianceScaling(2.0, "fan_out", "uniform", seed=xi.Generator(1), input_axes=[0], output_axes=[1])((4, 5))
xk.HeNormal(input_axes=(2,), output_axes=(3,))
xk.TruncatedNormal(0.0, 0.02, seed=None)
xk.Orthogonal(gain=2.0, seed=3)
xk.Constant([1.0, 2.0])
xk.Identity(0.5)
xk.Zeros()
config: dict[str, object] = xk.RandomUniform(-1.0, 1.0, seed=0).get_config()
copy = xk.RandomUniform.from_config(config)
assert_type(copy, xk.RandomUniform)
seed: int | xi.Generator | None = copy.seed
