"""The C API: the capsule's table through ctypes, numba, a Cython module and a C
extension, each giving the Python API's bytes; status codes; header, .pxd and
ctypes declarations in sync."""
import ctypes
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import ml_dtypes
import numpy as np
import pytest

import xinit_c as xi
from xinit_c import _capi

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
KEY = (0x1357, 0x2468)
F = {name: ftype(address) for name, (address, ftype) in xi.capi_functions().items()}


def python_fill(kind, n, dtype, position, params):
    g = xi.Generator(key=KEY, stream=3, position=position)
    fills = {"uniform": xi.uniform_, "normal": xi.normal_, "trunc_normal": xi.trunc_normal_}
    return fills[kind](np.empty(n, dtype), *params, generator=g)


DTYPES = {"f16": np.dtype(np.float16), "bf16": np.dtype(ml_dtypes.bfloat16), "f32": np.dtype(np.float32),
          "f64": np.dtype(np.float64)}
PARAMS = {"uniform": (-0.25, 2.0), "normal": (0.5, 1.5), "trunc_normal": (0.0, 1.0, -1.0, 2.5)}


@pytest.mark.parametrize("kind", sorted(PARAMS))
@pytest.mark.parametrize("suffix", sorted(DTYPES))
def test_every_fill_through_ctypes_matches_python(kind, suffix):
    dtype, params = DTYPES[suffix], PARAMS[kind]
    for n, position in [(1, 0), (1001, 7), (4099, 2**65 + 5)]:
        out = np.empty(n, dtype)
        status = F[f"{kind}_{suffix}"](KEY[0], KEY[1], 3, position % 2**64, position >> 64, n,
                                       out.ctypes.data, 1, *params)
        assert status == 0
        assert out.tobytes() == python_fill(kind, n, dtype, position, params).tobytes()


def test_strides_in_elements_and_raw_bits():
    base = np.zeros(3 * 500, np.float32)
    out = base[::-3]                                   # out[0] is the last element, stride -3
    assert F["normal_f32"](*KEY, 3, 0, 0, 500, out.ctypes.data, -3, 0.5, 1.5) == 0
    assert np.array_equal(out, python_fill("normal", 500, np.float32, 0, (0.5, 1.5)))
    for name, dtype in [("bits_u32", np.uint32), ("bits_u64", np.uint64)]:
        words = np.empty(77, dtype)
        assert F[name](*KEY, 3, 9, 0, 77, words.ctypes.data, 1) == 0
        want = xi.random_bits_(np.empty(77, dtype), generator=xi.Generator(key=KEY, stream=3, position=9))
        assert np.array_equal(words, want)


def test_status_codes_and_nothing_written_on_error():
    out = np.full(10, 7.0)
    cases = [
        (F["uniform_f64"](*KEY, 0, 0, 0, 10, None, 1, 0.0, 1.0), -4),             # NULL output
        (F["uniform_f64"](*KEY, 0, 0, 0, 10, out.ctypes.data, 0, 0.0, 1.0), -4),  # stride 0
        (F["uniform_f64"](*KEY, 0, 0, 0, 10, out.ctypes.data, 1, 1.0, 0.0), -1),  # low > high
        (F["normal_f64"](*KEY, 0, 0, 0, 10, out.ctypes.data, 1, float("nan"), 1.0), -1),
        (F["normal_f64"](*KEY, 0, 2**64 - 2, 3, 10, out.ctypes.data, 1, 0.0, 1.0), -3),  # past 2^66
        (F["trunc_normal_f64"](*KEY, 0, 0, 0, 10, out.ctypes.data, 1, 0.0, 1.0, 50.0, 60.0), -5),
        (F["trunc_normal_f64"](*KEY, 0, 0, 0, 10, out.ctypes.data, 1, 0.0, 1.0, 2.0, 2.0), -1),
    ]
    for got, want in cases:
        assert got == want
    assert (out == 7.0).all()
    assert F["uniform_f64"](*KEY, 0, 0, 0, 0, None, 1, 0.0, 1.0) == 0            # n = 0: nothing to do


