#!/usr/bin/env bash
# A subset of the Python suite on a big-endian host: Debian trixie's s390x CPython
# 3.13 and numpy 2.2 under qemu-s390x-static, with xinit_c cross-built by setup.py
# itself (the target's sysconfig, so its s390x branch applies) and Debian's s390x
# cross gcc. PyPI has no s390x numpy wheels, hence Debian's packages. Downloads are
# cached in ${XDG_CACHE_HOME:-~/.cache}/xinit-c/s390x. The tests are those listed in
# tests/emulated/subset.txt (a pytest argument file); extra arguments go to pytest.
# Exit status: pytest's, or 77 when a tool is missing (named on stderr).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/xinit-c/s390x
SYSROOT=$CACHE/sysroot
PYTHON=${PYTHON:-python3}
# The runtime and test packages; apt resolves their dependencies.
PACKAGES="python3.13 python3-numpy python3-pytest python3-hypothesis"
HEADERS="libpython3.13-dev python3-numpy-dev"   # fetched without their dependencies: the cross libc has the rest

missing=()
for tool in apt-get dpkg-deb curl sha256sum s390x-linux-gnu-gcc qemu-s390x-static; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=("debian-archive-keyring")
"$PYTHON" -c "import Cython, numpy, setuptools" 2>/dev/null || missing+=("$PYTHON with Cython, numpy and setuptools")
if [ ${#missing[@]} -gt 0 ]; then
    echo "s390x.sh: missing: ${missing[*]}" >&2
    exit 77
fi

# This workplace's Debian mirror lacks a few current s390x files; these
# replacements (same sonames, hashes taken when first fetched) fill the gaps.
# The rest of the closure is checked by apt against the signed index.
declare -A REPLACEMENT=(
    [libc6]="pool/main/g/glibc/libc6_2.41-12%2bdeb13u4_s390x.deb c6e658d8e17d885c831ad1275501ef1abdadc6c93e9ac7758cfd1e5cde2d608b"
    [zlib1g]="pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_s390x.deb aaa18b6281d1e5a5ba82bdb951d1b0fed43829f52a285f351dc5352880e3ef7e"
)
# Used only by modules that the tests never load (ssl, hashlib's OpenSSL backend) or by dpkg.
UNUSED="libssl3t64 openssl-provider-legacy libzstd1"

fetch_sysroot() {
    local apt=$CACHE/apt
    mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/parts"
    touch "$apt/status"
    cat > "$apt/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_SECURITY trixie-security main
SOURCES
    cat > "$apt/apt.conf" <<CONF
APT::Architecture "s390x"; APT::Architectures { "s390x"; }; APT::Install-Recommends "false";
Dir::State "$apt"; Dir::State::status "$apt/status"; Dir::Cache "$apt";
Dir::Etc::SourceList "$apt/sources.list"; Dir::Etc::SourceParts "$apt/parts";
Dir::Etc::Parts "$apt/parts"; Dir::Etc::PreferencesParts "$apt/parts";
CONF
    export APT_CONFIG=$apt/apt.conf
    apt-get -qq update
    apt-get -qq -y install --download-only $PACKAGES || true   # gaps are handled below
    (cd "$apt/archives" && apt-get -qq download $HEADERS)
    local url file size hash name
    apt-get -qq -y install --print-uris $PACKAGES > "$apt/closure"
    while read -r url file size hash; do
        name=${file%%_*}
        [ -f "$apt/archives/$file" ] && continue
        if [ -n "${REPLACEMENT[$name]:-}" ]; then
            read -r url hash <<< "${REPLACEMENT[$name]}"
            file=$(basename "$url")
            [ -f "$apt/archives/$file" ] || curl -fsS -o "$apt/archives/$file" "$DEBIAN_MIRROR/$url"
            echo "$hash  $apt/archives/$file" | sha256sum -c --quiet
        elif [[ " $UNUSED " != *" $name "* ]]; then
            echo "s390x.sh: could not fetch $file from Debian's mirror" >&2
            exit 1
        fi
    done < "$apt/closure"
    rm -rf "$SYSROOT"
    mkdir -p "$SYSROOT"
    for deb in "$apt"/archives/*.deb; do dpkg-deb -x "$deb" "$SYSROOT"; done
    # the merged /usr of Debian (bookworm's zlib1g still ships /lib): the loader is /lib/ld64.so.1
    for dir in lib bin; do
        [ -d "$SYSROOT/$dir" ] && cp -a "$SYSROOT/$dir/." "$SYSROOT/usr/$dir/" && rm -rf "${SYSROOT:?}/$dir"
        ln -s "usr/$dir" "$SYSROOT/$dir"
    done
    # what update-alternatives would link for numpy: the reference BLAS and LAPACK
    for lib in blas lapack; do ln -sf "$lib/lib$lib.so.3" "$SYSROOT/usr/lib/s390x-linux-gnu/lib$lib.so.3"; done
    touch "$SYSROOT/.complete"
}
[ -f "$SYSROOT/.complete" ] || fetch_sysroot

# A copy of the sources, so that nothing built for s390x lands in the work tree.
BUILD=$CACHE/build
rm -rf "$BUILD"
mkdir -p "$BUILD" "$CACHE/cross"
tar -C "$ROOT" --exclude='*.so' --exclude='__pycache__' --exclude='xinit_c/*.c' \
    -c setup.py pyproject.toml README.md LICENSE src xinit_c tests | tar -x -C "$BUILD"

# setup.py on this machine's Python, but with the target's sysconfig (compiler,
# flags, extension suffix, platform) and headers, as crossenv does.
SYSCONFIG=_sysconfigdata__linux_s390x-linux-gnu
sed "s|/usr/include/python3|$SYSROOT/usr/include/python3|g" \
    "$SYSROOT/usr/lib/python3.13/$SYSCONFIG.py" > "$CACHE/cross/$SYSCONFIG.py"
# CFLAGS come first on the command line, so the target's numpy headers win over
# the host numpy's that setup.py adds; -idirafter finds the multiarch pyconfig.h
# that Debian's Python.h includes.
(cd "$BUILD" && _PYTHON_HOST_PLATFORM=linux-s390x _PYTHON_SYSCONFIGDATA_NAME=$SYSCONFIG PYTHONPATH=$CACHE/cross \
    CFLAGS="-I$SYSROOT/usr/lib/python3/dist-packages/numpy/_core/include -idirafter $SYSROOT/usr/include" \
    "$PYTHON" setup.py -q build_ext --inplace -j 2 > build.log 2>&1) || { cat "$BUILD/build.log" >&2; exit 1; }

cd "$BUILD"
export QEMU_LD_PREFIX=$SYSROOT PYTHONPATH=$BUILD/tests/emulated:$BUILD/tests
exec qemu-s390x-static "$SYSROOT/usr/bin/python3.13" -m pytest -p no:cacheprovider --noconftest -p s390x_plugin -q @tests/emulated/subset.txt "$@"
