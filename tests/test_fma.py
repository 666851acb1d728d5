"""The software fused multiply-add (src/soft_fma.h, src/soft_fma_sse2.h, src/fma.h;
docs/stream.md section 4) through its C driver tests/c/test_fma.c: against the
CPU's FMA instruction on random and constructed hard cases, and against exact
rational arithmetic (fractions.Fraction, rounded here) so that the check does
not rest on the hardware alone."""
import math
import os
import pathlib
import platform
import random
import shutil
import struct
import subprocess
from fractions import Fraction

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "c" / "test_fma.c"
NO_FMA = 77  # the driver's exit status when the CPU has no FMA instruction

pytestmark = pytest.mark.skipif(not (ROOT / "src" / "soft_fma.h").exists(),
                                reason="the C sources (src/) are not next to the tests")


def build(directory, compiler, *flags):
    """The driver built with `compiler`; no -lm, so a builtin fma that became a
    libm call fails to link instead of testing libm."""
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler {compiler!r} on PATH")
    exe = directory / ("test_fma_" + "_".join([compiler.replace("-", "_"), *[f.strip("-") for f in flags]]))
    subprocess.run([compiler, "-std=c99", "-O2", "-ffp-contract=off", "-Wall", "-Wextra", "-Werror", *flags,
                    f"-I{ROOT / 'src'}", str(DRIVER), "-o", str(exe)], check=True)
    return exe


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    return build(tmp_path_factory.mktemp("fma"), os.environ.get("CC", "cc"))


def run_against_hardware(exe, *args, runner=(), timeout=600):
    result = subprocess.run([*runner, str(exe), *args], capture_output=True, text=True, timeout=timeout,
                            check=False)
    if result.returncode == NO_FMA:
        pytest.skip(result.stdout.strip())
    return result


def totals(output):
    """{precision: (cases, mismatches)} from the driver's 'f32 total N cases M mismatches' lines."""
    found = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) == 6 and words[1] == "total":
            found[words[0]] = (int(words[2]), int(words[4]))
    return found


def per_category(output, precision):
    found = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) == 6 and words[0] == precision and words[1] != "total" and words[3] == "cases":
            found[words[1]] = (int(words[2]), int(words[4]))
    return found


def assert_no_mismatch(result, count, precisions=("f32", "f64")):
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    assert totals(result.stdout) == {p: (count, 0) for p in precisions}, result.stdout


COMPILERS = [pytest.param("cc", (), id="cc"), pytest.param("clang", (), id="clang")]
if platform.machine() in ("x86_64", "AMD64"):
    # with -mfma the dispatcher (fma.h) takes the builtin, which must be inlined
    COMPILERS.append(pytest.param("cc", ("-mfma",), id="cc-mfma"))


@pytest.mark.parametrize("compiler,flags", COMPILERS)
def test_soft_fma_equals_the_fma_instruction(tmp_path, compiler, flags):
    exe = build(tmp_path, compiler, *flags)
    count = 300_000
    result = run_against_hardware(exe, "--count", str(count), "--seed", "20260101")
    assert_no_mismatch(result, count)
    if "sse2 yes" not in result.stdout:
        assert platform.machine() not in ("x86_64", "AMD64"), "x86-64 driver built without the SSE2 versions"


def test_naive_emulations_fail_the_trap_cases(driver):
    # the cases have teeth: f32(f64(a*b) + c), and the binary64 fast path with
    # its low part rounded to nearest instead of to odd, both round twice
    result = run_against_hardware(driver, "--naive", "--count", "300000", "--seed", "5")
    assert result.returncode == 1, result.stdout[-4000:]
    for precision in ("f32", "f64"):
        traps, failed = per_category(result.stdout, precision)["trap"]
        assert failed > traps // 20, result.stdout


def test_aarch64_soft_fma_equals_fmadd_under_qemu(tmp_path):
    # there the scalar soft fma is compared with fmadd (qemu's exact softfloat)
    missing = [tool for tool in ("aarch64-linux-gnu-gcc", "qemu-aarch64-static") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"cross tools not installed ({', '.join(missing)}); .ci/run installs them")
    exe = build(tmp_path, "aarch64-linux-gnu-gcc", "-static")
    count = 100_000
    result = run_against_hardware(exe, "--count", str(count), "--seed", "3", runner=["qemu-aarch64-static"])
    assert_no_mismatch(result, count)
    assert "sse2 no" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("precision,seed", [("f32", 11), ("f64", 12)])
def test_soft_fma_equals_the_fma_instruction_on_a_billion_cases(driver, precision, seed):
    count = 1_000_000_000
    result = run_against_hardware(driver, "--precision", precision, "--count", str(count), "--seed", str(seed),
                                  timeout=3600)
    assert_no_mismatch(result, count, precisions=(precision,))


# ---------------- exact rational arithmetic ----------------

