"""Social prescribing's service on both databases: the conversation sealed and audited, what they want to try made
a plan goal once (409 after), ONS4 at start and follow-up with the change, bad input naming every field, scope, a
safeguarding concern landing as a risk flag, and finding the demo city's community activities by their facts."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import clients as client_factories
from factories import prescribing as factories
from sqlalchemy import select

from carebridge.errors import Conflict, Forbidden, InvalidInput, NotFound
from carebridge.kit import clock
from carebridge.plans import service as plans
from carebridge.plans.models import Goal
from carebridge.prescribing import service
from carebridge.prescribing.models import Conversation, Wellbeing
from carebridge.risk.models import RiskFlag

TODAY = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(session):
    settings = client_factories.settings()
    worker = client_factories.caseworker(session)
    person = client_factories.client(session, settings, worker.actor, preferred_name="Amina", languages=["ar"])
    with clock.pinned(TODAY):
        yield settings, worker, person


def test_a_conversation_is_sealed_audited_and_read_back(session, world) -> None:
    settings, worker, person = world
    talk = factories.conversation(session, settings, worker.actor, person, what_matters="Mes enfants heureux")
    session.commit()
    stored = session.scalar(select(Conversation).where(Conversation.id == talk.id))
    assert b"enfants" not in stored.details and b"sewing" not in stored.details
    view = service.read_record(session, settings, worker.actor, person.id)
    [item] = view.conversations
    assert (item.what_matters, item.strengths, item.want_to_try) == ("Mes enfants heureux", "I sew well", "A sewing group with other women")
    actions = client_factories.audit_actions(session, person.id)
    assert {"prescribing.conversation.create", "prescribing.read"} <= set(actions)


def test_what_they_want_to_try_becomes_a_plan_goal_once(session, world) -> None:
    settings, worker, person = world
    talk = factories.conversation(session, settings, worker.actor, person)
    goal = service.make_goal(session, settings, worker.actor, talk.id, version=1)
    session.commit()
    assert session.scalar(select(Goal.id).where(Goal.client_id == person.id)) == goal.id
    [plan_goal] = plans.read_plan(session, settings, worker.actor, person).goals
    assert plan_goal.text == "A sewing group with other women" and plan_goal.domain == service.GOAL_DOMAIN
    assert service.read_record(session, settings, worker.actor, person.id).conversations[0].goal_id == goal.id
    with pytest.raises(Conflict):
        service.make_goal(session, settings, worker.actor, talk.id, version=2)
    assert {"prescribing.goal.create", "plan.goal.create"} <= set(client_factories.audit_actions(session, person.id))


def test_a_stale_version_or_nothing_to_try_makes_no_goal(session, world) -> None:
    settings, worker, person = world
    talk = factories.conversation(session, settings, worker.actor, person)
    with pytest.raises(Conflict):
        service.make_goal(session, settings, worker.actor, talk.id, version=7)
    empty = factories.conversation(session, settings, worker.actor, person, want_to_try="")
    with pytest.raises(InvalidInput):
        service.make_goal(session, settings, worker.actor, empty.id, version=1)
    assert session.scalar(select(Goal.id).where(Goal.client_id == person.id)) is None


def test_wellbeing_at_start_and_follow_up_shows_the_change(session, world) -> None:
    settings, worker, person = world
    factories.wellbeing(session, settings, worker.actor, person, stage="start", taken_on=dt.date(2026, 9, 1), scores=(3, 4, 2, 8))
    factories.wellbeing(session, settings, worker.actor, person, stage="follow-up", taken_on=dt.date(2026, 12, 1), scores=(6, 7, 6, 3))
    session.commit()
    view = service.read_record(session, settings, worker.actor, person.id)
    assert [item.stage for item in view.wellbeing] == ["start", "follow-up"]
    assert view.wellbeing[0].bands == {"life_satisfaction": "low", "worthwhile": "low", "happiness": "low", "anxiety": "high"}
    changes = {change.question: (change.difference, change.direction) for change in view.changes}
    assert changes == {"life_satisfaction": (3, "better"), "worthwhile": (3, "better"), "happiness": (4, "better"),
                       "anxiety": (-5, "better")}
    assert "prescribing.wellbeing.create" in client_factories.audit_actions(session, person.id)


def test_no_change_without_a_follow_up(session, world) -> None:
    settings, worker, person = world
    factories.wellbeing(session, settings, worker.actor, person)
    assert service.read_record(session, settings, worker.actor, person.id).changes == []


def test_bad_input_names_every_field(session, world) -> None:
    settings, worker, person = world
    with pytest.raises(InvalidInput) as problem:
        service.record_wellbeing(session, settings, worker.actor, person.id, stage="middle", taken_on=dt.date(2027, 1, 1),
                                 answers={"life_satisfaction": 11, "worthwhile": "x", "happiness": -1})
    assert {e.name for e in problem.value.errors} == {"stage", "taken_on", "life_satisfaction", "worthwhile", "happiness", "anxiety"}
    with pytest.raises(InvalidInput) as problem:
        service.record_conversation(session, settings, worker.actor, person.id, held_on=None, what_matters=" ",
                                    strengths="a\u202eb", want_to_try="x" * 2001)
    assert {e.name for e in problem.value.errors} == {"held_on", "what_matters", "strengths", "want_to_try"}
    assert session.scalar(select(Wellbeing.id)) is None and session.scalar(select(Conversation.id)) is None


def test_scope_and_permissions(session, world) -> None:
    settings, worker, person = world
    talk = factories.conversation(session, settings, worker.actor, person)
    stranger = client_factories.caseworker(session)
    with pytest.raises(NotFound):
        service.read_record(session, settings, stranger.actor, person.id)
    with pytest.raises(NotFound):
        service.make_goal(session, settings, stranger.actor, talk.id, version=1)
    with pytest.raises(NotFound):
        service.find_conversation(session, worker.actor, "x" * 65)
    planner = client_factories.member(session, worker, roles=("planner",), name="Pia Planner")
    with pytest.raises((Forbidden, NotFound)):
        factories.wellbeing(session, settings, planner.actor, person)


def test_a_safeguarding_concern_lands_as_a_safeguarding_risk_flag(session, world) -> None:
    settings, worker, person = world
    flag = service.raise_concern(session, settings, worker.actor, person.id, seen="Bruises she would not explain",
                                 done="Stayed with her")
    session.commit()
    stored = session.scalar(select(RiskFlag).where(RiskFlag.client_id == person.id))
    assert stored.id == flag.id and stored.source == "safeguarding" and stored.status == "open"
    assert b"Bruises" not in (stored.details or b"")
    assert "risk.raise-safeguarding" in client_factories.audit_actions(session, person.id)
    with pytest.raises(InvalidInput):
        service.raise_concern(session, settings, worker.actor, person.id, seen="")
