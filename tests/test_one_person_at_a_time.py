"""One person at a time: no route, command or export returns more than one person's personal data, except a staff
member's own caseload within their scope (issue 9, "the firewall, in the software"; docs/firewall.md).

1. The route table (carebridge.access.api_routes): every route is classified by the permission it declares. A route
   whose permission shows people (accounts.permissions: `shows_people`) must be about one person — a `{client_id}`
   path parameter, or the id of a record that belongs to one person — or be one of the caseload routes allow-listed
   below (scoped, at most 50 to a page), or one of the few that show no one (a blank form, creating one record).
   Any other route, such as a future bulk export, fails this test until it is made single-person or argued onto a
   list.
2. Behaviour: an organisation with 60 people whose names carry markers; a service manager (person.read over the whole
   organisation) and a link worker request every GET route (path parameters filled with real ids, and again with
   page-size parameters pushed up): no answer carries the markers of more than one person, except the caseload
   routes, which carry at most 50.
3. The command line (carebridge.cli.build_parser): every sub-command is classified. Those that take no dangerous
   action are run against a database holding the 60 people, and none may print a marker; the others are inspected
   (their handler must not open people's records) and a new command must be classified here before it passes.
"""

from __future__ import annotations

import argparse
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from factories import accounts
from factories import clients as client_factories
from sqlalchemy.orm import Session

from carebridge.access import PUBLIC, api_routes, declared_access
from carebridge.accounts.permissions import PERMISSIONS
from carebridge.config import Settings

# The caseload: a staff member's own people within their scope, a page of at most CASELOAD_PAGE at a time.
# A staff member's own lists within their scope, 50 a page: the caseload, and the closed records retention erases soon.
CASELOAD_ROUTES = {("GET", "/staff/clients"), ("GET", "/api/v1/clients"), ("GET", "/staff/rights/erasing-soon")}
# Risk (issue 10): the clinician's open flags and the service manager's oversight (each row audited risk.list).
RISK_FLAG_LISTS = {"/staff/risk", "/api/v1/risk-flags", "/staff/risk/oversight"}
CASELOAD_ROUTES |= {("GET", path) for path in RISK_FLAG_LISTS}
# Referrals (issue 11): the referrals of my and my team's people, and those sent to my organisation (each row audited
# referral.list), 50 a page.
REFERRAL_LISTS = {"/staff/referrals", "/staff/referrals/inbox", "/api/v1/referrals", "/api/v1/referrals/inbox"}
CASELOAD_ROUTES |= {("GET", path) for path in REFERRAL_LISTS}
# Referrals (issue 11): the service manager's referrals sent without consent, 50 a page (each row audited).
REFERRAL_OVERRIDES = "/staff/referrals/overrides"
CASELOAD_ROUTES |= {("GET", REFERRAL_OVERRIDES)}
# Appointments (issue 11): the organisation's day, people in the actor's scope, 50 a page (each row audited
# appointment.list); the day is chosen by a form that posts, then shows the same page.
APPOINTMENT_DAY = {"/staff/appointments"}
CASELOAD_ROUTES |= {(method, path) for path in APPOINTMENT_DAY for method in ("GET", "POST")}
# Finding a person by an exact phone number, e-mail address or reference number (clients.service.find_people): the
# records in the actor's scope with that number, at most 50, each audited client.list. A POST, so nothing is in the URL.
CASELOAD_ROUTES |= {("POST", "/staff/clients/find"), ("POST", "/api/v1/client-lookup")}
CASELOAD_PAGE = 50
# A path parameter naming one person's record, or a record that belongs to exactly one person.
SINGLE_PERSON_PARAMETER = "{client_id}"
ONE_PERSONS_RECORDS = (SINGLE_PERSON_PARAMETER, "{consent_id}")
ONE_PERSONS_RECORDS += ("{assessment_id}",)  # assessments (issue 10): an assessment is of one person
# Action plans (plans): a goal and a step belong to exactly one person's record.
ONE_PERSONS_RECORDS += ("{goal_id}", "{step_id}")
ONE_PERSONS_RECORDS += ("{screening_id}",)  # screening (issue 10): a screening is of one person
# Risk (issue 10): a risk flag belongs to exactly one person.
ONE_PERSONS_RECORDS = (*ONE_PERSONS_RECORDS, "{flag_id}")
# Referrals (issue 11): a referral is of exactly one person.
ONE_PERSONS_RECORDS = (*ONE_PERSONS_RECORDS, "{referral_id}")
ONE_PERSONS_RECORDS += ("{appointment_id}",)  # appointments (issue 11): an appointment is of one person
# Routes under a person permission that show no one's data beyond what the request itself carries: a blank form for
# a new record, creating one record (the answer is that one record), a confirmation that names no one.
NO_ONE_SHOWN = {
    ("GET", "/staff/clients/new"),
    ("POST", "/staff/clients/new"),
    ("POST", "/api/v1/clients"),
    ("GET", "/staff/rights/erased"),
    ("GET", "/api/v1/assessment-rules"),  # assessments (issue 10): the category rules, no one's data
    # screening: the instruments themselves (FHIR Questionnaires), no one's answers
    ("GET", "/api/v1/questionnaires"),
    ("GET", "/api/v1/questionnaires/{code}"),
}
# Referrals (issue 11): creating one referral of the person named in the body answers with that one referral.
NO_ONE_SHOWN |= {("POST", "/api/v1/referrals")}
# Risk (issue 10): the duty rota names clinicians, never a person.
NO_ONE_SHOWN |= {("GET", "/api/v1/duty"), ("PUT", "/api/v1/duty"), ("POST", "/staff/risk/duty"), ("POST", "/staff/risk/duty/{duty_id}/remove")}
# Interpreters (issue 11): the interpreter's own bookings (at most 50, each person audited interpreting.list); a
# booking and an exclusion belong to one person; the register names interpreters, never a person; booking creates
# one record.
CASELOAD_ROUTES |= {("GET", "/staff/interpreting"), ("GET", "/api/v1/interpreting/bookings")}
ONE_PERSONS_RECORDS = (*ONE_PERSONS_RECORDS, "{booking_id}", "{exclusion_id}")
NO_ONE_SHOWN |= {("GET", "/staff/interpreters"), ("GET", "/api/v1/interpreters"), ("POST", "/api/v1/interpreting/bookings")}
# Volunteers (issue 11): a match belongs to one person; the register lists volunteers and families, never a person's
# record (a volunteer's own details are one volunteer's); a volunteer's own matches are their own list (at most
# volunteers.MAX_MATCHES_LIMIT, each only what the match needs, audited on each person's record).
ONE_PERSONS_RECORDS = (*ONE_PERSONS_RECORDS, "{match_id}", "{volunteer_id}")
NO_ONE_SHOWN |= {("GET", "/staff/volunteers"), ("GET", "/staff/volunteers/new"), ("POST", "/staff/volunteers/new"),
                 ("GET", "/api/v1/volunteers"), ("POST", "/api/v1/volunteers")}
