#!/usr/bin/env python3
"""Research tool for stream contract 2: a division-free inverse normal CDF.

Regenerates every coefficient of docs/stream-v2-numerics.md and measures the errors quoted there:

    python tools/fit_inverse_normal.py --check        # fit, print coefficients, sampled errors (minutes)
    python tools/fit_inverse_normal.py --verify-fma   # FMA emulation against exact Fraction arithmetic
    python tools/fit_inverse_normal.py --exhaustive   # float32 over all 2^31 magnitudes (needs gcc)

Only numpy and mpmath are used for the numerics; gcc is used, when present, to compare the FMA emulation
with the hardware and to run the exhaustive float32 sweep with hardware FMA (bit-identical by definition, as
both compute correctly rounded fused multiply-adds).

Forms followed (our own fits, no published coefficients are used):
  * M. Giles, "Approximating the erfinv function", GPU Computing Gems Jade Edition, 2011:
    erfinv(x) = x * P(w) with w = -log((1 - x)(1 + x)), a polynomial in w on the central branch and a
    polynomial in sqrt(w) on the tail.
  * N. Juffa's erfinvf (both branches polynomials in log(1 - x^2)) for the idea of forming 1 - x^2 exactly.
  * S. Boldo and G. Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using rounding
    to odd", IEEE Trans. Computers 57(4), 2008, for the FMA emulation.
  * T. J. Dekker, "A floating-point technique for extending the available precision", Numer. Math. 18, 1971,
    for the exact product (Veltkamp splitting) and D. Knuth, TAOCP vol. 2, for the exact sum (TwoSum).
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile
from fractions import Fraction

import mpmath
import numpy as np

F32 = np.float32
F64 = np.float64


# ----------------------------------------------------------------------------------------------------------
# Exact fused multiply-add emulation
# ----------------------------------------------------------------------------------------------------------

def two_sum(a, b):
    """s = fl(a + b) and the exact error e = a + b - s (Knuth; exact whenever s does not overflow)."""
    s = a + b
    b_virtual = s - a
    e = (a - (s - b_virtual)) + (b - b_virtual)
    return s, e


def round_to_odd_f64(s, e):
    """The binary64 value nearest to s + e rounded to odd, given s = fl(s + e) and the exact error e.

    Round to odd keeps an inexact result off every even significand, so a later rounding to a format at least
    two bits narrower sees on which side of its midpoints the exact value lies (Boldo & Melquiond 2008)."""
    bits = s.view(np.int64).copy()
    inexact_and_even = (e != 0) & ((bits & 1) == 0) & np.isfinite(s)
    toward_larger_magnitude = np.signbit(e) == np.signbit(s)
    bits += np.where(inexact_and_even, np.where(toward_larger_magnitude, 1, -1), 0)
    return bits.view(F64)


def fma32(a, b, c):
    """Correctly rounded binary32 fma(a, b, c), for every input including subnormals, overflow, inf and nan.

    The product of two binary32 numbers is exact in binary64 (48 significant bits, exponents far inside the
    binary64 range), the sum is rounded to odd in binary64 (53 >= 24 + 2 bits), and the final rounding to
    binary32 is then correct."""
    with np.errstate(invalid="ignore", over="ignore"):
        a, b, c = (np.asarray(v, dtype=F32).astype(F64) for v in (a, b, c))
        s, e = two_sum(a * b, c)
        return round_to_odd_f64(s, e).astype(F32)


_VELTKAMP = F64(134217729.0)      # 2^27 + 1: splits a binary64 significand into 26 + 27 bits
_FAST_MAX_EXP = 995               # |a|, |b|, |c| < 2^995: the split and the sums cannot overflow
_FAST_MIN_PRODUCT_EXP = -960      # product and result >= 2^-960: the error terms are representable, no underflow


def two_product(a, b):
    """p = fl(a*b) and the exact error a*b - p (Dekker with Veltkamp splitting; exact if nothing under/overflows)."""
    p = a * b
    a_big = _VELTKAMP * a
    a_hi = a_big - (a_big - a)
    a_lo = a - a_hi
    b_big = _VELTKAMP * b
    b_hi = b_big - (b_big - b)
    b_lo = b - b_hi
    err = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, err


def fma64_fast_path_valid(a, b, c, product, result):
    """Where the Boldo-Melquiond emulation is proved exact: no overflow in the splits and sums, no underflow in
    the error terms. Zero products and results take the exact path too: the fast one may get a zero's sign wrong."""
    limit = F64(2.0 ** _FAST_MAX_EXP)
    floor = F64(2.0 ** _FAST_MIN_PRODUCT_EXP)
    with np.errstate(invalid="ignore"):
        return ((np.abs(a) < limit) & (np.abs(b) < limit) & (np.abs(c) < limit)
                & (np.abs(product) >= floor) & (np.abs(result) >= floor))


def fma64(a, b, c):
    """Correctly rounded binary64 fma(a, b, c) for every input.

    Fast path (Boldo & Melquiond 2008, FMA emulation): uh + ul = a*b exactly, th + tl = c + uh exactly,
    v = RO(tl + ul), result = RN(th + v). It is proved without underflow and overflow, so inputs whose
    exponents leave the safe range, and products or results below 2^-960, go through exact Fraction arithmetic.
    In the inverse normal transform every operand is far inside the safe range."""
    a, b, c = (np.asarray(v, dtype=F64) for v in (a, b, c))
    a, b, c = np.broadcast_arrays(a, b, c)
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        uh, ul = two_product(a, b)
        th, tl = two_sum(c, uh)
        s, e = two_sum(tl, ul)
        result = th + round_to_odd_f64(s, e)
        safe = fma64_fast_path_valid(a, b, c, uh, result)
    slow = np.flatnonzero(~safe)
    if slow.size:
        result = result.copy()
        flat = result.reshape(-1)
        for k in slow:
            flat[k] = _exact_fma_scalar(float(a.flat[k]), float(b.flat[k]), float(c.flat[k]), 53, -1022, 1023)
    return result


