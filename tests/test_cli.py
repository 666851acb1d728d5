"""The command line: ``xinit-c fill`` writes exactly the in-memory fill's bytes."""
import importlib.metadata
import io
import math
import subprocess
import sys
import tempfile

import ml_dtypes
import numpy as np
import pytest

import xinit_c as xi
from xinit_c import __main__ as cli


def run(*args, cwd=None):
    # run outside the source tree, so that -m finds the installed package
    return subprocess.run([sys.executable, "-m", "xinit_c", *args], capture_output=True, text=True,
                          check=False, cwd=cwd or tempfile.gettempdir())


@pytest.mark.parametrize("init, dtype", [("xavier_normal", "float32"), ("xavier_uniform", "float64"),
                                         ("kaiming_uniform", "bfloat16"), ("trunc_normal", "float16"),
                                         ("lecun_normal", "float32")])
def test_fill_writes_the_in_memory_bytes(tmp_path, init, dtype):
    path = tmp_path / "w.npy"
    shape = (3001, 257)   # about 3 MB in float32: several 1 MiB chunks
    result = run("fill", str(path), "--shape", *map(str, shape), "--init", init, "--dtype", dtype,
                 "--seed", "7", "--chunk-mb", "1")
    assert result.returncode == 0, result.stderr
    np_dtype = np.dtype(ml_dtypes.bfloat16) if dtype == "bfloat16" else np.dtype(dtype)
    want = getattr(xi, init + "_")(np.empty(shape, np_dtype), generator=xi.Generator(7))
    got = np.load(path, allow_pickle=False) if dtype != "bfloat16" else \
        np.load(path, allow_pickle=False).view(np_dtype)
    assert got.shape == shape and got.tobytes() == want.tobytes()
    out = result.stdout
    if init.startswith(("xavier", "kaiming", "lecun")):
        assert "fan_in 257  fan_out 3001" in out
    assert "observed mean" in out and "GB/s" in out


def test_fill_reports_the_bound_and_observed_std(tmp_path):
    result = run("fill", str(tmp_path / "w.npy"), "--shape", "2000", "500", "--init", "xavier_uniform",
                 "--seed", "0", "--gain", "2")
    assert result.returncode == 0, result.stderr
    bound = 2 * math.sqrt(6 / 2500)
    assert f"uniform bounds [{-bound:.9g}, {bound:.9g}]" in result.stdout
    observed = float(result.stdout.split("observed mean")[1].split("std")[1].split()[0])
    assert abs(observed - bound / math.sqrt(3)) < 1e-3 * bound


def test_progress_is_shown_when_asked(tmp_path):
    progress = io.StringIO()
    info = cli.fill_file(tmp_path / "w.npy", (4000, 300), "normal", "float32", seed=1,
                         options={"mean": 0.0, "std": 1.0}, chunk_bytes=1 << 20, progress=progress)
    assert progress.getvalue().count("%") >= 4 and "100.0%" in progress.getvalue()
    assert abs(info["observed_std"] - 1) < 0.01
    want = xi.normal_(np.empty((4000, 300), np.float32), generator=xi.Generator(1))
    assert np.array_equal(np.load(tmp_path / "w.npy"), want)


def test_bad_arguments_fail_cleanly(tmp_path):
    result = run("fill", str(tmp_path / "w.npy"), "--shape", "10", "--init", "xavier_uniform")
    assert result.returncode == 2 and "fewer than 2 dimensions" in result.stderr
    result = run("fill", str(tmp_path / "w.npy"), "--shape", "10", "10", "--init", "xavier_magic")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_info_and_the_console_script():
    result = run("info")
    assert result.returncode == 0 and xi.__version__ in result.stdout and "kernel variant" in result.stdout
    (script,) = importlib.metadata.entry_points(group="console_scripts", name="xinit-c")
    assert script.load() is cli.main


def test_fill_a_row_range_of_an_existing_file(tmp_path):
    path = tmp_path / "w.npy"
    args = ("--shape", "3000", "64", "--init", "xavier_uniform", "--seed", "3", "--chunk-mb", "1")
    assert run("fill", str(path), *args).returncode == 0
    full = np.load(path)
    broken = np.lib.format.open_memmap(path, mode="r+")
    broken[100:2500] = 0
    broken.flush()
    del broken
    result = run("fill", str(path), *args, "--rows", "100", "2500")
    assert result.returncode == 0, result.stderr
    assert "rows 100:2500 of" in result.stdout
    assert np.array_equal(np.load(path), full)
    bad = run("fill", str(path), *args, "--rows", "100", "5000")
    assert bad.returncode == 2 and "not inside" in bad.stderr


def test_resume_an_interrupted_fill(tmp_path):
    path = tmp_path / "w.npy"
    shape = (5000, 40)
    want = xi.normal_(np.empty(shape, np.float32), 0.0, 0.5, generator=xi.Generator(9))
    partial = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=shape)
    partial[:1234] = want[:1234]           # what an interrupted run had written
    partial.flush()
    del partial
    (tmp_path / "w.npy.progress").write_text('{"rows_done": 1234}')
    result = run("fill", str(path), "--shape", "5000", "40", "--init", "normal", "--std", "0.5", "--seed", "9",
                 "--resume")
    assert result.returncode == 0, result.stderr
    assert np.array_equal(np.load(path), want)
    assert not (tmp_path / "w.npy.progress").exists()
    again = run("fill", str(path), "--shape", "5000", "40", "--init", "normal", "--seed", "9", "--resume")
    assert again.returncode == 2 and "nothing to resume" in again.stderr
