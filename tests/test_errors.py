"""Bad input gets an error that names the function, the parameter, its value
and what is allowed, raised before anything is written and with the
generator untouched."""
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import xinit_c as xi
from bfloat16 import bfloat16_param, dtype_named
from child_python import require_child_python
from xinit_c import _core

ROOT = Path(__file__).resolve().parent.parent
SENTINEL = 7.0

# Largest finite values of the formats (IEEE 754-2008 table 3.5 for binary16/32/64; bfloat16 is binary32's
# exponent with 7 fraction bits, largest 0x7f7f), written out so that no limit comes from the code under test.
LARGEST = {
    "float16": 65504.0,
    "bfloat16": float.fromhex("0x1.fep127"),
    "float32": float.fromhex("0x1.fffffep127"),
    "float64": float.fromhex("0x1.fffffffffffffp1023"),
}
# the limits as they appear in a message (8 significant digits)
SHOWN = {"float16": "65504", "bfloat16": r"3\.3895314e\+38", "float32": r"3\.4028235e\+38",
         "float64": r"1\.7976931e\+308"}


def refused(call, error, match, dtype=np.float32, shape=(4, 5)):
    """Run call(out, generator) on a sentinel-filled buffer; it must raise and leave both as they were."""
    out = np.full(shape, SENTINEL, dtype)
    before = out.copy()
    generator = xi.Generator(3)
    with pytest.raises(error, match=match) as info:
        call(out, generator)
    assert out.tobytes() == before.tobytes(), "the refused call wrote"
    assert generator.position == 0, "the refused call moved the generator"
    return info


def accepted(call, dtype=np.float32, shape=(4, 5)):
    out = np.full(shape, SENTINEL, dtype)
    generator = xi.Generator(3)
    call(out, generator)
    return out, generator


# --------------------------------------------------------------- zero fans

# (fill, keywords that give the zero fan, what the message names)
ZERO_FANS = [
    ("xavier_uniform_", {"fan_in": 0, "fan_out": 0}, "fan_in and fan_out are both 0"),
    ("xavier_normal_", {"fan_in": 0, "fan_out": 0}, "fan_in and fan_out are both 0"),
    ("lecun_uniform_", {"fan_in": 0}, r"fan_in is 0 \(fan_in=0, fan_out=4\): mode='fan_in'"),
    ("lecun_normal_", {"fan_in": 0}, r"fan_in is 0 \(fan_in=0, fan_out=4\): mode='fan_in'"),
] + [
    (fill, {"mode": "fan_in", "fan_in": 0}, r"fan_in is 0 \(fan_in=0, fan_out=4\): mode='fan_in' divides by it")
    for fill in ("kaiming_uniform_", "kaiming_normal_")
] + [
    (fill, {"mode": "fan_out", "fan_out": 0}, r"fan_out is 0 \(fan_in=5, fan_out=0\): mode='fan_out'")
    for fill in ("kaiming_uniform_", "kaiming_normal_")
] + [
    ("variance_scaling_", {"mode": mode, "distribution": dist, **fans}, pattern)
    for dist in ("truncated_normal", "normal", "uniform")
    for mode, fans, pattern in [
        ("fan_in", {"fan_in": 0}, r"fan_in is 0 \(fan_in=0, fan_out=4\): mode='fan_in'"),
        ("fan_out", {"fan_out": 0}, r"fan_out is 0 \(fan_in=5, fan_out=0\): mode='fan_out'"),
        ("fan_avg", {"fan_in": 0, "fan_out": 0}, r"\(fan_in \+ fan_out\) / 2 is 0 .*mode='fan_avg'"),
        ("fan_geo_avg", {"fan_out": 0}, r"sqrt\(fan_in \* fan_out\) is 0 \(fan_in=5, fan_out=0\): mode='fan_geo_avg'"),
    ]
]


@pytest.mark.parametrize("fill, keywords, words", ZERO_FANS)
def test_a_zero_fan_is_a_value_error_naming_it(fill, keywords, words):
    # a (4, 5) torch weight has fan_in 5, fan_out 4
    refused(lambda out, g: getattr(xi, fill)(out, generator=g, **keywords), ValueError, f"^{fill}: {words}")


