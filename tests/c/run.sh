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
"${CC:-cc}" -std=c99 ${CFLAGS:--O2} -ffp-contract=off -fno-math-errno -Wall -Wextra -Werror \
    -I"$src" -I"$include" "$here/$driver.c" "$src"/*.c -o "$out/$driver" -lm -lpthread
${RUNNER:-} "$out/$driver" "$@"
