"""The import contracts of ``[tool.importlinter]`` in pyproject.toml hold, and they do catch a module that
breaks one; no module outside ``coopgraph/store`` imports a private name of the store."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
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
    env = dict(os.environ, COLUMNS="300")  # one line per contract in the summary
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


def _core_contract() -> dict[str, Any]:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == "core")


def test_the_core_contract_lists_every_module_of_the_core() -> None:
    core = PROJECT / "coopgraph"
    modules = {
        f"coopgraph.{p.stem if p.is_file() else p.name}"
        for p in core.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert set(_core_contract()["source_modules"]) == modules - {"coopgraph.cli"}


@pytest.mark.parametrize(
    ("module", "imports", "broken"),
    [
        ("ingest/crossing.py", "import server\n", "Layers"),
        ("server/crossing.py", "import coopgraph.cli.main\n", "Layers"),
        ("coopgraph/store/crossing.py", "import ingest.batch\n", "The core"),
        ("coopgraph/crossing.py", "import server\n", "The core"),
        ("server/crossing.py", "import ingest.batch\n", None),
    ],
)
def test_a_module_that_imports_across_a_layer_breaks_a_contract(
    tmp_path: Path, module: str, imports: str, broken: str | None
) -> None:
    """A copy of the three packages (outside the repository) with one module more, checked by the project's
    own contracts; the core contract is told about the new module when it sits directly in the core."""
    for package in ("coopgraph", "ingest", "server"):
        shutil.copytree(
            PROJECT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("static", "templates", "*.pyc"),
        )
    (tmp_path / module).write_text(imports, encoding="utf-8")
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    if module == "coopgraph/crossing.py":
        next(c for c in config["contracts"] if c["id"] == "core")["source_modules"].append(
            "coopgraph.crossing"
        )
    (tmp_path / "contracts.toml").write_text(_toml(config), encoding="utf-8")

    done = lint_imports("contracts.toml", cwd=tmp_path, pythonpath=tmp_path)
    if broken is None:
        assert done.returncode == 0, done.stdout + done.stderr
    else:
        assert done.returncode == 1, done.stdout + done.stderr
        assert re.search(rf"^{broken}.*BROKEN", done.stdout, re.M), done.stdout
        assert "crossing" in done.stdout
