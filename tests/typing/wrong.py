"""Wrong calls: `mypy --strict` must report the error code after `# E:` on each marked line, and nothing else."""
import numpy as np

import xinit_c as xi
from xinit_c.initializers import GlorotUniform, VarianceScaling

w = np.empty((512, 256), np.float32)
xi.xavier_uniform_([[0.0] * 256] * 512)  # E: type-var
xi.xavier_uniform_(w, gain="big")  # E: arg-type
xi.xavier_uniform_(w, generator=np.random.default_rng(0))  # E: arg-type
xi.kaiming_uniform_(w, mode=5)  # E: arg-type
xi.kaiming_uniform_(w, mode="fan_avg")  # E: arg-type
xi.kaiming_normal_(w, nonlinearity="swish")  # E: arg-type
xi.variance_scaling_(w, distribution="gaussian")  # E: arg-type
xi.lecun_normal_(w, layout="caffe")  # E: arg-type
xi.uniform_(w, "0", "1")  # E: arg-type
xi.normal_(w, 0.0, 1.0, seed=0)  # E: call-arg
xi.trunc_normal_(w, threads=2.5)  # E: arg-type
xi.constant_(w)  # E: call-arg
xi.xavier_normal_(w, fan_in=27.0)  # E: arg-type
xi.zeros_(w, offset="0")  # E: arg-type
xi.compute_fans((64, 3, 3, 3), "tf")  # E: arg-type
xi.compute_fans(64)  # E: arg-type
xi.calculate_gain("gelu")  # E: arg-type
xi.describe("orthogonal", (3, 4))  # E: arg-type
xi.Generator("seed")  # E: arg-type
xi.Generator(0).advance(1.5)  # E: arg-type
xi.set_num_threads("4")  # E: arg-type
xi.set_simd(2)  # E: arg-type
bad: int = xi.describe("xavier_uniform", (3, 4))["distribution"]  # E: assignment
wrong_type: list[float] = xi.uniform_(w)  # E: assignment
GlorotUniform(seed=1.5)  # E: arg-type
VarianceScaling(mode="fan_max")  # E: arg-type
not_an_array: list[float] = GlorotUniform()((3, 3))  # E: assignment
