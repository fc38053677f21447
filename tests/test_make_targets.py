"""What each entry point of the Makefile installs: ``make serve`` the project alone, ``make bench`` the
bench extra, the tests the test extra (read from ``make -n``: what make would run, nothing run)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import PROJECT


def installs(target: str) -> list[str]:
    """The ``pip install`` arguments ``make TARGET`` would run, all its prerequisites remade."""
    if shutil.which("make") is None:
        pytest.fail("make is missing: the README's entry points are make targets", pytrace=False)
    plan = subprocess.run(
        ["make", "-n", "-B", target], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout
    return [
        m.group(1) for m in re.finditer(r"pip install -q (?:--upgrade pip|(.+))$", plan, re.M) if m.group(1)
    ]


def test_make_serve_installs_only_what_serving_needs() -> None:
    assert installs("serve") == ["-e ."]


def test_the_bench_and_test_extras_are_installed_by_their_own_targets() -> None:
    assert installs("bench") == ["-e '.[bench]'"]
    assert installs("lint") == ["-e '.[test]'"]
