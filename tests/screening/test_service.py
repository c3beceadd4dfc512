"""Recording and reading screenings: scored, answers sealed (never in clear in the table), audited, scoped like the
person's record; an item-9 answer above 0 raises a risk flag in the same transaction, from staff or self mode."""

from __future__ import annotations

import pytest
from factories import accounts as account_factories
from factories import clients as factories
from sqlalchemy import select, text

from carebridge.config import Settings
from carebridge.errors import Forbidden, InvalidInput, NotFound
from carebridge.kit import clock
from carebridge.risk.models import RiskFlag
from carebridge.screening import service
from carebridge.screening.models import Screening, ScreeningLink

PHQ9_CALM = {f"item-{n}": 0 for n in range(1, 10)} | {"item-1": 2, "item-2": 1}
PHQ9_ITEM9 = {f"item-{n}": 0 for n in range(1, 10)} | {"item-9": 1}


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def world(session, settings):
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor, preferred_name="Screened Person")
    return worker, person


def record(session, settings, worker, person, answers=PHQ9_CALM, **extra):
    arguments = {"client": person, "instrument": "phq-9", "answers": answers, "language": "en", "mode": "staff",
                 "actor": worker.actor} | extra
    return service.record_screening(session, settings, **arguments)


def test_record_scores_seals_and_audits(session, settings, world) -> None:
    worker, person = world
    screening = record(session, settings, worker, person, answers=PHQ9_CALM | {"difficulty": 1})
    assert (screening.total, screening.band, screening.positive, screening.risk) == (3, "minimal", False, False)
    assert screening.mode == "staff" and screening.administered_by == worker.account.id
    assert screening.organisation_id == person.organisation_id and screening.completed_at == clock.utc_now()
    stored = session.execute(text("SELECT answers FROM screening WHERE id = :id"), {"id": screening.id}).scalar_one()
    assert b"item-1" not in bytes(stored) and b"difficulty" not in bytes(stored)
    assert service.open_answers(session, settings, worker.actor, screening) == {
        "items": PHQ9_CALM, "difficulty": 1}
    assert factories.audit_actions(session, person.id)[-1] == "screening.record"
    assert session.scalars(select(RiskFlag).where(RiskFlag.client_id == person.id)).all() == []


def test_item9_above_0_raises_a_risk_flag_in_the_same_transaction(session, settings, world) -> None:
    worker, person = world
    screening = record(session, settings, worker, person, answers=PHQ9_ITEM9)
    assert screening.risk is True and screening.total == 1 and screening.band == "minimal"
    [flag] = session.scalars(select(RiskFlag).where(RiskFlag.client_id == person.id)).all()
    assert (flag.source, flag.screening_id, flag.raised_by, flag.status) == (
        "screening", screening.id, worker.account.id, "open")
    actions = factories.audit_actions(session, person.id)
    assert actions[-2:] == ["screening.record", "risk.raise-screening"]


def test_self_screening_on_a_link_marks_it_used_and_raises_a_flag_without_an_actor(session, settings, world) -> None:
    worker, person = world
    now = clock.utc_now()
    link = ScreeningLink(token_hash="a" * 64, client_id=person.id, organisation_id=person.organisation_id,
                         instrument="phq-9", language="en", created_by=worker.account.id, created_at=now,
                         expires_at=now)
    session.add(link)
    session.flush()
    screening = service.record_screening(session, settings, client=person, instrument="phq-9", answers=PHQ9_ITEM9,
                                         language="en", mode="self", link=link)
    assert screening.mode == "self" and screening.administered_by is None
    assert link.used_at == now and link.screening_id == screening.id
    [flag] = session.scalars(select(RiskFlag).where(RiskFlag.client_id == person.id)).all()
    assert flag.raised_by is None and flag.screening_id == screening.id
    with pytest.raises(ValueError):
        service.record_screening(session, settings, client=person, instrument="gad-7", answers={}, language="en",
                                 mode="self", link=link)
    with pytest.raises(ValueError):
        service.record_screening(session, settings, client=person, instrument="phq-9", answers=PHQ9_CALM,
                                 language="en", mode="self")


