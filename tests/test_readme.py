"""The README's Python examples run as they are written."""
import pathlib
import re

import pytest

import xinit_c as xi

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def python_blocks():
    text = README.read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.fixture
def restored_simd():
    yield
    xi.set_simd("best")


@pytest.mark.skipif(not README.exists(), reason="the release check runs a copy of tests/ without the README")
def test_every_python_example_runs(restored_simd):
    blocks = python_blocks()
    assert len(blocks) >= 4
    namespace = {}
    for block in blocks:   # in order: later examples use the names of earlier ones, as a reader's session would
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["w"].shape == (4, 4) and abs(namespace["w"]).max() <= (6 / 8) ** 0.5   # the article's