class Format:
    def __init__(self, name, precision, emax, width, pack):
        self.name, self.precision, self.emax, self.width, self.pack = name, precision, emax, width, pack
        self.emin_sub = 2 - emax - precision          # exponent of the smallest subnormal

    @property
    def largest(self):
        return (2 - Fraction(2) ** (1 - self.precision)) * 2 ** self.emax

    def bits(self, x):
        """Python float -> bits (rounded to nearest for binary32)"""
        return int.from_bytes(struct.pack("<" + self.pack, x), "little")

    def value(self, bits):
        """bits -> Python float (exact: binary32 values are binary64 values)"""
        return struct.unpack("<" + self.pack, bits.to_bytes(self.width // 8, "little"))[0]

    def is_nan(self, bits):
        exponent_all_ones = ((1 << (self.width - self.precision)) - 1) << (self.precision - 1)
        return bits & exponent_all_ones == exponent_all_ones and bits & ((1 << (self.precision - 1)) - 1) != 0

    def encode(self, negative, significand, exponent):
        """bits of (-1)^negative * significand * 2^exponent, significand < 2^p, rounded already"""
        sign = int(negative) << (self.width - 1)
        if significand == 0:
            return sign
        if significand >= 1 << (self.precision - 1):       # normal
            field = exponent + self.precision - 1 + self.emax
            return sign | field << (self.precision - 1) | (significand - (1 << (self.precision - 1)))
        assert exponent == self.emin_sub
        return sign | significand

    def infinity(self, negative):
        return int(negative) << (self.width - 1) | ((1 << (self.width - self.precision)) - 1) << (self.precision - 1)

    def round(self, x):
        """x (a nonzero Fraction) rounded to nearest-even in this format: bits"""
        negative, x = x < 0, abs(x)
        exponent = x.numerator.bit_length() - x.denominator.bit_length()
        if x < Fraction(2) ** exponent:
            exponent -= 1                                  # 2^exponent <= x < 2^(exponent+1)
        quantum = max(exponent - self.precision + 1, self.emin_sub)
        scaled = x / Fraction(2) ** quantum
        significand, rest = divmod(scaled.numerator, scaled.denominator)
        if 2 * rest > scaled.denominator or (2 * rest == scaled.denominator and significand & 1):
            significand += 1
        if significand == 1 << self.precision:            # carried into the next binade
            significand, quantum = significand >> 1, quantum + 1
        if quantum + self.precision > self.emax + 1:       # >= 2^(emax+1)
            return self.infinity(negative)
        return self.encode(negative, significand, quantum)

    def fma(self, a_bits, b_bits, c_bits):
        """The IEEE fusedMultiplyAdd from its definition: bits, or None for nan."""
        a, b, c = (self.value(x) for x in (a_bits, b_bits, c_bits))
        if a != a or b != b or c != c:
            return None
        if a in (float("inf"), float("-inf")) or b in (float("inf"), float("-inf")):
            if a == 0 or b == 0:
                return None                               # inf * 0
            product_negative = (a < 0) != (b < 0)
            if c in (float("inf"), float("-inf")) and (c < 0) != product_negative:
                return None                               # inf - inf
            return self.infinity(product_negative)
        if c in (float("inf"), float("-inf")):
            return self.infinity(c < 0)
        exact = Fraction(a) * Fraction(b) + Fraction(c)
        if exact != 0:
            return self.round(exact)
        if (a == 0 or b == 0) and c == 0:                  # (+-0) + (+-0): -0 only for two negative zeros
            product_negative = (math.copysign(1, a) < 0) != (math.copysign(1, b) < 0)
            return self.encode(product_negative and math.copysign(1, c) < 0, 0, 0)
        return self.encode(False, 0, 0)                    # exact cancellation: +0

    def midpoint_offset(self, a_bits, b_bits, c_bits):
        """(a*b + c) minus the nearest midpoint of this format's grid, in units of that grid's spacing"""
        x = abs(Fraction(self.value(a_bits)) * Fraction(self.value(b_bits)) + Fraction(self.value(c_bits)))
        exponent = x.numerator.bit_length() - x.denominator.bit_length() if x else self.emin_sub
        if x and x < Fraction(2) ** exponent:
            exponent -= 1
        spacing = Fraction(2) ** max(exponent - self.precision + 1, self.emin_sub)
        units = x / spacing
        return units - (units.numerator // units.denominator) - Fraction(1, 2)


F32 = Format("f32", 24, 127, 32, "f")
F64 = Format("f64", 53, 1023, 64, "d")
FORMATS = [pytest.param(F32, id="f32"), pytest.param(F64, id="f64")]


def check_exact(fmt, cases, scalar, sse2, labels):
    mismatches = []
    for (a, b, c), got_scalar, got_sse2, label in zip(cases, scalar, sse2, labels):
        expected = fmt.fma(a, b, c)
        for name, got in (("scalar", got_scalar), ("sse2", got_sse2)):
            ok = fmt.is_nan(got) if expected is None else got == expected
            if not ok:
                mismatches.append(f"{label} {name} a={a:#x} b={b:#x} c={c:#x} got={got:#x} "
                                  f"expected={'nan' if expected is None else hex(expected)}")
    assert not mismatches, "\n".join(mismatches[:20]) + f"\n({len(mismatches)} in all)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_driver_hard_cases_equal_exact_rational_fma(driver, fmt):
    # every category of the driver's generator, rounded here from the exact value
    count = 4000
    lines = subprocess.run([str(driver), "--dump", fmt.name, str(count), "99"], capture_output=True, text=True,
                           check=True, timeout=60).stdout.split("\n")[:count]
    rows = [line.split() for line in lines]
    assert len(rows) == count
    cases = [tuple(int(x, 16) for x in row[1:4]) for row in rows]
    check_exact(fmt, cases, [int(row[4], 16) for row in rows], [int(row[5], 16) for row in rows],
                [row[0] for row in rows])


@pytest.mark.parametrize("fmt", FORMATS)
def test_driver_constructions_are_what_they_claim(driver, fmt):
    # the generator's ties are exact midpoints, its traps within 2^-p of one
    # (so a rounding of the sum to the working precision lands on it)
    rows = [line.split() for line in subprocess.run([str(driver), "--dump", fmt.name, "3000", "7"],
                                                    capture_output=True, text=True, check=True,
                                                    timeout=60).stdout.splitlines()]
    ties = [tuple(int(x, 16) for x in row[1:4]) for row in rows if row[0] == "tie"]
    traps = [tuple(int(x, 16) for x in row[1:4]) for row in rows if row[0] == "trap"]
    assert len(ties) == len(traps) == 300
    assert all(fmt.midpoint_offset(*case) == 0 for case in ties)
    close = [case for case in traps if 0 < abs(fmt.midpoint_offset(*case)) < Fraction(1, 2 ** fmt.precision)]
    assert len(close) > len(traps) // 3


def evaluate(driver, fmt, cases):
    text = "".join(f"{a:x} {b:x} {c:x}\n" for a, b, c in cases)
    out = subprocess.run([str(driver), "--eval", fmt.name], input=text, capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    assert len(out) == 2 * len(cases)
    return [int(x, 16) for x in out[0::2]], [int(x, 16) for x in out[1::2]]


def python_cases(fmt, count, seed):
    """Cases made here, independently of the driver's generator: random bit
    patterns, c's exponent near a*b's, and c = -fl(a*b) moved by a few units."""
    rng = random.Random(seed)
    field_bits, fraction_bits = fmt.width - fmt.precision, fmt.precision - 1
    field_mask = ((1 << field_bits) - 1) << fraction_bits
    cases = []
    while len(cases) < count:
        a, b, c = (rng.getrandbits(fmt.width) for _ in range(3))
        kind = len(cases) % 3
        if kind == 1:
            field = ((a & field_mask) >> fraction_bits) + ((b & field_mask) >> fraction_bits) - fmt.emax \
                + rng.randint(-2 * fmt.precision, 2 * fmt.precision)
            if not 0 < field < (1 << field_bits) - 1:
                continue
            c = (c & ~field_mask) | field << fraction_bits
        elif kind == 2:
            product = fmt.value(a) * fmt.value(b)       # exact for binary32, fl(a*b) for binary64
            if not abs(product) < fmt.largest:
                continue
            c = (fmt.bits(-product) + rng.randint(-3, 3)) % (1 << fmt.width)
        cases.append((a, b, c))
    return cases


@pytest.mark.parametrize("fmt", FORMATS)
def test_python_made_cases_equal_exact_rational_fma(driver, fmt):
    cases = python_cases(fmt, 3000, 2026)
    scalar, sse2 = evaluate(driver, fmt, cases)
    check_exact(fmt, cases, scalar, sse2, ["python"] * len(cases))


# signed zeros, infinities, nan, the extremes, and the binary64 fast path's range limits
SPECIAL_VALUES = [0.0, -0.0, 1.0, -1.0, 0.5, 3.0, float("inf"), float("-inf"), float("nan")]
EXTREMES = {"f32": [2.0 ** -149, -2.0 ** -149, 2.0 ** -126, float(F32.largest), -float(F32.largest), 2.0 ** 64],
            "f64": [5e-324, -5e-324, 2.0 ** -1022, float(F64.largest), -float(F64.largest), 2.0 ** 995,
                    2.0 ** -960, 2.0 ** 500]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_combination_of_special_values(driver, fmt):
    values = [fmt.bits(v) for v in SPECIAL_VALUES + EXTREMES[fmt.name]]
    cases = [(a, b, c) for a in values for b in values for c in values]
    scalar, sse2 = evaluate(driver, fmt, cases)
    check_exact(fmt, cases, scalar, sse2, ["special"] * len(cases))
