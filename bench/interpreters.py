"""Interpreter matching on PostgreSQL (docs/interpreters.md, "Performance"): 2,000 interpreters and a month of bookings.

In a fresh temporary PostgreSQL database (127.0.0.1:5432, dropped afterwards), one organisation whose register holds
N interpreters (2,000 by default; bulk inserts of the rows as the service writes them) speaking one to three of
fifteen languages and dialects, with weekly availability rules, and a month of live bookings (on average 20 per
interpreter, one to two hours each, with their 15-minute slots). Then `interpreters.service.match` — the register's
rows of the request's macro-language, their live bookings around that week, and matching.rank (availability by
RRULE, overlaps, exclusions, ranking) — for random requests (language, weekday, hour, modality, gender) over that
month: median and p99. The target: p99 <= 50 ms.

    python bench/interpreters.py [--interpreters 2000] [--calls 300] [--write-docs]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT / "src"))
sys.path.insert(0, str(BENCH_DIR))

import run  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from carebridge.accounts import service as accounts  # noqa: E402
from carebridge.clients.models import Client  # noqa: E402
from carebridge.config import Settings  # noqa: E402
from carebridge.db import make_engine, session_scope  # noqa: E402
from carebridge.interpreters import matching, service  # noqa: E402
from carebridge.interpreters.models import Interpreter, InterpreterBooking, InterpreterBookingSlot  # noqa: E402
from carebridge.kit import clock  # noqa: E402

TARGET_P99_MS = 50.0
BATCH = 5000
TAGS = ["ar", "ar-SY", "ar-IQ", "prs", "fa", "ps", "ckb", "kmr", "ti", "uk", "ru", "so", "am", "ur", "tr"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
START = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)  # a Monday


def log(message: str) -> None:
    print(f"[bench interpreters {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _insert(session, model, values: list[dict[str, Any]]) -> None:  # noqa: ANN001
    for start in range(0, len(values), BATCH):
        session.execute(insert(model), values[start : start + BATCH])


def populate(factory: sessionmaker, interpreters: int, seed: int) -> tuple[str, int]:
    """The organisation's id and the number of bookings made."""
    rng = random.Random(seed)
    now = clock.utc_now()
    with session_scope(factory) as session:
        organisation = accounts.create_organisation(session, f"Bench interpreting {uuid.uuid4().hex[:6]}")
        session.flush()
        organisation_id = organisation.id
        # A person to hang the bookings on (a bare row: nothing here opens it).
        client_id = str(uuid.uuid4())
        session.execute(insert(Client), [{
            "id": client_id, "organisation_id": organisation_id, "jurisdiction": "GB-ENG", "status": "open", "do_not_contact": False, "needs_attention": False,
            "fictional": True, "version": 1, "created_at": now, "updated_at": now, "profile": os.urandom(64),
        }])
        rows, bookings, slots = [], [], []
        for _ in range(interpreters):
            interpreter_id = str(uuid.uuid4())
            opens = rng.randint(7, 13)
            languages = [{"tag": tag, "community": rng.random() < 0.3} for tag in rng.sample(TAGS, rng.randint(1, 3))]
            rows.append({
                "id": interpreter_id, "organisation_id": organisation_id, "kind": "interpreter", "account_id": None,
                "identity": os.urandom(80), "gender": rng.choice(["female", "male", None]),
                "languages": languages, "macros": service.macros_of(languages),
                "modalities": rng.sample(["in-person", "phone", "video"], rng.randint(1, 3)), "areas": ["Bench"],
                "availability": [{"freq": "WEEKLY", "byday": ",".join(sorted(rng.sample(DAYS[:5], rng.randint(2, 5)), key=DAYS.index)),
                                  "opens_at": f"{opens:02d}:00", "closes_at": f"{opens + rng.randint(4, 9):02d}:00"}],
                "accreditation_body": "Bench", "accreditation_level": "3",
                "accreditation_expires": dt.date(2029, 1, 1) if rng.random() < 0.9 else dt.date(2026, 1, 1),
                "active": True, "fictional": True, "version": 1, "created_at": now, "updated_at": now,
            })
            taken: set[dt.datetime] = set()
            for _ in range(rng.randint(10, 30)):
                begins = START + dt.timedelta(days=rng.randint(0, 30), hours=rng.randint(8, 17), minutes=rng.choice([0, 15, 30, 45]))
                ends = begins + dt.timedelta(minutes=rng.choice([60, 90, 120]))
                held = service.slots(begins, ends)
                if taken & set(held):
                    continue
                taken |= set(held)
                booking_id = str(uuid.uuid4())
                bookings.append({
                    "id": booking_id, "organisation_id": organisation_id, "interpreter_id": interpreter_id, "client_id": client_id,
                    "starts_at": begins, "ends_at": ends, "language": rows[-1]["languages"][0]["tag"], "modality": "phone",
                    "status": rng.choice(["requested", "accepted", "accepted", "accepted"]), "unaccredited_allowed": False,
                    "details": os.urandom(60), "fictional": True, "version": 1, "created_at": now, "updated_at": now,
                })
                slots.extend({"interpreter_id": interpreter_id, "slot_start": moment, "booking_id": booking_id} for moment in held)
        _insert(session, Interpreter, rows)
        _insert(session, InterpreterBooking, bookings)
        _insert(session, InterpreterBookingSlot, slots)
    return organisation_id, len(bookings)