def test_fans_and_gains_in_c_match_python():
    for shape in [(64, 3, 3, 3), (10, 20), (5, 4, 3)]:
        for layout, code in (("torch", 0), ("keras", 1)):
            arr = (ctypes.c_int64 * len(shape))(*shape)
            fan_in, fan_out = ctypes.c_int64(), ctypes.c_int64()
            assert F["compute_fans"](arr, len(shape), code, ctypes.byref(fan_in), ctypes.byref(fan_out)) == 0
            assert (fan_in.value, fan_out.value) == xi.compute_fans(shape, layout)
    assert F["compute_fans"]((ctypes.c_int64 * 1)(5), 1, 0, ctypes.byref(ctypes.c_int64()),
                             ctypes.byref(ctypes.c_int64())) == -4
    gain = ctypes.c_double()
    for code, (name, param) in enumerate([("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                                          ("leaky_relu", 0.2), ("selu", None)]):
        assert F["calculate_gain"](code, param or 0.0, ctypes.byref(gain)) == 0
        assert gain.value == xi.calculate_gain(name, param)
    assert F["calculate_gain"](99, 0.0, ctypes.byref(gain)) == -2
    assert F["simd_variant"]().decode() == xi.get_simd()


def test_header_pxd_and_ctypes_declare_the_same_table():
    # the installed files: what a consumer compiles against
    header = (pathlib.Path(xi.get_include()) / "xinit_c.h").read_text()
    struct = header[header.index("typedef struct xinit_c_api {"):header.index("} xinit_c_api;")]
    header_fields = re.findall(r"^\s+(?:uint32_t (\w+);|.*\(\*(\w+)\)\()", struct, re.M)
    header_fields = [a or b for a, b in header_fields]
    pxd = (pathlib.Path(xi.__file__).parent / "capi.pxd").read_text()
    block = pxd[pxd.index("ctypedef struct xinit_c_api:"):pxd.index('cdef extern from "Python.h"')]
    pxd_fields = [a or b for a, b in re.findall(r"^\s+(?:uint32_t (\w+)$|.*\(\*(\w+)\)\()", block, re.M)]
    ctypes_fields = [name for name, _ in _capi.CApiTable._fields_]
    assert header_fields == pxd_fields == ctypes_fields
    version = int(re.search(r"#define XINIT_C_ABI_VERSION (\d+)", header).group(1))
    assert version == _capi.ABI_VERSION == _capi._table().abi_version
    # every function's parameter count agrees between the header and the ctypes signatures
    for name, ftype in _capi.SIGNATURES.items():
        line = next(line for line in struct.splitlines() if f"(*{name})(" in line)
        args = line[line.index(")(") + 2:line.rindex(")")]
        count = 0 if args in ("void", "") else args.count(",") + 1
        if "XINIT_FILL_ARGS" in args:
            count += 7        # the macro stands for 8 parameters
        assert count == len(ftype._argtypes_), name


def build_example(directory, tmp_path):
    if not directory.is_dir():
        pytest.skip(f"{directory} is not here (tests copied without the examples)")
    work = tmp_path / directory.name
    shutil.copytree(directory, work)
    result = subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace", "-q"], cwd=work,
                            capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return work


def run_in(work, code):
    result = subprocess.run([sys.executable, "-c", code], cwd=work, capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_cython_example_fills_under_nogil(tmp_path):
    pytest.importorskip("Cython")
    work = build_example(EXAMPLES / "cython", tmp_path)
    out = run_in(work, "import numpy as np, nogil_fill, xinit_c as xi\n"
                       "w = nogil_fill.xavier_uniform_rows(np.empty((37, 29), np.float32), 5, 6, 11)\n"
                       "want = xi.xavier_uniform_(np.empty((37, 29), np.float32),"
                       " generator=xi.Generator(key=(5, 6), position=11))\n"
                       "print(np.asarray(w).tobytes() == want.tobytes())")
    assert out.strip() == "True"


def test_c_extension_uses_the_capsule(tmp_path):
    pytest.importorskip("setuptools")
    work = build_example(EXAMPLES / "capsule_ext", tmp_path)
    out = run_in(work, "import numpy as np, capsule_fill, xinit_c as xi\n"
                       "a = np.empty(1003); capsule_fill.normal_f64(a, 1, 2, 5, 0.0, 0.02)\n"
                       "want = xi.normal_(np.empty(1003), 0.0, 0.02, generator=xi.Generator(key=(1, 2), position=5))\n"
                       "print(a.tobytes() == want.tobytes())")
    assert out.strip() == "True"


def test_numba_example():
    pytest.importorskip("numba")
    if not (EXAMPLES / "numba_fill.py").exists():
        pytest.skip("examples/ is not here")
    result = subprocess.run([sys.executable, str(EXAMPLES / "numba_fill.py")], capture_output=True, text=True,
                            check=False, timeout=300, cwd=tempfile.gettempdir())
    assert result.returncode == 0, result.stderr
    assert "numba fill equals the Python fill: True" in result.stdout
