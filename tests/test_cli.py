"""The command line: ``xinit-c fill`` writes exactly the in-memory fill's bytes, and resumes only the same fill."""
import hashlib
import importlib.metadata
import io
import json
import math
import os
import re
import shlex
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

import xinit_c as xi
from bfloat16 import dtype_named   # bfloat16 from ml_dtypes: its tests skip where it is missing
from xinit_c import __main__ as cli

SCRIPT_NAME = "xinit-c.exe" if sys.platform == "win32" else "xinit-c"


def console_script():
    # next to the interpreter in a virtual environment; in Scripts\ for a plain Windows install
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        if (folder / SCRIPT_NAME).is_file():
            return folder / SCRIPT_NAME
    raise AssertionError(f"no {SCRIPT_NAME} console script next to {sys.executable}: is xinit-c installed?")


def run(*args, cwd=None):
    # outside the source tree, so that the installed package runs
    return subprocess.run([console_script(), *args], capture_output=True, text=True, check=False,
                          cwd=cwd or tempfile.gettempdir())


def load(path, dtype="float32", mmap_mode=None):
    # .npy stores bfloat16 as 2-byte voids
    return np.load(path, mmap_mode=mmap_mode, allow_pickle=False).view(dtype_named(dtype))


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.mark.parametrize("init, dtype", [("xavier_normal", "float32"), ("xavier_uniform", "float64"),
                                         ("kaiming_uniform", "bfloat16"), ("trunc_normal", "float16"),
                                         ("lecun_normal", "float32")])
def test_fill_writes_the_in_memory_bytes(tmp_path, init, dtype):
    path = tmp_path / "w.npy"
    shape = (3001, 257)   # about 3 MB in float32: several 1 MiB chunks
    result = run("fill", str(path), "--shape", *map(str, shape), "--init", init, "--dtype", dtype,
                 "--seed", "7", "--chunk-mb", "1")
    assert result.returncode == 0, result.stderr
    want = getattr(xi, init + "_")(np.empty(shape, dtype_named(dtype)), generator=xi.Generator(7))
    got = load(path, dtype)
    assert got.shape == shape and got.tobytes() == want.tobytes()
    out = result.stdout
    if init.startswith(("xavier", "kaiming", "lecun")):
        assert "fan_in 257  fan_out 3001" in out
    assert "observed mean" in out and "GB/s" in out
    assert not (tmp_path / "w.npy.progress").exists()


def test_fill_reports_the_bound_and_observed_std(tmp_path):
    result = run("fill", str(tmp_path / "w.npy"), "--shape", "2000", "500", "--init", "xavier_uniform",
                 "--seed", "0", "--gain", "2")
    assert result.returncode == 0, result.stderr
    bound = 2 * math.sqrt(6 / 2500)
    assert f"uniform bounds [{-bound:.9g}, {bound:.9g}]" in result.stdout
    assert f"stream contract version {xi.STREAM_VERSION}" in result.stdout.splitlines()[0]
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


def test_bad_arguments_fail_cleanly_and_write_nothing(tmp_path):
    path = tmp_path / "w.npy"
    result = run("fill", str(path), "--shape", "10", "--init", "xavier_uniform")
    assert result.returncode == 2 and "fewer than 2 dimensions" in result.stderr
    result = run("fill", str(path), "--shape", "10", "10", "--init", "xavier_magic")
    assert result.returncode == 2 and "invalid choice" in result.stderr
    # caught by the fill function itself, which runs on the first chunk before the file is created
    result = run("fill", str(path), "--shape", "10", "10", "--init", "uniform", "--low", "1", "--high", "0")
    assert result.returncode == 2 and "low must be <= high" in result.stderr
    result = run("fill", str(path), "--shape", "10", "10", "--init", "normal", "--gain", "2")
    assert result.returncode == 2 and "--gain does not apply to --init normal" in result.stderr
    result = run("fill", str(path), "--shape", "10", "10", "--seed", "-1")
    assert result.returncode == 2 and "seed must be a non-negative integer" in result.stderr
    result = run("fill", str(path), "--init", "normal")
    assert result.returncode == 2 and "--shape is needed" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_info_and_the_console_script():
    result = run("info")
    assert result.returncode == 0 and xi.__version__ in result.stdout and "kernel variant" in result.stdout
    assert f"stream contract version {xi.STREAM_VERSION} (docs/stream.md)" in result.stdout
    as_module = subprocess.run([sys.executable, "-m", "xinit_c", "info"], capture_output=True, text=True,
                               check=False, cwd=tempfile.gettempdir())
    assert as_module.returncode == 0 and as_module.stdout.splitlines()[0] == result.stdout.splitlines()[0]
    (script,) = importlib.metadata.entry_points(group="console_scripts", name="xinit-c")
    assert script.load() is cli.main