@pytest.mark.parametrize("fill, keywords, words", ZERO_FANS)
def test_describe_names_a_zero_fan_too(fill, keywords, words):
    init = fill.rstrip("_")
    with pytest.raises(ValueError, match=f"^describe\\('{init}'\\): {words}"):
        xi.describe(init, (4, 5), **keywords)


@pytest.mark.parametrize("fill, keywords", [
    ("kaiming_uniform_", {"mode": "fan_in", "fan_out": 0}),
    ("variance_scaling_", {"mode": "fan_out", "fan_in": 0}),
    ("variance_scaling_", {"mode": "fan_avg", "fan_in": 0}),
    ("lecun_normal_", {"fan_out": 0}),
])
def test_a_zero_fan_the_scheme_does_not_divide_by_is_fine(fill, keywords):
    out, _ = accepted(lambda out, g: getattr(xi, fill)(out, generator=g, **keywords))
    assert np.all(np.isfinite(out)) and not np.any(out == SENTINEL)


def test_an_empty_tensor_needs_no_fans():
    out = np.empty((0, 5), np.float32)
    assert xi.kaiming_uniform_(out, fan_in=0) is out


# ----------------------------------------------------- parameters too large

@pytest.mark.parametrize("call, words, dtype", [
    (lambda o, g: xi.xavier_uniform_(o, 1e300, generator=g),
     r"^xavier_uniform_: gain=1e\+300 is too large for float32: it gives the bound b = 8\.16\d*e\+299 "
     r"\(fan_in=5, fan_out=4\), which overflows float32, whose largest finite value is 3\.4028235e\+38$",
     np.float32),
    (lambda o, g: xi.xavier_uniform_(o, 1e6, generator=g),
     r"^xavier_uniform_: gain=1000000\.0 .* the bound b = 816496\.58\d* .* overflows float16, whose largest "
     r"finite value is 65504$", np.float16),
    (lambda o, g: xi.xavier_normal_(o, 1e300, generator=g),
     r"^xavier_normal_: gain=1e\+300 .* std = 4\.71\d*e\+299 .* overflows float32", np.float32),
    bfloat16_param(lambda bfloat16: (
        lambda o, g: xi.xavier_normal_(o, 1e40, generator=g),
        r"^xavier_normal_: gain=1e\+40 .* overflows bfloat16, whose largest finite value is 3\.3895314e\+38",
        bfloat16.type), id="xavier_normal_-gain=1e+40-bfloat16", arity=3),
    (lambda o, g: xi.xavier_uniform_(o, 1.7e308, generator=g, fan_in=1, fan_out=1),
     r"^xavier_uniform_: gain=1\.7e\+308 .* the bound b = inf .* overflows float64", np.float64),
    (lambda o, g: xi.variance_scaling_(o, 1e12, generator=g),
     r"^variance_scaling_: scale=1000000000000\.0 .* std = .* overflows float16", np.float16),
    (lambda o, g: xi.variance_scaling_(o, 1e300, distribution="uniform", generator=g),
     r"^variance_scaling_: scale=1e\+300 .* the bound b = .* overflows float32", np.float32),
    (lambda o, g: xi.variance_scaling_(o, 1e300, distribution="normal", generator=g),
     r"^variance_scaling_: scale=1e\+300 .* std = .* overflows float32", np.float32),
])
def test_a_gain_or_scale_too_large_for_the_dtype_is_named_with_the_bound(call, words, dtype):
    refused(call, ValueError, words, dtype)


@pytest.mark.parametrize("call, words", [
    (lambda o, g: xi.uniform_(o, -1e300, 1e300, generator=g), r"^uniform_: low = -1e\+300 overflows float32"),
    (lambda o, g: xi.uniform_(o, 0.0, 1e300, generator=g), r"^uniform_: high = 1e\+300 overflows float32"),
    (lambda o, g: xi.normal_(o, 1e300, 1.0, generator=g), r"^normal_: mean = 1e\+300 overflows float32"),
    (lambda o, g: xi.normal_(o, 0.0, 1e39, generator=g), r"^normal_: std = 1e\+39 overflows float32"),
    (lambda o, g: xi.trunc_normal_(o, -1e39, generator=g), r"^trunc_normal_: mean = -1e\+39 overflows float32"),
    (lambda o, g: xi.trunc_normal_(o, 0.0, 1e300, generator=g), r"^trunc_normal_: std = 1e\+300 overflows float32"),
    (lambda o, g: xi.constant_(o, 1e300), r"^constant_: val = 1e\+300 overflows float32"),
])
def test_a_parameter_too_large_for_the_dtype_is_named_with_the_limit(call, words):
    refused(call, ValueError, words + r", whose largest finite value is 3\.4028235e\+38$")