def round_scaled_integer(m, e, precision, emin, emax):
    """m * 2^e rounded to nearest-even in a binary format (precision bits, exponents emin..emax, subnormals).

    Returns a Python float holding the rounded value exactly (binary32 values are exact in a float)."""
    if m == 0:
        return 0.0
    negative = m < 0
    m = abs(m)
    exponent = max(e + m.bit_length() - 1, emin)
    shift = exponent - (precision - 1) - e
    if shift <= 0:
        q = m << -shift
    else:
        q = m >> shift
        remainder = m - (q << shift)
        half = 1 << (shift - 1)
        if remainder > half or (remainder == half and q & 1):
            q += 1
    if q == 1 << precision:
        q >>= 1
        exponent += 1
    if exponent > emax:
        return -math.inf if negative else math.inf
    value = math.ldexp(q, exponent - precision + 1)
    return -value if negative else value


def _exact_fma_scalar(a, b, c, precision, emin, emax):
    """IEEE fma in the given binary format by exact rational arithmetic (inputs already in that format)."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return a * b + c                                     # inf*0, inf - inf: IEEE float semantics decide
    if not math.isfinite(c):
        return c
    exact = Fraction(a) * Fraction(b) + Fraction(c)   # a power-of-two denominator: exact rational arithmetic
    if exact == 0:
        product_negative = math.copysign(1.0, a) * math.copysign(1.0, b) < 0
        both_negative_zeros = a * b == 0 and c == 0 and product_negative and math.copysign(1.0, c) < 0
        return -0.0 if both_negative_zeros else 0.0
    scale = exact.denominator.bit_length() - 1
    return round_scaled_integer(exact.numerator, -scale, precision, emin, emax)


def exact_fma32_scalar(a, b, c):
    return _exact_fma_scalar(a, b, c, 24, -126, 127)


def exact_fma64_scalar(a, b, c):
    return _exact_fma_scalar(a, b, c, 53, -1022, 1023)


# ----------------------------------------------------------------------------------------------------------
# Verification of the FMA emulation
# ----------------------------------------------------------------------------------------------------------

_FORMATS = {  # dtype: (unsigned view, precision, emin, emax)
    F32: (np.uint32, 24, -126, 127),
    F64: (np.uint64, 53, -1022, 1023),
}


def _random_values(rng, dtype, n, exponent_low, exponent_high):
    """Random significands at random exponents in [exponent_low, exponent_high], random signs."""
    unsigned, precision = _FORMATS[dtype][:2]
    one = np.asarray(dtype(1)).view(unsigned)[()]
    fraction = rng.integers(0, 2 ** (precision - 1), n, dtype=np.uint64).astype(unsigned)
    significand = (fraction | one).view(dtype).astype(F64)
    sign = np.where(rng.integers(0, 2, n) == 1, -1.0, 1.0)
    exponent = rng.integers(exponent_low, exponent_high + 1, n)
    with np.errstate(over="ignore", under="ignore"):
        return np.ldexp(sign * significand, exponent).astype(dtype)


def fma_test_cases(dtype, n_random, rng):
    """(a, b, c, kind) arrays: random bit patterns, operands that interact, and constructed hard cases."""
    unsigned, precision, emin, emax = _FORMATS[dtype]
    bits = np.iinfo(unsigned).bits
    cases = []

    def add(kind, a, b, c):
        a, b, c = (np.asarray(v, dtype=dtype) for v in (a, b, c))
        cases.append((a, b, c, np.full(a.shape, kind, dtype=object)))

    with np.errstate(all="ignore"):
        quarter = n_random // 4
        raw = rng.integers(0, 2 ** bits, (3, quarter), dtype=np.uint64).astype(unsigned).view(dtype)
        add("random bits", raw[0], raw[1], raw[2])
        # a*b and c of comparable size, so that the addition really rounds
        a = _random_values(rng, dtype, 3 * quarter, -30, 30)
        b = _random_values(rng, dtype, 3 * quarter, -30, 30)
        shift = rng.integers(-2 * precision - 4, 2 * precision + 4, 3 * quarter)
        c = np.ldexp(_random_values(rng, dtype, 3 * quarter, 0, 0).astype(F64), shift).astype(dtype) * (a * b)
        add("interacting", a, b, c)
        hard = max(n_random // 10, 1000)
        # cancellation: c = -fl(a*b), possibly nudged by a few ulps, leaves the product's rounding error
        a = _random_values(rng, dtype, hard, -40, 40)
        b = _random_values(rng, dtype, hard, -40, 40)
        c = -(a * b)
        nudge = rng.integers(-3, 4, hard)
        c = np.where(nudge == 0, c, c + nudge * np.spacing(c))
        add("cancellation", a, b, c)
        # exact ties: a*b = half an ulp of c (a a power of two), and near ties a hair either side
        c = _random_values(rng, dtype, hard, -20, 20)
        power = rng.integers(-10, 11, hard)
        a = np.ldexp(np.ones(hard), power).astype(dtype)
        half_ulp = np.spacing(c) / 2
        b = (half_ulp / a).astype(dtype) * np.where(rng.integers(0, 2, hard) == 1, -1, 1).astype(dtype)
        add("ties", a, b, c)
        wobble = (1 + np.where(rng.integers(0, 2, hard) == 1, 1, -1) * 2.0 ** -(precision // 2)).astype(dtype)
        add("near ties", a * wobble, b, c)
        # double-rounding traps: a*b = half an ulp of c times (1 - 2^-2q), a deviation too small to survive a
        # rounding of the sum to binary64, so a sum rounded to nearest first lands exactly on the midpoint
        q = rng.integers(precision // 2 + 4, precision, hard)
        a = np.ldexp(1 + np.ldexp(1.0, -q), power).astype(dtype)
        b = (b.astype(F64) * (1 - np.ldexp(1.0, -q))).astype(dtype)
        add("double-rounding traps", a, b, c)
        # subnormal and underflowing products, with c tiny too or zero
        a = _random_values(rng, dtype, hard, emin // 2 - precision, emin // 2 + 2)
        b = _random_values(rng, dtype, hard, emin // 2 - precision, emin // 2 + 2)
        c = np.where(rng.integers(0, 3, hard) == 0, 0, _random_values(rng, dtype, hard, emin - precision, emin + 4))
        add("subnormal products", a, b, c)
        # the overflow threshold: a*b at the largest finite value, c pushing it across or back
        a = _random_values(rng, dtype, hard, emax // 2, emax // 2)
        largest = np.finfo(dtype).max
        b = (largest / a).astype(dtype)
        c = np.spacing(largest) * rng.integers(-4, 5, hard) / 4
        add("overflow edge", a, b, c)
        specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, np.finfo(dtype).max,
                             np.finfo(dtype).tiny, np.finfo(dtype).smallest_subnormal], dtype=dtype)
        grid = np.array(np.meshgrid(specials, specials, specials)).reshape(3, -1)
        add("specials", grid[0], grid[1], grid[2])
    return tuple(np.concatenate(parts) for parts in zip(*cases))


def _same_bits(x, y):
    nan = np.isnan(x) & np.isnan(y)
    return nan | (x.view(_FORMATS[x.dtype.type][0]) == y.view(_FORMATS[y.dtype.type][0]))


def _hardware_fma(dtype, a, b, c):
    """The CPU's fused multiply-add on the same inputs, through a tiny C program; None without gcc or FMA."""
    if not os.path.exists("/proc/cpuinfo") or " fma" not in open("/proc/cpuinfo").read():
        return None
    ctype, fn = ("float", "__builtin_fmaf") if dtype == F32 else ("double", "__builtin_fma")
    source = f"""#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {{
    long n = atol(argv[1]);
    {ctype} *v = malloc(4 * n * sizeof *v);
    FILE *f = fopen(argv[2], "rb");
    if (fread(v, sizeof *v, 3 * n, f) != (size_t)(3 * n)) return 1;
    fclose(f);
    for (long i = 0; i < n; i++) v[3 * n + i] = {fn}(v[i], v[n + i], v[2 * n + i]);
    f = fopen(argv[3], "wb");
    fwrite(v + 3 * n, sizeof *v, n, f);
    fclose(f);
    return 0;
}}
"""
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "hw.c"), os.path.join(tmp, "hw")
        with open(src, "w") as handle:
            handle.write(source)
        try:
            subprocess.run(["gcc", "-O2", "-mfma", "-ffp-contract=off", "-o", exe, src], check=True)
        except (OSError, subprocess.CalledProcessError):
            return None
        inputs, outputs = os.path.join(tmp, "in.bin"), os.path.join(tmp, "out.bin")
        np.concatenate([a, b, c]).astype(dtype).tofile(inputs)
        subprocess.run([exe, str(a.size), inputs, outputs], check=True)
        return np.fromfile(outputs, dtype=dtype)


