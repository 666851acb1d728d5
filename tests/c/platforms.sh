#!/usr/bin/env bash
# The C driver's digests on every platform this machine can build and run:
# one line "PLATFORM VARIANT DIGEST" for each kernel variant the platform's
# dispatch offers (tests/c/test_core.c forces each in turn and digests its own
# output, bytes in little-endian order). Exits non-zero if any digest differs
# from the others, if a driver fails, or if a compiler or emulator is missing,
# unless --allow-missing (then the platform is named on stderr and left out).
# Debian packages: gcc-{aarch64,powerpc64le,riscv64,s390x,i686}-linux-gnu with
# their libc6-dev-*-cross, gcc-mingw-w64-x86-64, qemu-user-static, wine64, clang.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
allow_missing=0
case "${1:-}" in
    --allow-missing) allow_missing=1 ;;
    "") ;;
    *) echo "usage: $0 [--allow-missing]" >&2; exit 2 ;;
esac

# Debian installs wine64 outside PATH
wine="$(command -v wine64 || echo /usr/lib/wine/wine64)"

# name | compiler | CFLAGS | runner ('' natively)
# 32-bit x86 needs SSE2 math: x87's extended precision changes the bits (src/dispatch.c).
platforms=(
    "x86_64-gcc|gcc|-O2|"
    "x86_64-clang|clang|-O2|"
    "aarch64|aarch64-linux-gnu-gcc|-O2 -static|qemu-aarch64-static"
    "ppc64le|powerpc64le-linux-gnu-gcc|-O2 -static|qemu-ppc64le-static"
    "riscv64|riscv64-linux-gnu-gcc|-O2 -static|qemu-riscv64-static"
    "s390x|s390x-linux-gnu-gcc|-O2 -static|qemu-s390x-static"
    "i686-sse2|i686-linux-gnu-gcc|-O2 -static -msse2 -mfpmath=sse|qemu-i386-static"
    "x86_64-windows|x86_64-w64-mingw32-gcc|-O2 -static|$wine"
)

status=0
reference=""
for entry in "${platforms[@]}"; do
    IFS='|' read -r name cc cflags runner <<<"$entry"
    missing=""
    for tool in "$cc" $runner; do
        command -v "$tool" >/dev/null || missing="$missing $tool"
    done
    if [ -n "$missing" ]; then
        echo "$name: missing$missing" >&2
        [ "$allow_missing" = 1 ] || status=1
        continue
    fi
    # wine writes its console output with CR LF
    output="$(WINEDEBUG=-all CC="$cc" CFLAGS="$cflags" RUNNER="$runner" "$here/run.sh" 2>&1 | tr -d '\r')"
    driver_status=$?
    if [ "$driver_status" != 0 ] || ! grep -qx "0 failed" <<<"$output"; then
        echo "$name: the driver failed" >&2
        echo "$output" >&2
        status=1
        continue
    fi
    lines="$(sed -n 's/^variant \([a-z0-9_]*\) \([0-9a-f]\{16\}\)$/\1 \2/p' <<<"$output")"
    if [ -z "$lines" ]; then
        echo "$name: no variant digests in the driver's output" >&2
        status=1
        continue
    fi
    while read -r variant digest; do
        echo "$name $variant $digest"
        [ -n "$reference" ] || reference="$digest"
        if [ "$digest" != "$reference" ]; then
            echo "$name $variant: digest $digest differs from $reference" >&2
            status=1
        fi
    done <<<"$lines"
done
exit "$status"
