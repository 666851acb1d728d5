"""xinit_c.jax: jax.nn.initializers' factories over the xinit-c fills, the JAX key rule of docs/stream.md
section 14, traced and sharded calls, and Flax."""
import hashlib
import importlib.util
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import reference
import xinit_c
from xinit_c._streams import jax_key_stream

if importlib.util.find_spec("jax") is None:
    pytest.skip("jax is not installed (pip install 'xinit-c[jax]')", allow_module_level=True)

# jax is imported when these tests run, not when pytest collects them: tests that run earlier in the same
# process (the benchmark's thread pinning, a forked child) need a process without XLA's threads
jax = jnp = xj = PartitionSpec = KEY = WORDS = None


@pytest.fixture(scope="module", autouse=True)
def _jax():
    global jax, jnp, xj, PartitionSpec, KEY, WORDS
    import jax
    import jax.numpy as jnp
    from jax.sharding import PartitionSpec

    from xinit_c import jax as xj
    KEY = jax.random.key(5)
    WORDS = np.asarray(jax.random.key_data(KEY)).tolist()

TESTS = Path(__file__).resolve().parent
# the xinit_c under test, installed or built in place (a source checkout's own xinit_c/ has no extension in CI)
EIGHT_DEVICES = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8",
                     PYTHONPATH=os.pathsep.join(filter(None, [str(Path(xinit_c.__file__).resolve().parent.parent),
                                                              os.environ.get("PYTHONPATH")])))


# --------------------------------------------------------------------------
# the key rule (docs/stream.md section 14)
# --------------------------------------------------------------------------

def doc_rule(words):
    """Section 14 as written: SHA-256 of the 17-byte domain, a zero byte and the words (4 bytes LE each)."""
    digest = hashlib.sha256(b"xinit-c/jax-key/1" + bytes([0]) + b"".join(int(w).to_bytes(4, "little")
                                                                        for w in words)).digest()
    return ((int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:8], "little")),
            int.from_bytes(digest[8:16], "little"))


@pytest.mark.parametrize("words", [[0, 0], [0, 42], [2**32 - 1, 1], [1, 2, 3, 4], [0, 0, 0, 0]])
def test_the_key_rule_is_the_documented_hash(words):
    assert jax_key_stream(words) == doc_rule(words)
    key, stream, position = reference.jax_key_generator(words)
    assert (key, stream) == doc_rule(words) and position == 0


def test_the_key_rule_refuses_what_is_not_a_key():
    with pytest.raises(ValueError, match="2 words .* or 4"):
        jax_key_stream([1, 2, 3])
    with pytest.raises(ValueError, match=r"\[0, 2\*\*32\)"):
        jax_key_stream([0, 2**32])
    with pytest.raises(TypeError, match="sequence of integers"):
        jax_key_stream([0.5, 1])


def _generator_of(words):
    key, stream, position = reference.jax_key_generator(words)
    return xinit_c.Generator(key=key, stream=stream, position=position)


def test_a_typed_key_and_its_legacy_data_give_the_same_array():
    init = xj.normal(1.0)
    typed = jax.random.key(42)
    legacy = jax.random.PRNGKey(42)
    assert np.array_equal(jax.random.key_data(typed), legacy)
    a, b = init(typed, (8, 8)), init(legacy, (8, 8))
    assert np.asarray(a).tobytes() == np.asarray(b).tobytes()
    assert np.asarray(init(jax.random.wrap_key_data(legacy), (8, 8))).tobytes() == np.asarray(a).tobytes()
    assert np.asarray(init(np.asarray(legacy), (8, 8))).tobytes() == np.asarray(a).tobytes()   # a numpy legacy key


@pytest.mark.parametrize("impl", ["threefry2x32", "rbg", "unsafe_rbg"])
def test_each_key_implementation_takes_the_generator_of_its_words(impl):
    key = jax.random.key(7, impl=impl)
    words = np.asarray(jax.random.key_data(key)).tolist()
    assert len(words) == (2 if impl == "threefry2x32" else 4)
    expected = xinit_c.uniform_(np.empty((5, 6), np.float32), 0.0, 0.5, generator=_generator_of(words))
    assert np.asarray(xj.uniform(0.5)(key, (5, 6))).tobytes() == expected.tobytes()


