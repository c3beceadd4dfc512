"""Notifying staff: what the e-mail says (nothing personal), in which language, and sending it once.

The `notify.staff` job (payload {"account_id", "reason"}) e-mails the account that something needs its attention,
with a link to sign in. Subject and body are fixed sentences: no name, no e-mail address, no client, no health data.
The language is the account's first language that the interface has, else the deployment's default.

Sent once: the job's id is recorded with the outcome in the job's own transaction, and a job that finds its id
recorded sends nothing. Sending mail cannot join a database transaction, though: a worker that crashes after the
server accepted the message and before the commit sends it again when the job is retried — at least once, not
exactly once. The message then carries the same Message-ID (made from the job id), by which mail systems drop
duplicates. A burst of "new message" jobs for one account sends one e-mail per quarter of an hour.

With no SMTP server configured nothing can be sent, and the job does not pretend otherwise: it goes dead at once with
the code `no-smtp` (`carebridge jobs status` shows "dead: N × notify.staff (PermanentError:no-smtp)"), and
`carebridge jobs retry-dead --kind notify.staff` sends them once CAREBRIDGE_SMTP_HOST is set.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge import i18n
from carebridge.accounts import service as accounts
from carebridge.config import Settings
from carebridge.errors import N_
from carebridge.jobs.service import PermanentError, current_job, enqueue
from carebridge.kit import clock
from carebridge.notifications import email, sms
from carebridge.notifications.models import NotificationSent

log = logging.getLogger("carebridge.notifications")

NEW_MESSAGE = "new-message"
ACCOUNT_CHANGES = ("second-factor-reset", "password-changed", "account-disabled")
# A closed record the account works on is erased soon (rights.retention); which one is seen after signing in.
RETENTION_WARNING = "retention-warning"
# A risk flag needs an answer today (the clinician on duty, or every clinician when nobody is), or one escalated
# (the service manager): the message says only that something needs attention (risk.service).
RISK_FLAG = "risk-flag"
# A referral arrived, moved or was closed for no answer (referrals), an interpreting booking was asked, accepted,
# declined or cancelled (interpreters), a volunteer match was proposed or answered (volunteers): payload-free.
REFERRAL = "referral"
BOOKING = "booking"
MATCH = "match"
REASONS = (NEW_MESSAGE, *ACCOUNT_CHANGES, RETENTION_WARNING, RISK_FLAG, REFERRAL, BOOKING, MATCH)
# A disabled account hears only about its own disabling (so that its owner knows, and can say if it was a mistake).
SENT_TO_DISABLED = ("account-disabled",)
# "New message" e-mails to one account are at least this far apart.
NEW_MESSAGE_QUIET = dt.timedelta(minutes=15)
# The dead job's code when no SMTP server is configured: the notification could not be sent (not "done").
NO_SMTP = "no-smtp"

SUBJECTS = {
    NEW_MESSAGE: N_("You have a new message in Carebridge"),
    **{reason: N_("A change was made to your Carebridge account") for reason in ACCOUNT_CHANGES},
    RETENTION_WARNING: N_("A closed record will soon be erased in Carebridge"),
    RISK_FLAG: N_("Something needs your attention today in Carebridge"),
    REFERRAL: N_("A referral changed in Carebridge"),
    BOOKING: N_("An interpreting booking changed in Carebridge"),
    MATCH: N_("A volunteer match changed in Carebridge"),
}
BODIES = {
    NEW_MESSAGE: (N_("You have a new message in Carebridge."), N_("Sign in to read it: %(link)s")),
    **{
        reason: (
            N_("A change was made to your Carebridge account."),
            N_("Sign in to see it: %(link)s"),
            N_("If you did not expect this change, tell your administrator."),
        )
        for reason in ACCOUNT_CHANGES
    },
    RETENTION_WARNING: (
        N_("A closed record of a person you work with will be erased automatically soon."),
        N_("Sign in to see which record and when, and whether the person wants a copy first: %(link)s"),
    ),
    # Nothing that could harm if someone else reads it: no name, no person, no word about risk.
    RISK_FLAG: (N_("Something needs your attention today in Carebridge."), N_("Sign in to see it: %(link)s")),
    # Which referral, booking or match, and whose, is seen only after signing in.
    REFERRAL: (N_("A referral you work on is new or has changed."), N_("Sign in to see it: %(link)s")),
    BOOKING: (N_("An interpreting booking you are part of is new or has changed."), N_("Sign in to see it: %(link)s")),
    MATCH: (N_("A volunteer match you are part of is new or has changed."), N_("Sign in to see it: %(link)s")),
}
FOOTER = N_("This message was sent automatically. Please do not reply to it.")
SMS_NEW_MESSAGE = N_("You have a new message in Carebridge. Sign in: %(link)s")


def notify_staff_later(session: Session, account_id: str, reason: str) -> None:
    """Enqueue a staff notification in the caller's transaction (the same as enqueue("notify.staff", …))."""
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {', '.join(REASONS)}")
    enqueue(session, "notify.staff", {"account_id": account_id, "reason": reason})


