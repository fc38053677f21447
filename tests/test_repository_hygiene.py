"""The repository stands on its own: no absolute path of a machine in any file, the W3C suites inside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CONFORMANCE, PROJECT, conformance_path

#: An absolute path of a machine: a home or temporary folder, or the root of a workplace. It must start
#: the path (not follow a word, a dot, a colon or a slash), so URL paths ("https://host/work/") and
#: file IRIs in test data ("file:///tmp/q.rq", an IRI, not a place on a disk) are not taken for one.
MACHINE_PATH = re.compile(
    r"(?<![\w.:/~-])(?:"
    r"/(?:work|tmp|root|mnt|private/var|var/folders)/"
    r"|/(?:home|Users)/[\w.-]+/"
    r"|[A-Za-z]:\\(?:Users|Documents and Settings)\\"
    r")"
)


def repository_files() -> list[Path]:
    """The files git tracks, and the new ones it would add (not ignored)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        capture_output=True,
        check=False,
    )
    assert listing.returncode == 0, f"git ls-files failed in {PROJECT}: {listing.stderr.decode()}"
    names = sorted({name for name in listing.stdout.decode().split("\0") if name})
    return [PROJECT / name for name in names if (PROJECT / name).is_file()]


def machine_paths(files: list[Path]) -> list[str]:
    found = []
    for path in files:
        data = path.read_bytes()
        if b"\0" in data:  # a binary file
            continue
        for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
            for match in MACHINE_PATH.finditer(line):
                where = f"{path.relative_to(PROJECT)}:{number}"
                found.append(f"{where}: {match.group()} in {line.strip()[:120]!r}")
    return found


# The examples are cut in two so that this file does not hold what it looks for.
@pytest.mark.parametrize(
    "line",
    [
        'STORE = "/wo' + 'rk/project/var/store"',
        "see /ho" + "me/alice/notes.txt",
        "tmp = Path('/t" + "mp/coopgraph')",
        "cd /Us" + "ers/bob/src && make",
        "C:" + "\\Users\\carol\\data",
    ],
)
def test_the_pattern_sees_a_machine_path(line: str) -> None:
    assert MACHINE_PATH.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "https://w3id.org/coopgraph/id/organization/x",
        "http://bblfish.net/" + "work/atom-owl/2006-06-06/#",
        'base_iri="file:///t' + 'mp/q.rq"',
        "tests/conformance/rdf-tests/sparql/sparql11/protocol/manifest.ttl",
        "the folder ~/.cache/coopgraph",
    ],
)
def test_the_pattern_leaves_urls_and_relative_paths(line: str) -> None:
    assert not MACHINE_PATH.search(line)


def test_no_file_holds_an_absolute_path_of_a_machine() -> None:
    files = repository_files()
    assert PROJECT / "README.md" in files and len(files) > 100
    found = machine_paths(files)
    assert not found, "absolute paths of a machine in the repository:\n" + "\n".join(found)


def test_a_missing_suite_file_fails_and_names_it() -> None:
    with pytest.raises(pytest.fail.Exception, match=r"no-such-manifest\.ttl is missing"):
        conformance_path("rdf-tests/no-such-manifest.ttl")
    assert conformance_path("rdf-tests/LICENSE.md") == CONFORMANCE / "rdf-tests" / "LICENSE.md"
