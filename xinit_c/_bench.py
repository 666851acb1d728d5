"""Benchmark: xinit_c against numpy, torch.nn.init, mkl_random and jax, all in the same process.

``xinit-c bench`` (or ``python benchmarks/bench.py`` from the repository)
prints one table: for float32 and float64, uniform / normal / trunc_normal,
each size and 1 thread / all threads, xinit_c's ns per element and GB/s, its
ratio to Philox alone (``random_bits_`` into the same bytes), and the ratio
``peer time / xinit_c time`` (> 1: xinit_c is faster) for numpy
``Generator(PCG64)``, numpy ``Generator(Philox)``, ``torch.nn.init``,
mkl_random (float64; it allocates its result) and jax's jitted initializers
(they allocate too); mkl_random and jax are optional and say why when absent.
xinit_c, numpy and torch fill the same preallocated, already touched buffer in
place; each number is the median of repeated ``time.perf_counter`` timings
after warm-up calls, with the contenders' timings interleaved so that a burst
of background load hits them all alike. A "write limit" row per dtype and size
times ``np.copyto`` into the same buffer; a small-call block times 64x64 and 4x4 calls
through the Python API; a targets block gives the ratios issue 11 sets goals
for, each pair timed interleaved. ``--json PATH`` keeps every measurement for
``benchmarks/plot.py``; ``--variants`` compares xinit_c's SIMD variants.
Speed numbers are never asserted anywhere: they describe one machine at one time.
"""
import argparse
import contextlib
import datetime
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np

import xinit_c as xi

DEFAULT_EXPONENTS = (12, 20, 26)
QUICK_EXPONENTS = (12, 20)
DEFAULT_SIZES = tuple(2 ** e for e in DEFAULT_EXPONENTS)
QUICK_SIZES = tuple(2 ** e for e in QUICK_EXPONENTS)
DTYPES = ("float32", "float64")
DISTS = ("uniform", "normal", "trunc_normal")
PEERS = ("numpy_pcg64", "numpy_philox", "torch", "mkl_random", "jax")
ONE_THREAD_PEERS = ("numpy_pcg64", "numpy_philox", "mkl_random", "jax")   # measured once per row group

BOUND = 0.05            # uniform(-BOUND, BOUND)
STD = 0.02              # normal(0, STD), trunc_normal(0, STD, -2 STD, 2 STD)
TRUNC = 2 * STD
SEED = 12345
SMALL_SHAPE = (64, 64)
TINY_SHAPE = (4, 4)      # where a call's fixed cost is all there is
LONG_CALL = 1.0         # seconds: a call this long needs one warm-up call only
TARGET_SIZE = 2 ** 20   # issue 11 states its targets at 2^20 elements
TARGET_SHAPE = (4, 4)   # issue 11's small call: a 4x4 float32 xavier_uniform_
# ARS5 (AES-based, counter-based like Philox) was among mkl_random's fastest
# generators for the ICDF normal on this project's machine, with MCG59 and
# SFMT19937 within 10%; PHILOX4X32X10 took twice as long
MKL_BRNG = "ARS5"

NA = "n/a"              # the peer is not installed
NONE = "\u2013"         # the peer has no such fill (numpy: trunc_normal; mkl_random: float32, trunc_normal)


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


class _MklRandom:
    """mkl_random's ICDF normal and uniform: float64 only, and every call allocates its result."""

    def __init__(self, module, brng):
        # MKLRandomState since mkl_random 1.3.2, which deprecates RandomState
        state_class = getattr(module, "MKLRandomState", None) or module.RandomState
        with warnings.catch_warnings():
            # an unknown name only warns and falls back to MT19937: checked below instead
            warnings.simplefilter("ignore", UserWarning)
            self.state = state_class(SEED, brng=brng)
        self.brng = self.state.get_state()[0]
        if self.brng.upper() != brng.upper():
            raise ValueError(f"mkl_random does not know brng {brng!r} (it would run {self.brng})")
        self.version = module.__version__

    def describe(self):
        return (f"mkl_random {self.version} (brng {self.brng}; ICDF normal and uniform, float64 only, "
                f"allocates its result)")

    def fill(self, dtype, dist, n):
        """A call drawing ``n`` values, or None where mkl_random has no such fill."""
        if np.dtype(dtype) != np.float64:
            return None
        state = self.state
        if dist == "uniform":
            return lambda: state.uniform(-BOUND, BOUND, n)
        if dist == "normal":
            return lambda: state.normal(0.0, STD, n, method="ICDF")
        return None


