"""xinit_c.torch as a drop-in torch.nn.init: the properties torch's own test/nn/test_init.py asserts (bounds,
distributions by KS test, fans, the gain table, warnings, error types), torch's signatures, torch-style generator
behaviour on xinit-c's stream, and patch()/patched() routing every built-in layer's reset_parameters to it."""
import inspect
import math
import sys
import threading
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
stats = pytest.importorskip("scipy.stats")

import xinit_c as xi  # noqa: E402
from xinit_c import torch as xt  # noqa: E402

INIT = torch.nn.init
#: torch.nn.init's own functions, taken before any test patches it
TORCH = {name: getattr(INIT, name) for name in INIT.__all__}
FILLS = [name for name in INIT.__all__ if name.endswith("_")]
RANDOM_FILLS = {   # name -> (a call on a tensor and a generator, the equivalent top-level xinit_c fill)
    "uniform_": (lambda t, g: xt.uniform_(t, -0.5, 1.5, g), lambda t, g: xi.uniform_(t, -0.5, 1.5, generator=g)),
    "normal_": (lambda t, g: xt.normal_(t, 1.0, 0.5, g), lambda t, g: xi.normal_(t, 1.0, 0.5, generator=g)),
    "trunc_normal_": (lambda t, g: xt.trunc_normal_(t, 0.1, 2.0, -1.0, 3.0, g),
                      lambda t, g: xi.trunc_normal_(t, 0.1, 2.0, -1.0, 3.0, generator=g)),
    "xavier_uniform_": (lambda t, g: xt.xavier_uniform_(t, 1.5, g),
                        lambda t, g: xi.xavier_uniform_(t, 1.5, generator=g)),
    "xavier_normal_": (lambda t, g: xt.xavier_normal_(t, 1.5, g), lambda t, g: xi.xavier_normal_(t, 1.5, generator=g)),
    "kaiming_uniform_": (lambda t, g: xt.kaiming_uniform_(t, 0.2, "fan_out", "leaky_relu", g),
                         lambda t, g: xi.kaiming_uniform_(t, 0.2, "fan_out", "leaky_relu", generator=g)),
    "kaiming_normal_": (lambda t, g: xt.kaiming_normal_(t, 0, "fan_in", "relu", g),
                        lambda t, g: xi.kaiming_normal_(t, 0, "fan_in", "relu", generator=g)),
    "orthogonal_": (lambda t, g: xt.orthogonal_(t, 2.0, g), lambda t, g: xi.orthogonal_(t, 2.0, generator=g)),
    "sparse_": (lambda t, g: xt.sparse_(t, 0.25, 0.1, g), lambda t, g: xi.sparse_(t, 0.25, 0.1, generator=g)),
}
P_MIN = 1e-4   # torch's test_init threshold for its KS tests; the seeds here are fixed, so each test is exact


def torch_key():
    """The key the plan defines for a torch generator, drawn here independently of the code under test."""
    k0, k1 = torch.randint(0, 2**32, (2,), dtype=torch.int64).tolist()
    return xi.Generator(key=(k0, k1))


def ks_p(values, distribution, *args):
    return stats.kstest(np.asarray(values, np.float64).ravel(), distribution, args=args).pvalue


def torch_fans(shape):
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


# --------------------------------------------------------------------------
# the same names and signatures as torch.nn.init
# --------------------------------------------------------------------------

def test_every_public_function_of_torch_nn_init_is_there_with_torch_s_signature():
    assert len(INIT.__all__) == 26
    for name in INIT.__all__:
        ours = inspect.signature(getattr(xt, name))
        theirs = inspect.signature(TORCH[name])
        described = [[(p.name, p.kind, p.default, type(p.default)) for p in s.parameters.values()]
                     for s in (ours, theirs)]
        assert described[0] == described[1], name
        assert name in xt.__all__


def test_the_top_level_fills_keep_their_own_signatures():
    assert list(inspect.signature(xi.uniform_).parameters)[:3] == ["out", "low", "high"]
    assert xt.uniform_ is not xi.uniform_


# --------------------------------------------------------------------------
# calculate_gain: torch's table and errors
# --------------------------------------------------------------------------

