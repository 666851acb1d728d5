"""Sharded xinit_c.jax initialisation on 8 host CPU devices; run by tests/test_jax.py in a subprocess.

The device count is fixed when jax is imported, so this runs in its own process with
XLA_FLAGS=--xla_force_host_platform_device_count=8. It prints one JSON object: "cases", one per case: what was asked, whether the sharded array
equals the unsharded one bit for bit, whether it has the sharding asked for, the order in which
host blocks were made and put on devices, and under jit whether XLA warned that it rematerialized
the whole array and the compiled program's temporary bytes; "errors": the messages of refused calls.
"""
import contextlib
import json
import os
import sys
import tempfile

import jax
import numpy as np
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

from xinit_c import jax as xj

assert jax.device_count() == 8, f"needs 8 devices (XLA_FLAGS), has {jax.device_count()}"

INITIALIZERS = {
    "uniform": xj.uniform(0.5),
    "normal": xj.normal(0.02),
    "truncated_normal": xj.truncated_normal(1.0, lower=-1.5, upper=2.5),
    "glorot_uniform": xj.glorot_uniform(),
    "he_normal": xj.he_normal(),
    "variance_scaling_3d": xj.variance_scaling(0.5, "fan_avg", "normal", in_axis=(0, 1), out_axis=2),
    "constant": xj.constant(np.arange(32, dtype=np.float32)),
    "orthogonal": xj.orthogonal(2.0),
    "zeros": xj.zeros,
    "constant_negative_zero": xj.constant(-0.0),
}
MESHES = {"8": ((8,), ("x",)), "2x4": ((2, 4), ("a", "b")), "4x2": ((4, 2), ("a", "b"))}
SPECS_2D = {
    "8": {"rows": P("x"), "columns": P(None, "x"), "replicated": P()},
    "2x4": {"rows": P("a"), "columns": P(None, "b"), "both": P("a", "b"), "replicated": P(),
            "both_swapped": P("b", "a")},
    "4x2": {"rows": P("a"), "columns": P(None, "b"), "both": P("a", "b"), "replicated": P(),
            "rows_by_both_axes": P(("a", "b"))},
}
SPECS_3D = {"8": {"kernel": P(None, "x")}, "2x4": {"kernel": P(None, "a", "b")}, "4x2": {"kernel": P("b", None, "a")}}

events = []
real_host_empty = xj._host_empty
real_device_put = jax.device_put


def host_empty(shape, dtype):
    events.append("fill")
    return real_host_empty(shape, dtype)


def device_put(x, device=None, **kwargs):
    events.append("put")
    return real_device_put(x, device, **kwargs)


xj._host_empty = host_empty
jax.device_put = device_put


@contextlib.contextmanager
def stderr_of_this_process(log):
    """What XLA's C++ writes to file descriptor 2 meanwhile (its warnings do not pass through Python), appended
    to ``log``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile("w+") as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            log.append(capture.read())


def case(name, init, shape, dtype, mesh_name, spec_name, spec, how, memory_kind=None):
    axis_types = (jax.sharding.AxisType.Auto,) * len(MESHES[mesh_name][0]) if how == "jit_auto" else None
    mesh = jax.make_mesh(*MESHES[mesh_name], axis_types=axis_types)
    sharding = NamedSharding(mesh, spec, memory_kind=memory_kind)
    key = jax.random.key(7)
    expected = np.asarray(init(key, shape, dtype))
    events.clear()
    log = []
    temp_bytes = None
    with stderr_of_this_process(log):
        if how == "eager":
            result = init(key, shape, dtype, out_sharding=sharding)
        elif how == "partition_spec":   # a bare PartitionSpec, resolved against the mesh jax.set_mesh sets
            with jax.set_mesh(mesh):
                result = init(key, shape, dtype, out_sharding=spec)
        elif how in ("jit", "jit_partition_spec"):   # a mesh of Explicit axes (jax.make_mesh's default): under it
            asked = spec if how == "jit_partition_spec" else sharding
            with jax.set_mesh(mesh):
                jitted = jax.jit(lambda k: init(k, shape, dtype, out_sharding=asked))
                result = jitted(key)
                temp_bytes = jitted.lower(key).compile().memory_analysis().temp_size_in_bytes
        else:   # a mesh of Auto axes needs no context
            jitted = jax.jit(lambda k: init(k, shape, dtype, out_sharding=sharding))
            result = jitted(key)
            temp_bytes = jitted.lower(key).compile().memory_analysis().temp_size_in_bytes
    blocks_equal = all(np.array_equal(np.asarray(shard.data), expected[shard.index], equal_nan=True)
                       for shard in result.addressable_shards)
    return {"init": name, "shape": list(shape), "dtype": str(np.dtype(dtype)), "mesh": mesh_name, "spec": spec_name,
            "how": how, "equal": bool(np.array_equal(np.asarray(result), expected)) and blocks_equal,
            "bits_equal": np.asarray(result).tobytes() == expected.tobytes(),
            "sharding": result.sharding.is_equivalent_to(sharding, len(shape)),
            "distinct_blocks": len({tuple((s.start, s.stop) for s in shard.index) for shard in result.addressable_shards}),
            "events": list(events), "memory_kind": result.sharding.memory_kind,
            "rematerialized": "Involuntary full rematerialization" in log[0], "temp_bytes": temp_bytes,
            "nbytes": expected.nbytes}


def refused(init, shape, sharding):
    try:
        init(jax.random.key(0), shape, np.float32, out_sharding=sharding)
    except ValueError as exc:
        return {"message": str(exc), "cause": type(exc.__cause__).__name__ if exc.__cause__ else None}
    return {"message": None}


def errors():
    mesh = jax.make_mesh((8,), ("x",))
    auto = jax.make_mesh((8,), ("x",), axis_types=(jax.sharding.AxisType.Auto,))
    uneven = NamedSharding(mesh, P("x"))
    made = []
    real = xj._host_empty
    xj._host_empty = lambda shape, dtype: made.append(shape) or real(shape, dtype)
    try:
        return {
            "eager": refused(xj.glorot_uniform(), (10, 3), uneven),
            "jit": refused(jax.jit(xj.normal(), static_argnums=(1, 2, 3)), (10, 3), NamedSharding(auto, P("x"))),
            "structured": refused(xj.orthogonal(), (10, 3), uneven),
            "constant": refused(xj.constant(1.0), (3, 10), NamedSharding(mesh, P(None, "x"))),
            "unpinned_host_jit": refused(jax.jit(xj.uniform(), static_argnums=(1, 2, 3)), (16, 8),
                                         NamedSharding(auto, P("x"), memory_kind="unpinned_host")),
            "blocks_made": len(made),
        }
    finally:
        xj._host_empty = real


def batched():
    """A batch of keys under jit(vmap(...)) with out_sharding: each key's array, blockwise."""
    mesh = jax.make_mesh((2, 4), ("a", "b"), axis_types=(jax.sharding.AxisType.Auto,) * 2)
    init = INITIALIZERS["glorot_uniform"]
    keys = jax.random.split(jax.random.key(3), 3)
    log = []
    with stderr_of_this_process(log):
        result = jax.jit(jax.vmap(lambda k: init(k, (16, 32), out_sharding=NamedSharding(mesh, P("a", "b")))))(keys)
    return {"equal": all(np.asarray(result[i]).tobytes() == np.asarray(init(keys[i], (16, 32))).tobytes()
                         for i in range(3)),
            "spec": str(result.sharding.spec), "rematerialized": "Involuntary full rematerialization" in log[0]}


