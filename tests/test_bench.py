"""The benchmark runs and reports well-formed numbers. Speed itself is never asserted."""
import io
import json
import math
import re
import sys

import pytest

import xinit_c as xi
from xinit_c import __main__ as cli
from xinit_c import _bench

RATIO = re.compile(r"^\d+\.\d\dx$")
NUMBER = re.compile(r"^\d+\.\d+$")


def _table_rows(text):
    """The rows of the plain main table: the lines after its dashed rule, up to the first blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("dtype ")) + 2
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        rows.append(line.split())
    return rows


def _check_measurements(measurements):
    assert measurements
    for m in measurements:
        for key in ("seconds", "ns_per_element"):
            assert math.isfinite(m[key]) and m[key] > 0, m
        if "gb_per_s" in m:
            assert math.isfinite(m["gb_per_s"]) and m["gb_per_s"] > 0, m
        assert m["samples"] and all(math.isfinite(s) and s > 0 for s in m["samples"]), m


def test_run_prints_every_row_and_writes_finite_json(tmp_path):
    path = tmp_path / "bench.json"
    out = io.StringIO()
    before = xi.get_simd()
    results = _bench.run(sizes=(2 ** 10,), repeats=2, quick=True, json_path=str(path), stream=out,
                         markdown=True)
    text = out.getvalue()
    assert xi.get_simd() == before
    threads = _bench._threads_list((1, None), _bench._available_cpus())
    rows = _table_rows(text)
    assert len(rows) == len(_bench.DTYPES) * (len(_bench.DISTS) * len(threads) + 1)
    seen = set()
    for row in rows:
        dtype, dist = row[0], row[1]
        if dist == "write":                       # "write limit": no ratio columns
            assert row[2:4] == ["limit", "2^10"] and len(row) == 7
            assert NUMBER.match(row[5]) and NUMBER.match(row[6])
            seen.add((dtype, "write limit", 1))
            continue
        assert len(row) == 9, row
        assert row[2] == "2^10" and int(row[3]) in threads
        assert NUMBER.match(row[4]) and NUMBER.match(row[5])
        numpy_cells, torch_cell = row[6:8], row[8]
        if dist == "trunc_normal":
            assert numpy_cells == [_bench.NONE, _bench.NONE]
        else:
            assert all(RATIO.match(c) for c in numpy_cells), row
        assert RATIO.match(torch_cell) or torch_cell == _bench.NA
        seen.add((dtype, dist, int(row[3])))
    assert seen == {(d, s, t) for d in _bench.DTYPES for s in _bench.DISTS for t in threads} | \
        {(d, "write limit", 1) for d in _bench.DTYPES}
    for word in ("cpu:", "simd:", "numpy", "xinit_c " + xi.__version__, "small calls", "xavier_uniform_",
                 "w.fill(0.5)", "| dtype | distribution |", "|:---|"):
        assert word in text

    data = json.loads(path.read_text())
    assert data["header"]["simd"] == before and data["header"]["simd_variants"] == xi.simd_backends()
    _check_measurements(data["measurements"])
    kinds = {(m["kind"], m["impl"]) for m in data["measurements"]}
    assert {("fill", "xinit_c"), ("fill", "numpy_pcg64"), ("fill", "numpy_philox"),
            ("write_limit", "np.copyto"), ("small_call", "xinit_c"), ("small_call", "ndarray.fill")} <= kinds
    assert len(data["table"]["rows"]) == len(rows)
    assert results["measurements"] == data["measurements"]


def test_without_torch_its_column_says_na(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)   # import torch raises ImportError
    out = io.StringIO()
    results = _bench.run(sizes=(2 ** 8,), repeats=1, threads=(1,), quick=True, stream=out)
    rows = [r for r in _table_rows(out.getvalue()) if r[1] != "write"]
    assert rows and all(r[8] == _bench.NA for r in rows)
    assert results["header"]["torch"] is None
    assert "torch not installed" in out.getvalue()
    assert not any(m["impl"] == "torch" for m in results["measurements"])


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
    rows = _table_rows(out.getvalue())
    assert {(r[0], r[1], r[2]) for r in rows} == {(d, s, v) for d in _bench.DTYPES for s in _bench.DISTS
                                                  for v in variants}
    _check_measurements(results["measurements"])
    assert json.loads((tmp_path / "v.json").read_text())["measurements"] == results["measurements"]


def test_cli_bench_subcommand_passes_its_options(tmp_path, capsys):
    path = tmp_path / "b.json"
    assert cli.main(["bench", "--sizes", "9", "--repeats", "1", "--threads", "1", "--quick",
                     "--no-small", "--markdown", "--json", str(path)]) == 0
    text = capsys.readouterr().out
    assert "2^9" in text and "| dtype |" in text and "small calls" not in text
    data = json.loads(path.read_text())
    assert {m["n"] for m in data["measurements"]} == {2 ** 9}
    assert {m["threads"] for m in data["measurements"]} == {1}
    with pytest.raises(SystemExit):
        cli.main(["bench", "--no-such-option"])