# The C core decides (src/params.c); the message comes from the layer above. Each case is run at the
# largest value accepted and the next double above it, through the public fill and through the compiled
# fill directly, so a limit moved on one side only fails here.
BOUNDARY_CASES = [
    ("uniform_", "high", lambda v: (_core.DIST_UNIFORM, 0.0, v, 0.0, 0.0), lambda o, g, v: xi.uniform_(o, 0.0, v,
                                                                                                      generator=g)),
    ("uniform_", "low", lambda v: (_core.DIST_UNIFORM, -v, 0.0, 0.0, 0.0), lambda o, g, v: xi.uniform_(o, -v, 0.0,
                                                                                                       generator=g)),
    ("normal_", "mean", lambda v: (_core.DIST_NORMAL, v, 0.0, 0.0, 0.0), lambda o, g, v: xi.normal_(o, v, 0.0,
                                                                                                    generator=g)),
    ("normal_", "std", lambda v: (_core.DIST_NORMAL, 0.0, v, 0.0, 0.0), lambda o, g, v: xi.normal_(o, 0.0, v,
                                                                                                   generator=g)),
    ("trunc_normal_", "mean", lambda v: (_core.DIST_TRUNC_NORMAL, -v, 0.0, -math.inf, math.inf),
     lambda o, g, v: xi.trunc_normal_(o, -v, 0.0, -math.inf, math.inf, generator=g)),
    ("trunc_normal_", "std", lambda v: (_core.DIST_TRUNC_NORMAL, 0.0, v, -1.0, 1.0),
     lambda o, g, v: xi.trunc_normal_(o, 0.0, v, -1.0, 1.0, generator=g)),
]


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16", "float32"])
@pytest.mark.parametrize("fill, name, core_args, public", BOUNDARY_CASES, ids=lambda c: c if isinstance(c, str) else "")
def test_the_range_limit_is_the_dtypes_largest_finite_value_on_both_layers(dtype_name, fill, name, core_args,
                                                                           public):
    dtype = dtype_named(dtype_name)
    largest = LARGEST[dtype_name]
    above = math.nextafter(largest, math.inf)
    accepted(lambda o, g: public(o, g, largest), dtype)  # a std this large overflows some draws: allowed
    accepted(lambda o, g: _core.fill(o, *core_args(largest), g), dtype)
    words = (rf"^{fill}: {name} = -?{re.escape(repr(above))} overflows {dtype_name}, whose largest finite value "
             rf"is {SHOWN[dtype_name]}$")
    refused(lambda o, g: public(o, g, above), ValueError, words, dtype)
    refused(lambda o, g: _core.fill(o, *core_args(above), g), ValueError, rf"^{name} = ", dtype)


@pytest.mark.parametrize("fill, name, core_args, public", BOUNDARY_CASES, ids=lambda c: c if isinstance(c, str) else "")
def test_float64_takes_every_finite_value_and_no_infinity(fill, name, core_args, public):
    largest = LARGEST["float64"]
    accepted(lambda o, g: public(o, g, largest), np.float64)
    accepted(lambda o, g: _core.fill(o, *core_args(largest), g), np.float64)
    refused(lambda o, g: public(o, g, math.inf), ValueError, rf"^{fill}: {name} must be finite", np.float64)
    refused(lambda o, g: _core.fill(o, *core_args(math.inf), g), ValueError, rf"^{name} must be finite",
            np.float64)


def test_constant_takes_the_largest_value_and_infinities_but_not_an_overflow():
    out, _ = accepted(lambda o, g: xi.constant_(o, 65504.0), np.float16)
    assert np.all(out == 65504.0)
    out, _ = accepted(lambda o, g: xi.constant_(o, -math.inf), np.float16)
    assert np.all(out == -np.inf)
    refused(lambda o, g: xi.constant_(o, math.nextafter(65504.0, math.inf)), ValueError,
            r"^constant_: val = 65504\.00000000001 overflows float16, whose largest finite value is 65504$",
            np.float16)