CASELOAD_ROUTES |= {("GET", "/staff/volunteering"), ("GET", "/api/v1/volunteering")}
PEOPLE = 60
MARKER = re.compile(r"Onepersonmarker(\d{3})q")


def _marker(index: int) -> str:
    return f"Onepersonmarker{index:03d}q"


def _routes():
    from carebridge.app import create_app

    app = create_app()
    for route in api_routes(app):
        for method in sorted(route.methods or ()):
            if method in {"HEAD", "OPTIONS"}:
                continue
            yield method, route.path, declared_access(route)


def _shows_people(access: str | None) -> bool:
    return access not in (None, PUBLIC) and access in PERMISSIONS and PERMISSIONS[access].shows_people


# 1. The route table.


def test_every_route_that_shows_people_is_about_one_person_or_is_the_caseload() -> None:
    checked, offending = 0, []
    for method, path, access in _routes():
        assert access is not None, f"{method} {path} declares no access"
        if access != PUBLIC:
            assert access in PERMISSIONS, f"{method} {path} declares an unknown permission {access!r}"
        if not _shows_people(access):
            continue
        checked += 1
        if any(parameter in path for parameter in ONE_PERSONS_RECORDS) or (method, path) in CASELOAD_ROUTES | NO_ONE_SHOWN:
            continue
        offending.append(f"{method} {path} ({access})")
    assert not offending, (
        "these routes show people's records but are neither about one person ({client_id} in the path) nor the "
        "allow-listed caseload: " + ", ".join(offending)
    )
    assert checked >= 2, "the walk found no route showing people: it is not walking the app's routes"


def test_a_bulk_export_route_would_be_caught() -> None:
    """The rule itself, on a made-up route: an organisation-wide export under person.export is refused."""
    assert _shows_people("person.export")
    path = "/api/v1/clients/export"
    assert SINGLE_PERSON_PARAMETER not in path and ("GET", path) not in CASELOAD_ROUTES


# 2. Behaviour of every GET route.


