"""Action plan pages on both databases: the person page's section, goal and step forms (POST -> 303; problems 422 with
an error summary and what was typed; a stale edit 409 keeping it), overdue steps on the caseload (marker and
"needs attention" filter, page and API), the printed plan in the person's language (Arabic: right to left), and who
may do what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import audit as audit_factories
from factories import clients as client_factories
from factories import plans as factories

from carebridge.kit import clock
from carebridge.plans import service as plans


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture
def world(session, app, client):  # noqa: ANN001, ANN201
    client.follow_redirects = False
    settings = app.state.settings
    worker = client_factories.caseworker(session)
    person = client_factories.client(session, settings, worker.actor, preferred_name="Amina", languages=["ar-SY", "en"])
    session.commit()
    return settings, worker, person


def _location(response) -> str:  # noqa: ANN001
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"]


def test_add_a_goal_and_a_step_from_the_person_page(client, session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    csrf = audit_factories.sign_in_as(client, worker.actor)
    page = client.get(f"/staff/clients/{person.id}")
    assert page.status_code == 200 and 'id="plan"' in page.text and "Add a goal" in page.text
    form = client.get(f"/staff/clients/{person.id}/plan/goals/new")
    assert form.status_code == 200

    wrong = client.post(f"/staff/clients/{person.id}/plan/goals/new",
                        data={"csrf_token": csrf, "domain": "", "text": "A home for us", "review_on": "31/02/2027"})
    assert wrong.status_code == 422 and "error-summary" in wrong.text
    assert "A home for us" in wrong.text and 'href="#domain"' in wrong.text and 'href="#review_on"' in wrong.text

    where = _location(client.post(f"/staff/clients/{person.id}/plan/goals/new",
                                  data={"csrf_token": csrf, "domain": "housing", "text": "A home for us",
                                        "review_on": "2027-02-01"}))
    assert where.endswith("?done=goal-added") and "home" not in where
    goal_id = re.search(r"/plan/goals/([0-9a-f-]{36})", where).group(1)
    goal_page = client.get(where)
    assert goal_page.status_code == 200 and "A home for us" in goal_page.text and "The goal was added." in goal_page.text

    wrong = client.post(f"/staff/clients/{person.id}/plan/goals/{goal_id}/steps/new",
                        data={"csrf_token": csrf, "description": "Ring the council", "who": "organisation"})
    assert wrong.status_code == 422 and "Ring the council" in wrong.text and 'href="#organisation"' in wrong.text
    _location(client.post(f"/staff/clients/{person.id}/plan/goals/{goal_id}/steps/new",
                          data={"csrf_token": csrf, "description": "Ring the council", "who": "organisation",
                                "organisation": "Fairhaven Housing Office", "due_on": "2026-11-22"}))
    page = client.get(f"/staff/clients/{person.id}")
    assert "Ring the council" in page.text and "Fairhaven Housing Office" in page.text
    assert "1 overdue step" in page.text and "Overdue" in page.text  # due yesterday (the clock is 23 Nov 2026)

    [step] = plans.plan_of(session, settings, person).goals[0].steps
    back = _location(client.post(f"/staff/clients/{person.id}/plan/steps/{step.id}/status",
                                 data={"csrf_token": csrf, "status": "done", "back": "person"}))
    assert back.startswith(f"/staff/clients/{person.id}?done=step-status")
    _location(client.post(f"/staff/clients/{person.id}/plan/goals/{goal_id}/status",
                          data={"csrf_token": csrf, "status": "achieved"}))
    session.expire_all()
    [goal] = plans.plan_of(session, settings, person).goals
    assert goal.status == "achieved" and goal.steps[0].status == "done" and not goal.overdue_steps
    actions = client_factories.audit_actions(session, person.id)
    assert {"plan.goal.create", "plan.step.create", "plan.step.update", "plan.goal.status", "plan.read"} <= set(actions)


def test_a_stale_edit_is_409_and_keeps_what_was_typed(client, session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    goal = factories.goal(session, settings, worker.actor, person)
    session.commit()
    csrf = audit_factories.sign_in_as(client, worker.actor)
    edit = client.get(f"/staff/clients/{person.id}/plan/goals/{goal.id}/edit")
    assert edit.status_code == 200 and 'name="version" value="1"' in edit.text
    plans.update_goal(session, settings, worker.actor, goal.id, version=1, text="Changed in another tab")
    session.commit()
    stale = client.post(f"/staff/clients/{person.id}/plan/goals/{goal.id}/edit",
                        data={"csrf_token": csrf, "version": "1", "domain": "housing", "text": "My own words",
                              "status": "open"})
    assert stale.status_code == 409 and "My own words" in stale.text and 'name="version" value="2"' in stale.text
    again = client.post(f"/staff/clients/{person.id}/plan/goals/{goal.id}/edit",
                        data={"csrf_token": csrf, "version": "2", "domain": "housing", "text": "My own words",
                              "status": "open"})
    _location(again)
    session.expire_all()
    assert plans.plan_of(session, settings, person).goals[0].text == "My own words"


def test_overdue_steps_on_the_caseload_and_its_attention_filter(client, session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    calm = client_factories.client(session, settings, worker.actor, preferred_name="Bashir")
    goal = factories.goal(session, settings, worker.actor, person)
    today = clock.today(settings.timezone)
    factories.step(session, settings, worker.actor, goal, due_on=today - dt.timedelta(days=1))
    factories.step(session, settings, worker.actor, goal, due_on=today - dt.timedelta(days=3))
    factories.step(session, settings, worker.actor, factories.goal(session, settings, worker.actor, calm), due_on=today)
    session.commit()
    audit_factories.sign_in_as(client, worker.actor)
    caseload = client.get("/staff/clients")
    assert caseload.status_code == 200 and "2 overdue steps" in caseload.text and "Bashir" in caseload.text
    attention = client.get("/staff/clients", params={"attention": "1"})
    assert "Amina" in attention.text and "Bashir" not in attention.text
    api = client.get("/api/v1/clients", params={"needs_attention": "true"}).json()
    assert [(p["preferred_name"], p["overdue_steps"]) for p in api["people"]] == [("Amina", 2)]
    everyone = {p["preferred_name"]: p["overdue_steps"] for p in client.get("/api/v1/clients").json()["people"]}
    assert everyone == {"Amina": 2, "Bashir": 0}


def test_the_caseload_counts_overdue_steps_in_one_query(session, world) -> None:  # noqa: ANN001
    from sqlalchemy import event

    from carebridge.clients import service as clients

    settings, worker, person = world
    for index in range(5):
        other = client_factories.client(session, settings, worker.actor, preferred_name=f"P{index}")
        factories.step(session, settings, worker.actor, factories.goal(session, settings, worker.actor, other),
                       due_on=dt.date(2026, 1, 1))
    session.flush()
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        result = clients.caseload(session, settings, worker.actor, clients.CaseloadFilters())
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert sum(entry.overdue_steps for entry in result.entries) == 5
    assert sum("plan_step" in statement for statement in statements) == 1


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("en", "ltr")])
def test_the_printed_plan_in_the_persons_language(client, session, world, lang, direction) -> None:  # noqa: ANN001
    settings, worker, person = world
    goal = factories.goal(session, settings, worker.actor, person, text="بيت آمن لأطفالي", domain="housing")
    factories.step(session, settings, worker.actor, goal, description="Call the council", who="person",
                   due_on=dt.date(2026, 12, 4))
    session.commit()
    audit_factories.sign_in_as(client, worker.actor)
    printed = client.get(f"/staff/clients/{person.id}/plan/print", params={"lang": lang})
    assert printed.status_code == 200
    assert f'<html lang="{lang}" dir="{direction}">' in printed.text
    assert "بيت آمن لأطفالي" in printed.text and "Call the council" in printed.text
    assert printed.text.index("data-emergency-numbers") < printed.text.index("بيت آمن")
    assert "staff-nav" not in printed.text and "<script" not in printed.text
    if lang == "en":
        assert "My plan" in printed.text and "You" in printed.text
    else:
        assert "My plan" not in printed.text
    assert "plan.print" in client_factories.audit_actions(session, person.id)


def test_the_printed_plan_defaults_to_the_persons_first_language(client, session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    factories.goal(session, settings, worker.actor, person)
    session.commit()
    audit_factories.sign_in_as(client, worker.actor)
    printed = client.get(f"/staff/clients/{person.id}/plan/print")
    assert '<html lang="ar" dir="rtl">' in printed.text  # the record says ar-SY first
    stranger = client_factories.client(session, settings, worker.actor, languages=["ti"])
    session.commit()
    assert '<html lang="en"' in client.get(f"/staff/clients/{stranger.id}/plan/print").text  # Tigrinya: the worker's


def test_who_may_and_who_may_not(client, session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    goal = factories.goal(session, settings, worker.actor, person)
    receptionist = client_factories.member(session, worker, roles=("receptionist",), name="Rae")
    planner = client_factories.member(session, worker, roles=("planner",), name="Pat")
    stranger = client_factories.caseworker(session)
    session.commit()
    goal_url = f"/staff/clients/{person.id}/plan/goals/{goal.id}"

    csrf = audit_factories.sign_in_as(client, receptionist.actor)
    assert client.get(goal_url).status_code == 200
    assert client.get(f"/staff/clients/{person.id}/plan/print").status_code == 200
    assert "Add a step" not in client.get(goal_url).text
    assert client.post(f"{goal_url}/status", data={"csrf_token": csrf, "status": "stopped"}).status_code == 403
    assert client.get(f"{goal_url}/services").status_code == 403

    audit_factories.sign_in_as(client, planner.actor)
    assert client.get(goal_url).status_code == 403
    assert client.get(f"/api/v1/goals/{goal.id}").status_code == 403

    csrf = audit_factories.sign_in_as(client, stranger.actor)
    assert client.get(goal_url).status_code == 404
    assert client.get(f"/api/v1/goals/{goal.id}").status_code == 404
    assert client.post(f"{goal_url}/status", data={"csrf_token": csrf, "status": "stopped"}).status_code == 404

    # A goal reached through another person's address is not found either.
    other = client_factories.client(session, settings, worker.actor)
    session.commit()
    audit_factories.sign_in_as(client, worker.actor)
    assert client.get(f"/staff/clients/{other.id}/plan/goals/{goal.id}").status_code == 404

    client.cookies.clear()
    assert client.get(f"/api/v1/goals/{goal.id}").status_code == 401
    assert client.get(goal_url, follow_redirects=False).status_code == 303
