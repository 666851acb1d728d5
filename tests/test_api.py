"""The public API: names and keywords, the generator, and bad input (a clear
error, nothing written, the generator untouched)."""
import copy
import inspect
import math
import pickle
import re
import threading
import time

import numpy as np
import pytest

import reference
import xinit_c as xi

FAN_FILLS = ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
             "lecun_uniform_", "lecun_normal_", "variance_scaling_"]
PLAIN_FILLS = ["uniform_", "normal_", "trunc_normal_", "zeros_", "ones_", "constant_", "random_bits_"]
# whole-tensor fills (xinit_c/_structured.py): no global_shape/offset/threads, since no element is computed
# alone; those that draw words take generator=, those that take none do not (torch's signatures)
DRAWING_STRUCTURED_FILLS = ["orthogonal_", "sparse_", "delta_orthogonal_"]
WORDLESS_STRUCTURED_FILLS = ["eye_", "dirac_", "identity_"]


def test_every_public_fill_is_in_one_of_the_lists_above():
    fills = sorted(name for name in xi.__all__ if name.endswith("_"))
    assert fills == sorted(FAN_FILLS + PLAIN_FILLS + DRAWING_STRUCTURED_FILLS + WORDLESS_STRUCTURED_FILLS)


@pytest.mark.parametrize("name", DRAWING_STRUCTURED_FILLS + WORDLESS_STRUCTURED_FILLS)
def test_the_structured_fills_take_out_first_and_no_block_keywords(name):
    params = inspect.signature(getattr(xi, name)).parameters
    assert next(iter(params)) == "out"
    assert not {"global_shape", "offset", "threads"} & set(params)
    if name in DRAWING_STRUCTURED_FILLS:
        assert params["generator"].kind is inspect.Parameter.KEYWORD_ONLY and params["generator"].default is None
    else:
        assert "generator" not in params


@pytest.mark.parametrize("name", FAN_FILLS + PLAIN_FILLS)
def test_every_fill_takes_the_common_keywords(name):
    params = inspect.signature(getattr(xi, name)).parameters
    for keyword in ("generator", "global_shape", "offset"):
        assert params[keyword].kind is inspect.Parameter.KEYWORD_ONLY
    if name in FAN_FILLS:
        for keyword in ("layout", "fan_in", "fan_out"):
            assert params[keyword].kind is inspect.Parameter.KEYWORD_ONLY
        assert params["layout"].default == "torch"


@pytest.mark.parametrize("name", FAN_FILLS + ["uniform_", "normal_", "trunc_normal_"])
def test_fills_return_the_buffer_and_advance_by_its_words(name, float_dtype):
    g = xi.Generator(5)
    out = np.empty((6, 10), float_dtype)
    assert getattr(xi, name)(out, generator=g) is out
    assert g.position == reference.words_per_element(float_dtype) * 60
    assert np.isfinite(out.astype(np.float64)).all()


def test_xavier_formulas():
    g = xi.Generator(0)
    w = xi.xavier_uniform_(np.empty((300, 200), np.float64), gain=2.0, generator=g)
    bound = 2.0 * math.sqrt(6.0 / 500)
    assert -bound <= w.min() and w.max() <= bound and w.max() > 0.99 * bound
    assert xi.describe("xavier_normal", (300, 200), gain=2.0)["std"] == 2.0 * math.sqrt(2.0 / 500)
    # the uniform fill is exactly uniform_(-bound, bound) from the same position
    same = xi.uniform_(np.empty((300, 200)), -bound, bound, generator=xi.Generator(0))
    assert np.array_equal(w, same)


def test_fan_overrides_and_layouts():
    a = xi.xavier_uniform_(np.empty(50), fan_in=10, fan_out=30, generator=xi.Generator(1))
    b = xi.uniform_(np.empty(50), -math.sqrt(6 / 40), math.sqrt(6 / 40), generator=xi.Generator(1))
    assert np.array_equal(a, b)
    keras = xi.xavier_uniform_(np.empty((3, 3, 4, 8)), layout="keras", generator=xi.Generator(2))
    bound = math.sqrt(6 / (4 * 9 + 8 * 9))
    assert np.array_equal(keras, xi.uniform_(np.empty((3, 3, 4, 8)), -bound, bound, generator=xi.Generator(2)))


def test_kaiming_matches_torch_formula():
    # torch.nn.init.kaiming_uniform_: bound = sqrt(3) * gain / sqrt(fan)
    d = xi.describe("kaiming_uniform", (64, 32, 3, 3), a=math.sqrt(5))
    gain = math.sqrt(2.0 / (1 + 5))
    assert d["high"] == math.sqrt(3.0) * (gain / math.sqrt(32 * 9))
    d = xi.describe("kaiming_normal", (64, 32, 3, 3), mode="fan_out", nonlinearity="relu")
    assert d["std"] == math.sqrt(2.0) / math.sqrt(64 * 9)


