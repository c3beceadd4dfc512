"""Where a search's time goes, in one process, without HTTP: the tool for working on search speed.

Builds the synthetic directory (bench/synthetic.py) in a temporary SQLite file (or reuses --database), builds the
search index, then times, over the benchmark's mix of searches (bench/run.py: search_mix), in alternating rounds:

  parse       parse_search_query on the query string (Starlette's query-string parse included)
  run_search  the search on the index (the clock is the real one, as in the server)
  gzip        the route's compression of the bodies it compresses
  app floor   the whole ASGI app (middleware, routing) for GET /api/v1/health
  app search  the whole ASGI app for a search

and prints the medians of each round and over rounds. wrk's figures (bench/run.py) add uvicorn's HTTP handling
(0.1-0.15 ms per request, the same for both) and the queueing of 4 connections on top of `app`, so wrk's
search/floor ratio is well below the ratio of the two `app` medians here; a change that saves time here saves it
there too.

    python bench/inprocess.py [--services 100000] [--rounds 5] [--database sqlite:///path/to/kept.db]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "src"))
sys.path.insert(0, str(BENCH_DIR))

import run as bench_run  # noqa: E402
import synthetic  # noqa: E402
from isal import isal_zlib  # noqa: E402
from starlette.datastructures import QueryParams  # noqa: E402

from carebridge.web import GZIP_MINIMUM_SIZE  # noqa: E402


def _scope(path: str) -> dict[str, Any]:
    route, _, query = path.partition("?")
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": route, "raw_path": route.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip")],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
    }


async def _call(app: Any, path: str) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: dict[str, Any]) -> None:
        return None

    started = time.perf_counter()
    await app(_scope(path), receive, send)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--searches", type=int, default=3000, help="searches per round")
    parser.add_argument("--database", help="an SQLite URL holding the synthetic directory already (kept between runs)")
    args = parser.parse_args()

    tables = synthetic.generate(args.services)
    mix = bench_run.search_mix(5000, tables)[: args.searches]
    folder = None
    url = args.database
    if url is None or not Path(url.removeprefix("sqlite:///")).exists():
        if url is None:
            folder = tempfile.TemporaryDirectory(prefix="carebridge-inprocess-")
            url = f"sqlite:///{folder.name}/bench.db"
        from carebridge.cli import upgrade_database
        from carebridge.db import make_engine

        upgrade_database(url)
        engine = make_engine(url)
        synthetic.insert(engine, tables)
        engine.dispose()
    del tables
    os.environ["CAREBRIDGE_DATABASE_URL"] = url

    from carebridge.app import create_app
    from carebridge.directory.search import parse_search_query, run_search
    from carebridge.directory.search_index import search_index_for

    app = create_app()
    holder = search_index_for(app)
    started = time.perf_counter()
    index = holder.rebuild()
    print(f"index of {index.size:,} entries built in {time.perf_counter() - started:.1f} s", flush=True)

    queries = [path.partition("?")[2] for path in mix]

    def parse_round() -> float:
        times = []
        for query in queries:
            started = time.perf_counter()
            parse_search_query(QueryParams(query))
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    parsed = [parse_search_query(QueryParams(query)) for query in queries]

    def search_round() -> tuple[float, list[bytes]]:
        times, bodies = [], []
        for query in parsed:
            started = time.perf_counter()
            page = run_search(holder.get(), query, now=holder.clock(), zone=holder.default_zone, stale_days=holder.stale_days)
            times.append(time.perf_counter() - started)
            bodies.append(page.body)
        return statistics.median(times), bodies

    def gzip_round(bodies: list[bytes]) -> float:
        times = []
        for body in bodies:
            if len(body) >= GZIP_MINIMUM_SIZE:
                started = time.perf_counter()
                isal_zlib.compress(body, 1, 16 + isal_zlib.MAX_WBITS)
                times.append(time.perf_counter() - started)
        return statistics.median(times) if times else 0.0

    async def app_round(paths: list[str]) -> float:
        return statistics.median([await _call(app, path) for path in paths])

    # Warm up: caches of opening facts, masks and zones fill on first use, as they do in a server.
    search_round()
    asyncio.run(app_round(mix))
    asyncio.run(app_round(["/api/v1/health"] * 500))
    rows = []
    for number in range(args.rounds):
        search_median, bodies = search_round()
        row = {
            "parse": parse_round(),
            "run_search": search_median,
            "gzip": gzip_round(bodies),
            "app floor": asyncio.run(app_round(["/api/v1/health"] * len(mix))),
            "app search": asyncio.run(app_round(mix)),
        }
        rows.append(row)
        print(f"round {number + 1}: " + ", ".join(f"{name} {value * 1000:.3f} ms" for name, value in row.items())
              + f"; app search/floor {row['app search'] / row['app floor']:.2f}", flush=True)
    print("median over rounds: " + ", ".join(
        f"{name} {statistics.median(row[name] for row in rows) * 1000:.3f} ms" for name in rows[0]
    ) + f"; app search/floor {statistics.median(row['app search'] / row['app floor'] for row in rows):.2f}")
    if folder is not None:
        folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
