"""The structured fills (xinit_c/_structured.py): orthogonal_, sparse_, eye_, dirac_, identity_ and
delta_orthogonal_ against their definitions (docs/stream.md section 12), torch's and JAX's semantics, the
oracle (sparse_, bit for bit), and bad input refused before anything is written or the generator moves."""
import math
import threading

import numpy as np
import pytest
from scipy import stats

import reference
import xinit_c as xi
from conftest import FLOAT_DTYPES

SENTINEL = 7.0
KEY = (0x12345678, 0x9ABCDEF0)


def _generator(position=0, stream=0):
    return xi.Generator(key=KEY, stream=stream, position=position)


def _oracle_normal(shape, position, stream=0):
    """The float64 normal matrix the contract says orthogonal_ factors, from the pure-numpy oracle."""
    return reference.fill("normal", shape, np.float64, KEY, stream, position, mean=0.0, std=1.0)


def _assert_upper_with_positive_diagonal(r, atol):
    assert np.abs(np.tril(r, -1)).max(initial=0.0) <= atol
    assert (np.diagonal(r) > 0).all()


# ---------------------------------------------------------------- orthogonal_

@pytest.mark.parametrize("shape", [(8, 8), (40, 6), (6, 40), (5, 3, 4), (3, 2, 3, 3), (1, 9), (9, 1)],
                         ids=str)
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_is_orthogonal_to_1e5_in_float32(shape, gain):
    w = xi.orthogonal_(np.full(shape, SENTINEL, np.float32), gain, generator=_generator())
    rows = shape[0]
    m = w.reshape(rows, -1).astype(np.float64)
    short = min(m.shape)
    gram = m.T @ m if rows >= m.shape[1] else m @ m.T      # the short side's Gram matrix
    assert gram.shape == (short, short)
    assert np.abs(gram - gain**2 * np.eye(short)).max() <= 1e-5 * gain**2


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + [np.dtype(">f8")], ids=str)
def test_orthogonal_in_every_float_format(dtype):
    w = xi.orthogonal_(np.empty((16, 12), dtype), generator=_generator())
    # float64 is exact to rounding; the 16-bit formats to their own precision (8 bits for bfloat16)
    tolerance = {2: 8 * 2.0**-8, 4: 1e-5, 8: 1e-12}[dtype.itemsize]
    m = w.astype(np.float64)
    assert np.abs(m.T @ m - np.eye(12)).max() <= tolerance


@pytest.mark.parametrize("shape", [(7, 4), (4, 7), (5, 5), (3, 2, 2)], ids=str)
def test_orthogonal_factors_the_contracts_normal_matrix_with_torchs_sign_correction(shape):
    position, gain = 12, 3.0
    w = xi.orthogonal_(np.empty(shape), gain, generator=_generator(position, stream=5))
    rows = shape[0]
    cols = math.prod(shape) // rows
    z = reference.fill("normal", (rows, cols), np.float64, KEY, 5, position, mean=0.0, std=1.0)
    q = w.reshape(rows, cols) / gain
    # z (z^T when wide) = Q R: R = Q^T z is upper triangular with a positive diagonal (torch's sign fix)
    r = q.T @ z if rows >= cols else q @ z.T
    _assert_upper_with_positive_diagonal(r, atol=1e-12)


def test_orthogonal_is_torchs_algorithm_on_the_same_normal_matrix():
    torch = pytest.importorskip("torch")
    for rows, cols in [(9, 4), (4, 9), (6, 6)]:
        w = xi.orthogonal_(np.empty((rows, cols)), 1.5, generator=_generator(3))
        # torch/nn/init.py orthogonal_, step by step, on the matrix the contract says is drawn
        flattened = torch.from_numpy(_oracle_normal((rows, cols), 3))
        if rows < cols:
            flattened = flattened.t()
        q, r = torch.linalg.qr(flattened)
        q *= torch.diag(r, 0).sign()
        if rows < cols:
            q = q.t()
        assert np.allclose(w, 1.5 * q.numpy(), rtol=0, atol=1e-12)


def test_orthogonal_takes_the_words_of_a_float64_normal_fill_whatever_the_dtype(float_dtype):
    g = _generator(100)
    xi.orthogonal_(np.empty((5, 2, 3), float_dtype), generator=g)
    assert g.position == 100 + 2 * 5 * 6
    # the next fill starts where it stopped: same values as a generator moved by hand
    assert np.array_equal(xi.normal_(np.empty(4), generator=g), xi.normal_(np.empty(4), generator=_generator(160)))
    empty = np.empty((0, 4), float_dtype)
    assert xi.orthogonal_(empty, generator=g) is empty and g.position == 160 + 8


