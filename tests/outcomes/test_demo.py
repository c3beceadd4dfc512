"""Demo case work: sealed rows for the demo people over six months, the same on every load (seeded), nothing added
on a second load, a clinician's open flag, and an outcomes page that shows some figures and suppresses others."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from carebridge.accounts import demo as accounts_demo
from carebridge.accounts import service as accounts
from carebridge.accounts.demo import load_demo_accounts
from carebridge.accounts.models import StaffAccount
from carebridge.assessments.models import Assessment
from carebridge.clients import demo as people_demo
from carebridge.clients import service as clients
from carebridge.config import Settings
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.outcomes import service
from carebridge.outcomes.demo import load_demo_casework
from carebridge.plans.models import Goal, Step
from carebridge.risk.models import RiskFlag
from carebridge.screening.models import Screening


def _settings(tmp_path) -> Settings:  # noqa: ANN001
    return Settings(demo=True, record_key_file=tmp_path / "record-keys", blind_index_key_file=tmp_path / "blind-index.key")


def _fingerprint(session) -> list[tuple]:
    """What was made, without the random ids: per table, the clear columns in a stable order."""
    screenings = session.execute(select(Screening.instrument, Screening.total, Screening.band, Screening.completed_at)).all()
    assessments = session.execute(select(Assessment.category, Assessment.assessed_at)).all()
    goals = session.execute(select(Goal.domain, Goal.status, Goal.created_at)).all()
    steps = session.execute(select(Step.who, Step.status, Step.due_on)).all()
    flags = session.execute(select(RiskFlag.status, RiskFlag.raised_at, RiskFlag.closed_at)).all()
    return [tuple(sorted(map(tuple, table), key=repr)) for table in (screenings, assessments, goals, steps, flags)]


def test_demo_casework_is_deterministic_idempotent_sealed_and_shows_figures(session, tmp_path):
    settings = _settings(tmp_path)
    load_demo_accounts(session, settings)
    people_demo.load_demo_people(session, settings)
    said = load_demo_casework(session, settings)
    assert said.startswith("Demo case work:") and "3 risk flags" in said
    first = _fingerprint(session)
    assert load_demo_casework(session, settings) == "Demo case work: already there."
    assert _fingerprint(session) == first  # nothing added

    # Six months back from today, no later than now.
    now = clock.utc_now()
    oldest = session.scalar(select(func.min(Screening.completed_at)))
    assert 120 <= (now - oldest).days <= 200 and session.scalar(select(func.max(Screening.completed_at))) <= now
    # Sealed in the format the screening domain reads.
    row = session.scalars(select(Screening).where(Screening.instrument == "phq-9")).first()
    answers = keys.data_key(session, settings, clients.SUBJECT, row.client_id).open_json("screening", "answers", row.id, row.answers)
    assert sum(answers["items"].values()) == row.total and len(answers["items"]) == 9
    # What describes a person is sealed: the goals' and flags' words are not in the rows.
    assert all(b"hostel" not in bytes(goal.text) for goal in session.scalars(select(Goal)))
    assert all(b"crisis" not in bytes(flag.details) for flag in session.scalars(select(RiskFlag)))
    # One open flag for the demo clinician; two closed.
    context = people_demo._context(session)
    flags = session.scalars(select(RiskFlag)).all()
    assert [flag.assigned_to for flag in flags if flag.status == "open"] == [context.accounts[people_demo.C].id]
    assert sum(flag.status == "closed" for flag in flags) == 2
    # Overdue steps exist (open, due before today).
    assert session.scalar(select(func.count()).select_from(Step).where(Step.status == "todo", Step.due_on < clock.today(None))) > 0

    # The demo service manager reads the figures.
    account = session.scalar(
        select(StaffAccount)
        .where(StaffAccount.email_key == accounts.email_key(accounts_demo.email_of("service-manager")))
        .options(selectinload(StaffAccount.roles), selectinload(StaffAccount.memberships))
        .execution_options(populate_existing=True)
    )
    report = service.outcomes_report(session, accounts.actor_for(account), service.default_period(None))
    figures = [cell.count for cell in report.categories.cells] + [row.screened.count for row in report.screening]
    figures += [report.goals.total.count, report.risk.opened.count]
    assert any(count is not None and count >= 10 for count in figures)  # some shown
    assert any(count is None for count in figures)  # some suppressed
    assert report.risk.opened.count is None  # three flags: suppressed


def test_the_demo_again_in_a_fresh_database_makes_the_same_rows(session, tmp_path, fixed_clock):  # noqa: ANN001
    settings = _settings(tmp_path)
    load_demo_accounts(session, settings)
    people_demo.load_demo_people(session, settings)
    load_demo_casework(session, settings)
    made = _fingerprint(session)
    for table in (Step, Goal, RiskFlag, Screening, Assessment):
        session.query(table).delete()
    session.flush()
    load_demo_casework(session, settings)
    assert _fingerprint(session) == made
