"""xinit_c.keras on each installed Keras backend (torch, jax, numpy), each in its own process.

Keras fixes its backend at its first import, so every backend runs tests/keras_backends.py in a subprocess: values
equal xinit_c.initializers' bit for bit for every class and dtype, seeds behave as Keras's, configs and .keras files
round-trip, and a small Conv2D + Dense model trains a step (forward only on numpy, which cannot train). The
subprocess imports the package this test imports, runs in a temporary directory, and keeps Keras's files there.
"""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

import xinit_c

# found, not imported: importing keras here would fix its backend for this whole process (and, with the default
# TensorFlow backend absent, fail as if keras were missing)
if importlib.util.find_spec("keras") is None:
    pytest.skip("keras is not installed (the keras extra installs it): xinit_c.keras is untested",
                allow_module_level=True)

TESTS = pathlib.Path(__file__).resolve().parent
PACKAGE_ROOT = pathlib.Path(xinit_c.__file__).resolve().parent.parent


def run_python(args, tmp_path, backend=None):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])),
               KERAS_HOME=str(tmp_path / "keras-home"))
    env.pop("KERAS_BACKEND", None)
    if backend is not None:
        env["KERAS_BACKEND"] = backend
    return subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)


# Keras 3.15's numpy backend imports jax (keras/src/backend/numpy), so it needs jax installed too
@pytest.mark.parametrize("backend, framework", [("torch", "torch"), ("jax", "jax"), ("numpy", "jax")])
def test_a_backend(backend, framework, tmp_path):
    if importlib.util.find_spec(framework) is None:
        pytest.skip(f"{framework} is not installed: the Keras {backend} backend is untested")
    result = run_python([str(TESTS / "keras_backends.py"), backend], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["backend"] == backend
    assert summary["checks"] >= 2000   # every part ran: a shorter run would mean a loop lost its cases