def test_orthogonal_writes_through_any_layout_and_a_torch_tensor():
    a = xi.orthogonal_(np.empty((6, 4)), generator=_generator())
    f = xi.orthogonal_(np.empty((4, 6)).T, generator=_generator())       # a transposed view
    assert np.array_equal(a, f)
    torch = pytest.importorskip("torch")
    t = torch.empty(6, 4, dtype=torch.float64)
    assert xi.orthogonal_(t, generator=_generator()) is t and np.array_equal(t.numpy(), a)


# ---------------------------------------------------------------- sparse_

@pytest.mark.parametrize("dtype", FLOAT_DTYPES + [np.dtype(">f4"), np.dtype(">f8")], ids=str)
@pytest.mark.parametrize("shape, sparsity", [((10, 7), 0.3), ((1, 5), 0.5), ((13, 1), 1.0), ((6, 6), 0.0),
                                             ((33, 4), 0.1)], ids=str)
def test_sparse_is_the_oracle_bit_for_bit(dtype, shape, sparsity):
    g = _generator(7, stream=2)
    out = xi.sparse_(np.full(shape, SENTINEL, dtype), sparsity, 0.5, generator=g)
    expected = reference.sparse(shape, dtype, KEY, 2, 7, sparsity=sparsity, std=0.5)
    assert out.dtype == dtype and out.tobytes() == expected.tobytes()
    assert g.position == 7 + (reference.words_per_element(dtype) + 1) * math.prod(shape)


@pytest.mark.parametrize("rows, sparsity", [(10, 0.3), (10, 0.31), (7, 0.5), (100, 0.999), (5, 1e-9), (1, 0.0)])
def test_sparse_has_exactly_ceil_sparsity_rows_zeros_in_each_column(rows, sparsity):
    out = xi.sparse_(np.empty((rows, 50)), sparsity, 1.0, generator=_generator())
    n_zeros = math.ceil(sparsity * rows)
    # the normal values are never 0 (section 7), so every zero is one sparse_ set
    assert (out == 0).sum(axis=0).tolist() == [n_zeros] * 50
    assert not np.signbit(out[out == 0]).any()        # +0, as torch writes


def test_sparse_does_not_depend_on_the_memory_layout():
    c_order = xi.sparse_(np.empty((9, 6), np.float32), 0.4, generator=_generator())
    transposed = xi.sparse_(np.empty((6, 9), np.float32).T, 0.4, generator=_generator())
    strided = xi.sparse_(np.empty((18, 12), np.float32)[::2, ::-2], 0.4, generator=_generator())
    assert np.array_equal(c_order, transposed) and np.array_equal(c_order, strided)


def test_sparse_values_are_normal_and_their_zero_rows_uniform():
    rows, cols, std, sparsity = 20, 5000, 0.25, 0.3
    out = xi.sparse_(np.empty((rows, cols)), sparsity, std, generator=_generator())
    kept = out[out != 0]
    assert kept.size == rows * cols - math.ceil(sparsity * rows) * cols
    assert stats.kstest(kept, stats.norm(scale=std).cdf).pvalue > 1e-3
    # each row is a zero in a column with probability n_zeros / rows, the same for every row
    per_row = (out == 0).sum(axis=1)
    assert stats.chisquare(per_row).pvalue > 1e-3
    # and the zeros do not pick out small or large values: the kept values of the columns keep their law
    assert stats.kstest(np.abs(kept), stats.halfnorm(scale=std).cdf).pvalue > 1e-3


def test_sparse_of_an_empty_tensor_takes_no_words():
    g = _generator(4)
    for shape in ((0, 5), (5, 0)):
        assert xi.sparse_(np.empty(shape), 0.5, generator=g).shape == shape
    assert g.position == 4


# ---------------------------------------------------------------- eye_, dirac_, identity_

EXACT_DTYPES = FLOAT_DTYPES + [np.dtype(d) for d in (np.int8, np.uint16, np.int64, np.bool_, np.complex64,
                                                     np.complex128, ">i4", ">f4")]


@pytest.mark.parametrize("dtype", EXACT_DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(4, 4), (2, 5), (5, 2), (0, 3), (1, 1)], ids=str)
def test_eye_is_numpys_eye(dtype, shape):
    out = np.full(shape, 3, dtype)
    assert xi.eye_(out) is out and out.dtype == dtype
    assert np.array_equal(out.astype(np.complex128), np.eye(*shape))


