#!/usr/bin/env bash
# Usage: tests/emulated/run.sh s390x|ppc64el|i386 [pytest arguments]
# A subset of the Python suite on another CPU: Debian trixie's CPython 3.13 and
# numpy 2.2 for that Debian architecture under qemu-user, with xinit_c
# cross-built by setup.py itself (the target's sysconfig, so its per-platform
# flags apply) and Debian's cross gcc. PyPI has no numpy wheels for these, hence
# Debian's packages, fetched from the mirror this machine's apt uses. s390x is
# big-endian; i386 has a 32-bit Py_ssize_t. Downloads are cached in
# ${XDG_CACHE_HOME:-~/.cache}/xinit-c/ARCH. The tests are those listed in
# tests/emulated/subset.txt (a pytest argument file).
# Exit status: pytest's, or 77 when a tool or a Debian mirror is missing (named on stderr).
set -euo pipefail
ARCH=${1:?usage: tests/emulated/run.sh s390x|ppc64el|i386 [pytest arguments]}
shift
case $ARCH in   # Debian multiarch triplet, cross gcc, qemu-user, sysconfig's platform
    s390x)   TRIPLET=s390x-linux-gnu       CC=s390x-linux-gnu-gcc       QEMU=qemu-s390x-static   PLATFORM=linux-s390x ;;
    ppc64el) TRIPLET=powerpc64le-linux-gnu CC=powerpc64le-linux-gnu-gcc QEMU=qemu-ppc64le-static PLATFORM=linux-ppc64le ;;
    i386)    TRIPLET=i386-linux-gnu        CC=i686-linux-gnu-gcc        QEMU=qemu-i386-static    PLATFORM=linux-i686 ;;
    *) echo "run.sh: unknown architecture '$ARCH' (s390x, ppc64el or i386)" >&2; exit 2 ;;
esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=$(realpath -m "${XDG_CACHE_HOME:-$HOME/.cache}/xinit-c/$ARCH")
SYSROOT=$CACHE/sysroot
PYTHON=${PYTHON:-python3}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# The runtime and test packages; apt resolves their dependencies.
PACKAGES="python3.13 python3-numpy python3-pytest python3-hypothesis"
HEADERS="libpython3.13-dev python3-numpy-dev"   # fetched without their dependencies: the cross libc has the rest