def verify_fma(n_random=1_000_000, seed=20260101):
    """Compare fma32/fma64 with exact Fraction arithmetic and with the hardware; returns True when all agree."""
    rng = np.random.default_rng(seed)
    all_good = True
    for dtype, emulated, exact in ((F32, fma32, exact_fma32_scalar), (F64, fma64, exact_fma64_scalar)):
        a, b, c, kind = fma_test_cases(dtype, n_random, rng)
        got = emulated(a, b, c)
        reference = np.array([exact(x, y, z) for x, y, z in zip(a.tolist(), b.tolist(), c.tolist())], dtype=dtype)
        agree = _same_bits(got, reference)
        hardware = _hardware_fma(dtype, a, b, c)
        hw_agree = None if hardware is None else _same_bits(got, hardware)
        name = dtype.__name__
        for label in dict.fromkeys(kind.tolist()):
            mask = kind == label
            hw = "no hardware FMA" if hw_agree is None else f"{int(np.sum(~hw_agree[mask]))} differ from hardware"
            print(f"  fma {name:8s} {label:20s} {int(mask.sum()):8d} cases: "
                  f"{int(np.sum(~agree[mask]))} differ from exact arithmetic, {hw}")
        if dtype == F64:
            with np.errstate(all="ignore"):
                fast = fma64_fast_path_valid(a, b, c, a * b, got)
            print(f"  fma float64: {int(fast.sum())} of {a.size} cases took the fast (Boldo-Melquiond) path")
        all_good &= bool(agree.all()) and (hw_agree is None or bool(hw_agree.all()))
    return all_good


# ----------------------------------------------------------------------------------------------------------
# Reference values (mpmath)
# ----------------------------------------------------------------------------------------------------------

def normal_tail_quantile(p, dps):
    """V(p) = Phi^-1(1 - p) for 0 < p <= 1/2, to about dps digits, as an mpf.

    Newton steps on erfc(V/sqrt 2) = 2p in the tail and on erf(V/sqrt 2) = 1 - 2p near the centre, so that
    neither equation cancels; the start is the tail asymptote or the central Taylor term."""
    with mpmath.workdps(dps + 10):
        p = mpmath.mpf(p)
        if p == mpmath.mpf(1) / 2:
            return mpmath.mpf(0)
        root2 = mpmath.sqrt(2)
        use_tail = p < mpmath.mpf(1) / 4
        if use_tail:
            t = mpmath.sqrt(-2 * mpmath.log(p))
            v = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t
                                                                    + 0.001308 * t ** 3)
        else:
            v = (1 - 2 * p) * mpmath.sqrt(mpmath.pi / 2)
        tolerance = mpmath.mpf(10) ** (-dps - 3)
        for _ in range(60):
            density = mpmath.exp(-v * v / 2) / mpmath.sqrt(2 * mpmath.pi)
            if use_tail:
                residual = mpmath.erfc(v / root2) / 2 - p        # decreasing in v
                step = residual / density
            else:
                residual = mpmath.erf(v / root2) / 2 - (mpmath.mpf(1) / 2 - p)
                step = -residual / density
            v += step
            if abs(step) <= tolerance * abs(v):
                break
        return +v


def central_factor(w, dps):
    """F(w) = V / x' where x' = 1 - 2p and w = -log(4p(1-p)) = -log(1 - x'^2): the function both branches fit."""
    with mpmath.workdps(dps + 10):
        w = mpmath.mpf(w)
        y = mpmath.exp(-w)
        root = mpmath.sqrt(1 - y)
        p = y / (2 * (1 + root))            # the smaller root of 4p(1-p) = y, without cancellation
        if w == 0:
            return mpmath.sqrt(mpmath.pi / 2)
        return normal_tail_quantile(p, dps) / root


# ----------------------------------------------------------------------------------------------------------
# Weighted minimax fitting (discrete Remez exchange in mpmath)
# ----------------------------------------------------------------------------------------------------------

