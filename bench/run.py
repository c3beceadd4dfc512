"""`make bench`: the search benchmark at 100,000 services on SQLite and PostgreSQL, then the entitlements benchmark.

For each database: build a synthetic directory (bench/synthetic.py) in a fresh database (a temporary SQLite file;
a temporary PostgreSQL database on 127.0.0.1:5432, dropped afterwards), serve the app with uvicorn in a subprocess
on a free loopback port (the same app and uvicorn settings as `carebridge serve`, wrapped in a timing middleware:
bench/serve_bench.py), and load it with wrk (Debian's package; installed with apt-get if missing) over loopback:

  (a) the floor: GET /api/v1/health, the app's trivial endpoint;
  (b) a mix of realistic searches: radius + language + category + open now + free, at varied points and values.

Then bench/leaflets.py: the search mix's latency while 4 clients download leaflets, leaflet cache off and on.
Then bench/sign_in.py: 10 concurrent staff sign-ins, and what authentication adds to a staff page.
Then bench/records.py (PostgreSQL): decrypting 10,000 people's records, opening a 50-row page, key rotation.
Then bench/outcomes.py (PostgreSQL): the outcomes page over 10,000 people with 50,000 screenings, and over 1,000.
Then bench/referrals.py (PostgreSQL): the receiving organisation's inbox with 10,000 open referrals.
Then bench/interpreters.py (PostgreSQL): interpreter matching over 2,000 interpreters and a month of bookings.
Then bench/staff_mix.py (PostgreSQL): 200 signed-in staff on a mix of staff pages for 60 s against a real server.

Reported: wrk's median and p99 latency and requests/second, the server-side median and p99 (timing middleware),
the search/floor median ratio, peak memory (RSS) of the server, index build time; pass/fail against the targets
(search median <= 2x floor median; search p99 <= 50 ms server-side). Whole run bounded (about 5-8 minutes).

    python bench/run.py [--services 100000] [--databases sqlite,postgresql] [--connections 4] [--seconds 30]
                        [--rounds 5] [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT / "src"))
sys.path.insert(0, str(BENCH_DIR))

import numpy as np  # noqa: E402
import synthetic  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from carebridge.cli import upgrade_database  # noqa: E402
from carebridge.db import make_engine  # noqa: E402

POSTGRES_URL = os.environ.get("CAREBRIDGE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET_RATIO = 2.0
TARGET_P99_MS = 50.0
DOC = PROJECT_ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def write_section(begin: str, end: str, table: str) -> bool:
    """Put `table` between the markers `begin` and `end` of docs/performance.md (every benchmark writes its own
    section this way); whether the markers were there."""
    document = DOC.read_text(encoding="utf-8")
    if begin not in document or end not in document:
        return False
    document = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _m: f"{begin}\n{table}\n{end}", document, flags=re.S)
    DOC.write_text(document, encoding="utf-8")
    return True


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing Debian's package")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or "wrk"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database(kind: str):  # noqa: ANN201
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="carebridge-bench-")
        try:
            yield f"sqlite:///{folder}/bench.db"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"carebridge_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated_postgres():  # noqa: ANN201
    """A fresh PostgreSQL database at the latest migration (dropped afterwards): its URL."""
    with database("postgresql") as url:
        upgrade_database(url)
        yield url


def timings(seconds: list[float]) -> dict[str, float]:
    """Median and 99th percentile of durations in seconds, in milliseconds."""
    array = np.asarray(seconds) * 1000
    return {"median_ms": float(np.median(array)), "p99_ms": float(np.percentile(array, 99)), "count": len(seconds)}


def postgres_reachable() -> bool:
    try:
        engine = make_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def search_mix(count: int, tables: dict[str, list[dict[str, Any]]], seed: int = 7) -> list[str]:
    """Realistic searches: a point in a city (or one of its neighbourhoods by name), a radius, usually a language,
    a category, open now and free."""
    rng = random.Random(seed)
    places = tables["gazetteer_place"]
    shares = [city[4] for city in synthetic.CITIES]
    categories = [term["code"] for term in tables["taxonomy_term"] if term["taxonomy"] == "carebridge-category"]
    paths = []
    for _ in range(count):
        city = rng.choices(synthetic.CITIES, weights=shares)[0]
        params: dict[str, Any] = {}
        if rng.random() < 0.15:
            params["near"] = rng.choice([place["name"] for place in places if place["area"] == city[0]])
        else:
            latitude, longitude = synthetic._position(rng, city[1], city[2], city[5])
            params["lat"], params["lon"] = f"{latitude:.5f}", f"{longitude:.5f}"
        params["radius_km"] = rng.choice([1, 2, 3, 5, 5, 10, 20])
        if rng.random() < 0.85:
            params["language"] = rng.choices(synthetic.LANGUAGES, weights=synthetic.LANGUAGE_WEIGHTS)[0]
        if rng.random() < 0.9:
            params["category"] = rng.choice(categories)
        if rng.random() < 0.75:
            params["open_now"] = "true"
        if rng.random() < 0.6:
            params["free"] = "true"
        if rng.random() < 0.1:
            params["no_status_check"] = "true"
        paths.append("/api/v1/services/search?" + urlencode(params))
    return paths


def get_json(port: int, path: str, timeout: float = 600) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


@contextmanager
def server(database_url: str):  # noqa: ANN201
    port = free_port()
    env = {**os.environ, "CAREBRIDGE_DATABASE_URL": database_url, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "serve_bench:create_app", "--app-dir", str(BENCH_DIR),
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get_json(port, "/api/v1/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_wrk(wrk: str, port: int, paths: list[str], connections: int, seconds: int, workdir: Path) -> dict[str, Any]:
    paths_file = workdir / f"paths-{uuid.uuid4().hex[:6]}.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    command = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(BENCH_DIR / "mix.lua"),
               f"http://127.0.0.1:{port}"]
    result = subprocess.run(command, env={**os.environ, "WRK_PATHS": str(paths_file)}, capture_output=True, text=True,
                            timeout=seconds + 60, check=True)
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK_JSON "))
    figures = json.loads(line[len("WRK_JSON "):])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["median_ms"] = figures.pop("median_us") / 1000
    figures["p99_ms"] = figures.pop("p99_us") / 1000
    figures["mean_ms"] = figures.pop("mean_us") / 1000
    figures["max_ms"] = figures.pop("max_us") / 1000
    return figures


def bench_database(kind: str, tables: dict[str, list[dict[str, Any]]], mix: list[str], args: argparse.Namespace,
                   wrk: str, workdir: Path) -> dict[str, Any]:
    report: dict[str, Any] = {"database": kind}
    with database(kind) as url:
        started = time.perf_counter()
        upgrade_database(url)
        engine = make_engine(url)
        timings = synthetic.insert(engine, tables)
        engine.dispose()
        report["insert_seconds"] = round(time.perf_counter() - started, 1)
        report["rows"] = sum(len(rows) for rows in tables.values())
        log(f"{kind}: {report['rows']} rows inserted in {report['insert_seconds']} s "
            f"(slowest: {max(timings, key=timings.get)} {max(timings.values()):.1f} s)")
        with server(url) as (port, _pid):
            before = get_json(port, "/__bench/stats")
            build = get_json(port, "/__bench/build")
            report["index_entries"] = build["entries"]
            report["index_build_seconds"] = round(build["build_seconds"], 2)
            report["rss_before_index_mb"] = round(before["memory"]["rss_mb"], 1)
            report["rss_after_index_mb"] = round(build["memory"]["rss_mb"], 1)
            log(f"{kind}: index of {build['entries']} entries built in {build['build_seconds']:.2f} s; "
                f"RSS {before['memory']['rss_mb']:.0f} -> {build['memory']['rss_mb']:.0f} MB")
            run_wrk(wrk, port, mix, args.connections, 3, workdir)  # warm-up
            run_wrk(wrk, port, ["/api/v1/health"], args.connections, 2, workdir)
            get_json(port, "/__bench/stats?reset=1")
            # The machine is shared: floor and search alternate in short rounds, so that a burst of other work
            # hits both, and the ratio is judged round by round.
            rounds: dict[str, list[dict[str, Any]]] = {"floor": [], "search": []}
            server_values: dict[str, list[float]] = {"floor": [], "search": []}
            per_round = max(2, args.seconds // args.rounds)
            for _round in range(args.rounds):
                for name, paths in (("floor", ["/api/v1/health"]), ("search", mix)):
                    load_before = os.getloadavg()[0]
                    figures = run_wrk(wrk, port, paths, args.connections, per_round, workdir)
                    figures["load_average"] = round(max(load_before, os.getloadavg()[0]), 2)
                    server_side = get_json(port, "/__bench/stats?reset=1")
                    server_values[name] += server_side["health" if name == "floor" else "search"]["values_ms"]
                    rounds[name].append(figures)
            for name in ("floor", "search"):
                runs = rounds[name]
                values = np.asarray(server_values[name])
                report[name] = {
                    "median_ms": float(np.median([run["median_ms"] for run in runs])),
                    "p99_ms": float(np.median([run["p99_ms"] for run in runs])),
                    "worst_round_p99_ms": max(run["p99_ms"] for run in runs),
                    "rps": float(np.median([run["rps"] for run in runs])),
                    "requests": sum(run["requests"] for run in runs),
                    "errors": sum(run["errors"] for run in runs),
                    "server_median_ms": float(np.percentile(values, 50)),
                    "server_p99_ms": float(np.percentile(values, 99)),
                    "server_max_ms": float(values.max()),
                    "load_average": max(run["load_average"] for run in runs),
                    "rounds": [{key: run[key] for key in ("median_ms", "p99_ms", "rps", "load_average")} for run in runs],
                }
                figures = report[name]
                log(f"{kind} {name}: median {figures['median_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms, "
                    f"{figures['rps']:.0f} req/s; server-side median {figures['server_median_ms']:.2f} ms, "
                    f"p99 {figures['server_p99_ms']:.2f} ms; errors {figures['errors']}; load average up to {figures['load_average']}")
            report["round_ratios"] = [
                round(search["median_ms"] / floor["median_ms"], 2) for floor, search in zip(rounds["floor"], rounds["search"], strict=True)
            ]
            final = get_json(port, "/__bench/stats")
            report["peak_rss_mb"] = round(final["memory"]["peak_rss_mb"], 1)
    report["ratio"] = float(np.median(report["round_ratios"]))
    report["pass_ratio"] = report["ratio"] <= TARGET_RATIO
    report["pass_p99"] = report["search"]["server_p99_ms"] <= TARGET_P99_MS
    report["pass"] = report["pass_ratio"] and report["pass_p99"] and not report["search"]["errors"]
    return report


def entitlements_benchmark() -> dict[str, Any] | None:
    script = BENCH_DIR / "bench_entitlements.py"
    if not script.is_file():
        return None
    log("running bench/bench_entitlements.py")
    started = time.perf_counter()
    try:
        result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                                cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")})
        output, code = result.stdout + result.stderr, result.returncode
    except subprocess.TimeoutExpired as error:
        output, code = f"{error.stdout or ''}\n(stopped after 300 s)", -1
    return {"exit_code": code, "seconds": round(time.perf_counter() - started, 1), "output": output.strip()}


def markdown(reports: list[dict[str, Any]], args: argparse.Namespace, command: str) -> str:
    lines = [
        f"Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} on this machine ({os.cpu_count()} cores) with "
        f"`{command}`: {args.services:,} services, wrk -t1 -c{args.connections}; per database one server process, "
        f"{args.rounds} alternating rounds of {max(2, args.seconds // args.rounds)} s floor then "
        f"{max(2, args.seconds // args.rounds)} s search. wrk figures are the median over rounds; server-side figures "
        "pool every request; the ratio is the median of the rounds' search/floor median ratios.",
        "",
        "| database | run | median | p99 | requests/s | server median | server p99 | load average |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for report in reports:
        for name, label in (("floor", "floor: /api/v1/health"), ("search", "search mix")):
            run = report[name]
            lines.append(
                f"| {report['database']} | {label} | {run['median_ms']:.2f} ms | {run['p99_ms']:.2f} ms | {run['rps']:,.0f} | "
                f"{run['server_median_ms']:.2f} ms | {run['server_p99_ms']:.2f} ms | {run['load_average']:.1f} |"
            )
    lines += [
        "",
        "| database | search/floor median | rounds | target <= 2 | search p99 server-side | target <= 50 ms | index build | RSS after build | peak RSS | insert |",
        "| --- | ---: | --- | --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for report in reports:
        lines.append(
            f"| {report['database']} | {report['ratio']:.2f} | {', '.join(f'{r:.2f}' for r in report['round_ratios'])} | "
            f"{'pass' if report['pass_ratio'] else 'FAIL'} | "
            f"{report['search']['server_p99_ms']:.2f} ms | {'pass' if report['pass_p99'] else 'FAIL'} | "
            f"{report['index_build_seconds']:.1f} s ({report['index_entries']:,} entries) | "
            f"{report['rss_after_index_mb']:.0f} MB | {report['peak_rss_mb']:.0f} MB | {report['insert_seconds']:.0f} s ({report['rows']:,} rows) |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=30, help="seconds of load per endpoint, over all rounds")
    parser.add_argument("--rounds", type=int, default=5, help="alternating floor/search rounds")
    parser.add_argument("--write-docs", action="store_true", help="put the figures into docs/performance.md")
    parser.add_argument("--leaflet-seconds", type=int, default=20,
                        help="search under leaflet load, per cache mode (bench/leaflets.py); 0 skips it")
    parser.add_argument("--audit-rounds", type=int, default=3,
                        help="audit append-rate rounds on PostgreSQL (bench/audit.py); 0 skips it")
    parser.add_argument("--audit-verify-events", type=int, default=1_000_000,
                        help="length of the chain bench/audit.py verifies; 0 skips that part")
    parser.add_argument("--records-people", type=int, default=10_000,
                        help="people's records on PostgreSQL: decrypt, 50-row page, rotation (bench/records.py); 0 skips it")
    parser.add_argument("--outcomes-people", type=int, default=10_000,
                        help="the outcomes page on PostgreSQL over this many people and a tenth of them (bench/outcomes.py); "
                        "0 skips it")
    parser.add_argument("--referrals-open", type=int, default=10_000,
                        help="the receiving organisation's inbox on PostgreSQL with this many open referrals "
                        "(bench/referrals.py); 0 skips it")
    parser.add_argument("--interpreters", type=int, default=2_000,
                        help="interpreter matching on PostgreSQL over this many interpreters and a month of bookings "
                        "(bench/interpreters.py); 0 skips it")
    parser.add_argument("--sign-in-seconds", type=float, default=10,
                        help="10 concurrent sign-ins for this long, then the authentication overhead (bench/sign_in.py); "
                        "0 skips both")
    parser.add_argument("--staff-mix-seconds", type=float, default=60,
                        help="200 signed-in staff on a mix of staff pages on PostgreSQL (bench/staff_mix.py); 0 skips it")
    args = parser.parse_args()
    command = "python bench/run.py" + "".join(f" {arg}" for arg in sys.argv[1:])
    wrk = ensure_wrk()
    kinds = [kind.strip() for kind in args.databases.split(",") if kind.strip()]
    if "postgresql" in kinds and not postgres_reachable():
        log(f"PostgreSQL is not reachable at {make_url(POSTGRES_URL).render_as_string(hide_password=True)}: "
            "set CAREBRIDGE_BENCH_POSTGRES_URL, or run with --databases sqlite (the targets need both)")
        return 2
    started = time.perf_counter()
    log(f"generating {args.services:,} services")
    tables = synthetic.generate(args.services)
    mix = search_mix(5000, tables)
    reports = []
    with tempfile.TemporaryDirectory(prefix="carebridge-bench-") as folder:
        for kind in kinds:
            reports.append(bench_database(kind, tables, mix, args, wrk, Path(folder)))
    entitlements = entitlements_benchmark()
    leaflet_table = None
    if args.leaflet_seconds > 0:
        import leaflets

        log("search while 4 clients download leaflets, leaflet cache off and on (bench/leaflets.py)")
        leaflet_results = leaflets.measure(seconds=args.leaflet_seconds)
        leaflet_table = leaflets.markdown(leaflet_results, command, 20_000, args.leaflet_seconds, 4)
    audit_table = None
    if args.audit_rounds > 0 and "postgresql" in kinds:
        import audit

        log("audit trail: append rate with 8 and 1 writers, verify of a long chain (bench/audit.py)")
        audit_report = audit.measure(rounds=args.audit_rounds, verify_events=args.audit_verify_events)
        audit_table = audit.markdown(audit_report, command)
        print("\n" + audit_table + "\n")
        if args.write_docs:
            audit.write_docs(audit_table)
    records_table = None
    if args.records_people > 0 and "postgresql" in kinds:
        import records

        log(f"people's records: decrypt {args.records_people:,}, open 50-row pages, rotate keys (bench/records.py)")
        records_table = records.markdown(records.measure(people=args.records_people), command)
        print("\n" + records_table + "\n")
        if args.write_docs:
            records.write_docs(records_table)
    outcomes_table = None
    if args.outcomes_people > 0 and "postgresql" in kinds:
        import outcomes

        log(f"outcomes page: {args.outcomes_people:,} people, 5 screenings each, and a tenth of that (bench/outcomes.py)")
        outcomes_table = outcomes.markdown(outcomes.measure(people=args.outcomes_people), command)
        print("\n" + outcomes_table + "\n")
        if args.write_docs:
            outcomes.write_docs(outcomes_table)
    if args.referrals_open > 0 and "postgresql" in kinds:
        import referrals

        log(f"referrals inbox: {args.referrals_open:,} open referrals to one organisation (bench/referrals.py)")
        referrals_table = referrals.markdown(referrals.measure(open_referrals=args.referrals_open), command)
        print("\n" + referrals_table + "\n")
        if args.write_docs:
            referrals.write_docs(referrals_table)
    if args.interpreters > 0 and "postgresql" in kinds:
        import interpreters

        log(f"interpreter matching: {args.interpreters:,} interpreters, a month of bookings (bench/interpreters.py)")
        interpreters_table = interpreters.markdown(interpreters.measure(args.interpreters, 300), command)
        print("\n" + interpreters_table + "\n")
        if args.write_docs:
            interpreters.write_docs(interpreters_table)
    sign_in_table = None
    if args.sign_in_seconds > 0:
        import sign_in

        sign_ins, overheads = sign_in.measure(kinds, args.sign_in_seconds, 10)
        sign_in_table = sign_in.markdown(sign_ins, overheads, command, args.sign_in_seconds)
    staff_mix_report = None
    if args.staff_mix_seconds > 0 and "postgresql" in kinds:
        import staff_mix

        log("200 concurrent staff on a mix of staff pages (bench/staff_mix.py)")
        staff_mix_report = staff_mix.measure(seconds=args.staff_mix_seconds)
        staff_mix_table = staff_mix.markdown(staff_mix_report, command)
        print("\n" + staff_mix_table + "\n")
        if args.write_docs:
            staff_mix.write_docs(staff_mix_table)
    table = markdown(reports, args, command)
    print("\n" + table + "\n")
    if sign_in_table is not None:
        print(sign_in_table + "\n")
        if args.write_docs:
            sign_in.write_docs(sign_in_table)
    if leaflet_table is not None:
        print(leaflet_table + "\n")
        if args.write_docs:
            leaflets.write_docs(leaflet_table)
    if entitlements is not None:
        print(f"bench/bench_entitlements.py (exit {entitlements['exit_code']}, {entitlements['seconds']} s):")
        print(entitlements["output"])
    results_dir = BENCH_DIR / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "latest.json").write_text(
        json.dumps({"command": command, "search": reports, "entitlements": entitlements}, indent=2), encoding="utf-8"
    )
    if args.write_docs and DOC.is_file():
        if write_section(BEGIN, END, table):
            log("figures written into docs/performance.md")
    log(f"done in {time.perf_counter() - started:.0f} s")
    return 0 if all(report["pass"] for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
