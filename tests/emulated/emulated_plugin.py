"""Loaded by tests/emulated/run.sh (pytest -p emulated_plugin): the run refuses to start unless the
interpreter and the xinit_c build really are the Debian architecture that run.sh names in
XINIT_C_EMULATED_ARCH, so that a misconfigured run cannot pass on the host.

ml_dtypes has no build for these architectures (no PyPI wheel, no Debian package): tests/conftest.py
then skips the bfloat16 cases, and the header says why.
"""
import os
import platform
import sys

import numpy as np
import pytest

import xinit_c
from xinit_c import _core

# Debian architecture: what the interpreter reports there and the extension's multiarch suffix.
TARGETS = {
    "s390x": {"machine": "s390x", "byteorder": "big", "maxsize": 2**63 - 1, "suffix": "-s390x-linux-gnu.so"},
    "ppc64el": {"machine": "ppc64le", "byteorder": "little", "maxsize": 2**63 - 1,
                "suffix": "-powerpc64le-linux-gnu.so"},
    "i386": {"machine": "i686", "byteorder": "little", "maxsize": 2**31 - 1, "suffix": "-i386-linux-gnu.so"},
}

def pytest_configure(config):
    arch = os.environ.get("XINIT_C_EMULATED_ARCH", "")
    if arch not in TARGETS:
        raise pytest.UsageError(f"XINIT_C_EMULATED_ARCH is {arch!r}, not one of {', '.join(TARGETS)} "
                                "(run tests/emulated/run.sh ARCH)")
    found = {"machine": platform.machine(), "byteorder": sys.byteorder, "maxsize": sys.maxsize,
             "suffix": _core.__file__}
    expected = TARGETS[arch]
    wrong = [f"{what} {found[what]!r} (expected {want!r})" for what, want in expected.items()
             if (not found[what].endswith(want) if what == "suffix" else found[what] != want)]
    if wrong:
        raise pytest.UsageError(f"the {arch} subset must run on {arch} with the {arch} build: {'; '.join(wrong)}")


def pytest_report_header(config):
    return (f"xinit_c {xinit_c.__version__} from {xinit_c.__file__}, {platform.machine()} {sys.byteorder}-endian, "
            f"sys.maxsize 2**{sys.maxsize.bit_length()}-1, numpy {np.__version__}; "
            "bfloat16 cases skip (ml_dtypes has no build here)")


# every file of subset.txt must run: a module-level skip would hide all of its tests behind one "skipped"
SKIPPED_FILES = []


def pytest_collectreport(report):
    if report.skipped:
        SKIPPED_FILES.append(f"{report.nodeid}: {report.longrepr[2] if isinstance(report.longrepr, tuple) else ''}")


def pytest_sessionfinish(session, exitstatus):
    if SKIPPED_FILES:
        print("\nwhole files skipped in the emulated subset:\n" + "\n".join(SKIPPED_FILES))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
