"""Run the xinit_c benchmark from the repository: ``python benchmarks/bench.py [--quick] [--markdown]``.

A thin wrapper of ``xinit_c._bench.main`` (the same as ``xinit-c bench``), with
the repository root first on ``sys.path`` so that an in-place build is used.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from xinit_c._bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
