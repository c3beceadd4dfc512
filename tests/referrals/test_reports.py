"""Referral figures on both databases: the definitions (sent, by state, accepted, median days to acceptance,
completion and lost), the period, the organisation scope, small-count suppression (primary, pooled organisations,
secondary down a column), the audit; and the overrides list's service (order, scope, reason opened and audited,
marking reviewed once)."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import accounts, clients, referral_rows
from sqlalchemy import select

from carebridge.audit.models import AuditEvent
from carebridge.config import Settings
from carebridge.errors import Forbidden, InvalidInput, NotFound
from carebridge.kit import clock
from carebridge.referrals import reports
from carebridge.referrals.models import Referral
from carebridge.referrals.reports import Period

DAY = dt.timedelta(days=1)


@pytest.fixture
def settings() -> Settings:
    return clients.settings()


def _period() -> Period:
    today = clock.utc_now().date()
    return Period(today - dt.timedelta(days=60), today)


def _many(session, settings, world, count: int, **kwargs):  # noqa: ANN001, ANN003, ANN202
    return [referral_rows.referral(session, settings, world, **kwargs) for _ in range(count)]


def _row(report: reports.ReferralReport, label: str) -> reports.Row:
    found = [row for row in report.rows if row.label == label]
    assert len(found) == 1, [row.label for row in report.rows]
    return found[0]


def _cell(row: reports.Row, state: str):  # noqa: ANN202
    return next(cell for cell in row.states.cells if cell.key == state)


def test_the_figures_follow_their_definitions(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    now = clock.utc_now()
    # 12 completed, accepted 1, 2, ..., 12 days after being requested: median 6.5 days.
    for days in range(1, 13):
        requested = now - dt.timedelta(days=30)
        referral_rows.referral(session, settings, world, status="completed", requested_at=requested,
                               answered_at=requested + dt.timedelta(days=days), outcome="Done")
    _many(session, settings, world, 10, status="rejected", reason="no-answer")      # lost
    _many(session, settings, world, 3, status="rejected", reason="not-eligible")   # not lost: the receiver said no
    _many(session, settings, world, 4, status="failed", reason="person-unreachable")  # lost (and accepted)
    _many(session, settings, world, 3, status="cancelled", reason="duplicate")     # lost: before acceptance
    cancelled_after = _many(session, settings, world, 2, status="cancelled", reason="person-declined",
                            answered_at=now - dt.timedelta(days=2))              # accepted, then cancelled: not lost
    _many(session, settings, world, 11, status="requested")
    _many(session, settings, world, 2, status="entered-in-error")
    _many(session, settings, world, 5, status="draft")                           # never sent
    _many(session, settings, world, 4, status="completed", requested_at=now - dt.timedelta(days=400))  # before the period
    assert len(cancelled_after) == 2
    session.flush()

    report = reports.referral_report(session, world.actor("manager"), _period())
    total = report.total
    sent = 12 + 10 + 3 + 4 + 3 + 2 + 11
    assert total.sent.count == sent
    assert total.accepted.count == 12 + 4 + 2
    assert total.median_days is not None
    assert total.lost.count == 10 + 4 + 3
    assert total.completed.count == 12
    assert total.completion_rate.percent == round(100 * 12 / sent)
    assert total.lost_rate.percent == round(100 * 17 / sent)
    assert _cell(total, "rejected").count == 13
    assert _cell(total, "requested").count == 11
    assert _cell(total, "failed").suppressed and _cell(total, "cancelled").suppressed  # 4 and 5: below 10
    assert report.entered_in_error.suppressed
    # One receiving organisation: it has its own row with the same figures.
    assert [row.label for row in report.rows] == [world.receiver.name]
    assert report.rows[0].sent.count == sent


def test_the_median_is_computed_in_sql_on_both_databases(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    requested = clock.utc_now() - dt.timedelta(days=30)
    for hours in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100):
        referral_rows.referral(session, settings, world, status="accepted", requested_at=requested,
                               answered_at=requested + dt.timedelta(hours=hours * 24))
    report = reports.referral_report(session, world.actor("manager"), _period())
    assert report.total.accepted.count == 11
    assert report.total.median_days == 6.0
    even = referral_rows.referral(session, settings, world, status="accepted", requested_at=requested,
                                  answered_at=requested + dt.timedelta(days=7))
    assert even.id
    report = reports.referral_report(session, world.actor("manager"), _period())
    assert report.total.median_days == 6.5
    assert report.rows[0].median_days == 6.5


def test_small_receiving_organisations_are_pooled_and_hidden_counts_cannot_be_subtracted(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    _many(session, settings, world, 25, status="requested")
    _many(session, settings, world, 12, status="requested", tracked=True, organization_name="Harbour Counselling")
    for name in ("Food Bank A", "Food Bank B"):
        _many(session, settings, world, 4, status="requested", tracked=True, organization_name=name)
    report = reports.referral_report(session, world.actor("manager"), _period())
    labels = [row.label for row in report.rows]
    assert labels == [world.receiver.name, "Harbour Counselling", reports.OTHER_LABEL]
    assert "Food Bank A" not in str(report)
    other = report.rows[-1]
    assert other.sent.suppressed  # 8
    # Total 45 shown; the pooled row is hidden, so the smallest shown row is hidden too.
    assert report.total.sent.count == 45
    assert _row(report, "Harbour Counselling").sent.suppressed
    assert _row(report, world.receiver.name).sent.count == 25


def test_a_service_manager_sees_only_their_organisation_a_planner_any(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    _many(session, settings, world, 10, status="requested")
    elsewhere = referral_rows.world(session, settings)
    _many(session, settings, elsewhere, 10, status="requested")
    mine = reports.referral_report(session, world.actor("manager"), _period())
    assert mine.total.sent.count == 10
    with pytest.raises(Forbidden):
        reports.referral_report(session, world.actor("manager"), _period(), organisation_id=elsewhere.sender.id)
    planner = reports.referral_report(session, world.actor("planner"), _period())
    assert planner.total.sent.count is not None and planner.total.sent.count >= 20
    one = reports.referral_report(session, world.actor("planner"), _period(), organisation_id=elsewhere.sender.id)
    assert one.total.sent.count == 10 and one.organisation_name == elsewhere.sender.name
    with pytest.raises(InvalidInput):
        reports.referral_report(session, world.actor("planner"), _period(), organisation_id="not-an-organisation")
    with pytest.raises(Forbidden):
        reports.referral_report(session, world.actor("link_worker"), _period())


def test_the_period_bounds_are_the_requested_days(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    today = clock.utc_now().date()
    start = dt.datetime.combine(today - dt.timedelta(days=10), dt.time(), tzinfo=dt.UTC)
    _many(session, settings, world, 10, status="requested", requested_at=start)                 # first moment: in
    _many(session, settings, world, 3, status="requested", requested_at=start - dt.timedelta(seconds=1))  # out
    report = reports.referral_report(session, world.actor("manager"), Period(today - dt.timedelta(days=10), today))
    assert report.total.sent.count == 10


def test_producing_the_figures_is_audited_on_the_organisation_and_reads_no_one(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    _many(session, settings, world, 10, status="requested")
    reports.referral_report(session, world.actor("manager"), _period(), request_id="r-1")
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "report.referrals")))
    assert [(event.record_type, event.record_id) for event in events] == [("organisation", world.sender.id)]
    assert clients.audit_actions(session, world.person.id) == [
        action for action in clients.audit_actions(session, world.person.id) if not action.startswith("report.")
    ]


# --- Referrals sent without consent -----------------------------------------------------------------------------------


def test_the_overrides_list_shows_unseen_first_with_reason_and_audits_each_person(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    old = referral_rows.referral(session, settings, world, override_reason="Risk of harm tonight",
                                 requested_at=clock.utc_now() - dt.timedelta(days=20))
    seen = referral_rows.referral(session, settings, world, override_reason="Already handled")
    seen.override_seen_by, seen.override_seen_at = world.manager.id, clock.utc_now()
    referral_rows.referral(session, settings, world, consent=referral_rows.share_consent(session, world))  # with consent
    session.flush()
    page = reports.overrides(session, settings, world.actor("manager"))
    assert [row.referral_id for row in page.rows] == [old.id, seen.id]
    assert page.unseen == 1 and page.total == 2
    assert page.rows[0].reason == "Risk of harm tonight"
    assert page.rows[0].person_name == "Layla Testperson"
    assert page.rows[0].sent_by == "Lin Linkworker"
    assert page.rows[1].seen_by == "Mo Manager"
    assert clients.audit_actions(session, world.person.id).count("referral.override-read") == 1


def test_marking_reviewed_sets_who_and_when_once(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    row = referral_rows.referral(session, settings, world, override_reason="Risk of harm tonight")
    version = row.version
    assert reports.mark_override_seen(session, world.actor("manager"), row.id) is True
    session.refresh(row)
    assert row.override_seen_by == world.manager.id and row.override_seen_at == clock.utc_now()
    assert row.version == version
    assert reports.mark_override_seen(session, world.actor("manager"), row.id) is False
    assert clients.audit_actions(session, world.person.id).count("referral.override-seen") == 1


def test_another_organisations_overrides_are_not_found(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    row = referral_rows.referral(session, settings, world, override_reason="Risk of harm tonight")
    elsewhere = referral_rows.world(session, settings)
    assert reports.overrides(session, settings, elsewhere.actor("manager")).rows == []
    with pytest.raises(NotFound):
        reports.mark_override_seen(session, elsewhere.actor("manager"), row.id)
    with pytest.raises(NotFound):
        reports.mark_override_seen(session, world.actor("manager"), "x" * 200)
    with pytest.raises(Forbidden):
        reports.overrides(session, settings, world.actor("link_worker"))
    assert session.get(Referral, row.id).override_seen_at is None
    assert accounts  # the factories module is the one the world is built with


def test_the_overrides_list_names_at_most_fifty_people_a_page(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    people = [clients.client(session, settings, world.actor("link_worker"), preferred_name=f"Pagemarker {n}") for n in range(51)]
    for person in people:
        referral_rows.referral(session, settings, world, override_reason="Risk of harm tonight", client=person)
    first = reports.overrides(session, settings, world.actor("manager"))
    assert len(first.rows) == reports.OVERRIDES_PAGE == 50 and first.pages == 2 and first.total == 51
    second = reports.overrides(session, settings, world.actor("manager"), page=2)
    assert len(second.rows) == 1
    assert {row.referral_id for row in first.rows}.isdisjoint({row.referral_id for row in second.rows})
    assert reports.overrides(session, settings, world.actor("manager"), page=999).page == 2
