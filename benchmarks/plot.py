"""Plot a benchmark JSON: ``python benchmarks/plot.py bench.json [--out benchmarks/throughput.png]``.

Grouped bars of ns per element (log scale, lower is better) at one size and
one thread (default 2^20, 1 thread): float32 and float64 x uniform / normal /
trunc_normal, one bar each for xinit_c, Philox alone (xinit_c's random_bits_
into the same bytes), numpy PCG64, numpy Philox, torch.nn.init, mkl_random and
jax (the last two allocate their result), and a dashed line per dtype for the
write limit (np.copyto into the same buffer). Needs matplotlib
(pip install matplotlib, or xinit-c[bench]).
"""
import argparse
import json
import math
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DTYPES = ("float32", "float64")
DISTS = ("uniform", "normal", "trunc_normal")
# (kind, impl) of the measurement, legend, colour
IMPLS = ((("fill", "xinit_c"), "xinit_c", "#d62728"),
         (("generator", "random_bits_"), "Philox alone (random_bits_)", "#f4a6a6"),
         (("fill", "numpy_pcg64"), "numpy PCG64", "#1f77b4"),
         (("fill", "numpy_philox"), "numpy Philox", "#6baed6"),
         (("fill", "torch"), "torch.nn.init", "#ff7f0e"),
         (("fill", "mkl_random"), "mkl_random (allocates)", "#2ca02c"),
         (("fill", "jax"), "jax jit (allocates)", "#9467bd"))
DEFAULT_OUT = pathlib.Path(__file__).resolve().parent / "throughput.png"


def _pick_size(measurements, log2n):
    sizes = sorted({m["n"] for m in measurements if m["kind"] == "fill"})
    if not sizes:
        raise SystemExit("plot.py: no fill measurements in the JSON (was it written by --variants?)")
    want = 2 ** log2n
    return want if want in sizes else min(sizes, key=lambda n: abs(math.log2(n) - log2n))


def _size_label(n):
    e = round(math.log2(n))
    return f"2^{e}" if 2 ** e == n else str(n)


def plot(data, out, log2n=20, threads=1):
    header = data["header"]
    ms = data["measurements"]
    n = _pick_size(ms, log2n)

    def value(kind_impl, dtype, dist):
        for m in ms:
            if ((m["kind"], m["impl"]) == kind_impl and m["dtype"] == dtype and m["dist"] == dist
                    and m["n"] == n and m["threads"] == threads):
                return m["ns_per_element"]
        return None

    measured = {(m["kind"], m["impl"]) for m in ms}
    groups = [(dtype, dist) for dtype in DTYPES for dist in DISTS]
    width = 0.8 / len(IMPLS)
    fig, ax = plt.subplots(figsize=(12, 6.5), dpi=120)
    present = [v for impl, _, _ in IMPLS for g in groups if (v := value(impl, *g)) is not None]
    limits = {dtype: next((m["ns_per_element"] for m in ms if m["kind"] == "write_limit"
                           and m["dtype"] == dtype and m["n"] == n), None) for dtype in DTYPES}
    floor = min(present + [v for v in limits.values() if v]) / 2.5
    for k, (impl, _, color) in enumerate(IMPLS):
        for i, group in enumerate(groups):
            x = i + (k - (len(IMPLS) - 1) / 2) * width
            v = value(impl, *group)
            if v is None:
                missing = "no such fill" if impl in measured else "n/a"
                ax.text(x, max(floor * 1.15, (limits[group[0]] or 0) * 1.25), missing, ha="center", va="bottom", rotation=90, fontsize=8,
                        color="0.45")
                continue
            ax.bar(x, v, width * 0.92, color=color, zorder=3)
            ax.text(x, v * 1.06, f"{v:.2g}" if v < 10 else f"{v:.0f}", ha="center", va="bottom",
                    fontsize=6.5, rotation=90)
    handles = [plt.Rectangle((0, 0), 1, 1, color=color) for _, _, color in IMPLS]
    labels = [label for _, label, _ in IMPLS]
    line = None
    for d, dtype in enumerate(DTYPES):
        v = limits[dtype]
        if v is None:
            continue
        left, right = d * len(DISTS) - 0.45, (d + 1) * len(DISTS) - 0.55
        line = ax.hlines(v, left, right, colors="0.2", linestyles="--", linewidth=1.3, zorder=4)
        ax.text(right, v * 0.88, f"write limit {v:.2g}", ha="right", va="top", fontsize=8, color="0.2")
    if line is not None:
        handles.append(line)
        labels.append("write limit (np.copyto)")
    ax.set_yscale("log")
    ax.set_ylim(floor, max(present) * 2.2)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([f"{dist}\n{dtype}" for dtype, dist in groups])
    ax.axvline(len(DISTS) - 0.5, color="0.75", linewidth=1)
    ax.set_ylabel("ns per element (log scale, lower is better)")
    ax.grid(axis="y", which="both", color="0.9", zorder=0)
    ax.legend(handles, labels, loc="upper left", fontsize=9, ncol=4, framealpha=0.95)
    thr = "1 thread" if threads == 1 else f"{threads} threads"
    date = header["date"][:10]
    ax.set_title(f"In-place fill of {_size_label(n)} elements, {thr}: xinit_c ({header['simd']}) vs peers\n"
                 f"{header['cpu']}, {header['logical_cpus']} logical CPUs, {date}", fontsize=11)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", help="a file written by `xinit-c bench --json PATH`")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="PNG to write (default: benchmarks/throughput.png)")
    parser.add_argument("--size", type=int, default=20, help="size exponent to plot (default 20)")
    parser.add_argument("--threads", type=int, default=1, help="thread count to plot (default 1)")
    args = parser.parse_args(argv)
    with open(args.json, encoding="utf-8") as f:
        data = json.load(f)
    out = plot(data, args.out, args.size, args.threads)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