@pytest.fixture
def marked_people(session: Session):
    settings = Settings()
    worker = client_factories.caseworker(session)
    people = [
        client_factories.client(session, settings, worker.actor, preferred_name=_marker(index), gender=_marker(index))
        for index in range(PEOPLE)
    ]
    manager = accounts.account(session, roles=("service-manager",), organisation_=worker.organisation)
    from carebridge.firewall import service as firewall

    entry = firewall.record_request(
        session,
        settings,
        accounts.actor_for(manager),
        firewall.RequestInput("police", "Officer", asked_for="Everything about everyone", client_id=people[0].id),
    )
    session.commit()
    return {
        "organisation": worker.organisation,
        "team": worker.team,
        "worker": worker.account,
        "manager": manager,
        "people": people,
        "entry": entry,
    }


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{([a-z_]+)(:[a-z]+)?\}", lambda match: ids.get(match.group(1), ids["client_id"]), path)


BIG_PAGES = {"limit": "1000", "page_size": "1000", "per_page": "1000", "size": "1000", "page": "1"}
# Each GET is asked plainly, with page sizes pushed up, and with the widest view a list offers (the caseload's
# default is one's own people; view=team on the page and mine=false in the API: everyone in one's scope).
PARAMETER_SETS = ({}, BIG_PAGES, {**BIG_PAGES, "view": "team", "mine": "false"})


def _sign_in(client, session, account) -> None:  # noqa: ANN001
    client.cookies.clear()
    accounts.enrol(session, account)
    session.commit()
    landed = accounts.sign_in(client, account.email)
    assert landed.status_code == 303, landed.text[:200]


@pytest.mark.parametrize("who", ["manager", "worker"])
def test_no_answer_carries_more_than_one_person_except_the_caseload(
    client, session, marked_people, compiled_catalogs, who
) -> None:
    client.headers.update(accounts.SAME_ORIGIN)
    _sign_in(client, session, marked_people[who])
    ids = {
        "client_id": marked_people["people"][0].id,
        "entry_id": marked_people["entry"].id,
        "account_id": marked_people[who].id,
        "organisation_id": marked_people["organisation"].id,
        "team_id": marked_people["team"].id,
    }
    requested, single_person_answered, too_many = 0, 0, []
    caseload_seen: dict[str, int] = {}
    for method, path, access in _routes():
        if method != "GET" or access == PUBLIC:
            # Public routes have no signed-in actor, so no scope: they cannot reach a person's record at all
            # (tests/test_access_grid.py walks them anonymously).
            continue
        url = _fill(path, ids)
        for params in PARAMETER_SETS:
            response = client.get(url, params=params, follow_redirects=False)
            requested += 1
            assert response.status_code < 500, f"GET {url} answered {response.status_code}"
            found = set(MARKER.findall(response.text))
            limit = CASELOAD_PAGE if (method, path) in CASELOAD_ROUTES else 1
            if len(found) > limit:
                too_many.append(f"GET {url} {params or ''}: {len(found)} people")
            if (method, path) in CASELOAD_ROUTES and response.status_code == 200:
                caseload_seen[path] = max(caseload_seen.get(path, 0), len(found))
            if response.status_code == 200 and SINGLE_PERSON_PARAMETER in path:
                single_person_answered += 1
    assert not too_many, "answers carrying more people than allowed: " + "; ".join(too_many)
    assert requested >= 20, "too few routes were requested: the walk is not reaching the staff routes"
    if who == "manager":
        # Where the caseload exists, it listed people (a full page of the 60): the markers are found in lists too.
        # (The closed records retention erases soon list none of these open records: it is held to at most a page.)
        for path, most in caseload_seen.items():
            # These people have no risk flag, no referral (sent, received or without consent) and no appointment.
            if path in {"/staff/rights/erasing-soon", REFERRAL_OVERRIDES} | RISK_FLAG_LISTS | REFERRAL_LISTS | APPOINTMENT_DAY:
                continue
            assert most == CASELOAD_PAGE, f"{path} showed {most} of the {PEOPLE} people on its first page"
    if who == "worker":
        # The path parameters were filled with real ids: pages about one person answered (the link worker may write
        # to the record, so the disclosure "told" page opens for them).
        assert single_person_answered >= 1, "no page about one person answered: the ids filled in are wrong"


def test_the_markers_are_found_where_they_are_shown(client, session, marked_people, compiled_catalogs) -> None:
    """The detector works: the register entry's page names who asked (sealed, shown on its own page), and a marker
    put there is found — so an answer that leaked the 60 people would be found too."""
    from carebridge.firewall import service as firewall

    settings = Settings()
    manager = accounts.actor_for(marked_people["manager"])
    entry = firewall.record_request(
        session, settings, manager, firewall.RequestInput("court", _marker(999), asked_for="x")
    )
    session.commit()
    client.headers.update(accounts.SAME_ORIGIN)
    _sign_in(client, session, marked_people["manager"])
    page = client.get(f"/staff/disclosure-requests/{entry.id}")
    assert MARKER.findall(page.text) == ["999"]


