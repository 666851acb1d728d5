#!/usr/bin/env bash
# Compile-only checks for platforms this machine cannot run, with zig cc:
# aarch64-macos, x86_64-macos, aarch64-windows-gnu, x86_64-windows-gnu. For each:
#   core       every src/*.c (each target's SIMD files: NEON on arm64, SSE2, AVX2
#              and AVX-512 on x86-64) with setup.py's flags and -Wall -Wextra -Werror;
#   extension  the C that Cython writes for xinit_c/_core.pyx, _api.py and _fans.py,
#              against that platform's CPython 3.11 and numpy headers, -Werror;
#   test_core  tests/c/test_core.c linked with the core; the x86-64 Windows one
#              also runs under wine64 where it is installed ("TARGET VARIANT DIGEST").
# Headers come from Debian's bookworm packages (CPython 3.11.2 source: Include/
# and PC/pyconfig.h, the one Windows installs ship; libpython3.11-dev for amd64
# and arm64: their Linux pyconfig.h stands in for macOS's, which no package
# here has) and PyPI's numpy wheels. Downloads go to $XINIT_C_CACHE (default
# ~/.cache/xinit-c), never into the tree.
# Environment: ZIG, a zig command (e.g. "python -m ziglang"; default: PyPI's
# ziglang in a venv in the cache); PYTHON, one with Cython and numpy (python3).
# Exit status: 0 all compiled, 1 a compile, link or run failed, 3 a tool or a
# download is missing (named on stderr).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${XINIT_C_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xinit-c}/compile-targets"
python="${PYTHON:-python3}"
mkdir -p "$cache"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
missing() { echo "compile_targets: missing: $*" >&2; exit 3; }

# zig target | numpy wheel platform | pyconfig.h. The macOS deployment targets
# are pyproject's [tool.cibuildwheel.macos] ones.
targets=(
    "aarch64-macos.11.0|macosx_11_0_arm64|linux-arm64"
    "x86_64-macos.10.15|macosx_10_15_x86_64|linux-amd64"
    "aarch64-windows-gnu|win_arm64|windows"
    "x86_64-windows-gnu|win_amd64|windows"
)

if [ -n "${ZIG:-}" ]; then
    read -ra zig <<<"$ZIG"
else
    # the zig these checks last passed with: a new release may warn differently
    zig=("$cache/zigenv/bin/python" -m ziglang)
    if [ "$("${zig[@]}" version 2>/dev/null)" != 0.17.1 ]; then
        { python3 -m venv "$cache/zigenv" && "$cache/zigenv/bin/pip" install -q "ziglang==0.17.1"; } >&2 \
            || missing "ziglang 0.17.1 (python3 -m venv, then pip install ziglang==0.17.1 into $cache/zigenv)"
    fi
fi
zig_version="$("${zig[@]}" version)" || missing "zig (ZIG='${zig[*]}' does not run)"
"$python" -c 'import Cython, numpy' 2>/dev/null || missing "Cython and numpy in PYTHON=$python"
numpy_version="$("$python" -c 'import numpy; print(numpy.__version__)')"
echo "zig $zig_version, Cython $("$python" -c 'import Cython; print(Cython.__version__)'), numpy $numpy_version"

