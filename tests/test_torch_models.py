"""Whole torch models (xinit_c.torch.init_module_, materialize_, plan_module): name-keyed streams
(docs/stream.md section 13), every layer type's torch distributions, schemes, overrides, the GPT-2 preset,
all-or-nothing validation, meta and sharded (2 gloo processes) materialisation."""
import fnmatch
import hashlib
import math
import os
import pathlib
import subprocess
import sys
import typing

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from scipy import stats  # noqa: E402

import xinit_c as xi  # noqa: E402
from xinit_c import torch as xt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402
from model_zoo import WHOLE_TENSOR_OVERRIDES, Tiny  # noqa: E402
from test_torch import free_port, package_path  # noqa: E402


def doc_stream(name, stream=0):
    """S(N, s) as docs/stream.md section 13 writes it."""
    digest = hashlib.sha256(b"xinit-c/parameter-stream/1\0" + stream.to_bytes(8, "little")
                            + name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little")


def stream_of(name, base):
    """The generator the tensor ``name`` draws from under the xinit_c generator ``base``."""
    return xi.Generator(key=base.key, stream=doc_stream(name, base.stream), position=base.position)


def state(module):
    return {name: t.detach().clone() for name, t in module.state_dict().items()}


def assert_same_state(a, b, names=None):
    names = list(a) if names is None else names
    for name in names:
        assert torch.equal(a[name], b[name]), name


# -- name-keyed streams ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["0.weight", "h.0.attn.c_attn.weight", "layers.11.mlp.down_proj.weight",
                                  "encodeur.poids_été", ""])
@pytest.mark.parametrize("stream", [0, 1, 2**64 - 1])
def test_the_stream_of_a_name_is_the_documented_hash(name, stream):
    assert xt.parameter_stream(name, stream) == doc_stream(name, stream) == reference.parameter_stream(name, stream)


def test_a_pinned_stream_id():
    # the first 8 bytes of sha256(b"xinit-c/parameter-stream/1\0" + 8 zero bytes + b"0.weight"), little-endian;
    # a change of the domain string, the byte order or the encoding changes it
    digest = hashlib.sha256(b"xinit-c/parameter-stream/1\x00\x00\x00\x00\x00\x00\x00\x00\x000.weight").digest()
    assert xt.parameter_stream("0.weight") == int.from_bytes(digest[:8], "little")
    assert xt.parameter_stream("0.weight") != xt.parameter_stream("0.weight", 1)


def test_parameter_stream_refuses_bad_arguments():
    with pytest.raises(TypeError, match="name must be a str"):
        xt.parameter_stream(b"0.weight")
    with pytest.raises(ValueError, match="stream must be in"):
        xt.parameter_stream("w", 2**64)
    with pytest.raises(TypeError, match="stream must be an int"):
        xt.parameter_stream("w", 1.0)


def test_values_are_the_oracle_fill_of_the_named_stream():
    base = xi.Generator(key=(0x12345678, 0x9ABCDEF0), stream=5, position=12)
    net = nn.Sequential(nn.Embedding(7, 5), nn.LSTM(5, 4), nn.Linear(4, 3))
    xt.init_module_(net, generator=base)
    key, s, p = base.key, base.stream, base.position
    assert (base.key, base.stream, base.position) == (key, 5, 12)     # the base generator does not move
    np.testing.assert_array_equal(net[0].weight.detach().numpy(),
                                  reference.parameter_fill("normal", "0.weight", (7, 5), np.float32, key, s, p,
                                                           mean=0.0, std=1.0))
    bound = 1 / math.sqrt(4)        # every LSTM tensor: U(-1/sqrt(hidden), 1/sqrt(hidden))
    np.testing.assert_array_equal(net[1].weight_hh_l0.detach().numpy(),
                                  reference.parameter_fill("uniform", "1.weight_hh_l0", (16, 4), np.float32, key, s,
                                                           p, low=-bound, high=bound))
    bound = 1 / math.sqrt(4)        # a Linear's bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    np.testing.assert_array_equal(net[2].bias.detach().numpy(),
                                  reference.parameter_fill("uniform", "2.bias", (3,), np.float32, key, s, p,
                                                           low=-bound, high=bound))
    gpt = xt.init_module_(nn.Sequential(nn.Linear(4, 6)), "gpt2", base, n_layers=3)
    np.testing.assert_array_equal(gpt[0].weight.detach().numpy(),
                                  reference.parameter_fill("normal", "0.weight", (6, 4), np.float32, key, s, p,
                                                           mean=0.0, std=0.02))


