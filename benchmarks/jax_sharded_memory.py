"""Peak host memory of initialising one large parameter with xinit_c.jax and with jax.nn.initializers.

Each measurement runs in a fresh process with 8 host CPU devices
(XLA_FLAGS=--xla_force_host_platform_device_count=8). The process imports everything and
runs a small initialisation of the same kind first (so that code, compiled kernels and
thread pools are in place), reads its resident memory, resets the peak (/proc/self/clear_refs,
"5"), initialises the parameter, waits for it, and reads the peak (VmHWM). Reported:
peak - baseline - the result's own bytes, since on CPU devices the result itself lives in
host RAM: what initialising cost beyond holding the answer.

    python benchmarks/jax_sharded_memory.py [--rows 16384 --cols 32768]

It also reports whether jax.device_put adopts a numpy buffer without copying it on CPU,
for numpy's own alignment and for a 64-byte-aligned buffer.
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = r'''
import gc, json, sys, time
import numpy as np
import jax
from jax.sharding import NamedSharding, PartitionSpec as P

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)

library, sharded, rows, cols = sys.argv[1], sys.argv[2] == "sharded", int(sys.argv[3]), int(sys.argv[4])
if library == "xinit_c":
    from xinit_c import jax as xj
    init = xj.glorot_uniform()
else:
    init = jax.nn.initializers.glorot_uniform()
mesh = jax.make_mesh((8,), ("x",))
sharding = NamedSharding(mesh, P("x")) if sharded else None
key = jax.random.key(0)
if sharded:
    jax.set_mesh(mesh)   # JAX's own sharded initializers want the mesh set; xinit_c.jax's take it either way
# warm-up at the same shape and key: JAX compiles its kernels for the shape (its compiler's memory is then
# not counted), and the pages of the result are freed again before the baseline is read
init(key, (rows, cols), np.float32, out_sharding=sharding).block_until_ready()
gc.collect()
baseline = status("VmRSS")
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")   # resets VmHWM to the current RSS
    reset = True
except OSError:
    reset = False
start = time.perf_counter()
w = init(key, (rows, cols), np.float32, out_sharding=sharding)
w.block_until_ready()
seconds = time.perf_counter() - start
peak = status("VmHWM")
print(json.dumps({"library": library, "sharded": sharded, "baseline": baseline, "peak": peak, "reset": reset,
                  "result_bytes": w.nbytes, "seconds": seconds, "shards": len(w.addressable_shards)}))
'''

ALIAS = r'''
import json
import numpy as np, jax

def aligned(n, alignment):
    raw = np.empty(n * 4 + alignment, np.uint8)
    start = -raw.ctypes.data % alignment
    return raw[start:start + n * 4].view(np.float32)

found = {}
for name, a in [("numpy default", np.ones(1 << 20, np.float32)), ("64-byte + 16", aligned(1 << 20, 64)[4:]),
                ("64-byte + 32", aligned(1 << 20, 64)[8:]), ("64-byte", aligned(1 << 20, 64))]:
    a[:] = 1
    x = jax.device_put(a)
    found[name] = {"address % 64": a.ctypes.data % 64, "aliased": x.unsafe_buffer_pointer() == a.ctypes.data}
print(json.dumps(found))
'''


def run(code, *args):
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8",
               PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                         cwd=os.environ.get("TMPDIR", "/tmp"))
    if out.returncode < 0:   # killed: on this machine, by the kernel when memory ran out
        return {"killed": -out.returncode}
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=16384)
    parser.add_argument("--cols", type=int, default=32768)
    args = parser.parse_args()
    mib = 2**20
    print(f"parameter ({args.rows}, {args.cols}) float32 = {args.rows * args.cols * 4 / 2**30:.2f} GiB, "
          f"8 CPU devices; peak - baseline - result, MiB")
    for library in ("xinit_c", "jax"):
        for mode in ("sharded", "unsharded"):
            r = run(CHILD, library, mode, str(args.rows), str(args.cols))
            if "killed" in r:
                print(f"  {library:8s} {mode:9s}: killed by signal {r['killed']} (out of memory?)")
                continue
            extra = r["peak"] - r["baseline"] - r["result_bytes"]
            print(f"  {library:8s} {mode:9s}: extra {extra / mib:8.0f} MiB  (peak {r['peak'] / mib:.0f}, baseline "
                  f"{r['baseline'] / mib:.0f}, result {r['result_bytes'] / mib:.0f}, {r['seconds']:.1f} s, "
                  f"{r['shards']} shards{'' if r['reset'] else ', peak NOT reset: includes the warm-up'})")
    print("jax.device_put of a host numpy array on CPU:", json.dumps(run(ALIAS)))


if __name__ == "__main__":
    main()
