"""The audit trail's append rate on PostgreSQL, and the time to verify a long chain.

(a) Append rate: W writers (processes, each its own connection, as app workers would be), each appending events in its
    own short durable transactions (BEGIN; a stripe's advisory lock; read that stripe's last event + INSERT in one
    statement; COMMIT) for a few seconds; events/s over all writers. Three configurations, in one run: the old single
    chain (audit_stripes=1) with 8 writers, stripes (audit_stripes=8) with 8 writers, and 8 stripes with 1 writer;
    the median of the rounds is reported. After each round `verify` walks every stripe: it must be intact with exactly
    as many events as were committed (no fork, no gap). Target: >= 2,000 events/s with 8 writers and 8 stripes.
(b) Verify: a trail of N events (1,000,000 by default) over 8 stripes bulk-loaded with COPY, then `service.verify`
    walks it; seconds, events/s, and the growth of the process's peak memory (constant: batches of 5,000).

Each part runs in a fresh temporary PostgreSQL database (127.0.0.1:5432), dropped afterwards.

    python bench/audit.py [--rounds 3] [--seconds 5] [--verify-events 1000000] [--synchronous-commit on[,off]]
        [--write-docs]
"""

from __future__ import annotations

import argparse
import multiprocessing
import datetime as dt
import os
import resource
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT / "src"))
sys.path.insert(0, str(BENCH_DIR))

import run  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from carebridge.audit import chain, service  # noqa: E402
from carebridge.cli import upgrade_database  # noqa: E402
from carebridge.db import make_engine, session_scope  # noqa: E402