def layers(n):
    return nn.ModuleDict({"embed": nn.Embedding(10, 8),
                          "layers": nn.ModuleList([nn.TransformerEncoderLayer(8, 2, 16) for _ in range(n)])})


def test_a_layer_does_not_depend_on_the_rest_of_the_model():
    # layer 2 of a 12-layer model is layer 2 of a 3-layer model: the stream depends on the name alone (text
    # order would put "layers.10" and "layers.11" before it)
    deep = state(xt.init_module_(layers(12), generator=xi.Generator(3)))
    shallow = state(xt.init_module_(layers(3), generator=xi.Generator(3)))
    assert_same_state(shallow, deep)
    assert not torch.equal(deep["layers.2.linear1.weight"], deep["layers.3.linear1.weight"])


def test_a_parameter_does_not_depend_on_the_visiting_order_or_the_split():
    model = nn.Sequential(nn.Linear(9, 7), nn.Conv1d(3, 4, 2), nn.Embedding(6, 5, padding_idx=2))
    want = state(xt.init_module_(model, "xavier_normal", xi.Generator(8)))
    plans = xt.plan_module(model, "xavier_normal", xi.Generator(8))
    assert [p.name for p in plans] == list(want)       # the state dict's order
    got = {}
    for plan in reversed(plans):
        got[plan.name] = torch.empty(plan.shape, dtype=plan.dtype)
        plan.fill(got[plan.name], None, None)
    assert_same_state(want, got)
    # any block of any split (as ranks of any world size hold them) has the whole tensor's values there
    for plan in plans:
        whole = want[plan.name]
        for parts in (2, 3):
            for dim in range(len(plan.shape)):
                for chunk_index, chunk in enumerate(torch.tensor_split(whole, parts, dim)):
                    block = torch.empty_like(chunk)
                    offset = [0] * len(plan.shape)
                    offset[dim] = sum(c.shape[dim] for c in torch.tensor_split(whole, parts, dim)[:chunk_index])
                    plan.fill(block, plan.shape, tuple(offset))
                    assert torch.equal(block, chunk), (plan.name, parts, dim, chunk_index)
        # flat ranges of the C-order tensor, as a checkpoint writer fills them chunk by chunk
        flat = whole.reshape(-1)
        bounds = [0, flat.numel() // 3 + 1, flat.numel() // 2 + 1, flat.numel()]   # the padding row straddles two
        for start, stop in zip(bounds, bounds[1:]):
            chunk = np.empty(stop - start, np.float32)
            plan.fill(chunk, plan.shape, start)
            np.testing.assert_array_equal(chunk, flat[start:stop].numpy(), err_msg=plan.name)


def test_a_whole_tensor_rule_refuses_a_block():
    plan, = xt.plan_module(nn.Linear(4, 4, bias=False), "orthogonal", xi.Generator(0))
    assert not plan.blockwise
    with pytest.raises(ValueError, match=r"'weight' \(orthogonal\(\)\) needs the whole tensor"):
        plan.fill(np.empty((2, 4), np.float32), (4, 4), (0, 0))


def test_the_scheme_type_names_every_scheme():
    from xinit_c import _torch_models
    assert set(typing.get_args(_torch_models.Scheme)) == set(_torch_models.SCHEMES)


def test_tied_tensors_take_the_stream_of_their_first_name():
    net = nn.Sequential(nn.Embedding(9, 4), nn.Linear(4, 9, bias=False))
    net[1].weight = net[0].weight
    xt.init_module_(net, "gpt2", xi.Generator(1), n_layers=1)
    want = xi.normal_(np.empty((9, 4), np.float32), 0.0, 0.02, generator=stream_of("0.weight", xi.Generator(1)))
    np.testing.assert_array_equal(net[1].weight.detach().numpy(), want)
    plans = xt.plan_module(net, "gpt2", xi.Generator(1), n_layers=1)
    assert [p.name for p in plans] == ["0.weight", "1.weight"]
    second = np.empty((9, 4), np.float32)
    plans[1].fill(second, None, None)
    np.testing.assert_array_equal(second, want)


def test_a_tied_tensor_plans_its_first_names_rule_under_every_name():
    # torch's scheme gives the Embedding N(0, 1) and a Linear kaiming_uniform: the tied output layer holds the
    # Embedding's values, and its plan says so
    net = nn.Sequential(nn.Embedding(9, 4), nn.Linear(4, 9, bias=False))
    net[1].weight = net[0].weight
    first, second = xt.plan_module(net, generator=xi.Generator(2))
    assert first.rule == second.rule
    got = np.empty((9, 4), np.float32)
    second.fill(got, None, None)
    xt.init_module_(net, generator=xi.Generator(2))
    np.testing.assert_array_equal(got, net[1].weight.detach().numpy())


# -- torch generators --------------------------------------------------------------------------------------

def test_a_torch_generator_gives_the_key_and_moves_once_per_call():
    torch.manual_seed(11)
    a = state(xt.init_module_(layers(2)))
    b = state(xt.init_module_(layers(2)))
    torch.manual_seed(11)
    again = state(xt.init_module_(layers(2)))
    assert_same_state(a, again)
    assert not torch.equal(a["embed.weight"], b["embed.weight"])
    gen = torch.Generator().manual_seed(5)
    k0, k1 = torch.randint(0, 2**32, (2,), dtype=torch.int64, generator=torch.Generator().manual_seed(5)).tolist()
    by_torch = state(xt.init_module_(layers(1), generator=gen))
    by_key = state(xt.init_module_(layers(1), generator=xi.Generator(key=(k0, k1))))
    assert_same_state(by_torch, by_key)


# -- all or nothing ----------------------------------------------------------------------------------------

class WithScale(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(3, 3)
        self.scale = nn.Parameter(torch.full((3,), 7.0))


def test_nothing_is_written_before_every_tensor_has_a_valid_rule():
    net = nn.Sequential(nn.Linear(4, 4), WithScale())
    before = state(net)
    torch.manual_seed(0)
    rng = torch.get_rng_state()
    with pytest.raises(ValueError, match=r"init_module_: parameter '1.scale' of WithScale \(shape \(3,\)\)"):
        xt.init_module_(net)
    assert torch.equal(torch.get_rng_state(), rng)
    assert_same_state(before, state(net))
    with pytest.raises(ValueError, match=r"init_module_: '0.weight' \(kaiming_normal.*'swish'"):
        xt.init_module_(net, "kaiming_normal", overrides={"*.scale": "ones"}, nonlinearity="swish")
    assert_same_state(before, state(net))
    with pytest.raises(ValueError, match="init_module_: '1.weight' of the lazy LazyLinear has no shape yet"):
        xt.init_module_(nn.Sequential(nn.Linear(4, 4), nn.LazyLinear(3)))
    # an override gives the unknown parameter a rule
    xt.init_module_(net, overrides={"*.scale": ("constant", {"val": 0.5})}, generator=xi.Generator(0))
    assert net[1].scale.eq(0.5).all() and not torch.equal(before["0.weight"], net[0].weight)


def test_a_meta_tensor_is_refused_before_anything_is_written():
    net = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2))
    net[1].to_empty(device="meta")
    before = state(net[0])
    with pytest.raises(TypeError, match="init_module_: '1.weight' is on meta: materialise"):
        xt.init_module_(net, generator=xi.Generator(0))
    assert_same_state(before, state(net[0]))


