#!/usr/bin/env bash
# The release checks that run on a Linux machine, in one go, in a fresh
# virtual environment (docs: README "Wheels and releases"):
#   python -m build (sdist, then the wheel built from the sdist alone),
#   twine check, check-wheel-contents, auditwheel show (policy no newer than
#   manylinux_2_28: the wheel is linked against glibc 2.28), the wheel installed in
#   a fresh venv at the oldest dependency releases allowed (tests/constraints-oldest.txt)
#   passing the test suite from outside the source tree, every
#   workflow against the GitHub workflow schema, zizmor --offline, and
#   cibuildwheel's build identifiers for linux, macos and windows.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/tools"
"$work/tools/bin/pip" install -q build twine check-wheel-contents auditwheel check-jsonschema zizmor \
    "cibuildwheel==4.3.5" ziglang
tool() { "$work/tools/bin/$@"; }

# Link against glibc 2.28 whatever this machine's glibc is (zig's cc carries
# the old symbol versions), as the manylinux_2_28 image of the release build
# would; otherwise auditwheel reports this machine's glibc.
zcc="$work/zcc"
printf '#!/bin/sh\nexec "%s" -m ziglang cc -target %s-linux-gnu.2.28 "$@"\n' "$work/tools/bin/python" \
    "$(uname -m)" > "$zcc"
chmod +x "$zcc"

echo "== build: the sdist, then the wheel from the sdist"
CC="$zcc" LDSHARED="$zcc -shared" tool python -m build --outdir "$work/dist" "$root"
ls -l "$work/dist"
echo "== twine check"
tool twine check --strict "$work"/dist/*
echo "== check-wheel-contents"
tool check-wheel-contents "$work"/dist/*.whl
echo "== auditwheel show"
show="$(tool auditwheel show "$work"/dist/*.whl)"
echo "$show"
policy="$(echo "$show" | grep -oE 'manylinux_2_[0-9]+' | head -1)"
if [ -z "$policy" ] || [ "${policy#manylinux_2_}" -gt 28 ]; then
    echo "FAIL: the wheel needs ${policy:-an unknown policy}, newer than the manylinux_2_28 target" >&2
    exit 1
fi
echo "policy $policy: no newer than the manylinux_2_28 target"

echo "== the wheel in a fresh venv at every dependency's floor, tests run from outside the source tree"
# torch is left out (the test extra pins it exactly, and the README's test
# command runs it), and so are jax, flax and keras: jax 0.10.2 needs ml_dtypes
# 0.5, above the 0.4 floor tested here, Keras's numpy backend imports jax, and
# their floors are the releases the README's test command installs today;
# everything else is at the oldest release pyproject allows
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q -c "$root/tests/constraints-oldest.txt" "$work"/dist/*.whl \
    pytest hypothesis scipy mpmath ml_dtypes "dask[array,distributed]" numba zarr mypy Cython setuptools safetensors tqdm
"$work/venv/bin/pip" list
cp -r "$root/tests" "$root/src" "$root/examples" "$work/"   # sources for the C driver, no package
cp "$root/pyproject.toml" "$work/pyproject.toml"
(cd "$work" && "$work/venv/bin/python" -m pytest -p no:cacheprovider -q tests)

echo "== workflows: schema and zizmor"
tool check-jsonschema --builtin-schema vendor.github-workflows "$root"/.github/workflows/*.yml
tool check-jsonschema --builtin-schema vendor.dependabot "$root/.github/dependabot.yml"
tool zizmor --offline "$root/.github"

echo "== cibuildwheel build identifiers"
for platform in linux macos windows; do
    echo "-- $platform"
    (cd "$root" && tool cibuildwheel --print-build-identifiers --platform "$platform")
done
echo "release checks passed"
