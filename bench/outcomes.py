"""The outcomes page on PostgreSQL (docs/performance.md, "Outcomes page"): 10,000 people with 50,000 screenings.

In a fresh temporary PostgreSQL database (127.0.0.1:5432, dropped afterwards), two organisations made with bulk
inserts (the rows as the services write them; sealed columns are random bytes: nothing here opens them):

- "large": N people (10,000 by default), 5 screenings each on average (PHQ-9 and GAD-7 mostly, some PC-PTSD-5 and
  RHS-15) over 18 months, 1.5 assessments, 2 goals and 0.1 risk flags each; 80 % agreed to be counted;
- "small": N/10 people (1,000) in the same proportions, for the ratio.

Then, for each organisation's service manager, GET /staff/outcomes (the default period: the last 12 months) through
the app in process (FastAPI TestClient: the signed-in session, the SQL, the suppression, the audit event, the
template, the commit) — median and p99 — and the report's SQL alone (outcomes.service.outcomes_report). The target:
the page's p99 at N people <= 100 ms. The ratio large/small says how the page grows with the caseload.

    python bench/outcomes.py [--people 10000] [--calls 200] [--write-docs]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
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
from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.orm import selectinload, sessionmaker  # noqa: E402

from carebridge.accounts import service as accounts  # noqa: E402
from carebridge.accounts import sessions  # noqa: E402
from carebridge.accounts.models import StaffAccount  # noqa: E402
from carebridge.assessments.models import Assessment  # noqa: E402
from carebridge.clients.models import Client  # noqa: E402
from carebridge.config import Settings  # noqa: E402
from carebridge.consent.models import Consent  # noqa: E402
from carebridge.db import make_engine, session_scope  # noqa: E402
from carebridge.kit import clock  # noqa: E402
from carebridge.outcomes import rows, service  # noqa: E402
from carebridge.plans.models import Goal  # noqa: E402
from carebridge.risk.models import RiskFlag  # noqa: E402
from carebridge.screening.models import Screening  # noqa: E402

BEGIN, END = "<!-- bench-outcomes:begin -->", "<!-- bench-outcomes:end -->"
TARGET_P99_MS = 100.0
BATCH = 5000


def log(message: str) -> None:
    print(f"[bench outcomes {time.strftime('%H:%M:%S')}] {message}", flush=True)



def _insert(session, model, values: list[dict[str, Any]]) -> None:  # noqa: ANN001
    for start in range(0, len(values), BATCH):
        session.execute(insert(model), values[start : start + BATCH])


def populate(factory: sessionmaker, name: str, people: int, seed: int) -> str:
    """An organisation with `people` people and their case work; the id of its service manager's account."""
    generator = random.Random(seed)
    now = clock.utc_now()
    blob = secrets.token_bytes(64)  # sealed columns: random bytes (nothing opens them here)
    with session_scope(factory) as session:
        organisation = accounts.create_organisation(session, f"Bench {name}")
        manager = accounts.create_account(
            session, email=f"manager-{name}@example.org", name=f"Bench Manager {name}", organisation=organisation,
            roles=["service-manager"], password="harbour lights at dusk",
        )
        organisation_id, manager_id = organisation.id, manager.id
    clients, consents, screenings, assessments, goals, flags = [], [], [], [], [], []
    for _ in range(people):
        client_id = str(uuid.uuid4())
        created = now - dt.timedelta(days=generator.randint(30, 600))
        clients.append({"id": client_id, "organisation_id": organisation_id, "jurisdiction": "gb-eng", "status": "open",
                        "profile": blob, "created_at": created, "updated_at": created})
        if generator.random() < 0.8:
            consents.append({"id": str(uuid.uuid4()), "client_id": client_id, "purpose": "statistics", "method": "spoken",
                             "explanation_version": "1", "explanation_language": "en", "given_at": created})
        # 5 screenings on average: PHQ-9 and GAD-7 in pairs, now and then a PC-PTSD-5 or an RHS-15.
        count = generator.choice((1, 3, 5, 5, 7, 9))
        at = now - dt.timedelta(days=generator.randint(0, 540))
        phq = generator.randint(0, 27)
        for index in range(count):
            instrument = ("phq-9", "gad-7")[index % 2] if generator.random() < 0.9 else generator.choice(("pc-ptsd-5", "rhs-15"))
            if instrument in ("phq-9", "gad-7"):
                total = max(0, min(27 if instrument == "phq-9" else 21, phq + generator.randint(-6, 4)))
                band, positive = rows.band(instrument, total), total >= 10
            else:
                total = generator.randint(0, 5)
                positive = total >= 3
                band = "positive" if positive else "negative"
            screenings.append({"id": str(uuid.uuid4()), "client_id": client_id, "organisation_id": organisation_id,
                               "instrument": instrument, "language": "en", "mode": "staff", "completed_at": at,
                               "total": total, "band": band, "positive": positive, "risk": False, "answers": blob})
            if index % 2:
                at = min(now, at + dt.timedelta(days=generator.randint(28, 42)))
                phq = max(0, phq - generator.randint(-2, 5))
        for index in range(generator.choice((1, 1, 2, 2))):
            assessments.append({"id": str(uuid.uuid4()), "client_id": client_id, "organisation_id": organisation_id,
                                "assessed_at": now - dt.timedelta(days=generator.randint(0, 540)), "answers": blob, "basis": blob,
                                "category": generator.choice(("resilience", "guidance", "complex", "complex", "critical")),
                                "rules_version": "bench", "version": 1})
        for _ in range(generator.choice((1, 2, 3))):
            made = now - dt.timedelta(days=generator.randint(0, 540))
            goals.append({"id": str(uuid.uuid4()), "client_id": client_id, "organisation_id": organisation_id,
                          "domain": "housing", "text": blob, "status": generator.choice(("open", "achieved", "stopped")),
                          "created_at": made, "updated_at": made, "version": 1})
        if generator.random() < 0.1:
            raised = now - dt.timedelta(days=generator.randint(0, 540))
            closed = raised + dt.timedelta(hours=generator.choice((2, 8, 20, 30, 50)))
            flags.append({"id": str(uuid.uuid4()), "client_id": client_id, "organisation_id": organisation_id,
                          "source": "worker", "details": blob, "raised_at": raised, "due_at": raised + dt.timedelta(hours=24),
                          "status": "closed", "closed_at": closed, "outcome": "plan-made"})
    with session_scope(factory) as session:
        for model, values in ((Client, clients), (Consent, consents), (Screening, screenings), (Assessment, assessments),
                              (Goal, goals), (RiskFlag, flags)):
            _insert(session, model, values)
    log(f"{name}: {people:,} people, {len(screenings):,} screenings, {len(assessments):,} assessments, "
        f"{len(goals):,} goals, {len(flags):,} risk flags")
    return manager_id