def test_a_user_rule_that_raises_leaves_the_model_untouched():
    def broken(tensor, generator):
        raise RuntimeError("no")
    net = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2))
    before = state(net)
    with pytest.raises(RuntimeError, match="no"):
        xt.init_module_(net, overrides={"1.weight": broken}, generator=xi.Generator(0))
    assert_same_state(before, state(net))


def test_bad_arguments_name_the_function():
    net = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="init_module_: unknown scheme 'glorot'"):
        xt.init_module_(net, "glorot")
    with pytest.raises(ValueError, match="bias must be 'torch' or 'zeros'"):
        xt.init_module_(net, "xavier_uniform", bias="ones")
    with pytest.raises(TypeError, match="generator must be"):
        xt.init_module_(net, generator=np.random.default_rng(0))
    with pytest.raises(ValueError, match="'gpt2' needs n_layers="):
        xt.init_module_(net, "gpt2")
    with pytest.raises(TypeError, match="scheme 'torch' takes no options"):
        xt.init_module_(net, gain=2.0)
    with pytest.raises(TypeError, match="overrides key"):
        xt.init_module_(net, overrides={3: "zeros"})
    with pytest.raises(TypeError, match="plan_module: module must be a torch.nn.Module"):
        xt.plan_module(torch.empty(3))
    with pytest.raises(TypeError, match="materialize_: xinit_c fills CPU memory"):
        xt.materialize_(net, "cuda")


