"""Command line: ``xinit-c fill`` writes an initialised .npy, ``xinit-c info`` describes the build.

The fill goes through a memory map in row chunks, so the file may be larger
than RAM; chunked fills give exactly the bytes of one in-memory fill with
``Generator(seed)`` because every element's value depends only on its index.
"""
import argparse
import copy
import json
import math
import os
import platform
import sys
import time

import numpy as np

import xinit_c
from xinit_c import _api, _core

FAN_INITS = _api.FAN_BASED
PLAIN_INITS = ("uniform", "normal", "trunc_normal", "zeros", "ones")
DTYPES = ("float16", "bfloat16", "float32", "float64")
DEFAULT_CHUNK_MB = 64


def _dtype(name):
    if name == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise SystemExit("xinit-c: bfloat16 needs the ml_dtypes package (pip install ml_dtypes)")
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def _fill_options(args):
    """The init's keyword arguments from the command line."""
    if args.init in ("xavier_uniform", "xavier_normal"):
        return {"gain": args.gain}
    if args.init in ("kaiming_uniform", "kaiming_normal"):
        return {"a": args.a, "mode": args.mode or "fan_in", "nonlinearity": args.nonlinearity}
    if args.init == "variance_scaling":
        return {"scale": args.scale, "mode": args.mode or "fan_in", "distribution": args.distribution}
    if args.init == "uniform":
        return {"low": args.low, "high": args.high}
    if args.init in ("normal", "trunc_normal"):
        options = {"mean": args.mean, "std": args.std}
        if args.init == "trunc_normal":
            options.update(a=args.a_bound, b=args.b_bound)
        return options
    return {}


def _human_bytes(n):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1000
    return None


def _progress(done, total, elapsed, stream):
    rate = done / elapsed if elapsed > 0 else 0.0
    stream.write(f"\r  {100 * done / total:5.1f}%  {_human_bytes(done)} / {_human_bytes(total)}"
                 f"  {_human_bytes(rate)}/s ")
    stream.flush()


def _progress_path(path):
    return f"{path}.progress"


def _open_output(path, shape, dtype, rows, resume):
    """The memory map to write and the rows [first, stop) still to fill."""
    existing = rows is not None or resume
    if not existing:
        return np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape), 0, shape[0] if shape else 1
    out = np.lib.format.open_memmap(path, mode="r+")
    if out.shape != shape or out.dtype != dtype:
        raise ValueError(f"{path} holds {out.shape} {out.dtype}, not {shape} {dtype}")
    total_rows = shape[0] if shape else 1
    if resume:
        try:
            with open(_progress_path(path)) as marker:
                first = int(json.load(marker)["rows_done"])
        except FileNotFoundError:
            raise ValueError(f"nothing to resume: {_progress_path(path)} is missing "
                             "(the fill finished, or never started)") from None
        return out, first, total_rows
    first, stop = rows
    if not 0 <= first <= stop <= total_rows:
        raise ValueError(f"rows {first}:{stop} are not inside the {total_rows} rows of {path}")
    return out, first, stop


