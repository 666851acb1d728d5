#!/usr/bin/env bash
# Feed the raw xinit_c word stream (Philox4x32-10, key from seed 2024, stream 0,
# position 0, in order) to dieharder (Debian package "dieharder") for a bounded
# set of tests. Prints dieharder's table; docs/statistics.md records a run.
#   tools/dieharder.sh            # the default test list below
#   tools/dieharder.sh -a         # the whole battery (hours)
set -euo pipefail
command -v dieharder >/dev/null || { echo "dieharder not installed (apt-get install dieharder)" >&2; exit 2; }
stream() {
    python3 -c '
import sys, numpy as np, xinit_c as xi
g = xi.Generator(2024)
out = np.empty(1 << 20, np.uint32)
try:
    while True:
        sys.stdout.buffer.write(xi.random_bits_(out, generator=g).tobytes())
except BrokenPipeError:
    pass
'
}
if [ "${1:-}" = "-a" ]; then
    stream | dieharder -g 200 -a
    exit
fi
# birthdays, operm5, rank 32x32, rank 6x8, bitstream, count-1s (stream and byte),
# 2d sphere, squeeze, runs, craps, STS monobit/runs/serial,
# RGB Kolmogorov-Smirnov and bit distribution (8-bit tuples)
for test in 0 1 2 3 4 8 9 11 13 15 16 100 101 102 204; do
    stream | dieharder -g 200 -d "$test"
done
stream | dieharder -g 200 -d 200 -n 8      # bit distribution of 8-bit tuples
