"""The app as `carebridge serve` builds it, wrapped in a timing middleware for the benchmark.

Every request's server-side time (from the moment uvicorn hands it to the app until the last body byte is handed
back) goes into a list per kind (health, search, other). GET /__bench/stats returns their medians and p99 (and
clears them with ?reset=1), the index's size, build time and revision, and the process's memory.
"""

from __future__ import annotations

import os
import resource
from time import perf_counter

import numpy as np
import orjson

from carebridge.app import create_app as create_carebridge_app
from carebridge.directory.search_index import search_index_for


def _memory() -> dict[str, float]:
    fields = {}
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, value, _unit = line.split()
                fields[name.rstrip(":")] = int(value) / 1024
    return {"rss_mb": fields.get("VmRSS", 0.0), "peak_rss_mb": fields.get("VmHWM", 0.0)}


def create_app():  # noqa: ANN201
    app = create_carebridge_app()
    timings: dict[str, list[float]] = {"health": [], "search": [], "other": []}

    def stats(reset: bool) -> bytes:
        body: dict = {"memory": _memory(), "max_rss_mb_getrusage": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        for kind, values in timings.items():
            if values:
                array = np.asarray(values) * 1000
                body[kind] = {
                    "count": len(values),
                    "median_ms": float(np.percentile(array, 50)),
                    "p99_ms": float(np.percentile(array, 99)),
                    "max_ms": float(array.max()),
                    "values_ms": [round(value, 4) for value in array.tolist()],
                }
        index = getattr(app.state, "search_index", None)
        if index is not None and index.index is not None:
            body["index"] = {
                "entries": index.index.size,
                "build_seconds": index.index.build_seconds,
                "revision": index.index.revision,
            }
        if reset:
            for values in timings.values():
                values.clear()
        return orjson.dumps(body)

    async def timed(scope, receive, send):  # noqa: ANN001, ANN202
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path = scope["path"]
        if path == "/__bench/stats":
            body = stats(b"reset=1" in scope.get("query_string", b""))
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        if path == "/__bench/build":
            holder = search_index_for(app)
            started = perf_counter()
            index = holder.rebuild()
            body = orjson.dumps({"entries": index.size, "build_seconds": perf_counter() - started, "memory": _memory()})
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        kind = "health" if path == "/api/v1/health" else "search" if path == "/api/v1/services/search" else "other"
        started = perf_counter()

        async def send_timed(message):  # noqa: ANN001, ANN202
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                timings[kind].append(perf_counter() - started)

        await app(scope, receive, send_timed)

    timed.state = app.state  # type: ignore[attr-defined]
    return timed
