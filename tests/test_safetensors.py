"""Safetensors checkpoints written out of core: safetensors' own bytes, loadable, bounded memory, all or nothing."""
import json
import math
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

import xinit_c as xi
from xinit_c._safetensors import TensorFill, blocks, write_safetensors

safetensors = pytest.importorskip("safetensors", reason="the safetensors extra is not installed "
                                                        "(pip install 'xinit-c[safetensors]')")
torch = pytest.importorskip("torch", reason="safetensors' reference writer is compared through safetensors.torch")
from safetensors.torch import load_file, save_file  # noqa: E402

from conftest import BFLOAT16  # noqa: E402
from test_torch import package_path  # noqa: E402

NUMPY_DTYPES = {"float32": np.dtype(np.float32), "float64": np.dtype(np.float64), "float16": np.dtype(np.float16),
                "bfloat16": BFLOAT16, "int64": np.dtype(np.int64), "bool": np.dtype(np.bool_)}


def drawn(fill_name, name, shape, dtype, **options):
    """A TensorFill of ``xi.<fill_name>_`` on its own stream."""
    fill = getattr(xi, fill_name + "_")
    generator = xi.Generator(11, stream=sum(map(ord, name)))

    def fill_block(out, global_shape, offset):
        fill(out, generator=generator.__copy__(), global_shape=global_shape, offset=offset, **options)
    return TensorFill(name, shape, dtype, fill_block)


def constant(name, shape, dtype, value):
    return TensorFill(name, shape, dtype, lambda out, global_shape, offset: out.fill(value))