def test_the_gain_table_is_torch_s():
    for name in ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                 "sigmoid"]:
        assert xt.calculate_gain(name) == 1
    # the literals of torch's test_init
    assert xt.calculate_gain("tanh") == 1.6666666666666667
    assert xt.calculate_gain("relu") == 1.4142135623730951
    assert xt.calculate_gain("selu") == 0.75
    for param, gain in [(None, 1.4141428569978354), (0, 1.4142135623730951), (0.01, 1.4141428569978354),
                        (10, 0.14071950894605836)]:
        assert xt.calculate_gain("leaky_relu", param) == gain


@pytest.mark.parametrize("call", [lambda: xt.calculate_gain("leaky_relu", True),
                                  lambda: xt.calculate_gain("leaky_relu", [1]),
                                  lambda: xt.calculate_gain("leaky_relu", {"a": "b"}),
                                  lambda: xt.calculate_gain("ab"), lambda: xt.calculate_gain("qwxyz")])
def test_calculate_gain_refuses_as_torch_does(call):
    with pytest.raises(ValueError):
        call()


# --------------------------------------------------------------------------
# distributions (KS, as torch's test_init) and bounds
# --------------------------------------------------------------------------

SHAPES = [(2000,), (40, 45), (6, 7, 8, 9)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_uniform_is_uniform_within_its_bounds(shape):
    torch.manual_seed(1)
    t = xt.uniform_(torch.zeros(shape), a=-1.3, b=2.2)
    assert t.min() >= -1.3 and t.max() <= 2.2
    assert ks_p(t, "uniform", -1.3, 3.5) > P_MIN


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_normal_is_normal(shape):
    torch.manual_seed(2)
    t = xt.normal_(torch.zeros(shape), mean=-2.5, std=3.0)
    assert ks_p(t, "norm", -2.5, 3.0) > P_MIN


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_trunc_normal_is_the_truncated_normal_within_its_bounds(shape, dtype):
    torch.manual_seed(3)
    mean, std, a, b = 1.5, 0.4, 1.1, 2.3
    t = xt.trunc_normal_(torch.zeros(shape, dtype=dtype), mean=mean, std=std, a=a, b=b)
    assert t.min() >= a and t.max() <= b
    assert ks_p((t - mean) / std, "truncnorm", (a - mean) / std, (b - mean) / std) > P_MIN


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32], ids=str)
def test_trunc_normal_in_low_precision_and_in_a_narrow_tail(dtype):
    torch.manual_seed(4)
    t = xt.trunc_normal_(torch.empty(10000, dtype=dtype))
    assert t.min() >= -2.0 and t.max() <= 2.0 and torch.isfinite(t).all()
    assert ks_p(t.float(), "truncnorm", -2.0, 2.0) > P_MIN
    assert t.unique().numel() > {torch.float16: 3000, torch.bfloat16: 200, torch.float32: 5000}[dtype]
    small = xt.trunc_normal_(torch.empty(10000, dtype=dtype), std=0.1)
    assert not (small.abs() == 2.0).any()       # nothing rounded onto the bounds
    if dtype != torch.bfloat16:                 # bf16 has 65 values in [2, 3]: a visibly stepped CDF (torch too)
        tail = xt.trunc_normal_(torch.empty(10000, dtype=dtype), 0.0, 1.0, 2.0, 3.0)
        assert tail.min() >= 2.0 and tail.max() <= 3.0
        assert ks_p(tail.float(), "truncnorm", 2.0, 3.0) > P_MIN


