#!/usr/bin/env bash
# The release checks that run on a Linux machine, in one go, in a fresh
# virtual environment (docs: README "Wheels and releases"):
#   python -m build (sdist, then the wheel built from the sdist alone),
#   twine check, check-wheel-contents, auditwheel show (policy no newer than
#   manylinux_2_28 where the build machine allows it), the wheel installed in
#   a fresh venv passing the test suite from outside the source tree, every
#   workflow against the GitHub workflow schema, zizmor --offline, and
#   cibuildwheel's build identifiers for linux, macos and windows.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/tools"
"$work/tools/bin/pip" install -q build twine check-wheel-contents auditwheel check-jsonschema zizmor \
    "cibuildwheel==4.3.5"
tool() { "$work/tools/bin/$@"; }

echo "== build: the sdist, then the wheel from the sdist"
tool python -m build --outdir "$work/dist" "$root"
ls -l "$work/dist"
echo "== twine check"
tool twine check --strict "$work"/dist/*
echo "== check-wheel-contents"
tool check-wheel-contents "$work"/dist/*.whl
echo "== auditwheel show"
show="$(tool auditwheel show "$work"/dist/*.whl)"
echo "$show"
glibc="$(ldd --version | head -1 | grep -oE '[0-9]+\.[0-9]+$')"
policy="$(echo "$show" | grep -oE 'manylinux_2_[0-9]+' | head -1)"
if [ "${policy#manylinux_2_}" -gt 28 ]; then
    # the policy follows the glibc of the build machine; release wheels are
    # built in cibuildwheel's manylinux_2_28 image
    echo "note: built against glibc $glibc, so the local wheel is $policy; the release wheels come from" \
         "the manylinux_2_28 image (tool.cibuildwheel in pyproject.toml)"
fi

echo "== the wheel in a fresh venv, tests run from outside the source tree"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work"/dist/*.whl pytest hypothesis scipy mpmath ml_dtypes
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