# -- every layer type, scheme="torch" ----------------------------------------------------------------------

LAYERS = {
    "Linear": lambda: nn.Linear(300, 200),
    "Bilinear": lambda: nn.Bilinear(20, 30, 200),
    "Conv1d": lambda: nn.Conv1d(16, 64, 5),
    "Conv2d": lambda: nn.Conv2d(8, 64, 3, groups=2),
    "Conv3d": lambda: nn.Conv3d(4, 48, 3),
    "ConvTranspose1d": lambda: nn.ConvTranspose1d(16, 64, 5),
    "ConvTranspose2d": lambda: nn.ConvTranspose2d(64, 8, 3, groups=2),   # fan_in from out/groups * k: small
    "ConvTranspose3d": lambda: nn.ConvTranspose3d(8, 48, 3),
    "Embedding": lambda: nn.Embedding(300, 20, padding_idx=3),
    "EmbeddingBag": lambda: nn.EmbeddingBag(300, 20, padding_idx=0),
    "RNN": lambda: nn.RNN(20, 40, num_layers=2, bidirectional=True),
    "LSTM": lambda: nn.LSTM(20, 40, proj_size=10),
    "GRU": lambda: nn.GRU(20, 40),
    "RNNCell": lambda: nn.RNNCell(20, 40),
    "LSTMCell": lambda: nn.LSTMCell(20, 40),
    "GRUCell": lambda: nn.GRUCell(20, 40),
    "MultiheadAttention": lambda: nn.MultiheadAttention(64, 4),
    "MultiheadAttention-kv": lambda: nn.MultiheadAttention(64, 4, kdim=32, vdim=48, add_bias_kv=True),
    "TransformerEncoderLayer": lambda: nn.TransformerEncoderLayer(64, 4, 128),
    "TransformerDecoderLayer": lambda: nn.TransformerDecoderLayer(64, 4, 128, norm_first=True),
    "Transformer": lambda: nn.Transformer(32, 2, 1, 1, 64, batch_first=True),
    "LayerNorm": lambda: nn.LayerNorm(300),
    "RMSNorm": lambda: nn.RMSNorm(300),
    "BatchNorm1d": lambda: nn.BatchNorm1d(30),
    "BatchNorm2d": lambda: nn.BatchNorm2d(30),
    "BatchNorm3d": lambda: nn.BatchNorm3d(30),
    "GroupNorm": lambda: nn.GroupNorm(4, 32),
    "InstanceNorm2d": lambda: nn.InstanceNorm2d(32, affine=True, track_running_stats=True),
    "PReLU": lambda: nn.PReLU(30, init=0.1),
}


@pytest.mark.parametrize("layer", list(LAYERS))
def test_scheme_torch_draws_what_the_layers_own_reset_parameters_draws(layer):
    # torch's own constructor is the oracle of the distributions: constant tensors (ones, zeros, 0.25, the
    # padding row) must be equal, random ones must pass a two-sample KS test against torch's draw and stay
    # in its support
    torch.manual_seed(0)
    theirs = state(LAYERS[layer]())
    ours = state(xt.init_module_(LAYERS[layer](), generator=xi.Generator(1)))
    assert list(ours) == list(theirs)
    for name, want in theirs.items():
        got = ours[name]
        assert got.dtype == want.dtype and got.shape == want.shape, name
        if want.numel() == 0 or want.min() == want.max() or want.dtype == torch.int64:
            assert torch.equal(got, want), name
            continue
        constant_rows = (want == want.flatten()[0]).all(dim=-1) if want.dim() == 2 else None
        if constant_rows is not None and constant_rows.any():           # Embedding's padding row
            assert torch.equal(got[constant_rows], want[constant_rows]), name
            got, want = got[~constant_rows], want[~constant_rows]
        g, w = got.flatten().double().numpy(), want.flatten().double().numpy()
        assert np.abs(g).max() <= np.abs(w).max() * 1.5, name
        assert stats.ks_2samp(g, w).pvalue > 1e-4, (name, stats.ks_2samp(g, w))


