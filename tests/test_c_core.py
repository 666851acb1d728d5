"""The C core on its own (tests/c/run.sh): known answers, every variant equal to
scalar, the same digest natively and on aarch64 (NEON) under qemu, and the golden digests on every
platform of tests/c/platforms.sh."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

RUN = pathlib.Path(__file__).parent / "c" / "run.sh"


def driver_environment(**env):
    """This process's environment for tests/c/run.sh plus env; an emulator or wine (RUNNER) does not get the
    sanitizer runtime that tools/sanitize.sh preloads into the suite: it is not the code under test, and
    wine cannot start with it."""
    inherited = {name: value for name, value in os.environ.items()
                 if not (env.get("RUNNER") and name == "LD_PRELOAD")}
    return {**inherited, "PYTHON": sys.executable, **env}


def run_driver(**env):
    result = subprocess.run(["bash", str(RUN)], env=driver_environment(**env), capture_output=True, text=True,
                            check=False, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("0 failed")
    return result.stdout


def digest(output):
    return next(line for line in output.splitlines() if line.startswith("digest "))


@pytest.fixture(scope="module")
def native():
    if shutil.which(os.environ.get("CC", "cc")) is None or shutil.which("bash") is None:
        pytest.skip("no C compiler or no bash")
    if not (RUN.parents[2] / "src" / "xinit.h").exists():
        pytest.skip("the C sources (src/) are not next to the tests")
    return run_driver(XINIT_TEST_HUGE_FILLS="1")


def test_native_core(native):
    assert "scalar" in native.splitlines()[0]


@pytest.mark.parametrize("cflags", ["-O2 -static",
                                    # the scalar kernels with the software fma instead of fmadd
                                    pytest.param("-O2 -static -DXI_SOFT_FMA", marks=pytest.mark.slow)])
def test_aarch64_neon_under_qemu_gives_the_same_bytes(native, cflags):
    missing = [tool for tool in ("aarch64-linux-gnu-gcc", "qemu-aarch64-static") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"cross tools not installed ({', '.join(missing)}); .ci/run installs them")
    cross = run_driver(CC="aarch64-linux-gnu-gcc", CFLAGS=cflags, RUNNER="qemu-aarch64-static")
    assert "neon" in cross.splitlines()[0]
    assert digest(cross) == digest(native)


@pytest.mark.slow
def test_aarch64_neon_streaming_fills_under_qemu(native):
    # the huge fills (64 MiB and more) that the native run checks too: about a minute under qemu
    missing = [tool for tool in ("aarch64-linux-gnu-gcc", "qemu-aarch64-static") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"cross tools not installed ({', '.join(missing)}); .ci/run installs them")
    run_driver(CC="aarch64-linux-gnu-gcc", CFLAGS="-O2 -static", RUNNER="qemu-aarch64-static",
               XINIT_TEST_HUGE_FILLS="1")


def test_clang_build_gives_the_same_bytes(native):
    # macOS wheels are built with clang: its target pragmas must give the same kernels
    if shutil.which("clang") is None:
        pytest.skip("clang not installed; .ci/run installs it")
    assert digest(run_driver(CC="clang")) == digest(native)


def oracle_digest():
    """The C driver's digest (tests/c/test_core.c), computed from the numpy oracle (tests/reference.py):
    an implementation of docs/stream.md independent of the C core."""
    import ml_dtypes
    import numpy as np

    import reference

    key, stream = (0x12345678, 0x9ABCDEF0), 0x0123456789ABCDEF
    f16, bf16, f32, f64 = np.float16, ml_dtypes.bfloat16, np.float32, np.float64

    def uniform(low, high):
        return "uniform", dict(low=low, high=high)

    def normal(mean, std):
        return "normal", dict(mean=mean, std=std)

    def trunc(mean, std, a, b):
        return "trunc_normal", dict(mean=mean, std=std, a=a, b=b)

    cases = [(t, uniform(-1.0, 1.0)) for t in (f16, bf16)] + [(t, uniform(-0.25, 3.0)) for t in (f32, f64)] + \
            [(t, normal(0.0, 1.0)) for t in (f16, bf16)] + [(t, normal(0.5, 2.0)) for t in (f32, f64)] + \
            [(t, trunc(0.0, 1.0, -2.0, 2.0)) for t in (f16, bf16, f32, f64)] + \
            [(f32, trunc(0.0, 1.0, 5.5, 1e300)), (f64, trunc(1.0, 0.5, -30.0, -2.0))] + \
            [(f32, trunc(0.0, 1.0, -9.5, -9.0)), (f32, trunc(0.0, 1.0, -7.0, -5.5)), (bf16, trunc(0.0, 1.0, 9.0, 9.5))] + \
            [(f64, trunc(0.0, 1.0, -36.0, -35.0)), (f64, trunc(0.0, 1.0, 8.5, 10.0))] + \
            [(np.uint32, ("bits", {})), (np.uint64, ("bits", {}))]
    sizes = [1, 3, 17, 64, 255, 1000, 5000]
    starts = [0, 1, 2, 3, 0x3FFFFFFFC * 4 + 1]
    digest = 0xCBF29CE484222325
    for dtype, (kind, params) in cases:
        with np.errstate(over="ignore"):  # b = 1e300 is +inf in float32, as the C core rounds it
            longest = [reference.fill(kind, max(sizes), dtype, key, stream, position=start, **params)
                       for start in starts]
        for n in sizes:
            for out in longest:
                # a fill of n elements is the first n of a longer one (section 2)
                for byte in out[:n].tobytes():
                    digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"digest {digest:016x}"


def test_the_c_driver_writes_the_oracles_bytes(native):
    # one digest over every dtype, distribution (the far branches included), odd sizes and start positions
    assert digest(native) == oracle_digest()


# --------------------------------------------------------------------------
# Golden vectors of contract 2 (tests/golden/stream_v2.json) from the C core
# alone: tests/c/golden.c prints each case's SHA-256 for every kernel variant.
# --------------------------------------------------------------------------

GOLDEN_JSON = pathlib.Path(__file__).parent / "golden" / "stream_v2.json"
GOLDEN_TEXT = GOLDEN_JSON.with_name("stream_v2_cases.txt")

# the platforms of tests/c/platforms.sh: Debian's cross compilers under qemu-user, mingw-w64 under wine64
WINE = shutil.which("wine64") or "/usr/lib/wine/wine64"   # Debian installs it outside PATH
TOOLCHAINS = {
    "gcc": {"CC": "gcc"},
    "clang": {"CC": "clang"},
    "aarch64-qemu": {"CC": "aarch64-linux-gnu-gcc", "CFLAGS": "-O2 -static", "RUNNER": "qemu-aarch64-static"},
    "ppc64le-qemu": {"CC": "powerpc64le-linux-gnu-gcc", "CFLAGS": "-O2 -static", "RUNNER": "qemu-ppc64le-static"},
    "riscv64-qemu": {"CC": "riscv64-linux-gnu-gcc", "CFLAGS": "-O2 -static", "RUNNER": "qemu-riscv64-static"},
    # big-endian
    "s390x-qemu": {"CC": "s390x-linux-gnu-gcc", "CFLAGS": "-O2 -static", "RUNNER": "qemu-s390x-static"},
    "i686-sse2-qemu": {"CC": "i686-linux-gnu-gcc", "CFLAGS": "-O2 -static -msse2 -mfpmath=sse",
                       "RUNNER": "qemu-i386-static"},
    "windows-wine": {"CC": "x86_64-w64-mingw32-gcc", "CFLAGS": "-O2 -static", "RUNNER": WINE, "WINEDEBUG": "-all"},
}
# the kernel variants each platform's dispatch offers; x86-64 ones the same as this machine's
OWN_VARIANTS = {"aarch64": {"scalar", "neon"}, "ppc64le": {"scalar"}, "riscv64": {"scalar"}, "s390x": {"scalar"},
                "i686": {"scalar"}}
# every case in the slow run also with AArch64's scalar kernels on the software fma (src/fma.h) instead of
# the fmadd instruction
SLOW_TOOLCHAINS = {
    "aarch64-qemu-soft-fma": {**TOOLCHAINS["aarch64-qemu"], "CFLAGS": "-O2 -static -DXI_SOFT_FMA"},
}


def golden_cases():
    import json

    return json.loads(GOLDEN_JSON.read_text())["cases"]


def fast_golden_subset(cases):
    """One case of every format and distribution, rotating through the 24 key/position/stream
    combinations, so that together they cover each combination (34 kinds) and the run stays short
    under qemu."""
    kinds = {}
    for case in cases:
        kinds.setdefault(case["id"].rsplit(".", 3)[0], []).append(case)
    return [group[i % len(group)] for i, group in enumerate(kinds.values())]


def run_golden(toolchain, case_file):
    """{variant: {case id: sha256}} printed by tests/c/golden.c built with the toolchain."""
    env = {**TOOLCHAINS, **SLOW_TOOLCHAINS}[toolchain]
    missing = [tool for tool in (env["CC"], env.get("RUNNER")) if tool and shutil.which(tool) is None]
    if missing or shutil.which("bash") is None:
        pytest.skip(f"{toolchain}: {', '.join(missing or ['bash'])} not installed; .ci/run installs it")
    result = subprocess.run(["bash", str(RUN), "golden", str(case_file)], env=driver_environment(**env),
                            capture_output=True, text=True, check=False, timeout=1800)
    digests, variant = {}, None
    for line in result.stdout.splitlines():
        words = line.split()
        if words and words[0] == "variant":
            variant = words[1]
            digests[variant] = {}
        elif len(words) == 2 and variant is not None and len(words[1]) == 64:
            digests[variant][words[0]] = words[1]
    assert digests, result.stdout + result.stderr
    return digests


def check_golden(toolchain, cases, tmp_path):
    lines = {line.split()[0]: line for line in GOLDEN_TEXT.read_text().splitlines() if not line.startswith("#")}
    case_file = tmp_path / "cases.txt"
    case_file.write_text("".join(lines[case["id"]] + "\n" for case in cases))
    digests = run_golden(toolchain, case_file)
    cpu = toolchain.split("-")[0]
    if cpu in OWN_VARIANTS:
        assert set(digests) == OWN_VARIANTS[cpu]
    else:
        import xinit_c

        assert list(digests) == xinit_c.simd_backends()  # the same dispatch code decides
    wrong = [f"{variant} {case['id']}: {got.get(case['id'])}" for variant, got in digests.items()
             for case in cases if got.get(case["id"]) != case["sha256"]]
    assert not wrong, f"{len(wrong)} digests differ from {GOLDEN_JSON.name}:\n" + "\n".join(wrong[:40])


@pytest.fixture
def c_sources():
    if not (RUN.parents[2] / "src" / "xinit.h").exists():
        pytest.skip("the C sources (src/) are not next to the tests")


def test_the_c_driver_reads_the_golden_cases_of_the_json():
    cases = {case["id"]: case for case in golden_cases()}
    rows = [line.split() for line in GOLDEN_TEXT.read_text().splitlines() if not line.startswith("#")]
    assert [row[0] for row in rows] == list(cases)
    order = {"uniform": ("low", "high"), "normal": ("mean", "std"), "trunc_normal": ("mean", "std", "a", "b"),
             "bits": ()}
    for row in rows:
        case = cases[row[0]]
        position = int(row[6], 16) << 64 | int(row[7], 16)
        args = [float(case["params"][name]) for name in order[case["fill"]]]
        assert row[1:6] == [case["fill"], case["dtype"], hex(case["key"][0]), hex(case["key"][1]), case["stream"]]
        assert position == int(case["position"], 16), row[0]
        assert [float.fromhex(a) for a in row[8:12]] == args + [0.0] * (4 - len(args)), row[0]
        assert row[12] == case["sha256"], row[0]


@pytest.mark.parametrize("toolchain", list(TOOLCHAINS))
def test_c_driver_prints_the_golden_digests(c_sources, toolchain, tmp_path):
    check_golden(toolchain, fast_golden_subset(golden_cases()), tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("toolchain", list(TOOLCHAINS) + list(SLOW_TOOLCHAINS))
def test_c_driver_prints_every_golden_digest(c_sources, toolchain, tmp_path):
    check_golden(toolchain, golden_cases(), tmp_path)
