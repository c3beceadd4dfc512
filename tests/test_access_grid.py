"""Deny by default, proved from the app's own tables: every route that is not public × every role × anonymous gets
the status its declared permission implies (accounts.permissions.ROLES), and the public routes are exactly a list
written out below, so a staff route cannot hide as public. New routes join the grid without editing this file.

- anonymous: 401 problem document under /api/, 303 to /staff/sign-in for pages;
- a role without the route's permission: 403;
- a role with it: anything but 401 and 403 (404 or 422 for a placeholder id or an empty form are fine).

Each role signs in once through the real pages (password and TOTP); each request of the grid then uses a fresh
fully signed-in session of that role's account (accounts.sessions.start), so a route that signs out, or changes
something, cannot spoil the cells after it. Unsafe methods carry the session's form token and this site's Origin,
so a 403 can only come from the permission.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from factories import accounts as factories
from fastapi import APIRouter
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from carebridge.access import PUBLIC, UndeclaredAccess, declared_access
from carebridge.accounts import csrf, sessions
from carebridge.accounts.permissions import PERMISSIONS, ROLES, permissions_of

# Public by design: the finder, the checker, the open directory data, the API's description, the clinician's
# rules view (rules, never a person), and the sign-in pages (which must be reachable signed out; they check the
# session themselves). Adding a public route means adding it here, on purpose.
PUBLIC_ROUTES = {
    ("GET", "/"),
    # Reminders (issue 11): the SMS provider's inbound messages, signed with HMAC-SHA256 (reminders.webhook)
    ("POST", "/api/v1/sms/inbound"),
    ("GET", "/about"),
    ("GET", "/api/docs"),
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/services/search"),
    ("GET", "/api/hsds/"),
    ("GET", "/api/hsds/services"),
    ("GET", "/api/hsds/services/{service_id}"),
    ("GET", "/api/hsds/service_at_locations"),
    ("GET", "/api/hsds/service_at_locations/{service_at_location_id}"),
    ("GET", "/api/hsds/organizations"),
    ("GET", "/api/hsds/organizations/{organization_id}"),
    ("GET", "/api/hsds/taxonomies"),
    ("GET", "/api/hsds/taxonomies/{taxonomy_id}"),
    ("GET", "/api/hsds/taxonomy_terms"),
    ("GET", "/api/hsds/taxonomy_terms/{term_id}"),
    ("GET", "/find/need"),
    ("GET", "/find/where"),
    ("GET", "/find/language"),
    ("GET", "/find/results"),
    ("GET", "/services/{service_id}"),
    ("POST", "/api/v1/entitlements/evaluate"),
    ("POST", "/api/v1/entitlements/next-question"),
    ("GET", "/api/v1/entitlements/jurisdictions"),
    ("GET", "/api/v1/entitlements/rules"),
    ("GET", "/entitlements"),
    ("GET", "/entitlements/question"),
    ("GET", "/entitlements/result"),
    ("GET", "/entitlements/result.pdf"),
    ("GET", "/entitlements/result.mp3"),
    ("GET", "/staff/entitlements"),
    ("GET", "/staff/sign-in"),
    ("POST", "/staff/sign-in"),
    ("GET", "/staff/sign-in/code"),
    ("POST", "/staff/sign-in/code"),
    ("GET", "/staff/sign-in/enrol"),
    ("POST", "/staff/sign-in/enrol"),
    ("POST", "/staff/sign-out"),
    # A person answering a questionnaire on the one-use link their worker gave them: no account, the link's token is
    # the only key (screening.self_pages).
    ("GET", "/s/{token}"),
    ("POST", "/s/{token}"),
}
PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Cell:
    method: str
    path: str
    access: str

    @property
    def url(self) -> str:
        return re.sub(r"{[^}]+}", PLACEHOLDER, self.path)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


def route_cells(app) -> list[Cell]:  # noqa: ANN001
    cells = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            access = declared_access(route)
            assert access is not None, context.path  # create_app would not have built
            cells += [Cell(method, context.path, access) for method in sorted((context.methods or set()) - {"HEAD"})]
    return cells


def _request(client: TestClient, cell: Cell, token: str | None = None):  # noqa: ANN202
    headers = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    if cell.method == "GET":
        return client.get(cell.url, follow_redirects=False)
    if cell.is_api:
        if token:
            headers[csrf.HEADER] = token
        return client.request(cell.method, cell.url, json={}, headers=headers, follow_redirects=False)
    return client.request(cell.method, cell.url, data={"csrf_token": token or ""}, headers=headers, follow_redirects=False)


def test_the_public_routes_are_exactly_the_allow_list(app) -> None:  # noqa: ANN001
    public = {(cell.method, cell.path) for cell in route_cells(app) if cell.access == PUBLIC}
    assert public - PUBLIC_ROUTES == set(), "public routes not on the allow-list"
    assert PUBLIC_ROUTES - public == set(), "allow-listed routes that are gone or no longer public"


def test_every_other_route_names_a_permission_that_exists(app) -> None:  # noqa: ANN001
    cells = [cell for cell in route_cells(app) if cell.access != PUBLIC]
    assert cells, "the grid sees no staff route"
    assert {cell.access for cell in cells} <= set(PERMISSIONS), {cell.access for cell in cells} - set(PERMISSIONS)


def grid(app, session, only: set[str] | None = None) -> tuple[list[str], dict[str, int]]:  # noqa: ANN001
    """Runs the grid on `app` (or on its routes whose paths are in `only`); returns the cells that went wrong and how
    many cells expected each outcome."""
    cells = [cell for cell in route_cells(app) if cell.access != PUBLIC and (only is None or cell.path in only)]
    organisation = factories.organisation(session)
    team = factories.team(session, organisation)
    accounts = {
        role: factories.enrolled_account(session, roles=(role,), organisation_=organisation, teams=(team,))
        for role in ROLES
    }
    session.commit()
    # Each role signs in once through the pages.
    for role, account in accounts.items():
        with TestClient(app, raise_server_exceptions=False) as client:
            response = factories.sign_in(client, account.email)
            assert response.status_code == 303 and response.headers["location"] == "/staff", role
            assert client.get("/api/v1/staff/me").json()["roles"] == [role]

    problems = []
    counts = {"anonymous": 0, "allowed": 0, "refused": 0}
    anonymous = TestClient(app, raise_server_exceptions=False)
    for cell in cells:
        response = _request(anonymous, cell)
        if cell.is_api:
            ok = response.status_code == 401 and response.headers["content-type"] == "application/problem+json"
        else:
            ok = response.status_code == 303 and response.headers["location"].startswith("/staff/sign-in")
        if not ok:
            problems.append(f"anonymous {cell.method} {cell.path}: {response.status_code}")
        counts["anonymous"] += 1

        for role, account in accounts.items():
            row, token = sessions.start(session, account.id, second_factor=True)
            session.commit()
            client = TestClient(app, raise_server_exceptions=False, cookies={sessions.PLAIN_COOKIE: token})
            response = _request(client, cell, csrf.session_token(row.csrf_secret))
            allowed = cell.access in permissions_of({role})
            if allowed and response.status_code in (401, 403):
                problems.append(f"{role} {cell.method} {cell.path}: {response.status_code}, expected access")
            if not allowed and response.status_code != 403:
                problems.append(f"{role} {cell.method} {cell.path}: {response.status_code}, expected 403")
            counts["allowed" if allowed else "refused"] += 1
    assert counts["anonymous"] == len(cells) and counts["allowed"] + counts["refused"] == len(cells) * len(ROLES)
    return problems, counts


def test_the_grid_every_staff_route_every_role_and_anonymous(app, session) -> None:  # noqa: ANN001
    problems, counts = grid(app, session)
    assert not problems, "\n".join(problems)
    assert counts["anonymous"] >= 6 and counts["allowed"] >= 6 * len(ROLES)  # at least the accounts domain's own


def _app_with(session_factory, monkeypatch, router: APIRouter):  # noqa: ANN001, ANN202
    from carebridge import domains
    from carebridge.app import create_app

    every_router = list(domains.routers())
    monkeypatch.setattr(domains, "routers", lambda: [*every_router, router])
    return create_app(session_factory=session_factory)


def test_the_grid_expects_403_for_roles_without_the_permission_and_catches_a_route_that_lets_them_in(
    session, session_factory, monkeypatch  # noqa: ANN001
) -> None:
    from fastapi import Depends

    from carebridge.accounts.access import requires

    guarded = APIRouter()

    @guarded.get("/staff/probe", dependencies=[Depends(requires("staff.manage"))])
    def probe() -> dict:
        return {}

    problems, counts = grid(_app_with(session_factory, monkeypatch, guarded), session, only={"/staff/probe"})
    assert not problems and counts["refused"] == len(ROLES) - 1  # only the administrator manages staff

    def pretends_to_check() -> None:  # declares a permission but checks nothing
        """A broken guard."""

    pretends_to_check.carebridge_access = "staff.manage"  # type: ignore[attr-defined]
    leaky = APIRouter()

    @leaky.get("/staff/leaky", dependencies=[Depends(pretends_to_check)])
    def leak() -> dict:
        return {}

    monkeypatch.undo()
    problems, _ = grid(_app_with(session_factory, monkeypatch, leaky), session, only={"/staff/leaky"})
    assert "anonymous GET /staff/leaky: 200" in problems
    assert "planner GET /staff/leaky: 200, expected 403" in problems


def test_an_app_with_a_route_that_declares_no_access_refuses_to_build(monkeypatch) -> None:  # noqa: ANN001
    from carebridge import domains
    from carebridge.app import create_app

    forgotten = APIRouter()

    @forgotten.get("/staff/forgotten")
    def forgotten_route() -> dict:
        return {}

    every_router = list(domains.routers())
    monkeypatch.setattr(domains, "routers", lambda: [*every_router, forgotten])
    with pytest.raises(UndeclaredAccess, match="/staff/forgotten"):
        create_app(session_factory=lambda: None)  # type: ignore[arg-type]