# Conditions the Python layer checks first: the C core, called directly, draws the same line.
ORDER_CASES = [
    # (public call, compiled-fill arguments, accepted?, message of the public call)
    (lambda o, g: xi.uniform_(o, 1.0, 1.0, generator=g), (_core.DIST_UNIFORM, 1.0, 1.0, 0.0, 0.0), True, None),
    (lambda o, g: xi.uniform_(o, 1.0, math.nextafter(1.0, 0.0), generator=g),
     (_core.DIST_UNIFORM, 1.0, math.nextafter(1.0, 0.0), 0.0, 0.0), False, r"^uniform_: low must be <= high"),
    (lambda o, g: xi.normal_(o, 0.0, -0.0, generator=g), (_core.DIST_NORMAL, 0.0, -0.0, 0.0, 0.0), True, None),
    (lambda o, g: xi.normal_(o, 0.0, -5e-324, generator=g), (_core.DIST_NORMAL, 0.0, -5e-324, 0.0, 0.0), False,
     r"^normal_: std must be finite and >= 0, got -5e-324"),
    (lambda o, g: xi.normal_(o, math.nan, generator=g), (_core.DIST_NORMAL, math.nan, 1.0, 0.0, 0.0), False,
     r"^normal_: mean must be finite, got nan"),
    (lambda o, g: xi.trunc_normal_(o, 0.0, 1.0, -math.inf, math.inf, generator=g),
     (_core.DIST_TRUNC_NORMAL, 0.0, 1.0, -math.inf, math.inf), True, None),
    (lambda o, g: xi.trunc_normal_(o, 0.0, 0.0, 0.5, 0.5, generator=g),
     (_core.DIST_TRUNC_NORMAL, 0.0, 0.0, 0.5, 0.5), True, None),
    (lambda o, g: xi.trunc_normal_(o, 0.0, 5e-324, 0.5, 0.5, generator=g),
     (_core.DIST_TRUNC_NORMAL, 0.0, 5e-324, 0.5, 0.5), False,
     r"^trunc_normal_: need a < b \(or a == b with std = 0\), got a=0\.5, b=0\.5$"),
    (lambda o, g: xi.trunc_normal_(o, 0.0, 1.0, math.nan, 1.0, generator=g),
     (_core.DIST_TRUNC_NORMAL, 0.0, 1.0, math.nan, 1.0), False, r"^trunc_normal_: need a < b"),
    (lambda o, g: xi.trunc_normal_(o, 0.0, 1.0, 50.0, 60.0, generator=g),
     (_core.DIST_TRUNC_NORMAL, 0.0, 1.0, 50.0, 60.0), False,
     r"^trunc_normal_: the truncation interval \[a, b\] = \[50\.0, 60\.0\] begins 50 standard deviations from "
     r"the mean \(mean=0\.0, std=1\.0\), too far in the tail for float32"),
]


@pytest.mark.parametrize("public, core_args, ok, words", ORDER_CASES)
def test_the_python_checks_and_the_c_core_agree(public, core_args, ok, words):
    if ok:
        accepted(public)
        accepted(lambda o, g: _core.fill(o, *core_args, g))
    else:
        refused(public, ValueError, words)
        refused(lambda o, g: _core.fill(o, *core_args, g), ValueError, ".")


# ---------------------------------------------------------------- scale = 0

@pytest.mark.parametrize("dtype, words_per_element", [(np.float32, 1), (np.float64, 2)])
@pytest.mark.parametrize("distribution", ["truncated_normal", "normal", "untruncated_normal", "uniform"])
def test_scale_zero_gives_zeros_from_the_same_words_as_any_scale(distribution, dtype, words_per_element):
    # docs/stream.md section 2: a fill of N elements of w words moves the generator by w*N, whatever the
    # parameters; std = 0 (section 8) draws the mean
    out, generator = accepted(lambda o, g: xi.variance_scaling_(o, 0.0, distribution=distribution, generator=g),
                              dtype)
    assert np.all(out == 0.0)
    assert generator.position == words_per_element * out.size
    _, scaled = accepted(lambda o, g: xi.variance_scaling_(o, 2.0, distribution=distribution, generator=g), dtype)
    assert scaled.position == generator.position


