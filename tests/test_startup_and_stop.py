"""Starting and stopping safely: ``/healthz`` and ``/readyz``, a second server on a port in use (its own
exit code, the store untouched), and SIGTERM during a long query (answered or stopped cleanly, exit 0)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import requests

from coopgraph.cli import exits
from tests.conftest import COOPGRAPH, PROJECT, coopgraph, free_port, start_server
from tests.test_operations import SLOW, log_lines, scrape, value


def _tree(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and folder under ``root``: its inode, size and modification time (ns)."""
    found = {}
    for path in [root, *root.rglob("*")]:
        st = path.lstat()
        found[str(path.relative_to(root))] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return found


def test_a_second_server_on_a_port_in_use_exits_with_its_code_and_leaves_the_store_alone(
    store_copy: Path,
) -> None:
    first = start_server(store_copy)
    try:
        before = _tree(store_copy)
        port = first.url.rsplit(":", 1)[1]
        second = coopgraph("serve", "--port", port, store=store_copy, timeout=120)
        assert second.returncode == exits.ADDRESS_IN_USE == 8
        assert f"127.0.0.1:{port} is already in use" in second.stderr
        assert "serving" not in second.stderr and "compacted" not in second.stderr
        assert _tree(store_copy) == before
        assert requests.get(first.url + "/sparql", params={"query": "ASK {}"}).status_code == 200
    finally:
        first.stop()
    assert "8  address in use" in coopgraph("serve", "--help").stdout


def test_healthz_answers_while_readyz_says_what_is_missing(store_copy: Path, tmp_path: Path) -> None:
    """Workers that cannot start (a memory cap far too small to open the store): the process answers,
    and is not ready."""
    port = free_port()
    env = dict(
        os.environ,
        COOPGRAPH_STORE=str(store_copy),
        COOPGRAPH_WORKERS="1",
        COOPGRAPH_WORKER_MEMORY_BYTES=str(16 * 1024 * 1024),
    )
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*COOPGRAPH, "serve", "--port", str(port)], cwd=PROJECT, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        ready = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = requests.get(url + "/healthz", timeout=5)
                ready = requests.get(url + "/readyz", timeout=5)
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
                continue
            assert health.status_code == 200 and health.text == "ok\n"
            assert ready.status_code == 503 and ready.json()["ready"] is False
            if "could not start" in ready.json()["problems"].get("workers", ""):
                break
            time.sleep(0.2)
        assert ready is not None, log.read_text(errors="replace")
        assert "could not start" in ready.json()["problems"]["workers"], ready.text
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def test_a_query_sent_before_ready_waits_for_the_workers(store_copy: Path, tmp_path: Path) -> None:
    """The server answers as soon as its port is served; a query sent then is answered once the workers
    are up, and /readyz, once ready, stays ready."""
    port = free_port()
    env = dict(os.environ, COOPGRAPH_STORE=str(store_copy), COOPGRAPH_WORKERS="2")
    with open(tmp_path / "server.log", "wb") as out:
        process = subprocess.Popen(
            [*COOPGRAPH, "serve", "--port", str(port)], cwd=PROJECT, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(url + "/healthz", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
        first = requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=60)
        assert first.status_code == 200, first.text
        while requests.get(url + "/readyz", timeout=5).status_code != 200:  # the write and check workers
            assert time.monotonic() < deadline
            time.sleep(0.1)
        states = [requests.get(url + "/readyz", timeout=5).status_code for _ in range(20)]
        assert states == [200] * 20
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0


def test_sigterm_during_a_long_query_stops_it_cleanly_and_exits_0(store_copy: Path) -> None:
    server = start_server(store_copy, query_timeout=120, extra_env={"COOPGRAPH_SHUTDOWN_TIMEOUT": "1"})
    outcome: dict[str, requests.Response | Exception] = {}

    def ask() -> None:
        try:
            outcome["slow"] = requests.get(server.url + "/sparql", params={"query": SLOW}, timeout=120)
        except requests.RequestException as e:
            outcome["slow"] = e

    slow = threading.Thread(target=ask)
    try:
        slow.start()
        deadline = time.monotonic() + 60
        while value(scrape(server), "coopgraph_workers_busy", role="query") < 1:
            assert time.monotonic() < deadline, "the long query never reached a worker"
            time.sleep(0.1)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=60) == 0
        slow.join(timeout=60)
    finally:
        server.stop()
    answer = outcome["slow"]
    assert isinstance(answer, requests.Response), answer
    assert answer.status_code == 503 and "the server is stopping" in answer.text
    assert answer.headers["Retry-After"]
    lines = log_lines(server, lambda ls: True)
    stopped = [line for line in lines if "stopped_at_shutdown" in line]
    assert len(stopped) == 1
    request_id = stopped[0].split("id=")[1].split()[0]
    assert any(" GET /sparql 503 " in line and f"id={request_id}" in line for line in lines)
    assert "Traceback" not in "\n".join(lines)


def test_an_unknown_access_log_style_is_a_usage_error(tmp_path: Path) -> None:
    result = coopgraph(
        "serve", "--port", str(free_port()), store=tmp_path / "store", env={"COOPGRAPH_ACCESS_LOG": "xml"}
    )
    assert result.returncode == exits.USAGE
    assert "access_log is one of plain, json, off" in result.stderr
    assert not (tmp_path / "store").exists()  # refused before the store was touched
