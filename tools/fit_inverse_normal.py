#!/usr/bin/env python3
"""Research tool for stream contract 2: a division-free inverse normal CDF.

Regenerates every coefficient of docs/stream-v2-numerics.md and measures the errors quoted there:

    python tools/fit_inverse_normal.py --check        # fit, print coefficients, sampled errors (minutes)
    python tools/fit_inverse_normal.py --verify-fma   # FMA emulation against exact integer arithmetic
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
    a, b, c = (np.asarray(v, dtype=F32).astype(F64) for v in (a, b, c))
    with np.errstate(invalid="ignore", over="ignore"):
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


def fma64(a, b, c):
    """Correctly rounded binary64 fma(a, b, c) for every input.

    Fast path (Boldo & Melquiond 2008, FMA emulation): uh + ul = a*b exactly, th + tl = c + uh exactly,
    v = RO(tl + ul), result = RN(th + v). It is proved without underflow and overflow, so inputs whose
    exponents leave the safe range, and products or results below 2^-960, go through exact integer arithmetic.
    In the inverse normal transform every operand is far inside the safe range."""
    a, b, c = (np.asarray(v, dtype=F64) for v in (a, b, c))
    a, b, c = np.broadcast_arrays(a, b, c)
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        uh, ul = two_product(a, b)
        th, tl = two_sum(c, uh)
        s, e = two_sum(tl, ul)
        result = th + round_to_odd_f64(s, e)
        limit = F64(2.0 ** _FAST_MAX_EXP)
        product_floor = F64(2.0 ** _FAST_MIN_PRODUCT_EXP)
        # zero products and zero results also take the exact path: the fast one may get the sign of zero wrong
        safe = ((np.abs(a) < limit) & (np.abs(b) < limit) & (np.abs(c) < limit)
                & (np.abs(uh) >= product_floor) & (np.abs(result) >= product_floor))
    slow = np.flatnonzero(~safe)
    if slow.size:
        result = result.copy()
        flat = result.reshape(-1)
        for k in slow:
            flat[k] = _exact_fma_scalar(float(a.flat[k]), float(b.flat[k]), float(c.flat[k]), 53, -1022, 1023)
    return result


def _as_scaled_integer(x):
    """(m, e) with x = m * 2^e exactly, for a finite float x."""
    numerator, denominator = x.as_integer_ratio()
    return numerator, 1 - denominator.bit_length()


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
    """IEEE fma in the given binary format by exact integer arithmetic (inputs already in that format)."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return a * b + c                                     # inf*0, inf - inf: IEEE float semantics decide
    if not math.isfinite(c):
        return c
    ma, ea = _as_scaled_integer(a)
    mb, eb = _as_scaled_integer(b)
    mc, ec = _as_scaled_integer(c)
    mp_, ep = ma * mb, ea + eb
    low = min(ep, ec)
    total = (mp_ << (ep - low)) + (mc << (ec - low))
    if total == 0:
        product_negative = math.copysign(1.0, a) * math.copysign(1.0, b) < 0
        both_negative_zeros = mp_ == 0 and c == 0 and product_negative and math.copysign(1.0, c) < 0
        return -0.0 if both_negative_zeros else 0.0
    return round_scaled_integer(total, low, precision, emin, emax)


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
    precision = _FORMATS[dtype][1]
    significand = 1.0 + rng.integers(0, 2 ** min(precision - 1, 52), n) / 2.0 ** min(precision - 1, 52)
    if precision == 53:  # 52 random fraction bits need the integer route to stay exact
        significand = (rng.integers(0, 2 ** 52, n, dtype=np.uint64) | np.uint64(0x3FF0000000000000)).view(F64)
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
    """Compare fma32/fma64 with exact integer arithmetic and with the hardware; returns True when all agree."""
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
                uh = a * b
                fast = ((np.abs(a) < 2.0 ** _FAST_MAX_EXP) & (np.abs(b) < 2.0 ** _FAST_MAX_EXP)
                        & (np.abs(c) < 2.0 ** _FAST_MAX_EXP) & (np.abs(uh) >= 2.0 ** _FAST_MIN_PRODUCT_EXP)
                        & (np.abs(got) >= 2.0 ** _FAST_MIN_PRODUCT_EXP))
            print(f"  fma float64: {int(fast.sum())} of {a.size} cases took the fast (Boldo-Melquiond) path")
        all_good &= bool(agree.all()) and (hw_agree is None or bool(hw_agree.all()))
    return all_good
