"""The golden vectors of stream contract version 2 (tests/golden/stream_v2.json).

FROZEN FOR CONTRACT VERSION 2: never edit this file or tests/golden/stream_v2.json. The JSON was written
once by tools/make_golden.py from the pure-numpy oracle (tests/reference.py), never from the compiled
code. A failure here means the stream changed, which breaks every user's checkpoints and sharded runs: fix
the code. A deliberate change is contract version 3, with its own file and its own test.

Checked: every case through the public Python API on every SIMD variant this CPU runs, on one thread
and split over two; the oracle itself (the first elements always, the full digests with -m slow). The C
driver checks the same digests without Python (tests/c/golden.c, run by tests/test_c_core.py).
"""
import hashlib
import json
import math
import pathlib

import numpy as np
import pytest

import reference
import xinit_c as xi
from bfloat16 import dtype_named

GOLDEN = json.loads((pathlib.Path(__file__).parent / "golden" / "stream_v2.json").read_text())
CASES = GOLDEN["cases"]
ELEMENTS = GOLDEN["elements_hashed"]
FIRST = GOLDEN["first_elements"]
STREAM_END = 1 << 66

# the public fill of each kind, with its parameters in call order after the buffer
FILLS = {
    "uniform": (xi.uniform_, ("low", "high")),
    "normal": (xi.normal_, ("mean", "std")),
    "trunc_normal": (xi.trunc_normal_, ("mean", "std", "a", "b")),
    "bits": (xi.random_bits_, ()),
}


def kind_of(case):
    """"normal.float32" for the case "normal.float32.k1.p2.s0"."""
    return case["id"].rsplit(".", 3)[0]


KINDS = {}
for _case in CASES:
    KINDS.setdefault(kind_of(_case), []).append(_case)


def dtype_of(case):
    """The case's dtype; a bfloat16 case skips where ml_dtypes is missing."""
    return dtype_named(case["dtype"])


def words_per_element(case):
    # docs/stream.md section 2: two words per element for the 64-bit formats, one for the others
    return 2 if case["dtype"] in ("float64", "uint64") else 1


def params_of(case):
    return {name: float(value) for name, value in case["params"].items()}  # float("inf") reads "inf"


def element_bits(values):
    values = np.ascontiguousarray(values)
    return values.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[values.dtype.itemsize])


def hex_bits(values):
    bits = element_bits(values)
    return [f"{int(b):0{2 * bits.itemsize}x}" for b in bits]


def digest(values):
    bits = element_bits(values)
    return hashlib.sha256(bits.astype(bits.dtype.newbyteorder("<")).tobytes()).hexdigest()


def differences(case, values, full=True):
    """What in values (the case's first elements) differs from the file, as text; empty if nothing."""
    first = hex_bits(values[:FIRST])
    if first != case["first"]:
        return [f"{case['id']}: first elements {first}, golden {case['first']}"]
    if full and digest(values[:ELEMENTS]) != case["sha256"]:
        return [f"{case['id']}: SHA-256 of the first {ELEMENTS} elements differs"]
    return []


def generator(case, position):
    """The case's generator as a user makes it: from the seed where the case has one."""
    stream = int(case["stream"], 16)
    if "seed" in case:
        return xi.Generator(case["seed"], stream=stream, position=position)
    return xi.Generator(key=tuple(case["key"]), stream=stream, position=position)


def compiled(case, threads, elements=ELEMENTS, before=0):
    """elements values of the case's fill through the public API, starting `before` elements ahead of the
    case's position (the golden ones are then the last ELEMENTS of them)."""
    fill, names = FILLS[case["fill"]]
    position = int(case["position"], 16) - before * words_per_element(case)
    out = np.empty(elements, dtype_of(case))
    params = params_of(case)
    fill(out, *(params[name] for name in names), generator=generator(case, position), threads=threads)
    return out[before:]


@pytest.fixture(params=xi.simd_backends())
def simd(request):
    """Run the test on one SIMD variant, then restore the previous one."""
    previous = xi.get_simd()
    xi.set_simd(request.param)
    yield request.param
    xi.set_simd(previous)


def test_the_package_implements_contract_version_2():
    assert GOLDEN["stream_version"] == 2
    assert xi.STREAM_VERSION == 2