def whole(tensor):
    """The tensor as one torch tensor, filled in one piece in memory."""
    array = np.empty(tensor.shape, NUMPY_DTYPES[str(tensor.dtype)])
    tensor.fill(array, None, None)
    if array.dtype == BFLOAT16:   # torch.from_numpy knows no ml_dtypes.bfloat16
        return torch.from_numpy(array.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(array)


def bits(tensor):
    """The tensor's bytes, to compare bit for bit (NaN and -0.0 included)."""
    return tensor.reshape(-1).view(torch.uint8)


def mixed_tensors():
    """Every dtype the writer takes, names out of order, a name JSON escapes, an empty and a 0-d tensor."""
    return [
        drawn("normal", "z.weight", (37, 5, 3), "float32", std=0.02),
        drawn("xavier_uniform", "a.weight", (16, 24), "bfloat16"),
        drawn("trunc_normal", "m\u00e9t\"a\\/\x01\u2028", (41,), "float16"),
        drawn("uniform", "double", (3, 7), "float64", low=-2.0, high=3.0),
        drawn("kaiming_normal", "empty", (0, 4), "float32"),
        drawn("normal", "scalar", (), "float32"),
        constant("num_batches_tracked", (), "int64", 0),
        constant("mask", (9,), "bool", True),
    ]


def header_of(data):
    length = struct.unpack("<Q", data[:8])[0]
    return length, json.loads(data[8:8 + length])


@pytest.mark.parametrize("metadata", [None, {}, {"format": "pt"}])
def test_the_file_is_safetensors_own_save_file_byte_for_byte(tmp_path, metadata):
    tensors = mixed_tensors()
    write_safetensors(tmp_path / "ours.safetensors", tensors, metadata=metadata, chunk_bytes=64)
    save_file({tensor.name: whole(tensor) for tensor in tensors}, str(tmp_path / "theirs.safetensors"),
              metadata=metadata)
    ours, theirs = (tmp_path / "ours.safetensors").read_bytes(), (tmp_path / "theirs.safetensors").read_bytes()
    assert ours == theirs
    length, header = header_of(ours)
    assert (8 + length) % 8 == 0 and ours[8 + length - 1:8 + length] in (b" ", b"}")
    # the reference writer's layout: by dtype (I64, F64, F32, BF16, F16, BOOL), then by name
    assert [name for name in header if name != "__metadata__"] == [
        "num_batches_tracked", "double", "empty", "scalar", "z.weight", "a.weight", "m\u00e9t\"a\\/\x01\u2028", "mask"]


def test_the_file_loads_with_load_file_and_safe_open(tmp_path):
    tensors = mixed_tensors()
    path = write_safetensors(tmp_path / "w.safetensors", tensors, metadata={"who": "test"}, chunk_bytes=100)
    loaded = load_file(path)
    assert set(loaded) == {tensor.name for tensor in tensors}
    for tensor in tensors:
        want = whole(tensor)
        assert loaded[tensor.name].dtype == want.dtype and loaded[tensor.name].shape == want.shape
        assert torch.equal(bits(loaded[tensor.name]), bits(want)), tensor.name
    with safetensors.safe_open(path, framework="pt") as opened:
        assert opened.metadata() == {"who": "test"}
        assert torch.equal(opened.get_slice("z.weight")[5:9], whole(tensors[0])[5:9])


@pytest.mark.parametrize("shape, dtype", [((12, 7, 3), "float32"), ((3, 5, 4, 3), "bfloat16"), ((99,), "float64"),
                                          ((3, 61), "float16")])
@pytest.mark.parametrize("chunk_bytes", [6, 100, 1 << 20])
def test_every_chunk_size_gives_the_bytes_of_the_whole_fill(tmp_path, shape, dtype, chunk_bytes):
    tensors = [drawn("xavier_normal", "x", shape, dtype), drawn("trunc_normal", "t", shape, dtype, std=0.5),
               drawn("kaiming_uniform", "k", shape, dtype, mode="fan_out")] if len(shape) > 1 else \
        [drawn("uniform", "u", shape, dtype), drawn("normal", "n", shape, dtype)]
    path = write_safetensors(tmp_path / "w.safetensors", tensors, chunk_bytes=chunk_bytes)
    loaded = load_file(path)
    for tensor in tensors:
        assert torch.equal(bits(loaded[tensor.name]), bits(whole(tensor))), tensor.name


@pytest.mark.parametrize("shape", [(5,), (4, 6), (3, 4, 5), (2, 3, 4, 5), (1, 1, 7), ()])
@pytest.mark.parametrize("chunk_bytes", [1, 4, 7, 20, 24, 100, 10_000])
def test_blocks_tile_the_tensor_in_memory_order_within_the_chunk(shape, chunk_bytes):
    itemsize = 4
    strides = [math.prod(shape[axis + 1:]) for axis in range(len(shape))]
    covered = 0
    for offset, block in blocks(shape, itemsize, chunk_bytes):
        assert len(offset) == len(block) == len(shape)
        first = sum(i * s for i, s in zip(offset, strides))
        assert first == covered   # contiguous, in order, no gap or overlap
        # C-contiguous inside the tensor: all axes before the one it runs along are single indices, all after whole
        running = next((axis for axis, size in enumerate(block) if size != 1), len(shape) - 1)
        assert all(block[axis] == shape[axis] for axis in range(running + 1, len(shape)))
        assert all(offset[axis] == 0 for axis in range(running + 1, len(shape)))
        assert math.prod(block) * itemsize <= max(chunk_bytes, itemsize)
        covered += math.prod(block)
    assert covered == math.prod(shape)
    assert list(blocks((3, 0, 2), itemsize, chunk_bytes)) == []


def test_a_whole_tensor_rule_is_filled_once_whole(tmp_path):
    calls = []

    def orthogonal(out, global_shape, offset):
        calls.append((out.shape, global_shape, offset))
        xi.orthogonal_(out, generator=xi.Generator(3))
    path = write_safetensors(tmp_path / "w.safetensors", [TensorFill("q", (64, 48), "float32", orthogonal,
                                                                     blockwise=False)], chunk_bytes=256)
    assert calls == [((64, 48), None, None)]
    q = load_file(path)["q"]
    assert torch.allclose(q.T @ q, torch.eye(48), atol=1e-5)


class Boom(Exception):
    pass


def failing(out, global_shape, offset):
    raise Boom


@pytest.mark.parametrize("tensors, options, error, message", [
    ([constant("a", (2,), "float32", 1), constant("a", (3,), "float32", 1)], {}, ValueError, "'a' appears twice"),
    ([constant("__metadata__", (2,), "float32", 1)], {}, ValueError, "reserved"),
    ([constant("c", (2,), "complex64", 1)], {}, TypeError, "dtype complex64 cannot be written"),
    ([constant("i", (2,), "int32", 1)], {}, TypeError, "dtype int32 cannot be written"),
    ([constant("n", (2, -1), "float32", 1)], {}, ValueError, "non-negative"),
    ([constant("\ud800", (2,), "float32", 1)], {}, ValueError, "UTF-8"),
    ([constant("a", (2,), "float32", 1)], {"metadata": {"k": 1}}, TypeError, "string values only"),
    ([constant("a", (2,), "float32", 1)], {"chunk_bytes": 0}, ValueError, "chunk_bytes must be at least 1"),
    ([constant("a", (2,), "float32", 1)], {"chunk_bytes": True}, TypeError, "chunk_bytes must be an int"),
    ([constant("a", (2,), "float32", 1)], {"progress": "yes"}, TypeError, "progress must be True, False or None"),
])
def test_bad_input_is_refused_before_the_file_is_created(tmp_path, tensors, options, error, message):
    with pytest.raises(error, match=message):
        write_safetensors(tmp_path / "w.safetensors", tensors, **options)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_safetensors(tmp_path / "no" / "w.safetensors", [constant("a", (2,), "float32", 1)])
    with pytest.raises(IsADirectoryError):
        write_safetensors(tmp_path, [constant("a", (2,), "float32", 1)])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("stop", [Boom, KeyboardInterrupt])
def test_a_failure_midway_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, stop):
    path = tmp_path / "w.safetensors"
    path.write_bytes(b"the previous checkpoint")

    def fail(out, global_shape, offset):
        raise stop
    with pytest.raises(stop):
        write_safetensors(path, [drawn("normal", "a", (100, 10), "float32"), TensorFill("b", (5,), "float32", fail)],
                          chunk_bytes=400)
    assert list(tmp_path.iterdir()) == [path] and path.read_bytes() == b"the previous checkpoint"
    write_safetensors(path, [drawn("normal", "a", (100, 10), "float32")])
    assert torch.equal(load_file(path)["a"], whole(drawn("normal", "a", (100, 10), "float32")))
    assert list(tmp_path.iterdir()) == [path]