def test_variance_scaling_semantics():
    d = xi.describe("variance_scaling", (20, 30), scale=2.0, mode="fan_avg", distribution="truncated_normal")
    s = math.sqrt(2.0 / 25) / 0.87962566103423978
    assert (d["std"], d["a"], d["b"]) == (s, -2 * s, 2 * s)
    d = xi.describe("variance_scaling", (20, 30), scale=3.0, mode="fan_geo_avg", distribution="uniform")
    assert d["high"] == math.sqrt(3.0 * (3.0 / math.sqrt(600)))
    assert xi.describe("lecun_normal", (20, 30))["std"] == math.sqrt(1 / 30) / 0.87962566103423978
    assert xi.describe("lecun_uniform", (20, 30))["high"] == math.sqrt(3 / 30)


def test_constant_fills_consume_no_words(float_dtype):
    g = xi.Generator(3)
    out = np.empty(7, float_dtype)
    assert xi.zeros_(out, generator=g) is out and not out.astype(np.float64).any()
    assert (xi.ones_(out).astype(np.float64) == 1).all()
    assert (xi.constant_(out, 0.1).astype(np.float64) == np.array(0.1, float_dtype).astype(np.float64)).all()
    assert g.position == 0


def test_default_generator_and_manual_seed():
    xi.manual_seed(42)
    a = xi.normal_(np.empty(10))
    assert xi.default_generator().position == 20
    xi.manual_seed(42)
    b = xi.normal_(np.empty(10))
    assert np.array_equal(a, b)
    assert np.array_equal(a, xi.normal_(np.empty(10), generator=xi.Generator(42)))


def test_generator_key_from_seed_sequence():
    g = xi.Generator(1234)
    state = np.random.SeedSequence(1234).generate_state(2, dtype=np.uint32)
    assert g.key == (int(state[0]), int(state[1]))
    assert (g.stream, g.position) == (0, 0)
    assert xi.Generator(None).key != xi.Generator(None).key  # fresh entropy


def test_streams_are_different_sequences():
    a = xi.random_bits_(np.empty(64, np.uint32), generator=xi.Generator(key=(1, 2), stream=0))
    b = xi.random_bits_(np.empty(64, np.uint32), generator=xi.Generator(key=(1, 2), stream=1))
    assert not np.array_equal(a, b)
    assert np.array_equal(b, reference.words((1, 2), 1, 0, 64))


def test_advance_copy_pickle_and_resume():
    g = xi.Generator(9)
    xi.normal_(np.empty(100), generator=g)
    saved = pickle.dumps(g)
    clone = copy.deepcopy(g)
    next_values = xi.normal_(np.empty(50), generator=g)
    resumed = pickle.loads(saved)
    assert resumed == clone and resumed.position == 200
    assert np.array_equal(xi.normal_(np.empty(50), generator=resumed), next_values)
    assert np.array_equal(xi.normal_(np.empty(50), generator=clone), next_values)
    skipped = xi.Generator(9).advance(200)
    assert np.array_equal(xi.normal_(np.empty(50), generator=skipped.advance(-100).advance(100)), next_values)
    with pytest.raises(ValueError):
        xi.Generator(9).advance(-1)
    with pytest.raises(ValueError):
        xi.Generator(9, position=2**66).advance(1)


def test_spawn_gives_independent_children_and_is_checkpointed():
    g = xi.Generator(77)
    children = g.spawn(3)
    keys = {c.key for c in children} | {g.key}
    assert len(keys) == 4
    expected = np.random.SeedSequence(77).spawn(3)[1].generate_state(2, dtype=np.uint32)
    assert children[1].key == tuple(int(k) for k in expected)
    restored = pickle.loads(pickle.dumps(g))
    assert [c.key for c in restored.spawn(2)] == [c.key for c in g.spawn(2)]  # spawn count carried
    explicit = xi.Generator(key=(5, 6), stream=3)
    assert len({c.key for c in explicit.spawn(2) + explicit.spawn(2)}) == 4


def test_generator_arguments_are_checked():
    with pytest.raises(ValueError):
        xi.Generator(1, key=(1, 2))
    with pytest.raises(ValueError):
        xi.Generator(key=(2**32, 0))
    with pytest.raises(TypeError):
        xi.Generator(key=5)
    with pytest.raises(ValueError):
        xi.Generator(stream=-1)
    with pytest.raises(ValueError):
        xi.Generator(position=2**66 + 1)
    assert xi.Generator(position=2**66).position == 2**66