def test_rbg_and_unsafe_rbg_keys_with_the_same_data_agree():
    data = jax.random.key_data(jax.random.key(3, impl="rbg"))
    rbg, unsafe = jax.random.wrap_key_data(data, impl="rbg"), jax.random.wrap_key_data(data, impl="unsafe_rbg")
    assert np.array_equal(xj.normal()(rbg, (16,)), xj.normal()(unsafe, (16,)))
    assert np.array_equal(xj.normal()(rbg, (16,)), xj.normal()(data, (16,)))   # the legacy uint32[4] form


def test_split_and_folded_keys_give_different_arrays():
    key = jax.random.key(0)
    children = list(jax.random.split(key, 4)) + [jax.random.fold_in(key, 1), jax.random.fold_in(key, 9), key]
    arrays = {np.asarray(jax.random.key_data(k)).tobytes(): np.asarray(xj.glorot_uniform()(k, (32, 32))).tobytes()
              for k in children}
    # JAX's threefry gives fold_in(key, 1) the data of split(key, 4)[1]: the same key, so the same array
    assert len(arrays) == 6
    assert len(set(arrays.values())) == len(arrays)


def test_the_values_are_the_oracle_fill_from_the_keys_generator():
    key = jax.random.key(11)
    words = np.asarray(jax.random.key_data(key)).tolist()
    got = np.asarray(xj.uniform(2.0)(key, (4, 5), jnp.float32))
    assert got.tobytes() == reference.jax_key_fill("uniform", words, (4, 5), np.float32, low=0.0, high=2.0).tobytes()
    got = np.asarray(xj.normal(0.5)(key, (3, 7), jnp.float32))
    assert got.tobytes() == reference.jax_key_fill("normal", words, (3, 7), np.float32, mean=0.0, std=0.5).tobytes()


# --------------------------------------------------------------------------
# each factory is its xinit-c fill, with JAX's signature
# --------------------------------------------------------------------------

FACTORIES = ["constant", "uniform", "normal", "truncated_normal", "variance_scaling", "glorot_uniform",
             "glorot_normal", "xavier_uniform", "xavier_normal", "he_uniform", "he_normal", "kaiming_uniform",
             "kaiming_normal", "lecun_uniform", "lecun_normal", "orthogonal", "delta_orthogonal"]


@pytest.mark.parametrize("name", FACTORIES + ["zeros", "ones"])
def test_the_signature_is_jaxs(name):
    ours, theirs = inspect.signature(getattr(xj, name)), inspect.signature(getattr(jax.nn.initializers, name))
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == \
        [(p.name, p.kind, p.default) for p in theirs.parameters.values()]


@pytest.mark.parametrize("name", FACTORIES)
def test_the_initializer_takes_key_shape_dtype_and_out_sharding(name):
    args = {"constant": (0.5,), "variance_scaling": (1.0, "fan_in", "normal")}.get(name, ())
    init = getattr(xj, name)(*args, dtype=jnp.bfloat16)
    assert list(inspect.signature(init).parameters) == ["key", "shape", "dtype", "out_sharding"]
    assert inspect.signature(init).parameters["dtype"].default is jnp.bfloat16
    shape = (3, 4, 8) if name == "delta_orthogonal" else (4, 8)
    assert init(jax.random.key(0), shape).dtype == jnp.bfloat16
    assert getattr(xj, name)(*args)(jax.random.key(0), shape).dtype == jnp.float32    # None: JAX's default
    assert getattr(xj, name)(*args)(jax.random.key(0), shape, np.float64).dtype == jnp.float32   # no x64


def _fill(words, fill, shape, dtype, *args, **kwargs):
    return fill(np.empty(shape, dtype), *args, generator=_generator_of(words), **kwargs)


