"""Benchmark: xinit_c against numpy and torch.nn.init, all in the same process.

``xinit-c bench`` (or ``python benchmarks/bench.py`` from the repository)
prints one table: for float32 and float64, uniform / normal / trunc_normal,
each size and 1 thread / all threads, xinit_c's ns per element and GB/s and
the ratio ``peer time / xinit_c time`` (> 1: xinit_c is faster) for numpy
``Generator(PCG64)``, numpy ``Generator(Philox)`` and ``torch.nn.init``. All
contenders fill the same preallocated, already touched buffer in place; each
number is the median of repeated ``time.perf_counter`` timings after warm-up
calls, with the contenders' timings interleaved so that a burst of background
load hits them all alike. A "write limit" row per dtype and size times
``np.copyto`` into the same buffer; a small-call block times 64x64 and 4x4
calls through the Python API. ``--json PATH`` keeps every measurement for
``benchmarks/plot.py``; ``--variants`` compares xinit_c's SIMD variants.
Speed numbers are never asserted anywhere: they describe one machine at one time.
"""
import argparse
import datetime
import gc
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np

import xinit_c as xi

DEFAULT_EXPONENTS = (12, 20, 26)
QUICK_EXPONENTS = (12, 20)
DEFAULT_SIZES = tuple(2 ** e for e in DEFAULT_EXPONENTS)
QUICK_SIZES = tuple(2 ** e for e in QUICK_EXPONENTS)
DTYPES = ("float32", "float64")
DISTS = ("uniform", "normal", "trunc_normal")
PEERS = ("numpy_pcg64", "numpy_philox", "torch")
PEER_TITLES = {"numpy_pcg64": "PCG64/xi", "numpy_philox": "Philox/xi", "torch": "torch/xi"}

BOUND = 0.05            # uniform(-BOUND, BOUND)
STD = 0.02              # normal(0, STD), trunc_normal(0, STD, -2 STD, 2 STD)
TRUNC = 2 * STD
SEED = 12345
SMALL_SHAPE = (64, 64)
TINY_SHAPE = (4, 4)      # where a call's fixed cost is all there is
LONG_CALL = 1.0         # seconds: a call this long needs one warm-up call only

NA = "n/a"              # the peer is not installed
NONE = "\u2013"         # the peer has no such in-place fill (numpy trunc_normal)


class _Plan:
    """How long to time: samples of about ``target_sample`` seconds, about ``budget`` seconds a contender."""

    def __init__(self, quick=False, repeats=None):
        self.quick = quick
        self.fixed = None if repeats is None else max(1, int(repeats))
        self.target_sample = 0.0005 if quick else 0.002
        self.budget = 0.04 if quick else 0.25
        self.min_repeats = 3 if quick else 5
        self.max_repeats = 15 if quick else 51
        self.small_batch = 500 if quick else 2000
        self.small_batches = self.fixed or (5 if quick else 9)

    def describe(self):
        if self.fixed:
            return f"{self.fixed} timed samples per number"
        return (f"{self.min_repeats} to {self.max_repeats} timed samples per number, each of "
                f">= {self.target_sample * 1e3:g} ms (several calls when one call is shorter); "
                f"at least 5 for sizes >= 2^24")


# -- environment ---------------------------------------------------------------------------------