def test_sharing_a_generator_between_threads_gives_disjoint_ranges():
    g = xi.Generator(key=(3, 4))
    n, calls, threads = 1000, 25, 4
    results = []
    lock = threading.Lock()

    def work():
        for _ in range(calls):
            out = xi.random_bits_(np.empty(n, np.uint32), generator=g)
            with lock:
                results.append(out)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert g.position == n * calls * threads
    everything = np.sort(np.concatenate(results))
    assert np.array_equal(everything, np.sort(reference.words((3, 4), 0, 0, n * calls * threads)))


def test_fill_releases_the_gil():
    big = np.empty(1 << 25, np.float32)   # one thread, 128 MB: long enough (> 20 ms) on a fast idle machine too
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    time.sleep(0.01)
    began = time.perf_counter()
    xi.normal_(big, generator=xi.Generator(0), threads=1)
    ended = time.perf_counter()
    stop.set()
    t.join()
    during = [x for x in ticks if began < x < ended]
    assert ended - began > 0.02
    assert len(during) >= 5, f"the other thread ran {len(during)} times during a {ended - began:.3f} s fill"


# ---------------------------------------------------------------- bad input

def untouched_after(call, out, g):
    before = out.copy()
    position = g.position
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert np.array_equal(out.view(np.uint8), before.view(np.uint8)), "the failed call wrote"
    assert g.position == position, "the failed call moved the generator"
    return info


BAD = [
    (lambda o, g: xi.xavier_uniform_(o, gain=float("nan"), generator=g), ValueError, "gain"),
    (lambda o, g: xi.xavier_uniform_(o, gain=-1.0, generator=g), ValueError, "gain"),
    (lambda o, g: xi.xavier_normal_(o, gain=float("inf"), generator=g), ValueError, "gain"),
    (lambda o, g: xi.normal_(o, std=-0.1, generator=g), ValueError, "std"),
    (lambda o, g: xi.normal_(o, mean=float("nan"), generator=g), ValueError, "mean"),
    (lambda o, g: xi.uniform_(o, 1.0, 0.0, generator=g), ValueError, "low"),
    (lambda o, g: xi.uniform_(o, 0.0, float("inf"), generator=g), ValueError, "high"),
    (lambda o, g: xi.trunc_normal_(o, a=1.0, b=1.0, generator=g), ValueError, "a < b"),
    (lambda o, g: xi.trunc_normal_(o, a=2.0, b=-2.0, generator=g), ValueError, "a < b"),
    (lambda o, g: xi.trunc_normal_(o, a=50.0, b=60.0, generator=g), ValueError, "tail"),
    (lambda o, g: xi.variance_scaling_(o, scale=-1.0, generator=g), ValueError, "scale"),
    (lambda o, g: xi.variance_scaling_(o, mode="fan_sum", generator=g), ValueError, "fan_geo_avg"),
    (lambda o, g: xi.variance_scaling_(o, distribution="cauchy", generator=g), ValueError, "truncated_normal"),
    (lambda o, g: xi.kaiming_uniform_(o, nonlinearity="swish", generator=g), ValueError, "leaky_relu"),
    (lambda o, g: xi.kaiming_uniform_(o, mode="fan_avg", generator=g), ValueError, "fan_out"),
    (lambda o, g: xi.xavier_uniform_(o, layout="caffe", generator=g), ValueError, "keras"),
    (lambda o, g: xi.xavier_uniform_(o, generator=g, global_shape=(4, 5), offset=(1, 0)), ValueError, "fit"),
    (lambda o, g: xi.xavier_uniform_(o, generator=g, global_shape=(40, 50, 3)), ValueError, "dimensions"),
    (lambda o, g: xi.normal_(o, generator=g, offset=(0, 0)), ValueError, "global_shape"),
    (lambda o, g: xi.normal_(o, generator=g, global_shape=(5, 5), offset=(0, -1)), ValueError, "offset"),
    (lambda o, g: xi.normal_(o, generator="seed"), TypeError, "Generator"),
    (lambda o, g: xi.random_bits_(o, generator=g), TypeError, "uint32"),
]


@pytest.mark.parametrize("call, error, words", BAD)
def test_bad_input_is_refused_before_writing(call, error, words):
    out = np.full((4, 5), 7.0, np.float32)
    g = xi.Generator(1)
    info = untouched_after(lambda: call(out, g), out, g)
    assert info.type is error and words in str(info.value)