def remez_weighted(nodes, targets, weights, powers, fixed=None, iterations=40):
    """Coefficients c_k (k in powers) minimising max weight(x) |fixed(x) + sum c_k x^k - g(x)| over the nodes.

    nodes, targets, weights: lists of mpf (a dense grid, e.g. Chebyshev points, g and a positive weight there,
    1/g for a relative error); fixed: values of the part of the polynomial already chosen (zeros if None).
    Returns (coefficients, weighted error)."""
    n = len(nodes)
    fixed = fixed or [mpmath.mpf(0)] * n
    m = len(powers)
    reference = sorted({round(k * (n - 1) / m) for k in range(m + 1)})
    best = None
    for _ in range(iterations):
        rows = []
        rhs = []
        for i, index in enumerate(reference):
            x = nodes[index]
            rows.append([x ** k for k in powers] + [(-1) ** i / weights[index]])
            rhs.append(targets[index] - fixed[index])
        solution = mpmath.lu_solve(mpmath.matrix(rows), mpmath.matrix(rhs))
        coefficients = [solution[k] for k in range(m)]
        levelled = abs(solution[m])
        errors = [weights[i] * (fixed[i] + sum(c * nodes[i] ** k for c, k in zip(coefficients, powers))
                                - targets[i]) for i in range(n)]
        worst = max(abs(e) for e in errors)
        if best is None or worst < best[1]:
            best = (coefficients, worst)
        if worst <= levelled * (1 + mpmath.mpf(10) ** -4):
            break
        reference = _alternating_extrema(errors, m + 1)
    return best


def _alternating_extrema(errors, count):
    """count grid indices where the error alternates in sign and is locally largest (the Remez exchange)."""
    segments = []
    for i, e in enumerate(errors):
        sign = e >= 0
        if segments and segments[-1][0] == sign:
            if abs(e) > abs(errors[segments[-1][1]]):
                segments[-1][1] = i
        else:
            segments.append([sign, i])
    while len(segments) > count:
        # dropping the smaller end keeps the alternation; otherwise merge the smallest interior pair
        first, last = abs(errors[segments[0][1]]), abs(errors[segments[-1][1]])
        if len(segments) - count == 1:
            segments.pop(0 if first < last else -1)
            continue
        smallest = min(range(len(segments)), key=lambda s: abs(errors[segments[s][1]]))
        if smallest in (0, len(segments) - 1):
            segments.pop(smallest)
            continue
        left, right = segments[smallest - 1], segments[smallest + 1]
        keep = left if abs(errors[left[1]]) >= abs(errors[right[1]]) else right
        segments[smallest - 1:smallest + 2] = [keep]
    if len(segments) < count:
        raise RuntimeError("Remez: the error does not alternate enough; degree too high for the grid")
    return [s[1] for s in segments]


def chebyshev_grid(low, high, count):
    low, high = mpmath.mpf(low), mpmath.mpf(high)
    return [(low + high) / 2 - (high - low) / 2 * mpmath.cos(mpmath.pi * k / (count - 1)) for k in range(count)]


def _round_mpf(x, dtype):
    """mpf rounded to nearest-even in binary32/binary64 (directly, not through a binary64 double rounding)."""
    precision = 24 if dtype == F32 else 53
    negative, man, exp, _ = mpmath.mpf(x)._mpf_       # |x| = man * 2^exp
    signed_man = -int(man) if negative else int(man)
    return dtype(round_scaled_integer(signed_man, int(exp), precision, -126 if dtype == F32 else -1022,
                                      127 if dtype == F32 else 1023))


def fit_rounded(nodes, targets, weights, powers, dtype):
    """Minimax fit, then coefficients rounded to the format one at a time, highest power first, refitting the
    lower ones after each rounding so that they absorb its error (the lower powers always form a Chebyshev
    system, so each refit is again a minimax problem; fixing the constant first would not be).
    Returns (dtype coefficients, weighted error of the rounded polynomial, that of the unrounded minimax one)."""
    fixed = [mpmath.mpf(0)] * len(nodes)
    chosen = []
    remaining = list(powers)
    unrounded_error = None
    while remaining:
        coefficients, error = remez_weighted(nodes, targets, weights, remaining, fixed)
        unrounded_error = error if unrounded_error is None else unrounded_error
        value = _round_mpf(coefficients[-1], dtype)
        chosen.insert(0, value)
        k = remaining.pop()
        fixed = [fx + mpmath.mpf(float(value)) * x ** k for fx, x in zip(fixed, nodes)]
    final_error = max(wt * abs(fx - g) for fx, g, wt in zip(fixed, targets, weights))
    return chosen, float(final_error), float(unrounded_error)


# ----------------------------------------------------------------------------------------------------------
# The transform: word -> z, every operation one IEEE operation in the working format
# ----------------------------------------------------------------------------------------------------------

