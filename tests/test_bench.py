"""The benchmark runs and reports well-formed numbers. Speed itself is never asserted."""
import importlib.util
import io
import json
import math
import os
import re
import sys

import numpy as np
import pytest

import xinit_c as xi
from xinit_c import __main__ as cli
from xinit_c import _bench

RATIO = re.compile(r"^\d+\.\d\dx$")
NUMBER = re.compile(r"^\d+\.\d+$")
MKL_INSTALLED = importlib.util.find_spec("mkl_random") is not None
JAX_INSTALLED = importlib.util.find_spec("jax") is not None
# the columns of a main-table row, split on whitespace
DTYPE, DIST, SIZE, THR, NS, GBS, BITS, PCG64, PHILOX, TORCH, MKL, JAX = range(12)
TARGET_LINES = 10   # 9 goals (bf16 and f16 apart, so 8 of the lines) and the 1-thread mkl line


def _table_rows(text, first="dtype "):
    """The rows of a plain table: the lines after its dashed rule, up to the first blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first)) + 2
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        rows.append(line)
    return rows


def _main_rows(text):
    return [line.split() for line in _table_rows(text)]


def _target_rows(text):
    """Target lines as ``title -> the cells after it``; a title is what precedes the first number or n/a."""
    rows = {}
    for line in _table_rows(text, "target: A / B"):
        cells = line.split("  ")
        cells = [c.strip() for c in cells if c.strip()]
        rows[cells[0]] = cells[1:]
    return rows


def _check_measurements(measurements):
    assert measurements
    for m in measurements:
        for key in ("seconds", "ns_per_element"):
            assert math.isfinite(m[key]) and m[key] > 0, m
        if "gb_per_s" in m:
            assert math.isfinite(m["gb_per_s"]) and m["gb_per_s"] > 0, m
        assert m["samples"] and all(math.isfinite(s) and s > 0 for s in m["samples"]), m


def _check_targets(text, records, mkl_present):
    rows = _target_rows(text)
    assert len(rows) == TARGET_LINES == len(records), rows
    for title in ("normal f32 / uniform f32", "trunc_normal [-2s, 2s] f32 / uniform f32",
                  "normal bf16 / normal f32", "normal f16 / normal f32", "normal f64 / uniform f64",
                  "uniform f32 / random_bits_ u32, same buffer", "random_bits_ u32 / np.copyto u32, same size",
                  "4x4 f32 xavier_uniform_ / numpy random(out=w)"):
        assert title in rows
    mkl_lines = [t for t in rows if "mkl_random ICDF normal f64" in t]
    assert len(mkl_lines) == 2
    for rec in records:
        cells = rows[rec["target"]]
        if rec.get("skipped"):
            assert rec["target"] in mkl_lines and not mkl_present
            assert cells[:4] == [_bench.NA] * 4
            assert rec["skipped"].startswith("mkl_random not installed")
            assert f"skipped: {rec['target']}: {rec['skipped']}" in text
            continue
        a, b = rec["a"], rec["b"]
        for side in (a, b):
            assert side["samples"] and all(math.isfinite(s) and s > 0 for s in side["samples"])
        # the printed ratios are the sides' medians and minima, divided
        assert cells[2] == f"{a['seconds'] / b['seconds']:.2f}x"
        assert cells[3] == f"{a['min_seconds'] / b['min_seconds']:.2f}x"
        unit = "\u00b5s" if rec["target"].startswith("4x4") else "ns/el"
        assert cells[0].endswith(unit) and cells[1].endswith(unit)
        if rec["goal"] is None:
            assert rec["met"] is None and len(cells) == 4
            continue
        op, bound = rec["goal"]
        ratio = a["seconds"] / b["seconds"]
        assert rec["met"] == (ratio <= bound if op == "<=" else ratio < bound)
        assert cells[4] == f"{op} {bound:g}x" and cells[5] == ("yes" if rec["met"] else "no")


def test_run_prints_every_row_and_writes_finite_json(tmp_path):
    path = tmp_path / "bench.json"
    out = io.StringIO()
    before = xi.get_simd()
    results = _bench.run(sizes=(2 ** 10,), repeats=2, quick=True, json_path=str(path), stream=out,
                         markdown=True, target_size=2 ** 10)
    text = out.getvalue()
    assert xi.get_simd() == before
    threads = _bench._threads_list((1, None), _bench._available_cpus())
    rows = _main_rows(text)
    assert len(rows) == len(_bench.DTYPES) * (len(_bench.DISTS) * len(threads) + 1)
    seen = set()
    for row in rows:
        dtype, dist = row[DTYPE], row[DIST]
        if dist == "write":                       # "write limit": no ratio columns
            assert row[2:4] == ["limit", "2^10"] and len(row) == 7
            assert NUMBER.match(row[5]) and NUMBER.match(row[6])
            seen.add((dtype, "write limit", 1))
            continue
        assert len(row) == 12, row
        assert row[SIZE] == "2^10" and int(row[THR]) in threads
        assert NUMBER.match(row[NS]) and NUMBER.match(row[GBS]) and RATIO.match(row[BITS])
        if dist == "trunc_normal":
            assert row[PCG64:TORCH] == [_bench.NONE, _bench.NONE]
        else:
            assert all(RATIO.match(c) for c in row[PCG64:TORCH]), row
        assert RATIO.match(row[TORCH]) or row[TORCH] == _bench.NA
        if not MKL_INSTALLED:
            assert row[MKL] == _bench.NA
        elif dtype == "float64" and dist in ("uniform", "normal"):
            assert RATIO.match(row[MKL]), row
        else:
            assert row[MKL] == _bench.NONE, row
        assert RATIO.match(row[JAX]) if JAX_INSTALLED else row[JAX] == _bench.NA
        seen.add((dtype, dist, int(row[THR])))
    assert seen == {(d, s, t) for d in _bench.DTYPES for s in _bench.DISTS for t in threads} | \
        {(d, "write limit", 1) for d in _bench.DTYPES}
    for word in ("cpu:", "simd:", "numpy", "xinit_c " + xi.__version__, "small calls", "xavier_uniform_",
                 "w.fill(0.5)", "| dtype | distribution |", "|:---|", "xi/bits", "| target: A / B |",
                 "targets (issue 11), 2^10 elements"):
        assert word in text
    assert ("mkl_random: mkl_random " if MKL_INSTALLED else "mkl_random: not installed") in text
    assert ("jax: jax " if JAX_INSTALLED else "jax: not installed") in text

    data = json.loads(path.read_text())
    assert data["header"]["simd"] == before and data["header"]["simd_variants"] == xi.simd_backends()
    _check_measurements(data["measurements"])
    kinds = {(m["kind"], m["impl"]) for m in data["measurements"]}
    assert {("fill", "xinit_c"), ("fill", "numpy_pcg64"), ("fill", "numpy_philox"),
            ("generator", "random_bits_"), ("write_limit", "np.copyto"), ("small_call", "xinit_c"),
            ("small_call", "ndarray.fill")} <= kinds
    assert (("fill", "mkl_random") in kinds) == MKL_INSTALLED
    assert (("fill", "jax") in kinds) == JAX_INSTALLED
    for m in data["measurements"]:
        assert m.get("allocates", False) == (m["impl"] in ("mkl_random", "jax")), m
    # one random_bits_ measurement beside every xinit_c fill, on the same bytes and threads
    fills = sorted((m["dtype"], m["dist"], m["threads"]) for m in data["measurements"]
                   if m["kind"] == "fill" and m["impl"] == "xinit_c")
    bits = sorted((m["dtype"], m["dist"], m["threads"]) for m in data["measurements"]
                  if m["impl"] == "random_bits_")
    assert fills == bits
    assert len(data["table"]["rows"]) == len(rows)
    _check_targets(text, data["targets"], MKL_INSTALLED)
    assert results["measurements"] == data["measurements"]
    assert results["targets"] == data["targets"]


def test_without_optional_peers_their_columns_say_na(monkeypatch):
    for name in ("torch", "mkl_random", "jax"):
        monkeypatch.setitem(sys.modules, name, None)   # import NAME raises ImportError
    monkeypatch.setattr(_bench, "_JAX", [])            # forget a jax loaded by an earlier test
    out = io.StringIO()
    results = _bench.run(sizes=(2 ** 8,), repeats=1, threads=(1,), quick=True, stream=out, target_size=2 ** 8)
    text = out.getvalue()
    rows = [r for r in _main_rows(text) if r[DIST] != "write"]
    assert rows and all(r[TORCH] == r[MKL] == r[JAX] == _bench.NA for r in rows)
    assert results["header"]["torch"] is None and results["header"]["mkl_random"] is None
    assert results["header"]["jax"] is None
    for line in ("torch not installed", "mkl_random: not installed", "jax: not installed"):
        assert line in text
    assert not any(m["impl"] in ("torch", "mkl_random", "jax") for m in results["measurements"])
    skipped = [t for t in results["targets"] if t.get("skipped")]
    assert len(skipped) == 2 and all("mkl_random" in t["target"] for t in skipped)
    _check_targets(text, results["targets"], mkl_present=False)


def test_mkl_random_peer_draws_fresh_float64_arrays():
    pytest.importorskip("mkl_random", reason="mkl_random is not installed (pip install xinit-c[bench])")
    peer, why = _bench._load_mkl_random()
    assert why is None and peer.brng == _bench.MKL_BRNG
    n = 4096
    normal = peer.fill("float64", "normal", n)
    first, second = normal(), normal()
    assert first.dtype == np.float64 and first.shape == (n,)
    assert not np.shares_memory(first, second)          # it allocates on every call
    assert not np.array_equal(first, second)            # and its generator moves
    assert abs(first.std() / _bench.STD - 1) < 0.1      # 4096 draws: the std's relative error is ~1.1%
    uniform = peer.fill("float64", "uniform", n)()
    assert uniform.min() >= -_bench.BOUND and uniform.max() < _bench.BOUND
    assert uniform.max() - uniform.min() > 1.9 * _bench.BOUND
    for dtype, dist in (("float32", "normal"), ("float32", "uniform"), ("float64", "trunc_normal")):
        assert peer.fill(dtype, dist, n) is None
    absent, why = _bench._load_mkl_random("NO_SUCH_BRNG")
    assert absent is None and "NO_SUCH_BRNG" in why


def _jax_peer():
    pytest.importorskip("jax", reason="jax is not installed (pip install xinit-c[bench])")
    peer, why = _bench._load_jax()
    assert why is None, why
    return peer


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_jax_peer_draws_jax_initializers_of_the_dtype(dtype):
    peer = _jax_peer()
    import jax
    n = 4095
    fan_avg = (1 + n) / 2                      # shape (1, n): fan_in 1, fan_out n
    values = {dist: np.asarray(peer.fill(dtype, dist, n)()) for dist in _bench.DISTS}
    for dist, v in values.items():
        assert v.shape == (1, n) and v.dtype == np.dtype(dtype), dist
    assert np.abs(values["uniform"]).max() <= math.sqrt(3 / fan_avg)
    assert np.abs(values["uniform"]).max() > 0.9 * math.sqrt(3 / fan_avg)
    assert abs(values["normal"].std() / _bench.STD - 1) < 0.1
    # glorot_normal: a standard normal truncated to [-2, 2], scaled by sqrt(1 / fan_avg) / .87962566103423978
    # (the truncated standard normal's std), jax/_src/nn/initializers.py variance_scaling
    scale = math.sqrt(1 / fan_avg) / .87962566103423978
    trunc = np.abs(values["trunc_normal"]).max()
    assert 1.5 * scale < trunc <= 2 * scale * (1 + 1e-6)
    assert not jax.config.jax_enable_x64       # float64 was traced under a scoped x64 only


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"),
                    reason="thread names and affinities are read from Linux's /proc")
def test_jax_gets_one_intra_op_thread_and_no_thread_stays_pinned():
    before = os.sched_getaffinity(0)
    peer = _jax_peer()
    assert os.sched_getaffinity(0) == before
    if peer.cpu is None:
        pytest.skip("jax was imported before the benchmark loaded it: its thread pool is XLA's own")
    peer.fill("float32", "normal", 1024)()
    names = {}
    for tid in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{tid}/comm") as f:
            names[int(tid)] = f.read().strip()
    # XLA's intra-op pool (named "XLAEigen", "tf_XLAEigen" since TSL prefixes thread names) would
    # have one thread per available CPU, had the backend not started on one CPU
    pool = [tid for tid, name in names.items() if "XLAEigen" in name]
    assert len(pool) == 1, names
    assert all(os.sched_getaffinity(tid) == before for tid in names)
    assert "one intra-op thread" in peer.describe()


def test_variants_mode_covers_every_variant_and_restores_the_choice(tmp_path):
    variants = xi.simd_backends()
    before = xi.get_simd()
    xi.set_simd(variants[0])
    try:
        out = io.StringIO()
        results = _bench.run_variants(size=2 ** 10, repeats=1, quick=True, stream=out,
                                      json_path=str(tmp_path / "v.json"))
        assert xi.get_simd() == variants[0]
    finally:
        xi.set_simd(before)
    rows = _main_rows(out.getvalue())
    assert {(r[0], r[1], r[2]) for r in rows} == {(d, s, v) for d in _bench.DTYPES for s in _bench.DISTS
                                                  for v in variants}
    _check_measurements(results["measurements"])
    assert json.loads((tmp_path / "v.json").read_text())["measurements"] == results["measurements"]


def test_cli_bench_subcommand_passes_its_options(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", None)      # jax's compiles are tested above; keep this quick
    monkeypatch.setattr(_bench, "_JAX", [])
    path = tmp_path / "b.json"
    assert cli.main(["bench", "--sizes", "9", "--repeats", "1", "--threads", "1", "--quick",
                     "--no-small", "--no-targets", "--markdown", "--json", str(path)]) == 0
    text = capsys.readouterr().out
    assert "2^9" in text and "| dtype |" in text and "small calls" not in text and "targets" not in text
    data = json.loads(path.read_text())
    assert {m["n"] for m in data["measurements"]} == {2 ** 9}
    assert {m["threads"] for m in data["measurements"]} == {1}
    assert "targets" not in data

    assert cli.main(["bench", "--targets", "--target-size", "8", "--repeats", "1", "--quick",
                     "--mkl-brng", "MCG59", "--json", str(path)]) == 0
    text = capsys.readouterr().out
    assert "dtype " not in text and "small calls" not in text and "targets (issue 11), 2^8 elements" in text
    data = json.loads(path.read_text())
    assert data["measurements"] == [] and len(data["targets"]) == TARGET_LINES
    assert {t["n"] for t in data["targets"] if not t.get("skipped")} == {2 ** 8}
    assert ("brng MCG59" in data["header"]["mkl_random"]) if MKL_INSTALLED else \
        data["header"]["mkl_random"] is None
    for bad in (["--no-such-option"], ["--targets", "--no-targets"], ["--target-size", "40"]):
        with pytest.raises(SystemExit):
            cli.main(["bench"] + bad)