def test_bad_answers_are_a_422_naming_the_item_and_keep_nothing(session, settings, world) -> None:
    worker, person = world
    with pytest.raises(service.InvalidAnswers) as raised:
        record(session, settings, worker, person, answers=PHQ9_CALM | {"item-5": 7})
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, InvalidInput)
    assert raised.value.link_id == "item-5" and raised.value.errors[0].name == "answers.item-5"
    with pytest.raises(service.InvalidAnswers) as raised:
        record(session, settings, worker, person, answers={k: v for k, v in PHQ9_CALM.items() if k != "item-9"})
    assert raised.value.link_id == "item-9" and raised.value.reason == "missing"
    assert session.scalars(select(Screening)).all() == []


@pytest.mark.parametrize(("field", "value"), [("instrument", "rhs-15"), ("instrument", "phq-10"), ("language", "ar"),
                                              ("language", None), ("answers", ["x"])])
def test_unavailable_instrument_language_or_answers_are_refused(session, settings, world, field, value) -> None:
    worker, person = world
    with pytest.raises(InvalidInput) as raised:
        record(session, settings, worker, person, **{field: value})
    assert raised.value.errors[0].name == field


def test_an_interpreter_reading_the_english_wording_is_recorded(session, settings, world) -> None:
    worker, person = world
    screening = record(session, settings, worker, person, language="interpreter")
    assert screening.language == "interpreter"


def test_staff_need_screening_administer_in_scope(session, settings, world) -> None:
    worker, person = world
    receptionist = factories.member(session, worker, roles=("receptionist",))
    with pytest.raises(Forbidden):
        record(session, settings, receptionist, person)
    stranger = factories.caseworker(session)  # another organisation
    with pytest.raises(NotFound):
        record(session, settings, stranger, person)
    other_team = factories.caseworker(session, organisation_=worker.organisation)
    with pytest.raises(NotFound):
        record(session, settings, other_team, person)
    peer = factories.member(session, worker, roles=("peer-supporter",))
    with pytest.raises(NotFound):  # own scope: not assigned to them
        record(session, settings, peer, person)
    with pytest.raises(ValueError):
        record(session, settings, worker, person, mode="phone")


def test_list_get_and_open_are_scoped_and_audited(session, settings, world) -> None:
    worker, person = world
    first = record(session, settings, worker, person)
    second = record(session, settings, worker, person, instrument="gad-7", answers={f"item-{n}": 3 for n in range(1, 8)})
    rows = service.list_screenings(session, settings, worker.actor, person)
    assert {row.id for row in rows} == {first.id, second.id}
    assert [row.id for row in service.list_screenings(session, settings, worker.actor, person, "gad-7")] == [second.id]
    assert service.get_screening(session, settings, worker.actor, second.id).band == "severe"
    assert factories.audit_actions(session, person.id)[-3:] == ["screening.read"] * 3
    clinician = factories.member(session, worker, roles=("clinician",))
    assert service.get_screening(session, settings, clinician.actor, first.id).id == first.id
    manager = account_factories.actor_for(
        account_factories.account(session, roles=("service-manager",), organisation_=worker.organisation))
    stranger = factories.caseworker(session)
    for actor, error in ((manager, Forbidden), (stranger.actor, NotFound)):
        with pytest.raises(error):
            service.get_screening(session, settings, actor, first.id)
        with pytest.raises(error):
            service.list_screenings(session, settings, actor, person)
        with pytest.raises(error):
            service.open_answers(session, settings, actor, first)
    for missing in ("no-such-id", "x" * 500):
        with pytest.raises(NotFound):
            service.get_screening(session, settings, worker.actor, missing)


def test_list_is_newest_first(session, settings, world) -> None:  # noqa: ANN001
    import datetime as dt

    worker, person = world
    made = []
    for days in (0, 30, 10):
        with clock.pinned(dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC) + dt.timedelta(days=days)):
            made.append(record(session, settings, worker, person))
    rows = service.list_screenings(session, settings, worker.actor, person)
    assert [row.id for row in rows] == [made[1].id, made[2].id, made[0].id]
