"""The nightly accounts.purge job forgets ended and unused sessions after 30 days and old sign-in attempts, and
nothing else (on both databases)."""

import datetime as dt

from factories import accounts as factories
from sqlalchemy import func, select

from carebridge import domains
from carebridge.accounts import jobs as accounts_jobs
from carebridge.accounts import throttle
from carebridge.accounts.models import SignInAttempt, StaffSession
from carebridge.kit import clock


def _attempt(session, at):  # noqa: ANN001, ANN202
    session.add(SignInAttempt(email_key="k" * 64, address_key="a" * 64, at=at, succeeded=False))


def test_old_sessions_and_attempts_go_and_recent_ones_stay(session):
    account = factories.account(session)
    now = clock.utc_now()
    ended_long_ago = factories.staff_session(session, account)
    ended_long_ago.ended_at, ended_long_ago.end_reason = now - dt.timedelta(days=31), "signed-out"
    unused_long = factories.staff_session(session, account)
    unused_long.last_seen_at = now - dt.timedelta(days=31)
    ended_yesterday = factories.staff_session(session, account)
    ended_yesterday.ended_at, ended_yesterday.end_reason = now - dt.timedelta(days=1), "signed-out"
    open_now = factories.staff_session(session, account)
    _attempt(session, now - throttle.KEEP - dt.timedelta(minutes=1))
    _attempt(session, now - dt.timedelta(minutes=5))
    session.commit()

    domains.job_handlers()["accounts.purge"](session, {})
    session.commit()

    left = set(session.scalars(select(StaffSession.id).where(StaffSession.account_id == account.id)))
    assert left == {ended_yesterday.id, open_now.id}
    assert session.scalar(select(func.count()).select_from(SignInAttempt)) == 1
    # Twice is the same as once.
    accounts_jobs.purge_sign_in_records(session, {})
    assert set(session.scalars(select(StaffSession.id).where(StaffSession.account_id == account.id))) == left


def test_it_is_scheduled_every_night():
    schedules = [schedule for schedule in domains.job_schedules() if schedule.kind == "accounts.purge"]
    assert len(schedules) == 1 and schedules[0].daily_at == dt.time(3, 45)