missing=()
for tool in apt-get dpkg-deb curl sha256sum "$CC" "$QEMU"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -f "$KEYRING" ] || missing+=("debian-archive-keyring")
"$PYTHON" -c "import Cython, numpy, setuptools" 2>/dev/null || missing+=("$PYTHON with Cython, numpy and setuptools")
if [ ${#missing[@]} -gt 0 ]; then
    echo "run.sh $ARCH: missing: ${missing[*]}" >&2
    exit 77
fi

# Debian's mirror as this machine's apt sources name it
. "$ROOT/tests/debian_mirror.sh"
debian_mirrors || exit 77
MIRROR=$DEBIAN_MIRROR SECURITY=$DEBIAN_SECURITY

# This workplace's mirror lacks the current libc6 and zlib1g builds for s390x and
# ppc64el (i386 needs nothing), and no signed index lists what it has instead, so
# these files are pinned by hash; apt checks the rest against the signed index.
# libc6: the previous trixie point release's build, which trixie's Python runs on
# (hash taken when first fetched). zlib1g: bookworm's, the same soname (libz.so.1)
# and API (hash as in bookworm's signed Packages index).
declare -A REPLACEMENT=(
    [s390x:libc6]="pool/main/g/glibc/libc6_2.41-12%2bdeb13u4_s390x.deb c6e658d8e17d885c831ad1275501ef1abdadc6c93e9ac7758cfd1e5cde2d608b"
    [s390x:zlib1g]="pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_s390x.deb aaa18b6281d1e5a5ba82bdb951d1b0fed43829f52a285f351dc5352880e3ef7e"
    [ppc64el:libc6]="pool/main/g/glibc/libc6_2.41-12%2bdeb13u4_ppc64el.deb 917cbd81a9038133bd58bbfe0991db889a78eb446be2080015b7804942b45ec2"
    [ppc64el:zlib1g]="pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_ppc64el.deb 4a512679756d8dadc91d37ecf353b868d526c007e8860b6618640812efbc51d1"
)
# Used only by modules that the tests never load (ssl, hashlib's OpenSSL backend) or by dpkg.
UNUSED="libssl3t64 openssl-provider-legacy libzstd1"

fetch_sysroot() {
    local apt=$CACHE/apt
    mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/parts"
    rm -f "$apt"/archives/*.deb   # an older fetch's versions would be unpacked too
    touch "$apt/status"
    cat > "$apt/sources.list" <<SOURCES
deb [signed-by=$KEYRING] $MIRROR trixie main
deb [signed-by=$KEYRING] $SECURITY trixie-security main
SOURCES
    cat > "$apt/apt.conf" <<CONF
APT::Architecture "$ARCH"; APT::Architectures { "$ARCH"; }; APT::Install-Recommends "false";
APT::Sandbox::User "root";
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
        if [ -n "${REPLACEMENT[$ARCH:$name]:-}" ]; then
            read -r url hash <<< "${REPLACEMENT[$ARCH:$name]}"
            file=$(basename "$url")
            [ -f "$apt/archives/$file" ] || curl -fsS -o "$apt/archives/$file" "${MIRROR%/}/$url"
            echo "$hash  $apt/archives/$file" | sha256sum -c --quiet
        elif [[ " $UNUSED " != *" $name "* ]]; then
            echo "run.sh $ARCH: could not fetch $file from $MIRROR" >&2
            exit 1
        fi
    done < "$apt/closure"
    rm -rf "$SYSROOT"
    mkdir -p "$SYSROOT"
    for deb in "$apt"/archives/*.deb; do dpkg-deb -x "$deb" "$SYSROOT"; done
    # Debian's merged /usr (bookworm's zlib1g still ships /lib); qemu looks for
    # the loader under /lib or /lib64 of QEMU_LD_PREFIX
    for dir in lib lib64 bin; do
        if [ -d "$SYSROOT/$dir" ] && [ ! -L "$SYSROOT/$dir" ]; then
            mkdir -p "$SYSROOT/usr/$dir"
            cp -a "$SYSROOT/$dir/." "$SYSROOT/usr/$dir/" && rm -rf "${SYSROOT:?}/$dir"
        fi
        ln -sfn "usr/$dir" "$SYSROOT/$dir"
    done
    # what update-alternatives would link for numpy: the reference BLAS and LAPACK
    for lib in blas lapack; do ln -sf "$lib/lib$lib.so.3" "$SYSROOT/usr/lib/$TRIPLET/lib$lib.so.3"; done
    # qemu finds the host's /etc/ld.so.cache unless the sysroot has one, and on
    # an amd64 host that lists i386 libraries in /lib32; an empty cache is
    # ignored by the loader, which then searches the sysroot's default paths
    : > "$SYSROOT/etc/ld.so.cache"
    echo "$STAMP" > "$SYSROOT/.complete"
}
# the sysroot is this script's: fetched again whenever the script (its packages, replacements) changes
STAMP=$(sha256sum < "$0")
[ "$(cat "$SYSROOT/.complete" 2>/dev/null)" = "$STAMP" ] || fetch_sysroot

# A copy of the sources, so that nothing built for the target lands in the work tree.
BUILD=$CACHE/build
rm -rf "$BUILD"
mkdir -p "$BUILD" "$CACHE/cross"
tar -C "$ROOT" --exclude='*.so' --exclude='__pycache__' --exclude='xinit_c/*.c' \
    -c setup.py pyproject.toml README.md LICENSE src xinit_c tests | tar -x -C "$BUILD"

# setup.py on this machine's Python, but with the target's sysconfig (compiler,
# flags, extension suffix, platform) and headers, as crossenv does.
SYSCONFIG=_sysconfigdata__linux_$TRIPLET
sed "s|/usr/include/python3|$SYSROOT/usr/include/python3|g" \
    "$SYSROOT/usr/lib/python3.13/$SYSCONFIG.py" > "$CACHE/cross/$SYSCONFIG.py"
# CFLAGS come first on the command line, so the target's numpy headers win over
# the host numpy's that setup.py adds; -idirafter finds the multiarch pyconfig.h
# that Debian's Python.h includes.
(cd "$BUILD" && _PYTHON_HOST_PLATFORM=$PLATFORM _PYTHON_SYSCONFIGDATA_NAME=$SYSCONFIG PYTHONPATH=$CACHE/cross \
    CFLAGS="-I$SYSROOT/usr/lib/python3/dist-packages/numpy/_core/include -idirafter $SYSROOT/usr/include" \
    "$PYTHON" setup.py -q build_ext --inplace -j 2 > build.log 2>&1) || { cat "$BUILD/build.log" >&2; exit 1; }

cd "$BUILD"
# XINIT_C_EMULATED_ARCH tells the plugin which machine it must find itself on.
export QEMU_LD_PREFIX=$SYSROOT PYTHONPATH=$BUILD/tests/emulated:$BUILD/tests XINIT_C_EMULATED_ARCH=$ARCH
exec "$QEMU" "$SYSROOT/usr/bin/python3.13" -m pytest -p no:cacheprovider -p emulated_plugin -q \
    @tests/emulated/subset.txt "$@"
