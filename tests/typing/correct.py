"""A correct user script: `mypy --strict` must accept every line, and it runs (tests/test_typing.py)."""
import array
import copy
import mmap
from typing import Any
from typing_extensions import assert_type

import numpy as np
import numpy.typing as npt

import xinit_c as xi
from xinit_c.initializers import GlorotUniform, VarianceScaling, get

g = xi.Generator(1234)
assert_type(g.advance(8).position, int)
children: list[xi.Generator] = g.spawn(2)
resumed = copy.copy(xi.Generator(key=(1, 2), stream=3, position=4))
assert_type(resumed.key, tuple[int, int])

w: npt.NDArray[np.float32] = np.empty((512, 256), np.float32)
assert_type(xi.xavier_uniform_(w, generator=g), npt.NDArray[np.float32])
assert_type(xi.xavier_normal_(w, 1.5, generator=g, threads=2), npt.NDArray[np.float32])
xi.kaiming_uniform_(w, a=5 ** 0.5, generator=g)
xi.kaiming_normal_(w, 0, "fan_out", "relu", generator=g, layout="torch")
xi.variance_scaling_(np.empty((3, 3, 16, 32)), 2.0, "fan_avg", "uniform", layout="keras")
xi.lecun_uniform_(w, fan_in=256, fan_out=np.int64(512))
xi.lecun_normal_(w, layout="jax")
xi.uniform_(w, np.float32(-1), 1)
xi.normal_(w, mean=0.0, std=0.02)
xi.trunc_normal_(w, std=0.02, a=-0.04, b=0.04)
xi.zeros_(w)
xi.ones_(w)
xi.constant_(w, 0.5)
words: npt.NDArray[np.uint64] = np.empty(4, np.uint64)
assert_type(xi.random_bits_(words, generator=g), npt.NDArray[np.uint64])

# a block of a larger tensor, and a flat shard of it
block = xi.xavier_uniform_(np.empty((128, 256), np.float32), generator=xi.Generator(0),
                           global_shape=(512, 256), offset=(128, 0))
shard = xi.xavier_uniform_(np.empty(1024, np.float32), generator=xi.Generator(0), global_shape=[512, 256],
                           offset=2048)

# any writable buffer of float32 or float64 elements
assert_type(xi.uniform_(array.array("f", bytes(16))), "array.array[float]")
with mmap.mmap(-1, 64) as mapped:
    xi.normal_(memoryview(mapped).cast("d"))
    assert_type(xi.normal_(np.frombuffer(mapped, np.float32)), npt.NDArray[np.float32])

fan_in, fan_out = xi.compute_fans((64, 3, 3, 3))
xi.compute_fans([3, 3, 16, 32], "keras")
xi.compute_fans((8, 20, 10), "jax", batch_axis=0, in_axis=(1,))
gain: float = xi.calculate_gain("leaky_relu", 0.2)
spec = xi.describe("kaiming_normal", (64, 3, 3, 3), nonlinearity="relu")
std: float = spec["std"]
assert spec["distribution"] == "normal" and spec["fan_in"] == fan_in

xi.manual_seed(0)
default: xi.Generator = xi.default_generator()
xi.set_num_threads(xi.get_num_threads())
xi.set_simd(xi.simd_backends()[0])
xi.set_simd("best")
variant: str = xi.get_simd()
version: int = xi.STREAM_VERSION
include: str = xi.get_include()
address, function_type = xi.capi_functions()["uniform_f32"]
xi.constant_(np.empty((2, 3), np.int8), [1, 2, 3])
xi.constant_(np.empty(2, np.complex64), 1 - 2j)

# initializer objects: a new array, or out= keeping its type

init = GlorotUniform(seed=0)
assert_type(init((3, 3, 16, 32)), npt.NDArray[Any])
assert_type(init((512, 256), out=w), npt.NDArray[np.float32])
config: dict[str, Any] = init.get_config()
assert_type(GlorotUniform.from_config(config), GlorotUniform)
VarianceScaling(2.0, "fan_avg", "uniform", seed=g, in_axis=0, out_axis=(1, 2))((64, 8, 16), "float64")
named = get("he_normal")
tf1 = xi.xavier_initializer(uniform=False, seed=1)
assert_type(tf1([4, 4]), npt.NDArray[Any])