def test_eye_matches_torch_and_writes_a_transposed_view():
    torch = pytest.importorskip("torch")
    t = torch.full((3, 5), 9.0)
    assert torch.equal(xi.eye_(t), torch.nn.init.eye_(torch.empty(3, 5)))
    view = np.full((5, 3), 9.0).T
    assert np.array_equal(xi.eye_(view), np.eye(3, 5))


@pytest.mark.parametrize("shape, groups", [((4, 2, 3), 1), ((4, 2, 3), 2), ((6, 4, 5, 5), 3), ((3, 5, 2, 4), 1),
                                           ((8, 2, 3, 3, 3), 2), ((2, 2, 4, 4, 4), 1), ((4, 4, 1), 4)], ids=str)
def test_dirac_is_torchs(shape, groups):
    torch = pytest.importorskip("torch")
    out = xi.dirac_(np.full(shape, SENTINEL, np.float32), groups)
    assert np.array_equal(out, torch.nn.init.dirac_(torch.empty(shape), groups).numpy())


def test_dirac_keeps_the_channels_of_a_convolution():
    torch = pytest.importorskip("torch")
    conv = torch.nn.Conv2d(4, 4, 3, padding=1, bias=False)
    with torch.no_grad():
        xi.dirac_(conv.weight)
    x = torch.randn(1, 4, 6, 6)
    assert torch.equal(conv(x), x)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
def test_identity_is_gain_times_eye_rounded_as_constant_rounds(dtype):
    gain = 0.1
    out = xi.identity_(np.full((3, 5), SENTINEL, dtype), gain)
    expected = np.zeros((3, 5), dtype)
    expected[[0, 1, 2], [0, 1, 2]] = xi.constant_(np.empty(1, dtype), gain)[0]
    assert out.tobytes() == expected.tobytes()
    assert np.array_equal(xi.identity_(np.empty((4, 2), dtype)).astype(np.float64), np.eye(4, 2))


# ---------------------------------------------------------------- delta_orthogonal_

@pytest.mark.parametrize("shape", [(3, 4, 4), (5, 2, 6), (3, 3, 4, 8), (2, 4, 3, 3), (3, 3, 3, 2, 5), (1, 1, 1, 1, 1)],
                         ids=str)