def _load_mkl_random(brng=MKL_BRNG):
    """``(_MklRandom, None)``, or ``(None, why not)``."""
    try:
        import mkl_random
    except ImportError as exc:
        return None, f"not installed ({exc}); pip install mkl_random (x86-64)"
    try:
        return _MklRandom(mkl_random, brng), None
    except Exception as exc:     # an unknown brng, or one this CPU lacks
        return None, f"cannot start brng {brng} (mkl_random {mkl_random.__version__}): {exc}"


def _thread_ids():
    return {int(tid) for tid in os.listdir("/proc/self/task")}


@contextlib.contextmanager
def _on_one_cpu(cpu):
    """Run the block with the calling thread on CPU ``cpu`` only; every thread keeps its CPUs afterwards.

    XLA sizes its CPU backend's intra-op thread pool from the CPU affinity of
    the thread that starts the backend, and offers no other thread setting:
    started here, its pool has one thread, as torch has after
    ``set_num_threads(1)``. The threads it starts meanwhile get the caller's
    CPUs back, so that none is tied to one busy CPU.
    """
    if cpu is None:
        yield
        return
    before = os.sched_getaffinity(0)
    threads = _thread_ids()
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
        for tid in _thread_ids() - threads:
            try:
                os.sched_setaffinity(tid, before)
            except OSError:      # it has ended already
                pass


class _Jax:
    """jax.nn.initializers, jitted on the CPU backend; every call allocates its result.

    uniform: ``glorot_uniform()``; normal: ``normal(STD)``; trunc_normal:
    ``glorot_normal()``, which draws a normal truncated to +-2 standard
    deviations, like the trunc_normal rows. The shape is ``(1, n)``.
    """

    def __init__(self, jax, cpu):
        self.jax = jax
        self.cpu = cpu
        self.device = jax.devices("cpu")[0]
        self.key = jax.device_put(jax.random.key(SEED), self.device)
        self.version = jax.__version__
        self.prng = jax.config.jax_default_prng_impl

    def describe(self):
        cores = "one intra-op thread" if self.cpu is not None else "XLA's own thread count"
        return (f"jax {self.version} (jit on CPU, {self.prng} keys, {cores}; glorot_uniform, normal, "
                f"glorot_normal; allocates its result)")

    def fill(self, dtype, dist, n):
        """A compiled, already run call drawing ``n`` values; it waits for the result."""
        jax = self.jax
        init = {"uniform": jax.nn.initializers.glorot_uniform,
                "normal": lambda: jax.nn.initializers.normal(STD),
                "trunc_normal": jax.nn.initializers.glorot_normal}[dist]()
        dtype = np.dtype(dtype)
        key = self.key
        # float64 needs x64 while tracing; the compiled call keeps it
        with jax.enable_x64(dtype == np.float64), jax.default_device(self.device):
            compiled = jax.jit(lambda k: init(k, (1, n), dtype)).lower(key).compile()
            compiled(key).block_until_ready()     # first run: any lazy start-up stays out of the timing
        return lambda: compiled(key).block_until_ready()


_JAX = []   # the one (_Jax or None, why not) of this process: XLA's backend starts once


def _load_jax():
    """``(_Jax, None)``, or ``(None, why not)``; jax's CPU backend gets one thread if this starts it."""
    if _JAX:
        return _JAX[0]
    cpu = None
    if "jax" not in sys.modules and hasattr(os, "sched_setaffinity") and os.path.isdir("/proc/self/task"):
        cpu = min(os.sched_getaffinity(0))
    try:
        with _on_one_cpu(cpu):
            import jax
            loaded = _Jax(jax, cpu), None
    except ImportError as exc:
        loaded = None, f"not installed ({exc}); pip install jax"
    except Exception as exc:     # a jax that does not work beside this numpy, or without a CPU backend
        loaded = None, f"jax did not start: {exc!r}"
    _JAX.append(loaded)
    return loaded


