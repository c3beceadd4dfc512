"""Search latency while 4 clients download leaflets: with the leaflet/audio cache on, and off (same run).

Part of `make bench` (bench/run.py calls `measure`), or alone:

    python bench/leaflets.py [--services 20000] [--seconds 20] [--clients 4]

One SQLite directory of synthetic services; for each mode a fresh server process (cache off:
CAREBRIDGE_DOWNLOAD_CACHE_ITEMS=0, cache on: the defaults). While wrk runs the search mix (4 connections), 4
Python clients each download their own leaflet (a different country, language and answers each) over and over,
as people do who tap "download" again, reopen the link or share it at the desk. Reported: wrk's search median and
p99, the server-side search p99, search requests/s, leaflets served, and the mean leaflet time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import run  # noqa: E402
import synthetic  # noqa: E402

from carebridge.cli import upgrade_database  # noqa: E402
from carebridge.db import make_engine  # noqa: E402

# Four different leaflets: one per client.
LEAFLETS = [
    {"lang": "ar", "jurisdiction": "GB-ENG", "status": "undocumented", "age": "34", "pregnant": "yes",
     "trafficking_victim": "no", "torture_or_violence_survivor": "no"},
    {"lang": "fa", "jurisdiction": "DE", "receives_asylum_support": "yes", "months_in_country": "20"},
    {"lang": "uk", "jurisdiction": "FR", "status": "undocumented", "months_in_country": "5",
     "income_below_threshold": "yes", "age": "40"},
    {"lang": "en", "jurisdiction": "GB-ENG", "status": "unknown", "age": "unknown", "pregnant": "unknown"},
]
# (name, environment, make each leaflet once before the load starts)
MODES = (
    ("off", {"CAREBRIDGE_DOWNLOAD_CACHE_ITEMS": "0"}, False),
    ("on, first makes during the load", {}, False),
    ("on, leaflets already made once", {}, True),
)


def _download_loop(port: int, params: dict[str, str], stop: threading.Event, times: list[float]) -> None:
    url = f"http://127.0.0.1:{port}/entitlements/result.pdf?{urlencode(params)}"
    while not stop.is_set():
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback
            body = response.read()
        assert body.startswith(b"%PDF-")
        times.append(time.perf_counter() - started)


def measure(services: int = 20_000, seconds: int = 20, clients: int = 4, connections: int = 4) -> list[dict[str, Any]]:
    wrk = run.ensure_wrk()
    tables = synthetic.generate(services)
    mix = run.search_mix(2000, tables)
    results = []
    with tempfile.TemporaryDirectory(prefix="carebridge-leaflets-") as folder, run.database("sqlite") as url:
        upgrade_database(url)
        engine = make_engine(url)
        synthetic.insert(engine, tables)
        engine.dispose()
        for mode, env, prewarm in MODES:
            saved = {key: os.environ.get(key) for key in env}
            os.environ.update(env)
            try:
                with run.server(url) as (port, _pid):
                    run.get_json(port, "/__bench/build")
                    run.run_wrk(wrk, port, mix, connections, 3, Path(folder))  # warm-up
                    quiet = run.run_wrk(wrk, port, mix, connections, max(3, seconds // 4), Path(folder))
                    if prewarm:
                        for params in LEAFLETS[:clients]:
                            urllib.request.urlopen(  # noqa: S310 - loopback
                                f"http://127.0.0.1:{port}/entitlements/result.pdf?{urlencode(params)}", timeout=60).read()
                    run.get_json(port, "/__bench/stats?reset=1")
                    stop = threading.Event()
                    times: list[list[float]] = [[] for _ in range(clients)]
                    threads = [threading.Thread(target=_download_loop, args=(port, LEAFLETS[i % len(LEAFLETS)], stop, times[i]))
                               for i in range(clients)]
                    for thread in threads:
                        thread.start()
                    load_before = os.getloadavg()[0]
                    try:
                        loaded = run.run_wrk(wrk, port, mix, connections, seconds, Path(folder))
                    finally:
                        stop.set()
                        for thread in threads:
                            thread.join(timeout=120)
                    server_side = run.get_json(port, "/__bench/stats?reset=1")
                    served = [value for client in times for value in client]
                    results.append({
                        "mode": mode,
                        "quiet_p99_ms": quiet["p99_ms"], "quiet_rps": quiet["rps"],
                        "median_ms": loaded["median_ms"], "p99_ms": loaded["p99_ms"], "rps": loaded["rps"],
                        "errors": loaded["errors"],
                        "load_average": round(max(load_before, os.getloadavg()[0]), 1),
                        "server_p99_ms": server_side.get("search", {}).get("p99_ms", float("nan")),
                        "leaflets": len(served),
                        "leaflet_mean_ms": 1000 * sum(served) / len(served) if served else float("nan"),
                    })
                    run.log(f"leaflets, {mode}: search p99 {loaded['p99_ms']:.1f} ms (quiet {quiet['p99_ms']:.1f} ms), "
                            f"{loaded['rps']:.0f} searches/s, {len(served)} leaflets served")
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
    return results


def markdown(results: list[dict[str, Any]], command: str, services: int, seconds: int, clients: int) -> str:
    lines = [
        f"Measured {run.datetime.now(run.UTC).strftime('%Y-%m-%d %H:%M UTC')} on this machine ({os.cpu_count()} cores) "
        f"with `{command}`: SQLite, {services:,} services, wrk -t1 -c4 search mix for {seconds} s while {clients} "
        "clients each download their own leaflet (four different leaflets) over and over; one fresh server per mode.",
        "",
        "| leaflet cache | search median | search p99 | server-side search p99 | searches/s | (quiet: p99, searches/s) "
        "| leaflets served | mean leaflet time | load average |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        lines.append(
            f"| {result['mode']} | {result['median_ms']:.1f} ms | {result['p99_ms']:.1f} ms | {result['server_p99_ms']:.1f} ms | "
            f"{result['rps']:,.0f} | {result['quiet_p99_ms']:.1f} ms, {result['quiet_rps']:,.0f} | {result['leaflets']:,} | "
            f"{result['leaflet_mean_ms']:.0f} ms | {result['load_average']:.1f} |"
        )
    return "\n".join(lines)


BEGIN, END = "<!-- leaflets:begin -->", "<!-- leaflets:end -->"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    command = "python bench/leaflets.py" + "".join(f" {arg}" for arg in sys.argv[1:])
    results = measure(args.services, args.seconds, args.clients)
    table = markdown(results, command, args.services, args.seconds, args.clients)
    print("\n" + table + "\n")
    if args.write_docs:
        write_docs(table)
    return 0


def write_docs(table: str) -> None:
    run.write_section(BEGIN, END, table)


if __name__ == "__main__":
    sys.exit(main())
