"""The immigration situation: kept only where the entitlements rules say it changes what the person can get, only with
consent for that purpose, sealed, replaced or deleted; withdrawn consent deletes it."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import clients as factories
from sqlalchemy import select, text

from carebridge.audit.models import AuditEvent
from carebridge.clients import immigration
from carebridge.clients.models import ImmigrationSituation
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.consent.models import Consent
from carebridge.errors import Forbidden, InvalidInput, NotFound
from carebridge.kit import clock


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def worker(session):  # noqa: ANN001, ANN201
    return factories.caseworker(session)


def _client_in(session, settings, worker, jurisdiction: str):  # noqa: ANN001, ANN202
    client = factories.client(session, settings, worker.actor)
    client.jurisdiction = jurisdiction
    session.flush()
    return client


def _consent(session, client_id: str) -> Consent:  # noqa: ANN001
    row = Consent(client_id=client_id, purpose=consent.IMMIGRATION_SITUATION, method="interpreter",
                  interpreter_language="prs", explanation_version="1", explanation_language="prs",
                  given_at=clock.utc_now())
    session.add(row)
    session.flush()
    return row


def test_the_entitlements_rules_decide_whether_it_matters() -> None:
    today = dt.date(2026, 12, 6)
    # England's rules depend on the status (charging regulations); Germany's shipped rules apply to everyone alike.
    assert immigration.status_matters("GB-ENG", today) is True
    assert immigration.status_matters("DE", today) is False
    assert immigration.status_matters("XX", today) is False


def test_it_is_kept_sealed_with_consent_where_it_matters(session, settings, worker) -> None:  # noqa: ANN001
    client = _client_in(session, settings, worker, "GB-ENG")
    given = _consent(session, client.id)
    immigration.record_situation(session, settings, worker.actor, client.id, "asylum-seeker")
    session.flush()
    raw = bytes(session.execute(text("select situation from client_immigration_situation where client_id = :id"),
                                {"id": client.id}).scalar_one())
    assert b"asylum" not in raw
    row = session.get(ImmigrationSituation, client.id)
    assert row.consent_id == given.id and row.recorded_by == worker.account.id
    state = immigration.section_state(session, settings, worker.actor, client)
    assert state.matters and state.has_consent and state.situation.status == "asylum-seeker"
    # Replaced, not duplicated.
    immigration.record_situation(session, settings, worker.actor, client.id, "refused-asylum-seeker")
    _, state = immigration.read_situation(session, settings, worker.actor, client.id)
    assert state.situation.status == "refused-asylum-seeker"
    actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == client.id).order_by(AuditEvent.seq)))
    assert actions[-3:] == ["client.immigration.set", "client.immigration.set", "client.immigration.read"]


def test_without_consent_nothing_is_kept(session, settings, worker) -> None:  # noqa: ANN001
    client = _client_in(session, settings, worker, "GB-ENG")
    with pytest.raises(consent.ConsentRequired):
        immigration.record_situation(session, settings, worker.actor, client.id, "undocumented")
    assert session.get(ImmigrationSituation, client.id) is None


def test_where_it_does_not_matter_nothing_is_kept_even_with_consent(session, settings, worker) -> None:  # noqa: ANN001
    client = _client_in(session, settings, worker, "DE")
    _consent(session, client.id)
    with pytest.raises(immigration.NotNeeded):
        immigration.record_situation(session, settings, worker.actor, client.id, "undocumented")
    assert session.get(ImmigrationSituation, client.id) is None
    assert immigration.section_state(session, settings, worker.actor, client).matters is False


def test_only_a_status_of_the_engines_vocabulary(session, settings, worker) -> None:  # noqa: ANN001
    client = _client_in(session, settings, worker, "GB-ENG")
    _consent(session, client.id)
    with pytest.raises(InvalidInput):
        immigration.record_situation(session, settings, worker.actor, client.id, "illegal")


def test_removing_deletes_the_row(session, settings, worker) -> None:  # noqa: ANN001
    client = _client_in(session, settings, worker, "GB-ENG")
    _consent(session, client.id)
    immigration.record_situation(session, settings, worker.actor, client.id, "student")
    assert immigration.remove_situation(session, settings, worker.actor, client.id) is True
    assert session.get(ImmigrationSituation, client.id) is None
    assert immigration.remove_situation(session, settings, worker.actor, client.id) is False
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == client.id)
                           .order_by(AuditEvent.seq.desc())).first() == "client.immigration.remove"


def test_withdrawn_consent_deletes_it_before_anyone_sees_it(session, settings, worker) -> None:  # noqa: ANN001
    client = _client_in(session, settings, worker, "GB-ENG")
    given = _consent(session, client.id)
    immigration.record_situation(session, settings, worker.actor, client.id, "undocumented")
    given.withdrawn_at = clock.utc_now()
    session.flush()
    state = immigration.section_state(session, settings, worker.actor, client)
    assert state.situation is None and state.has_consent is False
    assert session.get(ImmigrationSituation, client.id) is None


def test_scope_and_permission(session, settings, worker) -> None:  # noqa: ANN001
    client = _client_in(session, settings, worker, "GB-ENG")
    _consent(session, client.id)
    stranger = factories.caseworker(session)
    with pytest.raises(NotFound):
        immigration.record_situation(session, settings, stranger.actor, client.id, "student")
    with pytest.raises(NotFound):
        immigration.read_situation(session, settings, stranger.actor, client.id)
    reader = factories.caseworker(session, roles=("receptionist",), organisation_=worker.organisation)
    with pytest.raises(Forbidden):
        immigration.record_situation(session, settings, reader.actor, client.id, "student")
