"""The caller's floating-point state never reaches a fill (docs/stream.md section 4).

With flush-to-zero, denormals-are-zero or another rounding mode set on the
calling thread (x86-64 MXCSR, AArch64 FPCR), every fill writes the bytes it
writes in the default state, on one thread and on two, in every kernel
variant, through the Python API and the C API; and the caller's state is there
again afterwards, after a refused call too. The C core alone
(tests/c/test_fpenv.c) is checked the same way natively and, for AArch64's
FPCR and the NEON kernels, under qemu. The parameters are tiny so that the constants, the
intermediates and the values are subnormal in the working format: the values
all flush to zero, or the truncation bounds turn into 0/0, as soon as one step
runs in the caller's state.
"""
import ctypes
import math
import os
import pathlib
import platform
import shutil
import subprocess

import numpy as np
import pytest

import xinit_c as xi
from xinit_c import _core
from conftest import FLOAT_DTYPE_PARAMS, FLOAT_DTYPES

HELPER_SOURCE = r"""
#include <stdint.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
uint64_t fp_control_get(void) { return _mm_getcsr(); }
void fp_control_set(uint64_t value) { _mm_setcsr((unsigned int)value); }
#elif defined(__aarch64__)
uint64_t fp_control_get(void)
{
    uint64_t value;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(value));
    return value;
}
void fp_control_set(uint64_t value) { __asm__ __volatile__("msr fpcr, %0" : : "r"(value)); }
#endif
"""

MACHINE = platform.machine().lower()
if MACHINE in ("x86_64", "amd64"):
    # Intel SDM vol. 1, 10.2.3: exceptions masked, round to nearest; bits 0-5 are sticky status flags
    DEFAULT, STATUS_FLAGS = 0x1F80, 0x3F
    FTZ, DAZ, ROUND_DOWN, ROUND_UP, ROUND_TOWARD_ZERO = 0x8000, 0x0040, 0x2000, 0x4000, 0x6000
    STATES = {"FTZ": FTZ, "DAZ": DAZ, "FTZ+DAZ": FTZ | DAZ, "round down": ROUND_DOWN, "round up": ROUND_UP,
              "round toward zero": ROUND_TOWARD_ZERO, "FTZ+DAZ, round toward zero": FTZ | DAZ | ROUND_TOWARD_ZERO}
elif MACHINE in ("aarch64", "arm64"):
    # Arm ARM, FPCR: RMode bits 22-23 (1 up, 2 down, 3 toward zero), FZ 24, FZ16 19, and with FEAT_AFP
    # AH 1 and FIZ 0 (bits a core lacks read back as 0 and are dropped below)
    DEFAULT, STATUS_FLAGS = 0, 0
    FZ, FZ16, AH, FIZ = 1 << 24, 1 << 19, 1 << 1, 1 << 0
    STATES = {"FZ": FZ, "FZ16": FZ16, "FZ+FZ16+AH+FIZ": FZ | FZ16 | AH | FIZ, "round down": 2 << 22,
              "round up": 1 << 22, "round toward zero": 3 << 22, "FZ, round toward zero": FZ | 3 << 22}
else:
    STATES = {}

KEY = (0x2468ACE0, 0x13579BDF)
# two threads share a uniform fill of this many elements (a normal one already at half of it)
N_TWO_THREADS = 2 * _core.PARALLEL_MIN_ELEMENTS + 999
# per element type: a scale whose values are subnormal in the output format, and 1 (rounding modes only)
SCALES = {"float16": (2e-6, 1.0), "bfloat16": (1e-39, 1.0), "float32": (1e-39, 1.0), "float64": (1e-310, 1.0)}
# the fill and its parameters at a scale; computed before the state changes, which would change them
DISTRIBUTIONS = {
    "uniform": (xi.uniform_, lambda s: (-3 * s, s)),
    "normal": (xi.normal_, lambda s: (s / 4, s)),
    "trunc_normal": (xi.trunc_normal_, lambda s: (0.0, s, -2 * s, 1.5 * s)),
}


