"""Issue 8 end to end, across its parts: signing in (accounts) writes the real audit trail (audit), which then
verifies; an administrator's changes on the admin pages end the other account's sessions at once; a second-factor
reset queues a staff notification (jobs) that the worker sends by e-mail (notifications) to a real SMTP server with
nothing personal in it; the audit trail is read within the reader's scope, and the reading is itself audited.

Everything goes through the real pages with TestClients (session cookies, CSRF tokens, Origin), on SQLite and
PostgreSQL; nothing is captured by monkeypatch."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from aiosmtpd.controller import Controller
from factories import accounts as factories
from factories import jobs as job_factories
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from carebridge.accounts.models import StaffAccount, StaffSession
from carebridge.audit import service as audit
from carebridge.audit.models import AuditEvent
from carebridge.jobs.models import Job


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture
def browsers(app) -> Iterator:  # noqa: ANN001
    """`browsers()`: a new TestClient of the app with its own cookie jar (one person's browser), sending the site's
    own Origin as a browser does with a form."""
    with ExitStack() as stack:

        def open_browser() -> TestClient:
            client = stack.enter_context(TestClient(app, raise_server_exceptions=False))
            client.headers.update(factories.SAME_ORIGIN)
            return client

        yield open_browser


@pytest.fixture
def people(session) -> dict:  # noqa: ANN001
    harbour, riverside = factories.organisation(session, "Harbour Health"), factories.organisation(session, "Riverside Aid")
    people = {
        "harbour": harbour,
        "riverside": riverside,
        "admin": factories.enrolled_account(session, roles=("administrator",), organisation_=harbour, name="Ada Admin"),
        "manager": factories.enrolled_account(
            session, roles=("service-manager",), organisation_=harbour, name="Mo Manager"
        ),
        "worker": factories.enrolled_account(
            session, roles=("link-worker",), organisation_=harbour, name="Zainab Okafor",
            email="zainab.okafor@example.org",
        ),
        "colleague": factories.enrolled_account(
            session, roles=("link-worker",), organisation_=harbour, name="Tomas Lindqvist"
        ),
        "outsider": factories.enrolled_account(
            session, roles=("link-worker",), organisation_=riverside, name="Bea Other"
        ),
        "planner": factories.account(session, roles=("planner",), organisation_=harbour, name="Pia Planner"),
        "newcomer": factories.account(session, roles=("link-worker",), organisation_=harbour, name="Nia New"),
    }
    session.commit()
    return people


def signed_in(browser: TestClient, account: StaffAccount) -> str:
    """Sign the account in through the pages (password and code); the session's CSRF token."""
    landed = factories.sign_in(browser, account.email)
    assert landed.status_code == 303 and landed.headers["location"] == "/staff", landed.text[:300]
    home = browser.get("/staff")
    assert home.status_code == 200 and account.name in home.text
    return factories.form_token(home.text)


def events_after(session, seq: int) -> list[AuditEvent]:  # noqa: ANN001
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)))


def open_sessions(session, account: StaffAccount) -> list[StaffSession]:  # noqa: ANN001
    session.expire_all()
    return list(
        session.scalars(select(StaffSession).where(StaffSession.account_id == account.id, StaffSession.ended_at.is_(None)))
    )


