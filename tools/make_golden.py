#!/usr/bin/env python3
"""Write the golden vectors of stream contract version 2 from the pure-numpy oracle.

    python tools/make_golden.py          # writes tests/golden/stream_v2.json and stream_v2_cases.txt

The values come from tests/reference.py (written from docs/stream.md alone), never from the compiled
package: a golden file computed by the code under test would only repeat its bugs. It runs once, when
the contract is frozen; it takes minutes because the oracle emulates every float64 fused multiply-add.

Cases: every output format and distribution (two uniform ranges, two normals, four truncated normals
including the far tails and a one-sided interval, raw bits) x three keys x four positions x two streams.
For each one the file holds the parameters, the bit patterns of the first FIRST elements and the SHA-256
of the little-endian bytes of the first ELEMENTS elements. The text file next to it carries the same
cases for the C driver (tests/c/golden.c), which has no JSON parser.
"""
import hashlib
import json
import math
import pathlib
import platform
import subprocess
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import reference  # noqa: E402  (the oracle lives with the tests)

STREAM_VERSION = 2
ELEMENTS = 1 << 16
FIRST = 8
JSON_PATH = ROOT / "tests" / "golden" / "stream_v2.json"
TEXT_PATH = ROOT / "tests" / "golden" / "stream_v2_cases.txt"

FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
BITS_DTYPES = ("uint32", "uint64")


def distributions(dtype):
    """(name, fill, parameters) of every distribution a float format is checked with."""
    wide = dtype == "float64"
    return [
        ("uniform", "uniform", {"low": -0.75, "high": 1.25}),
        ("uniform_symmetric", "uniform", {"low": -0.125, "high": 0.125}),   # mid = 0: the symmetric path
        ("normal", "normal", {"mean": 0.1, "std": 0.02}),
        ("normal_standard", "normal", {"mean": 0.0, "std": 1.0}),             # y = z: every bit of V shows
        # [-2σ, 2σ] (0.04 is exactly twice 0.02 in binary64, so α = -2 and β = 2 exactly)
        ("trunc_normal", "trunc_normal", {"mean": 0.0, "std": 0.02, "a": -0.04, "b": 0.04}),
        # the far tail on one side, just inside the refusal limit (10σ for f32, 37σ for f64)
        ("trunc_normal_far", "trunc_normal",
         {"mean": 0.0, "std": 1.0, "a": -36.0, "b": -35.0} if wide else
         {"mean": 0.0, "std": 1.0, "a": -9.5, "b": -9.0}),
        # [3σ, ∞): mirrored, reaches p = PMIN, every tail branch
        ("trunc_normal_above", "trunc_normal", {"mean": -1.0, "std": 0.5, "a": 0.5, "b": math.inf}),
        # timm's trunc_normal_(std=0.02) default: absolute bounds ±2 are ±100σ, so Φ(α) = 0 and Φ(β) = 1
        ("trunc_normal_wide", "trunc_normal", {"mean": 0.0, "std": 0.02, "a": -2.0, "b": 2.0}),
    ]


# Key 0 is Generator(seed)'s documented derivation (docs/stream.md section 2); the others are extremes.
KEYS = [{"seed": 1234}, {"key": (0, 0)}, {"key": (0xFFFFFFFF, 0xFFFFFFFF)}]
STREAMS = [0, 0xFEDCBA9876543210]


def positions(words_per_element):
    """Word positions: the start, an odd lane, a run that crosses 2^64 (starting in lane 3, so 64-bit
    elements straddle Philox blocks), and a run that ends exactly at 2^66, the end of the stream."""
    return [0, 5, (1 << 64) - 12345, (1 << 66) - words_per_element * ELEMENTS]


def key_words(key_spec):
    if "seed" in key_spec:
        return reference.key_from_seed(key_spec["seed"])
    return key_spec["key"]


def element_bits(values):
    """The elements as unsigned integers of their own width (their bit patterns)."""
    values = np.ascontiguousarray(values)
    return values.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[values.dtype.itemsize])


def digest(values):
    bits = element_bits(values)
    return hashlib.sha256(bits.astype(bits.dtype.newbyteorder("<")).tobytes()).hexdigest()


def hex_bits(values):
    bits = element_bits(values)
    return [f"{int(b):0{2 * bits.itemsize}x}" for b in bits]


def json_number(x):
    """A float parameter for JSON: a number, or "inf"/"-inf" (which strict JSON has no literal for)."""
    return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")


def numpy_dtype(name):
    return reference.BFLOAT16 if name == "bfloat16" else np.dtype(name)