def _available_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def cpu_model():
    """The CPU's name: /proc/cpuinfo on Linux, else platform.processor()."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            fields = {}
            for line in f:
                key, sep, value = line.partition(":")
                if sep and value.strip():
                    fields.setdefault(key.strip().lower(), value.strip())
        for key in ("model name", "hardware", "cpu model", "processor"):
            value = fields.get(key)
            if value and not value.isdigit():
                return value
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _import_torch():
    # torch's OpenMP workers otherwise spin for a while after each parallel
    # call, stealing the cores from whatever is timed next (xinit_c's threads
    # included); passive waiting keeps the interleaved measurements fair
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch
    except ImportError:
        return None
    return torch


def header(torch=None, all_threads=None):
    """The run's context: date, CPU, SIMD variants, versions."""
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "machine": platform.machine(),
        "logical_cpus": os.cpu_count(),
        "available_cpus": _available_cpus(),
        "all_threads": all_threads or _available_cpus(),
        "simd": xi.get_simd(),
        "simd_variants": list(xi.simd_backends()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch is not None else None,
        "xinit_c": xi.__version__,
        "platform": platform.platform(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def _header_lines(h):
    return [
        f"xinit_c benchmark, {h['date']}",
        f"cpu: {h['cpu']} ({h['machine']}), {h['logical_cpus']} logical CPUs, "
        f"{h['available_cpus']} available; all threads = {h['all_threads']}"
        + (f"; load average at start {h['load_average'][0]:.2f}" if h.get("load_average") else ""),
        f"simd: {h['simd']} in use; variants: {' '.join(h['simd_variants'])}",
        f"python {h['python']}, numpy {h['numpy']}, torch {h['torch'] or 'not installed'}, "
        f"xinit_c {h['xinit_c']}",
    ]


# -- output --------------------------------------------------------------------------------------

def _write(stream, text):
    try:
        stream.write(text)
    except UnicodeEncodeError:
        stream.write(text.replace(NONE, "-").replace("\u00b5", "u"))
    stream.flush()


class _Table:
    """Fixed-width columns, so that rows print as soon as they are measured."""

    def __init__(self, columns, stream):
        self.columns = columns  # (title, width, "<" or ">")
        self.stream = stream
        self.rows = []

    def _line(self, cells):
        parts = [f"{cell:{align}{width}}" for cell, (_, width, align) in zip(cells, self.columns)]
        return "  ".join(parts).rstrip()

    def print_header(self):
        titles = [title for title, _, _ in self.columns]
        line = self._line(titles)
        _write(self.stream, line + "\n" + "-" * len(line) + "\n")

    def add(self, cells):
        cells = [str(c) for c in cells]
        self.rows.append(cells)
        if self.stream is not None:
            _write(self.stream, self._line(cells) + "\n")

    def markdown(self):
        titles = [title for title, _, _ in self.columns]
        out = ["| " + " | ".join(titles) + " |",
               "|" + "|".join("---:" if align == ">" else ":---" for _, _, align in self.columns) + "|"]
        for cells in self.rows:
            out.append("| " + " | ".join(cells) + " |")
        return "\n".join(out) + "\n"


def _fmt_ns(x):
    if x >= 100:
        return f"{x:.1f}"
    if x >= 10:
        return f"{x:.2f}"
    return f"{x:.3f}"


def _fmt_gbs(x):
    return f"{x:.2f}" if x < 100 else f"{x:.1f}"


def _fmt_ratio(peer, mine):
    if isinstance(peer, str):
        return peer
    return f"{peer['seconds'] / mine['seconds']:.2f}x"


def _size_label(n):
    e = int(round(math.log2(n))) if n > 0 else 0
    return f"2^{e}" if 2 ** e == n else str(n)


# -- timing --------------------------------------------------------------------------------------

def _calibrate(fn, plan, n):
    """Warm up ``fn``; choose calls per sample and samples."""
    began = time.perf_counter()
    fn()   # warm-up: first-call costs (lazy init, thread start-up, page faults of scratch)
    once = time.perf_counter() - began
    if once < LONG_CALL:
        began = time.perf_counter()
        fn()   # second warm-up, timed to size the samples
        once = time.perf_counter() - began
    once = max(once, 1e-9)
    inner = 1 if once >= plan.target_sample else min(100000, max(1, int(plan.target_sample / once)))
    if plan.fixed:
        repeats = plan.fixed
    else:
        repeats = min(plan.max_repeats, max(plan.min_repeats, int(plan.budget / (once * inner))))
        if n >= 2 ** 24:
            repeats = max(repeats, 5)
    return inner, repeats


def measure(contenders, plan, n):
    """Time each ``name -> fn`` of ``contenders``; samples interleaved round-robin.

    Returns ``name -> {"seconds": median seconds per call, "samples": [...], ...}``.
    """
    setup = {name: _calibrate(fn, plan, n) for name, fn in contenders.items()}
    samples = {name: [] for name in contenders}
    rounds = max((r for _, r in setup.values()), default=0)
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for i in range(rounds):
            for name, fn in contenders.items():
                inner, repeats = setup[name]
                if i >= repeats:
                    continue
                began = time.perf_counter()
                for _ in range(inner):
                    fn()
                samples[name].append((time.perf_counter() - began) / inner)
    finally:
        if was_enabled:
            gc.enable()
    return {name: {"seconds": statistics.median(samples[name]), "min_seconds": min(samples[name]),
                   "calls_per_sample": setup[name][0], "repeats": setup[name][1],
                   "samples": samples[name]}
            for name in contenders}


# -- the contenders ------------------------------------------------------------------------------

def _xinit_fill(dist, buf, generator, threads):
    if dist == "uniform":
        return lambda: xi.uniform_(buf, -BOUND, BOUND, generator=generator, threads=threads)
    if dist == "normal":
        return lambda: xi.normal_(buf, 0.0, STD, generator=generator, threads=threads)
    return lambda: xi.trunc_normal_(buf, 0.0, STD, -TRUNC, TRUNC, generator=generator, threads=threads)


def _numpy_fill(dist, buf, rng):
    """numpy's in-place fill then in-place scaling, as a user would write it; None if there is none."""
    dtype = buf.dtype
    if dist == "uniform":
        scale = 2 * BOUND

        def fill():
            rng.random(out=buf, dtype=dtype)
            np.multiply(buf, scale, out=buf)     # buf *= 2 b
            np.subtract(buf, BOUND, out=buf)     # buf -= b
        return fill
    if dist == "normal":
        def fill():
            rng.standard_normal(out=buf, dtype=dtype)
            np.multiply(buf, STD, out=buf)       # buf *= std
        return fill
    return None   # numpy has no in-place truncated normal


def _torch_fill(torch, dist, tensor):
    init = torch.nn.init
    if dist == "uniform":
        return lambda: init.uniform_(tensor, -BOUND, BOUND)
    if dist == "normal":
        return lambda: init.normal_(tensor, 0.0, STD)
    return lambda: init.trunc_normal_(tensor, 0.0, STD, -TRUNC, TRUNC)


def _record(kind, impl, dtype, dist, n, threads, m, **extra):
    itemsize = np.dtype(dtype).itemsize
    rec = {"kind": kind, "impl": impl, "dtype": dtype, "dist": dist, "n": n,
           "log2n": math.log2(n) if n > 0 else None, "threads": threads,
           "seconds": m["seconds"], "ns_per_element": m["seconds"] / n * 1e9,
           "gb_per_s": n * itemsize / m["seconds"] / 1e9, "min_seconds": m["min_seconds"],
           "calls_per_sample": m["calls_per_sample"], "repeats": m["repeats"], "samples": m["samples"]}
    rec.update(extra)
    return rec


def _threads_list(threads, all_threads):
    out = []
    for t in threads:
        count = all_threads if t is None or t == "all" else int(t)
        if count not in out:
            out.append(count)
    return out


def _small_calls(torch, plan, stream, results):
    """Microseconds per 64x64 (and 4x4) float32 call through the Python API."""
    shape = SMALL_SHAPE
    w = np.zeros(shape, np.float32)
    tiny = np.zeros(TINY_SHAPE, np.float32)
    g = xi.Generator(SEED)
    rng = np.random.Generator(np.random.PCG64(SEED))
    bound = math.sqrt(6.0 / (shape[0] + shape[1]))

    def numpy_uniform():
        rng.random(out=w, dtype=np.float32)
        np.multiply(w, 2 * bound, out=w)
        np.subtract(w, bound, out=w)

    contenders = {
        "xinit_c": ("xinit_c xavier_uniform_(w, generator=g)", lambda: xi.xavier_uniform_(w, generator=g)),
        "ndarray.fill": ("numpy w.fill(0.5)", lambda: w.fill(0.5)),
        "numpy_pcg64": ("numpy PCG64 random(out=w) + scale", numpy_uniform),
    }
    if torch is not None:
        t = torch.zeros(shape, dtype=torch.float32)
        contenders["torch"] = ("torch.nn.init.xavier_uniform_(t)", lambda: torch.nn.init.xavier_uniform_(t))
        torch.set_num_threads(1)
    contenders["xinit_c_4x4"] = ("xinit_c xavier_uniform_(w, generator=g), 4x4",
                                 lambda: xi.xavier_uniform_(tiny, generator=g))
    contenders["numpy_pcg64_4x4"] = ("numpy PCG64 random(out=w), 4x4",
                                     lambda: rng.random(out=tiny, dtype=np.float32))

    batch = plan.small_batch
    fns = {name: fn for name, (_, fn) in contenders.items()}
    for fn in fns.values():       # warm-up
        for _ in range(10):
            fn()
    samples = {name: [] for name in fns}
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(plan.small_batches):
            for name, fn in fns.items():
                began = time.perf_counter()
                for _ in range(batch):
                    fn()
                samples[name].append((time.perf_counter() - began) / batch)
    finally:
        if was_enabled:
            gc.enable()
    mine = {name: statistics.median(samples["xinit_c_4x4" if name.endswith("_4x4") else "xinit_c"])
            for name in contenders}
    table = _Table([("small call (float32, 64x64 unless 4x4)", 45, "<"), ("\u00b5s/call", 9, ">"),
                    ("vs xi", 7, ">")], stream)
    if stream is not None:
        _write(stream, f"\nsmall calls: median per call of {plan.small_batches} batches of {batch} calls; "
                       f"vs xi = call time / xinit_c call time\n")
        table.print_header()
    for name, (title, _) in contenders.items():
        sec = statistics.median(samples[name])
        table.add([title, f"{sec * 1e6:.2f}", "" if name.startswith("xinit_c") else f"{sec / mine[name]:.2f}x"])
        array = tiny if name.endswith("_4x4") else w
        results["measurements"].append({
            "kind": "small_call", "impl": name, "call": title, "dtype": "float32", "shape": list(array.shape),
            "n": array.size, "threads": 1, "seconds": sec, "us_per_call": sec * 1e6,
            "ns_per_element": sec / array.size * 1e9, "calls_per_sample": batch,
            "repeats": plan.small_batches, "samples": samples[name]})
    if torch is None:
        table.add(["torch.nn.init.xavier_uniform_(t)", NA, NA])
    return table


MAIN_COLUMNS = [("dtype", 7, "<"), ("distribution", 12, "<"), ("size", 5, "<"), ("thr", 3, ">"),
                ("xi ns/el", 8, ">"), ("xi GB/s", 7, ">"),
                ("PCG64/xi", 9, ">"), ("Philox/xi", 9, ">"), ("torch/xi", 9, ">")]


def run(sizes=DEFAULT_SIZES, repeats=None, threads=(1, None), quick=False, json_path=None,
        stream=sys.stdout, markdown=False, simd=None, small_calls=True):
    """Measure xinit_c and its peers; print the table to ``stream``; return every measurement.

    ``sizes``: element counts; with ``quick`` and the default sizes, 2^12 and 2^20 only.
    ``repeats``: timed samples per number (default: adapted to the size).
    ``threads``: thread counts for the rows, ``None`` or ``"all"`` for every available CPU.
    ``simd``: the xinit_c variant to run (default the best); the previous one is restored.
    """
    sizes = tuple(int(n) for n in sizes)
    if quick and sizes == DEFAULT_SIZES:
        sizes = QUICK_SIZES
    if any(n < 1 for n in sizes):
        raise ValueError(f"sizes must be positive, got {sizes}")
    plan = _Plan(quick, repeats)
    torch = _import_torch()
    all_threads = _available_cpus()
    thread_counts = _threads_list(threads, all_threads)
    previous_simd = xi.get_simd()
    torch_threads = torch.get_num_threads() if torch is not None else None
    try:
        xi.set_simd(simd or "best")
        results = {"header": header(torch, all_threads),
                   "method": {"plan": plan.describe(), "quick": quick, "bound": BOUND, "std": STD,
                              "trunc": [-TRUNC, TRUNC], "seed": SEED, "sizes": list(sizes),
                              "threads": thread_counts},
                   "measurements": []}
        out = stream
        if out is not None:
            _write(out, "\n".join(_header_lines(results["header"])) + "\n")
            _write(out, "method: one process; every contender fills the same preallocated, touched buffer "
                        "in place;\n        warm-up calls, then the median of timed samples, contenders "
                        f"interleaved\n        ({plan.describe()})\n")
            _write(out, "columns: xi = xinit_c; PCG64/xi, Philox/xi, torch/xi = peer time / xinit_c time "
                        "(>1: xinit_c is faster);\n         numpy is single-threaded (one measurement, shown "
                        f"in every thr row); {NONE} = numpy has no such\n         in-place fill; {NA} = "
                        "not installed; write limit = np.copyto into the same buffer\n\n")
        table = _Table(MAIN_COLUMNS, out)
        if out is not None:
            table.print_header()
        for dtype in DTYPES:
            for n in sizes:
                _measure_size(dtype, n, thread_counts, torch, plan, table, results)
        small = _small_calls(torch, plan, out, results) if small_calls else None
        if out is not None and markdown:
            _write(out, "\nMarkdown:\n\n")
            _write(out, "".join(f"- {line}\n" for line in _header_lines(results["header"])) + "\n")
            _write(out, table.markdown())
            if small is not None:
                _write(out, "\n" + small.markdown())
        results["table"] = {"columns": [c[0] for c in MAIN_COLUMNS], "rows": table.rows}
        if small is not None:
            results["small_table"] = {"columns": [c[0] for c in small.columns], "rows": small.rows}
        if json_path:
            _dump(results, json_path)
            if out is not None:
                _write(out, f"\nwrote {json_path}\n")
        return results
    finally:
        xi.set_simd(previous_simd)
        if torch is not None:
            torch.set_num_threads(torch_threads)


def _measure_size(dtype, n, thread_counts, torch, plan, table, results):
    """Every row of one dtype and size: one buffer, allocated and touched once, freed afterwards."""
    buf = np.empty(n, dtype)
    buf.fill(0.0)                                   # page faults out of the measurement
    tensor = torch.from_numpy(buf) if torch is not None else None
    generator = xi.Generator(SEED)
    size = _size_label(n)
    records = results["measurements"]
    numpy_done = {}
    try:
        for dist in DISTS:
            for threads in thread_counts:
                contenders = {"xinit_c": _xinit_fill(dist, buf, generator, threads)}
                if dist not in numpy_done:          # numpy is single-threaded: measure once
                    for name, bitgen in (("numpy_pcg64", np.random.PCG64), ("numpy_philox", np.random.Philox)):
                        fill = _numpy_fill(dist, buf, np.random.Generator(bitgen(SEED)))
                        if fill is not None:
                            contenders[name] = fill
                if torch is not None:
                    torch.set_num_threads(threads)
                    contenders["torch"] = _torch_fill(torch, dist, tensor)
                got = measure(contenders, plan, n)
                if dist not in numpy_done:
                    numpy_done[dist] = {name: got[name] for name in ("numpy_pcg64", "numpy_philox")
                                        if name in got}
                    for name, m in numpy_done[dist].items():
                        records.append(_record("fill", name, dtype, dist, n, 1, m))
                mine = got["xinit_c"]
                rec = _record("fill", "xinit_c", dtype, dist, n, threads, mine, simd=xi.get_simd())
                records.append(rec)
                if "torch" in got:
                    records.append(_record("fill", "torch", dtype, dist, n, threads, got["torch"]))
                peers = {name: numpy_done[dist].get(name, NONE) for name in ("numpy_pcg64", "numpy_philox")}
                peers["torch"] = got.get("torch", NA)
                table.add([dtype, dist, size, threads, _fmt_ns(rec["ns_per_element"]), _fmt_gbs(rec["gb_per_s"])]
                          + [_fmt_ratio(peers[name], mine) for name in PEERS])
        src = np.full(n, 0.5, dtype)
        try:
            got = measure({"copyto": lambda: np.copyto(buf, src)}, plan, n)["copyto"]
        finally:
            del src
        rec = _record("write_limit", "np.copyto", dtype, "write limit", n, 1, got)
        records.append(rec)
        table.add([dtype, "write limit", size, 1, _fmt_ns(rec["ns_per_element"]), _fmt_gbs(rec["gb_per_s"]),
                   "", "", ""])
    finally:
        del tensor, buf
        gc.collect()


def run_variants(size=2 ** 20, repeats=None, quick=False, json_path=None, stream=sys.stdout,
                 markdown=False):
    """xinit_c alone, one thread, for every SIMD variant of this CPU; the previous variant is restored."""
    plan = _Plan(quick, repeats)
    n = int(size)
    previous = xi.get_simd()
    variants = list(xi.simd_backends())
    results = {"header": header(_import_torch()), "method": {"plan": plan.describe(), "quick": quick,
                                                            "sizes": [n], "threads": [1]},
               "measurements": []}
    if stream is not None:
        _write(stream, "\n".join(_header_lines(results["header"])) + "\n")
        _write(stream, f"xinit_c per SIMD variant, {_size_label(n)} elements, 1 thread; warm-up, then the "
                       f"median of timed samples\n({plan.describe()});\n"
                       f"vs scalar = scalar time / variant time\n\n")
    table = _Table([("dtype", 7, "<"), ("distribution", 12, "<"), ("variant", 8, "<"),
                    ("ns/el", 8, ">"), ("GB/s", 7, ">"), ("vs scalar", 9, ">")], stream)
    if stream is not None:
        table.print_header()
    try:
        for dtype in DTYPES:
            buf = np.empty(n, dtype)
            buf.fill(0.0)
            generator = xi.Generator(SEED)
            for dist in DISTS:
                scalar = None
                for variant in variants:
                    xi.set_simd(variant)
                    m = measure({"xinit_c": _xinit_fill(dist, buf, generator, 1)}, plan, n)["xinit_c"]
                    rec = _record("variant", "xinit_c", dtype, dist, n, 1, m, simd=variant)
                    results["measurements"].append(rec)
                    if variant == "scalar":
                        scalar = m["seconds"]
                    ratio = f"{scalar / m['seconds']:.2f}x" if scalar else ""
                    table.add([dtype, dist, variant, _fmt_ns(rec["ns_per_element"]),
                               _fmt_gbs(rec["gb_per_s"]), ratio])
            del buf
            gc.collect()
    finally:
        xi.set_simd(previous)
    if stream is not None and markdown:
        _write(stream, "\nMarkdown:\n\n" + table.markdown())
    results["table"] = {"columns": [c[0] for c in table.columns], "rows": table.rows}
    if json_path:
        _dump(results, json_path)
        if stream is not None:
            _write(stream, f"\nwrote {json_path}\n")
    return results


def _dump(results, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
        f.write("\n")


def build_parser(prog="xinit-c bench"):
    parser = argparse.ArgumentParser(
        prog=prog, description="Time xinit_c against numpy and torch.nn.init in one process; print one table.")
    parser.add_argument("--sizes", type=int, nargs="+", metavar="EXP", default=None,
                        help="sizes as powers of two (default: 12 20 26; with --quick: 12 20)")
    parser.add_argument("--quick", action="store_true",
                        help="sizes 2^12 and 2^20 only and fewer samples (well under a minute)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed samples per number (default: adapted to the size)")
    parser.add_argument("--threads", choices=("1", "all", "both"), default="both",
                        help="rows for 1 thread, all threads, or both (default)")
    parser.add_argument("--simd", choices=list(xi.simd_backends()) + ["best"], default=None,
                        help="xinit_c SIMD variant to run (default: the best this CPU has)")
    parser.add_argument("--json", metavar="PATH", default=None,
                        help="write every measurement as JSON (for benchmarks/plot.py)")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--variants", action="store_true",
                        help="xinit_c alone for every SIMD variant, one thread, at 2^20 (or the first --sizes)")
    parser.add_argument("--no-small", action="store_true", help="skip the 64x64 small-call block")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.sizes is not None and any(not 0 <= e <= 34 for e in args.sizes):
        build_parser().error("--sizes takes exponents between 0 and 34")
    if args.variants:
        size = 2 ** (args.sizes[0] if args.sizes else 20)
        run_variants(size, repeats=args.repeats, quick=args.quick, json_path=args.json,
                     stream=sys.stdout, markdown=args.markdown)
        return 0
    if args.sizes is None:
        sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    else:
        sizes = tuple(2 ** e for e in args.sizes)
    threads = {"1": (1,), "all": (None,), "both": (1, None)}[args.threads]
    run(sizes, repeats=args.repeats, threads=threads, quick=args.quick, json_path=args.json,
        stream=sys.stdout, markdown=args.markdown, simd=args.simd, small_calls=not args.no_small)
    return 0


if __name__ == "__main__":
    sys.exit(main())
