"""Dependency floors are tested ones, and the contract version is the documented one."""
import re
from pathlib import Path

import pytest

import xinit_c

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(==|>=)\s*([0-9][0-9.]*)")


def _version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def _name(text):
    return re.sub(r"[-_.]+", "-", text).lower()


def _floors():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    floors = {}
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        if match and match[2] == ">=":
            name = _name(match[1])
            floors[name] = max(floors.get(name, (0,)), _version(match[3]))
    return floors


def test_every_floor_is_the_release_the_oldest_run_installs():
    pins = {}
    for line in (ROOT / "tests" / "constraints-oldest.txt").read_text().splitlines():
        match = REQUIREMENT.match(line)
        if match:
            assert match[2] == "==", line
            pins[_name(match[1])] = _version(match[3])
    floors = _floors()
    # pinned exactly in the test extra, not by a floor
    floors.pop("torch")
    assert floors == {name: pins[name] for name in floors}, "pyproject floors and tests/constraints-oldest.txt differ"
    # others' dependencies whose own floors are too loose to install a working set
    transitive = {"distributed", "numcodecs"}
    assert set(pins) - set(floors) <= transitive, "a pin in constraints-oldest.txt has no floor in pyproject"


def test_stream_version_is_the_documented_one():
    doc = ROOT / "docs" / "stream.md"
    if not doc.exists():
        pytest.skip("docs/stream.md is not beside these tests (run from an installed wheel's copy)")
    title = doc.read_text().splitlines()[0]
    assert f"contract, version {xinit_c.STREAM_VERSION})" in title