def cases():
    """name -> (initializer, shape, dtype, the expected array from (shape, dtype))."""
    return {
        "uniform": (xj.uniform(0.3), (6, 5), np.float32, lambda s, d: _fill(WORDS, xinit_c.uniform_, s, d, 0.0, 0.3)),
        "normal": (xj.normal(0.2), (6, 5), np.float16, lambda s, d: _fill(WORDS, xinit_c.normal_, s, d, 0.0, 0.2)),
        "normal_complex": (xj.normal(1.0), (6, 5), np.complex64,
                           lambda s, d: _fill(WORDS, xinit_c.normal_, s, d, 0.0, 1.0)),
        "truncated_normal": (xj.truncated_normal(0.5, lower=-1.0, upper=3.0), (6, 5), np.float32,
                             lambda s, d: _fill(WORDS, xinit_c.trunc_normal_, s, d, 0.0, 0.5, -0.5, 1.5)),
        "variance_scaling": (xj.variance_scaling(0.7, "fan_geo_avg", "uniform", in_axis=0, out_axis=(1, 2),
                                                 batch_axis=3), (4, 3, 5, 2), np.float32,
                             lambda s, d: _fill(WORDS, xinit_c.variance_scaling_, s, d, 0.7, "fan_geo_avg", "uniform",
                                                layout="jax", in_axis=0, out_axis=(1, 2), batch_axis=3)),
        "glorot_uniform": (xj.glorot_uniform(), (3, 3, 16, 8), np.float32,
                           lambda s, d: _fill(WORDS, xinit_c.variance_scaling_, s, d, 1.0, "fan_avg", "uniform",
                                              layout="keras")),
        "glorot_normal": (xj.glorot_normal(), (16, 8), np.float32,
                          lambda s, d: _fill(WORDS, xinit_c.variance_scaling_, s, d, 1.0, "fan_avg", "truncated_normal",
                                             layout="keras")),
        "he_uniform": (xj.he_uniform(), (16, 8), np.float64,
                       lambda s, d: _fill(WORDS, xinit_c.variance_scaling_, s, d, 2.0, "fan_in", "uniform",
                                          layout="keras")),
        "he_normal": (xj.he_normal(), (16, 8), np.float32,
                      lambda s, d: _fill(WORDS, xinit_c.variance_scaling_, s, d, 2.0, "fan_in", "truncated_normal",
                                         layout="keras")),
        "lecun_uniform": (xj.lecun_uniform(), (16, 8), np.float32,
                          lambda s, d: _fill(WORDS, xinit_c.lecun_uniform_, s, d, layout="keras")),
        "lecun_normal": (xj.lecun_normal(), (16, 8), np.float32,
                         lambda s, d: _fill(WORDS, xinit_c.lecun_normal_, s, d, layout="keras")),
        "vs_complex": (xj.variance_scaling(1.0, "fan_in", "truncated_normal"), (16, 8), np.complex64,
                       lambda s, d: _fill(WORDS, xinit_c.variance_scaling_, s, d, 1.0, "fan_in", "truncated_normal",
                                          layout="keras")),
        "orthogonal": (xj.orthogonal(1.5), (4, 3, 6), np.float32,
                       lambda s, d: _fill(WORDS, xinit_c.orthogonal_, (12, 6), d, 1.5).reshape(s)),
        "orthogonal_column_axis_0": (xj.orthogonal(column_axis=0), (4, 3, 6), np.float32,
                                     lambda s, d: np.moveaxis(_fill(WORDS, xinit_c.orthogonal_, (18, 4), d)
                                                              .reshape(3, 6, 4), -1, 0)),
        "delta_orthogonal": (xj.delta_orthogonal(2.0, column_axis=-2), (3, 3, 4, 8), np.float32,
                             lambda s, d: _fill(WORDS, xinit_c.delta_orthogonal_, s, d, 2.0, -2)),
        "constant": (xj.constant([1, 2, 3]), (2, 3), np.int32,
                     lambda s, d: np.broadcast_to(np.int32([1, 2, 3]), s)),
    }


CASE_NAMES = ['uniform', 'normal', 'normal_complex', 'truncated_normal', 'variance_scaling', 'glorot_uniform',
              'glorot_normal', 'he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal', 'vs_complex', 'orthogonal',
              'orthogonal_column_axis_0', 'delta_orthogonal', 'constant']


