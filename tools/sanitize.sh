#!/usr/bin/env bash
# The whole test suite against an AddressSanitizer + UndefinedBehaviorSanitizer
# build of the extension, and the standalone C driver under the sanitizers and
# under valgrind memcheck. Linux with gcc; run from anywhere:
#   tools/sanitize.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
. "$venv/bin/activate"
pip install -q "$root[test]"
# rebuild the extension in place of the installed one, with the sanitizers
XINIT_C_SANITIZE=1 pip install -q --no-deps --force-reinstall --no-cache-dir "$root"

# The sanitizer runtimes must come first in the process; Python's own
# allocations are not ours to report, so leak detection stays off.
export LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
(cd / && python -c "import xinit_c._core as c; print('sanitized build:', c.__file__)")
cd "$root"
pytest -p no:cacheprovider -q -x
unset LD_PRELOAD

CFLAGS='-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' tests/c/run.sh
if command -v valgrind >/dev/null; then
    RUNNER='valgrind -q --error-exitcode=1 --leak-check=full' CFLAGS='-O2 -g' tests/c/run.sh
fi