def sign_in_link(settings: Settings) -> str:
    return f"{settings.public_base_url.rstrip('/')}/staff/sign-in"


def language_for(languages: str, settings: Settings) -> str:
    """The first of an account's languages ("ar fa-AF ps") that the interface speaks, else the default."""
    for tag in languages.split():
        code = i18n.language_or_none(tag)
        if code:
            return code
    return i18n.language_or_none(settings.default_language) or "en"


def staff_message(reason: str, language: str, settings: Settings) -> tuple[str, str]:
    """The subject and body of a staff notification: fixed sentences and the sign-in link, nothing else."""
    link = sign_in_link(settings)
    subject = i18n.gettext(language, SUBJECTS[reason])
    paragraphs = [i18n.gettext(language, text, link=link) for text in BODIES[reason]]
    paragraphs.append(i18n.gettext(language, FOOTER))
    return subject, "\n\n".join(paragraphs) + "\n"


def sms_new_message(language: str, settings: Settings) -> str:
    return i18n.gettext(language, SMS_NEW_MESSAGE, link=sign_in_link(settings))


def send_sms(session: Session, settings: Settings, to: str, text: str) -> bool:
    """Send a text through the configured provider (in a job: a failure raises and the job retries). False when
    SMS is off."""
    provider = sms.provider(settings, session)
    if provider is None:
        return False
    provider.send(to, text)
    return True


def _record(session: Session, job_id: str, account_id: str, reason: str, outcome: str) -> None:
    session.add(
        NotificationSent(
            job_id=job_id, account_id=account_id, reason=reason, channel="email", outcome=outcome,
            sent_at=clock.utc_now(),
        )
    )
    session.flush()


def notify_staff(session: Session, payload: dict[str, Any]) -> None:
    """The `notify.staff` job handler."""
    job = current_job(session)
    settings = job.settings
    account_id, reason = payload.get("account_id"), payload.get("reason")
    if not isinstance(account_id, str) or reason not in REASONS:
        raise PermanentError("bad-payload")
    if session.scalar(select(NotificationSent.id).where(NotificationSent.job_id == job.id)) is not None:
        return  # this job already did its work (it is being run again)
    account = accounts.account_by_id(session, account_id)
    if account is None:
        _record(session, job.id, account_id, reason, "skipped-no-account")
        return
    if not account.active and reason not in SENT_TO_DISABLED:
        _record(session, job.id, account_id, reason, "skipped-disabled")
        return
    if reason == NEW_MESSAGE:
        recent = session.scalar(
            select(NotificationSent.id).where(
                NotificationSent.account_id == account_id,
                NotificationSent.reason == reason,
                NotificationSent.outcome == "sent",
                NotificationSent.sent_at > clock.utc_now() - NEW_MESSAGE_QUIET,
            )
        )
        if recent is not None:
            _record(session, job.id, account_id, reason, "skipped-recent")
            return
    if not email.configured(settings):
        # Not "done": nothing was sent, and an admin told "the person will be told" must be able to see that they were
        # not. The job goes dead at once as `PermanentError:no-smtp` (shown by `carebridge jobs status`); once
        # CAREBRIDGE_SMTP_HOST is set, `carebridge jobs retry-dead --kind notify.staff` sends what was held back.
        log.warning(
            "job %s: no SMTP server is configured (CAREBRIDGE_SMTP_HOST), so no e-mail was sent; the job is dead "
            "(no-smtp) until SMTP is set up and `carebridge jobs retry-dead --kind notify.staff` runs",
            job.id,
        )
        raise PermanentError(NO_SMTP)
    language = language_for(account.languages, settings)
    subject, body = staff_message(reason, language, settings)
    message = email.build(settings, to=account.email, subject=subject, body=body, language=language, key=job.id)
    email.send(settings, message)
    _record(session, job.id, account_id, reason, "sent")
