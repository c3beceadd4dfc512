"""The person's immigration situation: kept only when it changes what they can get, only with their consent for that
purpose, sealed, and shown only in its own section of the person's page (never in lists, search or the API list).

    immigration.status_matters(client.jurisdiction, today)                   # the entitlements engine decides
    immigration.record_situation(session, settings, actor, client_id, "asylum-seeker")
    immigration.remove_situation(session, settings, actor, client_id)
    view = immigration.read_situation(session, settings, actor, client)

Whether it matters is the entitlements engine's own "does this question matter" logic
(entitlements.service.relevant_facts: a fact is relevant when some answer to it changes an outcome), asked about the
immigration status ("status") for the client's jurisdiction with nothing else known. Where the rules say it changes
nothing, or there are no rules for the jurisdiction, nothing is stored. What is kept is the status in the engine's
own vocabulary (entitlements.vocabulary.STATUSES), so it can be given to the checker as an answer.

The consent (purpose immigration-situation) it was kept under is named on the row. Withdrawing that consent, removing
the situation or erasing the record deletes the row; a row whose consent is no longer in force is deleted the next
time it would be read (`forget_without_consent`), so it can never be shown without consent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client, ImmigrationSituation
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.consent.models import Consent
from carebridge.entitlements import service as entitlements
from carebridge.entitlements.vocabulary import STATUS_LABELS, STATUSES
from carebridge.errors import N_, CarebridgeError, FieldError, InvalidInput
from carebridge.keys import service as keys
from carebridge.kit import clock

TABLE = "client_immigration_situation"
# The entitlements fact this records.
FACT = "status"
# Where the entitlements rules are read from: None is the rules shipped with Carebridge (tests point it elsewhere).
RULES_DIR: Path | None = None


class NotNeeded(CarebridgeError):
    """The rules of the person's jurisdiction do not depend on their immigration situation: nothing is kept."""

    status_code = 409
    title = N_("The immigration situation does not change what this person can get, so it is not kept")
    type_slug = "immigration-situation-not-needed"


@dataclass(frozen=True)
class SituationView:
    status: str
    # The status in plain words (a message id: translate it).
    label: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class SectionState:
    """Everything the section and the form need to say."""

    matters: bool
    has_consent: bool
    situation: SituationView | None


def status_matters(jurisdiction: str, on_date: dt.date) -> bool:
    """Whether the immigration status can change any outcome of the jurisdiction's rules on that date (the
    entitlements engine's relevant_facts with nothing else known); False when there are no rules for it."""
    try:
        rulebook = entitlements.get_rulebook(jurisdiction, RULES_DIR)
    except entitlements.UnknownJurisdiction:
        return False
    return FACT in entitlements.relevant_facts(rulebook, {}, on_date)


def _today() -> dt.date:
    return clock.utc_now().date()


def _row(session: Session, client_id: str) -> ImmigrationSituation | None:
    return session.get(ImmigrationSituation, client_id)


def erase_situation(session: Session, client_id: str) -> bool:
    """Delete the situation row, if any (withdrawn consent, a closed case). Whether there was one. Not audited here:
    the caller's action is."""
    row = _row(session, client_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def forget_without_consent(session: Session, client_id: str) -> bool:
    """Delete the situation when the consent it was kept under is no longer in force. Whether it was deleted."""
    row = _row(session, client_id)
    if row is None:
        return False
    in_force = session.scalar(
        select(Consent.id).where(
            Consent.id == row.consent_id, Consent.client_id == client_id, Consent.withdrawn_at.is_(None),
            Consent.purpose == consent.IMMIGRATION_SITUATION,
        )
    )
    if in_force is not None:
        return False
    session.delete(row)
    session.flush()
    return True


def record_situation(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    status: str | None,
    *,
    request_id: str | None = None,
) -> ImmigrationSituation:
    """Keep (or replace) the situation (person.write). NotNeeded where it changes nothing, ConsentRequired without
    consent for the purpose. Audited `client.immigration.set`."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    if not status_matters(client.jurisdiction, _today()):
        raise NotNeeded()
    given = consent.require_consent(session, client.id, consent.IMMIGRATION_SITUATION)
    if status not in STATUSES:
        raise InvalidInput(errors=[FieldError("status", N_("Choose the situation closest to the person's."),
                                              allowed=list(STATUSES))])
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    row = _row(session, client.id)
    if row is None:
        row = ImmigrationSituation(client_id=client.id)
        session.add(row)
    row.situation = key.seal_json(TABLE, "situation", client.id, {FACT: status})
    row.consent_id = given.id
    row.recorded_by = actor.account_id
    row.recorded_at = clock.utc_now()
    session.flush()
    audit.record(session, "client.immigration.set", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return row


def remove_situation(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    *,
    request_id: str | None = None,
) -> bool:
    """Delete the situation (person.write); audited `client.immigration.remove` when there was one."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    row = _row(session, client.id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    audit.record(session, "client.immigration.remove", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=client.id, request_id=request_id)
    return True


def section_state(session: Session, settings: Settings, actor: Actor, client: Client) -> SectionState:
    """What the record says, for an actor who may write it (the caller found `client` in their person.write scope
    and audits the read).
    A situation kept under a consent since withdrawn is deleted here, never shown."""
    forget_without_consent(session, client.id)
    has_consent = consent.active_consent(session, client.id, consent.IMMIGRATION_SITUATION) is not None
    row = _row(session, client.id)
    view = None
    if row is not None:
        key = keys.data_key(session, settings, clients.SUBJECT, client.id)
        status = key.open_json(TABLE, "situation", client.id, row.situation).get(FACT)
        view = SituationView(status=status, label=STATUS_LABELS.get(status, status), recorded_at=row.recorded_at)
    return SectionState(matters=status_matters(client.jurisdiction, _today()), has_consent=has_consent, situation=view)


def read_situation(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, request_id: str | None = None
) -> tuple[Client, SectionState]:
    """One record's situation, for those who work on the record (person.write, within scope: the caseworkers who
    check what the person can get with it), audited `client.immigration.read`. Staff who only read the record (a
    receptionist, a cultural mediator, a service manager) have no need for it and never see it."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    audit.record(session, "client.immigration.read", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=client.id, request_id=request_id)
    return client, section_state(session, settings, actor, client)
