"""HTTP is hardened, tried with real sockets against a running worker: no open ingest off
loopback, no cross-site or rebinding posts, a slow body is cut off at the time limit, and an
idle connection is closed at it."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from agents.settings import Settings
from agents.worker.topics import ensure_topics
from tests.integration.conftest import ROOT, running_worker, settings_env

pytestmark = pytest.mark.integration

STORY = b"date 2026-12-03\nid urn:http:1\n\nTram drivers in Lyon agreed a new rota on Thursday.\n"


def _request(settings: Settings, head: dict[str, str], body: bytes = STORY) -> tuple[int, dict]:
    """One POST /stories over a raw socket, with exactly the headers given."""
    lines = ["POST /stories HTTP/1.1", *(f"{k}: {v}" for k, v in head.items())]
    lines += [f"Content-Length: {len(body)}", "Content-Type: text/plain", "Connection: close"]
    with socket.create_connection(("127.0.0.1", settings.web_port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return _reply(sock)


def _reply(sock: socket.socket) -> tuple[int, dict]:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, orjson.loads(data.split(b"\r\n\r\n", 1)[1] or b"{}")


def test_posts_from_other_sites_and_slow_bodies_are_refused(
    settings: Settings, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"http_timeout_seconds": 2.0})
    ensure_topics(settings)
    own = f"127.0.0.1:{settings.web_port}"
    with running_worker(settings, tmp_path / "worker.log"):
        status, body = _request(settings, {"Host": own, "Origin": "https://news.example.net"})
        assert (status, body["error_code"]) == (403, "cross_site_refused")
        status, body = _request(settings, {"Host": f"rebind.example.net:{settings.web_port}"})
        assert (status, body["error_code"]) == (403, "untrusted_host")
        status, body = _request(settings, {"Host": own, "Origin": f"http://{own}"})
        assert status == 202, body  # the worker's own page, and plain clients, may post
        status, body = _request(settings, {"Host": f"localhost:{settings.web_port}"})
        assert status == 202, body

        # a byte a second: the body never completes, the worker answers at its time limit
        with socket.create_connection(("127.0.0.1", settings.web_port), timeout=30) as sock:
            head = f"POST /stories HTTP/1.1\r\nHost: {own}\r\nContent-Length: 5000\r\n\r\n"
            sock.sendall(head.encode())
            started = time.monotonic()
            sock.settimeout(0.2)
            answer = b""
            while time.monotonic() - started < 20 and not answer:
                try:
                    sock.sendall(b"x")
                    answer = sock.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
            waited = time.monotonic() - started
        assert answer.split(b" ", 2)[1] == b"408", answer[:200]
        assert b"request_timeout" in answer
        assert waited < 10


def _keep_alive_exchange(sock: socket.socket, port: int) -> bytes:
    """One GET /health asking to keep the connection; the head of the answer, whose body is
    read to its Content-Length so nothing is left unread on the socket."""
    sock.sendall(
        f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: keep-alive\r\n\r\n".encode()
    )
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    declared = re.search(rb"(?im)^content-length: *(\d+)", head)
    assert declared is not None, head
    length = int(declared.group(1))
    while len(body) < length:
        body += sock.recv(65536)
    return head


def _seconds_until_closed(sock: socket.socket, limit: float = 20.0) -> float:
    """How long the server leaves the idle connection open; fails past `limit`."""
    started = time.monotonic()
    sock.settimeout(limit)
    try:
        leftover = sock.recv(1)
    except ConnectionResetError:
        leftover = b""
    except TimeoutError:
        pytest.fail(f"the worker kept an idle connection open for {limit:.0f}s")
    assert leftover == b"", leftover  # the server closed it, it did not talk
    return time.monotonic() - started


def test_idle_connections_are_closed_at_the_time_limit(settings: Settings, tmp_path: Path) -> None:
    settings = settings.model_copy(update={"http_timeout_seconds": 2.0})
    ensure_topics(settings)
    with running_worker(settings, tmp_path / "worker.log"):
        with socket.create_connection(("127.0.0.1", settings.web_port), timeout=30) as sock:
            head = _keep_alive_exchange(sock, settings.web_port)
            assert head.split(b" ", 2)[1] == b"200", head
            assert b"connection: close" not in head.lower()  # the server agreed to keep it
            kept_open = _seconds_until_closed(sock)
        # and one that connects and never sends a request line
        with socket.create_connection(("127.0.0.1", settings.web_port), timeout=30) as sock:
            silent = _seconds_until_closed(sock)
    assert 1.5 < kept_open < 8, kept_open
    assert 1.5 < silent < 8, silent


def test_an_open_ingest_on_the_network_refuses_to_start(settings: Settings, tmp_path: Path) -> None:
    exposed = settings.model_copy(update={"web_host": "0.0.0.0"})
    done = subprocess.run(
        [sys.executable, "-m", "agents.cli", "worker"],
        cwd=ROOT,
        env=settings_env(exposed),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert b"WIRESTREAM_INGEST_TOKEN" in done.stderr + done.stdout


def _open_stream(settings: Settings, source: str) -> tuple[socket.socket, bytes]:
    """GET /events from a given loopback source address; the socket and the status line."""
    sock = socket.create_connection(
        ("127.0.0.1", settings.web_port), timeout=10, source_address=(source, 0)
    )
    sock.sendall(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{settings.web_port}\r\n\r\n".encode())
    return sock, sock.recv(4096).split(b"\r\n", 1)[0]


def test_one_host_cannot_take_every_live_stream(settings: Settings, tmp_path: Path) -> None:
    from agents.web.live_feed import MAX_CLIENTS_PER_ADDRESS

    ensure_topics(settings)
    opened: list[socket.socket] = []
    with running_worker(settings, tmp_path / "worker.log"):
        try:
            for _ in range(MAX_CLIENTS_PER_ADDRESS):
                sock, status = _open_stream(settings, "127.0.0.5")
                opened.append(sock)
                assert b" 200 " in status + b" ", status
            sock, status = _open_stream(settings, "127.0.0.5")
            opened.append(sock)
            assert b" 503 " in status + b" ", status  # that host has its share
            sock, status = _open_stream(settings, "127.0.0.6")
            opened.append(sock)
            assert b" 200 " in status + b" ", status  # an editor elsewhere still gets in
        finally:
            for sock in opened:
                sock.close()