@pytest.mark.parametrize("gain", [1.0, 0.37])
@pytest.mark.parametrize("shape", [(40, 45), (20, 21, 3, 2)], ids=str)
def test_xavier_fills_have_torch_s_bound_and_std(shape, gain):
    torch.manual_seed(5)
    fan_in, fan_out = torch_fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    u = xt.xavier_uniform_(torch.zeros(shape), gain=gain)
    assert u.abs().max() <= math.sqrt(3) * std
    assert ks_p(u, "uniform", -math.sqrt(3) * std, 2 * math.sqrt(3) * std) > P_MIN
    assert ks_p(xt.xavier_normal_(torch.zeros(shape), gain=gain), "norm", 0, std) > P_MIN


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("a", [0, 1.3])
@pytest.mark.parametrize("shape", [(40, 45), (20, 21, 3, 2)], ids=str)
def test_kaiming_fills_have_torch_s_bound_and_std(shape, a, mode):
    torch.manual_seed(6)
    n = torch_fans(shape)[0 if mode == "fan_in" else 1]
    std = math.sqrt(2.0 / ((1 + a**2) * n))
    u = xt.kaiming_uniform_(torch.zeros(shape), a=a, mode=mode)
    assert u.abs().max() <= math.sqrt(3) * std
    assert ks_p(u, "uniform", -math.sqrt(3) * std, 2 * math.sqrt(3) * std) > P_MIN
    assert ks_p(xt.kaiming_normal_(torch.zeros(shape), a=a, mode=mode), "norm", 0, std) > P_MIN


def test_kaiming_takes_the_mode_in_any_case_as_torch_does():
    upper = xt.kaiming_normal_(torch.empty(30, 20), mode="FAN_OUT", generator=xi.Generator(7))
    assert torch.equal(upper, xt.kaiming_normal_(torch.empty(30, 20), mode="fan_out", generator=xi.Generator(7)))


@pytest.mark.parametrize("std", [0.01, 0.15])
def test_sparse_zeros_each_column_and_draws_normals_elsewhere(std):
    torch.manual_seed(8)
    rows, sparsity = 33, 0.15
    # std=0.01 through torch's default
    t = xt.sparse_(torch.zeros(rows, 300), sparsity) if std == 0.01 else xt.sparse_(torch.zeros(rows, 300), sparsity, std)
    assert ((t == 0).sum(dim=0) == math.ceil(sparsity * rows)).all()
    assert ks_p(t[t != 0], "norm", 0, std) > P_MIN


@pytest.mark.parametrize("gain", [1, 0.6])
@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (20, 2, 3, 4), (2, 3, 4, 5)], ids=str)
def test_orthogonal_rows_or_columns_are_orthonormal_times_the_gain(shape, gain):
    torch.manual_seed(9)
    t = xt.orthogonal_(torch.zeros(shape), gain=gain)
    rows, cols = shape[0], math.prod(shape[1:])
    m = t.view(rows, cols).double()
    product = m.T @ m if rows > cols else m @ m.T
    assert torch.allclose(product, torch.eye(min(rows, cols), dtype=torch.float64) * gain**2, atol=1e-6, rtol=0)


# --------------------------------------------------------------------------
# constants, identity and Dirac
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3,), (2, 4), (2, 3, 1, 4)], ids=str)
def test_constant_ones_and_zeros(shape):
    assert torch.equal(xt.constant_(torch.empty(shape), 4.25), torch.full(shape, 4.25))
    assert torch.equal(xt.ones_(torch.empty(shape)), torch.ones(shape))
    assert torch.equal(xt.zeros_(torch.full(shape, 7.0)), torch.zeros(shape))


def test_integer_and_bool_tensors_take_the_fills_torch_gives_them_and_are_refused_by_the_others():
    assert xt.ones_(torch.empty(3, dtype=torch.bool)).tolist() == [True] * 3
    assert xt.constant_(torch.empty(2, dtype=torch.int64), 5).tolist() == [5, 5]
    assert torch.equal(xt.eye_(torch.empty(2, 3, dtype=torch.int32)), torch.eye(2, 3, dtype=torch.int32))
    for name, (call, _) in RANDOM_FILLS.items():
        with pytest.raises(TypeError, match="dtype"):
            call(torch.zeros(4, 6, dtype=torch.int32), xi.Generator(0))


def test_eye_is_the_identity():
    assert torch.equal(xt.eye_(torch.full((4, 6), 3.0)), torch.eye(4, 6))
    assert torch.equal(xt.eye_(torch.full((5, 2), 3.0)), torch.eye(5, 2))


