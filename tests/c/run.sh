#!/usr/bin/env bash
# Build the C core (no Python) and its test driver with $CC and $CFLAGS, run it
# behind an optional $RUNNER (e.g. qemu-aarch64-static), and print its digest.
# Example: CC=aarch64-linux-gnu-gcc CFLAGS='-O2 -static' RUNNER=qemu-aarch64-static tests/c/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../src"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"${CC:-cc}" -std=c99 ${CFLAGS:--O2} -ffp-contract=off -fno-math-errno -Wall -Wextra -Werror \
    -I"$src" -I"$here/../../xinit_c/include" "$here/test_core.c" "$src"/*.c -o "$out/test_core" -lm -lpthread
${RUNNER:-} "$out/test_core"