# CPython 3.11's headers through apt, with its own sources list and state in the cache
python_headers="$cache/cpython-3.11"
if [ ! -f "$python_headers/done" ]; then
    command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || missing "apt-get and dpkg-deb (Debian's CPython headers)"
    apt="$cache/apt"
    mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache" "$work/deb"
    . "$root/tests/debian_mirror.sh"
    debian_mirrors || missing "a Debian mirror in this machine's apt sources"
    for type in deb-src deb; do
        printf 'Types: %s\nURIs: %s\nSuites: bookworm\nComponents: main\n' "$type" "$DEBIAN_MIRROR"
        printf 'Architectures: amd64 arm64\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n'
    done >"$apt/parts/bookworm.sources"
    apt_options=(-q -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt/parts"
                 -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
                 -o "APT::Architectures::=amd64" -o "APT::Architectures::=arm64" -o "APT::Sandbox::User=root")
    (cd "$work/deb" && apt-get "${apt_options[@]}" update >&2 \
        && apt-get "${apt_options[@]}" source --download-only python3.11 >&2 \
        && apt-get "${apt_options[@]}" download libpython3.11-dev:amd64 libpython3.11-dev:arm64 >&2) \
        || missing "Debian bookworm's python3.11 source and libpython3.11-dev (apt-get failed)"
    rm -rf "$python_headers" && mkdir -p "$python_headers/windows"
    tar -xzf "$work"/deb/python3.11_*.orig.tar.gz -C "$work" --wildcards '*/Include' '*/PC/pyconfig.h' || exit 1
    mv "$work"/Python-3.11.*/Include "$python_headers/Include"
    mv "$work"/Python-3.11.*/PC/pyconfig.h "$python_headers/windows/"
    for arch in amd64 arm64; do
        dpkg-deb --fsys-tarfile "$work"/deb/libpython3.11-dev_*_"$arch".deb \
            | tar -x -C "$work/deb" --wildcards './usr/include/*-linux-gnu/python3.11/pyconfig.h' || exit 1
        mkdir -p "$python_headers/linux-$arch"
        mv "$work"/deb/usr/include/*-linux-gnu/python3.11/pyconfig.h "$python_headers/linux-$arch/"
        rm -rf "$work/deb/usr"
    done
    touch "$python_headers/done"
fi

# numpy's headers from its cp311 wheels, the release PYTHON has (its .pxd wrote the C)
for entry in "${targets[@]}"; do
    IFS='|' read -r target platform _ <<<"$entry"
    numpy_headers="$cache/numpy-$numpy_version-$platform"
    [ -f "$numpy_headers/done" ] && continue
    "$python" -m pip download -q --no-deps --only-binary=:all: --platform "$platform" --python-version 3.11 \
        -d "$work/wheels-$platform" "numpy==$numpy_version" >&2 || missing "numpy $numpy_version's cp311 $platform wheel"
    "$python" - "$work/wheels-$platform"/numpy-*.whl "$numpy_headers" <<'EOF' || exit 1
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    wheel.extractall(sys.argv[2], [name for name in wheel.namelist() if name.startswith("numpy/_core/include/")])
EOF
    touch "$numpy_headers/done"
done

# Cython's C for the three modules, with setup.py's compiler directives
for module in _core.pyx _api.py _fans.py; do
    (cd "$root" && "$python" -m cython -3 -X binding=True -X embedsignature=False \
        "xinit_c/$module" -o "$work/${module%.*}.c") || { echo "compile_targets: Cython failed on $module" >&2; exit 1; }
done

# setup.py's FLAGS["unix"]; its XINIT_C_WERROR=1 adds -Werror, and CPython's own
# CFLAGS add -Wall -Wsign-compare (Linux, macOS) and -Wunreachable-code (macOS):
# the extension gets all of them and -Wextra (which has -Wsign-compare)
project_flags=(-O3 -std=c99 -ffp-contract=off -fno-math-errno -fno-strict-aliasing -Wall -Wextra -Werror)
failures=()
for entry in "${targets[@]}"; do
    IFS='|' read -r target platform pyconfig <<<"$entry"
    cc=("${zig[@]}" cc -target "$target")
    before=${#failures[@]}
    sources=("$root"/src/*.c)
    for source in "${sources[@]}"; do
        "${cc[@]}" "${project_flags[@]}" -I"$root/src" -I"$root/xinit_c/include" -c "$source" \
            -o "$work/core.o" || failures+=("$target core ${source#"$root"/}")
    done
    [ "${#failures[@]}" = "$before" ] && echo "$target core: ${#sources[@]} files compiled"

    # PC/pyconfig.h derives MS_WIN64 from _WIN64 for MSVC only (x64 and ARM64):
    # GCC-style compilers must be told, as for any MinGW build against its headers
    windows=()
    [ "$pyconfig" = windows ] && windows=(-DMS_WIN64)
    before=${#failures[@]}
    for module in _core _api _fans; do
        numpy_api=()
        [ "$module" = _core ] && numpy_api=(-DNPY_NO_DEPRECATED_API=NPY_1_22_API_VERSION)
        "${cc[@]}" "${project_flags[@]}" -Wunreachable-code -DNDEBUG "${windows[@]}" "${numpy_api[@]}" \
            -I"$root/src" -I"$root/xinit_c/include" -I"$cache/numpy-$numpy_version-$platform/numpy/_core/include" \
            -I"$python_headers/$pyconfig" -I"$python_headers/Include" -c "$work/$module.c" -o "$work/$module.o" \
            || failures+=("$target extension xinit_c/$module")
    done
    [ "${#failures[@]}" = "$before" ] && echo "$target extension: _core, _api, _fans compiled (CPython 3.11 headers, pyconfig.h: $pyconfig)"

    program="$work/test_core-$target"
    [ "$pyconfig" = windows ] && program="$program.exe"
    if "${cc[@]}" "${project_flags[@]}" -I"$root/src" -I"$root/xinit_c/include" \
        "$root/tests/c/test_core.c" "$root"/src/*.c -o "$program"; then
        echo "$target test_core: linked"
    else
        failures+=("$target test_core link")
        continue
    fi
    if [ "$target" = x86_64-windows-gnu ]; then
        wine="$(command -v wine64 || echo /usr/lib/wine/wine64)"
        if [ ! -x "$wine" ]; then
            echo "$target test_core: not run (no wine64)" >&2
            continue
        fi
        # wine writes its console output with CR LF
        output="$(WINEDEBUG=-all "$wine" "$program" 2>&1 | tr -d '\r')"
        digest="$(sed -n 's/^digest \([0-9a-f]\{16\}\)$/\1/p' <<<"$output")"
        variants="$(sed -n 's/^variant \([a-z0-9_]*\) \([0-9a-f]\{16\}\)$/\1 \2/p' <<<"$output")"
        if ! grep -qx "0 failed" <<<"$output" || [ -z "$digest" ] || [ -z "$variants" ] \
            || grep -v " $digest\$" <<<"$variants" >/dev/null; then
            echo "$output" >&2
            failures+=("$target test_core under wine64")
            continue
        fi
        sed "s/^/$target /" <<<"$variants"
    fi
done

if [ "${#failures[@]}" -gt 0 ]; then
    printf 'compile_targets: FAILED: %s\n' "${failures[@]}" >&2
    exit 1
fi
echo "compile_targets: all compiled"