def test_conv_transpose_reads_fans_as_torch_does():
    # torch reads a transposed weight (in, out/groups, *k) with fan_in = out/groups * prod(k)
    conv = xt.init_module_(nn.ConvTranspose2d(64, 8, 3, groups=2), generator=xi.Generator(0))
    bound = 1 / math.sqrt(4 * 9)
    assert conv.weight.abs().max() <= bound and conv.weight.abs().max() > 0.95 * bound
    assert conv.bias.abs().max() <= bound


def test_multihead_attention_rules():
    mha = xt.init_module_(nn.MultiheadAttention(16, 2, kdim=8, vdim=12, add_bias_kv=True), generator=xi.Generator(0))
    base = xi.Generator(0)
    for name, shape in (("q_proj_weight", (16, 16)), ("k_proj_weight", (16, 8)), ("v_proj_weight", (16, 12))):
        np.testing.assert_array_equal(getattr(mha, name).detach().numpy(),
                                      xi.xavier_uniform_(np.empty(shape, np.float32), generator=stream_of(name, base)))
    assert not mha.in_proj_bias.any() and not mha.out_proj.bias.any()
    np.testing.assert_array_equal(mha.bias_k.detach().numpy(),
                                  xi.xavier_normal_(np.empty((1, 1, 16), np.float32),
                                                    generator=stream_of("bias_k", base)))


def test_buffers_and_constants():
    bn = nn.BatchNorm2d(5)
    with torch.no_grad():
        bn.running_mean.fill_(3)
        bn.running_var.fill_(3)
        bn.num_batches_tracked.fill_(9)
    xt.init_module_(bn, "xavier_uniform", xi.Generator(0))
    assert bn.running_mean.eq(0).all() and bn.running_var.eq(1).all() and bn.num_batches_tracked.item() == 0
    assert bn.weight.eq(1).all() and bn.bias.eq(0).all()
    emb = xt.init_module_(nn.Embedding(6, 3, padding_idx=4), "kaiming_normal", xi.Generator(0))
    assert emb.weight[4].eq(0).all() and emb.weight[3].ne(0).all()