def main():
    cases = []
    for mesh_name in MESHES:
        for spec_name, spec in SPECS_2D[mesh_name].items():
            for name in ("uniform", "normal", "truncated_normal", "glorot_uniform"):
                cases.append(case(name, INITIALIZERS[name], (16, 32), np.float32, mesh_name, spec_name, spec, "eager"))
        for spec_name, spec in SPECS_3D[mesh_name].items():
            for name in ("he_normal", "variance_scaling_3d"):
                cases.append(case(name, INITIALIZERS[name], (8, 8, 32), np.float32, mesh_name, spec_name, spec,
                                  "eager"))
    cases.append(case("normal", INITIALIZERS["normal"], (16, 32), "bfloat16", "2x4", "both", P("a", "b"), "eager"))
    cases.append(case("uniform", INITIALIZERS["uniform"], (16, 32), np.float16, "4x2", "rows", P("a"), "eager"))
    cases.append(case("constant", INITIALIZERS["constant"], (16, 32), np.float32, "2x4", "both", P("a", "b"),
                      "eager"))
    cases.append(case("orthogonal", INITIALIZERS["orthogonal"], (32, 16), np.float32, "2x4", "both", P("a", "b"),
                      "eager"))
    cases.append(case("glorot_uniform", INITIALIZERS["glorot_uniform"], (16, 32), np.float32, "2x4", "both",
                      P("a", "b"), "partition_spec"))
    for how in ("jit", "jit_auto"):
        for mesh_name in MESHES:
            for spec_name, spec in SPECS_2D[mesh_name].items():
                cases.append(case("truncated_normal", INITIALIZERS["truncated_normal"], (16, 32), np.float32,
                                  mesh_name, spec_name, spec, how))
            for spec_name, spec in SPECS_3D[mesh_name].items():
                cases.append(case("variance_scaling_3d", INITIALIZERS["variance_scaling_3d"], (8, 8, 32), np.float32,
                                  mesh_name, spec_name, spec, how))
        cases.append(case("normal", INITIALIZERS["normal"], (16, 32), "bfloat16", "4x2", "rows_by_both_axes",
                          P(("a", "b")), how))
        cases.append(case("orthogonal", INITIALIZERS["orthogonal"], (32, 16), np.float32, "2x4", "both",
                          P("a", "b"), how))
        for name in ("constant", "zeros", "constant_negative_zero"):
            cases.append(case(name, INITIALIZERS[name], (16, 32), "bfloat16", "2x4", "both", P("a", "b"), how))
    cases.append(case("glorot_uniform", INITIALIZERS["glorot_uniform"], (16, 32), np.float32, "2x4", "both",
                      P("a", "b"), "jit_partition_spec"))
    cases.append(case("zeros", INITIALIZERS["zeros"], (16, 32), np.float32, "2x4", "both", P("a", "b"),
                      "jit_partition_spec"))
    for memory_kind in ("pinned_host", "unpinned_host"):
        cases.append(case("uniform", INITIALIZERS["uniform"], (16, 32), np.float32, "2x4", "both", P("a", "b"),
                          "eager", memory_kind))
    for how in ("jit", "jit_auto"):
        for name in ("uniform", "orthogonal", "constant"):
            cases.append(case(name, INITIALIZERS[name], (32, 32), np.float32, "2x4", "both", P("a", "b"), how,
                              "pinned_host"))
    json.dump({"cases": cases, "errors": errors(), "vmap": batched()}, sys.stdout)


if __name__ == "__main__":
    main()