def header(torch=None, all_threads=None, mkl=None, jax=None):
    """The run's context: date, CPU, SIMD variants, versions; ``mkl``/``jax``: ``(peer or None, why not)``."""
    mkl, mkl_why = mkl or (None, "not part of this run")
    jax, jax_why = jax or (None, "not part of this run")
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
        "mkl_random": mkl.describe() if mkl is not None else None,
        "mkl_random_absent": mkl_why,
        "jax": jax.describe() if jax is not None else None,
        "jax_absent": jax_why,
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
        f"mkl_random: {h.get('mkl_random') or h.get('mkl_random_absent')}",
        f"jax: {h.get('jax') or h.get('jax_absent')}",
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


def _bits_fill(buf, generator, threads):
    """Philox alone: ``random_bits_`` into the bytes of ``buf`` (as many words as a float32/float64 fill draws)."""
    words = buf.view(np.uint32)
    return lambda: xi.random_bits_(words, generator=generator, threads=threads)


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


def _freeze_heap():
    """Take the objects alive now out of the collector's view until ``gc.unfreeze()``.

    torch and jax leave hundreds of thousands of long-lived objects, and the
    ``gc.collect()`` before each measurement would walk them all every time
    (a third of a second here); frozen, it looks at the new objects only.
    """
    gc.collect()
    gc.freeze()


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


TARGET_COLUMNS = [("target: A / B", 46, "<"), ("A", 11, ">"), ("B", 11, ">"), ("median", 7, ">"),
                  ("minimum", 7, ">"), ("goal", 7, ">"), ("met", 3, "<")]


def _target_lines(n, all_threads, mkl, mkl_absent):
    """Issue 11's target ratios as ``(title, goal, A, B)``; a side is ``(fn, elements or None per call)``.

    ``goal``: ``(op, bound)`` that the ratio of medians should meet, or None
    where the line only informs; a line whose side cannot run is
    ``(title, goal, None, why)``.
    """
    g = xi.Generator(SEED)
    f32, f64 = np.zeros(n, np.float32), np.zeros(n, np.float64)
    words, copy_src = f32.view(np.uint32), np.full(n, 7, np.uint32)
    w = np.zeros(TARGET_SHAPE, np.float32)
    rng = np.random.default_rng(SEED)

    def fill(fn, buf, *args, threads=1):
        return (lambda: fn(buf, *args, generator=g, threads=threads)), buf.size

    uniform32, normal32 = fill(xi.uniform_, f32, -BOUND, BOUND), fill(xi.normal_, f32, 0.0, STD)
    both = f"{all_threads} thr" if all_threads > 1 else "1 thr (only one CPU available)"
    lines = [
        ("normal f32 / uniform f32", ("<=", 1.8), normal32, uniform32),
        ("trunc_normal [-2s, 2s] f32 / uniform f32", ("<=", 2.0),
         fill(xi.trunc_normal_, f32, 0.0, STD, -TRUNC, TRUNC), uniform32),
    ]
    try:
        import ml_dtypes
        halves = {"bf16": ml_dtypes.bfloat16, "f16": np.float16}
    except ImportError as exc:
        halves = {}
        lines.append(("normal bf16 / normal f32", ("<=", 1.1), None, f"ml_dtypes not installed ({exc})"))
    for name, dtype in halves.items():
        lines.append((f"normal {name} / normal f32", ("<=", 1.1),
                      fill(xi.normal_, np.zeros(n, dtype), 0.0, STD), normal32))
    lines.append(("normal f64 / uniform f64", ("<=", 2.0), fill(xi.normal_, f64, 0.0, STD),
                  fill(xi.uniform_, f64, -BOUND, BOUND)))
    for threads, goal in ((all_threads, ("<", 1.0)), (1, None)):
        title = f"normal f64 {both if threads > 1 else '1 thr'} / mkl_random ICDF normal f64"
        if mkl is None:
            lines.append((title, goal, None, f"mkl_random {mkl_absent}"))
        else:
            lines.append((title, goal, fill(xi.normal_, f64, 0.0, STD, threads=threads),
                          (mkl.fill("float64", "normal", n), n)))
    lines += [
        ("uniform f32 / random_bits_ u32, same buffer", ("<=", 1.1), uniform32, fill(xi.random_bits_, words)),
        ("random_bits_ u32 / np.copyto u32, same size", ("<=", 1.6), fill(xi.random_bits_, words),
         ((lambda: np.copyto(words, copy_src)), n)),
        ("4x4 f32 xavier_uniform_ / numpy random(out=w)", ("<=", 1.0),
         ((lambda: xi.xavier_uniform_(w, generator=g)), None),
         ((lambda: rng.random(out=w, dtype=np.float32)), None)),
    ]
    return lines