POSTGRES_URL = os.environ.get("CAREBRIDGE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET = 2000.0
BEGIN, END = "<!-- bench-audit:begin -->", "<!-- bench-audit:end -->"


def log(message: str) -> None:
    print(f"[bench audit {time.strftime('%H:%M:%S')}] {message}", flush=True)


@contextmanager
def fresh_database():  # noqa: ANN201
    """A migrated temporary database; yields its URL."""
    name = f"carebridge_bench_audit_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _writer(url: str, synchronous_commit: str, stripes: int, writer: int, barrier, stop, counts) -> None:  # noqa: ANN001
    """One writer process (as one app worker would be: its own interpreter, its own connection)."""
    engine = create_engine(url, connect_args={"options": f"-c synchronous_commit={synchronous_commit}"})
    factory = sessionmaker(bind=engine, expire_on_commit=False, info={"audit_stripes": stripes})
    done = 0
    barrier.wait()
    while not stop.is_set():
        with session_scope(factory) as session:
            service.record(session, "bench.append", account_id=f"writer-{writer}", request_id=uuid.uuid4().hex)
        done += 1
    counts[writer] = done
    engine.dispose()


def append_round(url: str, writers: int, seconds: float, synchronous_commit: str = "on", stripes: int = 8) -> dict:
    """`writers` processes append for `seconds`; then the chain is verified. Processes, not threads: the client's
    Python work per event would otherwise be serialised by one interpreter lock and measured instead of the chain."""
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with session_scope(factory) as session:
        start_count = service.verify(session).intact
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(writers + 1)
    stop = context.Event()
    counts = context.Array("l", writers)
    processes = [
        context.Process(target=_writer, args=(url, synchronous_commit, stripes, n, barrier, stop, counts))
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    if any(process.exitcode != 0 for process in processes):
        raise RuntimeError("a writer process failed")
    total = sum(counts)
    with session_scope(factory) as session:
        result = service.verify(session)
    engine.dispose()
    intact = result.ok and result.intact == start_count + total
    return {"writers": writers, "events": total, "seconds": elapsed, "rate": total / elapsed, "intact": intact,
            "stripes_used": len(result.heads)}


def bulk_chain(engine, count: int, stripes: int = 8) -> None:  # noqa: ANN001
    """`count` valid events over `stripes` stripes, hashed here and loaded with COPY (the way a year of a busy
    installation would look)."""
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    previous = [chain.GENESIS] * stripes
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        columns = ("seq", *chain.FIELDS, "hash")
        with cursor.copy(f"COPY audit_event ({', '.join(columns)}) FROM STDIN") as copy:
            for seq in range(1, count + 1):
                stripe = seq % stripes
                fields = {
                    "seq": seq, "stripe": stripe, "stripe_seq": (seq - 1) // stripes + 1,
                    "at": at + dt.timedelta(milliseconds=seq), "account_id": str(uuid.UUID(int=seq % 500)),
                    "organisation_id": str(uuid.UUID(int=seq % 7)), "action": "person.read", "record_type": "person",
                    "record_id": str(uuid.UUID(int=seq)), "outcome": "success", "request_id": f"{seq:032x}",
                    "previous_hash": previous[stripe],
                }
                fields["hash"] = previous[stripe] = chain.event_hash(fields)
                copy.write_row([fields[name] for name in columns])
        raw.commit()
    finally:
        raw.close()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verify_long_chain(engine, count: int) -> dict:  # noqa: ANN001
    log(f"loading a trail of {count:,} events over 8 stripes")
    started = time.perf_counter()
    bulk_chain(engine, count)
    load_seconds = time.perf_counter() - started
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    with session_scope(factory) as session:
        result = service.verify(session)
    seconds = time.perf_counter() - started
    return {
        "events": count,
        "load_seconds": load_seconds,
        "seconds": seconds,
        "rate": count / seconds,
        "intact": result.ok and result.intact == count,
        "peak_rss_growth_mib": peak_rss_mib() - rss_before,
    }


def commit_latency_ms(url: str, count: int = 100) -> float:
    """The median time of one tiny durable commit on this server (the WAL flush, fsync): the floor of an append,
    because a stripe's lock is held until the commit returns."""
    engine = make_engine(url)
    timings = []
    with engine.connect() as connection:
        for _ in range(count):
            started = time.perf_counter()
            connection.execute(text("SELECT pg_advisory_xact_lock(1)"))
            connection.execute(text("INSERT INTO app_state (name, value) VALUES ('bench', 'x') "
                                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value"))
            connection.commit()
            timings.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return statistics.median(timings)


CONFIGURATIONS = ((1, 8), (8, 8), (8, 1))  # (audit_stripes, writers): before (one chain), after, one writer


def measure(rounds: int = 3, seconds: float = 5.0, verify_events: int = 1_000_000, modes: tuple[str, ...] = ("on",)) -> dict:
    """synchronous_commit on (PostgreSQL's default: every commit waits for its fsync; durable) and, if asked, off (the
    commit returns before the flush; a crash may lose the last fraction of a second of transactions, the action and
    its event together, never a link in the middle of a stripe). The configurations alternate round by round, so the
    machine's other load falls on all of them alike."""
    report: dict = {"append": {}, "verify": None, "load": os.getloadavg()[0]}
    with fresh_database() as url:
        report["commit_ms"] = commit_latency_ms(url)
        log(f"one durable commit: {report['commit_ms']:.2f} ms (median)")
        for mode in modes:
            results: dict = {configuration: [] for configuration in CONFIGURATIONS}
            for number in range(rounds):
                for stripes, writers in CONFIGURATIONS:
                    result = append_round(url, writers, seconds, mode, stripes)
                    results[(stripes, writers)].append(result)
                    log(f"synchronous_commit={mode}, {stripes} stripe(s), {writers} writer(s), round {number + 1}: "
                        f"{result['rate']:,.0f} events/s, stripes written so far {result['stripes_used']}, "
                        f"verify intact: {result['intact']}")
            for (stripes, writers), rounds_ in results.items():
                report["append"][(mode, stripes, writers)] = {
                    "median_rate": statistics.median(r["rate"] for r in rounds_),
                    "rates": [r["rate"] for r in rounds_],
                    "events": sum(r["events"] for r in rounds_),
                    "intact": all(r["intact"] for r in rounds_),
                }
    if verify_events:
        with fresh_database() as url:
            engine = make_engine(url)
            report["verify"] = verify_long_chain(engine, verify_events)
            engine.dispose()
            log(f"verify: {report['verify']['seconds']:.1f} s for {verify_events:,} events")
    report["intact"] = all(result["intact"] for result in report["append"].values())
    report["pass"] = report["append"][("on", 8, 8)]["median_rate"] >= TARGET and report["intact"]
    return report


def markdown(report: dict, command: str) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} with `{command}` on this 2-core machine, PostgreSQL 15 on loopback "
        f"(load average {report['load']:.1f} at the start: other work shared the machine).",
        "",
        f"One durable commit (advisory lock + one-row write + COMMIT) takes {report['commit_ms']:.1f} ms here (median).",
        "",
        "| synchronous_commit | audit_stripes | writers | median events/s (rounds) | events | verify passed after each round |",
        "|---|---|---|---|---|---|",
    ]
    for (mode, stripes, writers), result in report["append"].items():
        rates = ", ".join(f"{rate:,.0f}" for rate in result["rates"])
        lines.append(f"| {mode} | {stripes} | {writers} | **{result['median_rate']:,.0f}** ({rates}) | "
                     f"{result['events']:,} | {'yes' if result['intact'] else 'NO'} |")
    lines.append("")
    lines.append(f"Target with 8 writers and 8 stripes (synchronous_commit on): ≥ {TARGET:,.0f} events/s, no fork — "
                 f"{'met' if report['pass'] else 'NOT met'}; verify passed after every round: "
                 f"{'yes' if report['intact'] else 'NO'}.")
    verify = report["verify"]
    if verify:
        lines += [
            "",
            f"`verify` over {verify['events']:,} events: {verify['seconds']:.1f} s ({verify['rate']:,.0f} events/s), "
            f"intact: {'yes' if verify['intact'] else 'NO'}, peak memory grew by {verify['peak_rss_growth_mib']:.0f} MiB "
            f"(loading them with COPY took {verify['load_seconds']:.0f} s).",
        ]
    return "\n".join(lines)


def write_docs(table: str) -> None:
    run.write_section(BEGIN, END, table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of appending per round")
    parser.add_argument("--verify-events", type=int, default=1_000_000, help="0 skips the long-chain verify")
    parser.add_argument("--synchronous-commit", default="on", help="on, off, or on,off")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    command = "python bench/audit.py" + "".join(f" {arg}" for arg in sys.argv[1:])
    modes = tuple(mode.strip() for mode in args.synchronous_commit.split(",") if mode.strip())
    report = measure(args.rounds, args.seconds, args.verify_events, modes)
    table = markdown(report, command)
    print("\n" + table + "\n")
    if args.write_docs:
        write_docs(table)
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