def test_the_file_covers_every_format_distribution_key_position_and_stream():
    assert len({case["id"] for case in CASES}) == len(CASES)
    formats = {}
    for case in CASES:
        formats.setdefault(case["dtype"], set()).add(case["fill"])
    assert set(formats) == {"float16", "bfloat16", "float32", "float64", "uint32", "uint64"}
    for name in ("float16", "bfloat16", "float32", "float64"):
        assert formats[name] == {"uniform", "normal", "trunc_normal"}, name
    assert formats["uint32"] == formats["uint64"] == {"bits"}
    for name, cases in KINDS.items():
        keys = {tuple(case["key"]) for case in cases}
        streams = {int(case["stream"], 16) for case in cases}
        starts = {int(case["position"], 16) for case in cases}
        span = words_per_element(cases[0]) * ELEMENTS
        assert len(cases) == len(keys) * len(streams) * len(starts) == 3 * 2 * 4, name
        assert (0, 0) in keys and (0xFFFFFFFF, 0xFFFFFFFF) in keys and any("seed" in case for case in cases)
        assert 0 in streams and max(streams) >= 1 << 63, name
        assert 0 in starts and any(p % 2 for p in starts), name
        assert any(p < 1 << 64 < p + span for p in starts), f"{name}: no run crosses 2^64"
        assert STREAM_END - span in starts, f"{name}: no run ends at 2^66"
    for case in CASES:
        assert len(case["first"]) == FIRST and len(case["sha256"]) == 64, case["id"]


def test_truncated_normals_include_the_far_tails_and_a_one_sided_interval():
    intervals = {}
    for case in CASES:
        if case["fill"] == "trunc_normal":
            p = params_of(case)
            intervals.setdefault(case["dtype"], set()).add(((p["a"] - p["mean"]) / p["std"],
                                                            (p["b"] - p["mean"]) / p["std"]))
    for name, found in intervals.items():
        assert (-2.0, 2.0) in found, name
        assert any(b == math.inf for _, b in found), name
        far_tail = (-36.0, -35.0) if name == "float64" else (-9.5, -9.0)   # near each format's refusal limit
        assert far_tail in found, name


def sampled(kind):
    """Four of a kind's 24 cases, a different four for each kind, so that together they cover every key,
    position and stream."""
    offset, cases = list(KINDS).index(kind), KINDS[kind]
    return [cases[(offset + j * len(cases) // 4) % len(cases)] for j in range(4)]


def check_compiled(simd, cases):
    found = [d for case in cases for d in differences(case, compiled(case, threads=1))]
    assert not found, f"{simd}:\n" + "\n".join(found)


@pytest.mark.parametrize("kind", list(KINDS))
def test_compiled_fills_write_the_golden_bytes(simd, kind):
    # every case on the most capable variant, four on the others: scalar and SSE2 emulate the fused
    # multiply-add in software and are slow (-m slow checks every case on every variant)
    check_compiled(simd, KINDS[kind] if simd == xi.simd_backends()[-1] else sampled(kind))


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_variant_writes_every_golden_case(simd, kind):
    check_compiled(simd, KINDS[kind])


@pytest.mark.parametrize("kind", list(KINDS))
def test_two_threads_write_the_golden_bytes(kind):
    found = []
    for case in KINDS[kind]:
        # the golden elements as a fill of their own (today split in halves for normal and truncated normal)
        found += differences(case, compiled(case, threads=2))
        if int(case["position"], 16) >= words_per_element(case) * ELEMENTS:
            # and as the second half of a fill twice as long: the second thread's share for every kind
            found += differences(case, compiled(case, threads=2, elements=2 * ELEMENTS, before=ELEMENTS))
    assert not found, "\n".join(found)


def oracle(case, elements):
    return reference.fill(case["fill"], elements, dtype_of(case), tuple(case["key"]),
                          stream=int(case["stream"], 16), position=int(case["position"], 16), **params_of(case))


# the library's own golden checks above still run there
ORACLE_NOT_BINARY64 = pytest.mark.skipif(reference.PYTHON_FLOATS_DOUBLE_ROUNDED, reason=(
    "this CPython's float arithmetic is double-rounded (x87): the oracle's per-call constants are not binary64"))


@ORACLE_NOT_BINARY64
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_oracle_gives_the_first_golden_elements(kind):
    found = [d for case in KINDS[kind] for d in differences(case, oracle(case, FIRST), full=False)]
    assert not found, "\n".join(found)


@pytest.mark.slow
@ORACLE_NOT_BINARY64
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_oracle_gives_the_golden_digests(kind):
    found = [d for case in KINDS[kind] for d in differences(case, oracle(case, ELEMENTS))]
    assert not found, "\n".join(found)


def test_seeded_cases_use_the_documented_key_derivation():
    for case in CASES:
        if "seed" in case:
            state = np.random.SeedSequence(case["seed"]).generate_state(2, dtype=np.uint32)
            assert [int(word) for word in state] == case["key"], case["id"]
