"""Layout invariance: chunks, blocks of a global tensor, strides, memory
order, alignment and byte order never change an element's value."""
import numpy as np
import pytest

import reference
import xinit_c as xi

KEY = (0x01234567, 0x89ABCDEF)
FILLS = [
    ("uniform", lambda out, g, **kw: xi.uniform_(out, -1.5, 2.0, generator=g, **kw),
     dict(low=-1.5, high=2.0)),
    ("normal", lambda out, g, **kw: xi.normal_(out, 0.5, 2.0, generator=g, **kw), dict(mean=0.5, std=2.0)),
    ("trunc_normal", lambda out, g, **kw: xi.trunc_normal_(out, 0.0, 1.0, -1.0, 3.0, generator=g, **kw),
     dict(mean=0.0, std=1.0, a=-1.0, b=3.0)),
]


def full(kind, shape, dtype, position=0, **params):
    return reference.fill(kind, shape, dtype, KEY, position=position, **params)


def same_bits(a, b):
    return a.shape == b.shape and np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


@pytest.mark.parametrize("kind, fill, params", FILLS, ids=[f[0] for f in FILLS])
def test_row_chunks_equal_one_fill(kind, fill, params, float_dtype):
    shape = (37, 29)
    g = xi.Generator(key=KEY)
    out = np.empty(shape, float_dtype)
    for start, stop in [(0, 1), (1, 10), (10, 11), (11, 36), (36, 37)]:
        fill(out[start:stop], g)
    assert same_bits(out, full(kind, shape, float_dtype, **params))
    assert g.position == reference.words_per_element(float_dtype) * 37 * 29


@pytest.mark.parametrize("kind, fill, params", FILLS, ids=[f[0] for f in FILLS])
def test_blocks_of_a_global_tensor(kind, fill, params, float_dtype):
    gshape = (11, 7, 5)
    want = full(kind, gshape, float_dtype, position=6, **params)
    blocks = [((0, 0, 0), (11, 7, 5)), ((3, 2, 1), (4, 3, 2)), ((10, 6, 4), (1, 1, 1)),
              ((0, 6, 0), (11, 1, 5)), ((5, 0, 0), (3, 7, 5))]
    for offset, bshape in blocks:
        g = xi.Generator(key=KEY, position=6)
        out = np.empty(bshape, float_dtype)
        fill(out, g, global_shape=gshape, offset=offset)
        index = tuple(slice(o, o + n) for o, n in zip(offset, bshape))
        assert same_bits(out, want[index]), (offset, bshape)
        # every shard advances by the whole tensor, so all shards stay in step
        assert g.position == 6 + reference.words_per_element(float_dtype) * 11 * 7 * 5


@pytest.mark.parametrize("kind, fill, params", FILLS, ids=[f[0] for f in FILLS])
def test_flat_ranges_of_a_global_tensor(kind, fill, params):
    gshape = (6, 9)
    want = full(kind, gshape, np.float64, **params).ravel()
    for start, stop in [(0, 54), (0, 1), (7, 30), (53, 54), (20, 21)]:
        out = np.empty(stop - start, np.float64)
        fill(out, xi.Generator(key=KEY), global_shape=gshape, offset=start)
        assert same_bits(out, want[start:stop])


def test_fans_come_from_the_global_shape():
    gshape = (400, 300)
    whole = xi.xavier_uniform_(np.empty(gshape, np.float32), generator=xi.Generator(key=KEY))
    block = xi.xavier_uniform_(np.empty((100, 300), np.float32), generator=xi.Generator(key=KEY),
                               global_shape=gshape, offset=(200, 0))
    assert same_bits(block, whole[200:300])


@pytest.mark.parametrize("kind, fill, params", FILLS, ids=[f[0] for f in FILLS])
def test_memory_layout_does_not_matter(kind, fill, params, float_dtype):
    shape = (9, 13)
    want = full(kind, shape, float_dtype, **params)
    fortran = np.empty(shape, float_dtype, order="F")
    fill(fortran, xi.Generator(key=KEY))
    assert same_bits(fortran, want)
    transposed = np.empty(shape[::-1], float_dtype).T
    fill(transposed, xi.Generator(key=KEY))
    assert same_bits(transposed, want)
    parent = np.zeros((30, 40), float_dtype)
    strided = parent[2:29:3, 1:40:3]
    assert strided.shape == shape
    fill(strided, xi.Generator(key=KEY))
    assert same_bits(strided, want)
    untouched = np.ones(parent.shape, bool)
    untouched[2:29:3, 1:40:3] = False
    assert not np.any(parent[untouched].astype(np.float64))  # nothing written between the strides
    reversed_ = np.empty(shape, float_dtype)[::-1, ::-1]
    fill(reversed_, xi.Generator(key=KEY))
    assert same_bits(reversed_, want)


@pytest.mark.parametrize("byte_offset", range(1, 8))
def test_unaligned_buffers(byte_offset, float_dtype):
    n = 301
    raw = np.zeros(n * float_dtype.itemsize + 16, np.uint8)
    out = raw[byte_offset:byte_offset + n * float_dtype.itemsize].view(float_dtype)
    xi.normal_(out, generator=xi.Generator(key=KEY))
    assert same_bits(out, full("normal", n, float_dtype, mean=0.0, std=1.0))
    assert not raw[:byte_offset].any() and not raw[byte_offset + n * float_dtype.itemsize:].any()


@pytest.mark.parametrize("dtype", [">f2", ">f4", ">f8", "<f4", ">u4", ">u8"])
def test_non_native_byte_order_gets_the_same_values(dtype):
    dtype = np.dtype(dtype)
    n = 77
    out = np.empty(n, dtype)
    if dtype.kind == "u":
        xi.random_bits_(out, generator=xi.Generator(key=KEY))
        want = reference.fill("bits", n, dtype.newbyteorder("="), KEY)
    else:
        xi.uniform_(out, -1.0, 1.0, generator=xi.Generator(key=KEY))
        want = full("uniform", n, dtype.newbyteorder("="), low=-1.0, high=1.0)
    assert np.array_equal(out.astype(want.dtype), want)


def test_zero_dimensional_and_unit_dims(float_dtype):
    scalar = np.empty((), float_dtype)
    xi.normal_(scalar, generator=xi.Generator(key=KEY))
    assert same_bits(scalar.reshape(1), full("normal", 1, float_dtype, mean=0.0, std=1.0))
    column = np.empty((5, 1), float_dtype)[:, :]
    xi.normal_(column, global_shape=(5, 3), offset=(0, 2), generator=xi.Generator(key=KEY))
    assert same_bits(column, full("normal", (5, 3), float_dtype, mean=0.0, std=1.0)[:, 2:3])


def test_memory_map(tmp_path):
    path = tmp_path / "w.npy"
    mm = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(64, 33))
    xi.xavier_normal_(mm, generator=xi.Generator(key=KEY))
    mm.flush()
    del mm
    want = xi.xavier_normal_(np.empty((64, 33), np.float32), generator=xi.Generator(key=KEY))
    assert same_bits(np.load(path), want)


def test_buffer_protocol_objects_are_filled_in_place():
    buf = bytearray(4 * 10)
    view = memoryview(buf).cast("f")
    assert xi.uniform_(view, generator=xi.Generator(key=KEY)) is view
    assert same_bits(np.frombuffer(buf, np.float32), full("uniform", 10, np.float32, low=0.0, high=1.0))