# 3. The command line.

# Run against a database holding the marked people: read-only, no dangerous action, quick.
RUN = {
    ("organisation", "list"): [],
    ("staff", "list"): [],
    ("staff", "permissions-doc"): ["--check"],
    ("jobs", "status"): [],
    ("audit", "verify"): [],
    ("audit", "head"): [],
    ("keys", "status"): [],
    ("demo", "code"): [],
    ("demo", "accounts"): [],
    ("entitlements", "validate"): [],
    ("assessments", "check-rules"): [],  # assessments (issue 10): the rules file and its tests, no database
    ("screening", "check-instruments"): [],
}
# Not run here, and why; each handler is inspected: it must not open people's records.
NOT_RUN = {
    ("serve",): "runs the server until stopped",
    ("worker",): "runs the job worker until stopped",
    ("db", "upgrade"): "changes the schema",
    ("demo", "load"): "writes the demo data",
    ("demo", "remove"): "disables the demo staff accounts",
    ("directory", "import"): "writes the directory (services, never people)",
    ("directory", "export"): "exports the directory of services (HSDS): no person's data is in it",
    ("directory", "declassify"): "changes a location of the directory",
    ("entitlements", "test"): "runs the rules' own tests (no database): slow",
    ("organisation", "create"): "writes",
    ("team", "create"): "writes",
    ("staff", "create"): "writes; prints the new account only",
    ("staff", "disable"): "writes",
    ("staff", "enable"): "writes",
    ("staff", "roles"): "writes",
    ("staff", "reset-second-factor"): "writes",
    ("jobs", "retry-dead"): "writes",
    ("keys", "init"): "creates key files",
    ("keys", "rotate"): "re-wraps every data key: prints counts only",
    ("keys", "retire"): "removes a retired key-encryption key from the keyring: prints counts only",
}
# Calls that open a person's sealed data: a command not run here must not make them itself.
OPENS_PEOPLE = re.compile(r"open_profiles?\(|\.open_json\(|\.open_text\(|get_client\(")


def _commands() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    from carebridge.cli import build_parser

    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...]) -> None:
        for action in parser._actions:  # noqa: SLF001 - argparse has no public walk of sub-commands
            if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
                for name, sub in action.choices.items():
                    walk(sub, (*prefix, name))
                return
        found[prefix] = parser

    walk(build_parser(), ())
    return found


def _takes_one_person(parser: argparse.ArgumentParser) -> bool:
    return any("client" in (action.dest or "") for action in parser._actions)  # noqa: SLF001


def test_every_command_is_classified_and_those_not_run_do_not_open_records() -> None:
    unclassified = []
    for command, parser in _commands().items():
        if command in RUN:
            continue
        if command not in NOT_RUN and not _takes_one_person(parser):
            unclassified.append(" ".join(command))
            continue
        handler = parser.get_default("func")
        if handler is not None and command in NOT_RUN:
            source = inspect.getsource(handler)
            assert not OPENS_PEOPLE.search(source), f"`carebridge {' '.join(command)}` opens people's records"
    assert not unclassified, (
        "new commands: add each to RUN (read-only: it is run and must print no person's data) or NOT_RUN (with the "
        "reason) in tests/test_one_person_at_a_time.py, or give it a client id argument (one person): "
        + ", ".join(unclassified)
    )


def test_no_command_prints_peoples_data(tmp_path: Path) -> None:
    """The read-only commands, run as a deployer would (a subprocess) against a database of 60 marked people."""
    from carebridge.cli import upgrade_database
    from carebridge.db import make_engine

    url = f"sqlite:///{tmp_path / 'people.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        worker = client_factories.caseworker(session)
        for index in range(PEOPLE):
            client_factories.client(session, Settings(), worker.actor, preferred_name=_marker(index))
        session.commit()
    engine.dispose()
    env = {**os.environ, "CAREBRIDGE_DATABASE_URL": url}
    ran = 0
    for command, extra in RUN.items():
        if command not in _commands():
            continue
        result = subprocess.run(
            [sys.executable, "-m", "carebridge.cli", *command, *extra],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )
        ran += 1
        assert not MARKER.search(result.stdout + result.stderr), f"`carebridge {' '.join(command)}` printed a person"
        assert "Traceback" not in result.stderr, f"`carebridge {' '.join(command)}`: {result.stderr[-500:]}"
    assert ran >= 5