class FpControl:
    """The calling thread's control register, through a C helper built for the test."""

    def __init__(self, library):
        self.get = library.fp_control_get
        self.get.restype = ctypes.c_uint64
        self.get.argtypes = []
        self.set = library.fp_control_set
        self.set.restype = None
        self.set.argtypes = [ctypes.c_uint64]

    def run_under(self, bits, call):
        """call() with the thread in the state DEFAULT | bits: (its result or exception, the state after it)."""
        self.set(DEFAULT | bits)
        try:
            try:
                outcome = call()
            except Exception as exc:  # noqa: BLE001 (the caller checks which)
                outcome = exc
            after = self.get()
        finally:
            self.set(DEFAULT)
        return outcome, after


@pytest.fixture(scope="module")
def fp(tmp_path_factory):
    if not STATES:
        pytest.skip(f"no helper for the floating-point control register of {platform.machine()}")
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        pytest.skip(f"no C compiler ({cc}) to build the helper that sets the floating-point state")
    folder = tmp_path_factory.mktemp("fpstate")
    (folder / "helper.c").write_text(HELPER_SOURCE)
    library = folder / "fpstate_helper.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", str(library), str(folder / "helper.c")], check=True,
                   capture_output=True, timeout=120)
    control = FpControl(ctypes.CDLL(str(library)))
    original = control.get()
    control.set(DEFAULT)
    yield control
    control.set(original)


@pytest.fixture(scope="module")
def states(fp):
    """The states this CPU keeps (an AArch64 core without FEAT_FP16 or FEAT_AFP drops those bits)."""
    kept = {}
    for name, bits in STATES.items():
        _, after = fp.run_under(bits, lambda: None)
        if after & ~STATUS_FLAGS != DEFAULT:
            kept[name] = after & ~STATUS_FLAGS & ~DEFAULT
    assert kept, "the helper could not change the floating-point state at all"
    return kept


def test_the_helper_changes_what_plain_arithmetic_gives(fp, states):
    """The states are real: Python's own float arithmetic sees them (as the fills must not)."""
    tiny, half, one, three = 1e-310, 0.5, 1.0, 3.0     # variables: Python folds constant expressions

    def arithmetic():
        return tiny * half, one / three

    results = {name: fp.run_under(bits, arithmetic)[0] for name, bits in states.items()}
    default = arithmetic()
    assert any(r != default for r in results.values())
    if MACHINE in ("x86_64", "amd64"):   # 1/3 rounds down to nearest
        assert results["FTZ"][0] == 0.0 and results["round up"][1] > default[1]


def generator():
    return xi.Generator(key=KEY, stream=5, position=12345)


@pytest.mark.parametrize("dist", sorted(DISTRIBUTIONS))
@pytest.mark.parametrize("dtype", FLOAT_DTYPE_PARAMS, ids=lambda d: d.name)
def test_fills_ignore_the_callers_state_and_restore_it(fp, states, dtype, dist):
    fill, parameters = DISTRIBUTIONS[dist]
    for scale in SCALES[dtype.name]:
        params = parameters(scale)
        want = fill(np.empty(N_TWO_THREADS, dtype), *params, generator=generator(), threads=1).tobytes()
        if scale < 1.0:
            assert np.count_nonzero(np.frombuffer(want, dtype).astype(np.float64)) > N_TWO_THREADS // 2
        for threads in (1, 2):
            for name, bits in states.items():
                out = np.empty(N_TWO_THREADS, dtype)
                result, after = fp.run_under(bits, lambda: fill(out, *params, generator=generator(), threads=threads))
                assert result is out, result
                assert out.tobytes() == want, (name, scale, threads)
                assert after & ~STATUS_FLAGS == (DEFAULT | bits) & ~STATUS_FLAGS, (name, hex(after))