@pytest.mark.parametrize("case", CASE_NAMES)
def test_the_values_are_the_xinit_fill_from_the_keys_generator(case):
    init, shape, dtype, expected = cases()[case]
    assert set(cases()) == set(CASE_NAMES)
    if dtype == np.float64:   # JAX makes float64 only with x64 on (float32 otherwise)
        with jax.enable_x64(True):
            got = init(KEY, shape, dtype)
    else:
        got = init(KEY, shape, dtype)
    assert got.dtype == dtype and got.shape == shape
    assert np.asarray(got).tobytes() == np.ascontiguousarray(expected(shape, dtype)).tobytes()


def test_zeros_and_ones_ignore_the_key_and_take_any_dtype():
    assert np.asarray(xj.zeros(None, (2, 3), jnp.int8)).tolist() == [[0] * 3] * 2
    assert xj.ones("not a key", (2,), bool).tolist() == [True, True]
    assert xj.zeros(jax.random.key(0), (2,)).dtype == jnp.float32


ZEROS_DTYPES = ["float16", "bfloat16", "float32", "float64", "complex64", "complex128", "bool", "int8", "int16",
                "int32", "int64", "uint8", "uint16", "uint32", "uint64"]


@pytest.mark.parametrize("name", ["zeros", "ones"])
def test_zeros_and_ones_take_exactly_the_documented_dtypes(name):
    doc = " ".join(getattr(xj, name).__doc__.split())
    assert "float16, bfloat16, float32, float64, complex64, complex128, bool, int8 to int64 or uint8 to uint64" in doc
    with jax.enable_x64(True):
        for dtype in ZEROS_DTYPES:
            assert getattr(xj, name)(KEY, (2,), dtype).dtype == np.dtype(dtype)
        for dtype in ("float8_e4m3fn", "int4"):
            with pytest.raises(TypeError, match=f"xinit_c.jax.{name}"):
                getattr(xj, name)(KEY, (2,), getattr(jnp, dtype))


def test_the_eager_array_is_the_host_fill_handed_over_whole():
    # one 64-byte-aligned host buffer: XLA's CPU client adopts such a buffer instead of copying it
    made = []
    real = xj._host_empty
    try:
        xj._host_empty = lambda shape, dtype: made.append(real(shape, dtype)) or made[-1]
        w = xj.normal()(jax.random.key(0), (64, 64))
    finally:
        xj._host_empty = real
    assert len(made) == 1 and made[0].ctypes.data % 64 == 0
    if w.devices() == {jax.devices("cpu")[0]}:
        assert w.unsafe_buffer_pointer() == made[0].ctypes.data


# --------------------------------------------------------------------------
# traced keys: jit, vmap, eval_shape
# --------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["uniform", "truncated_normal", "glorot_uniform", "orthogonal", "constant",
                                  "normal_complex"])
def test_jit_vmap_and_eval_shape_give_the_eager_bits(case):
    init, shape, dtype, _ = cases()[case]
    eager = np.asarray(init(KEY, shape, dtype))
    jitted = jax.jit(lambda k: init(k, shape, dtype))(KEY)
    assert np.asarray(jitted).tobytes() == eager.tobytes()
    keys = jax.random.split(jax.random.key(9), 3)
    batched = jax.jit(jax.vmap(lambda k: init(k, shape, dtype)))(keys)
    for i in range(3):
        assert np.asarray(batched[i]).tobytes() == np.asarray(init(keys[i], shape, dtype)).tobytes()
    abstract = jax.eval_shape(lambda k: init(k, shape, dtype), KEY)
    assert (abstract.shape, abstract.dtype) == (shape, np.dtype(dtype))


@pytest.mark.parametrize("value", [-0.0, 0.1, -7, float("inf"), [1.5, -0.0, 3.0]])
@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float32", "complex64"])
def test_a_traced_constant_is_the_eager_fill_without_a_callback(value, dtype):
    init = xj.constant(value)
    eager = np.asarray(init(KEY, (4, 3), dtype))
    program = str(jax.make_jaxpr(lambda k: init(k, (4, 3), dtype))(KEY))
    assert "callback" not in program
    assert np.asarray(jax.jit(lambda k: init(k, (4, 3), dtype))(KEY)).tobytes() == eager.tobytes()


