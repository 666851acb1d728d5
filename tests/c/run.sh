#!/usr/bin/env bash
# Build the C core (no Python) and a test driver with $CC and $CFLAGS, and run it
# behind an optional $RUNNER (e.g. qemu-aarch64-static). The driver is
# tests/c/<DRIVER>.c, test_core unless named; the arguments after it go to it.
# Example: CC=aarch64-linux-gnu-gcc CFLAGS='-O2 -static' RUNNER=qemu-aarch64-static tests/c/run.sh
#          tests/c/run.sh golden tests/golden/stream_v2_cases.txt
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../src"
driver="${1:-test_core}"
shift || true
# the public header (src/capi.c implements it): from the source tree, else the installed package
include="$here/../../xinit_c/include"
[ -f "$include/xinit_c.h" ] || include="$("${PYTHON:-python3}" -c 'import xinit_c; print(xinit_c.get_include())')"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# GCC on s390x evaluates float arithmetic in double under -std=c99 and says so
# with FLT_EVAL_METHOD 1 (src/dispatch.c refuses it): its s390 excess-precision
# hook answers "promote to double" for -fexcess-precision=standard, which ISO
# mode implies, to agree with old glibc's float_t, and "float" for
# -fexcess-precision=fast, since the hardware has no implicit excess precision
# (gcc/config/s390/s390.cc, s390_excess_precision; GCC manual,
# -fexcess-precision and --enable-s390-excess-float-precision). So fast means
# exact binary32 operations there, and FLT_EVAL_METHOD 0.
macros="$("${CC:-cc}" -std=c99 ${CFLAGS:--O2} -dM -E -x c /dev/null)"
excess_precision=""
if grep -q '__s390x__' <<<"$macros" && ! grep -q '__clang__' <<<"$macros"; then
    excess_precision="-fexcess-precision=fast"
fi
"${CC:-cc}" -std=c99 ${CFLAGS:--O2} $excess_precision -ffp-contract=off -fno-math-errno -Wall -Wextra -Werror \
    -I"$src" -I"$include" "$here/$driver.c" "$src"/*.c -o "$out/$driver" -lm -lpthread
program="$out/$driver"
[ -f "$program" ] || program="$program.exe"     # a compiler for Windows names it so
${RUNNER:-} "$program" "$@"
