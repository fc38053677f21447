"""The import contracts of ``[tool.importlinter]`` in pyproject.toml hold, and they do catch a module that
breaks one; no module outside ``coopgraph/store`` imports a private name of the store."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT

LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(
    *args: str, cwd: Path = PROJECT, pythonpath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), str(PROJECT)])
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_import_contracts_hold() -> None:
    done = lint_imports()
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 broken" in done.stdout


def _toml(config: dict[str, Any]) -> str:
    """``[tool.importlinter]`` as TOML (its values are strings, lists of strings and booleans, which JSON
    writes as TOML does)."""
    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in config.items() if k != "contracts"]
    for contract in config["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{k} = {json.dumps(v)}" for k, v in contract.items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("imports", "broken"),
    [
        ("from coopgraph.store import open_store\n", False),
        ("from coopgraph.store.local import LocalStore\n", True),
        ("from coopgraph.store.generations import Generations\n", True),
    ],
)
def test_a_package_that_reaches_into_the_store_breaks_the_contract(
    tmp_path: Path, imports: str, broken: bool
) -> None:
    """The project's own contracts, over one more root package (outside the repository) that imports
    the store as given."""
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    config["root_packages"] = [*config["root_packages"], "reaching"]
    (tmp_path / "reaching").mkdir()
    (tmp_path / "reaching" / "__init__.py").write_text(imports, encoding="utf-8")
    (tmp_path / "contracts.toml").write_text(_toml(config), encoding="utf-8")

    done = lint_imports("contracts.toml", cwd=tmp_path, pythonpath=tmp_path)
    assert done.returncode == (1 if broken else 0), done.stdout + done.stderr
    assert ("reaching -> coopgraph.store" in done.stdout) is broken, done.stdout


def private_store_imports(source: str) -> list[str]:
    """The private names a module's text imports from ``coopgraph.store`` and its modules."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("coopgraph.store"):
            found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    return found


def test_the_private_name_check_finds_one() -> None:
    text = "from coopgraph.store.local import _query as query_view\nfrom coopgraph.store import open_store\n"
    assert private_store_imports(text) == ["coopgraph.store.local._query"]


def test_no_module_outside_the_store_imports_a_private_name_of_it() -> None:
    store = PROJECT / "coopgraph" / "store"
    found = {
        str(path.relative_to(PROJECT)): names
        for package in ("coopgraph", "ingest", "server")
        for path in sorted((PROJECT / package).rglob("*.py"))
        if store not in path.parents and (names := private_store_imports(path.read_text(encoding="utf-8")))
    }
    assert found == {}