def measure(people: int = 10_000, calls: int = 200) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from carebridge.app import create_app

    report: dict[str, Any] = {"people": people, "small_people": max(1, people // 10)}
    with run.migrated_postgres() as url:
        settings = Settings(database_url=url)
        engine = make_engine(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        try:
            started = time.perf_counter()
            managers = {"large": populate(factory, "large", people, 1), "small": populate(factory, "small", report["small_people"], 2)}
            report["populate_s"] = time.perf_counter() - started
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))  # what autovacuum would have done by now
            report["screenings"] = None
            with session_scope(factory) as session:
                report["screenings"] = session.scalar(select(text("count(*)")).select_from(Screening))
            app = create_app(settings, session_factory=factory)
            for name, manager_id in managers.items():
                with session_scope(factory) as session:
                    row, token = sessions.start(session, manager_id, second_factor=True)
                client = TestClient(app, cookies={sessions.PLAIN_COOKIE: token})
                page, sql = [], []
                for round_ in range(calls + 10):
                    began = time.perf_counter()
                    response = client.get("/staff/outcomes")
                    took = time.perf_counter() - began
                    assert response.status_code == 200, response.text[:300]
                    if round_ >= 10:  # warm-up
                        page.append(took)
                    with session_scope(factory) as session:
                        account = session.scalar(
                            select(StaffAccount).where(StaffAccount.id == manager_id)
                            .options(selectinload(StaffAccount.roles), selectinload(StaffAccount.memberships))
                        )
                        actor = accounts.actor_for(account)
                        began = time.perf_counter()
                        service.outcomes_report(session, actor, service.default_period(settings.timezone), timezone=settings.timezone)
                        took = time.perf_counter() - began
                        session.rollback()
                    if round_ >= 10:
                        sql.append(took)
                report[name] = {"page": run.timings(page), "sql": run.timings(sql), "bytes": len(response.content)}
                log(f"{name}: page median {report[name]['page']['median_ms']:.1f} ms, p99 {report[name]['page']['p99_ms']:.1f} ms; "
                    f"report SQL median {report[name]['sql']['median_ms']:.1f} ms")
            report["ratio_median"] = report["large"]["page"]["median_ms"] / report["small"]["page"]["median_ms"]
            report["pass"] = report["large"]["page"]["p99_ms"] <= TARGET_P99_MS
            report["load_average"] = os.getloadavg()[0]
        finally:
            engine.dispose()
    return report


def markdown(report: dict[str, Any], command: str) -> str:
    large, small = report["large"], report["small"]
    lines = [
        f"Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} on this machine ({os.cpu_count()} cores), "
        f"PostgreSQL, {report['people']:,} people and {report['small_people']:,} people in two organisations of one "
        f"database ({report['screenings']:,} screenings in all, bulk-inserted in {report['populate_s']:.0f} s), with "
        f"`{command}`; load average at the end {report.get('load_average', 0):.1f}.",
        "",
        "| what | people | median | p99 |",
        "| --- | ---: | ---: | ---: |",
        f"| GET /staff/outcomes (in process: session, SQL, audit, template, commit) | {report['people']:,} | "
        f"{large['page']['median_ms']:.1f} ms | {large['page']['p99_ms']:.1f} ms |",
        f"| GET /staff/outcomes | {report['small_people']:,} | {small['page']['median_ms']:.1f} ms | {small['page']['p99_ms']:.1f} ms |",
        f"| the report's SQL alone (outcomes.service.outcomes_report) | {report['people']:,} | "
        f"{large['sql']['median_ms']:.1f} ms | {large['sql']['p99_ms']:.1f} ms |",
        f"| the report's SQL alone | {report['small_people']:,} | {small['sql']['median_ms']:.1f} ms | {small['sql']['p99_ms']:.1f} ms |",
        "",
        f"Ratio of the page's median, {report['people']:,} people to {report['small_people']:,}: "
        f"{report['ratio_median']:.2f}x. Target: p99 <= {TARGET_P99_MS:.0f} ms at {report['people']:,} people — "
        f"{'met' if report['pass'] else 'NOT met'}. Page size {large['bytes'] / 1024:.0f} KB.",
    ]
    return "\n".join(lines)


def write_docs(table: str) -> None:
    run.write_section(BEGIN, END, table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    command = "python bench/outcomes.py" + "".join(f" {arg}" for arg in sys.argv[1:])
    report = measure(args.people, args.calls)
    table = markdown(report, command)
    print("\n" + table + "\n")
    if args.write_docs:
        write_docs(table)
        log("figures written into docs/performance.md")
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