def test_describe_reports_the_degenerate_truncation_of_scale_zero():
    got = xi.describe("variance_scaling", (4, 5), scale=0.0)
    assert got == {"fan_in": 5, "fan_out": 4, "distribution": "trunc_normal", "mean": 0.0, "std": 0.0,
                   "a": 0.0, "b": 0.0}


def test_a_point_interval_with_std_zero_is_its_point():
    out, generator = accepted(lambda o, g: xi.trunc_normal_(o, 3.0, 0.0, 0.25, 0.25, generator=g))
    assert np.all(out == 0.25) and generator.position == out.size


# ------------------------------------------------------------------ threads

THREADS_SAID = r"an integer in \[1, 256\]"


@pytest.mark.parametrize("n, error", [(0, ValueError), (-1, ValueError), (257, ValueError), ("2", TypeError),
                                      (2.0, TypeError), (True, TypeError), (None, TypeError)])
def test_set_num_threads_says_what_it_accepts(n, error):
    before = xi.get_num_threads()
    with pytest.raises(error, match=rf"^set_num_threads: n must be {THREADS_SAID}, got "):
        xi.set_num_threads(n)
    assert xi.get_num_threads() == before


@pytest.mark.parametrize("n, error", [(0, ValueError), (-1, ValueError), (257, ValueError), ("2", TypeError),
                                      (2.0, TypeError)])
@pytest.mark.parametrize("fill", ["normal_", "xavier_uniform_", "random_bits_"])
def test_a_fills_threads_says_the_same_and_what_none_means(fill, n, error):
    dtype = np.uint32 if fill == "random_bits_" else np.float32
    words = rf"^{fill}: threads must be None \(the default, get_num_threads\(\)\) or {THREADS_SAID}, got "
    refused(lambda o, g: getattr(xi, fill)(o, generator=g, threads=n), error, words, dtype)


def test_both_ends_of_the_thread_range_are_accepted():
    before = xi.get_num_threads()
    try:
        for n in (1, 256):
            xi.set_num_threads(n)
            assert xi.get_num_threads() == n
            accepted(lambda o, g: xi.normal_(o, generator=g, threads=n))
    finally:
        xi.set_num_threads(before)


# --------------------------------------------------------- numbers as text

REAL_PARAMETERS = [
    ("xavier_uniform_", "gain", lambda o, g, v: xi.xavier_uniform_(o, v, generator=g)),
    ("xavier_normal_", "gain", lambda o, g, v: xi.xavier_normal_(o, v, generator=g)),
    ("kaiming_uniform_", "a", lambda o, g, v: xi.kaiming_uniform_(o, v, generator=g)),
    ("kaiming_normal_", "a", lambda o, g, v: xi.kaiming_normal_(o, v, generator=g)),
    ("variance_scaling_", "scale", lambda o, g, v: xi.variance_scaling_(o, v, generator=g)),
    ("uniform_", "low", lambda o, g, v: xi.uniform_(o, v, 2.0, generator=g)),
    ("uniform_", "high", lambda o, g, v: xi.uniform_(o, -1.0, v, generator=g)),
    ("normal_", "mean", lambda o, g, v: xi.normal_(o, v, generator=g)),
    ("normal_", "std", lambda o, g, v: xi.normal_(o, 0.0, v, generator=g)),
    ("trunc_normal_", "mean", lambda o, g, v: xi.trunc_normal_(o, v, generator=g)),
    ("trunc_normal_", "std", lambda o, g, v: xi.trunc_normal_(o, 0.0, v, generator=g)),
    ("trunc_normal_", "a", lambda o, g, v: xi.trunc_normal_(o, 0.0, 1.0, v, 3.0, generator=g)),
    ("trunc_normal_", "b", lambda o, g, v: xi.trunc_normal_(o, 0.0, 1.0, -3.0, v, generator=g)),
    ("constant_", "val", lambda o, g, v: xi.constant_(o, v)),
    ("orthogonal_", "gain", lambda o, g, v: xi.orthogonal_(o, v, generator=g)),
    ("sparse_", "std", lambda o, g, v: xi.sparse_(o, 0.5, v, generator=g)),
    ("identity_", "gain", lambda o, g, v: xi.identity_(o, v)),
    ("delta_orthogonal_", "scale", lambda o, g, v: xi.delta_orthogonal_(o.reshape(1, 4, 5), v, generator=g)),
]
TEXT = [("1.0", "str '1.0'"), (b"1", r"bytes b'1'"), (np.str_("1"), "str_ np.str_\\('1'\\)"),
        # numpy shows the array's dtype in the host's byte order: '<U3' on x86-64, '>U3' on s390x
        (np.array("1.0"), f"ndarray array\\('1.0', dtype='{np.dtype('U3').str}'\\)")]


