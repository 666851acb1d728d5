"""Fills into each byte order hold the same values, stored as the dtype says: native buffers hold the host's
bytes ('=' is '>' on s390x, '<' on x86-64), explicit '<' and '>' buffers hold those orders on any host. Run
natively here and on big-endian s390x by tests/emulated/."""
import struct

import numpy as np
import pytest

import reference
import xinit_c as xi

KEY = (0x243F6A88, 0x85A308D3)
# Random123 examples/kat_vectors, philox4x32_10: counter, key, output
KAT_COUNTER = (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344)
KAT_KEY = (0xA4093822, 0x299F31D0)
KAT_WORDS = (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)


# struct's "=" is the host's byte order, like numpy's
@pytest.mark.parametrize("dtype, layout", [("=u4", "=4I"), (">u4", ">4I"), ("<u4", "<4I")])
def test_known_answer_words_in_each_byte_order(dtype, layout):
    # counter (c0, c1, c2, c3) is the generator at stream c2 | c3 << 32 and word position 4 * (c0 | c1 << 32)
    g = xi.Generator(key=KAT_KEY, stream=KAT_COUNTER[2] | KAT_COUNTER[3] << 32,
                     position=4 * (KAT_COUNTER[0] | KAT_COUNTER[1] << 32))
    out = xi.random_bits_(np.empty(4, dtype), generator=g)
    assert out.tobytes() == struct.pack(layout, *KAT_WORDS)


@pytest.mark.parametrize("size", [2, 4, 8])
def test_float_fills_in_each_byte_order_hold_the_oracles_values(size):
    native = np.dtype(f"=f{size}")
    want = reference.fill("normal", 1001, native, KEY, mean=0.0, std=1.0)
    for order in "=><":
        out = xi.normal_(np.empty(1001, native.newbyteorder(order)), generator=xi.Generator(key=KEY))
        assert out.tobytes() == want.astype(out.dtype).tobytes(), order