@pytest.mark.parametrize("column_axis", [-1, 1, 0, -2])
def test_delta_orthogonal_is_jaxs(shape, column_axis):
    scale, position = 1.5, 8
    g = _generator(position)
    out = xi.delta_orthogonal_(np.full(shape, SENTINEL), scale, column_axis, generator=g)
    c_in, c_out = shape[-2:]
    assert g.position == position + 2 * c_in * c_out
    centre = tuple((k - 1) // 2 for k in shape[:-2])        # JAX: (k - 1) // 2, unlike dirac_'s k // 2
    m = out[centre] / scale
    rest = out.copy()
    rest[centre] = 0
    assert not rest.any()
    assert np.allclose(m @ m.T, np.eye(c_in), rtol=0, atol=1e-12)     # orthonormal rows (c_in <= c_out)
    # JAX's orthogonal for (c_in, c_out): columns on column_axis; the drawn matrix is (n_rows, n_cols)
    if column_axis % 2 == 1:
        z = _oracle_normal((c_in, c_out), position)
        r = m @ z.T if c_in < c_out else m.T @ z      # wide: z^T = Q R with Q = m^T; square: z = Q R with Q = m
    else:
        z = _oracle_normal((c_out, c_in), position)    # tall or square: z = Q R with Q = m^T
        r = m @ z
    _assert_upper_with_positive_diagonal(r, atol=1e-12)


def test_delta_orthogonal_in_float32_is_orthogonal_to_1e5():
    out = xi.delta_orthogonal_(np.empty((3, 3, 16, 32), np.float32), 2.0, generator=_generator())
    m = out[1, 1].astype(np.float64)
    assert np.abs(m @ m.T - 4.0 * np.eye(16)).max() <= 4e-5


# ---------------------------------------------------------------- bad input

def _refused(call, error, match, dtype=np.float32, shape=(4, 5)):
    out = np.full(shape, SENTINEL, dtype)
    before = out.tobytes()
    g = _generator(11)
    with pytest.raises(error, match=match):
        call(out, g)
    assert out.tobytes() == before, "the refused call wrote"
    assert g.position == 11, "the refused call moved the generator"


@pytest.mark.parametrize("call, error, match, shape", [
    (lambda o, g: xi.orthogonal_(o, generator=g), ValueError,
     r"^orthogonal_: out must have 2 or more dimensions \(torch: Only tensors with 2 or more dimensions are "
     r"supported\), got shape \(5,\) \(1-D\)$", (5,)),
    (lambda o, g: xi.orthogonal_(o, math.inf, generator=g), ValueError, r"^orthogonal_: gain must be finite",
     (4, 5)),
    (lambda o, g: xi.orthogonal_(o, "1", generator=g), TypeError, r"^orthogonal_: gain must be a real number",
     (4, 5)),
    (lambda o, g: xi.orthogonal_(o, 1e39, generator=g), ValueError,
     r"^orthogonal_: gain = 1e\+39 overflows float32, whose largest finite value is 3\.4028235e\+38$", (4, 5)),
    (lambda o, g: xi.orthogonal_(o, generator=3), TypeError, r"^orthogonal_: generator must be an "
     r"xinit_c\.Generator", (4, 5)),
    (lambda o, g: xi.orthogonal_(o, generator=xi.Generator(0, position=2**66 - 39)), ValueError,
     r"^orthogonal_: the fill needs 40 words from position", (4, 5)),
    (lambda o, g: xi.sparse_(o, 0.5, generator=g), ValueError,
     r"^sparse_: out must be 2-D \(torch: Only tensors with 2 dimensions are supported\), got shape \(2, 2, 5\)",
     (2, 2, 5)),
    (lambda o, g: xi.sparse_(o, 1.5, generator=g), ValueError, r"^sparse_: sparsity must be in \[0, 1\], got 1\.5$",
     (4, 5)),
    (lambda o, g: xi.sparse_(o, math.nan, generator=g), ValueError, r"^sparse_: sparsity must be in \[0, 1\]",
     (4, 5)),
    (lambda o, g: xi.sparse_(o, [0.5], generator=g), TypeError, r"^sparse_: sparsity must be a real number",
     (4, 5)),
    (lambda o, g: xi.sparse_(o, 0.5, -1.0, generator=g), ValueError, r"^sparse_: std must be finite and >= 0",
     (4, 5)),
    (lambda o, g: xi.sparse_(o, 0.5, 1e39, generator=g), ValueError, r"^sparse_: .*std", (4, 5)),
    (lambda o, g: xi.sparse_(o, 0.5, generator=xi.Generator(0, position=2**66 - 39)), ValueError,
     r"^sparse_: the fill needs 40 words from position", (4, 5)),
    (lambda o, g: xi.eye_(o), ValueError, r"^eye_: out must be 2-D \(torch: Only tensors with 2 dimensions are "
     r"supported\), got shape \(3, 2, 2\) \(3-D\)$", (3, 2, 2)),
    (lambda o, g: xi.dirac_(o), ValueError, r"^dirac_: out must be 3-, 4- or 5-D \(torch: Only tensors with 3, 4, "
     r"or 5 dimensions are supported\), got shape \(4, 5\)", (4, 5)),
    (lambda o, g: xi.dirac_(o, 3), ValueError, r"^dirac_: out.shape\[0\] = 4 must be divisible by groups = 3 "
     r"\(torch: dim 0 must be divisible by groups\)$", (4, 2, 3)),
    (lambda o, g: xi.dirac_(o, 0), ValueError, r"^dirac_: groups must be >= 1, got 0$", (4, 2, 3)),
    (lambda o, g: xi.dirac_(o, 2.0), TypeError, r"^dirac_: groups must be an integer, got float 2\.0$", (4, 2, 3)),
    (lambda o, g: xi.dirac_(o, True), TypeError, r"^dirac_: groups must be an integer, got bool", (4, 2, 3)),
    (lambda o, g: xi.identity_(o), ValueError, r"^identity_: out must be 2-D \(Keras: Identity matrix initializer "
     r"can only be used for 2D matrices\)", (4,)),
    (lambda o, g: xi.identity_(o, math.nan), ValueError, r"^identity_: gain must be finite", (4, 5)),
    (lambda o, g: xi.delta_orthogonal_(o, generator=g), ValueError,
     r"^delta_orthogonal_: shape\[-1\] = 2 must be >= shape\[-2\] = 3 \(JAX: `fan_in` must be less or equal than "
     r"`fan_out`\)$", (3, 3, 2)),
    (lambda o, g: xi.delta_orthogonal_(o, generator=g), ValueError,
     r"^delta_orthogonal_: out must be 3-, 4- or 5-D \(JAX: Delta orthogonal initializer requires a 3D, 4D or 5D "
     r"shape\)", (4, 5)),
    (lambda o, g: xi.delta_orthogonal_(o, generator=g), ValueError, r"^delta_orthogonal_: out must be 3-, 4- or 5-D",
     (1, 1, 1, 1, 2, 2)),
    (lambda o, g: xi.delta_orthogonal_(o, column_axis=2, generator=g), ValueError,
     r"^delta_orthogonal_: column_axis must be -2, -1, 0 or 1 \(an axis of the \(shape\[-2\], shape\[-1\]\) "
     r"matrix\), got 2$", (3, 2, 2)),
    (lambda o, g: xi.delta_orthogonal_(o, column_axis="-1", generator=g), TypeError,
     r"^delta_orthogonal_: column_axis must be an integer", (3, 2, 2)),
    (lambda o, g: xi.delta_orthogonal_(o, -math.inf, generator=g), ValueError,
     r"^delta_orthogonal_: scale must be finite", (3, 2, 2)),
], ids=lambda v: v if isinstance(v, tuple) else "")
def test_bad_input_is_refused_before_anything_is_written(call, error, match, shape):
    _refused(call, error, match, shape=shape)


@pytest.mark.parametrize("fill", [lambda o: xi.orthogonal_(o), lambda o: xi.sparse_(o, 0.5),
                                  lambda o: xi.identity_(o), lambda o: xi.delta_orthogonal_(o.reshape(1, 2, 2))],
                         ids=["orthogonal_", "sparse_", "identity_", "delta_orthogonal_"])
@pytest.mark.parametrize("dtype", [np.int32, np.complex64, np.bool_], ids=str)
def test_the_random_and_scaled_fills_take_float_formats_only(fill, dtype):
    out = np.zeros((2, 2), dtype)
    with pytest.raises(TypeError, match=r"cannot fill an array of dtype .*: expected float16, bfloat16, float32 or "
                                        r"float64$"):
        fill(out)
    assert not out.any()


@pytest.mark.parametrize("fill", [xi.orthogonal_, xi.eye_, xi.identity_, lambda o: xi.sparse_(o, 0.5),
                                  lambda o: xi.dirac_(o.reshape(2, 2, 1))],
                         ids=["orthogonal_", "eye_", "identity_", "sparse_", "dirac_"])
def test_read_only_broadcast_and_overlapping_buffers_are_refused(fill):
    ro = np.zeros((2, 2))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        fill(ro)
    with pytest.raises(ValueError, match=r"broadcast view \(stride 0\)"):
        fill(np.lib.stride_tricks.as_strided(np.zeros(2), (2, 2), (0, 8)))
    overlapping = np.lib.stride_tricks.as_strided(np.zeros(3), (2, 2), (8, 8))
    with pytest.raises(ValueError, match="may overlap"):
        fill(overlapping)
    assert not overlapping.any()


def test_stream_words_of_sparse_are_reserved_at_once():
    # two fills from one generator take consecutive, disjoint word ranges
    g = _generator()
    first = xi.sparse_(np.empty((5, 4), np.float32), 0.4, generator=g)
    second = xi.sparse_(np.empty((5, 4), np.float32), 0.4, generator=g)
    assert g.position == 2 * 2 * 20
    assert np.array_equal(second, reference.sparse((5, 4), np.float32, KEY, 0, 40, sparsity=0.4, std=0.01))
    assert not np.array_equal(first, second)


def test_concurrent_structured_fills_from_one_generator_take_disjoint_words():
    """Each fill reserves its words in one step: threads sharing a generator never split or share a range."""
    g = _generator()
    n_fills, shape = 16, (6, 5)                      # sparse_ of float32: 2 * 30 = 60 words a fill
    outputs = [None] * n_fills
    barrier = threading.Barrier(4)

    def work(first):
        barrier.wait()
        for i in range(first, n_fills, 4):
            outputs[i] = xi.sparse_(np.empty(shape, np.float32), 0.5, generator=g)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert g.position == n_fills * 60
    expected = {reference.sparse(shape, np.float32, KEY, 0, 60 * k, sparsity=0.5).tobytes() for k in range(n_fills)}
    assert {out.tobytes() for out in outputs} == expected