class WithMask(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(2, 2)
        self.register_buffer("mask", torch.tril(torch.ones(3, 3)))
        self.register_buffer("cache", torch.full((2,), 5.0), persistent=False)


def test_a_buffer_no_rule_knows_keeps_its_values_and_is_an_error_on_meta():
    net = xt.init_module_(WithMask(), generator=xi.Generator(0))
    assert torch.equal(net.mask, torch.tril(torch.ones(3, 3))) and net.cache.eq(5).all()
    plans = xt.plan_module(net)
    assert [p.name for p in plans] == ["mask", "proj.weight", "proj.bias"]   # state_dict's order
    rows = torch.empty(2, 3)
    plans[0].fill(rows, (3, 3), (1, 0))
    flat = torch.empty(4)
    plans[0].fill(flat, (3, 3), 3)
    assert torch.equal(rows, net.mask[1:]) and torch.equal(flat, net.mask.reshape(-1)[3:7])
    with torch.device("meta"):
        meta = WithMask()
    with pytest.raises(ValueError, match=r"materialize_: buffer 'mask' of WithMask .*overrides=\{'mask'"):
        xt.materialize_(meta)
    with pytest.raises(ValueError, match=r"materialize_: buffer 'cache'"):       # non-persistent ones too
        xt.materialize_(meta, overrides={"mask": "ones"})
    xt.materialize_(meta, overrides={"mask": "ones", "cache": ("constant", {"val": 2.0})})
    assert meta.mask.eq(1).all() and meta.cache.eq(2).all()


# -- other schemes, overrides, GPT-2 ------------------------------------------------------------------------

def test_fan_based_schemes_fill_weights_and_leave_biases_to_bias():
    net = nn.Sequential(nn.Linear(6, 5), nn.LayerNorm(5), nn.GRU(5, 3), nn.PReLU())
    base = xi.Generator(4)
    xt.init_module_(net, "kaiming_normal", base, nonlinearity="relu", mode="fan_out")
    np.testing.assert_array_equal(net[0].weight.detach().numpy(),
                                  xi.kaiming_normal_(np.empty((5, 6), np.float32), mode="fan_out",
                                                     nonlinearity="relu", generator=stream_of("0.weight", base)))
    np.testing.assert_array_equal(net[2].weight_hh_l0.detach().numpy(),
                                  xi.kaiming_normal_(np.empty((9, 3), np.float32), mode="fan_out",
                                                     nonlinearity="relu", generator=stream_of("2.weight_hh_l0", base)))
    assert net[0].bias.abs().max() <= 1 / math.sqrt(6) and net[0].bias.ne(0).all()
    assert net[2].bias_ih_l0.abs().max() <= 1 / math.sqrt(3)
    assert net[1].weight.eq(1).all() and net[3].weight.eq(0.25).all()
    xt.init_module_(net, "orthogonal", base, bias="zeros")
    w = net[0].weight.detach().double()           # 5 x 6: orthonormal rows
    assert torch.allclose(w @ w.T, torch.eye(5, dtype=torch.float64), atol=1e-5)
    assert not net[0].bias.any() and not net[2].bias_hh_l0.any()


def test_overrides_by_glob_type_and_callable():
    net = nn.Sequential(nn.Linear(4, 4), nn.Conv1d(2, 3, 2), WithScale())
    base = xi.Generator(2)

    def halves(tensor, generator):
        assert isinstance(generator, xi.Generator) and generator.stream == doc_stream("2.proj.weight", 0)
        tensor.fill_(0.5)

    xt.init_module_(net, generator=base, overrides={
        "*.scale": ("constant", {"val": 3.0}),
        nn.Conv1d: ("normal", {"std": 0.1}),
        "2.proj.weight": halves,
        nn.Linear: xi.initializers.Orthogonal(layout="torch"),
    })
    assert net[2].scale.eq(3).all() and net[2].proj.weight.eq(0.5).all()
    np.testing.assert_array_equal(net[1].weight.detach().numpy(),
                                  xi.normal_(np.empty((3, 2, 2), np.float32), 0.0, 0.1,
                                             generator=stream_of("1.weight", base)))
    assert net[1].bias.abs().max() <= 1 / math.sqrt(4)                 # the type's scheme: biases by bias=
    w = net[0].weight.detach().double()
    assert torch.allclose(w @ w.T, torch.eye(4, dtype=torch.float64), atol=1e-5)
    assert net[0].bias.abs().max() <= 0.5                              # only weights: the bias keeps torch's

    def by_name(name, module, tensor):
        return "zeros" if name.endswith("bias") else ("ones" if name == "2.scale" else None)

    xt.init_module_(net, generator=base, overrides=by_name)
    assert not net[0].bias.any() and not net[1].bias.any() and net[2].scale.eq(1).all()
    with pytest.raises(TypeError, match="a rule is a scheme name"):
        xt.init_module_(net, overrides={"*.scale": 3.0})


def gpt(n_layers):
    class Attn(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(8, 24)
            self.c_proj = nn.Linear(8, 8)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_fc = nn.Linear(8, 32)
            self.c_proj = nn.Linear(32, 8)

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.attn, self.ln_2, self.mlp = nn.LayerNorm(8), Attn(), nn.LayerNorm(8), MLP()

    return nn.ModuleDict({"wte": nn.Embedding(50, 8), "wpe": nn.Embedding(16, 8),
                          "h": nn.ModuleList([Layer() for _ in range(n_layers)]), "ln_f": nn.LayerNorm(8)})


def test_gpt2_preset():
    base = xi.Generator(9)
    model = xt.init_module_(gpt(3), "gpt2", base, n_layers=3)
    sd = model.state_dict()
    for name, t in sd.items():
        if name.endswith("bias"):
            assert not t.any(), name
        elif ".ln_" in name or name.startswith("ln_"):
            assert t.eq(1).all(), name
        else:
            std = 0.02 / math.sqrt(2 * 3) if fnmatch.fnmatchcase(name, "*c_proj.weight") else 0.02
            np.testing.assert_array_equal(t.numpy(), xi.normal_(np.empty(tuple(t.shape), np.float32), 0.0, std,
                                                                generator=stream_of(name, base)), err_msg=name)
    custom = xt.init_module_(gpt(2), "gpt2", base, n_layers=2, std=0.05, residual=["*mlp.c_proj.weight"])
    np.testing.assert_array_equal(custom.h[0].attn.c_proj.weight.detach().numpy(),
                                  xi.normal_(np.empty((8, 8), np.float32), 0.0, 0.05,
                                             generator=stream_of("h.0.attn.c_proj.weight", base)))
    np.testing.assert_array_equal(custom.h[1].mlp.c_proj.weight.detach().numpy(),
                                  xi.normal_(np.empty((8, 32), np.float32), 0.0, 0.05 / 2,
                                             generator=stream_of("h.1.mlp.c_proj.weight", base)))


# -- meta materialisation ----------------------------------------------------------------------------------

def test_materialize_equals_init_module_of_the_same_model():
    for scheme, options in (("torch", {}), ("gpt2", {"n_layers": 4}), ("xavier_uniform", {"gain": 2.0})):
        with torch.device("meta"):
            meta = Tiny(4)
        base = xi.Generator(6)
        xt.materialize_(meta, scheme=scheme, generator=base, overrides=WHOLE_TENSOR_OVERRIDES, **options)
        want = xt.init_module_(Tiny(4), scheme, base, overrides=WHOLE_TENSOR_OVERRIDES, **options)
        assert all(t.device.type == "cpu" for t in meta.state_dict().values())
        assert_same_state(state(want), state(meta))


def test_materialize_ties_tied_weights_again():
    with torch.device("meta"):
        net = nn.Sequential(nn.Embedding(9, 4), nn.Linear(4, 9, bias=False))
    net[1].weight = net[0].weight
    xt.materialize_(net, generator=xi.Generator(0))
    assert net[1].weight is net[0].weight and net[0].weight.device.type == "cpu"
    assert net[0].weight.std() > 0.5     # N(0, 1), the Embedding's rule, from its first name


# -- two gloo processes ------------------------------------------------------------------------------------

MODES = ("tp", "fsdp", "pipeline")


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    """What each of 2 gloo ranks holds after materialize_, for every split of tests/distributed/model_parallel.py
    (one pair of processes for all of them: starting torch and gloo is most of the time)."""
    out, world = tmp_path_factory.mktemp("model_parallel"), 2
    script = pathlib.Path(__file__).parent / "distributed" / "model_parallel.py"
    # free_port() can hand out a port that another process takes before rank 0 binds it: then, and only
    # then, the ranks run again on another port
    for _ in range(3):
        env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()), WORLD_SIZE=str(world),
                   OMP_NUM_THREADS="1", PYTHONPATH=package_path())
        procs = [subprocess.Popen([sys.executable, str(script), str(out), ",".join(MODES)],
                                  env=dict(env, RANK=str(rank), LOCAL_RANK=str(rank)), cwd="/",
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for rank in range(world)]
        errors = [p.communicate(timeout=300)[1] for p in procs]
        failed = [err for p, err in zip(procs, errors) if p.returncode != 0]
        if not failed:
            return {mode: [torch.load(out / f"{mode}-rank{rank}.pt") for rank in range(world)] for mode in MODES}
        if not any("address already in use" in err.lower() for err in failed):
            break
    raise AssertionError(failed[0][-3000:])


def single_process():
    return state(xt.init_module_(Tiny(4), generator=xi.Generator(2024), overrides=WHOLE_TENSOR_OVERRIDES))


@pytest.mark.parametrize("mode", ["tp", "fsdp"])
def test_sharded_materialization_gathers_to_the_single_process_model(ranks, mode):
    # tp: each block's up column-wise, down row-wise (DTensor shards of uneven size: 18 rows, 6 columns over 2);
    # fsdp: FSDP2's fully_shard (dim-0 shards of every parameter), which runs on CPU/gloo in torch 2.13
    rank0 = ranks[mode][0]
    want = single_process()
    assert list(rank0) == list(want)
    assert_same_state(want, rank0)


def test_a_pipeline_split_holds_the_single_process_layers(ranks):
    stage0, stage1 = ranks["pipeline"]
    assert set(stage0).isdisjoint(stage1) and "embed.weight" in stage0 and "norm.running_var" in stage1
    assert "layers.1.up.weight" in stage0 and "layers.2.up.weight" in stage1
    want = single_process()
    merged = {**stage0, **stage1}
    assert sorted(merged) == sorted(want)
    assert_same_state(want, merged)
