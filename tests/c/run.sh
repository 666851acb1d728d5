#!/usr/bin/env bash
# Build the C core (no Python) and its test driver with $CC and $CFLAGS, run it
# behind an optional $RUNNER (e.g. qemu-aarch64-static), and print its digest.
# Example: CC=aarch64-linux-gnu-gcc CFLAGS='-O2 -static' RUNNER=qemu-aarch64-static tests/c/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../src"
# the public header (src/capi.c implements it): from the source tree, else the installed package
include="$here/../../xinit_c/include"
[ -f "$include/xinit_c.h" ] || include="$("${PYTHON:-python3}" -c 'import xinit_c; print(xinit_c.get_include())')"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"${CC:-cc}" -std=c99 ${CFLAGS:--O2} -ffp-contract=off -fno-math-errno -Wall -Wextra -Werror \
    -I"$src" -I"$include" "$here/test_core.c" "$src"/*.c -o "$out/test_core" -lm -lpthread
${RUNNER:-} "$out/test_core"