def test_the_progress_bar_can_be_forced_on_and_off(tmp_path, capsys, monkeypatch):
    pytest.importorskip("tqdm", reason="the progress bar is tqdm's")
    tensors = [drawn("normal", "a", (512, 256), "float32")]
    write_safetensors(tmp_path / "on.safetensors", tensors, progress=True, chunk_bytes=64 << 10)
    shown = capsys.readouterr().err
    assert "on.safetensors" in shown and "100%" in shown and "512k" in shown.lower()
    write_safetensors(tmp_path / "off.safetensors", tensors, progress=False)
    assert capsys.readouterr().err == ""
    write_safetensors(tmp_path / "default.safetensors", tensors)   # stderr is no terminal here
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    write_safetensors(tmp_path / "terminal.safetensors", tensors)
    assert "100%" in capsys.readouterr().err


# --------------------------------------------------------------------------
# save_initialized: a torch model's state dict, planned by plan_module
# --------------------------------------------------------------------------

from xinit_c.torch import materialize_, plan_module, save_initialized  # noqa: E402


def mixed_model(device="meta"):
    """Layers of every kind of state-dict tensor: bfloat16 and float64 weights, an Embedding's padding row,
    BatchNorm's running statistics and int64 num_batches_tracked, an LSTM, out of alphabetical order."""
    with torch.device(device):
        model = torch.nn.Sequential()
        model.add_module("zeta", torch.nn.Embedding(300, 32, padding_idx=0))
        model.add_module("norm", torch.nn.LayerNorm(32))
        model.add_module("proj", torch.nn.Linear(32, 48, dtype=torch.bfloat16))
        model.add_module("bn", torch.nn.BatchNorm1d(48))
        model.add_module("conv", torch.nn.Conv1d(48, 16, 3, dtype=torch.float64))
        model.add_module("rnn", torch.nn.LSTM(16, 8))
        model.add_module("f16", torch.nn.Linear(8, 8, dtype=torch.float16))
    return model


def sections(data):
    """(header length, header as parsed, tensor names in header order, data section) of a safetensors file."""
    length, header = header_of(data)
    return length, header, [name for name in header if name != "__metadata__"], data[8 + length:]


