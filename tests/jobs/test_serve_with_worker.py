"""`make run`'s script starts the server and a worker, and Ctrl-C stops both (no process is left behind)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from carebridge.cli import upgrade_database

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_ROOT / "scripts" / "serve-with-worker"
CAREBRIDGE = str(Path(sys.executable).parent / "carebridge")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_the_server_and_the_worker_start_and_stop_together(tmp_path: Path, stop_signal: int) -> None:
    database = f"sqlite:///{tmp_path / 'run.db'}"
    upgrade_database(database)
    port = free_port()
    env = dict(os.environ, CAREBRIDGE_DATABASE_URL=database, BIN=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        ["bash", str(SCRIPT), CAREBRIDGE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group, as a terminal gives `make run`
    )
    group = process.pid
    worker: int | None = None
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the server did not answer"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        workers = subprocess.run(["pgrep", "-P", str(process.pid), "-f", "carebridge worker"], capture_output=True, text=True)
        [worker] = [int(pid) for pid in workers.stdout.split()]  # one worker runs beside the server
        # Ctrl-C in a terminal signals the whole foreground process group; a process manager signals the script.
        if stop_signal == signal.SIGINT:
            os.killpg(group, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        deadline = time.monotonic() + 10
        while group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not group_alive(group), "a process outlived the script"
        assert not Path(f"/proc/{worker}").exists(), "the worker outlived the script"
        assert "stopping after the job in hand" in output and "stopped" in output
        assert "stopping at once" not in output
    finally:
        if group_alive(group):
            os.killpg(group, signal.SIGKILL)
        if worker is not None and Path(f"/proc/{worker}").exists():
            os.kill(worker, signal.SIGKILL)
