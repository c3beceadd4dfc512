"""200 concurrent staff on a mix of staff pages for 60 s, against a real server process on PostgreSQL (issue 11 §5).

In a fresh temporary PostgreSQL database (127.0.0.1:5432, dropped afterwards; bench/run.py's `database`), one
organisation made through the services (so every record is sealed as in real life): TEAMS teams, STAFF accounts
(link workers, clinicians and service managers, spread over the teams), PEOPLE_PER_TEAM people per team made with
clients.service.create_client, and REFERRALS_PER_TEAM referrals per team (rows as the referral service writes them,
`shared` and `override_reason` sealed with the person's key; a tenth sent without consent), so that the referral
figures and the overrides list have something to count and open.

The app is served by uvicorn in a subprocess (bench/serve_bench.py: the app `carebridge serve` builds, with a timing
middleware). Each simulated staff member signs in for real — the sign-in form, e-mail and password (argon2id), the
second-factor page and a TOTP code — before the clock starts (sign-ins are bench/sign_in.py's subject, not this
one's), then loops for `--seconds`: pick a page from their role's mix (MIX below), GET it with their own session
cookie, check the answer (200, HTML), think, again. A 4xx/5xx, a redirect to the sign-in page or a network error is
an error. Routes answering 404 to their first request (placeholders on a branch where they are not built yet) are
dropped from the mix and listed as skipped, so the mix can name pages before they exist.

Think time: each staff member waits a random time between pages, exponential with mean THINK_MEAN (5 s), clipped
to [1 s, 20 s]. Real case work reads a page for tens of seconds (a caseload, a person's record), so 5 s is a
deliberately busy office: 200 staff make about 40 page views a second, roughly the load of 1,000-2,000 real staff.

Reported: requests, errors (target 0), client-side median and p99 (the time from sending the request to the last
byte, on the same machine), server-side median and p99 (the timing middleware), per page and overall; target: p99
<= 200 ms (client side). The machine's load average is given alongside: the figures are only as quiet as the box.

    python bench/staff_mix.py [--staff 200] [--seconds 60] [--think 5] [--write-docs]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT / "src"))
sys.path.insert(0, str(BENCH_DIR))

import numpy as np  # noqa: E402
import pyotp  # noqa: E402
import run  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from carebridge.cli import upgrade_database  # noqa: E402
from carebridge.db import make_engine, session_scope  # noqa: E402

DOC = PROJECT_ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench-staff-mix:begin -->", "<!-- bench-staff-mix:end -->"
PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TARGET_P99_MS = 200.0
THINK_MEAN = 5.0
THINK_MIN, THINK_MAX = 1.0, 20.0
# Reconnect after this long idle (uvicorn's keep-alive timeout is 5 s).
IDLE_RECONNECT = 4.0
TEAMS = 10
PEOPLE_PER_TEAM = 150
REFERRALS_PER_TEAM = 60
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

# The mix: (name, path, weight) per role. `{person}` is one of the staff member's team's people. Add a page by adding
# a line; a page that answers 404 (not built on this branch) is skipped and reported.
MIX: dict[str, list[tuple[str, str, int]]] = {
    "link-worker": [
        ("home", "/staff", 1),
        ("caseload", "/staff/clients", 4),
        ("person page", "/staff/clients/{person}", 5),
        ("referrals sent", "/staff/referrals", 2),
        ("referrals received", "/staff/referrals/inbox", 2),
    ],
    "clinician": [
        ("risk list", "/staff/risk", 4),
        ("caseload", "/staff/clients", 2),
        ("person page", "/staff/clients/{person}", 4),
        ("referrals received", "/staff/referrals/inbox", 1),
    ],
    "service-manager": [
        ("referral figures", "/staff/referrals/report", 3),
        ("referrals sent without consent", "/staff/referrals/overrides", 2),
        ("risk oversight", "/staff/risk/oversight", 2),
        ("caseload", "/staff/clients", 2),
        ("outcomes", "/staff/outcomes", 1),
    ],
}
# Of every 20 staff: 15 link workers, 3 clinicians, 2 service managers.
ROLE_CYCLE = ["link-worker"] * 15 + ["clinician"] * 3 + ["service-manager"] * 2


@dataclass
class StaffMember:
    email: str
    role: str
    people: list[str]
    cookies: dict[str, str] = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[staff-mix {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The data -----------------------------------------------------------------------------------------------------


def seed(database_url: str, staff: int) -> list[StaffMember]:
    """The organisation, its teams, staff (enrolled with TOTP_SECRET), people and referrals, through the services."""
    from carebridge.accounts import service, totp
    from carebridge.accounts.access import Actor
    from carebridge.accounts.models import StaffAccount
    from carebridge.accounts.permissions import permissions_of
    from carebridge.clients import service as clients
    from carebridge.config import Settings
    from carebridge.keys import service as keys
    from carebridge.kit import clock
    from carebridge.referrals.models import Referral

    settings = Settings(database_url=database_url)
    engine = make_engine(database_url)
    members: list[StaffMember] = []
    rng = random.Random(11)
    try:
        with session_scope(sessionmaker(bind=engine, expire_on_commit=False)) as session:
            organisation = service.create_organisation(session, "Bench staff mix")
            receiver = service.create_organisation(session, "Bench receiving service")
            teams = [service.create_team(session, organisation, f"Team {number}") for number in range(TEAMS)]
            accounts: list[tuple[StaffAccount, str, Any]] = []
            for number in range(staff):
                role = ROLE_CYCLE[number % len(ROLE_CYCLE)]
                team = teams[number % TEAMS]
                account = service.create_account(
                    session, email=f"staff{number}@bench.example", name=f"Staff {number}", organisation=organisation,
                    roles=(role,), password=PASSWORD, teams=[team],
                )
                totp.store_secret(settings, account, TOTP_SECRET)
                account.totp_confirmed_at = clock.utc_now()
                accounts.append((account, role, team))
            session.flush()
            people: dict[str, list[str]] = {team.id: [] for team in teams}
            now = clock.utc_now()
            for team in teams:
                worker = next(account for account, role, member_team in accounts if member_team is team and role == "link-worker")
                actor = Actor(account_id=worker.id, organisation_id=organisation.id, team_ids=frozenset({team.id}),
                              roles=frozenset({"link-worker"}), permissions=permissions_of(["link-worker"]))
                for index in range(PEOPLE_PER_TEAM):
                    client = clients.create_client(
                        session, settings, actor,
                        clients.Profile(preferred_name=f"Person {team.name} {index}", birth_year=1960 + index % 50,
                                        languages=[rng.choice(["ar", "fa", "uk", "ps", "ti", "so"])]),
                        team_id=team.id,
                    )
                    people[team.id].append(client.id)
                for index in range(REFERRALS_PER_TEAM):
                    client_id = rng.choice(people[team.id])
                    requested = now - dt.timedelta(days=rng.randint(1, 300), hours=rng.randint(0, 23))
                    status = rng.choice(["requested", "accepted", "in-progress", "completed", "completed", "rejected",
                                         "cancelled", "failed"])
                    answered = requested + dt.timedelta(hours=rng.randint(2, 400)) if status not in {"requested", "cancelled"} else None
                    override = index % 10 == 0
                    referral = Referral(
                        kind="referral", client_id=client_id, referring_organisation_id=organisation.id,
                        referring_team_id=team.id, referred_by=worker.id,
                        service_at_location_id=f"sal-{index % 25}", service_id=f"svc-{index % 25}",
                        directory_organization_id=f"org-{index % 25}", service_name=f"Service {index % 25}",
                        organization_name=f"Organisation {index % 25}",
                        receiving_organisation_id=receiver.id if index % 2 else None, status=status,
                        status_reason="no-answer" if status == "rejected" and index % 3 == 0 else (
                            "other" if status in {"rejected", "cancelled", "failed"} else None),
                        shared_fields="languages,name", consent_override=override,
                        created_at=requested, updated_at=answered or requested, requested_at=requested,
                        answered_at=answered,
                        closed_at=(answered or requested) + dt.timedelta(days=3)
                        if status in {"completed", "rejected", "cancelled", "failed"} else None,
                    )
                    session.add(referral)
                    session.flush()
                    key = keys.data_key(session, settings, clients.SUBJECT, client_id)
                    referral.shared = key.seal_json("referral", "shared", referral.id, {"name": "Someone", "languages": ["ar"]})
                    if override:
                        referral.override_reason = key.seal_text("referral", "override_reason", referral.id,
                                                                 "Safeguarding emergency: fictional reason")
            for account, role, team in accounts:
                members.append(StaffMember(account.email, role, people[team.id]))
    finally:
        engine.dispose()
    return members


# --- Signing in and browsing ----------------------------------------------------------------------------------------


def _take_cookies(member: StaffMember, response: http.client.HTTPResponse) -> None:
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, cookie = pair.partition("=")
            if "max-age=0" in value.lower() or not cookie:
                member.cookies.pop(key, None)
            else:
                member.cookies[key] = cookie


def _request(connection: http.client.HTTPConnection, member: StaffMember, method: str, path: str,
             body: dict[str, str] | None = None, port: int = 0) -> tuple[int, str, str]:
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in member.cookies.items())}
    data = None
    if body is not None:
        data = urlencode(body)
        headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}",
                        "Sec-Fetch-Site": "same-origin"})
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    _take_cookies(member, response)
    return response.status, response.getheader("location") or "", text


def sign_in(port: int, member: StaffMember) -> None:
    """The real sign-in: form, password, second-factor page, TOTP code. Raises when it does not land on /staff."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        _status, _location, page = _request(connection, member, "GET", "/staff/sign-in")
        token = _TOKEN.search(page).group(1)
        status, location, _ = _request(connection, member, "POST", "/staff/sign-in",
                                       {"email": member.email, "password": PASSWORD, "csrf_token": token}, port)
        if status != 303 or not location.startswith("/staff/sign-in/code"):
            raise RuntimeError(f"password step: {status} {location}")
        _status, _location, page = _request(connection, member, "GET", location)
        token = _TOKEN.search(page).group(1)
        status, location, _ = _request(connection, member, "POST", "/staff/sign-in/code",
                                       {"code": pyotp.TOTP(TOTP_SECRET).now(), "csrf_token": token}, port)
        if status != 303 or location != "/staff":
            raise RuntimeError(f"code step: {status} {location}")
    finally:
        connection.close()


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def browse(port: int, member: StaffMember, mix: list[tuple[str, str, int]], until: float, tally: Tally,
           seed_value: int, think_mean: float) -> None:
    rng = random.Random(seed_value)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    names = [name for name, _path, _weight in mix]
    weights = [weight for _name, _path, weight in mix]
    paths = {name: path for name, path, _weight in mix}
    # Arrive spread over the first think time, not all at once.
    time.sleep(rng.uniform(0, think_mean))
    last = time.monotonic()
    while time.monotonic() < until:
        name = rng.choices(names, weights)[0]
        path = paths[name].replace("{person}", rng.choice(member.people))
        if time.monotonic() - last > IDLE_RECONNECT:
            # uvicorn closes a keep-alive connection idle for 5 s; a browser then opens a new one: so do we, rather
            # than count the server's normal close as an error. (The connect is inside the timed request.)
            connection.close()
        started = time.perf_counter()
        try:
            status, location, text = _request(connection, member, "GET", path)
        except (OSError, http.client.HTTPException) as error:
            with tally.lock:
                tally.errors.append(f"{name}: {type(error).__name__}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        elapsed = time.perf_counter() - started
        last = time.monotonic()
        with tally.lock:
            if status == 200 and "<html" in text[:500]:
                tally.times.setdefault(name, []).append(elapsed)
            else:
                tally.errors.append(f"{name}: {status} {location}")
        time.sleep(min(THINK_MAX, max(THINK_MIN, rng.expovariate(1 / think_mean))))
    connection.close()


def _available(port: int, members: list[StaffMember]) -> tuple[dict[str, list[tuple[str, str, int]]], list[str]]:
    """Each role's mix without the pages that answer 404 here (placeholders), and those skipped."""
    mixes: dict[str, list[tuple[str, str, int]]] = {}
    skipped: set[str] = set()
    for role, entries in MIX.items():
        member = next(member for member in members if member.role == role)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        kept = []
        for name, path, weight in entries:
            status, location, _ = _request(connection, member, "GET", path.replace("{person}", member.people[0]))
            if status == 404:
                skipped.add(f"{name} ({path})")
                continue
            if status != 200:
                raise RuntimeError(f"{role} {path}: {status} {location}")
            kept.append((name, path, weight))
        connection.close()
        mixes[role] = kept
    return mixes, sorted(skipped)


def _figures(values: list[float]) -> dict[str, float]:
    array = np.asarray(values) * 1000
    return {"count": int(array.size), "median_ms": float(np.percentile(array, 50)), "p99_ms": float(np.percentile(array, 99))}


def measure(staff: int = 200, seconds: float = 60, think_mean: float = THINK_MEAN) -> dict[str, Any]:
    with run.database("postgresql") as url:
        log(f"migrating and seeding: {staff} staff, {TEAMS * PEOPLE_PER_TEAM:,} people, {TEAMS * REFERRALS_PER_TEAM:,} referrals")
        upgrade_database(url)
        started = time.perf_counter()
        members = seed(url, staff)
        seed_seconds = time.perf_counter() - started
        with run.server(url) as (port, _pid):
            log(f"signing {staff} staff in (password and TOTP), 8 at a time")
            started = time.perf_counter()
            pending = list(members)
            failures: list[str] = []

            def signer() -> None:
                while True:
                    try:
                        member = pending.pop()
                    except IndexError:
                        return
                    try:
                        sign_in(port, member)
                    except Exception as error:  # noqa: BLE001 - counted and reported
                        failures.append(f"{member.email}: {error}")

            signers = [threading.Thread(target=signer) for _ in range(8)]
            for thread in signers:
                thread.start()
            for thread in signers:
                thread.join()
            sign_in_seconds = time.perf_counter() - started
            if failures:
                raise RuntimeError(f"{len(failures)} sign-ins failed, e.g. {failures[:3]}")
            mixes, skipped = _available(port, members)
            run.get_json(port, "/__bench/stats?reset=1")
            log(f"{staff} staff browsing for {seconds:.0f} s (think time mean {think_mean} s); skipped: {skipped or 'none'}")
            tally = Tally()
            load_before = os.getloadavg()[0]
            until = time.monotonic() + seconds
            threads = [
                threading.Thread(target=browse, args=(port, member, mixes[member.role], until, tally, index, think_mean))
                for index, member in enumerate(members)
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            load_after = os.getloadavg()[0]
            server_side = run.get_json(port, "/__bench/stats")
    pooled = [value for values in tally.times.values() for value in values]
    overall = _figures(pooled) if pooled else {"count": 0, "median_ms": float("nan"), "p99_ms": float("nan")}
    server = server_side.get("other", {})
    report = {
        "staff": staff,
        "seconds": seconds,
        "elapsed_seconds": round(elapsed, 1),
        "think_mean_seconds": think_mean,
        "seed_seconds": round(seed_seconds, 1),
        "sign_in_seconds": round(sign_in_seconds, 1),
        "requests": overall["count"] + len(tally.errors),
        "errors": len(tally.errors),
        "error_kinds": sorted(set(tally.errors))[:10],
        "median_ms": overall["median_ms"],
        "p99_ms": overall["p99_ms"],
        "per_second": overall["count"] / elapsed if elapsed else 0.0,
        "server_median_ms": server.get("median_ms", float("nan")),
        "server_p99_ms": server.get("p99_ms", float("nan")),
        "pages": {name: _figures(values) for name, values in sorted(tally.times.items())},
        "skipped": skipped,
        "load_average": round(max(load_before, load_after), 2),
        "cores": os.cpu_count(),
    }
    report["pass"] = report["errors"] == 0 and report["p99_ms"] <= TARGET_P99_MS
    return report


def markdown(report: dict[str, Any], command: str) -> str:
    lines = [
        f"Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} on this machine ({report['cores']} cores, "
        f"load average up to {report['load_average']}) with `{command}`: {report['staff']} staff signed in (password "
        f"and TOTP) browsing for {report['seconds']:.0f} s with a think time of mean {report['think_mean_seconds']} s "
        f"(exponential, clipped to {THINK_MIN:.0f}-{THINK_MAX:.0f} s), one uvicorn process on PostgreSQL, "
        f"{TEAMS * PEOPLE_PER_TEAM:,} people and {TEAMS * REFERRALS_PER_TEAM:,} referrals.",
        "",
        "| page | requests | median | p99 |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, figures in report["pages"].items():
        lines.append(f"| {name} | {figures['count']:,} | {figures['median_ms']:.1f} ms | {figures['p99_ms']:.1f} ms |")
    lines += [
        f"| **all** | {report['requests']:,} ({report['per_second']:.1f}/s) | {report['median_ms']:.1f} ms | "
        f"{report['p99_ms']:.1f} ms |",
        "",
        f"Errors: {report['errors']} (target 0). Client-side p99 {report['p99_ms']:.1f} ms (target <= "
        f"{TARGET_P99_MS:.0f} ms): {'pass' if report['pass'] else 'FAIL'}. Server-side median "
        f"{report['server_median_ms']:.1f} ms, p99 {report['server_p99_ms']:.1f} ms. "
        f"Skipped (not built on this branch): {', '.join(report['skipped']) or 'none'}.",
    ]
    if report["error_kinds"]:
        lines.append(f"Error kinds: {', '.join(report['error_kinds'])}.")
    return "\n".join(lines)


def write_docs(table: str) -> bool:
    document = DOC.read_text(encoding="utf-8")
    if BEGIN not in document or END not in document:
        return False
    document = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: f"{BEGIN}\n{table}\n{END}", document, flags=re.S)
    DOC.write_text(document, encoding="utf-8")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=THINK_MEAN, help="mean think time between pages, seconds")
    parser.add_argument("--write-docs", action="store_true", help="put the figures into docs/performance.md")
    args = parser.parse_args()
    if not run.postgres_reachable():
        log("PostgreSQL is not reachable (CAREBRIDGE_BENCH_POSTGRES_URL): this benchmark needs it")
        return 2
    command = "python bench/staff_mix.py" + "".join(f" {arg}" for arg in sys.argv[1:])
    report = measure(args.staff, args.seconds, args.think)
    table = markdown(report, command)
    print("\n" + table + "\n")
    if args.write_docs:
        write_docs(table)
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
