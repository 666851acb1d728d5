"""The README's Python examples run as they are written."""
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

import xinit_c as xi

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
# A block that needs its own process (a Keras backend or a JAX device count is fixed
# when the framework is imported) opens with the command that runs it, e.g.
# "# run as: KERAS_BACKEND=torch python example.py".
OWN_PROCESS = re.compile(r"\A# run as: (?P<env>(?:[A-Z_]+=\S+ )*)python (?P<script>\S+\.py)\b[^\n]*\n")


def python_blocks():
    text = README.read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.S)


def session_blocks():
    return [block for block in python_blocks() if not OWN_PROCESS.match(block)]


def own_process_blocks():
    return [block for block in python_blocks() if OWN_PROCESS.match(block)] if README.exists() else []


def own_process_params():
    return [pytest.param(block, id=OWN_PROCESS.match(block)["script"]) for block in own_process_blocks()]


def _framework(block):
    """The optional framework a block imports first (keras, jax, flax), or None."""
    match = re.search(r"^(?:import|from) (keras|jax|flax)\b", block, re.M)
    return match and match[1]


@pytest.fixture
def restored_simd():
    yield
    xi.set_simd("best")


@pytest.mark.skipif(not README.exists(), reason="the release check runs a copy of tests/ without the README")
def test_every_python_example_runs(restored_simd):
    blocks = session_blocks()
    assert len(blocks) >= 4
    namespace = {}
    for block in blocks:   # in order: later examples use the names of earlier ones, as a reader's session would
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["w"].shape == (4, 4) and abs(namespace["w"]).max() <= (6 / 8) ** 0.5   # the article's


@pytest.mark.skipif(not README.exists(), reason="the release check runs a copy of tests/ without the README")
def test_the_frameworks_examples_are_there():
    assert {_framework(block) for block in own_process_blocks()} >= {"keras", "jax"}


@pytest.mark.parametrize("block", own_process_params())
def test_own_process_example_runs(block, tmp_path):
    command = OWN_PROCESS.match(block)
    variables = dict(pair.split("=", 1) for pair in command["env"].split())
    needs = {_framework(block), variables.get("KERAS_BACKEND")} | set(re.findall(r"^(?:import|from) (flax|torch)\b",
                                                                                  block, re.M))
    for needed in needs - {None, "numpy"}:
        if importlib.util.find_spec(needed) is None:
            pytest.skip(f"{needed} is not installed (pip install 'xinit-c[test]')")
    env = dict(os.environ, KERAS_HOME=str(tmp_path / "keras"), PYTHONPATH=os.pathsep.join(
        [str(pathlib.Path(xi.__file__).parent.parent), os.environ.get("PYTHONPATH", "")]))
    env.update(variables)
    script = command["script"]
    (tmp_path / script).write_text(block)
    run = subprocess.run([sys.executable, script], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