def measure(interpreters: int = 2000, calls: int = 300) -> dict[str, Any]:
    report: dict[str, Any] = {"interpreters": interpreters}
    rng = random.Random(7)
    with run.migrated_postgres() as url:
        settings = Settings(database_url=url)
        engine = make_engine(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        try:
            started = time.perf_counter()
            organisation_id, report["bookings"] = populate(factory, interpreters, 1)
            report["populate_s"] = time.perf_counter() - started
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
            took, proposed = [], []
            for round_ in range(calls + 10):
                begins = START + dt.timedelta(days=rng.randint(0, 27), hours=rng.randint(8, 16), minutes=rng.choice([0, 30]))
                request = matching.Request(
                    starts_at=begins, ends_at=begins + dt.timedelta(hours=1), language=rng.choice(TAGS),
                    modality=rng.choice(["in-person", "phone", "video"]), gender=rng.choice(["any", "any", "female", "male"]),
                    not_from_community=rng.random() < 0.2,
                )
                with session_scope(factory) as session:
                    with clock.pinned(START - dt.timedelta(days=1)):
                        began = time.perf_counter()
                        matches, _ = service.match(session, settings, organisation_id, request)
                        elapsed = time.perf_counter() - began
                if round_ >= 10:  # warm-up
                    took.append(elapsed)
                    proposed.append(len(matches))
            report["match"] = run.timings(took)
            report["proposed_median"] = sorted(proposed)[len(proposed) // 2]
            report["pass"] = report["match"]["p99_ms"] <= TARGET_P99_MS
            report["load_average"] = os.getloadavg()[0]
            log(f"match: median {report['match']['median_ms']:.1f} ms, p99 {report['match']['p99_ms']:.1f} ms")
        finally:
            engine.dispose()
    return report


def markdown(report: dict[str, Any], command: str) -> str:
    match = report["match"]
    return "\n".join([
        f"Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} on this machine ({os.cpu_count()} cores, shared), "
        f"PostgreSQL, {report['interpreters']:,} interpreters and {report['bookings']:,} live bookings over a month "
        f"(bulk-inserted in {report['populate_s']:.0f} s), with `{command}`; load average at the end {report['load_average']:.1f}.",
        "",
        "| what | median | p99 |",
        "| --- | ---: | ---: |",
        f"| interpreters.service.match (rows of the macro-language, their bookings that week, ranking) | "
        f"{match['median_ms']:.1f} ms | {match['p99_ms']:.1f} ms |",
        "",
        f"Interpreters proposed per request (median): {report['proposed_median']}. Target: p99 <= {TARGET_P99_MS:.0f} ms — "
        f"{'met' if report['pass'] else 'NOT met'}.",
    ])


DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
BEGIN, END = "<!-- bench-interpreters:begin -->", "<!-- bench-interpreters:end -->"


def write_docs(table: str) -> bool:
    """Put the table between the markers in docs/performance.md ("Interpreter matching")."""
    document = DOC.read_text(encoding="utf-8")
    if BEGIN not in document or END not in document:
        return False
    document = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: f"{BEGIN}\n{table}\n{END}", document, flags=re.S)
    DOC.write_text(document, encoding="utf-8")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interpreters", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--write-docs", action="store_true", help="put the figures into docs/performance.md")
    args = parser.parse_args()
    command = "python bench/interpreters.py" + "".join(f" {arg}" for arg in sys.argv[1:])
    report = measure(args.interpreters, args.calls)
    table = markdown(report, command)
    print("\n" + table + "\n")
    if args.write_docs:
        write_docs(table)
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