@pytest.mark.parametrize("text, shown", TEXT, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("fill, name, call", REAL_PARAMETERS, ids=lambda v: v if isinstance(v, str) else "")
def test_a_number_given_as_text_is_a_type_error(fill, name, call, text, shown):
    refused(lambda o, g: call(o, g, text), TypeError, rf"^{fill}: {name} must be a real number, got {shown}$")


NOT_REAL = {"complex128": np.complex128(1.0), "complex_0d": np.array(1 + 0j), "complex": 1j, "list": [1.0],
            "array_1d": np.array([1.0])}


# constant_ takes a sequence or an array (it broadcasts them: tested in test_api.py), never a complex value
@pytest.mark.parametrize("fill, name, call, value", [
    pytest.param(fill, name, call, value, id=f"{fill}-{name}-{shown}")
    for fill, name, call in REAL_PARAMETERS for shown, value in NOT_REAL.items()
    if not (fill == "constant_" and np.ndim(value) == 1)
])
def test_a_complex_or_a_sequence_is_a_type_error(fill, name, call, value):
    refused(lambda o, g: call(o, g, value), TypeError, rf"^{fill}: {name} must be a real number, got ")


NUMBERS = [np.float32(1.5), np.float16(1.5), np.int64(1), np.array(1.5), np.array(1), np.True_, True, 1]


# kaiming's slope is the exception among bools: calculate_gain refuses a bool, as torch's does (tested below)
@pytest.mark.parametrize("fill, name, call, value", [
    pytest.param(fill, name, call, value, id=f"{fill}-{name}-{type(value).__name__}_{value}")
    for fill, name, call in REAL_PARAMETERS for value in NUMBERS
    if not (fill.startswith("kaiming") and isinstance(value, (bool, np.bool_)))
])
def test_numpy_scalars_0d_arrays_and_bools_are_numbers(fill, name, call, value):
    out, generator = accepted(lambda o, g: call(o, g, value))
    want, expected = accepted(lambda o, g: call(o, g, float(value)))
    assert out.tobytes() == want.tobytes() and generator.position == expected.position


@pytest.mark.parametrize("fill", ["kaiming_uniform_", "kaiming_normal_"])
@pytest.mark.parametrize("value", [True, np.False_])
def test_kaiming_refuses_a_bool_slope(fill, value):
    refused(lambda o, g: getattr(xi, fill)(o, value, generator=g), TypeError,
            rf"^{fill}: a \(the negative slope\) must be a real number, got bool")


@pytest.mark.parametrize("keyword", ["fan_in", "fan_out"])
@pytest.mark.parametrize("value, error, shown", [("3", TypeError, "str '3'"), (3.0, TypeError, "float 3.0"),
                                                 (True, TypeError, "bool True"), (-3, ValueError, "-3")])
def test_a_fan_must_be_a_non_negative_integer(keyword, value, error, shown):
    refused(lambda o, g: xi.xavier_uniform_(o, generator=g, **{keyword: value}), error,
            rf"^xavier_uniform_: {keyword} must be a non-negative integer, got {shown}$")


@pytest.mark.parametrize("value", [np.int64(3), np.array(3), np.uint8(3)], ids=lambda v: type(v).__name__)
def test_a_fan_may_be_a_numpy_integer(value):
    out, _ = accepted(lambda o, g: xi.xavier_uniform_(o, generator=g, fan_in=value))
    want, _ = accepted(lambda o, g: xi.xavier_uniform_(o, generator=g, fan_in=3))
    assert out.tobytes() == want.tobytes()
    assert xi.describe("xavier_uniform", (4, 5), fan_in=value)["fan_in"] == 3


@pytest.mark.parametrize("call, words", [
    (lambda: xi.describe("xavier_uniform", (4, 5), gain="2"), r"^describe\('xavier_uniform'\): gain must be a real "
                                                              r"number, got str '2'$"),
    (lambda: xi.describe("kaiming_normal", (4, 5), a="0.1"), r"^describe\('kaiming_normal'\): a must be a real"),
    (lambda: xi.describe("variance_scaling", (4, 5), scale=b"1"), r"^describe\('variance_scaling'\): scale must"),
    (lambda: xi.describe("xavier_uniform", (4, 5), fan_in="3"), r"^describe\('xavier_uniform'\): fan_in must be"),
    (lambda: xi.describe("xavier_uniform", (4, 5), bogus=1),
     r"^describe\('xavier_uniform'\): unexpected option 'bogus'; xavier_uniform takes gain$"),
    (lambda: xi.describe("variance_scaling", (4, 5), gain=1.0),
     r"^describe\('variance_scaling'\): unexpected option 'gain'; variance_scaling takes scale, mode, distribution$"),
    (lambda: xi.describe("lecun_normal", (4, 5), scale=1.0), r"takes no options$"),
    (lambda: xi._fans.fan_for_mode("3", 4, "fan_in"), r"^fan_for_mode: fan_in must be a number, got str '3'$"),
])
def test_describe_and_fan_for_mode_refuse_text_and_unknown_options(call, words):
    with pytest.raises(TypeError, match=words):
        call()


@pytest.mark.parametrize("call, words", [
    (lambda: xi.describe("xavier_uniform", (4, 5), gain=-2.0),
     r"^describe\('xavier_uniform'\): gain must be finite and >= 0, got -2\.0$"),
    (lambda: xi.describe("kaiming_uniform", (4, 5), mode="fan_avg"),
     r"^describe\('kaiming_uniform'\): mode 'fan_avg' not supported"),
    (lambda: xi.describe("xavier", (4, 5)), r"^describe: unknown initialiser 'xavier', use one of \('xavier_uniform'"),
    (lambda: xi._fans.fan_for_mode(-1, 4, "fan_geo_avg"), r"^fan_for_mode: fan_in must be >= 0, got -1$"),
])
def test_describe_and_fan_for_mode_refuse_bad_values(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# ------------------------------------------------ other inputs, other layers

@pytest.mark.parametrize("call, error, words", [
    (lambda o, g: xi.kaiming_uniform_(o, math.nan, generator=g), ValueError, r"^kaiming_uniform_: a must be finite"),
    (lambda o, g: xi.kaiming_uniform_(o, 1e200, generator=g), ValueError,
     r"^kaiming_uniform_: a=1e\+200 is too large: a\*\*2 overflows"),
    (lambda o, g: xi.kaiming_normal_(o, nonlinearity="swish", generator=g), ValueError,
     r"^kaiming_normal_: Unsupported nonlinearity 'swish'"),
    (lambda o, g: xi.xavier_uniform_(o, 10 ** 400, generator=g), ValueError,
     r"^xavier_uniform_: gain = 1000\d+ is too large for a float$"),
    (lambda o, g: xi.normal_(o, generator="seed"), TypeError,
     r"^normal_: generator must be an xinit_c.Generator or None \(the default generator\), got str$"),
    (lambda o, g: xi.lecun_uniform_(o, generator=1), TypeError, r"^lecun_uniform_: generator must be"),
    (lambda o, g: xi.uniform_(o, generator=g, global_shape=(8, 5), offset="1"), TypeError,
     r"^uniform_: offset must be a tuple of integers, one per dimension \(or, for a 1-D buffer, one integer: a flat "
     r"offset\), got str '1'$"),
    (lambda o, g: xi.uniform_(o, generator=g, global_shape=(8, 5), offset=("1", 0)), TypeError,
     r"^uniform_: offset must be an integer, got str '1'$"),
    (lambda o, g: xi.uniform_(o, generator=g, global_shape=(8, 5), offset=3), ValueError,
     r"^uniform_: offset must be a tuple of 2 integers for a 2-D buffer, got 3$"),
    (lambda o, g: xi.xavier_normal_(o, generator=g, global_shape=(4, "5")), TypeError,
     r"^xavier_normal_: global_shape must be a tuple of non-negative integers"),
    (lambda o, g: xi.xavier_uniform_(o, generator=g, global_shape=(4, 5), offset=(1, 0)), ValueError,
     r"^xavier_uniform_: a buffer of shape \(4, 5\) at offset \(1, 0\) does not fit"),
    (lambda o, g: xi.xavier_uniform_(o, generator=g, layout="caffe"), ValueError,
     r"^xavier_uniform_: layout must be one of \('torch', 'keras', 'jax'\), got 'caffe'$"),
    (lambda o, g: xi.zeros_(o.view("S4")), TypeError,
     r"^zeros_: cannot fill an array of dtype \|S4"),
])
def test_every_message_names_the_function(call, error, words):
    refused(call, error, words)


@pytest.mark.parametrize("fill", ["uniform_", "xavier_uniform_", "zeros_", "random_bits_"])
def test_a_read_only_buffer_is_named(fill):
    dtype = np.uint32 if fill == "random_bits_" else np.float32
    out = np.full((4, 5), SENTINEL, dtype)
    out.flags.writeable = False
    generator = xi.Generator(3)
    kwargs = {} if fill == "zeros_" else {"generator": generator}
    with pytest.raises(ValueError, match=rf"^{fill}: the output array is read-only \(its writeable flag is False\)"):
        getattr(xi, fill)(out, **kwargs)
    assert np.all(out == SENTINEL) and generator.position == 0


def test_a_list_cannot_be_filled_in_place_and_the_message_says_who_tried():
    with pytest.raises(TypeError, match=r"^normal_: cannot fill a list in place") as info:
        xi.normal_([1.0, 2.0])
    assert info.value.__cause__ is not None  # numpy's own reason stays attached


def test_an_empty_tensor_still_checks_its_options_and_threads():
    out = np.empty((0, 5), np.float32)
    with pytest.raises(TypeError, match=r"^xavier_uniform_: gain must be a real number"):
        xi.xavier_uniform_(out, "1")
    with pytest.raises(ValueError, match=r"^kaiming_normal_: threads must be None"):
        xi.kaiming_normal_(out, threads=0)
    with pytest.raises(TypeError, match=r"^lecun_normal_: generator must be"):
        xi.lecun_normal_(out, generator="seed")


# --------------------------------------------------- importing from the source

def _source_copy(tmp_path, with_setup):
    """The source tree as a fresh checkout has it: no compiled module."""
    if not (ROOT / "setup.py").exists():
        pytest.skip("the source tree is not beside these tests (run from an installed wheel's copy)")
    package = tmp_path / "xinit_c"
    package.mkdir()
    for pattern in ("*.py", "*.pyx"):
        for path in (ROOT / "xinit_c").glob(pattern):
            shutil.copy(path, package)
    shutil.copytree(ROOT / "src", tmp_path / "src")
    if with_setup:
        shutil.copy(ROOT / "setup.py", tmp_path)
    return tmp_path


def _run(args, cwd):
    require_child_python()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args", [["-c", "import xinit_c"], ["-m", "xinit_c", "info"]], ids=["import", "cli"])
def test_importing_from_the_source_tree_says_so(tmp_path, args):
    result = _run(args, _source_copy(tmp_path, with_setup=True))
    assert result.returncode != 0
    assert f"ImportError: xinit_c is being imported from its source tree ({tmp_path})" in result.stderr
    assert "run Python from another directory" in result.stderr and "pip install -e ." in result.stderr
    assert "No module named 'xinit_c._core'" in result.stderr, "the original error must stay chained"
    assert "circular" not in result.stderr


def test_outside_a_source_tree_the_original_import_error_stands(tmp_path):
    result = _run(["-c", "import xinit_c"], _source_copy(tmp_path, with_setup=False))
    assert result.returncode != 0
    assert "ModuleNotFoundError: No module named 'xinit_c._core'" in result.stderr
    assert "source tree" not in result.stderr