@pytest.mark.parametrize("scheme, options", [
    ("torch", {}), ("orthogonal", {}), ("normal", {"std": 0.02}),
    ("torch", {"overrides": {"proj.weight": ("orthogonal", {"gain": 2.0}), "*.bias": ("uniform", {"low": -0.1})},
               "bias": "zeros"}),
])
def test_save_initialized_is_materialize_then_save_file(tmp_path, scheme, options):
    path = save_initialized(mixed_model(), tmp_path / "ours.safetensors", scheme=scheme,
                            generator=xi.Generator(7), chunk_bytes=256, **options)
    state = materialize_(mixed_model(), scheme=scheme, generator=xi.Generator(7), **options).state_dict()
    with safetensors.safe_open(path, framework="pt") as opened:
        metadata = opened.metadata()
        assert list(opened.keys()) == sorted(state)
    assert metadata == {"format": "pt", "xinit_c.scheme": scheme, "xinit_c.version": xi.__version__,
                        "xinit_c.stream_version": str(xi.STREAM_VERSION)}
    save_file(state, str(tmp_path / "theirs.safetensors"), metadata=metadata)
    ours, theirs = sections(open(path, "rb").read()), sections((tmp_path / "theirs.safetensors").read_bytes())
    # save_file keeps __metadata__ in a hash map, so with several keys its order (and only that) varies from run
    # to run: everything else is compared byte for byte
    assert ours[0] == theirs[0] and ours[1] == theirs[1] and ours[2] == theirs[2]
    assert ours[3] == theirs[3]
    loaded = load_file(path)
    assert loaded.keys() == state.keys()
    for name, tensor in state.items():
        assert loaded[name].dtype == tensor.dtype and torch.equal(bits(loaded[name]), bits(tensor)), name


def test_with_one_metadata_key_the_whole_file_is_save_files(tmp_path):
    model = torch.nn.Linear(40, 30)
    plans = plan_module(model, generator=xi.Generator(1))
    path = write_safetensors(tmp_path / "ours.safetensors", plans, metadata={"format": "pt"}, chunk_bytes=1000)
    state = materialize_(torch.nn.Linear(40, 30, device="meta"), generator=xi.Generator(1)).state_dict()
    save_file(state, str(tmp_path / "theirs.safetensors"), metadata={"format": "pt"})
    assert open(path, "rb").read() == (tmp_path / "theirs.safetensors").read_bytes()


def test_a_torch_generator_is_drawn_from_as_materialize_draws(tmp_path):
    torch.manual_seed(3)
    path = save_initialized(mixed_model(), tmp_path / "w.safetensors")
    after_save = torch.get_rng_state()
    torch.manual_seed(3)
    state = materialize_(mixed_model()).state_dict()
    assert torch.equal(torch.get_rng_state(), after_save)
    loaded = load_file(path)
    assert all(torch.equal(bits(loaded[name]), bits(tensor)) for name, tensor in state.items())
    again = save_initialized(mixed_model(), tmp_path / "again.safetensors")
    assert open(again, "rb").read() != open(path, "rb").read()   # successive calls differ, as in torch


def test_a_tied_tensor_is_written_under_each_name_with_the_values_of_the_first(tmp_path):
    def tied():
        with torch.device("meta"):
            model = torch.nn.Sequential(torch.nn.Embedding(200, 16), torch.nn.LayerNorm(16),
                                        torch.nn.Linear(16, 200, bias=False))
        model[2].weight = model[0].weight   # the output layer shares the embedding, as in GPT-2
        return model
    path = save_initialized(tied(), tmp_path / "w.safetensors", generator=xi.Generator(4), chunk_bytes=1000)
    state = materialize_(tied(), generator=xi.Generator(4)).state_dict()
    loaded = load_file(path)
    assert list(state) == ["0.weight", "1.weight", "1.bias", "2.weight"] and loaded.keys() == state.keys()
    assert all(torch.equal(bits(loaded[name]), bits(tensor)) for name, tensor in state.items())
    assert torch.equal(loaded["2.weight"], loaded["0.weight"])
    result = tied().load_state_dict(loaded, assign=True)   # strict: raises unless every name matches
    assert not result.missing_keys and not result.unexpected_keys


def test_a_model_on_the_cpu_is_written_from_its_plan(tmp_path):
    model = mixed_model("cpu")
    path = save_initialized(model, tmp_path / "w.safetensors", generator=xi.Generator(2))
    state = materialize_(mixed_model(), generator=xi.Generator(2)).state_dict()
    loaded = load_file(path)
    assert all(torch.equal(bits(loaded[name]), bits(tensor)) for name, tensor in state.items())


