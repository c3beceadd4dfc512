"""Staff sign-in and the cost of authentication per request (issue 8, section 8).

1. **Sign-in under load**: the app served by uvicorn (bench/serve_bench.py, as `carebridge serve` builds it) on a fresh
   database; 10 clients sign in at once, over and over, for `--seconds`: each fetches the sign-in form (its token and
   cookie), then POSTs e-mail and password (timed: argon2id check in the thread pool, a new session row, the attempt
   row, the redirect). Accounts are planners (no second factor), one per client. Reported: median and p99 of the POST,
   sign-ins per second.
2. **Authentication overhead**: in one process, through the whole ASGI app (middleware, routing, unit of work), a
   staff page behind `requires("self.manage")` (session + account + roles + teams query, CSRF token, permission)
   vs the same page declared public; both read one row (as every staff page reads the database, so both pay for the
   transaction) and render the same staff template with the same unit of work. Alternating
   rounds; reported: both medians, the ratio and the time added at the median (target: <= 1.2x and <= 1 ms).

    python bench/sign_in.py [--databases sqlite,postgresql] [--seconds 10] [--clients 10] [--write-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import re
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "src"))
sys.path.insert(0, str(BENCH_DIR))

import numpy as np  # noqa: E402
import run  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from fastapi import Depends, Request  # noqa: E402

from carebridge.access import PublicAccess  # noqa: E402
from carebridge.accounts.access import requires  # noqa: E402
from carebridge.accounts.models import Organisation  # noqa: E402
from carebridge.accounts.rendering import render_staff  # noqa: E402
from carebridge.app import create_app  # noqa: E402
from carebridge.cli import upgrade_database  # noqa: E402
from carebridge.config import Settings  # noqa: E402
from carebridge.web import SessionDep  # noqa: E402
from carebridge.db import make_engine, session_scope  # noqa: E402

BEGIN, END = "<!-- bench-sign-in:begin -->", "<!-- bench-sign-in:end -->"
PASSWORD = "correct horse battery staple"
TARGET_RATIO = 1.2
TARGET_ADDED_MS = 1.0
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _make_accounts(database_url: str, count: int, roles: tuple[str, ...] = ("planner",)) -> list[str]:
    from carebridge.accounts import service

    engine = make_engine(database_url)
    try:
        with session_scope(sessionmaker(bind=engine, expire_on_commit=False)) as session:
            organisation = service.create_organisation(session, "Bench organisation")
            team = service.create_team(session, organisation, "Bench team")
            return [
                service.create_account(
                    session, email=f"bench{number}@example.org", name=f"Bench {number}", organisation=organisation,
                    roles=roles, password=PASSWORD, teams=[team],
                ).email
                for number in range(count)
            ]
    finally:
        engine.dispose()


def _sign_in_loop(port: int, email: str, stop: threading.Event, times: list[float], errors: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    origin = f"http://127.0.0.1:{port}"
    while not stop.is_set():
        connection.request("GET", "/staff/sign-in")
        response = connection.getresponse()
        page = response.read().decode()
        cookie = "; ".join(value.split(";", 1)[0] for name, value in response.getheaders() if name.lower() == "set-cookie")
        match = _TOKEN.search(page)
        if not match or not cookie:
            errors.append(f"form: {response.status}")
            continue
        body = urlencode({"email": email, "password": PASSWORD, "csrf_token": match.group(1)})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Origin": origin,
                   "Sec-Fetch-Site": "same-origin"}
        started = time.perf_counter()
        connection.request("POST", "/staff/sign-in", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status == 303 and response.getheader("location") == "/staff":
            times.append(elapsed)
        else:
            errors.append(f"sign-in: {response.status}")


def measure_sign_in(kind: str, seconds: float, clients: int) -> dict[str, Any]:
    with run.database(kind) as url:
        upgrade_database(url)
        emails = _make_accounts(url, clients)
        with run.server(url) as (port, _pid):
            # Warm up: the first sign-in loads the password check and the templates.
            warm_stop = threading.Event()
            warm_times: list[float] = []
            warm_errors: list[str] = []
            warm = threading.Thread(target=_sign_in_loop, args=(port, emails[0], warm_stop, warm_times, warm_errors))
            warm.start()
            time.sleep(1.5)
            warm_stop.set()
            warm.join()
            stop = threading.Event()
            times: list[list[float]] = [[] for _ in emails]
            errors: list[str] = []
            threads = [
                threading.Thread(target=_sign_in_loop, args=(port, email, stop, times[index], errors))
                for index, email in enumerate(emails)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            time.sleep(seconds)
            stop.set()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
    pooled = np.asarray([value for values in times for value in values]) * 1000
    return {
        "database": kind,
        "clients": clients,
        "sign_ins": int(pooled.size),
        "median_ms": float(np.percentile(pooled, 50)) if pooled.size else float("nan"),
        "p99_ms": float(np.percentile(pooled, 99)) if pooled.size else float("nan"),
        "per_second": pooled.size / elapsed,
        "errors": len(errors) + len(warm_errors),
        "error_kinds": sorted(set(errors + warm_errors)),
    }


# Authentication overhead, in process.


def _bench_app(database_url: str) -> Any:
    # (Request and SessionDep are imported at the top: the routes' annotations are read from the module.)
    app = create_app(settings=Settings(database_url=database_url))
    context = {"codes": [], "next_path": "/staff"}

    # Both read one row, as every staff page reads the database: the difference is what requires() adds.
    @app.get("/staff/bench/public", dependencies=[PublicAccess])
    async def public_page(request: Request, session: SessionDep):  # noqa: ANN202
        session.scalar(select(Organisation.name).limit(1))
        return render_staff(request, "staff/recovery_codes.html", context)

    @app.get("/staff/bench/signed-in", dependencies=[Depends(requires("self.manage"))])
    async def signed_in_page(request: Request, session: SessionDep):  # noqa: ANN202
        session.scalar(select(Organisation.name).limit(1))
        return render_staff(request, "staff/recovery_codes.html", context)

    return app


def _signed_in_cookie(database_url: str) -> bytes:
    from carebridge.accounts import sessions, totp
    from carebridge.accounts.models import StaffAccount

    _make_accounts(database_url, 1, roles=("clinician",))
    engine = make_engine(database_url)
    try:
        with session_scope(sessionmaker(bind=engine, expire_on_commit=False)) as session:
            from sqlalchemy import select

            account = session.scalar(select(StaffAccount))
            totp.new_recovery_codes(session, account.id)
            _row, token = sessions.start(session, account.id, second_factor=True)
    finally:
        engine.dispose()
    return f"{sessions.PLAIN_COOKIE}={token}".encode()


def _without_authentication(database_url: str) -> Any:
    """The real app with every `requires(...)` answered by a fixed actor (the bench account's), as if authentication
    cost nothing: the same pages, the same code, minus session lookup, CSRF token and permission check."""
    from carebridge.access import PUBLIC, api_routes
    from carebridge.accounts import service
    from carebridge.accounts.models import StaffAccount

    engine = make_engine(database_url)
    try:
        with session_scope(sessionmaker(bind=engine, expire_on_commit=False)) as session:
            account = service.account_by_id(session, session.scalar(select(StaffAccount.id)))
            actor, name = service.actor_for(account), account.name
    finally:
        engine.dispose()
    app = create_app(settings=Settings(database_url=database_url))

    def fixed(request: Request) -> Any:
        request.state.actor, request.state.staff_name, request.state.csrf_token = actor, name, ""
        return actor

    for context in api_routes(app):
        pending = [context.dependant]
        while pending:
            dependant = pending.pop()
            access = getattr(dependant.call, "carebridge_access", None)
            if access is not None and access != PUBLIC:
                app.dependency_overrides[dependant.call] = fixed
            pending.extend(dependant.dependencies)
    return app


async def _overhead(database_url: str, calls: int, rounds: int) -> dict[str, Any]:
    app = _bench_app(database_url)
    cookie = _signed_in_cookie(database_url)
    real_app = create_app(settings=Settings(database_url=database_url))
    fixed_app = _without_authentication(database_url)
    statuses: dict[str, set[int]] = {"public": set(), "signed-in": set(), "home": set(), "home-fixed": set()}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    def sender(kind: str):  # noqa: ANN202
        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                statuses[kind].add(message["status"])

        return send

    def scope(path: str) -> dict:
        return {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip"), (b"cookie", cookie)],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
        }  # fmt: skip

    async def timed(kind: str, path: str, target: Any = None) -> float:
        send = sender(kind)
        start = time.perf_counter()
        await (target or app)(scope(path), receive, send)
        return time.perf_counter() - start

    async with _lifespan(app), _lifespan(real_app), _lifespan(fixed_app):
        for _ in range(300):
            await timed("public", "/staff/bench/public")
            await timed("signed-in", "/staff/bench/signed-in")
            await timed("home", "/staff", real_app)
            await timed("home-fixed", "/staff", fixed_app)
        public_rounds, signed_rounds, home_rounds, fixed_rounds = [], [], [], []
        for _ in range(rounds):
            public_rounds.append(statistics.median([await timed("public", "/staff/bench/public") for _ in range(calls)]))
            signed_rounds.append(statistics.median([await timed("signed-in", "/staff/bench/signed-in") for _ in range(calls)]))
            home_rounds.append(statistics.median([await timed("home", "/staff", real_app) for _ in range(calls)]))
            fixed_rounds.append(statistics.median([await timed("home-fixed", "/staff", fixed_app) for _ in range(calls)]))
    assert statuses == {"public": {200}, "signed-in": {200}, "home": {200}, "home-fixed": {200}}, statuses
    public = statistics.median(public_rounds) * 1000
    signed = statistics.median(signed_rounds) * 1000
    home = statistics.median(home_rounds) * 1000
    home_fixed = statistics.median(fixed_rounds) * 1000
    return {
        "public_ms": public, "signed_in_ms": signed, "ratio": signed / public, "added_ms": signed - public,
        "home_fixed_ms": home_fixed, "home_ms": home, "home_ratio": home / home_fixed, "home_added_ms": home - home_fixed,
    }  # fmt: skip


class _lifespan:  # noqa: N801 - a tiny async context manager around the app's start-up
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __aenter__(self) -> None:
        from carebridge import domains

        for startup in domains.startup_functions():
            startup(self.app)

    async def __aexit__(self, *_exc: object) -> None:
        return None


def measure_overhead(kind: str, calls: int = 1000, rounds: int = 5) -> dict[str, Any]:
    with run.database(kind) as url:
        upgrade_database(url)
        result = asyncio.run(_overhead(url, calls, rounds))
    result["database"] = kind
    result["pass"] = result["ratio"] <= TARGET_RATIO and result["added_ms"] <= TARGET_ADDED_MS
    result["home_pass"] = result["home_ratio"] <= TARGET_RATIO and result["home_added_ms"] <= TARGET_ADDED_MS
    return result


def markdown(sign_ins: list[dict[str, Any]], overheads: list[dict[str, Any]], command: str, seconds: float) -> str:
    lines = [
        f"Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} on this machine ({os.cpu_count()} cores) with "
        f"`{command}`.",
        "",
        f"Sign-in (password check + new session) with {sign_ins[0]['clients'] if sign_ins else 10} clients signing in at "
        f"once for {seconds:g} s, one uvicorn process (bench/serve_bench.py); time of the POST, client-side:",
        "",
        "| database | sign-ins | median | p99 | sign-ins/s | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in sign_ins:
        lines.append(
            f"| {result['database']} | {result['sign_ins']} | {result['median_ms']:.0f} ms | {result['p99_ms']:.0f} ms | "
            f"{result['per_second']:.1f} | {result['errors']}{' (' + ', '.join(result['error_kinds']) + ')' if result['errors'] else ''} |"
        )
    lines += [
        "",
        f"Load average while measuring: {os.getloadavg()[0]:.1f} (the machine has {os.cpu_count()} cores).",
        "",
        "A staff page behind `requires(\"self.manage\")` vs the same page declared public (same template, same unit of "
        "work, both reading one row), in process through the whole ASGI app; medians of 5 alternating rounds of 1,000 "
        "requests:",
        "",
        "| database | public page | signed-in page | ratio (target <= 1.2) | added (target <= 1 ms) | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in overheads:
        lines.append(
            f"| {result['database']} | {result['public_ms']:.3f} ms | {result['signed_in_ms']:.3f} ms | "
            f"{result['ratio']:.2f} | {result['added_ms']:.3f} ms | {'pass' if result['pass'] else 'FAIL'} |"
        )
    lines += [
        "",
        "The real staff home page (`GET /staff`: the organisation's name read, roles and permissions listed, the staff "
        "layout) as served, vs the same app with every `requires(...)` answered by a fixed actor (no session lookup, "
        "no CSRF token, no permission check); same rounds:",
        "",
        "| database | /staff without authentication | /staff signed in | ratio (target <= 1.2) | added (target <= 1 ms) | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in overheads:
        lines.append(
            f"| {result['database']} | {result['home_fixed_ms']:.3f} ms | {result['home_ms']:.3f} ms | "
            f"{result['home_ratio']:.2f} | {result['home_added_ms']:.3f} ms | {'pass' if result['home_pass'] else 'FAIL'} |"
        )
    return "\n".join(lines)


def write_docs(table: str) -> None:
    run.write_section(BEGIN, END, table)


def measure(kinds: list[str], seconds: float, clients: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sign_ins, overheads = [], []
    for kind in kinds:
        if seconds > 0:
            run.log(f"sign-in: {clients} concurrent clients for {seconds:g} s on {kind}")
            sign_ins.append(measure_sign_in(kind, seconds, clients))
        run.log(f"authentication overhead on {kind}")
        overheads.append(measure_overhead(kind))
    return sign_ins, overheads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.databases.split(",") if kind.strip()]
    if "postgresql" in kinds and not run.postgres_reachable():
        run.log("PostgreSQL is not reachable: measuring SQLite only")
        kinds = [kind for kind in kinds if kind != "postgresql"]
    sign_ins, overheads = measure(kinds, args.seconds, args.clients)
    table = markdown(sign_ins, overheads, "python bench/sign_in.py" + "".join(f" {arg}" for arg in sys.argv[1:]), args.seconds)
    print(table)
    if args.write_docs:
        write_docs(table)
    return 0 if all(result["pass"] for result in overheads) and not any(result["errors"] for result in sign_ins) else 1


if __name__ == "__main__":
    sys.exit(main())
