"""The command line run in this process (``xinit_c.__main__.main``), so that it also runs where no child
interpreter can start, as under qemu-user in tests/emulated/: its .npy and safetensors files hold the values of
docs/stream.md's fills, read back here without the writer's code (safetensors parsed by hand from its format:
an 8-byte little-endian header length, a JSON header, little-endian data) and compared bit for bit with the
oracle, tests/reference.py. On a big-endian host this runs the safetensors writer's byte swap."""
import json
import math

import numpy as np
import pytest

import reference
from xinit_c.__main__ import main

SAFETENSORS_DTYPES = {"F16": "float16", "F32": "float32", "F64": "float64"}


def little_endian_bits(values):
    """The values' bit patterns as little-endian unsigned integers, whatever the byte order they are held in."""
    values = np.asarray(values)
    return values.astype(values.dtype.newbyteorder("<")).view(f"<u{values.dtype.itemsize}")


def assert_same_bits(got, want, what):
    assert got.shape == want.shape, what
    mismatched = np.flatnonzero(little_endian_bits(got) != little_endian_bits(want))
    assert mismatched.size == 0, f"{what}: {mismatched.size} elements differ, first at flat index {mismatched[:1]}"


def xavier_normal_std(fan_in, fan_out, gain=1.0):
    # torch.nn.init.xavier_normal_'s documented std, in double precision
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def xavier_uniform_bound(fan_in, fan_out, gain=1.0):
    # torch.nn.init.xavier_uniform_'s documented bound, in double precision
    return gain * math.sqrt(6.0 / float(fan_in + fan_out))


def run_main(capsys, *args):
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return captured.out


def read_safetensors(path):
    """(metadata, {name: array}) of a safetensors file, each array little-endian as the format stores it."""
    data = path.read_bytes()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    metadata = header.pop("__metadata__", None)
    arrays = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        dtype = np.dtype(SAFETENSORS_DTYPES[entry["dtype"]]).newbyteorder("<")
        assert end - start == math.prod(entry["shape"]) * dtype.itemsize, name
        arrays[name] = np.frombuffer(data[8 + length + start:8 + length + end], dtype).reshape(entry["shape"])
    assert 8 + length + max((e["data_offsets"][1] for e in header.values()), default=0) == len(data)
    return metadata, arrays


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_a_npy_fill_holds_the_oracles_xavier_normal(tmp_path, capsys, dtype):
    shape = (64, 96)   # torch layout: fan_in 96, fan_out 64
    path = tmp_path / "w.npy"
    run_main(capsys, "fill", path, "--shape", *shape, "--init", "xavier_normal", "--dtype", dtype, "--seed", 0)
    got = np.load(path, allow_pickle=False)
    assert got.dtype == np.dtype(dtype)   # in the host's byte order, which the header records
    want = reference.fill("normal", shape, np.dtype(dtype), reference.key_from_seed(0), mean=0.0,
                          std=xavier_normal_std(96, 64))
    assert_same_bits(got, want, dtype)


def test_a_npy_fill_of_several_chunks_holds_the_oracles_values(tmp_path, capsys):
    shape = (600, 300)   # 1.4 MB of float64: two 1 MiB chunks
    path = tmp_path / "w.npy"
    run_main(capsys, "fill", path, "--shape", *shape, "--init", "xavier_uniform", "--dtype", "float64",
             "--seed", 11, "--chunk-mb", 1)
    bound = xavier_uniform_bound(300, 600)
    want = reference.fill("uniform", shape, np.dtype(np.float64), reference.key_from_seed(11), low=-bound, high=bound)
    assert_same_bits(np.load(path, allow_pickle=False), want, "float64")


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_a_safetensors_fill_holds_the_oracles_values_little_endian(tmp_path, capsys, dtype):
    path = tmp_path / "init.safetensors"
    run_main(capsys, "fill", path, "--tensor", "proj.weight", "48,80", "xavier_normal",
             "--tensor", "emb", "600,300", "uniform:low=-2,high=3", "--tensor", "proj.bias", "48", "zeros",
             "--dtype", dtype, "--seed", 5, "--stream", 3, "--chunk-mb", 1)
    metadata, arrays = read_safetensors(path)
    assert metadata["xinit_c.seed"] == "5"
    key = reference.key_from_seed(5)
    want = {
        "proj.weight": reference.parameter_fill("normal", "proj.weight", (48, 80), np.dtype(dtype), key, stream=3,
                                                mean=0.0, std=xavier_normal_std(80, 48)),
        "emb": reference.parameter_fill("uniform", "emb", (600, 300), np.dtype(dtype), key, stream=3,
                                        low=-2.0, high=3.0),
        "proj.bias": np.zeros(48, dtype),
    }
    assert arrays.keys() == want.keys()
    for name, values in want.items():
        assert_same_bits(arrays[name], values, name)