def is_signed_out(browser: TestClient) -> None:
    page = browser.get("/staff", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff/sign-in"
    assert browser.get("/api/v1/staff/me").status_code == 401


# --- Signing in writes the real audit trail ------------------------------------------------------------------------


def test_signing_in_writes_real_audit_events_and_the_chain_verifies(session, people, browsers) -> None:  # noqa: ANN001
    admin = people["admin"]
    start = audit.latest_seq(session)
    signed_in(browsers(), admin)
    events = events_after(session, start)
    actions = [(event.action, event.account_id, event.organisation_id, event.outcome) for event in events]
    assert ("sign-in.success", admin.id, admin.organisation_id, "success") in actions
    assert ("second-factor.success", admin.id, admin.organisation_id, "success") in actions
    assert [action for action, *_ in actions].index("sign-in.success") < [a for a, *_ in actions].index(
        "second-factor.success"
    )
    assert all(event.request_id for event in events)

    stranger = browsers()
    middle = audit.latest_seq(session)
    unknown = factories.sign_in(stranger, "nobody@example.org", password="not the password at all")
    assert unknown.status_code == 401
    wrong = factories.sign_in(stranger, admin.email, password="not the password at all")
    assert wrong.status_code == 401
    failures = [(e.action, e.account_id, e.organisation_id, e.outcome) for e in events_after(session, middle)]
    assert failures == [
        ("sign-in.failure", None, None, "failure"),
        ("sign-in.failure", admin.id, admin.organisation_id, "failure"),
    ]
    assert stranger.get("/api/v1/staff/me").status_code == 401

    result = audit.verify(session)
    assert result.ok and result.head == audit.head(session)
    assert result.intact == session.scalar(select(func.count()).select_from(AuditEvent))


def test_the_audit_verify_command_agrees(session, people, browsers, session_factory, monkeypatch, capsys) -> None:  # noqa: ANN001
    """The operators' command (`carebridge audit verify`) over the test's database (its session_scope pointed at the
    test's connection; audit.record itself is untouched), after real sign-ins."""
    import argparse
    from contextlib import contextmanager

    from carebridge.audit import cli

    @contextmanager
    def scope(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        with session_factory() as own:
            yield own
            own.commit()

    monkeypatch.setattr("carebridge.db.session_scope", scope)
    signed_in(browsers(), people["admin"])
    factories.sign_in(browsers(), "nobody@example.org", password="not the password at all")
    head = audit.head(session)
    assert cli._verify(argparse.Namespace(expect_head=head)) == 0
    assert f"head {head}" in capsys.readouterr().out
    # A kept head whose combined hash no longer matches the trail: the trail was changed since it was kept.
    assert cli._verify(argparse.Namespace(expect_head="0" * 64 + head[64:])) == 1
    assert "BROKEN" in capsys.readouterr().err


# --- An administrator's changes end the other account's sessions ---------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_resetting_a_second_factor_ends_sessions_is_audited_and_e_mails_the_owner_nothing_personal(
    session, session_factory, people, browsers, smtp_server  # noqa: ANN001
) -> None:
    admin, worker = people["admin"], people["worker"]
    inbox, port = smtp_server
    admins_browser, workers_browser = browsers(), browsers()
    csrf = signed_in(admins_browser, admin)
    signed_in(workers_browser, worker)
    assert open_sessions(session, worker)
    start = audit.latest_seq(session)

    page = admins_browser.get(f"/staff/admin/accounts/{worker.id}")
    assert page.status_code == 200 and "/reset-second-factor" in page.text
    reset = admins_browser.post(
        f"/staff/admin/accounts/{worker.id}/reset-second-factor",
        data={"csrf_token": csrf, "confirm": "yes"},
        follow_redirects=False,
    )
    assert reset.status_code == 303 and reset.headers["location"].endswith("done=second-factor")

    # The worker's browser is signed out on its next request, and its session rows ended for that reason.
    is_signed_out(workers_browser)
    assert open_sessions(session, worker) == []
    reasons = set(session.scalars(select(StaffSession.end_reason).where(StaffSession.account_id == worker.id)))
    assert "second-factor-reset" in reasons
    # The administrator's own session goes on.
    assert admins_browser.get("/staff").status_code == 200

    resets = [e for e in events_after(session, start) if e.action == "second-factor.reset"]
    assert [(e.account_id, e.record_type, e.record_id, e.organisation_id) for e in resets] == [
        (admin.id, "staff_account", worker.id, worker.organisation_id)
    ]
    queued = session.scalars(select(Job).where(Job.kind == "notify.staff", Job.state == "queued")).all()
    assert [job.payload for job in queued] == [{"account_id": worker.id, "reason": "second-factor-reset"}]
    job_id = queued[0].id

    worker_process = job_factories.worker(
        session_factory,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="Carebridge <no-reply@carebridge.example>",
        public_base_url="https://care.example.org/",
    )
    assert worker_process.run_once() == 1
    session.expire_all()
    assert session.get(Job, job_id).state == "done"
    [(recipients, message)] = inbox.messages
    assert recipients == ["zainab.okafor@example.org"] and message["To"] == "zainab.okafor@example.org"
    subject, body = message["Subject"], message.get_content()
    assert "https://care.example.org/staff/sign-in" in body
    for personal in ("Zainab", "Okafor", "zainab.okafor", worker.id):
        assert personal.lower() not in subject.lower(), personal
        assert personal.lower() not in body.lower(), personal

    # With the second factor gone, the worker's next sign-in goes to enrolment.
    again = factories.sign_in(workers_browser, worker.email)
    assert again.status_code == 303 and again.headers["location"] == "/staff/sign-in/enrol"
    assert audit.verify(session).ok


def test_changing_roles_ends_the_accounts_sessions(session, people, browsers) -> None:  # noqa: ANN001
    admin, worker = people["admin"], people["worker"]
    admins_browser, workers_browser = browsers(), browsers()
    csrf = signed_in(admins_browser, admin)
    signed_in(workers_browser, worker)
    assert workers_browser.get("/api/v1/staff/me").json()["roles"] == ["link-worker"]

    changed = admins_browser.post(
        f"/staff/admin/accounts/{worker.id}/roles",
        data={"csrf_token": csrf, "roles": ["link-worker", "clinician"]},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    is_signed_out(workers_browser)
    assert open_sessions(session, worker) == []
    assert "roles-changed" in set(
        session.scalars(select(StaffSession.end_reason).where(StaffSession.account_id == worker.id))
    )
    # Signing in again brings the new roles.
    # The code of this 30-second step is spent (a code is accepted once): the app shows the next one.
    landed = factories.sign_in(workers_browser, worker.email, code=factories.totp_code(step_offset=1))
    assert landed.status_code == 303 and landed.headers["location"] == "/staff"
    assert workers_browser.get("/api/v1/staff/me").json()["roles"] == ["clinician", "link-worker"]


def test_disabling_an_account_makes_its_live_session_anonymous_at_once(session, people, browsers) -> None:  # noqa: ANN001
    admin, colleague = people["admin"], people["colleague"]
    admins_browser, colleagues_browser = browsers(), browsers()
    csrf = signed_in(admins_browser, admin)
    signed_in(colleagues_browser, colleague)
    assert colleagues_browser.get("/api/v1/staff/me").status_code == 200

    disabled = admins_browser.post(
        f"/staff/admin/accounts/{colleague.id}/disable",
        data={"csrf_token": csrf, "confirm": "yes"},
        follow_redirects=False,
    )
    assert disabled.status_code == 303 and disabled.headers["location"].endswith("done=disabled")
    is_signed_out(colleagues_browser)
    assert open_sessions(session, colleague) == []
    # And the password no longer signs it in (the same answer as a wrong password).
    refused = factories.sign_in(colleagues_browser, colleague.email)
    assert refused.status_code == 401
    assert colleagues_browser.get("/api/v1/staff/me").status_code == 401


# --- Reading the audit trail, within the reader's scope ------------------------------------------------------------


def _record_reads(session, people) -> None:  # noqa: ANN001
    audit.record(session, "person.read", actor=factories.actor_for(people["worker"]), record_type="person",
                 record_id="p-harbour")
    audit.record(session, "person.read", actor=factories.actor_for(people["outsider"]), record_type="person",
                 record_id="p-riverside")
    session.commit()


def test_a_service_manager_reads_only_their_organisations_trail_and_the_reading_is_audited(
    session, people, browsers  # noqa: ANN001
) -> None:
    _record_reads(session, people)
    manager = people["manager"]
    browser = browsers()
    signed_in(browser, manager)

    start = audit.latest_seq(session)
    page = browser.get("/staff/audit")
    assert page.status_code == 200
    assert "p-harbour" in page.text and "p-riverside" not in page.text and "Bea Other" not in page.text
    reads = events_after(session, start)
    assert [(e.action, e.account_id, e.organisation_id) for e in reads] == [
        ("audit.read", manager.id, manager.organisation_id)
    ]

    start = audit.latest_seq(session)
    api = browser.get("/api/v1/staff/audit-events", params={"limit": 500})
    assert api.status_code == 200
    listed = api.json()["events"]
    assert listed and {event["organisation_id"] for event in listed} == {people["harbour"].id}
    assert "p-harbour" in {event["record_id"] for event in listed}
    assert "p-riverside" not in {event["record_id"] for event in listed}
    # Asking for the other organisation does not widen the scope.
    widened = browser.get("/api/v1/staff/audit-events", params={"organisation_id": people["riverside"].id})
    assert widened.status_code == 200
    assert {event["organisation_id"] for event in widened.json()["events"]} <= {people["harbour"].id}
    assert "p-riverside" not in {event["record_id"] for event in widened.json()["events"]}
    reads = events_after(session, start)
    assert reads and reads[0].action == "audit.read" and reads[0].account_id == manager.id
    assert audit.verify(session).ok


def test_an_administrator_reads_every_organisations_trail(session, people, browsers) -> None:  # noqa: ANN001
    _record_reads(session, people)
    browser = browsers()
    signed_in(browser, people["admin"])
    page = browser.get("/staff/audit")
    assert page.status_code == 200 and "p-harbour" in page.text and "p-riverside" in page.text
    listed = browser.get("/api/v1/staff/audit-events", params={"record_type": "person"}).json()["events"]
    assert {event["record_id"] for event in listed} == {"p-harbour", "p-riverside"}
    assert {event["organisation_id"] for event in listed} == {people["harbour"].id, people["riverside"].id}


def test_a_link_worker_may_not_read_the_trail_and_is_not_audited_as_reading_it(session, people, browsers) -> None:  # noqa: ANN001
    browser = browsers()
    signed_in(browser, people["worker"])
    start = audit.latest_seq(session)
    assert browser.get("/staff/audit").status_code == 403
    refused = browser.get("/api/v1/staff/audit-events")
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert [e.action for e in events_after(session, start) if e.action == "audit.read"] == []


# --- Who needs a second factor ------------------------------------------------------------------------------------


def test_a_planner_signs_in_with_a_password_only(session, people, browsers) -> None:  # noqa: ANN001
    """A planner sees aggregate figures only (needs_second_factor is false for the role): the password is enough,
    though the account may still enrol a second factor from its own page."""
    from carebridge.accounts.permissions import needs_second_factor

    planner = people["planner"]
    assert planner.totp_confirmed_at is None and not needs_second_factor({"planner"})
    browser = browsers()
    start = audit.latest_seq(session)
    landed = factories.sign_in(browser, planner.email)
    assert landed.status_code == 303 and landed.headers["location"] == "/staff"
    home = browser.get("/staff")
    assert home.status_code == 200 and "Pia Planner" in home.text
    me = browser.get("/api/v1/staff/me").json()
    assert me["roles"] == ["planner"] and "report.aggregate" in me["permissions"]
    assert "person.read" not in me["permissions"] and "audit.read-organisation" not in me["permissions"]
    assert [e.action for e in events_after(session, start)] == ["sign-in.success"]
    assert browser.get("/staff/audit").status_code == 403


def test_a_link_worker_cannot_reach_staff_pages_before_the_second_factor(session, people, browsers) -> None:  # noqa: ANN001
    # Not yet enrolled: sent to enrol, and the API answers 401.
    browser = browsers()
    landed = factories.sign_in(browser, people["newcomer"].email)
    assert landed.status_code == 303 and landed.headers["location"] == "/staff/sign-in/enrol"
    page = browser.get("/staff", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff/sign-in/enrol"
    assert browser.get("/api/v1/staff/me").status_code == 401
    assert browser.get("/staff/admin/accounts", follow_redirects=False).status_code == 303

    # Enrolled but the code not yet given: sent to the code page, and the API answers 401.
    browser = browsers()
    first = browser.get("/staff/sign-in")
    landed = browser.post(
        "/staff/sign-in",
        data={"email": people["worker"].email, "password": factories.PASSWORD,
              "csrf_token": factories.form_token(first.text)},
        follow_redirects=False,
    )
    assert landed.status_code == 303 and landed.headers["location"] == "/staff/sign-in/code"
    page = browser.get("/staff", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff/sign-in/code"
    assert browser.get("/api/v1/staff/me").status_code == 401
    # A wrong code keeps it out.
    code_page = browser.get("/staff/sign-in/code")
    wrong = browser.post("/staff/sign-in/code",
                         data={"code": "000000" if factories.totp_code() != "000000" else "111111",
                               "csrf_token": factories.form_token(code_page.text)},
                         follow_redirects=False)
    assert wrong.status_code == 401
    assert browser.get("/api/v1/staff/me").status_code == 401