def _fmt_side(seconds, per):
    return f"{seconds * 1e6:.2f} \u00b5s" if per is None else f"{_fmt_ns(seconds / per * 1e9)} ns/el"


def _targets(n, all_threads, mkl, mkl_absent, plan, stream, results):
    """Issue 11's target ratios at ``n`` elements, one thread unless a line says; each pair timed interleaved."""
    table = _Table(TARGET_COLUMNS, stream)
    if stream is not None:
        _write(stream, f"\ntargets (issue 11), {_size_label(n)} elements, one thread unless stated: each line "
                       "times A and B interleaved;\nmedian = ratio of the medians, minimum = ratio of the "
                       "minima; met = the median ratio meets the goal\n")
        table.print_header()
    skipped = []
    records = results.setdefault("targets", [])
    for title, goal, a, b in _target_lines(n, all_threads, mkl, mkl_absent):
        goal = list(goal) if goal else None       # as JSON gives it back
        goal_text = f"{goal[0]} {goal[1]:g}x" if goal else ""
        if a is None:
            table.add([title, NA, NA, NA, NA, goal_text, ""])
            skipped.append(f"{title}: {b}")
            records.append({"target": title, "goal": goal, "skipped": b})
            continue
        got = measure({"A": a[0], "B": b[0]}, plan, n)
        median = got["A"]["seconds"] / got["B"]["seconds"]
        minimum = got["A"]["min_seconds"] / got["B"]["min_seconds"]
        met = None if goal is None else (median <= goal[1] if goal[0] == "<=" else median < goal[1])
        table.add([title, _fmt_side(got["A"]["seconds"], a[1]), _fmt_side(got["B"]["seconds"], b[1]),
                   f"{median:.2f}x", f"{minimum:.2f}x", goal_text, "" if met is None else ("yes" if met else "no")])
        records.append({"target": title, "goal": goal, "n": n, "ratio_median": median, "ratio_min": minimum,
                        "met": met, "simd": xi.get_simd(), "a": got["A"], "b": got["B"],
                        "per_element": [a[1] is not None, b[1] is not None]})
    if stream is not None and skipped:
        _write(stream, "\n" + "".join(f"skipped: {line}\n" for line in skipped))
    return table


MAIN_COLUMNS = [("dtype", 7, "<"), ("distribution", 12, "<"), ("size", 5, "<"), ("thr", 3, ">"),
                ("xi ns/el", 8, ">"), ("xi GB/s", 7, ">"), ("xi/bits", 7, ">"),
                ("PCG64/xi", 9, ">"), ("Philox/xi", 9, ">"), ("torch/xi", 9, ">"),
                ("mkl/xi", 7, ">"), ("jax/xi", 7, ">")]