@pytest.mark.parametrize("dims", [3, 4, 5])
@pytest.mark.parametrize("groups", [1, 2, 3])
def test_dirac_sets_one_per_kept_channel(dims, groups):
    shape = (2 * groups, 3, 3, 4, 5)[:dims]
    t = xt.dirac_(torch.randn(shape), groups)
    kept = min(shape[0] // groups, shape[1])
    assert torch.nonzero(t).shape[0] == kept * groups and t.sum() == kept * groups


@pytest.mark.parametrize("groups", [1, 3])
def test_a_dirac_kernel_passes_its_input_through_a_convolution(groups):
    in_c, out_c = 3, 9
    per_group = out_c // groups
    for conv, spatial in [(torch.nn.functional.conv1d, 1), (torch.nn.functional.conv2d, 2),
                          (torch.nn.functional.conv3d, 3)]:
        x = torch.randn((2, in_c) + (5,) * spatial)
        w = xt.dirac_(torch.cat([torch.zeros((per_group, in_c) + (3,) * spatial)] * groups), groups)
        y = conv(x, w)
        inner = (slice(None), slice(None)) + (slice(1, -1),) * spatial
        for g in range(groups):
            assert torch.equal(y[:, per_group * g:per_group * g + in_c], x[inner])
            assert not y[:, per_group * g + in_c:per_group * (g + 1)].any()


# --------------------------------------------------------------------------
# errors and warnings as torch raises and gives them
# --------------------------------------------------------------------------

@pytest.mark.parametrize("call, shapes", [
    (xt.eye_, [(3,), (2, 2, 2)]),
    (xt.dirac_, [(3,), (3, 3), (1, 1, 1, 1, 1, 1)]),
    (xt.xavier_uniform_, [(), (4,)]),
    (xt.xavier_normal_, [(), (4,)]),
    (xt.kaiming_uniform_, [(), (4,)]),
    (xt.kaiming_normal_, [(), (4,)]),
    (xt.orthogonal_, [(), (4,)]),
    (lambda t: xt.sparse_(t, 0.5), [(4,), (2, 2, 2)]),
], ids=["eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
        "orthogonal_", "sparse_"])
def test_a_tensor_of_the_wrong_rank_is_a_value_error(call, shapes):
    for shape in shapes:
        for device in ("cpu", "meta"):
            with pytest.raises(ValueError):
                call(torch.ones(shape, device=device))


def test_bad_options_are_value_errors_that_leave_the_tensor_and_both_generators_as_they_were():
    calls = [lambda t, g: xt.kaiming_uniform_(t, mode="fan_avg", generator=g),
             lambda t, g: xt.kaiming_normal_(t, nonlinearity="swish", generator=g),
             lambda t, g: xt.uniform_(t, 1.0, 0.0, g),
             lambda t, g: xt.normal_(t, 0.0, -1.0, g),
             lambda t, g: xt.trunc_normal_(t, 0.0, 1.0, 2.0, -2.0, g),
             lambda t, g: xt.dirac_(torch.ones(4, 2, 3), groups=3),
             lambda t, g: xt.sparse_(t, 1.5, generator=g)]
    for call in calls:
        for make in (lambda: None, lambda: torch.Generator().manual_seed(3), lambda: xi.Generator(3)):
            generator = make()
            before = (torch.default_generator.get_state(), None if generator is None else
                      generator.get_state() if isinstance(generator, torch.Generator) else generator.position)
            t = torch.ones(4, 6)
            with pytest.raises(ValueError):
                call(t, generator)
            after = (torch.default_generator.get_state(), None if generator is None else
                     generator.get_state() if isinstance(generator, torch.Generator) else generator.position)
            assert torch.equal(before[0], after[0])
            assert before[1] is None or (torch.equal(before[1], after[1]) if torch.is_tensor(before[1])
                                         else before[1] == after[1])
            assert (t == 1).all()


def test_a_generator_of_another_kind_and_a_non_tensor_are_type_errors():
    with pytest.raises(TypeError, match="generator"):
        xt.normal_(torch.empty(3), generator=np.random.default_rng(0))
    with pytest.raises(TypeError, match="torch.Tensor"):
        xt.normal_(np.empty(3))


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_warns_on_a_zero_element_tensor_and_draws_nothing(name):
    state = torch.default_generator.get_state()
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op") as caught:
        t = getattr(xt, name)(torch.empty(0, 1))
    assert t.shape == (0, 1) and caught[0].filename == __file__   # attributed to the caller, as torch's
    assert torch.equal(torch.default_generator.get_state(), state)


@pytest.mark.parametrize("alias", [name for name in INIT.__all__ if not name.endswith("_") and name != "calculate_gain"])
def test_the_deprecated_names_warn_then_fill_as_the_new_ones(alias):
    args = {"constant": (0.25,), "sparse": (0.5,)}.get(alias, ())
    shape = (4, 2, 3) if alias == "dirac" else (4, 6)
    torch.manual_seed(0)
    with pytest.warns(FutureWarning, match=f"`nn.init.{alias}` is now deprecated in favor of `nn.init.{alias}_`"):
        old = getattr(xt, alias)(torch.empty(shape), *args)
    torch.manual_seed(0)
    assert torch.equal(old, getattr(xt, alias + "_")(torch.empty(shape), *args))


def test_meta_tensors_are_left_as_they_are_and_other_devices_are_refused():
    state = torch.default_generator.get_state()
    for name in FILLS:
        args = {"constant_": (1.0,), "sparse_": (0.5,)}.get(name, ())
        shape = (4, 2, 3) if name == "dirac_" else (4, 6)
        t = torch.empty(shape, device="meta")
        assert getattr(xt, name)(t, *args) is t
    assert torch.equal(torch.default_generator.get_state(), state)     # a meta tensor takes no key
    with torch.device("meta"):
        assert xt.trunc_normal_(torch.empty(3)).is_meta


# --------------------------------------------------------------------------
# generators: torch's seeding on xinit-c's stream
# --------------------------------------------------------------------------

def fill_shape(name):
    return (12, 5) if name in ("orthogonal_", "sparse_") else (12, 5, 3)


@pytest.mark.parametrize("name", RANDOM_FILLS)
def test_a_torch_generator_gives_each_call_a_fresh_key_of_its_draws(name):
    ours, top_level = RANDOM_FILLS[name]
    shape = fill_shape(name)
    torch.manual_seed(11)
    first, second = ours(torch.empty(shape), None), ours(torch.empty(shape), None)
    assert not torch.equal(first, second)          # successive calls differ
    torch.manual_seed(11)
    assert torch.equal(first, ours(torch.empty(shape), None))   # manual_seed repeats them
    torch.manual_seed(11)
    want = [top_level(np.empty(shape, np.float32), torch_key()) for _ in range(2)]
    assert np.array_equal(first.numpy(), want[0]) and np.array_equal(second.numpy(), want[1])
    # a torch.Generator object: the same key as the default generator seeded alike, and the default untouched
    state = torch.default_generator.get_state()
    assert torch.equal(ours(torch.empty(shape), torch.Generator().manual_seed(11)), first)
    assert torch.equal(torch.default_generator.get_state(), state)


@pytest.mark.parametrize("name", RANDOM_FILLS)
@pytest.mark.parametrize("dtype, words", [(torch.float32, 1), (torch.float64, 2)], ids=["float32", "float64"])
def test_an_xinit_generator_is_read_and_moved_as_by_the_top_level_fills(name, dtype, words):
    ours, top_level = RANDOM_FILLS[name]
    shape = fill_shape(name)
    g, reference = xi.Generator(12, stream=3, position=5), xi.Generator(12, stream=3, position=5)
    state = torch.default_generator.get_state()
    for _ in range(2):
        t = ours(torch.empty(shape, dtype=dtype), g)
        assert torch.equal(t, top_level(torch.empty(shape, dtype=dtype), reference))
        assert g.position == reference.position
    assert torch.equal(torch.default_generator.get_state(), state)     # the torch generator is not read
    if name in ("uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_"):
        assert g.position == 5 + 2 * words * math.prod(shape)


def test_key_from_torch_generator_is_two_32_bit_draws():
    gen = torch.Generator().manual_seed(5)
    want = torch.randint(0, 2**32, (2,), dtype=torch.int64, generator=torch.Generator().manual_seed(5)).tolist()
    assert list(xt.key_from_torch_generator(gen)) == want
    assert xt.key_from_torch_generator(gen) != tuple(want)


def test_the_values_do_not_depend_on_the_thread_count():
    previous = xi.get_num_threads()
    try:
        results = []
        for threads in (1, 2):
            xi.set_num_threads(threads)
            torch.manual_seed(13)
            results.append(xt.normal_(torch.empty(1 << 20), 0.0, 0.02))
    finally:
        xi.set_num_threads(previous)
    assert torch.equal(*results)


# --------------------------------------------------------------------------
# patch() / patched()
# --------------------------------------------------------------------------

IMPORTERS = {"torch.nn.modules.activation": ["constant_", "xavier_normal_", "xavier_uniform_"],
             "torch.nn.modules.transformer": ["xavier_uniform_"]}


def bindings():
    """Every name of torch.nn.init and of torch's modules that imported from it, with what it holds now."""
    held = {("torch.nn.init", name): getattr(INIT, name) for name in INIT.__all__}
    for module, names in IMPORTERS.items():
        held.update({(module, name): getattr(sys.modules[module], name) for name in names})
    return held


def torch_s_bindings():
    held = {("torch.nn.init", name): TORCH[name] for name in INIT.__all__}
    held.update({(module, name): TORCH[name] for module, names in IMPORTERS.items() for name in names})
    return held


def test_the_patch_routes_every_fill_and_the_names_torch_imported_and_restores_them():
    assert bindings() == torch_s_bindings()
    with xt.patched():
        held = bindings()
        for (module, name), function in held.items():
            want = TORCH[name] if name == "calculate_gain" else getattr(xt, name)
            assert function is want, (module, name)
    assert bindings() == torch_s_bindings()


def test_no_other_torch_module_holds_torch_nn_init_s_functions():
    # torch modules that import a fill by name must be patched too: a torch that adds one fails here
    import torch.distributed.tensor  # noqa: F401  (the layers and parallel code that may bind init functions)
    import torch.nn.parallel  # noqa: F401

    fills = {id(TORCH[name]): name for name in INIT.__all__ if name != "calculate_gain"}
    holders = {(module_name, attr) for module_name, module in list(sys.modules.items())
               if module is not None and module_name.startswith("torch.") and module_name != "torch.nn.init"
               for attr, value in list(vars(module).items()) if id(value) in fills}
    assert holders == {(module, name) for module, names in IMPORTERS.items() for name in names}


def test_nesting_exceptions_and_a_surplus_unpatch():
    with xt.patched():
        with xt.patched():
            pass
        assert INIT.normal_ is xt.normal_            # the outer block still holds it
        with pytest.raises(KeyError):
            with xt.patched():
                raise KeyError("inside")
        assert INIT.normal_ is xt.normal_
    assert bindings() == torch_s_bindings()
    with pytest.raises(RuntimeError, match="not patched"):
        xt.unpatch()
    assert bindings() == torch_s_bindings()


def test_a_name_rebound_during_the_patch_keeps_its_new_value():
    def mine(tensor, *args, **kwargs):
        return tensor
    try:
        with xt.patched():
            INIT.ones_ = mine
        assert INIT.ones_ is mine and INIT.zeros_ is TORCH["zeros_"]
    finally:
        INIT.ones_ = TORCH["ones_"]


def test_threads_entering_and_leaving_together_leave_torch_restored():
    n = 8
    inside, leave = threading.Barrier(n + 1), threading.Barrier(n + 1)
    seen = []

    def hold():
        with xt.patched():
            inside.wait()
            leave.wait()
            seen.append(INIT.kaiming_uniform_ is xt.kaiming_uniform_)

    workers = [threading.Thread(target=hold) for _ in range(n)]
    for w in workers:
        w.start()
    inside.wait()
    assert INIT.kaiming_uniform_ is xt.kaiming_uniform_
    leave.wait()
    for w in workers:
        w.join()
    assert seen == [True] * n
    assert bindings() == torch_s_bindings()


def expected(fill, shape, *args):
    """A top-level xinit_c fill of a new float32 array with the next key of torch's default generator."""
    return torch.from_numpy(fill(np.empty(shape, np.float32), *args, generator=torch_key()))


def test_built_in_layers_built_under_the_patch_take_xinit_c_s_values():
    torch.manual_seed(21)
    with xt.patched():
        linear = torch.nn.Linear(6, 4)
        conv = torch.nn.Conv2d(3, 5, 3)
        embedding = torch.nn.Embedding(10, 4, padding_idx=2)
        lstm = torch.nn.LSTM(3, 4)
        attention = torch.nn.MultiheadAttention(8, 2)
        norm = torch.nn.LayerNorm(5)
    assert bindings() == torch_s_bindings()

    torch.manual_seed(21)
    sqrt5 = math.sqrt(5)
    want = {
        "linear.weight": expected(xi.kaiming_uniform_, (4, 6), sqrt5),
        "linear.bias": expected(xi.uniform_, (4,), -1 / math.sqrt(6), 1 / math.sqrt(6)),
        "conv.weight": expected(xi.kaiming_uniform_, (5, 3, 3, 3), sqrt5),
        "conv.bias": expected(xi.uniform_, (5,), -1 / math.sqrt(27), 1 / math.sqrt(27)),
        "embedding.weight": expected(xi.normal_, (10, 4)),
    }
    want["embedding.weight"][2] = 0
    for name, param in lstm.named_parameters():    # LSTM: U(-1/sqrt(hidden), 1/sqrt(hidden)) in registration order
        want[f"lstm.{name}"] = expected(xi.uniform_, tuple(param.shape), -0.5, 0.5)
    # MultiheadAttention builds out_proj (a Linear) first, then xavier_uniform_s in_proj_weight, zeroes the biases
    want["attention.out_proj.weight"] = expected(xi.kaiming_uniform_, (8, 8), sqrt5)
    expected(xi.uniform_, (8,), 0.0, 0.0)          # out_proj's bias draw, zeroed afterwards
    want["attention.in_proj_weight"] = expected(xi.xavier_uniform_, (24, 8))
    want["attention.in_proj_bias"] = torch.zeros(24)
    want["attention.out_proj.bias"] = torch.zeros(8)
    want["norm.weight"], want["norm.bias"] = torch.ones(5), torch.zeros(5)

    layers = {"linear": linear, "conv": conv, "embedding": embedding, "lstm": lstm, "attention": attention,
              "norm": norm}
    got = {f"{layer}.{name}": p.detach() for layer, module in layers.items() for name, p in module.named_parameters()}
    assert got.keys() == want.keys()
    for name in want:
        assert torch.equal(got[name], want[name]), name


def test_user_init_code_and_a_meta_model_under_the_patch():
    def init_weights(module):      # nanoGPT's _init_weights, looked up through torch.nn.init at call time
        if isinstance(module, torch.nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)

    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.GELU(), torch.nn.Linear(32, 16))
    torch.manual_seed(22)
    with xt.patched():
        model.apply(init_weights)
        with torch.device("meta"):
            meta = torch.nn.TransformerEncoderLayer(16, 2, 32)   # reset_parameters on meta: nothing to fill
            cpu = torch.nn.init.normal_(torch.empty(5, device="cpu"))  # the key is still drawn on the CPU
    torch.manual_seed(22)
    assert torch.equal(model[0].weight.detach(), expected(xi.normal_, (32, 16), 0.0, 0.02))
    assert torch.equal(model[2].weight.detach(), expected(xi.normal_, (16, 32), 0.0, 0.02))
    assert torch.equal(cpu, expected(xi.normal_, (5,)))
    assert not model[0].bias.any() and all(p.is_meta for p in meta.parameters())


def test_without_the_patch_layers_keep_torch_s_values():
    torch.manual_seed(23)
    with xt.patched():
        patched_layer = torch.nn.Linear(6, 4)
    torch.manual_seed(23)
    plain = torch.nn.Linear(6, 4)
    torch.manual_seed(23)
    assert not torch.equal(patched_layer.weight, plain.weight)
    assert torch.equal(plain.weight.detach(), TORCH["kaiming_uniform_"](torch.empty(4, 6), a=math.sqrt(5)))


def test_the_patched_functions_warn_as_torch_s_when_layers_call_them():
    with xt.patched(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.nn.Linear(0, 3)       # a zero-element weight: torch warns from reset_parameters
    assert [str(w.message) for w in caught] == ["Initializing zero-element tensors is a no-op"]

