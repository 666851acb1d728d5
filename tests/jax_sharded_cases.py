"""Sharded xinit_c.jax initialisation on 8 host CPU devices; run by tests/test_jax.py in a subprocess.

The device count is fixed when jax is imported, so this runs in its own process with
XLA_FLAGS=--xla_force_host_platform_device_count=8. It prints one JSON object per case:
what was asked, whether the sharded array equals the unsharded one bit for bit, whether it
has the sharding asked for, and the order in which host blocks were made and put on devices.
"""
import json
import sys

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


def case(name, init, shape, dtype, mesh_name, spec_name, spec, how):
    axis_types = (jax.sharding.AxisType.Auto,) * len(MESHES[mesh_name][0]) if how == "jit_auto" else None
    mesh = jax.make_mesh(*MESHES[mesh_name], axis_types=axis_types)
    sharding = NamedSharding(mesh, spec)
    key = jax.random.key(7)
    expected = np.asarray(init(key, shape, dtype))
    events.clear()
    if how == "eager":
        result = init(key, shape, dtype, out_sharding=sharding)
    elif how == "partition_spec":   # a bare PartitionSpec, resolved against the mesh jax.set_mesh sets
        with jax.set_mesh(mesh):
            result = init(key, shape, dtype, out_sharding=spec)
    elif how == "jit":   # a mesh of Explicit axes (jax.make_mesh's default): jit runs under it
        with jax.set_mesh(mesh):
            result = jax.jit(lambda k: init(k, shape, dtype, out_sharding=sharding))(key)
    else:   # a mesh of Auto axes needs no context
        result = jax.jit(lambda k: init(k, shape, dtype, out_sharding=sharding))(key)
    blocks_equal = all(np.array_equal(np.asarray(shard.data), expected[shard.index], equal_nan=True)
                       for shard in result.addressable_shards)
    return {"init": name, "shape": list(shape), "dtype": str(np.dtype(dtype)), "mesh": mesh_name, "spec": spec_name,
            "how": how, "equal": bool(np.array_equal(np.asarray(result), expected)) and blocks_equal,
            "bits_equal": np.asarray(result).tobytes() == expected.tobytes(),
            "sharding": result.sharding.is_equivalent_to(sharding, len(shape)),
            "distinct_blocks": len({tuple((s.start, s.stop) for s in shard.index) for shard in result.addressable_shards}),
            "events": list(events)}


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
        for spec_name, spec in (("both", P("a", "b")), ("replicated", P())):
            cases.append(case("truncated_normal", INITIALIZERS["truncated_normal"], (16, 32), np.float32, "2x4",
                              spec_name, spec, how))
    json.dump(cases, sys.stdout)


if __name__ == "__main__":
    main()
