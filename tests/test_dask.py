"""dask: lazy fills equal the in-memory fill for every chunking and scheduler,
and write straight to .npy."""
import numpy as np
import pytest

da = pytest.importorskip("dask.array")

import xinit_c as xi  # noqa: E402
from xinit_c import dask as xd  # noqa: E402

SHAPE = (53, 37)
CHUNKS = [(53, 37), (10, 10), (7, 37), (53, 1), ((20, 33), (1, 30, 6)), "auto"]


def eager(name, dtype=np.float32, **kw):
    return getattr(xi, name + "_")(np.empty(SHAPE, dtype), generator=xi.Generator(11), **kw)


@pytest.mark.parametrize("chunks", CHUNKS, ids=str)
@pytest.mark.parametrize("name, kw", [("xavier_uniform", {}), ("kaiming_normal", {"nonlinearity": "relu"}),
                                      ("trunc_normal", {"std": 0.02, "a": -0.04, "b": 0.04}),
                                      ("lecun_normal", {})])
def test_every_chunking_gives_the_in_memory_values(chunks, name, kw):
    lazy = getattr(xd, name)(SHAPE, chunks=chunks, generator=xi.Generator(11), **kw)
    assert lazy.compute(scheduler="synchronous").tobytes() == eager(name, **kw).tobytes()


@pytest.mark.parametrize("scheduler", ["synchronous", "threads", "processes"])
def test_every_scheduler(scheduler):
    lazy = xd.xavier_normal(SHAPE, chunks=(9, 8), generator=xi.Generator(11), dtype=np.float64)
    assert lazy.compute(scheduler=scheduler).tobytes() == eager("xavier_normal", np.float64).tobytes()


def test_a_local_cluster_of_two_workers():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) \
            as cluster, distributed.Client(cluster) as client:
        lazy = xd.xavier_uniform(SHAPE, chunks=(11, 13), generator=xi.Generator(11))
        assert client.compute(lazy).result().tobytes() == eager("xavier_uniform").tobytes()


def test_the_generator_moves_past_the_tensor_and_errors_come_early(tmp_path):
    g = xi.Generator(11)
    xd.normal(SHAPE, generator=g, dtype=np.float64)
    assert g.position == 2 * SHAPE[0] * SHAPE[1]
    with pytest.raises(ValueError, match="gain"):
        xd.xavier_uniform(SHAPE, gain=-1.0)
    path = xd.to_npy(xd.xavier_uniform(SHAPE, chunks=(10, 10), generator=xi.Generator(11)), tmp_path / "w.npy")
    assert np.load(path).tobytes() == eager("xavier_uniform").tobytes()


def test_straight_to_zarr(tmp_path):
    zarr = pytest.importorskip("zarr")
    lazy = xd.xavier_uniform(SHAPE, chunks=(10, 10), generator=xi.Generator(11))
    lazy.to_zarr(str(tmp_path / "w.zarr"))
    assert zarr.open(str(tmp_path / "w.zarr"))[:].tobytes() == eager("xavier_uniform").tobytes()
