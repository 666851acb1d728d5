"""A correct script using dask: `mypy --strict` must accept every line, and it runs (tests/test_typing.py)."""
import pathlib
import tempfile

import numpy as np
from dask.array.core import Array   # dask 2024.8 (the floor) does not export it from dask.array to mypy

import xinit_c as xi
from xinit_c import dask as xd

g = xi.Generator(0)
w: Array = xd.xavier_uniform((4000, 512), chunks=(1000, 256), generator=g, gain=2.0)
xd.xavier_normal((64, 3, 3, 3), dtype=np.float64, layout="torch", fan_in=27)
xd.kaiming_uniform((128, 64), a=5 ** 0.5)
xd.kaiming_normal((128, 64), mode="fan_out", nonlinearity="relu")
xd.lecun_uniform((3, 3, 16, 32), layout="keras")
xd.lecun_normal((10, 20))
xd.variance_scaling((10, 20), "auto", g, np.float32, scale=2.0, mode="fan_avg", distribution="normal")
xd.uniform((10,), low=-1, high=1)
xd.normal((10,), std=0.02)
xd.trunc_normal((10,), std=0.02, a=-0.04, b=0.04)
with tempfile.TemporaryDirectory() as folder:
    path: pathlib.Path = xd.to_npy(xd.normal((100, 10), chunks=25, generator=g), pathlib.Path(folder) / "w.npy")
    assert np.load(path).shape == (100, 10)