@pytest.mark.parametrize("name, dtype", [("zeros", "bfloat16"), ("ones", "int8"), ("ones", "bool"),
                                         ("zeros", "uint32"), ("ones", "complex64")])
def test_traced_zeros_and_ones_are_the_eager_fill_without_a_callback(name, dtype):
    init = getattr(xj, name)
    assert "callback" not in str(jax.make_jaxpr(lambda k: init(k, (5,), dtype))(KEY))
    assert np.asarray(jax.jit(lambda k: init(k, (5,), dtype))(KEY)).tobytes() == \
        np.asarray(init(KEY, (5,), dtype)).tobytes()


def test_a_legacy_key_under_jit_gives_the_eager_bits():
    init = xj.he_uniform()
    legacy = jax.random.PRNGKey(3)
    assert np.array_equal(jax.jit(lambda k: init(k, (8, 4)))(legacy), init(jax.random.key(3), (8, 4)))


def test_bad_arguments_are_refused_before_tracing_stages_anything():
    with pytest.raises(ValueError, match="xinit_c.jax.glorot_uniform: .*fewer than 2 dimensions"):
        jax.jit(lambda k: xj.glorot_uniform()(k, (8,)))(KEY)
    with pytest.raises(TypeError, match="xinit_c.jax.uniform: .*int32"):
        jax.jit(lambda k: xj.uniform()(k, (8,), jnp.int32))(KEY)


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

