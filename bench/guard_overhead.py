"""What the request guards (docs/decisions/0002) cost per request: the app's trivial endpoint called in-process
through the whole middleware stack, with a finder-like query string (escapes and non-ASCII take the careful path).

    .venv/bin/python bench/guard_overhead.py            # this checkout
    PYTHONPATH=/path/to/other/src .venv/bin/python bench/guard_overhead.py   # another revision, to compare
"""

from __future__ import annotations

import asyncio
import statistics
import time

from carebridge.app import create_app

QUERY = b"near=FH1%201AA&category=gp&language=ar&q=caf%C3%A9&page=2"
CALLS = 4000


async def main() -> None:
    app = create_app(session_factory=lambda: None)  # type: ignore[arg-type]

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: dict) -> None:
        return None

    async def call() -> None:
        scope = {
            "type": "http", "http_version": "1.1", "method": "GET", "path": "/api/v1/health",
            "raw_path": b"/api/v1/health", "root_path": "", "scheme": "http", "query_string": QUERY,
            "headers": [(b"host", b"x"), (b"accept-encoding", b"gzip")], "client": ("127.0.0.1", 1),
            "server": ("x", 80), "state": {},
        }  # fmt: skip
        await app(scope, receive, send)

    for _ in range(500):
        await call()
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(CALLS):
            await call()
        runs.append((time.perf_counter() - start) / CALLS * 1e6)
    print(f"GET /api/v1/health?{QUERY.decode()}: median {statistics.median(runs):.1f} µs per request over 5×{CALLS}")


if __name__ == "__main__":
    asyncio.run(main())