class Format:
    """What the transform needs to know about its working format."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.unsigned, self.precision = _FORMATS[dtype][:2]
        self.signed = np.int32 if dtype == F32 else np.int64
        self.bits = 32 if dtype == F32 else 64
        self.fma = fma32 if dtype == F32 else fma64
        self.sqrt_half_bits = np.asarray(dtype(math.sqrt(0.5))).view(self.signed)[()]

    def from_unsigned(self, n):
        """Correctly rounded conversion of an unsigned word. In C on SSE2 the same single rounding comes from
        adding the exactly converted high and low halves: fl(fl(n >> h) * 2^h + fl(n & (2^h - 1)))."""
        half = self.bits // 2
        high = (n >> self.unsigned(half)).astype(F64) * F64(2.0 ** half)
        low = (n & self.unsigned(2 ** half - 1)).astype(F64)
        if self.dtype == F32:
            return (high + low).astype(F32)      # both addends and the sum exact in f64 below 2^32: one rounding
        return high + low


class Branch:
    """One polynomial branch: P(variable - center), variable w or sqrt(w), used for w < upper."""

    def __init__(self, variable, upper, center, coefficients):
        self.variable, self.upper, self.center = variable, upper, center
        self.coefficients = coefficients          # lowest power first, already rounded to the format


class Design:
    def __init__(self, dtype, log_coefficients, branches, ln2_split):
        self.fmt = Format(dtype)
        self.log_coefficients = log_coefficients  # R(t), log1p(t) = t + t^2 R(t), lowest power first
        self.branches = branches                  # central first; thresholds increasing
        self.ln2_split = ln2_split                # (hi, lo) or (ln2,) rounded to the format


def horner(fma, coefficients, x):
    accumulator = np.full(x.shape, coefficients[-1], dtype=x.dtype)
    for c in reversed(coefficients[:-1]):
        accumulator = fma(accumulator, x, np.full(x.shape, c, dtype=x.dtype))
    return accumulator


def minus_log(y, design):
    """-ln(y) for normal y > 0 without division: y = 2^k f, f in [sqrt(1/2), sqrt 2) by integer arithmetic on
    the encoding, t = f - 1 (exact, Sterbenz), ln f = t + t^2 R(t), ln y = k ln2 + ln f."""
    fmt = design.fmt
    T, S = fmt.dtype, fmt.signed
    mantissa_bits = S(fmt.precision - 1)
    encoding = y.view(S)
    k = (encoding - fmt.sqrt_half_bits) >> mantissa_bits          # arithmetic shift
    f = (encoding - (k << mantissa_bits)).view(T)
    t = f - T(1)
    r = horner(fmt.fma, design.log_coefficients, t)
    log_f = fmt.fma(t * t, r, t)
    k_float = k.astype(T)                                         # |k| < 64: exact
    if len(design.ln2_split) == 2:
        hi, lo = (np.full(y.shape, c, dtype=T) for c in design.ln2_split)
        log_y = fmt.fma(k_float, hi, fmt.fma(k_float, lo, log_f))
    else:
        log_y = fmt.fma(k_float, np.full(y.shape, design.ln2_split[0], dtype=T), log_f)
    return -log_y


def transform(words, design, return_parts=False):
    """z for each word: z = s ? -V(p) : V(p), p = (j + 1/2) 2^-bits, via x' = 1 - 2p and w = -ln((1-x')(1+x')).

    Every branch is evaluated on every element, as a vector kernel without early exit would; the choice is a
    select on w, so the value never depends on which other elements share a vector."""
    fmt = design.fmt
    T, U = fmt.dtype, fmt.unsigned
    words = np.asarray(words, dtype=U)
    scale = T(2.0 ** -fmt.bits)
    twice_p_plus = (words << U(1)) | U(1)                 # 2j + 1 = 2p 2^bits, exact
    one_minus_twice_p = (~twice_p_plus) + U(1)            # 2^bits - (2j + 1) = x' 2^bits, exact
    u = fmt.from_unsigned(twice_p_plus) * scale           # 2p = 1 - x' (one rounding)
    x_prime = fmt.from_unsigned(one_minus_twice_p) * scale  # x' (one rounding: full relative accuracy near 0)
    with np.errstate(invalid="ignore"):
        y = fmt.fma(-u, u, u + u)                         # (1 - x')(1 + x') = u (2 - u), one rounding
        w = minus_log(y, design)
        factor = np.zeros_like(w)
        chosen = np.zeros(w.shape, dtype=bool)
        for branch in design.branches:
            variable = w if branch.variable == "w" else np.sqrt(w)
            if branch.center != 0:
                variable = variable - T(branch.center)
            value = horner(fmt.fma, branch.coefficients, variable)
            use = ~chosen & ((w < T(branch.upper)) if branch.upper is not None else True)
            factor = np.where(use, value, factor)
            chosen |= use
        magnitude = x_prime * factor
    sign = (words >> U(fmt.bits - 1)) << U(fmt.bits - 1)
    z = (magnitude.view(U) ^ sign).view(T)
    if return_parts:
        return z, w
    return z


# ----------------------------------------------------------------------------------------------------------
# Fitting a design
# ----------------------------------------------------------------------------------------------------------

def smallest_w(dtype):
    """Largest w the transform meets: p = 2^-(bits+1) at j = 0, with some room for the rounding of y."""
    bits = 32 if dtype == F32 else 64
    p = mpmath.mpf(2) ** -(bits + 1)
    return -mpmath.log(4 * p * (1 - p)) * (1 + mpmath.mpf(2) ** -20)


def fit_log(dtype, degree, grid, dps):
    """R(t) with log1p(t) = t + t^2 R(t) on t in [sqrt(1/2) - 1, sqrt 2 - 1], minimax in relative error."""
    with mpmath.workdps(dps):
        low = mpmath.mpf(float(dtype(math.sqrt(0.5)))) - 1
        high = 2 * mpmath.mpf(float(dtype(math.sqrt(0.5)))) - 1
        nodes = [t for t in chebyshev_grid(low, high, grid) if t != 0]
        targets = [(mpmath.log1p(t) - t) / t ** 2 for t in nodes]
        weights = [abs(t ** 2 / mpmath.log1p(t)) for t in nodes]
        return fit_rounded(nodes, targets, weights, list(range(degree + 1)), dtype)


def fit_branch(dtype, variable, w_low, w_high, degree, grid, dps, centered=False):
    """Branch polynomial for F(w) = V/x' in w - c or sqrt(w) - c, minimax in relative error.

    c is the left end of the interval unless centered: F has positive Taylor coefficients there, so Horner's
    terms all add without cancellation; a centre in the middle would alternate their signs."""
    with mpmath.workdps(dps):
        w_low, w_high = mpmath.mpf(w_low), mpmath.mpf(w_high)
        if variable == "w":
            low, high = w_low, w_high
        else:
            low, high = mpmath.sqrt(w_low), mpmath.sqrt(w_high)
        anchor = (low + high) / 2 if centered else low
        center = float(mpmath.nint(anchor * 16) / 16)               # a short constant, exact in any format
        nodes = chebyshev_grid(low, high, grid)
        targets = [central_factor(v if variable == "w" else v * v, dps) for v in nodes]
        weights = [1 / g for g in targets]
        shifted = [v - center for v in nodes]
        coefficients, error, unrounded = fit_rounded(shifted, targets, weights, list(range(degree + 1)), dtype)
        return Branch(variable, None, center, coefficients), error, unrounded


def largest_w(dtype):
    """w at the truncated normal's smallest tail probability PMIN (docs/stream.md section 8), with the same room."""
    pmin = mpmath.mpf(2) ** (-96 if dtype == F32 else -1022)
    return -mpmath.log(4 * pmin) * (1 + mpmath.mpf(2) ** -20)


def fit_design(dtype, log_degree, branch_specs, grid, dps, ln2_split):
    """branch_specs: [(variable, threshold, fitted up to, degree)], central first. A branch serves w from the
    previous threshold up to its own (None: the last branch) and is fitted up to "normal" (the largest w a
    normal fill reaches), "pmin" (the largest a truncated normal reaches) or its threshold. Returns a Design."""
    log_coefficients, log_error, log_unrounded = fit_log(dtype, log_degree, grid, dps)
    print(f"  log1p(t) = t + t^2 R(t), R of degree {log_degree}: relative error {log_error:.3g} "
           f"(unrounded minimax {log_unrounded:.3g})")
    branches = []
    w_low = mpmath.mpf(0)
    fitted_up_to = {"normal": smallest_w(dtype), "pmin": largest_w(dtype)}
    for variable, upper, fit_high, degree in branch_specs:
        w_high = fitted_up_to.get(fit_high) or mpmath.mpf(upper)
        branch, error, unrounded = fit_branch(dtype, variable, w_low, w_high, degree, grid, dps)
        branch.upper = upper
        branches.append(branch)
        print(f"  branch {variable:4s} w in [{float(w_low):g}, {float(w_high):.6g}], degree {degree}, centre "
               f"{branch.center}: relative error {error:.3g} (unrounded minimax {unrounded:.3g})")
        w_low = mpmath.mpf(upper) if upper is not None else None
    if ln2_split == 2:
        with mpmath.workdps(60):
            ln2 = mpmath.log(2)
            hi = dtype(float(mpmath.nint(ln2 * 2 ** (_FORMATS[dtype][1] - 8)) / 2 ** (_FORMATS[dtype][1] - 8)))
            lo = _round_mpf(ln2 - mpmath.mpf(float(hi)), dtype)
        split = (hi, lo)
    else:
        split = (_round_mpf(mpmath.log(2), dtype),)
    return Design(dtype, log_coefficients, branches, split)


# ----------------------------------------------------------------------------------------------------------
# Exhaustive float32 sweep: the same transform in C with hardware FMA
# ----------------------------------------------------------------------------------------------------------

def _c_float(value):
    return f"{float(value).hex()}f"


def _c_horner(name, coefficients, variable):
    lines = [f"    float {name} = {_c_float(coefficients[-1])};"]
    for c in reversed(coefficients[:-1]):
        lines.append(f"    {name} = __builtin_fmaf({name}, {variable}, {_c_float(c)});")
    return "\n".join(lines)


def c_source_float32(design):
    """A C translation of transform() for binary32, one IEEE operation per line, for the exhaustive sweep.

    Its reference is two Newton steps in binary64 on erfc (tail) or erf (centre) from the binary32 result."""
    fmt = design.fmt
    body = [_c_horner("r", design.log_coefficients, "t")]
    if len(design.ln2_split) == 2:
        body.append(f"    float log_y = __builtin_fmaf(kf, {_c_float(design.ln2_split[0])}, "
                    f"__builtin_fmaf(kf, {_c_float(design.ln2_split[1])}, log_f));")
    else:
        body.append(f"    float log_y = __builtin_fmaf(kf, {_c_float(design.ln2_split[0])}, log_f);")
    branches = []
    for index, branch in enumerate(design.branches):
        variable = "w" if branch.variable == "w" else "sqrtf(w)"
        shift = f" - {_c_float(branch.center)}" if branch.center != 0 else ""
        branches.append(f"    float v{index} = {variable}{shift};")
        branches.append(_c_horner(f"p{index}", branch.coefficients, f"v{index}"))
    select = f"p{len(design.branches) - 1}"
    for index in reversed(range(len(design.branches) - 1)):
        select = f"(w < {_c_float(design.branches[index].upper)}) ? p{index} : ({select})"
    return f"""#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float transform(uint32_t word, float *w_out) {{
    uint32_t twice_p_plus = (word << 1) | 1u;
    uint32_t one_minus_twice_p = 0u - twice_p_plus;
    float u = (float)twice_p_plus * 0x1p-32f;
    float x_prime = (float)one_minus_twice_p * 0x1p-32f;
    float y = __builtin_fmaf(-u, u, u + u);
    int32_t encoding;
    memcpy(&encoding, &y, 4);
    int32_t k = (encoding - {int(fmt.sqrt_half_bits)}) >> 23;
    int32_t reduced = encoding - (int32_t)((uint32_t)k << 23);
    float f;
    memcpy(&f, &reduced, 4);
    float t = f - 1.0f;
{body[0]}
    float log_f = __builtin_fmaf(t * t, r, t);
    float kf = (float)k;
{body[1]}
    float w = -log_y;
    if (w_out) *w_out = w;
{chr(10).join(branches)}
    float magnitude = x_prime * ({select});
    uint32_t bits;
    memcpy(&bits, &magnitude, 4);
    bits ^= word & 0x80000000u;
    memcpy(&magnitude, &bits, 4);
    return magnitude;
}}

/* V(p) to binary64 accuracy: two Newton steps from the binary32 value */
static double reference(uint32_t j, double start) {{
    double p = ((double)j + 0.5) * 0x1p-32;
    double half_minus_p = (0x1p31 - (double)j - 0.5) * 0x1p-32;
    double v = start;
    for (int step = 0; step < 2; step++) {{
        double density = exp(-0.5 * v * v) * 0.398942280401432677939946059934;
        double residual = p < 0.25 ? 0.5 * erfc(v * 0.707106781186547524400844362105) - p
                                   : half_minus_p - 0.5 * erf(v * 0.707106781186547524400844362105);
        v += residual / density;
    }}
    return v;
}}

int main(int argc, char **argv) {{
    if (argc == 4 && strcmp(argv[1], "eval") == 0) {{          /* words file -> results file */
        FILE *in = fopen(argv[2], "rb"), *out = fopen(argv[3], "wb");
        uint32_t word;
        while (fread(&word, 4, 1, in) == 1) {{
            float z = transform(word, NULL);
            fwrite(&z, 4, 1, out);
        }}
        fclose(in);
        fclose(out);
        return 0;
    }}
    /* sweep: every magnitude j (the sign bit only flips the sign), max ulp per band of j */
    static const char *names[] = {{"j < 2^8", "2^8 <= j < 2^16", "2^16 <= j < 2^24", "2^24 <= j < 2^30",
                                  "2^30 <= j < 2^31", "central branch", "tail branches"}};
    double worst[7] = {{0}};
    uint32_t worst_j[7] = {{0}};
    uint64_t histogram[9] = {{0}};
    for (uint64_t jj = 0; jj < (1ull << 31); jj++) {{
        uint32_t j = (uint32_t)jj;
        float w;
        float z = transform(j, &w);
        double ref = reference(j, z);
        int exponent;
        frexp(ref, &exponent);
        double ulps = fabs((double)z - ref) / ldexp(1.0, exponent - 24);
        int band = j < (1u << 8) ? 0 : j < (1u << 16) ? 1 : j < (1u << 24) ? 2 : j < (1u << 30) ? 3 : 4;
        int central = w < {_c_float(design.branches[0].upper)};
        int bins[2] = {{band, central ? 5 : 6}};
        for (int b = 0; b < 2; b++)
            if (ulps > worst[bins[b]]) {{ worst[bins[b]] = ulps; worst_j[bins[b]] = j; }}
        int h = (int)(ulps * 2.0);
        histogram[h > 8 ? 8 : h]++;
    }}
    for (int b = 0; b < 7; b++) printf("%-18s max %.4f ulp at j = %u\\n", names[b], worst[b], worst_j[b]);
    for (int h = 0; h < 8; h++)
        printf("ulp in [%.1f, %.1f): %llu\\n", h / 2.0, h / 2.0 + 0.5, (unsigned long long)histogram[h]);
    printf("ulp >= 4: %llu\\n", (unsigned long long)histogram[8]);
    return 0;
}}
"""


# ----------------------------------------------------------------------------------------------------------
# Sampled error measurement against mpmath
# ----------------------------------------------------------------------------------------------------------

def refine_quantile(p, start, dps):
    """V(p) from a start accurate to a few ulps: Newton steps at dps digits until the step is negligible."""
    with mpmath.workdps(dps):
        p = mpmath.mpf(p)
        v = mpmath.mpf(start)
        root2 = mpmath.sqrt(2)
        tolerance = mpmath.mpf(10) ** (-dps + 5)
        for _ in range(8):
            density = mpmath.exp(-v * v / 2) / mpmath.sqrt(2 * mpmath.pi)
            if p < mpmath.mpf(1) / 4:
                step = (mpmath.erfc(v / root2) / 2 - p) / density
            else:
                step = ((mpmath.mpf(1) / 2 - p) - mpmath.erf(v / root2) / 2) / density
            v += step
            if abs(step) <= tolerance * abs(v):
                return v
        raise RuntimeError(f"no convergence at p = {p}")


def ulp_errors(words, z, fmt, dps):
    """|z - V(p)| in ulps of V(p) (its binade's spacing in the format), signs taken into account."""
    bits = fmt.bits
    magnitude_mask = (1 << (bits - 1)) - 1
    errors = np.empty(len(words))
    scale = mpmath.mpf(2) ** -bits
    with mpmath.workdps(dps):
        for i, (word, value) in enumerate(zip(words.tolist(), z.tolist())):
            j = word & magnitude_mask
            p = (mpmath.mpf(j) + mpmath.mpf(1) / 2) * scale
            negative = word >> (bits - 1)
            exact = refine_quantile(p, abs(value) if value != 0 else 1e-30, dps)
            exact = -exact if negative else exact
            _, exponent = mpmath.frexp(exact)
            errors[i] = float(abs(mpmath.mpf(value) - exact) / mpmath.ldexp(1, exponent - fmt.precision))
    return errors


def sample_words(fmt, design, n, rng):
    """Words spread over the whole range of p: uniform, log-uniform in j (both tails), near p = 1/2, around each
    branch threshold, and every j < 2^8; random sign bits."""
    bits = fmt.bits
    top = 2 ** (bits - 1)
    parts = [
        rng.integers(0, top, n * 4 // 10, dtype=np.uint64),
        np.floor(np.exp2(rng.uniform(0, bits - 1, n * 4 // 10))).astype(np.uint64),
        np.uint64(top - 1) - np.floor(np.exp2(rng.uniform(0, bits - 1, n // 10))).astype(np.uint64),
        np.arange(256, dtype=np.uint64),
    ]
    for branch in design.branches[:-1]:
        with mpmath.workdps(30):
            y = mpmath.exp(-mpmath.mpf(branch.upper))
            p = y / (2 * (1 + mpmath.sqrt(1 - y)))
            j = int(p * mpmath.mpf(2) ** bits)
        spread = max(j // 1000, 1000)
        parts.append(np.uint64(j) + rng.integers(-spread, spread, n // 20).astype(np.int64).astype(np.uint64))
    magnitudes = np.minimum(np.concatenate(parts), np.uint64(top - 1))
    signs = rng.integers(0, 2, magnitudes.size, dtype=np.uint64) << np.uint64(bits - 1)
    return (magnitudes | signs).astype(fmt.unsigned)


def error_table(words, errors, fmt, design):
    """Rows (label, count, max ulp, j at max) by band of p and by branch."""
    bits = fmt.bits
    j = (words & fmt.unsigned(2 ** (bits - 1) - 1)).astype(np.uint64).astype(float)
    log2_p = np.log2(j + 0.5) - bits
    _, w = transform(words, design, return_parts=True)
    rows = []
    bands = [(-np.inf, -bits + 4, f"p < 2^{-bits + 4}"), (-bits + 4, -24, f"2^{-bits + 4} <= p < 2^-24"),
             (-24, -8, "2^-24 <= p < 2^-8"), (-8, -2, "2^-8 <= p < 2^-2"), (-2, 0, "2^-2 <= p <= 1/2")]
    for low, high, label in bands:
        rows.append((label, (log2_p >= low) & (log2_p < high)))
    chosen = np.zeros(words.shape, dtype=bool)
    for index, branch in enumerate(design.branches):
        use = ~chosen & ((w < fmt.dtype(branch.upper)) if branch.upper is not None else True)
        chosen |= use
        rows.append((f"branch {index} ({branch.variable})", use))
    rows.append(("all", np.ones(words.shape, dtype=bool)))
    table = []
    for label, mask in rows:
        if mask.any():
            k = np.flatnonzero(mask)[np.argmax(errors[mask])]
            table.append((label, int(mask.sum()), float(errors[k]), int(words[k]) & (2 ** (bits - 1) - 1)))
        else:
            table.append((label, 0, float("nan"), -1))
    return table


# ----------------------------------------------------------------------------------------------------------
# The chosen designs and the command line
# ----------------------------------------------------------------------------------------------------------

# (log degree, [(variable, upper w, degree)], grid size, mpmath digits, ln2 constants).
# float32: threshold 6.25 puts 99.90% of the mass in the central branch; float64 keeps 5 (99.66%), because there
# the central degree grows quickly with the threshold (21 at 5, 24 at 6.25 for the same accuracy).
# The branches after the one fitted up to "normal" (the first fitted from its threshold, inside that branch's
# fitted range, the last up to PMIN) are reached only by truncated normals: a normal fill's p >= 2^-33 (2^-65) keeps w below 21.49 (43.67).
FLOAT32_DESIGN = (7, [("w", 6.25, None, 10), ("sqrt", 21.25, "normal", 9), ("sqrt", None, "pmin", 7)], 200, 25, 1)
# float64's far range (sqrt(w) from 6.6 to 26.6) is cut in three: one polynomial over all of it (degree 30, fitted
# to 9.6e-17) lost up to 58,000 ulp when evaluated, its Horner terms growing to hundreds and cancelling.
FLOAT64_DESIGN = (19, [("w", 5.0, None, 21), ("sqrt", 12.0, None, 18), ("sqrt", 43.5, "normal", 22),
                       ("sqrt", 110.0, None, 16), ("sqrt", 280.0, None, 16), ("sqrt", None, "pmin", 16)], 300, 45, 2)


def build(dtype):
    log_degree, branches, grid, dps, ln2_split = FLOAT32_DESIGN if dtype == F32 else FLOAT64_DESIGN
    with mpmath.workdps(dps):
        return fit_design(dtype, log_degree, branches, grid, dps, ln2_split)


def _hex(value):
    """C99 hex float, trailing zero digits dropped (a binary32 value needs at most 6 after the point)."""
    mantissa, exponent = float(value).hex().split("p")
    return f"{mantissa.rstrip('0').rstrip('.')}p{exponent}"


def _decimal(value, dtype):
    return f"{float(value):.9e}" if dtype == F32 else f"{float(value):.17e}"


def print_design(design):
    dtype = design.fmt.dtype
    print("  ln2 constant(s): " + ", ".join(f"{_hex(c)} ({_decimal(c, dtype)})" for c in design.ln2_split))
    print("  R (log1p(t) = t + t^2 R(t)), lowest power first:")
    for k, c in enumerate(design.log_coefficients):
        print(f"    r{k:<2d} {_hex(c):>24s}  {_decimal(c, dtype)}")
    for index, branch in enumerate(design.branches):
        bound = f"w < {branch.upper}" if branch.upper is not None else "otherwise"
        variable = "w" if branch.variable == "w" else "sqrt(w)"
        shifted = f"{variable} - {branch.center}" if branch.center != 0 else variable
        print(f"  branch {index} ({bound}): P({shifted}), lowest power first:")
        for k, c in enumerate(branch.coefficients):
            print(f"    c{k:<2d} {_hex(c):>24s}  {_decimal(c, dtype)}")


def operation_counts(design):
    """IEEE operations per element: shared part, each branch, and the final combination."""
    shared = {"integer": 2 + 4, "convert": 2 + 1, "multiply": 2 + 1, "add/sub": 1 + 1 + 1,
              "fma": 1 + len(design.log_coefficients) - 1 + 1 + len(design.ln2_split)}
    branches = []
    for branch in design.branches:
        branches.append({"sqrt": int(branch.variable == "sqrt"), "add/sub": int(branch.center != 0),
                         "fma": len(branch.coefficients) - 1})
    final = {"compare+select": len(design.branches) - 1, "multiply": 1, "integer": 1}
    return shared, branches, final


def check_sampled(design, n, seed, dps):
    fmt = design.fmt
    words = sample_words(fmt, design, n, np.random.default_rng(seed))
    z = transform(words, design)
    errors = ulp_errors(words, z, fmt, dps)
    print(f"  {words.size} words, errors in ulps of the exact V(p) (mpmath, {dps} digits):")
    for label, count, worst, j in error_table(words, errors, fmt, design):
        print(f"    {label:24s} {count:8d} points  max {worst:.3f} ulp  (at j = {j})")
    return float(errors.max())


def exhaustive_float32(design):
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "sweep.c"), os.path.join(tmp, "sweep")
        with open(src, "w") as handle:
            handle.write(c_source_float32(design))
        subprocess.run(["gcc", "-O2", "-mfma", "-ffp-contract=off", "-fno-math-errno", "-o", exe, src, "-lm"],
                       check=True)
        rng = np.random.default_rng(7)
        edge = np.arange(2 ** 16, dtype=np.uint32)
        words = np.concatenate([rng.integers(0, 2 ** 32, 2 ** 21, dtype=np.uint64).astype(np.uint32), edge,
                                np.uint32(2 ** 31 - 1) - edge, np.uint32(2 ** 32 - 1) - edge])
        words_file, out_file = os.path.join(tmp, "words.bin"), os.path.join(tmp, "out.bin")
        words.tofile(words_file)
        subprocess.run([exe, "eval", words_file, out_file], check=True)
        hardware = np.fromfile(out_file, dtype=F32)
        differ = int(np.sum(hardware.view(np.uint32) != transform(words, design).view(np.uint32)))
        print(f"  C with hardware FMA vs the numpy emulation on {words.size} words: {differ} differ")
        print("  sweeping all 2^31 magnitudes (a few minutes) ...", flush=True)
        subprocess.run([exe], check=True)
        return differ == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fit, print coefficients and sampled errors")
    parser.add_argument("--verify-fma", action="store_true", help="FMA emulation against exact arithmetic")
    parser.add_argument("--exhaustive", action="store_true", help="float32 over all 2^31 magnitudes (gcc)")
    parser.add_argument("--points32", type=int, default=20_000, help="sampled float32 points for --check")
    parser.add_argument("--points64", type=int, default=1_000_000, help="sampled float64 points for --check")
    parser.add_argument("--fma-cases", type=int, default=1_000_000, help="random cases for --verify-fma")
    args = parser.parse_args()
    if not (args.check or args.verify_fma or args.exhaustive):
        parser.error("nothing to do: give --check, --verify-fma or --exhaustive")
    good = True
    if args.verify_fma:
        print("FMA emulation:")
        good &= verify_fma(args.fma_cases)
    if args.check or args.exhaustive:
        print("float32 design:")
        design32 = build(F32)
        if args.check:
            print_design(design32)
            print(f"  operations per element (shared, per branch, final): {operation_counts(design32)}")
            check_sampled(design32, args.points32, 1, 20)
        if args.exhaustive:
            good &= exhaustive_float32(design32)
    if args.check:
        print("float64 design:")
        design64 = build(F64)
        print_design(design64)
        print(f"  operations per element (shared, per branch, final): {operation_counts(design64)}")
        check_sampled(design64, args.points64, 2, 34)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
