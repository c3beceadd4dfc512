"""The app behind a real uvicorn server, as `carebridge serve` runs it: what gets logged, and bodies on the wire.

These need a real server: the test client neither logs as uvicorn does nor streams a chunked body.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MARKER = "QX7MARKERFH9"
MB = 1024 * 1024


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("server")
    port = _free_port()
    log_path = directory / "server.log"
    env = {**os.environ, "CAREBRIDGE_DATABASE_URL": f"sqlite:///{directory / 'carebridge.db'}"}
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "tests" / "serve_for_tests.py"), str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=directory,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            status, _headers, _body = _request(port, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if status == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the test server did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.2)
    yield Server(port, process, log_path)
    process.terminate()
    process.wait(timeout=20)


def _read_response(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def _request(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw)
        return _read_response(connection)


def test_an_unexpected_error_is_logged_once_by_us_without_its_message(server: Server) -> None:
    before = len(server.logs())
    api_status, api_headers, api_body = _request(
        server.port, f"GET /api/v1/test-explode?postcode={MARKER} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    page_status, page_headers, page_body = _request(
        server.port, f"GET /test-explode?postcode={MARKER} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    path_status, _path_headers, _path_body = _request(
        server.port, f"GET /api/v1/test-explode/{MARKER} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    time.sleep(0.5)  # let the server's log lines reach the file
    logs = server.logs()[before:]

    assert api_status == 500 and api_headers["content-type"] == "application/problem+json"
    assert json.loads(api_body)["status"] == 500
    assert page_status == 500 and page_headers["content-type"].startswith("text/html")
    assert b"error-summary" not in page_body and b"<h1>" in page_body
    # Logged once each, by us: type and route, and frames that show where.
    assert path_status == 500
    assert logs.count("unexpected error on") == 3, logs
    # The route's template is logged, not the path that was asked for (it can hold what a person typed).
    assert "/api/v1/test-explode/{postcode}" in logs and "RuntimeError" in logs
    assert "ValueError" in logs and "/api/v1/test-explode" in logs and "explode_api" in logs
    assert "KeyError" in logs and "/test-explode" in logs
    # No server layer repeats it, and what the person typed is nowhere.
    assert "Exception in ASGI application" not in logs
    assert MARKER not in logs
    assert MARKER.encode() not in api_body


def test_a_declared_content_length_over_1_mb_is_refused_before_the_body_is_sent(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        # Headers only: a 200 MB body is announced and never sent, so an answer proves nothing waited for it.
        connection.sendall(
            b"POST /api/v1/entitlements/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {200 * MB}\r\n\r\n".encode()
        )
        status, headers, body = _read_response(connection)
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 413


@pytest.mark.parametrize("content_type", ["application/json", "application/octet-stream"])
def test_a_chunked_body_is_refused_as_soon_as_it_passes_1_mb(server: Server, content_type: str) -> None:
    chunk = b"x" * (64 * 1024)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(
            b"POST /api/v1/test-body-size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        # 1 MB and one chunk more, then nothing: the body never ends, so only a guard that counts can answer.
        for _ in range(17):
            connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        status, headers, body = _read_response(connection)
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["errors"][0]["name"] == "body"


def test_a_chunked_body_under_1_mb_is_read_whole(server: Server) -> None:
    chunk = b"y" * (64 * 1024)
    raw = b"POST /api/v1/test-body-size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
    raw += b"Content-Type: application/octet-stream\r\n\r\n"
    raw += (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") * 15 + b"0\r\n\r\n"
    status, _headers, body = _request(server.port, raw)
    assert status == 200
    assert json.loads(body) == {"size": 15 * len(chunk)}


def test_the_servers_log_format_withholds_any_exception_message() -> None:
    # The second line of defence: should a server layer ever log an exception, only its type and frames go out.
    import logging

    from carebridge.cli import LOG_CONFIG, FramesOnlyFormatter

    try:
        raise ValueError(f"could not read {MARKER}")
    except ValueError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application", None, sys.exc_info())
    text = FramesOnlyFormatter("%(message)s").format(record)
    assert "ValueError" in text and "test_server.py" in text
    assert MARKER not in text
    assert LOG_CONFIG["formatters"]["frames_only"]["()"] is FramesOnlyFormatter
    assert {"uvicorn", "carebridge"} <= set(LOG_CONFIG["loggers"])