def case_list():
    """Every case, in file order, without its values."""
    kinds = [(dtype, *d) for dtype in FLOAT_DTYPES for d in distributions(dtype)]
    kinds += [(dtype, "bits", "bits", {}) for dtype in BITS_DTYPES]
    cases = []
    for dtype, name, fill, params in kinds:
        wpe = reference.words_per_element(numpy_dtype(dtype))
        for k, key_spec in enumerate(KEYS):
            for p, position in enumerate(positions(wpe)):
                for s, stream in enumerate(STREAMS):
                    case = {"id": f"{name}.{dtype}.k{k}.p{p}.s{s}", "fill": fill, "dtype": dtype,
                            "params": {n: json_number(v) for n, v in params.items()}}
                    case.update({"seed": key_spec["seed"]} if "seed" in key_spec else {})
                    case.update({"key": list(key_words(key_spec)), "stream": hex(stream),
                                 "position": hex(position)})
                    cases.append(case)
    return cases


def oracle_values(case, n):
    """The first n elements of a case, from the oracle."""
    params = {name: float(v) for name, v in case["params"].items()}
    return reference.fill(case["fill"], n, numpy_dtype(case["dtype"]), tuple(case["key"]),
                          stream=int(case["stream"], 16), position=int(case["position"], 16), **params)


def text_line(case):
    """One case for the C driver: id fill dtype k0 k1 stream position_hi position_lo a0 a1 a2 a3 sha256,
    the integers in hex and the parameters as C99 hexadecimal floats (strtod reads both, and "inf")."""
    order = {"uniform": ("low", "high"), "normal": ("mean", "std"),
             "trunc_normal": ("mean", "std", "a", "b"), "bits": ()}[case["fill"]]
    args = [float(case["params"][name]) for name in order]
    args += [0.0] * (4 - len(args))
    position = int(case["position"], 16)
    fields = [case["id"], case["fill"], case["dtype"], f"{case['key'][0]:#x}", f"{case['key'][1]:#x}",
              case["stream"], f"{position >> 64:#x}", f"{position & ((1 << 64) - 1):#x}"]
    fields += [a.hex() for a in args] + [case["sha256"]]
    return " ".join(fields)


def oracle_fingerprint():
    """Which oracle wrote the file: the git blob id of tests/reference.py (the same for the same bytes)."""
    source = ROOT / "tests" / "reference.py"
    try:
        return subprocess.run(["git", "hash-object", str(source)], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "sha256:" + hashlib.sha256(source.read_bytes()).hexdigest()


def main():
    oracle_version = getattr(reference, "STREAM_VERSION", STREAM_VERSION)
    if oracle_version != STREAM_VERSION:
        sys.exit(f"tests/reference.py implements contract {oracle_version}, not {STREAM_VERSION}")
    cases = case_list()
    for i, case in enumerate(cases):
        values = oracle_values(case, ELEMENTS)
        case["first"] = hex_bits(values[:FIRST])
        case["sha256"] = digest(values)
        print(f"{i + 1}/{len(cases)} {case['id']} {case['sha256']}", file=sys.stderr, flush=True)
    golden = {
        "stream_version": STREAM_VERSION,
        "contract": "docs/stream.md",
        "frozen": "Never edit this file or tests/test_golden.py for contract version 2: a difference is a "
                  "change of the stream, which needs a new contract version and a new file.",
        "generated_by": {
            "tool": "tools/make_golden.py",
            "oracle": "tests/reference.py (pure numpy, written from docs/stream.md alone)",
            "oracle_git_blob": oracle_fingerprint(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
        "elements_hashed": ELEMENTS,
        "first_elements": FIRST,
        "encoding": {
            "first": "the bit patterns of the first elements, each the little-endian integer of the "
                     "element's bytes, in hex",
            "sha256": "SHA-256 of the first elements_hashed elements' little-endian bytes",
            "key": "(k0, k1); cases with a seed take the key Generator(seed) derives from it",
            "stream, position": "hex; the generator's stream id and starting word position",
            "params": "the fill's arguments after the buffer, infinities as the strings inf and -inf",
        },
    }
    JSON_PATH.parent.mkdir(parents=True, exist_ok=True)
    # the header indented, then one case a line: a reader scans cases, not brackets
    header = json.dumps(golden, indent=1).removesuffix("\n}")
    JSON_PATH.write_text(header + ',\n "cases": [\n  ' + ",\n  ".join(json.dumps(c) for c in cases) + "\n ]\n}\n")
    legend = ("# Golden cases of stream contract 2 for tests/c/golden.c, written by tools/make_golden.py with "
              "stream_v2.json.\n# id fill dtype k0 k1 stream position_hi position_lo a0 a1 a2 a3 sha256\n")
    TEXT_PATH.write_text(legend + "".join(text_line(case) + "\n" for case in cases))


if __name__ == "__main__":
    main()