def test_torch_layout_needs_two_dimensions():
    out = np.zeros(5, np.float32)
    g = xi.Generator(1)
    info = untouched_after(lambda: xi.xavier_uniform_(out, generator=g), out, g)
    assert "fewer than 2 dimensions" in str(info.value)
    xi.xavier_uniform_(out, generator=g, layout="keras")  # Keras: a 1-D shape has fans (n, n)


def test_read_only_and_wrong_dtype():
    ro = np.zeros((3, 3), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        xi.xavier_uniform_(ro)
    for dtype in (np.int32, np.complex64, np.bool_, np.uint8):
        with pytest.raises(TypeError, match="dtype"):
            xi.xavier_uniform_(np.zeros((3, 3), dtype))
    for dtype in (np.longdouble, np.clongdouble, "m8[s]", object, "U1"):   # the constant fills take integers too
        with pytest.raises(TypeError, match=r"^zeros_: cannot fill an array of dtype .*: expected float16, "):
            xi.zeros_(np.zeros(3, dtype))


def test_objects_that_need_a_copy_are_refused():
    with pytest.raises(TypeError, match="in place"):
        xi.normal_([0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="read-only"):
        xi.normal_(memoryview(b"\x00" * 16).cast("f"))


def test_broadcast_views_are_refused():
    base = np.zeros(5, np.float32)
    view = np.lib.stride_tricks.as_strided(base, shape=(4, 5), strides=(0, 4))
    g = xi.Generator(1)
    with pytest.raises(ValueError, match="broadcast"):
        xi.normal_(view, generator=g)
    assert g.position == 0 and not base.any()


def test_the_end_of_the_stream():
    out = np.zeros(8, np.float32)
    g = xi.Generator(1, position=2**66 - 7)
    info = untouched_after(lambda: xi.normal_(out, generator=g), out, g)
    assert "2**66" in str(info.value)
    g = xi.Generator(1, position=2**66 - 8)
    xi.normal_(out, generator=g)
    assert g.position == 2**66
    xi.normal_(np.empty(0, np.float32), generator=g)  # an empty fill at the end is fine
    with pytest.raises(ValueError):
        xi.normal_(np.empty(1, np.float64), generator=xi.Generator(1, position=2**66 - 1))
    with pytest.raises(ValueError, match="2\\*\\*63"):
        xi.normal_(np.empty(1), global_shape=(2**32, 2**32), offset=0)


def test_zero_size_buffers_are_a_noop(float_dtype):
    g = xi.Generator(1)
    for shape in [(0,), (0, 5), (3, 0, 2)]:
        out = np.empty(shape, float_dtype)
        for name in FAN_FILLS + ["uniform_", "normal_", "trunc_normal_", "zeros_"]:
            assert getattr(xi, name)(out, generator=g) is out
    assert g.position == 0
    # an empty shard of a non-empty tensor still moves in step with the others
    xi.normal_(np.empty((0, 5), float_dtype), generator=g, global_shape=(4, 5), offset=(4, 0))
    assert g.position == 20 * reference.words_per_element(float_dtype)


def test_overlapping_views_are_refused():
    base = np.zeros(16, np.float32)
    g = xi.Generator(1)
    for shape, strides in [((4, 4), (4, 8)), ((8,), (2,)), ((3, 3), (8, 4))]:
        view = np.lib.stride_tricks.as_strided(base, shape=shape, strides=strides)
        with pytest.raises(ValueError, match="overlap"):
            xi.normal_(view, generator=g)
    assert g.position == 0 and not base.any()
    # everything numpy's own slicing makes is accepted
    a = np.zeros((6, 5, 4), np.float32)
    for view in (a, a.T, a[::2, ::-1, 1:], a.transpose(1, 0, 2)[:, ::3], a[:, 2, :], a.reshape(30, 4)[::7]):
        xi.normal_(view, generator=g)


# ---------------------------------------------------------- small calls
# The common call on a small array takes a compiled path (_core.small_fill and
# small_fan_fill); everything else, and every refusal, the general one. Both
# must write the same bytes and move the generator alike. global_shape= equal
# to the array's own shape forces the general path for the same fill.

SMALL_SHAPES = [(4, 4), (1, 1), (3, 7), (128, 127), (5, 3, 3, 3), (2, 3, 4, 5, 6), (16383, 1)]
SMALL_FAN_CALLS = [
    ("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 2}), ("xavier_uniform_", {"gain": 0.0}),
    ("xavier_normal_", {"gain": 1e-30}), ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"a": -3, "mode": "fan_out"}), ("kaiming_normal_", {"nonlinearity": "relu"}),
    ("kaiming_normal_", {"a": 1e-200, "nonlinearity": "leaky_relu"}), ("kaiming_normal_", {"nonlinearity": "tanh"}),
    ("lecun_uniform_", {}), ("lecun_normal_", {}), ("variance_scaling_", {}),
    ("variance_scaling_", {"scale": 0.0}), ("variance_scaling_", {"scale": 2, "mode": "fan_out"}),
    ("variance_scaling_", {"scale": 3.0, "mode": "fan_avg", "distribution": "uniform"}),
    ("variance_scaling_", {"scale": 0.1, "mode": "fan_geo_avg", "distribution": "normal"}),
    ("variance_scaling_", {"mode": "fan_geo_avg", "distribution": "untruncated_normal"}),
]


@pytest.mark.parametrize("name, options", SMALL_FAN_CALLS, ids=str)
def test_small_fan_fills_write_what_the_general_path_writes(name, options, float_dtype):
    init = getattr(xi, name)
    for layout in ("torch", "keras", "jax"):
        for shape in SMALL_SHAPES + ([(), (9,)] if layout == "keras" else []):
            fast, general = xi.Generator(key=(5, 6), position=77), xi.Generator(key=(5, 6), position=77)
            got = init(np.full(shape, np.nan, float_dtype), generator=fast, layout=layout, **options)
            want = init(np.full(shape, np.nan, float_dtype), generator=general, global_shape=shape, layout=layout,
                        **options)
            assert got.tobytes() == want.tobytes(), (layout, shape)
            assert fast.position == general.position > 77


SMALL_PLAIN_CALLS = [
    ("uniform_", ()), ("uniform_", (-3, 5)), ("uniform_", (2.5, 2.5)), ("normal_", ()), ("normal_", (1, 0)),
    ("normal_", (-2.0, 1e-30)), ("trunc_normal_", ()), ("trunc_normal_", (0.5, 2.0, -1, math.inf)),
    ("trunc_normal_", (0.0, 0.0, 1.0, 1.0)), ("trunc_normal_", (0.0, 1.0, 3.0, 9.0)),
]


@pytest.mark.parametrize("name, params", SMALL_PLAIN_CALLS, ids=str)
def test_small_plain_fills_write_what_the_general_path_writes(name, params, float_dtype):
    fill = getattr(xi, name)
    for shape in SMALL_SHAPES + [(), (1,), (1000,)]:
        fast, general = xi.Generator(key=(7, 8), stream=3), xi.Generator(key=(7, 8), stream=3)
        got = fill(np.full(shape, np.nan, float_dtype), *params, generator=fast)
        want = fill(np.full(shape, np.nan, float_dtype), *params, generator=general, global_shape=shape)
        assert got.tobytes() == want.tobytes(), shape
        assert fast.position == general.position > 0


def test_small_random_bits_and_the_default_generator():
    for dtype in (np.uint32, np.uint64):
        got = xi.random_bits_(np.zeros((33, 3), dtype), generator=xi.Generator(9))
        want = xi.random_bits_(np.zeros((33, 3), dtype), generator=xi.Generator(9), global_shape=(33, 3))
        assert got.tobytes() == want.tobytes()
    xi.manual_seed(11)
    a = xi.xavier_normal_(np.empty((4, 4), np.float32))
    b = xi.xavier_normal_(np.empty((4, 4), np.float32))
    assert xi.default_generator().position == 32
    assert a.tobytes() == xi.xavier_normal_(np.empty((4, 4), np.float32), generator=xi.Generator(11)).tobytes()
    assert b.tobytes() == xi.xavier_normal_(np.empty((4, 4), np.float32), generator=xi.Generator(11).advance(16),
                                            global_shape=(4, 4)).tobytes()


def test_the_compiled_path_takes_the_common_call_and_leaves_the_rest():
    from xinit_c import _core
    default = xi.Generator(0)
    fan = _core.small_fan_fill
    w = np.empty((4, 4), np.float32)
    assert fan(_core.SCHEME_XAVIER_UNIFORM, w, None, default, "torch", 1.0) is w
    assert fan(_core.SCHEME_KAIMING_NORMAL, w, xi.Generator(1), default, "keras", 0, "fan_out", "relu") is w
    assert fan(_core.SCHEME_VARIANCE_SCALING, w, None, default, "jax", 2.0, "fan_avg", "uniform") is w
    assert _core.small_fill(_core.DIST_TRUNC_NORMAL, w, None, default, 0, 1, -2, 2) is w
    big = np.empty(_core.NOGIL_MIN_ELEMENTS, np.float32)
    masked = np.ma.zeros((4, 4), np.float32)
    declined = [
        # the array: not an ndarray, a subclass, empty, too large, strided, unaligned, swapped, read-only, uint
        fan(_core.SCHEME_XAVIER_UNIFORM, [[0.0]], None, default, "torch", 1.0),
        fan(_core.SCHEME_XAVIER_UNIFORM, masked, None, default, "torch", 1.0),
        fan(_core.SCHEME_XAVIER_UNIFORM, np.empty((0, 4)), None, default, "torch", 1.0),
        _core.small_fill(_core.DIST_UNIFORM, big, None, default, 0.0, 1.0),
        fan(_core.SCHEME_XAVIER_UNIFORM, np.empty((4, 8))[:, ::2], None, default, "torch", 1.0),
        fan(_core.SCHEME_XAVIER_UNIFORM, np.empty(33, np.uint8)[1:].view(np.float32).reshape(4, 2), None,
            default, "torch", 1.0),
        fan(_core.SCHEME_XAVIER_UNIFORM, np.empty((4, 4), np.dtype(np.float32).newbyteorder()), None, default, "torch",
            1.0),
        fan(_core.SCHEME_XAVIER_UNIFORM, np.empty((4, 4), np.uint32), None, default, "torch", 1.0),
        # the generator, the fans, the options
        fan(_core.SCHEME_XAVIER_UNIFORM, w, "seed", default, "torch", 1.0),
        fan(_core.SCHEME_XAVIER_UNIFORM, w, None, default, "TORCH", 1.0),
        fan(_core.SCHEME_XAVIER_UNIFORM, np.empty(4), None, default, "torch", 1.0),
        fan(_core.SCHEME_XAVIER_UNIFORM, np.empty(4), None, default, "jax", 1.0),
        fan(_core.SCHEME_XAVIER_UNIFORM, w, None, default, "torch", -1.0),
        fan(_core.SCHEME_XAVIER_UNIFORM, w, None, default, "torch", math.nan),
        fan(_core.SCHEME_XAVIER_UNIFORM, w, None, default, "torch", np.float64(1.0)),
        fan(_core.SCHEME_XAVIER_UNIFORM, w, None, default, "torch", True),
        fan(_core.SCHEME_XAVIER_UNIFORM, w, None, default, "torch", 1e300),     # the bound overflows float32
        fan(_core.SCHEME_XAVIER_UNIFORM, w, None, default, "torch", 10**400),
        fan(_core.SCHEME_KAIMING_UNIFORM, w, None, default, "torch", 0, "fan_avg", "relu"),
        fan(_core.SCHEME_KAIMING_UNIFORM, w, None, default, "torch", 0, "fan_in", "swish"),
        fan(_core.SCHEME_KAIMING_UNIFORM, w, None, default, "torch", 1e200, "fan_in", "leaky_relu"),
        fan(_core.SCHEME_VARIANCE_SCALING, w, None, default, "torch", 1.0, "fan_in", "cauchy"),
        fan(_core.SCHEME_VARIANCE_SCALING, w, None, default, "torch", 1.0, ["fan_in"], "normal"),
        _core.small_fill(_core.DIST_UNIFORM, w, None, default, 1.0, 0.0),
        _core.small_fill(_core.DIST_NORMAL, w, None, default, 0.0, "1"),
        _core.small_fill(_core.DIST_TRUNC_NORMAL, w, None, default, 0.0, 1.0, 20.0, 21.0),
        _core.small_fill(_core.DIST_BITS, w, None, default),
        # the stream's end: the general path says so
        _core.small_fill(_core.DIST_UNIFORM, w, xi.Generator(0, position=2**66 - 15), default, 0.0, 1.0),
    ]
    assert declined == [None] * len(declined)
    assert default.position == 3 * 16      # the three accepted calls that drew from it, nothing more
    assert not masked.data.any()


# ------------------------------------------------ constants of every dtype, and array values

INTEGER_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
EXACT_DTYPES = [np.dtype(d) for d in INTEGER_DTYPES + [np.bool_, np.complex64, np.complex128]]


@pytest.mark.parametrize("dtype", EXACT_DTYPES + [d.newbyteorder() for d in EXACT_DTYPES if d.itemsize > 1],
                         ids=str)
def test_constant_fills_take_integer_bool_and_complex_buffers_in_any_byte_order(dtype):
    g = xi.Generator(3)
    out = np.full((5, 7), 3, dtype)[:, ::2]   # strided: numpy writes what the C core cannot
    assert xi.zeros_(out, generator=g) is out and out.tolist() == [[0] * 4] * 5
    assert xi.ones_(out).tolist() == [[1] * 4] * 5
    value = {"c": 1.5 - 2j, "b": True, "u": 200 if dtype.itemsize == 1 else 2**(8 * dtype.itemsize) - 1,
             "i": -(2**(8 * dtype.itemsize - 1))}[dtype.kind]
    assert xi.constant_(out, value).tolist() == [[value] * 4] * 5
    assert g.position == 0 and out.dtype == dtype


def test_an_integer_constant_is_never_rounded_through_a_float():
    big = 2**62 + 1                      # not a float64: float(big) == 2**62
    assert xi.constant_(np.empty(3, np.int64), big).tolist() == [big] * 3
    assert xi.constant_(np.empty(3, np.int64), np.array(big)).tolist() == [big] * 3       # a 0-D array too
    assert xi.constant_(np.empty(3, np.int64), np.int64(big)).tolist() == [big] * 3
    assert xi.constant_(np.empty(2, np.uint64), np.uint64(2**64 - 1)).tolist() == [2**64 - 1] * 2
    assert xi.constant_(np.empty(2, np.int16), 7.0).tolist() == [7, 7]          # an integral float is exact
    assert xi.constant_(np.empty(2, np.int32), [2.0**31 - 1, -2.0**31]).tolist() == [2**31 - 1, -2**31]


@pytest.mark.parametrize("dtype, value, shown", [
    (np.int32, 1.5, r"val = 1\.5 is not an integer, and the int32 buffer holds only integers"),
    (np.int32, math.nan, r"val = nan is not an integer"),
    (np.int64, math.inf, r"val = inf is not an integer"),
    (np.uint8, 300, r"val = 300 does not fit in uint8, which holds only the integers from 0 to 255"),
    (np.uint32, -1, r"val = -1 does not fit in uint32, which holds only the integers from 0 to 4294967295"),
    (np.int8, -129, r"val = -129 does not fit in int8"),
    (np.int64, 2**63, r"val = 9223372036854775808 does not fit in int64"),
    (np.int32, 2.0**31, r"val = 2147483648\.0 does not fit in int32"),
    (np.uint64, -0.5, r"val = -0\.5 is not an integer"),
    (np.bool_, 2, r"val = 2 does not fit in bool, which holds only 0 and 1 \(False and True\)"),
    (np.bool_, 0.5, r"val = 0\.5 is not an integer"),
    (np.uint8, [1, 256], r"val = 256 does not fit in uint8"),
    (np.int16, np.array([[1.0], [2.5]]), r"val = 2\.5 is not an integer"),
    (np.complex64, 1e39 + 1j, r"val = 1e\+39 overflows complex64, whose largest finite part is 3\.4028235e\+38"),
    (np.complex64, [1 - 1e39j], r"val = -1e\+39 overflows complex64"),
    (np.complex128, 10**400, r"val = 1000000000.* is too large for a complex number"),
    (np.float16, [1.0, 7e4], r"val = 70000\.0 overflows float16, whose largest finite value is 65504"),
], ids=repr)
def test_a_constant_the_buffer_cannot_hold_is_refused_before_anything_is_written(dtype, value, shown):
    out = np.full((2, 2), 7, dtype)
    before = out.tobytes()
    with pytest.raises(ValueError, match=rf"^constant_: {shown}"):
        xi.constant_(out, value)
    assert out.tobytes() == before


@pytest.mark.parametrize("dtype, value, shown", [
    (np.int32, 1j, r"val must be a real number, got complex 1j"),
    (np.bool_, np.complex64(1), r"val must be a real number, got complex64"),
    (np.float32, np.array([1 + 1j]), r"val must be real numbers for a float32 buffer, got an array of dtype "
                                     r"complex128"),
    (np.complex64, "1+2j", r"val must be a number, got str '1\+2j'"),
    (np.int8, ["1"], "val must be a number or an array-like of numbers, got an array of dtype "
                 + re.escape(np.dtype("U1").str)),   # <U1, or >U1 on a big-endian host
    (np.float64, [[1.0], [1.0, 2.0]], r"val must be a number or an array-like of numbers, got list"),
], ids=repr)
def test_a_constant_of_the_wrong_kind_is_a_type_error(dtype, value, shown):
    out = np.full(3, 7, dtype)
    before = out.tobytes()
    with pytest.raises(TypeError, match=rf"^constant_: {shown}"):
        xi.constant_(out, value)
    assert out.tobytes() == before


def test_an_array_value_broadcasts_by_numpys_rules(float_dtype):
    column = np.array([[0.1], [0.2], [0.3]])
    out = xi.constant_(np.empty((2, 3, 4), float_dtype), column)
    expected = column.astype(float_dtype)          # numpy's own rounding of each value
    assert all((out[i] == np.broadcast_to(expected, (3, 4))).all() for i in range(2))
    assert xi.constant_(np.empty((2, 3), float_dtype), [1.0, 2.0, 3.0]).astype(float).tolist() == [[1, 2, 3]] * 2
    assert xi.constant_(np.empty((2, 3), float_dtype), [[5.0]]).astype(float).tolist() == [[5, 5, 5]] * 2
    for bad in ([1.0, 2.0], np.ones((3, 2)), np.ones((1, 2, 3))):   # wrong length, transposed, more axes
        out = np.full((2, 3), 7, float_dtype)
        with pytest.raises(ValueError, match=rf"^constant_: val of shape {re.escape(str(np.shape(bad)))} does "
                                             r"not broadcast to the shape \(2, 3\)$"):
            xi.constant_(out, bad)
        assert (out.astype(float) == 7).all()


def test_an_array_value_broadcasts_against_the_global_shape_and_the_block_takes_its_part():
    whole = np.arange(24.0).reshape(4, 6) + 0.5
    value = whole[:, :1] * 100 + np.arange(6)                 # (4, 6), each entry distinct
    rows = np.arange(4.0).reshape(4, 1)                        # (4, 1): broadcasts along the columns
    assert xi.constant_(np.empty((2, 3)), value, global_shape=(4, 6), offset=(1, 2)).tolist() == \
        value[1:3, 2:5].tolist()
    assert xi.constant_(np.empty((2, 3), np.int32), rows, global_shape=(4, 6), offset=(2, 3)).tolist() == \
        [[2, 2, 2], [3, 3, 3]]
    # a 1-D buffer with one flat offset holds a flat range of the global C order: 5..9 crosses a row
    assert xi.constant_(np.empty(5), value, global_shape=(4, 6), offset=5).tolist() == \
        value.reshape(-1)[5:10].tolist()
    assert xi.constant_(np.empty(4, np.int8), rows, global_shape=(4, 6), offset=10).tolist() == [1, 1, 2, 2]
    with pytest.raises(ValueError, match=r"^constant_: val of shape \(6,\) does not broadcast to the global shape "
                                         r"\(6, 4\)$"):
        xi.constant_(np.empty((2, 4)), np.arange(6.0), global_shape=(6, 4), offset=(0, 0))


def test_chunks_of_an_array_constant_reassemble_the_whole():
    value = np.arange(35, dtype=np.int64).reshape(5, 7) * 3 - 50
    whole = np.empty((5, 7), np.int16)
    for r in range(0, 5, 2):
        for c in range(0, 7, 3):
            block = whole[r:r + 2, c:c + 3]
            xi.constant_(block, value, global_shape=(5, 7), offset=(r, c))
    assert whole.tolist() == value.tolist()


def test_the_numpy_written_constants_check_what_the_c_core_checks():
    """Integer buffers and array values are written by numpy: the same refusals, with the same messages, as the
    C core makes for a float buffer."""
    def message(out, **kwargs):
        with pytest.raises((TypeError, ValueError)) as info:
            xi.zeros_(out, **kwargs)
        return type(info.value), str(info.value)

    cases = [dict(threads=0), dict(threads="2"), dict(threads=True), dict(offset=(0, 0)),
             dict(global_shape=(4, 4)), dict(global_shape=(4, 5, 1)), dict(global_shape=(8, 5), offset=(5, 0)),
             dict(global_shape=(8, 5), offset=3), dict(global_shape=(8, 5), offset=(1,)),
             dict(global_shape=(8, 5), offset="1"), dict(global_shape=(8, 5), offset=(-1, 0)),
             dict(global_shape=(8, "5")), dict(global_shape=(2**32, 2**32))]
    for kwargs in cases:
        assert message(np.zeros((4, 5), np.int32), **kwargs) == message(np.zeros((4, 5), np.float32), **kwargs), \
            kwargs
    assert message(np.zeros(5, np.int8), global_shape=(2, 2), offset=0) == \
        message(np.zeros(5, np.float32), global_shape=(2, 2), offset=0)
    assert message(_read_only(np.int64)) == message(_read_only(np.float64))
    wide = np.lib.stride_tricks.as_strided(np.zeros(1, np.int8), (3, 3), (0, 1))
    assert message(wide) == message(np.lib.stride_tricks.as_strided(np.zeros(1, np.float32), (3, 3), (0, 4)))
    overlap = np.lib.stride_tricks.as_strided(np.zeros(8, np.int16), (3, 3), (4, 2))
    assert message(overlap) == message(np.lib.stride_tricks.as_strided(np.zeros(8, np.float16), (3, 3), (4, 2)))
    assert "overlap" in message(overlap)[1] and "broadcast" in message(wide)[1]


def _read_only(dtype):
    out = np.zeros(3, dtype)
    out.flags.writeable = False
    return out