@pytest.mark.parametrize("make, error, message", [
    (lambda: xj.variance_scaling(1.0, "fan_sum", "uniform"), ValueError, "mode 'fan_sum'"),
    (lambda: xj.variance_scaling(1.0, "fan_in", "cauchy"), ValueError, "distribution 'cauchy'"),
    (lambda: xj.variance_scaling(-1.0, "fan_in", "normal"), ValueError, "scale"),
    (lambda: xj.normal(-0.1), ValueError, "xinit_c.jax.normal: stddev"),
    (lambda: xj.normal("big"), TypeError, "stddev must be a real number"),
    (lambda: xj.uniform(-1.0), ValueError, "xinit_c.jax.uniform: scale"),
    (lambda: xj.truncated_normal(1.0, lower=2.0, upper=2.0), ValueError, "lower < upper"),
    (lambda: xj.orthogonal(column_axis=1.5), TypeError, "column_axis must be an integer"),
    (lambda: xj.delta_orthogonal(column_axis=2), ValueError, "column_axis must be -2, -1, 0 or 1"),
    (lambda: xj.constant("x"), TypeError, "value must be numbers"),
])
def test_a_bad_factory_argument_is_refused_when_the_initializer_is_made(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("call, error, message", [
    (lambda: xj.normal()(0, (2, 2)), TypeError, "key must be a JAX PRNG key"),
    (lambda: xj.normal()(jnp.zeros(2, jnp.int32), (2, 2)), TypeError, "uint32 array of shape"),
    (lambda: xj.normal()(jnp.zeros(3, jnp.uint32), (2, 2)), TypeError, "uint32 array of shape"),
    (lambda: xj.normal()(jax.random.split(KEY, 2), (2, 2)), ValueError, "accepts a single key"),
    (lambda: xj.normal()(KEY, (2, -1)), ValueError, "xinit_c.jax.normal"),
    (lambda: xj.normal()(KEY, (2, 2), "not a dtype"), TypeError, "is not a dtype"),
    (lambda: xj.truncated_normal()(KEY, (2, 2), jnp.complex64), TypeError, "xinit_c.jax.truncated_normal"),
    (lambda: xj.lecun_normal()(KEY, (4,)), ValueError, "fewer than 2 dimensions"),
    (lambda: xj.variance_scaling(1.0, "fan_in", "normal", in_axis=5)(KEY, (4, 4)), ValueError, "xinit_c.jax"),
    (lambda: xj.orthogonal()(KEY, (4,)), ValueError, "at least a 2D shape"),
    (lambda: xj.orthogonal(column_axis=3)(KEY, (4, 4)), ValueError, "column_axis 3 is out of range"),
    (lambda: xj.delta_orthogonal()(KEY, (4, 4)), ValueError, "3-, 4- or 5-D"),
    (lambda: xj.delta_orthogonal()(KEY, (3, 8, 4)), ValueError, "must be >= shape"),
    (lambda: xj.constant(300)(KEY, (2,), jnp.int8), ValueError, "does not fit in int8"),
    (lambda: xj.normal()(KEY, (2, 2), out_sharding="rows"), TypeError, "NamedSharding, a PartitionSpec"),
    (lambda: xj.normal()(KEY, (2, 2), out_sharding=PartitionSpec("x")), ValueError, "needs a mesh"),
])
def test_a_bad_call_is_refused_with_the_initializers_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_key_of_another_implementation_is_refused():
    from jax.extend import random as jax_random
    mine = jax_random.define_prng_impl(
        key_shape=(2,), seed=lambda s: jnp.zeros(2, jnp.uint32), split=lambda k, shape: jnp.zeros((*shape, 2), jnp.uint32),
        random_bits=lambda k, width, shape: jnp.zeros(shape, jnp.uint32), fold_in=lambda k, d: k, name="mine",
        tag="mine")
    with pytest.raises(ValueError, match="keys of the 'mine' implementation are not taken"):
        xj.normal()(jax.random.key(0, impl=mine), (2,))


# --------------------------------------------------------------------------
# sharded initialisation on 8 host devices (a subprocess: the device count is fixed at jax's import)
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sharded_run(tmp_path_factory):
    result = subprocess.run([sys.executable, str(TESTS / "jax_sharded_cases.py")], capture_output=True,
                            text=True, timeout=300, cwd=tmp_path_factory.mktemp("sharded"), env=EIGHT_DEVICES)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def sharded_cases(sharded_run):
    return sharded_run["cases"]


@pytest.fixture(scope="module")
def sharded_errors(sharded_run):
    return sharded_run["errors"]


def test_every_mesh_and_spec_is_covered(sharded_cases):
    seen = {(c["mesh"], c["spec"]) for c in sharded_cases}
    for mesh in ("8", "2x4", "4x2"):
        for spec in ("rows", "columns", "replicated", "kernel"):
            assert (mesh, spec) in seen
    assert {("2x4", "both"), ("4x2", "both")} <= seen
    assert {c["init"] for c in sharded_cases} >= {"uniform", "normal", "truncated_normal", "glorot_uniform",
                                                   "variance_scaling_3d", "orthogonal", "constant"}
    assert {c["how"] for c in sharded_cases} == {"eager", "partition_spec", "jit", "jit_auto", "jit_partition_spec"}
    for how in ("jit", "jit_auto"):   # under jit too, every mesh and spec
        assert {(c["mesh"], c["spec"]) for c in sharded_cases if c["how"] == how} >= seen


def test_the_sharded_array_is_the_unsharded_one_bit_for_bit(sharded_cases):
    wrong = [c for c in sharded_cases if not (c["equal"] and c["bits_equal"] and c["sharding"])]
    assert not wrong, wrong


def test_each_block_is_made_once_and_put_on_its_devices_before_the_next(sharded_cases):
    for c in sharded_cases:
        if c["how"] not in ("eager", "partition_spec"):
            continue
        events = c["events"][1:] if c["init"] == "orthogonal" else c["events"]   # its whole matrix comes first
        per_block = ["fill"] + ["put"] * (8 // c["distinct_blocks"])
        assert events == per_block * c["distinct_blocks"], c


def test_a_jitted_blockwise_fill_makes_each_block_on_its_device(sharded_cases):
    # XLA warns "Involuntary full rematerialization" when the whole array must pass through one device; the
    # structured fills (a QR of the whole matrix) still do, which shows the warning is caught when it comes
    jitted = [c for c in sharded_cases if c["how"].startswith("jit")]
    structured = [c for c in jitted if c["init"] == "orthogonal"]
    assert structured and all(c["rematerialized"] for c in structured)
    assert structured[0]["temp_bytes"] >= structured[0]["nbytes"]
    blockwise = [c for c in jitted if c["init"] != "orthogonal"]
    assert len(blockwise) > 40
    for c in blockwise:
        assert not c["rematerialized"], c
        assert c["temp_bytes"] < c["nbytes"] // 8, c   # no buffer of the whole array, not even of one block
        if c["init"] not in ("constant", "zeros", "constant_negative_zero"):   # the constants need no host
            assert c["events"].count("fill") == 8, c   # one host block per device


def test_a_batch_of_keys_under_jit_and_vmap_is_sharded_blockwise(sharded_run):
    assert sharded_run["vmap"] == {"equal": True, "spec": "P(None, 'a', 'b')", "rematerialized": False}


def test_a_sharding_in_host_memory_is_kept(sharded_cases):
    kinds = {(c["how"], c["init"], c["memory_kind"]) for c in sharded_cases if c["memory_kind"] != "device"}
    assert kinds == {("eager", "uniform", "pinned_host"), ("eager", "uniform", "unpinned_host")} | {
        (how, name, "pinned_host") for how in ("jit", "jit_auto") for name in ("uniform", "orthogonal", "constant")}


def test_a_bad_sharding_is_refused_with_the_initializers_name_before_any_block_is_made(sharded_errors):
    for name, init in (("eager", "glorot_uniform"), ("jit", "normal"), ("structured", "orthogonal"),
                       ("constant", "constant")):
        refused = sharded_errors[name]
        assert refused["message"].startswith(f"xinit_c.jax.{init}: out_sharding P("), refused
        assert "does not split shape" in refused["message"] and refused["cause"] == "IndivisibleError"
    assert sharded_errors["blocks_made"] == 0
    assert sharded_errors["unpinned_host_jit"]["message"].startswith(
        "xinit_c.jax.uniform: out_sharding in memory kind 'unpinned_host' is not taken under jit")


# --------------------------------------------------------------------------
# Flax
# --------------------------------------------------------------------------

def _spy(init, seen):
    def spied(key, shape, dtype=None, out_sharding=None):
        seen.append(key)
        return init(key, shape, dtype, out_sharding)
    return spied


def test_flax_linen_dense_takes_the_initializer_eager_and_jitted():
    linen = pytest.importorskip("flax.linen", reason="flax is not installed")
    seen = []
    model = linen.Dense(16, kernel_init=_spy(xj.glorot_uniform(), seen))
    x = jnp.ones((2, 8))
    params = model.init(jax.random.key(0), x)
    kernel = params["params"]["kernel"]
    assert kernel.shape == (8, 16) and len(seen) == 1
    assert np.asarray(kernel).tobytes() == np.asarray(xj.glorot_uniform()(seen[0], (8, 16))).tobytes()
    jitted = jax.jit(model.init)(jax.random.key(0), x)
    assert np.asarray(jitted["params"]["kernel"]).tobytes() == np.asarray(kernel).tobytes()
    other = model.init(jax.random.key(1), x)["params"]["kernel"]
    assert not np.array_equal(other, kernel)
    assert bool((abs(kernel) <= (6 / 24) ** 0.5).all())


def test_flax_nnx_linear_takes_the_initializer():
    nnx = pytest.importorskip("flax.nnx", reason="flax is not installed")
    seen = []
    layer = nnx.Linear(8, 16, kernel_init=_spy(xj.he_normal(), seen), rngs=nnx.Rngs(0))
    assert len(seen) == 1
    kernel = np.asarray(layer.kernel[...])
    assert kernel.tobytes() == np.asarray(xj.he_normal()(seen[0], (8, 16))).tobytes()
    again = nnx.Linear(8, 16, kernel_init=xj.he_normal(), rngs=nnx.Rngs(0))
    assert np.asarray(again.kernel[...]).tobytes() == kernel.tobytes()
    other = nnx.Linear(8, 16, kernel_init=xj.he_normal(), rngs=nnx.Rngs(1))
    assert not np.array_equal(np.asarray(other.kernel[...]), kernel)