def run(sizes=DEFAULT_SIZES, repeats=None, threads=(1, None), quick=False, json_path=None,
        stream=sys.stdout, markdown=False, simd=None, small_calls=True, targets=True,
        target_size=TARGET_SIZE, main_table=True, mkl_brng=MKL_BRNG):
    """Measure xinit_c and its peers; print the tables to ``stream``; return every measurement.

    ``sizes``: element counts; with ``quick`` and the default sizes, 2^12 and 2^20 only.
    ``repeats``: timed samples per number (default: adapted to the size).
    ``threads``: thread counts for the rows, ``None`` or ``"all"`` for every available CPU.
    ``simd``: the xinit_c variant to run (default the best); the previous one is restored.
    ``targets``: also time issue 11's target ratios at ``target_size`` elements.
    ``main_table``: the main table (and the small calls); off for the targets alone.
    ``mkl_brng``: mkl_random's basic generator.
    """
    sizes = tuple(int(n) for n in sizes)
    if quick and sizes == DEFAULT_SIZES:
        sizes = QUICK_SIZES
    if any(n < 1 for n in sizes) or int(target_size) < 1:
        raise ValueError(f"sizes must be positive, got {sizes} and target size {target_size}")
    plan = _Plan(quick, repeats)
    torch = _import_torch()
    mkl = _load_mkl_random(mkl_brng)
    jax = _load_jax() if main_table else (None, "not part of the targets")
    all_threads = _available_cpus()
    thread_counts = _threads_list(threads, all_threads)
    previous_simd = xi.get_simd()
    torch_threads = torch.get_num_threads() if torch is not None else None
    _freeze_heap()
    try:
        xi.set_simd(simd or "best")
        results = {"header": header(torch, all_threads, mkl, jax),
                   "method": {"plan": plan.describe(), "quick": quick, "bound": BOUND, "std": STD,
                              "trunc": [-TRUNC, TRUNC], "seed": SEED,
                              "sizes": list(sizes) if main_table else [],
                              "threads": thread_counts, "target_size": int(target_size) if targets else None},
                   "measurements": []}
        out = stream
        if out is not None:
            _write(out, "\n".join(_header_lines(results["header"])) + "\n")
            _write(out, "method: one process; xinit_c, numpy and torch fill the same preallocated, touched "
                        "buffer in place;\n        warm-up calls, then the median of timed samples, "
                        f"contenders interleaved\n        ({plan.describe()})\n")
        table = small = None
        if main_table:
            if out is not None:
                _write(out, "columns: xi = xinit_c; xi/bits = xinit_c time / random_bits_ (Philox alone) "
                            "into the same bytes;\n"
                            "         PCG64/xi ... jax/xi = peer time / xinit_c time (>1: xinit_c is faster);\n"
                            "         numpy and mkl_random are single-threaded, jax has one intra-op thread\n"
                            "         (one measurement each, shown in every thr row);\n"
                            "         mkl_random and jax allocate their result on every call;\n"
                            f"         {NONE} = the peer has no such fill; {NA} = not installed;\n"
                            "         write limit = np.copyto into the same buffer\n\n")
            table = _Table(MAIN_COLUMNS, out)
            if out is not None:
                table.print_header()
            for dtype in DTYPES:
                for n in sizes:
                    _measure_size(dtype, n, thread_counts, torch, mkl[0], jax[0], plan, table, results)
            small = _small_calls(torch, plan, out, results) if small_calls else None
        goals = _targets(int(target_size), all_threads, *mkl, plan, out, results) if targets else None
        if out is not None and markdown:
            _write(out, "\nMarkdown:\n\n")
            _write(out, "".join(f"- {line}\n" for line in _header_lines(results["header"])) + "\n")
            tables = [t for t in (table, small, goals) if t is not None]
            _write(out, "\n".join(t.markdown() for t in tables))
        if table is not None:
            results["table"] = {"columns": [c[0] for c in MAIN_COLUMNS], "rows": table.rows}
        if small is not None:
            results["small_table"] = {"columns": [c[0] for c in small.columns], "rows": small.rows}
        if goals is not None:
            results["targets_table"] = {"columns": [c[0] for c in goals.columns], "rows": goals.rows}
        if json_path:
            _dump(results, json_path)
            if out is not None:
                _write(out, f"\nwrote {json_path}\n")
        return results
    finally:
        gc.unfreeze()
        xi.set_simd(previous_simd)
        if torch is not None:
            torch.set_num_threads(torch_threads)