def test_help_shows_the_defaults():
    result = run("fill", "--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())   # argparse wraps lines anywhere
    for default in ("initialiser (default: xavier_uniform)", "element type (default: float32)",
                    "xavier gain (default: 1.0)", "(default: torch)", "(default: 64)", "(default: fan_in)",
                    "trunc_normal lower bound (default: -2.0)", "64-bit stream id (default: 0)"):
        assert default in text
    assert "(default: None)" not in text and "(default: False)" not in text
    assert "--force" in text and "--resume" in text
    top = run("--help")
    assert top.returncode == 0 and "fill" in top.stdout


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_fill_a_row_range_of_an_existing_file(tmp_path, dtype):
    path = tmp_path / "w.npy"
    args = ("--shape", "3000", "64", "--init", "xavier_uniform", "--dtype", dtype, "--seed", "3", "--chunk-mb", "1")
    assert run("fill", str(path), *args).returncode == 0
    full = load(path, dtype).copy()
    broken = np.lib.format.open_memmap(path, mode="r+")
    broken.view(np.uint8)[100:2500] = 0   # bytes: .npy keeps bfloat16 as voids, which take no numbers
    broken.flush()
    del broken
    result = run("fill", str(path), *args, "--rows", "100", "2500")
    assert result.returncode == 0, result.stderr
    assert "rows 100:2500 of" in result.stdout
    assert load(path, dtype).tobytes() == full.tobytes()
    before = digest(path)
    bad = run("fill", str(path), *args, "--rows", "100", "5000")
    assert bad.returncode == 2 and "not inside" in bad.stderr
    other_shape = run("fill", str(path), *(a if a != "64" else "65" for a in args), "--rows", "0", "10")
    assert other_shape.returncode == 2 and "holds (3000, 64)" in other_shape.stderr
    other_dtype = run("fill", str(path), *(a if a != dtype else "float64" for a in args), "--rows", "0", "10")
    assert other_dtype.returncode == 2 and "not (3000, 64) float64" in other_dtype.stderr
    no_seed = run("fill", str(path), *args[:-4], "--rows", "0", "10")
    assert no_seed.returncode == 2 and "--rows needs the --seed" in no_seed.stderr
    assert digest(path) == before


def test_an_existing_file_is_kept_unless_forced(tmp_path):
    path = tmp_path / "big.npy"
    original = np.random.default_rng(0).bytes(1 << 20)
    path.write_bytes(original)
    refused = run("fill", str(path), "--shape", "10", "10", "--seed", "1")
    assert refused.returncode == 2 and "exists" in refused.stderr and "--force" in refused.stderr
    # a forced fill with a bad option is refused before the file is replaced
    bad = run("fill", str(path), "--shape", "10", "10", "--gain", "-1", "--force")
    assert bad.returncode == 2 and "gain must be" in bad.stderr
    assert path.read_bytes() == original
    forced = run("fill", str(path), "--shape", "10", "10", "--seed", "1", "--force")
    assert forced.returncode == 0, forced.stderr
    want = xi.xavier_uniform_(np.empty((10, 10), np.float32), generator=xi.Generator(1))
    assert np.array_equal(np.load(path), want)
    assert path.stat().st_size == 128 + want.nbytes


def test_a_fill_without_seed_prints_the_seed_and_the_command_that_reproduces_it(tmp_path):
    path = tmp_path / "w.npy"
    shape = (700, 300)
    first = run("fill", str(path), "--shape", *map(str, shape), "--init", "kaiming_normal", "--mode", "fan_out",
                "--chunk-mb", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    seed = int(re.search(r"seed (\d+) \(drawn from OS entropy\)", first.stdout).group(1))
    want = xi.kaiming_normal_(np.empty(shape, np.float32), mode="fan_out", generator=xi.Generator(seed))
    assert np.load(path).tobytes() == want.tobytes()
    command = first.stdout.split("reproduce with: ")[1].splitlines()[0]
    assert f"--seed {seed}" in command and "--mode fan_out" in command
    path.unlink()
    again = subprocess.run(shlex.split(command), capture_output=True, text=True, check=False, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert np.load(path).tobytes() == want.tobytes()
    other = run("fill", str(tmp_path / "other.npy"), "--shape", "2", "2")
    assert int(re.search(r"seed (\d+)", other.stdout).group(1)) != seed


@pytest.mark.skipif(sys.platform == "win32", reason="Popen.send_signal sends no SIGINT on Windows")
def test_ctrl_c_stops_with_one_line_and_the_printed_command_resumes(tmp_path):
    path = tmp_path / "w.npy"
    marker = tmp_path / "w.npy.progress"
    shape = (8192, 8192)   # 256 MiB: about a second of filling here, so the interrupt lands mid-fill
    try:
        fill = subprocess.Popen([console_script(), "fill", "w.npy", "--shape", *map(str, shape), "--init",
                                 "xavier_normal", "--chunk-mb", "4"], cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and fill.poll() is None:
            try:
                if json.loads(marker.read_text())["rows_done"] > 0:
                    break
            except (FileNotFoundError, json.JSONDecodeError, KeyError):
                pass
            time.sleep(0.002)
        fill.send_signal(signal.SIGINT)
        stdout, stderr = fill.communicate(timeout=60)
        assert fill.returncode == 130, (stdout, stderr)
        assert "Traceback" not in stderr and stdout == ""
        (line,) = stderr.splitlines()
        recorded = json.loads(marker.read_text())
        rows_done = recorded["rows_done"]
        assert 0 < rows_done < shape[0]
        assert f"interrupted: {rows_done} of {shape[0]} rows of w.npy are written" in line
        resume = subprocess.run(shlex.split(line.split("resume with: ")[1]), capture_output=True, text=True,
                                check=False, cwd=tmp_path)
        assert resume.returncode == 0, resume.stderr
        assert f"wrote rows {rows_done}:{shape[0]} of w.npy" in resume.stdout
        assert not marker.exists()
        want = xi.xavier_normal_(np.empty(shape, np.float32), generator=xi.Generator(recorded["seed"]))
        assert np.array_equal(load(path, mmap_mode="r"), want)
    finally:
        path.unlink(missing_ok=True)   # pytest keeps recent temporary folders: leave no big files there


class StopAfter:
    """A progress stream that raises KeyboardInterrupt on its nth write, as Ctrl-C between chunks would."""

    def __init__(self, writes):
        self.writes = writes

    def write(self, text):
        self.writes -= 1
        if self.writes == 0:
            raise KeyboardInterrupt

    def flush(self):
        pass


@pytest.fixture
def interrupted(tmp_path):
    """An xavier_normal --seed 7 fill of w.npy stopped after three of its chunks."""
    path = tmp_path / "w.npy"
    with pytest.raises(cli.Interrupted) as stop:
        cli.fill_file(str(path), (5000, 40), "xavier_normal", "float32", seed=7, options={"gain": 1.0},
                      chunk_bytes=40 * 4 * 500, progress=StopAfter(3))
    assert stop.value.rows_done == 1500 and json.loads((tmp_path / "w.npy.progress").read_text())["rows_done"] == 1500
    return path


def test_a_resume_of_another_fill_is_refused_and_changes_nothing(interrupted):
    path, marker = interrupted, Path(f"{interrupted}.progress")
    before = digest(path), marker.read_text()
    mixed = run("fill", str(path), "--init", "kaiming_uniform", "--seed", "8", "--resume")
    assert mixed.returncode == 2
    assert "--init kaiming_uniform --seed 8 differ" in mixed.stderr
    assert "(--init xavier_normal --seed 7)" in mixed.stderr
    assert "nothing was changed" in mixed.stderr
    other_gain = run("fill", str(path), "--gain", "2", "--resume")
    assert other_gain.returncode == 2 and "--gain 2.0 differs" in other_gain.stderr
    other_shape = run("fill", str(path), "--shape", "5000", "41", "--resume")
    assert other_shape.returncode == 2 and "--shape 5000 41 differs" in other_shape.stderr
    stray = run("fill", str(path), "--a", "1", "--resume")
    assert stray.returncode == 2 and "--a: not an option of the interrupted xavier_normal fill" in stray.stderr
    assert (digest(path), marker.read_text()) == before
    same = run("fill", str(path), "--init", "xavier_normal", "--seed", "7", "--shape", "5000", "40", "--resume")
    assert same.returncode == 0, same.stderr
    want = xi.xavier_normal_(np.empty((5000, 40), np.float32), generator=xi.Generator(7))
    assert np.load(path).tobytes() == want.tobytes()


@pytest.mark.parametrize("tamper, message", [
    (lambda path, marker: marker.update(stream_version=999), f"stream_version 999 there, {xi.STREAM_VERSION} here"),
    (lambda path, marker: marker.update(key=[1, 2]), "key [1, 2] there"),
    (lambda path, marker: marker.update(rows_done=9999), "not a row count in [0, 5000]"),
    (lambda path, marker: marker.clear() or marker.update(rows_done=1500), "not a progress marker"),
    (lambda path, marker: path.open("ab").write(b"\0" * 4), "bytes, not the 800128"),
])
def test_a_resume_refuses_a_marker_or_file_of_another_build_or_fill(interrupted, tamper, message):
    path, marker_file = interrupted, Path(f"{interrupted}.progress")
    marker = json.loads(marker_file.read_text())
    tamper(path, marker)
    marker_file.write_text(json.dumps(marker))
    before = digest(path), marker_file.read_text()
    result = run("fill", str(path), "--resume")
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert (digest(path), marker_file.read_text()) == before


# Run in a small interpreter of its own: Linux counts the RSS a child had before exec (a copy of its parent's) in its
# peak, so a child of the test process would report the test process's own peak.
REPORT_CHILD_PEAK_RSS = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
                         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


@pytest.mark.skipif(sys.platform == "win32", reason="a child's peak RSS comes from the POSIX resource module")
@pytest.mark.skipif("libasan" in os.environ.get("LD_PRELOAD", ""),
                    reason="AddressSanitizer's shadow memory and quarantine add to the RSS (tools/sanitize.sh); "
                           "the plain run of the suite checks the bound")
def test_resident_memory_stays_bounded_for_a_2_gb_file(tmp_path):
    path = tmp_path / "big.npy"
    shape = (32768, 16384)   # 2 GiB of float32
    try:
        result = subprocess.run([sys.executable, "-c", REPORT_CHILD_PEAK_RSS, console_script(), "fill", str(path),
                                 "--shape", *map(str, shape), "--seed", "5"],
                                capture_output=True, text=True, check=False, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        peak_bytes = int(result.stdout.splitlines()[-1]) * (1 if sys.platform == "darwin" else 1024)  # Linux: KiB
        assert peak_bytes < 300e6, f"peak RSS {peak_bytes / 1e6:.0f} MB for a 2.1 GB file"
        assert path.stat().st_size == 128 + 4 * math.prod(shape)
        last_row = xi.xavier_uniform_(np.empty((1, shape[1]), np.float32), generator=xi.Generator(5),
                                      global_shape=shape, offset=(shape[0] - 1, 0))
        assert np.array_equal(load(path, mmap_mode="r")[-1:], last_row)
    finally:
        path.unlink(missing_ok=True)


def test_the_throughput_report_covers_the_whole_run(tmp_path):
    startup = time.perf_counter()
    assert run("info").returncode == 0
    startup = time.perf_counter() - startup
    began = time.perf_counter()
    result = run("fill", str(tmp_path / "w.npy"), "--shape", "8192", "4096", "--seed", "1", "--chunk-mb", "8")
    wall = time.perf_counter() - began
    assert result.returncode == 0, result.stderr
    whole = re.search(r"whole run: ([\d.]+) s for [\d.]+ MB, ([\d.]+) GB/s", result.stdout)
    computing = re.search(r"computing values only: ([\d.]+) s, ([\d.]+) GB/s", result.stdout)
    whole_s, whole_rate, computing_s, computing_rate = map(float, whole.groups() + computing.groups())
    size = 8192 * 4096 * 4
    assert computing_s <= whole_s <= wall
    assert wall - whole_s < startup + 1.0   # all but the interpreter's start and exit
    for seconds, rate in ((whole_s, whole_rate), (computing_s, computing_rate)):
        # both printed rounded: seconds to 1 ms, GB/s to 0.01
        assert size / (seconds + 0.0005) / 1e9 - 0.005 <= rate <= size / (seconds - 0.0005) / 1e9 + 0.005
    (tmp_path / "w.npy").unlink()


# --------------------------------------------------------------------------
# safetensors output: --tensor NAME SHAPE INIT and --spec
# --------------------------------------------------------------------------

def read_safetensors(path):
    """(metadata, {name: array}) of a safetensors file, read from the format's definition: an 8-byte little-endian
    header length, a JSON header of dtype, shape and data_offsets, then the data."""
    types = {"F32": "float32", "F64": "float64", "F16": "float16", "BF16": "bfloat16"}
    data = Path(path).read_bytes()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    metadata = header.pop("__metadata__", None)
    arrays = {name: np.frombuffer(data, dtype_named(types[entry["dtype"]]),
                                  offset=8 + length + entry["data_offsets"][0],
                                  count=math.prod(entry["shape"])).reshape(entry["shape"])
              for name, entry in header.items()}
    return metadata, arrays


def name_stream(name, stream=0):
    # S(N, s) of docs/stream.md's parameter streams, computed here from its definition
    digest = hashlib.sha256(b"xinit-c/parameter-stream/1\0" + stream.to_bytes(8, "little") + name.encode()).digest()
    return int.from_bytes(digest[:8], "little")


def expected(name, shape, init, dtype, seed, stream=0, **options):
    out = np.empty(shape, dtype_named(dtype))
    if init in ("zeros", "ones"):
        return getattr(xi, init + "_")(out)
    return getattr(xi, init + "_")(out, generator=xi.Generator(seed, stream=name_stream(name, stream)), **options)


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_fill_writes_a_safetensors_file_of_several_tensors(tmp_path, dtype):
    path = tmp_path / "init.safetensors"
    result = run("fill", str(path), "--tensor", "h.0.weight", "1000,600", "normal:std=0.02",
                 "--tensor", "h.0.bias", "1000", "zeros",
                 "--tensor", "conv.weight", "64,32,3,3", "kaiming_uniform:a=2.2,mode=fan_out",
                 "--tensor", "t", "5,7", "trunc_normal:std=2,a-bound=-1,b_bound=3",
                 "--seed", "5", "--stream", "3", "--dtype", dtype, "--chunk-mb", "1")
    assert result.returncode == 0, result.stderr
    metadata, arrays = read_safetensors(path)
    assert metadata["xinit_c.seed"] == "5" and metadata["xinit_c.stream_version"] == str(xi.STREAM_VERSION)
    want = {"h.0.weight": expected("h.0.weight", (1000, 600), "normal", dtype, 5, 3, std=0.02),
            "h.0.bias": expected("h.0.bias", (1000,), "zeros", dtype, 5),
            "conv.weight": expected("conv.weight", (64, 32, 3, 3), "kaiming_uniform", dtype, 5, 3, a=2.2,
                                    mode="fan_out"),
            "t": expected("t", (5, 7), "trunc_normal", dtype, 5, 3, std=2.0, a=-1.0, b=3.0)}
    assert arrays.keys() == want.keys()
    for name, values in want.items():
        assert arrays[name].tobytes() == values.tobytes(), name
    assert "4 tensors" in result.stdout and "seed 5" in result.stdout
    # the printed command gives the same file
    command = result.stdout.split("reproduce with: ")[1].splitlines()[0]
    again = subprocess.run(shlex.split(command.replace(str(path), str(tmp_path / "again.safetensors"))),
                           capture_output=True, text=True, check=False, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.safetensors").read_bytes() == path.read_bytes()


def test_a_tensors_values_depend_on_its_name_not_on_the_others(tmp_path):
    alone, among = tmp_path / "alone.safetensors", tmp_path / "among.safetensors"
    assert run("fill", str(alone), "--tensor", "w", "30,20", "xavier_normal", "--seed", "1").returncode == 0
    assert run("fill", str(among), "--tensor", "a", "30,20", "xavier_normal", "--tensor", "w", "30,20",
               "xavier_normal", "--seed", "1").returncode == 0
    (_, first), (_, second) = read_safetensors(alone), read_safetensors(among)
    assert first["w"].tobytes() == second["w"].tobytes()
    assert first["w"].tobytes() != second["a"].tobytes()


def test_a_spec_file_lists_the_tensors(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"tensors": [
        {"name": "emb", "shape": [500, 64], "init": "normal", "options": {"std": 0.02}, "dtype": "bfloat16"},
        {"name": "proj", "shape": [64, 64], "init": "xavier_uniform", "options": {"gain": 2}},
        {"name": "scale", "shape": [64], "init": "ones"}]}))
    path = tmp_path / "spec.safetensors"
    result = run("fill", str(path), "--spec", str(spec), "--seed", "9", "--dtype", "float64")
    assert result.returncode == 0, result.stderr
    _, arrays = read_safetensors(path)
    assert arrays["emb"].tobytes() == expected("emb", (500, 64), "normal", "bfloat16", 9, std=0.02).tobytes()
    assert arrays["proj"].tobytes() == expected("proj", (64, 64), "xavier_uniform", "float64", 9, gain=2.0).tobytes()
    assert arrays["scale"].dtype == np.float64 and np.all(arrays["scale"] == 1)
    # the same tensors given on the command line give the same bytes
    both = tmp_path / "both.safetensors"
    assert run("fill", str(both), "--tensor", "proj", "64,64", "xavier_uniform:gain=2", "--tensor", "scale", "64",
               "ones", "--dtype", "float64", "--seed", "9").returncode == 0
    _, again = read_safetensors(both)
    assert again["proj"].tobytes() == arrays["proj"].tobytes()


@pytest.mark.parametrize("args, message", [
    (["--tensor", "w", "10", "xavier_uniform"], "tensor w: xavier_uniform_: Fan in and fan out can not be computed"),
    (["--tensor", "w", "10,10", "normal:gain=2"], "--tensor w: gain does not apply to normal (it takes: mean, std)"),
    (["--tensor", "w", "10,10", "normal:std"], "'std' in INIT 'normal:std' is not OPTION=VALUE"),
    (["--tensor", "w", "10,10", "normal:std=big"], "std='big' is not a float"),
    (["--tensor", "w", "10,10", "magic"], "unknown INIT 'magic'"),
    (["--tensor", "w", "10,x", "normal"], "SHAPE '10,x' is not comma-separated sizes"),
    (["--tensor", "w", "10,10", "uniform:low=1,high=0"], "tensor w: uniform_: low must be <= high"),
    (["--tensor", "w", "10,10", "normal", "--tensor", "w", "3", "zeros"], "'w' appears twice"),
    (["--tensor", "w", "10,10", "normal", "--std", "2"], "--std: for .npy output"),
    (["--tensor", "w", "10,10", "normal", "--shape", "3"], "--shape: for .npy output"),
    (["--shape", "10", "10"], "a .safetensors file takes its tensors from --tensor"),
    (["--spec", "missing.json"], "No such file"),
])
def test_bad_safetensors_arguments_fail_cleanly_and_write_nothing(tmp_path, args, message):
    result = run("fill", str(tmp_path / "w.safetensors"), *args, "--seed", "1", cwd=tmp_path)
    assert result.returncode in (1, 2) and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("spec, message", [
    ("not json", "is not JSON"),
    (json.dumps([{"name": "w", "shape": [2], "init": "zeros"}]), 'must hold one object {"tensors": [...]}'),
    (json.dumps({"tensors": [{"name": "w", "shape": [2]}]}), "tensors[0] must be an object with name, shape and init"),
    (json.dumps({"tensors": [{"name": "w", "shape": [2, -1], "init": "zeros"}]}), "shape must be a list of non-neg"),
    (json.dumps({"tensors": [{"name": "w", "shape": [2], "init": "zeros", "dtype": "int8"}]}), "dtype must be one of"),
    (json.dumps({"tensors": [{"name": "w", "shape": [2], "init": "normal", "options": {"gain": 1}}]}),
     "gain does not apply to normal"),
])
def test_a_bad_spec_is_refused_and_writes_nothing(tmp_path, spec, message):
    (tmp_path / "spec.json").write_text(spec)
    result = run("fill", str(tmp_path / "w.safetensors"), "--spec", "spec.json", cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.json"]


def test_an_existing_safetensors_file_is_kept_unless_forced(tmp_path):
    path = tmp_path / "w.safetensors"
    path.write_bytes(b"previous")
    refused = run("fill", str(path), "--tensor", "w", "4,4", "normal", "--seed", "1")
    assert refused.returncode == 2 and "exists" in refused.stderr and path.read_bytes() == b"previous"
    forced = run("fill", str(path), "--tensor", "w", "4,4", "normal", "--seed", "1", "--force")
    assert forced.returncode == 0, forced.stderr
    assert read_safetensors(path)[1]["w"].tobytes() == expected("w", (4, 4), "normal", "float32", 1).tobytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.safetensors"]


def test_the_safetensors_fill_needs_no_torch(tmp_path):
    # torch made unimportable: the command line's safetensors writer must not reach for it
    code = ("import sys; sys.modules['torch'] = None; from xinit_c.__main__ import main; "
            "sys.exit(main(sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", code, "fill", str(tmp_path / "w.safetensors"), "--tensor", "w",
                             "8,8", "lecun_normal", "--dtype", "bfloat16", "--seed", "2"],
                            capture_output=True, text=True, check=False, cwd=tempfile.gettempdir())
    assert result.returncode == 0, result.stderr
    _, arrays = read_safetensors(tmp_path / "w.safetensors")
    assert arrays["w"].tobytes() == expected("w", (8, 8), "lecun_normal", "bfloat16", 2).tobytes()


def test_the_safetensors_file_loads_with_safetensors(tmp_path):
    numpy_reader = pytest.importorskip("safetensors.numpy", reason="the safetensors extra is not installed")
    path = tmp_path / "w.safetensors"
    assert run("fill", str(path), "--tensor", "w", "40,30", "xavier_uniform", "--tensor", "b", "40", "zeros",
               "--dtype", "float64", "--seed", "4").returncode == 0
    loaded = numpy_reader.load_file(str(path))
    assert loaded["w"].tobytes() == expected("w", (40, 30), "xavier_uniform", "float64", 4).tobytes()
    assert loaded["b"].dtype == np.float64 and not loaded["b"].any()


def test_help_shows_the_safetensors_options():
    text = " ".join(run("fill", "--help").stdout.split())
    assert "--tensor NAME SHAPE INIT" in text and "--spec SPEC" in text and "normal:std=0.02" in text
