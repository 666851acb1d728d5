"""Property-based: any shape, layout, dtype, block of a global tensor, start
position, thread count and SIMD variant gives exactly the oracle's values."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference
import xinit_c as xi
from conftest import FLOAT_DTYPES

POSITION_END = 1 << 66
KINDS = {
    "uniform": (lambda o, g, **kw: xi.uniform_(o, -0.5, 2.0, generator=g, **kw), dict(low=-0.5, high=2.0)),
    "normal": (lambda o, g, **kw: xi.normal_(o, 0.1, 1.5, generator=g, **kw), dict(mean=0.1, std=1.5)),
    "trunc_normal": (lambda o, g, **kw: xi.trunc_normal_(o, 0.0, 1.0, -0.3, 2.5, generator=g, **kw),
                     dict(mean=0.0, std=1.0, a=-0.3, b=2.5)),
}


@st.composite
def layouts(draw):
    """A global shape, a block of it (offset, shape), and a memory layout for the block."""
    ndim = draw(st.integers(1, 3))
    gshape = tuple(draw(st.integers(1, 9)) for _ in range(ndim))
    offset = tuple(draw(st.integers(0, g - 1)) for g in gshape)
    bshape = tuple(draw(st.integers(1, g - o)) for g, o in zip(gshape, offset))
    order = draw(st.permutations(range(ndim)))
    steps = tuple(draw(st.sampled_from([1, 2, -1, -3])) for _ in range(ndim))
    return gshape, offset, bshape, tuple(order), steps


def make_view(bshape, order, steps, dtype, misalign):
    """A view of shape bshape: dims stored in `order`, strided by |steps|, reversed where negative."""
    parent_shape = tuple(bshape[d] * abs(steps[d]) for d in order)
    raw = np.zeros(int(np.prod(parent_shape)) * dtype.itemsize + misalign, np.uint8)
    parent = raw[misalign:].view(dtype).reshape(parent_shape)
    view = parent.transpose(np.argsort(order))
    index = tuple(slice(None, None, s) if s > 0 else slice(None, None, s) for s in steps)
    view = view[index]
    view = view[tuple(slice(0, n) for n in bshape)]
    assert view.shape == bshape
    return view


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=layouts(), kind=st.sampled_from(sorted(KINDS)), dtype=st.sampled_from(FLOAT_DTYPES),
       position=st.one_of(st.integers(0, 4096), st.integers(POSITION_END - 4096, POSITION_END - 3000)),
       threads=st.integers(1, 4), variant=st.sampled_from(xi.simd_backends()),
       misalign=st.integers(0, 7), use_block=st.booleans())
def test_any_block_layout_dtype_position_thread_count_and_variant(layout, kind, dtype, position, threads,
                                                                  variant, misalign, use_block):
    gshape, offset, bshape, order, steps = layout
    fill, params = KINDS[kind]
    if not use_block:
        gshape, offset, bshape = bshape, (0,) * len(bshape), bshape
    view = make_view(bshape, order, steps, dtype, misalign)
    previous = xi.get_simd()
    xi.set_simd(variant)
    try:
        g = xi.Generator(key=(0xDEAD, 0xBEEF), stream=7, position=position)
        if use_block:
            fill(view, g, global_shape=gshape, offset=offset, threads=threads)
        else:
            fill(view, g, threads=threads)
    finally:
        xi.set_simd(previous)
    want = reference.fill(kind, gshape, dtype, (0xDEAD, 0xBEEF), stream=7, position=position, **params)
    want = want[tuple(slice(o, o + n) for o, n in zip(offset, bshape))]
    assert np.ascontiguousarray(view).tobytes() == want.tobytes()
    assert g.position == position + reference.words_per_element(dtype) * int(np.prod(gshape))


@settings(max_examples=100, deadline=None)
@given(gshape=st.lists(st.integers(1, 7), min_size=1, max_size=3).map(tuple), data=st.data(),
       dtype=st.sampled_from([np.dtype(np.float32), np.dtype(np.float64)]))
def test_flat_ranges(gshape, data, dtype):
    total = int(np.prod(gshape))
    start = data.draw(st.integers(0, total - 1))
    stop = data.draw(st.integers(start + 1, total))
    out = xi.normal_(np.empty(stop - start, dtype), generator=xi.Generator(key=(1, 1)), global_shape=gshape,
                     offset=start)
    want = reference.fill("normal", gshape, dtype, (1, 1), mean=0.0, std=1.0).ravel()[start:stop]
    assert out.tobytes() == want.tobytes()


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
@settings(max_examples=50, deadline=None)
@given(n=st.integers(0, 300), position=st.integers(0, 1 << 40))
def test_raw_bits(dtype, n, position):
    out = xi.random_bits_(np.empty(n, dtype), generator=xi.Generator(key=(9, 9), position=position))
    assert out.tobytes() == reference.fill("bits", n, dtype, (9, 9), position=position).tobytes()