def _measure_size(dtype, n, thread_counts, torch, mkl, jax, plan, table, results):
    """Every row of one dtype and size: one buffer, allocated and touched once, freed afterwards."""
    buf = np.empty(n, dtype)
    buf.fill(0.0)                                   # page faults out of the measurement
    tensor = torch.from_numpy(buf) if torch is not None else None
    generator = xi.Generator(SEED)
    size = _size_label(n)
    records = results["measurements"]
    one_thread = {}     # dist -> the one-thread peers' measurements, taken with the first thread count
    try:
        for dist in DISTS:
            for threads in thread_counts:
                contenders = {"xinit_c": _xinit_fill(dist, buf, generator, threads),
                              "random_bits_": _bits_fill(buf, generator, threads)}
                first = dist not in one_thread
                if first:
                    for name, bitgen in (("numpy_pcg64", np.random.PCG64), ("numpy_philox", np.random.Philox)):
                        fill = _numpy_fill(dist, buf, np.random.Generator(bitgen(SEED)))
                        if fill is not None:
                            contenders[name] = fill
                    for name, peer in (("mkl_random", mkl), ("jax", jax)):
                        fill = peer.fill(dtype, dist, n) if peer is not None else None
                        if fill is not None:
                            contenders[name] = fill
                if torch is not None:
                    torch.set_num_threads(threads)
                    contenders["torch"] = _torch_fill(torch, dist, tensor)
                got = measure(contenders, plan, n)
                if first:
                    one_thread[dist] = {name: got[name] for name in ONE_THREAD_PEERS if name in got}
                    for name, m in one_thread[dist].items():
                        extra = {"allocates": True} if name in ("mkl_random", "jax") else {}
                        records.append(_record("fill", name, dtype, dist, n, 1, m, **extra))
                mine = got["xinit_c"]
                rec = _record("fill", "xinit_c", dtype, dist, n, threads, mine, simd=xi.get_simd())
                records.append(rec)
                records.append(_record("generator", "random_bits_", dtype, dist, n, threads, got["random_bits_"],
                                       simd=xi.get_simd()))
                if "torch" in got:
                    records.append(_record("fill", "torch", dtype, dist, n, threads, got["torch"]))
                installed = {"numpy_pcg64": True, "numpy_philox": True, "torch": torch is not None,
                             "mkl_random": mkl is not None, "jax": jax is not None}
                peers = {name: got.get(name, one_thread[dist].get(name, NONE if installed[name] else NA))
                         for name in PEERS}
                bits = f"{mine['seconds'] / got['random_bits_']['seconds']:.2f}x"
                table.add([dtype, dist, size, threads, _fmt_ns(rec["ns_per_element"]), _fmt_gbs(rec["gb_per_s"]),
                           bits] + [_fmt_ratio(peers[name], mine) for name in PEERS])
        src = np.full(n, 0.5, dtype)
        try:
            got = measure({"copyto": lambda: np.copyto(buf, src)}, plan, n)["copyto"]
        finally:
            del src
        rec = _record("write_limit", "np.copyto", dtype, "write limit", n, 1, got)
        records.append(rec)
        table.add([dtype, "write limit", size, 1, _fmt_ns(rec["ns_per_element"]), _fmt_gbs(rec["gb_per_s"])]
                  + [""] * (1 + len(PEERS)))
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
    _freeze_heap()
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
        gc.unfreeze()
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
        prog=prog, description="Time xinit_c against numpy, torch.nn.init, mkl_random and jax in one process; "
                               "print the tables.")
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
    parser.add_argument("--targets", action="store_true",
                        help="only issue 11's target ratios (no main table, no small calls)")
    parser.add_argument("--no-targets", action="store_true", help="skip issue 11's target ratios")
    parser.add_argument("--target-size", type=int, metavar="EXP", default=20,
                        help="size of the target ratios as a power of two (default 20)")
    parser.add_argument("--mkl-brng", default=MKL_BRNG, metavar="NAME",
                        help=f"mkl_random's basic generator (default {MKL_BRNG}; e.g. MCG59, SFMT19937, "
                             "PHILOX4X32X10)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.sizes is not None and any(not 0 <= e <= 34 for e in args.sizes):
        build_parser().error("--sizes takes exponents between 0 and 34")
    if not 4 <= args.target_size <= 28:
        build_parser().error("--target-size takes an exponent between 4 and 28")
    if args.targets and args.no_targets:
        build_parser().error("--targets and --no-targets exclude each other")
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
        stream=sys.stdout, markdown=args.markdown, simd=args.simd, small_calls=not args.no_small,
        targets=not args.no_targets, target_size=2 ** args.target_size, main_table=not args.targets,
        mkl_brng=args.mkl_brng)
    return 0


if __name__ == "__main__":
    sys.exit(main())
