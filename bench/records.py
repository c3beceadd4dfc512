"""People's records on PostgreSQL: what the per-person encryption costs (docs/performance.md, "People's records").

In a fresh temporary PostgreSQL database (127.0.0.1:5432, dropped afterwards) with N people (10,000 by default)
made through clients.service (each its own data key, sealed profile, audited `client.create`):

(a) Decrypting every record one by one: unwrap the person's data key (one query + AES-GCM under the KEK) and open
    the sealed profile. Median and p99 per record, and the total; then the same in pages of 500 with
    keys.data_keys (one query per page).
(b) A 50-row page: select 50 people (as a caseload page would), keys.data_keys + open each profile
    (clients.service.open_profiles). Median and p99 over many pages at random offsets.
(c) Key rotation for N people: `keys rotate` (a new KEK, then every data key re-wrapped in batches of 500).

(d) The caseload page (GET /staff/clients' unit of work, 50 rows of N) server-side median/p99: as served, without
    audit, without encryption, and a plain-text control (bench/clients_caseload.py).

    python bench/records.py [--people 10000] [--pages 300] [--write-docs]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT / "src"))
sys.path.insert(0, str(BENCH_DIR))

import run  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import selectinload, sessionmaker  # noqa: E402

from carebridge.accounts import service as accounts  # noqa: E402
from carebridge.accounts.models import StaffAccount  # noqa: E402
from carebridge.clients import service as clients  # noqa: E402
from carebridge.clients.models import Client  # noqa: E402
from carebridge.config import Settings  # noqa: E402
from carebridge.db import make_engine, session_scope  # noqa: E402
from carebridge.keys import rotation  # noqa: E402
from carebridge.keys import service as keys  # noqa: E402

BEGIN, END = "<!-- bench-records:begin -->", "<!-- bench-records:end -->"
PAGE = 50
LANGUAGES = ["ar-SY", "prs", "ti", "uk", "fa-IR", "so", "es-CO", "kmr", "ps", "fr-CD"]


def log(message: str) -> None:
    print(f"[bench records {time.strftime('%H:%M:%S')}] {message}", flush=True)




def populate(factory: sessionmaker, settings: Settings, people: int) -> float:
    """N people through clients.service, 500 per transaction; seconds."""
    rng = random.Random(9)
    started = time.perf_counter()
    with session_scope(factory) as session:
        organisation = accounts.create_organisation(session, "Bench organisation")
        team = accounts.create_team(session, organisation, "Bench team")
        account = accounts.create_account(
            session, email="bench@example.org", name="Bench Worker", organisation=organisation,
            roles=["link-worker"], password="harbour lights at dusk", teams=[team],
        )
        account_id = account.id
    made = 0
    while made < people:
        with session_scope(factory) as session:
            account = session.scalar(
                select(StaffAccount).where(StaffAccount.id == account_id)
                .options(selectinload(StaffAccount.roles), selectinload(StaffAccount.memberships))
            )
            actor = accounts.actor_for(account)
            for _ in range(min(500, people - made)):
                born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
                clients.create_client(
                    session, settings, actor,
                    clients.Profile(
                        preferred_name=f"Bench Person {made}", birth_date=born, gender=rng.choice(["woman", "man"]),
                        languages=rng.sample(LANGUAGES, 2), interpreter_needed=rng.random() < 0.4,
                    ),
                )
                made += 1
    return time.perf_counter() - started


def decrypt_all(factory: sessionmaker, settings: Settings) -> dict[str, Any]:
    with session_scope(factory) as session:
        people = list(session.scalars(select(Client).order_by(Client.id)).all())
        per_record = []
        started = time.perf_counter()
        for client in people:
            began = time.perf_counter()
            clients.open_profile(session, settings, client)
            per_record.append(time.perf_counter() - began)
        one_by_one = time.perf_counter() - started
        started = time.perf_counter()
        for start in range(0, len(people), 500):
            opened = clients.open_profiles(session, settings, people[start:start + 500])
            assert len(opened) == len(people[start:start + 500])
        in_pages = time.perf_counter() - started
    return {**run.timings(per_record), "total_s": one_by_one, "paged_total_s": in_pages}


def page_of_50(factory: sessionmaker, settings: Settings, pages: int, people: int) -> dict[str, Any]:
    rng = random.Random(3)
    durations = []
    with session_scope(factory) as session:
        for _ in range(pages):
            offset = rng.randrange(max(1, people - PAGE))
            rows = list(session.scalars(select(Client).order_by(Client.id).offset(offset).limit(PAGE)).all())
            began = time.perf_counter()
            opened = clients.open_profiles(session, settings, rows)
            durations.append(time.perf_counter() - began)
            assert len(opened) == len(rows)
            session.expunge_all()
    return run.timings(durations)


def caseload_page(factory: sessionmaker, settings: Settings, calls: int = 300) -> dict[str, Any]:
    """(d) The caseload page (50 people on a page, N in the database) server-side, median and p99, with and without
    encryption and audit against a plain-text control (bench/clients_caseload.py; target: overhead under 2x and the
    page under 50 ms p99)."""
    import clients_caseload

    return clients_caseload.measure(factory, settings, calls=calls)


def measure(people: int = 10_000, pages: int = 300) -> dict[str, Any]:
    report: dict[str, Any] = {"people": people}
    with tempfile.TemporaryDirectory(prefix="carebridge-bench-keys-") as folder, run.migrated_postgres() as url:
        settings = Settings(
            demo=True, record_key_file=Path(folder) / "record-keys", blind_index_key_file=Path(folder) / "blind-index.key"
        )
        engine = make_engine(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        try:
            report["populate_s"] = populate(factory, settings, people)
            log(f"{people:,} people made through clients.service in {report['populate_s']:.1f} s")
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                # What autovacuum would have done by now: without statistics the planner reads every record_key
                # row of the subject type for a page's 50 keys.
                connection.execute(text("ANALYZE"))
            report["decrypt"] = decrypt_all(factory, settings)
            log(f"decrypt all: median {report['decrypt']['median_ms']:.3f} ms per record, total "
                f"{report['decrypt']['total_s']:.2f} s one by one, {report['decrypt']['paged_total_s']:.2f} s in pages of 500")
            report["page"] = page_of_50(factory, settings, pages, people)
            log(f"open a 50-row page: median {report['page']['median_ms']:.2f} ms, p99 {report['page']['p99_ms']:.2f} ms")
            rotated = rotation.rotate(settings, factory)
            report["rotation"] = {"seconds": rotated.seconds, "rewrapped": rotated.rewrapped, "batches": rotated.batches}
            log(f"rotation: {rotated.rewrapped:,} data keys re-wrapped in {rotated.batches} batches, {rotated.seconds:.2f} s")
            with session_scope(factory) as session:
                assert keys.usage(session) == {rotated.active_id: people}
            report["caseload_page"] = caseload_page(factory, settings)
            caseload = report["caseload_page"]
            log(f"caseload page: full p99 {caseload['page']['full']['p99_ms']:.2f} ms, plain p99 "
                f"{caseload['page']['plain']['p99_ms']:.2f} ms, overhead {caseload['page']['ratio_median']:.2f}x; plan {caseload['plan']}")
            report["load_average"] = os.getloadavg()[0]
        finally:
            engine.dispose()
    return report


def markdown(report: dict[str, Any], command: str) -> str:
    decrypt, page, rotated = report["decrypt"], report["page"], report["rotation"]
    caseload = report.get("caseload_page")
    lines = [
        f"Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} on this machine ({os.cpu_count()} cores), "
        f"PostgreSQL, {report['people']:,} people made through clients.service ({report['populate_s']:.0f} s), with "
        f"`{command}`; load average at the end {report.get('load_average', 0):.1f}.",
        "",
        "| what | median | p99 | total |",
        "| --- | ---: | ---: | ---: |",
        f"| decrypt one record (unwrap its data key: 1 query + AES-GCM; open the profile) | {decrypt['median_ms']:.3f} ms | "
        f"{decrypt['p99_ms']:.3f} ms | {decrypt['total_s']:.2f} s for {decrypt['count']:,} |",
        f"| decrypt all in pages of 500 (keys.data_keys: 1 query per page) | | | {decrypt['paged_total_s']:.2f} s |",
        f"| open a 50-row page's profiles (keys.data_keys + 50 profiles) | {page['median_ms']:.2f} ms | "
        f"{page['p99_ms']:.2f} ms | {page['count']} pages |",
        f"| key rotation (new KEK, re-wrap in batches of 500) | | | {rotated['seconds']:.2f} s for "
        f"{rotated['rewrapped']:,} data keys ({rotated['batches']} batches) |",
    ]
    if caseload is not None:
        import clients_caseload

        lines += clients_caseload.markdown(caseload)
    return "\n".join(lines)


def write_docs(table: str) -> None:
    run.write_section(BEGIN, END, table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=300, help="50-row pages opened for (b)")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    command = "python bench/records.py" + "".join(f" {arg}" for arg in sys.argv[1:])
    report = measure(args.people, args.pages)
    table = markdown(report, command)
    print("\n" + table + "\n")
    if args.write_docs:
        write_docs(table)
        log("figures written into docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