def fill_file(path, shape, init, dtype, seed, stream=0, layout="torch", options=None,
              chunk_bytes=DEFAULT_CHUNK_MB << 20, progress=None, rows=None, resume=False):
    """Write ``init`` over a .npy of ``shape`` through a memory map, in row chunks.

    Each chunk is filled as its block of the whole tensor (``global_shape=``,
    ``offset=``), so the file gets exactly the bytes of one in-memory fill
    with ``Generator(seed)``, whichever rows are written when. ``rows=(a, b)``
    (re)fills only rows a..b-1 of an existing file; ``resume=True`` continues
    an interrupted fill from the rows its ``PATH.progress`` marker records.

    Returns a dict: fans and distribution parameters, observed mean and std
    (of the rows written), bytes written and seconds spent filling.
    """
    options = dict(options or {})
    dtype = _dtype(dtype) if isinstance(dtype, str) else np.dtype(dtype)
    shape = tuple(int(n) for n in shape)
    generator = _api.Generator(seed, stream=stream)
    info = {"shape": shape, "dtype": str(dtype), "init": init, "key": generator.key}
    fill = getattr(_api, init + "_")
    if init in FAN_INITS:
        info.update(_api.describe(init, shape, layout=layout, **options))
        options["layout"] = layout
    else:
        info.update(distribution=init, **options)
    out, first_row, stop_row = _open_output(path, shape, dtype, rows, resume)
    view = out if shape else out.reshape(1)
    block_shape = view.shape
    row_bytes = max(1, view.nbytes // max(block_shape[0], 1))
    rows_per_chunk = max(1, chunk_bytes // row_bytes)
    total_sum = total_sumsq = 0.0
    fill_seconds = 0.0
    start = time.perf_counter()
    tracking = rows is None
    for first in range(first_row, stop_row if view.size else first_row, rows_per_chunk):
        chunk = view[first:min(first + rows_per_chunk, stop_row)]
        offset = (first,) + (0,) * (len(block_shape) - 1)
        began = time.perf_counter()
        if init in PLAIN_INITS[3:]:
            fill(chunk)
        else:
            fill(chunk, generator=copy.copy(generator), global_shape=block_shape, offset=offset, **options)
        fill_seconds += time.perf_counter() - began
        values = chunk.astype(np.float64).ravel()
        total_sum += float(values.sum())
        total_sumsq += float(values @ values)
        if tracking:
            out.flush()
            with open(_progress_path(path), "w") as marker:
                json.dump({"rows_done": first + len(chunk)}, marker)
        if progress is not None:
            _progress((first + len(chunk) - first_row) * row_bytes, (stop_row - first_row) * row_bytes,
                      time.perf_counter() - start, progress)
    out.flush()
    del out
    if tracking and os.path.exists(_progress_path(path)):
        os.remove(_progress_path(path))
    if progress is not None:
        progress.write("\n")
    n = (stop_row - first_row) * (math.prod(block_shape[1:]) if view.size else 0)
    mean = total_sum / n if n else float("nan")
    variance = max(total_sumsq / n - mean * mean, 0.0) if n else float("nan")
    info.update(elements=n, bytes=n * dtype.itemsize, observed_mean=mean,
                observed_std=math.sqrt(variance), fill_seconds=fill_seconds,
                total_seconds=time.perf_counter() - start, rows=(first_row, stop_row))
    return info


def _cmd_fill(args):
    options = _fill_options(args)
    progress = sys.stderr if (sys.stderr.isatty() and not args.quiet) else None
    if (args.rows or args.resume) and args.seed is None:
        raise ValueError("--rows and --resume need the --seed of the original fill")
    info = fill_file(args.out, args.shape, args.init, args.dtype, args.seed, stream=args.stream,
                     layout=args.layout, options=options, chunk_bytes=args.chunk_mb << 20,
                     progress=progress, rows=args.rows, resume=args.resume)
    first, stop = info["rows"]
    what = "" if (first, stop) == (0, (info["shape"] or (1,))[0]) else f" rows {first}:{stop} of"
    print(f"wrote{what} {args.out}: shape {info['shape']} {info['dtype']}, {args.init}, seed {args.seed}")
    if "fan_in" in info:
        print(f"fan_in {info['fan_in']}  fan_out {info['fan_out']}")
    dist = info["distribution"]
    if dist == "uniform":
        print(f"uniform bounds [{info['low']:.9g}, {info['high']:.9g}]")
    elif dist in ("normal", "trunc_normal"):
        line = f"{dist} mean {info['mean']:.9g}  std {info['std']:.9g}"
        if dist == "trunc_normal":
            line += f"  truncated to [{info['a']:.9g}, {info['b']:.9g}]"
        print(line)
    print(f"observed mean {info['observed_mean']:.6g}  std {info['observed_std']:.6g}")
    seconds = info["fill_seconds"]
    if seconds > 0:
        print(f"fill {info['bytes'] / seconds / 1e9:.2f} GB/s, {seconds / max(info['elements'], 1) * 1e9:.2f} "
              f"ns/element ({seconds:.3f} s filling, {info['total_seconds']:.3f} s in all)")
    return 0


def _cmd_info(args):
    print(f"xinit-c {xinit_c.__version__}")
    print(f"python {platform.python_version()} ({platform.python_implementation()}), "
          f"numpy {np.__version__}")
    print(f"platform {platform.platform()}, machine {platform.machine()}")
    print(f"compiled by {platform.python_compiler()}")
    print(f"kernel variant {_core.get_simd()} (this CPU runs: {' '.join(_core.simd_backends())}), "
          f"threads {_core.get_num_threads()}")
    print(f"extension {_core.__file__}")
    return 0


def _cmd_bench(args):
    from xinit_c import _bench
    return _bench.main(args.bench_args)


def build_parser():
    parser = argparse.ArgumentParser(prog="xinit-c", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fill = sub.add_parser("fill", help="write an initialised .npy file (through a memory map)")
    fill.add_argument("out", help="output .npy path")
    fill.add_argument("--shape", type=int, nargs="+", required=True, help="tensor shape")
    fill.add_argument("--init", choices=FAN_INITS + PLAIN_INITS, default="xavier_uniform")
    fill.add_argument("--dtype", choices=DTYPES, default="float32")
    fill.add_argument("--seed", type=int, default=None, help="seed (default: fresh OS entropy)")
    fill.add_argument("--stream", type=int, default=0, help="64-bit stream id")
    fill.add_argument("--layout", choices=("torch", "keras", "jax"), default="torch")
    fill.add_argument("--gain", type=float, default=1.0, help="xavier gain")
    fill.add_argument("--a", type=float, default=0.0, help="kaiming negative slope")
    fill.add_argument("--mode", default=None, help="fan mode (kaiming, variance_scaling)")
    fill.add_argument("--nonlinearity", default="leaky_relu", help="kaiming nonlinearity")
    fill.add_argument("--scale", type=float, default=1.0, help="variance_scaling scale")
    fill.add_argument("--distribution", default="truncated_normal", help="variance_scaling distribution")
    fill.add_argument("--low", type=float, default=0.0)
    fill.add_argument("--high", type=float, default=1.0)
    fill.add_argument("--mean", type=float, default=0.0)
    fill.add_argument("--std", type=float, default=1.0)
    fill.add_argument("--a-bound", type=float, default=-2.0, help="trunc_normal lower bound")
    fill.add_argument("--b-bound", type=float, default=2.0, help="trunc_normal upper bound")
    fill.add_argument("--chunk-mb", type=int, default=DEFAULT_CHUNK_MB, help="bytes per chunk, in MiB")
    fill.add_argument("--quiet", action="store_true", help="no progress display")
    fill.add_argument("--rows", type=int, nargs=2, metavar=("START", "STOP"),
                      help="(re)fill only these rows of an existing file, with the values the whole fill gives")
    fill.add_argument("--resume", action="store_true",
                      help="continue an interrupted fill of an existing file (from OUT.progress)")
    fill.set_defaults(run=_cmd_fill)
    info = sub.add_parser("info", help="version and build details")
    info.set_defaults(run=_cmd_info)
    # prefix_chars="+": every option after "bench" goes untouched to xinit_c._bench.main
    bench = sub.add_parser("bench", help="time xinit_c against numpy and torch (xinit-c bench --help)",
                           add_help=False, prefix_chars="+")
    bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    bench.set_defaults(run=_cmd_bench)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, TypeError) as exc:
        print(f"xinit-c: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