# Fan-based fills compute their bounds and standard deviations from the fans in
# the Python layer or (small arrays) in the compiled one; both must ignore the state.
FAN_FILLS = [
    ("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 1e-39}), ("xavier_normal_", {"gain": 0.7}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}), ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {"a": 0.2}), ("lecun_uniform_", {}), ("lecun_normal_", {}),
    ("variance_scaling_", {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform"}),
    ("variance_scaling_", {"scale": 0.5, "mode": "fan_geo_avg"}),
    ("variance_scaling_", {"scale": 1e-70, "mode": "fan_out", "distribution": "normal"}),
]
FAN_SHAPES = [(4, 4), (3, 7), (96, 33), (5, 3, 3, 3)]


@pytest.mark.parametrize("name, options", FAN_FILLS, ids=lambda x: str(x))
def test_fan_based_fills_ignore_the_callers_state(fp, states, name, options):
    init = getattr(xi, name)
    for dtype in (np.dtype(np.float32), np.dtype(np.float64)):
        for shape in FAN_SHAPES:
            want = init(np.empty(shape, dtype), generator=generator(), **options).tobytes()
            for how, extra in (("plain array", {}), ("global_shape given", {"global_shape": shape})):
                for state, bits in states.items():
                    out = np.empty(shape, dtype)
                    result, after = fp.run_under(bits, lambda: init(out, generator=generator(), **extra, **options))
                    assert result is out, result
                    assert out.tobytes() == want, (state, how, dtype.name, shape)
                    assert after & ~STATUS_FLAGS == (DEFAULT | bits) & ~STATUS_FLAGS


def test_describe_ignores_the_callers_state(fp, states):
    slope = math.sqrt(5)
    want = xi.describe("kaiming_uniform", (96, 33), a=slope)
    for bits in states.values():
        assert fp.run_under(bits, lambda: xi.describe("kaiming_uniform", (96, 33), a=slope))[0] == want


def test_a_refused_fill_restores_the_callers_state(fp, states):
    w = np.empty(1000, np.float32)
    refusals = [
        lambda: xi.trunc_normal_(w, 0.0, 1.0, 20.0, 21.0),         # refused by the C core's parameters (tail)
        lambda: xi.normal_(w, 0.0, 1e39),                          # std overflows float32 (C core)
        lambda: xi.xavier_uniform_(np.empty((4, 4), np.float32), gain=1e300),   # the bound overflows
        lambda: xi.uniform_(w, 1.0, 0.0),                          # refused in the Python layer
    ]
    for refuse in refusals:
        for bits in states.values():
            outcome, after = fp.run_under(bits, refuse)
            assert isinstance(outcome, ValueError), outcome
            assert after & ~STATUS_FLAGS == (DEFAULT | bits) & ~STATUS_FLAGS


def test_the_c_api_ignores_the_callers_state_and_restores_it(fp, states):
    functions = {name: ftype(address) for name, (address, ftype) in xi.capi_functions().items()}
    suffix = {"float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64"}
    n = 4099
    for dtype in FLOAT_DTYPES:
        scale = SCALES[dtype.name][0]
        for dist, (_, parameters) in DISTRIBUTIONS.items():
            params = parameters(scale)
            function = functions[f"{dist}_{suffix[dtype.name]}"]
            want = np.empty(n, dtype)
            assert function(*KEY, 5, 77, 0, n, want.ctypes.data, 1, *params) == 0
            for state, bits in states.items():
                out = np.empty(n, dtype)
                status, after = fp.run_under(bits, lambda: function(*KEY, 5, 77, 0, n, out.ctypes.data, 1, *params))
                assert status == 0 and out.tobytes() == want.tobytes(), (state, dtype.name, dist)
                assert after & ~STATUS_FLAGS == (DEFAULT | bits) & ~STATUS_FLAGS
            # refused after the parameters were computed: a truncation too far in the tail, a null buffer
            for refused in (lambda: functions[f"trunc_normal_{suffix[dtype.name]}"](
                                *KEY, 5, 0, 0, n, out.ctypes.data, 1, 0.0, 1.0, 50.0, 51.0),
                            lambda: function(*KEY, 5, 0, 0, n, None, 1, *params)):
                for bits in states.values():
                    status, after = fp.run_under(bits, refused)
                    assert status < 0 and after & ~STATUS_FLAGS == (DEFAULT | bits) & ~STATUS_FLAGS
    gain = ctypes.c_double()
    leaky_relu = 4   # XINIT_GAIN_LEAKY_RELU
    assert functions["calculate_gain"](leaky_relu, 0.2, ctypes.byref(gain)) == 0
    want_gain = gain.value
    assert want_gain == math.sqrt(2.0 / (1 + 0.2 ** 2))
    for bits in states.values():
        gain.value = 0.0
        status, _ = fp.run_under(bits, lambda: functions["calculate_gain"](leaky_relu, 0.2, ctypes.byref(gain)))
        assert status == 0 and gain.value == want_gain


@pytest.mark.parametrize("dist", sorted(DISTRIBUTIONS))
def test_every_kernel_variant_ignores_the_callers_state(fp, states, dist):
    fill, parameters = DISTRIBUTIONS[dist]
    before = _core.get_simd()
    try:
        for variant in _core.simd_backends():
            _core.set_simd(variant)
            for dtype in FLOAT_DTYPES:
                params = parameters(SCALES[dtype.name][0])
                want = fill(np.empty(4099, dtype), *params, generator=generator()).tobytes()
                for state, bits in states.items():
                    out = np.empty(4099, dtype)
                    fp.run_under(bits, lambda: fill(out, *params, generator=generator()))
                    assert out.tobytes() == want, (variant, dtype.name, state)
    finally:
        _core.set_simd(before)


SOURCES = pathlib.Path(__file__).resolve().parents[1] / "src"
C_CHECK = pathlib.Path(__file__).parent / "c" / "test_fpenv.c"
# normal and truncated normal fills of this many elements take two threads (uniform ones one)
C_CHECK_ELEMENTS = 2 * _core.PARALLEL_MIN_ELEMENTS // 4 + 999


def run_c_check(tmp_path, cc, runner=(), cflags=()):
    if not (SOURCES / "xinit.h").exists():
        pytest.skip("the C sources (src/) are not next to the tests")
    include = pathlib.Path(xi.get_include())
    program = tmp_path / "test_fpenv"
    subprocess.run([cc, "-std=c99", "-O2", *cflags, "-ffp-contract=off", "-fno-math-errno", "-Wall", "-Wextra",
                    "-Werror", f"-I{SOURCES}", f"-I{include}", str(C_CHECK), *map(str, sorted(SOURCES.glob("*.c"))),
                    "-o", str(program), "-lm", "-lpthread"], check=True, capture_output=True, timeout=600)
    result = subprocess.run([*runner, str(program), str(C_CHECK_ELEMENTS)], capture_output=True, text=True,
                            check=False, timeout=600)
    assert result.returncode == 0 and result.stdout.strip().endswith(" 0 failed"), result.stdout[-3000:]
    return result.stdout


def test_the_c_core_alone_ignores_the_callers_state(tmp_path):
    cc = os.environ.get("CC", "cc")
    if not STATES or shutil.which(cc) is None:
        pytest.skip(f"no C compiler ({cc}) or a CPU whose control register the check does not know")
    run_c_check(tmp_path, cc)


def test_aarch64_fpcr_and_neon_under_qemu(tmp_path):
    missing = [tool for tool in ("aarch64-linux-gnu-gcc", "qemu-aarch64-static") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"cross tools not installed ({', '.join(missing)}); .ci/run installs them")
    output = run_c_check(tmp_path, "aarch64-linux-gnu-gcc", runner=("qemu-aarch64-static",), cflags=("-static",))
    assert int(output.split()[-4]) > 700     # every state, variant and case ran
