"""No fill writes a byte outside its buffer: buffers placed against inaccessible
pages (and canary bytes for element-misaligned placements), for every dtype,
distribution, SIMD variant and thread count, many sizes and alignments,
strided and reversed views. Each batch runs in a child process, so an overrun
fails the test with SIGSEGV instead of killing the suite."""
import pathlib
import signal
import subprocess
import sys
import textwrap

import pytest

import xinit_c as xi

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="mmap guard pages need POSIX mprotect")

FAST_SIZES = list(range(0, 70)) + [127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 4097]
FULL_SIZES = list(range(0, 301)) + [511, 512, 513, 1023, 1025, 4095, 4097, 65535, 65537]
THREADED_SIZES = [70001, 140003]          # large enough to split over threads
HERE = str(pathlib.Path(__file__).parent)

CHILD = textwrap.dedent('''
    import sys
    import numpy as np
    import ml_dtypes
    import xinit_c as xi
    from guarded import GuardedRegion

    variant, sizes, threaded = sys.argv[1], eval(sys.argv[2]), eval(sys.argv[3])
    xi.set_simd(variant)
    floats = [np.float16, ml_dtypes.bfloat16, np.float32, np.float64]
    fills = [
        (floats, lambda o, g, t: xi.uniform_(o, -1.0, 1.0, generator=g, threads=t)),
        (floats, lambda o, g, t: xi.normal_(o, generator=g, threads=t)),
        (floats, lambda o, g, t: xi.trunc_normal_(o, 0.0, 1.0, -1.0, 3.0, generator=g, threads=t)),
        (floats, lambda o, g, t: xi.constant_(o, 0.5, threads=t)),
        ([np.uint32, np.uint64], lambda o, g, t: xi.random_bits_(o, generator=g, threads=t)),
    ]
    largest = max(sizes + threaded) * 8 + 64
    region = GuardedRegion(largest // 4096 + 2)
    canary = np.uint8(0xA5)
    checked = 0
    for dtypes, fill in fills:
        for dtype in dtypes:
            size = np.dtype(dtype).itemsize
            for n in sizes + threaded:
                threads = 2 if n in threaded else 1
                for position in (0, 1, 3):
                    # against the trailing and the leading guard page
                    fill(region.at_end(n, dtype), xi.Generator(key=(1, 2), position=position), threads)
                    fill(region.at_start(n, dtype), xi.Generator(key=(1, 2), position=position), threads)
                    # reversed and strided views whose extreme elements touch the guards
                    if n:
                        fill(region.at_end(n, dtype)[::-1], xi.Generator(key=(3, 4)), threads)
                        fill(region.at_end(2 * n - 1, dtype)[::2], xi.Generator(key=(3, 4)), threads)
                        fill(region.at_start(3 * n - 2, dtype)[::-3], xi.Generator(key=(3, 4)), threads)
                # element-misaligned starts: canaries in the gap before the guard page
                for gap in range(1, size):
                    region.bytes[:] = canary
                    fill(region.at_end(n, dtype, gap=gap), xi.Generator(key=(5, 6)), threads)
                    assert (region.bytes[region.size - gap:] == canary).all(), (dtype, n, gap)
                    start = region.size - gap - n * size
                    assert (region.bytes[:start] == canary).all(), (dtype, n, gap)
                checked += 1
    print("checked", checked)
''')


def run_child(variant, sizes, threaded):
    result = subprocess.run([sys.executable, "-c", CHILD, variant, repr(sizes), repr(threaded)],
                            capture_output=True, text=True, cwd=HERE, check=False, timeout=1800)
    assert result.returncode == 0, (
        f"variant {variant}: exit {result.returncode} (negative = killed by that signal, -11 = SIGSEGV)\n"
        + result.stdout[-2000:] + result.stderr[-4000:])
    assert "checked" in result.stdout


@pytest.mark.parametrize("variant", xi.simd_backends())
def test_no_write_outside_the_buffer(variant):
    run_child(variant, FAST_SIZES, THREADED_SIZES)


@pytest.mark.slow
@pytest.mark.parametrize("variant", xi.simd_backends())
def test_no_write_outside_the_buffer_all_sizes(variant):
    run_child(variant, FULL_SIZES, THREADED_SIZES)


def test_the_guard_page_catches_an_overrun():
    # the harness itself: one element written past the end must kill the child
    code = ("import numpy as np; from guarded import GuardedRegion; r = GuardedRegion(1); "
            "a = r.at_end(4, np.float32); np.lib.stride_tricks.as_strided(a, (5,), (4,))[4] = 1.0")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=HERE, check=False)
    # SIGSEGV; under tools/sanitize.sh AddressSanitizer reports it and aborts
    assert result.returncode in (-signal.SIGSEGV, -signal.SIGABRT), result.returncode
