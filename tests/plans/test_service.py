"""Action plans' service on both databases: goals and steps sealed and audited, scope, the optimistic version (409),
and the overdue rule at its boundary (due today is not overdue, yesterday is; today is the deployment's)."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import clients as client_factories
from factories import plans as factories
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from carebridge.errors import Conflict, Forbidden, InvalidInput, NotFound
from carebridge.kit import clock
from carebridge.plans import service as plans
from carebridge.plans.models import Goal, Step


@pytest.fixture
def world(session):  # noqa: ANN001, ANN201
    settings = client_factories.settings()
    worker = client_factories.caseworker(session)
    person = client_factories.client(session, settings, worker.actor, preferred_name="Amina", languages=["ar-SY"])
    return settings, worker, person


def test_a_goal_and_its_steps_are_sealed_and_read_back(session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    goal = factories.goal(session, settings, worker.actor, person, text="Une maison sûre", review_on=dt.date(2027, 1, 10))
    factories.step(session, settings, worker.actor, goal, description="Appeler la mairie", who="organisation",
                   organisation="Refugee Action", due_on=dt.date(2026, 12, 1))
    session.commit()
    stored = session.scalar(select(Goal).where(Goal.id == goal.id))
    assert "maison".encode() not in stored.text
    step = session.scalar(select(Step).where(Step.goal_id == goal.id))
    assert b"mairie" not in step.description and b"Refugee" not in step.description
    plan = plans.read_plan(session, settings, worker.actor, person)
    [view] = plan.goals
    assert view.text == "Une maison sûre" and view.review_on == dt.date(2027, 1, 10) and view.version == 1
    [step_view] = view.steps
    assert (step_view.description, step_view.who, step_view.organisation) == ("Appeler la mairie", "organisation", "Refugee Action")
    actions = client_factories.audit_actions(session, person.id)
    assert {"plan.goal.create", "plan.step.create", "plan.read"} <= set(actions)


def test_bad_input_names_every_field(session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    with pytest.raises(InvalidInput) as problem:
        plans.create_goal(session, settings, worker.actor, person, domain="space", text="  ")
    assert {e.name for e in problem.value.errors} == {"domain", "text"}
    goal = factories.goal(session, settings, worker.actor, person)
    with pytest.raises(InvalidInput) as problem:
        plans.add_step(session, settings, worker.actor, goal, description="", who="organisation", due_on=dt.date(2999, 1, 1))
    assert {e.name for e in problem.value.errors} == {"description", "organisation", "due_on"}
    with pytest.raises(InvalidInput):
        plans.add_step(session, settings, worker.actor, goal, description="x", who="someone")
    with pytest.raises(InvalidInput):
        plans.create_goal(session, settings, worker.actor, person, domain="housing", text="a\u202eb")


def test_a_stale_edit_is_refused_and_nothing_changes(session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    goal = factories.goal(session, settings, worker.actor, person)
    plans.update_goal(session, settings, worker.actor, goal.id, version=1, text="A flat near the school")
    with pytest.raises(Conflict):
        plans.update_goal(session, settings, worker.actor, goal.id, version=1, text="Something else")
    [view] = plans.plan_of(session, settings, person).goals
    assert view.text == "A flat near the school" and view.version == 2


def test_statuses_and_achieved_at(session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    goal = factories.goal(session, settings, worker.actor, person)
    step = factories.step(session, settings, worker.actor, goal)
    plans.set_step_status(session, settings, worker.actor, step, "done")
    assert step.status == "done" and step.done_at is not None
    plans.set_goal_status(session, settings, worker.actor, goal, "achieved")
    assert goal.status == "achieved" and goal.achieved_at is not None
    plans.set_goal_status(session, settings, worker.actor, goal, "open")
    assert goal.achieved_at is None
    with pytest.raises(InvalidInput):
        plans.set_step_status(session, settings, worker.actor, step, "finished")
    assert {"plan.step.update", "plan.goal.status"} <= set(client_factories.audit_actions(session, person.id))


def test_scope_another_organisation_and_read_only_roles(session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    goal = factories.goal(session, settings, worker.actor, person)
    stranger = client_factories.caseworker(session)
    with pytest.raises(NotFound):
        plans.find_goal(session, stranger.actor, goal.id)
    with pytest.raises(NotFound):
        plans.add_step(session, settings, stranger.actor, goal, description="x", who="worker")
    with pytest.raises(NotFound):
        plans.read_plan(session, settings, stranger.actor, person.id)
    receptionist = client_factories.member(session, worker, roles=("receptionist",))
    assert plans.read_plan(session, settings, receptionist.actor, person.id).goals
    with pytest.raises(Forbidden):
        plans.create_goal(session, settings, receptionist.actor, person, domain="health", text="x")
    with pytest.raises(Forbidden):
        plans.set_goal_status(session, settings, receptionist.actor, goal, "stopped")


# --- Overdue ---------------------------------------------------------------------------------------------------


def test_due_today_is_not_overdue_yesterday_is(session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    today = clock.today(settings.timezone)
    goal = factories.goal(session, settings, worker.actor, person)
    for days, description in ((-1, "yesterday"), (0, "today"), (1, "tomorrow")):
        factories.step(session, settings, worker.actor, goal, description=description, due_on=today + dt.timedelta(days=days))
    done = factories.step(session, settings, worker.actor, goal, description="done late", due_on=today - dt.timedelta(days=9))
    plans.set_step_status(session, settings, worker.actor, done, "done")
    factories.step(session, settings, worker.actor, goal, description="no date")
    [view] = plans.plan_of(session, settings, person).goals
    assert [step.description for step in view.overdue_steps] == ["yesterday"]
    assert plans.overdue_counts(session, [person.id], today) == {person.id: 1}


def test_today_is_the_deployments_not_utc(session, world) -> None:  # noqa: ANN001
    """At 23:30 UTC on 30 April, London (BST) is already on 1 May: a step due 30 April is overdue there."""
    settings, worker, person = world
    goal = factories.goal(session, settings, worker.actor, person)
    factories.step(session, settings, worker.actor, goal, due_on=dt.date(2027, 4, 30))
    assert settings.timezone == "Europe/London"
    with clock.pinned(dt.datetime(2027, 4, 30, 22, 59, tzinfo=dt.UTC)):
        assert plans.plan_of(session, settings, person).overdue_steps == []
    with clock.pinned(dt.datetime(2027, 4, 30, 23, 30, tzinfo=dt.UTC)):
        assert len(plans.plan_of(session, settings, person).overdue_steps) == 1
        assert plans.overdue_counts(session, [person.id], plans.today(settings)) == {person.id: 1}


@given(
    status=st.sampled_from(plans.STEP_STATUSES),
    offset=st.one_of(st.none(), st.integers(min_value=-400, max_value=400)),
)
def test_the_overdue_rule(status: str, offset: int | None) -> None:
    on = dt.date(2027, 3, 28)
    due = None if offset is None else on + dt.timedelta(days=offset)
    assert plans.is_overdue(status, due, on) == (status == "todo" and offset is not None and offset < 0)


# --- Directory services ----------------------------------------------------------------------------------------


def test_default_search_from_the_goal_and_the_person(session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    goal = factories.goal(session, settings, worker.actor, person, domain="legal")
    search = plans.default_search(session, settings, person, goal)
    assert search.categories == ["legal-advice"] and search.language == "ar" and search.near is None
    assert set(plans.DOMAIN_CATEGORIES) == set(plans.DOMAINS)
    from carebridge.directory import taxonomy

    assert {code for codes in plans.DOMAIN_CATEGORIES.values() for code in codes} <= set(taxonomy.CATEGORY_CODES)