@pytest.mark.parametrize("change, error, message", [
    (lambda model, kw: model.add_module("c", torch.nn.Linear(2, 2, dtype=torch.complex64)), TypeError,
     r"c\.weight: dtype torch\.complex64 cannot be written"),
    (lambda model, kw: kw.update(metadata={"format": "np"}), ValueError, "may not replace 'format'"),
    (lambda model, kw: kw.update(metadata={"k": 3}), TypeError, "string values only"),
    (lambda model, kw: kw.update(chunk_bytes=0), ValueError, "chunk_bytes must be at least 1"),
    (lambda model, kw: kw.update(progress=1), TypeError, "progress must be True, False or None"),
    (lambda model, kw: kw.update(scheme="magic"), ValueError, "magic"),
])
def test_bad_input_is_refused_before_the_file_or_the_generator_moves(tmp_path, change, error, message):
    model, keywords = mixed_model(), {}
    change(model, keywords)
    torch.manual_seed(0)
    state = torch.get_rng_state()
    with pytest.raises(error, match=message):
        save_initialized(model, tmp_path / "w.safetensors", **keywords)
    assert torch.equal(torch.get_rng_state(), state)
    assert list(tmp_path.iterdir()) == []


def test_save_initialized_shows_a_progress_bar_when_asked(tmp_path, capsys):
    pytest.importorskip("tqdm", reason="the progress bar is tqdm's")
    save_initialized(mixed_model(), tmp_path / "w.safetensors", generator=xi.Generator(0), progress=True)
    assert "w.safetensors" in capsys.readouterr().err
    save_initialized(mixed_model(), tmp_path / "w.safetensors", generator=xi.Generator(0), progress=False)
    assert capsys.readouterr().err == ""


# Peak resident memory of a whole save in a fresh interpreter: /proc/self/clear_refs "5" restarts the peak (VmHWM)
# from the current RSS, so the growth is measured from the footprint just before the call, imports excluded.
PEAK_GROWTH = """
import re, sys, torch, xinit_c as xi
from xinit_c.torch import save_initialized
def status(field):
    return int(re.search(field + r":\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)) * 1024
layers, chunk_bytes, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with torch.device("meta"):
    model = torch.nn.Sequential(*(torch.nn.Linear(4096, 4096) for _ in range(layers)))
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
before = status("VmRSS")
save_initialized(model, path, generator=xi.Generator(0), chunk_bytes=chunk_bytes)
print(before, status("VmHWM"))
"""


def peak_growth(tmp_path, layers, chunk_bytes):
    """Bytes the peak RSS grows by while writing ``layers`` Linear(4096, 4096) of a meta model."""
    if not os.access("/proc/self/clear_refs", os.W_OK):
        pytest.skip("needs Linux's /proc/self/clear_refs to restart the peak RSS before the call")
    if "libasan" in os.environ.get("LD_PRELOAD", ""):
        pytest.skip("AddressSanitizer's shadow memory adds to the RSS (tools/sanitize.sh)")
    path = tmp_path / "big.safetensors"
    try:
        # from tmp_path, with the xinit_c under test on the path: from the repository root, "-c" would import
        # the source tree instead of the installed package
        result = subprocess.run([sys.executable, "-c", PEAK_GROWTH, str(layers), str(chunk_bytes), str(path)],
                                capture_output=True, text=True, check=False, cwd=tmp_path,
                                env=dict(os.environ, PYTHONPATH=package_path()))
        assert result.returncode == 0, result.stderr
        before, peak = map(int, result.stdout.split())
        assert path.stat().st_size > layers * 4096 * 4096 * 4
        # the file holds the model: the last rows of the last weight are its plan's
        model = torch.nn.Sequential(*(torch.nn.Linear(4096, 4096, device="meta") for _ in range(layers)))
        last = plan_module(model, generator=xi.Generator(0))[-2]
        rows = np.empty((3, 4096), np.float32)
        last.fill(rows, last.shape, (4093, 0))
        with safetensors.safe_open(str(path), framework="np") as opened:
            assert np.array_equal(opened.get_slice(last.name)[4093:], rows)
        return peak - before
    finally:
        path.unlink(missing_ok=True)   # pytest keeps recent temporary folders: leave no big files there


def test_resident_memory_stays_about_one_chunk_for_a_256_mb_checkpoint(tmp_path):
    growth = peak_growth(tmp_path, 4, 8 << 20)
    assert growth < 64e6, f"peak RSS grew by {growth / 1e6:.0f} MB writing 256 MiB in 8 MiB chunks"


def test_resident_memory_stays_bounded_for_a_2_gb_checkpoint(tmp_path):
    growth = peak_growth(tmp_path, 32, 64 << 20)
    assert growth < 400e6, f"peak RSS grew by {growth / 1e6:.0f} MB writing 2 GiB in 64 MiB chunks"
