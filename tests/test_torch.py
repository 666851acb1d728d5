"""PyTorch: tensors filled in place with the numpy fill's bytes, whole modules
initialised deterministically, and DTensor shards over gloo equal to a
single-process fill whatever the world size and placement."""
import hashlib
import os
import pathlib
import socket
import subprocess
import sys

import ml_dtypes
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import xinit_c as xi  # noqa: E402
from xinit_c import torch as xtorch  # noqa: E402

TORCH_TO_NUMPY = {torch.float16: np.float16, torch.bfloat16: ml_dtypes.bfloat16, torch.float32: np.float32,
                  torch.float64: np.float64}


def tensor_bytes(t):
    t = t.detach()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.view(torch.int16)
    return t.contiguous().numpy().tobytes()


@pytest.mark.parametrize("dtype", list(TORCH_TO_NUMPY), ids=str)
def test_tensors_get_the_numpy_bytes_in_place(dtype):
    for make in (lambda: torch.empty(40, 30, dtype=dtype), lambda: torch.empty(30, 40, dtype=dtype).t()):
        t = make()
        pointer = t.data_ptr()
        assert xi.xavier_uniform_(t, generator=xi.Generator(1)) is t and t.data_ptr() == pointer
        want = xi.xavier_uniform_(np.empty((40, 30), TORCH_TO_NUMPY[dtype]), generator=xi.Generator(1))
        assert tensor_bytes(t) == want.tobytes()


def test_parameters_that_require_grad():
    layer = torch.nn.Linear(16, 8)
    xi.kaiming_normal_(layer.weight, nonlinearity="relu", generator=xi.Generator(2))
    assert layer.weight.requires_grad and layer.weight.grad_fn is None
    want = xi.kaiming_normal_(np.empty((8, 16), np.float32), nonlinearity="relu", generator=xi.Generator(2))
    assert np.array_equal(layer.weight.detach().numpy(), want)


def test_meta_and_other_devices_are_refused_with_a_way_out():
    with pytest.raises(TypeError, match="to_empty"):
        xi.normal_(torch.empty(4, 4, device="meta"))
    with pytest.raises(TypeError, match="dtype"):
        xi.normal_(torch.empty(4, dtype=torch.int32))


def test_integer_bool_and_complex_tensors_take_the_fills_that_define_them():
    t = torch.empty(2, 3, dtype=torch.int64)
    assert xi.constant_(t, 2**40 + 1) is t and t.tolist() == [[2**40 + 1] * 3] * 2
    assert xi.ones_(torch.empty(3, dtype=torch.bool)).tolist() == [True] * 3
    for dtype, numpy_dtype in [(torch.complex64, np.complex64), (torch.complex128, np.complex128)]:
        t = torch.empty(5, 6, dtype=dtype)
        xi.variance_scaling_(t, 2.0, "fan_avg", "uniform", generator=xi.Generator(4))
        want = xi.variance_scaling_(np.empty((5, 6), numpy_dtype), 2.0, "fan_avg", "uniform", generator=xi.Generator(4))
        assert np.array_equal(t.numpy(), want)
        assert xi.constant_(t, 1 - 2j).eq(1 - 2j).all()
    with pytest.raises(TypeError, match="uniform_.*int32"):
        xi.uniform_(torch.empty(4, dtype=torch.int32))


def make_model(seed):
    torch.manual_seed(seed)   # torch's own init differs; init_module_ must overwrite all of it
    return torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(8 * 6 * 6, 10), torch.nn.Embedding(5, 4))


def test_init_module_is_deterministic_and_covers_every_weight():
    a = xtorch.init_module_(make_model(1), "xavier_uniform", xi.Generator(7))
    b = xtorch.init_module_(make_model(2), "xavier_uniform", xi.Generator(7))
    for (name, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(p, q), name
    # every parameter draws from the stream of its name (docs/stream.md, section 13), from position 0
    digest = hashlib.sha256(b"xinit-c/parameter-stream/1\0" + bytes(8) + b"0.weight").digest()
    stream = xi.Generator(key=xi.Generator(7).key, stream=int.from_bytes(digest[:8], "little"))
    conv = xi.xavier_uniform_(np.empty((8, 3, 3, 3), np.float32), generator=stream)
    assert np.array_equal(a[0].weight.detach().numpy(), conv)
    # torch-style bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert a[3].bias.abs().max() <= 1 / np.sqrt(288)
    z = xtorch.init_module_(make_model(3), "kaiming_normal", xi.Generator(7), bias="zeros", nonlinearity="relu")
    assert not z[0].bias.any() and not z[3].bias.any()
    with pytest.raises(ValueError, match="unknown scheme 'glorot'"):
        xtorch.init_module_(make_model(3), "glorot")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def package_path():
    """PYTHONPATH for a rank that runs from "/": the xinit_c under test, installed or built in place."""
    return os.pathsep.join([str(pathlib.Path(xi.__file__).parent.parent), os.environ.get("PYTHONPATH", "")])


def run_ranks(world, out, shape, placement, init):
    # free_port() can hand out a port that another process takes before rank 0 binds it: then, and only
    # then, the ranks run again on another port
    for attempt in range(3):
        env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()), WORLD_SIZE=str(world),
                   OMP_NUM_THREADS="1", PYTHONPATH=package_path())
        script = pathlib.Path(__file__).parent / "distributed" / "dtensor_fill.py"
        procs = [subprocess.Popen([sys.executable, str(script), str(out), "x".join(map(str, shape)), placement,
                                   init], env=dict(env, RANK=str(rank), LOCAL_RANK=str(rank)), cwd="/",
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for rank in range(world)]
        errors = [p.communicate(timeout=300)[1] for p in procs]
        failed = [err for p, err in zip(procs, errors) if p.returncode != 0]
        if not failed:
            return np.load(out)
        if not any("address already in use" in err.lower() for err in failed):
            break
    raise AssertionError(failed[0][-3000:])


@pytest.mark.parametrize("world, placement", [(1, "shard0"), (2, "shard0"), (2, "shard1"), (2, "replicate")])
def test_dtensor_shards_equal_the_single_process_fill(tmp_path, world, placement):
    shape = (7, 5)                            # uneven over 2 ranks in both dimensions
    got = run_ranks(world, tmp_path / "full.npy", shape, placement, "xavier_normal")
    want = xi.xavier_normal_(np.empty(shape, np.float32), generator=xi.Generator(2024))
    assert got.tobytes() == want.tobytes()
