"""The assessment pages through the real app: the permission grid of every route (who may, who may not), the form
with its error summary (422, what was typed kept), PRG, the assessment page with why, the override, the person page's
section with how each domain moved, Arabic right to left, small pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import audit as audit_factories
from factories import clients as factories
from factories.assessments import answers

from carebridge.assessments import service
from carebridge.assessments.models import Assessment


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture
def world(app, session):  # noqa: ANN001, ANN201
    settings = app.state.settings
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor, preferred_name="Amina Test")
    session.commit()
    return {"settings": settings, "worker": worker, "client": person}


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _assess(session, world, **scores):  # noqa: ANN001, ANN003, ANN202
    created = service.create_assessment(session, world["settings"], world["worker"].actor, world["client"],
                                        answers(**scores))
    session.commit()
    return created


ROLES_WHO_READ = ("service-manager", "cultural-mediator", "receptionist")
ROLES_WHO_WRITE = ("link-worker", "outreach-worker", "peer-supporter", "clinician")


@pytest.mark.parametrize("role", ROLES_WHO_READ + ROLES_WHO_WRITE + ("administrator", "planner"))
def test_who_may_see_and_who_may_assess(client, session, world, role: str) -> None:
    created = _assess(session, world, housing=3)
    member = factories.member(session, world["worker"], roles=(role,))
    if role in ("cultural-mediator", "peer-supporter"):  # their scope is the people assigned to them
        from carebridge.clients.models import Client

        session.get(Client, world["client"].id).owner_account_id = member.account.id
    session.commit()
    token = audit_factories.sign_in_as(client, member.actor)
    person_id = world["client"].id
    pages = {
        "new": client.get(f"/staff/clients/{person_id}/assessments/new"),
        "show": client.get(f"/staff/clients/{person_id}/assessments/{created.id}"),
        "create": client.post(f"/staff/clients/{person_id}/assessments/new",
                              data={"csrf_token": token, "language-score": "2"}, follow_redirects=False),
        "override": client.post(f"/staff/clients/{person_id}/assessments/{created.id}/override",
                                data={"csrf_token": token, "category": "critical", "reason": "Because."},
                                follow_redirects=False),
        "api-list": client.get(f"/api/v1/clients/{person_id}/assessments"),
        "api-read": client.get(f"/api/v1/assessments/{created.id}"),
        "api-rules": client.get("/api/v1/assessment-rules"),
    }
    status = {name: response.status_code for name, response in pages.items()}
    if role in ROLES_WHO_WRITE:
        assert status == {"new": 200, "show": 200, "create": 303, "override": 303, "api-list": 200, "api-read": 200,
                          "api-rules": 200}
        assert "Change the category" in pages["show"].text
    elif role in ROLES_WHO_READ:
        assert status == {"new": 403, "show": 200, "create": 403, "override": 403, "api-list": 200, "api-read": 200,
                          "api-rules": 200}
        assert "Change the category" not in pages["show"].text
        person_page = client.get(f"/staff/clients/{person_id}")
        assert "Needs assessment" in person_page.text and "/assessments/new" not in person_page.text
    else:
        assert set(status.values()) == {403}, status


def test_another_team_gets_404(client, session, world) -> None:
    created = _assess(session, world, housing=3)
    other = factories.caseworker(session, organisation_=world["worker"].organisation)
    session.commit()
    token = audit_factories.sign_in_as(client, other.actor)
    person_id = world["client"].id
    assert client.get(f"/staff/clients/{person_id}/assessments/new").status_code == 404
    assert client.get(f"/staff/clients/{person_id}/assessments/{created.id}").status_code == 404
    assert client.post(f"/staff/clients/{person_id}/assessments/{created.id}/override",
                       data={"csrf_token": token, "category": "critical", "reason": "x"}).status_code == 404
    assert client.get(f"/api/v1/assessments/{created.id}").status_code == 404


def test_an_assessment_of_another_person_is_not_found_under_this_one(client, session, world) -> None:
    created = _assess(session, world, housing=3)
    someone = factories.client(session, world["settings"], world["worker"].actor)
    session.commit()
    audit_factories.sign_in_as(client, world["worker"].actor)
    assert client.get(f"/staff/clients/{someone.id}/assessments/{created.id}").status_code == 404


def test_the_form_shows_every_domain_with_its_anchors_and_the_legal_warning(client, world) -> None:
    audit_factories.sign_in_as(client, world["worker"].actor)
    page = client.get(f"/staff/clients/{world['client'].id}/assessments/new")
    assert page.status_code == 200 and len(page.content) < 100_000 and "<script" not in page.text
    for domain in service.DOMAINS:
        assert f'name="{domain}-score"' in page.text and f'name="{domain}-words"' in page.text
    assert "Being evicted or homeless now." in page.text
    assert "Never record the immigration status itself here." in page.text
    assert page.text.count("<legend") >= 2 * len(service.DOMAINS)


def test_a_form_with_a_problem_is_shown_again_with_what_was_typed(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    response = client.post(
        f"/staff/clients/{world['client'].id}/assessments/new",
        data={"csrf_token": token, "housing-score": "9", "housing-words": "We may lose the flat", "what_matters": "My kids"},
    )
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text and 'href="#housing-score"' in response.text
    assert 'id="housing-score"' in response.text
    assert "We may lose the flat" in response.text and "My kids" in response.text
    response = client.post(f"/staff/clients/{world['client'].id}/assessments/new", data={"csrf_token": token})
    assert response.status_code == 422 and "Score at least one domain" in response.text
    assert session.query(Assessment).count() == 0


def test_assessing_redirects_to_the_assessment_which_says_why(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    response = client.post(
        f"/staff/clients/{world['client'].id}/assessments/new",
        data={"csrf_token": token, "housing-score": "4", "housing-words": "Eviction notice", "finances-score": "3",
              "language-score": "", "what_matters": "A home"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"/staff/clients/{world['client'].id}/assessments/") and "Eviction" not in location
    page = client.get(location)
    assert page.status_code == 200 and "The assessment was saved." in page.text
    assert "Critical" in page.text and "Housing is in crisis" in page.text
    assert "The answers that led to it:" in page.text and "Eviction notice" in page.text
    assert "Rules version" in page.text


def test_override_with_a_reason_and_a_422_without_one(client, session, world) -> None:
    created = _assess(session, world, language=2)
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    url = f"/staff/clients/{world['client'].id}/assessments/{created.id}/override"
    response = client.post(url, data={"csrf_token": token, "category": "complex", "reason": ""})
    assert response.status_code == 422 and 'href="#reason"' in response.text
    assert 'value="complex" checked' in response.text
    response = client.post(url, data={"csrf_token": token, "category": "complex", "reason": "Misses appointments"},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Category changed by staff" in page.text and "Misses appointments" in page.text
    assert "The category was changed, with your reason." in page.text
    assert "assessment.override" in factories.audit_actions(session, world["client"].id)


def test_the_person_page_shows_the_latest_category_and_how_each_domain_moved(client, session, world, fixed_clock) -> None:
    first = fixed_clock - dt.timedelta(days=60)
    service.create_assessment(session, world["settings"], world["worker"].actor, world["client"],
                              answers(housing=4, finances=3), assessed_at=first)
    service.create_assessment(session, world["settings"], world["worker"].actor, world["client"],
                              answers(housing=2, finances=3, language=2))
    session.commit()
    audit_factories.sign_in_as(client, world["worker"].actor)
    page = client.get(f"/staff/clients/{world['client'].id}")
    assert page.status_code == 200
    section = page.text[page.text.index('id="assessment"'):]
    section = section[: section.index("</section>")]
    assert "Category: Complex" in section and "Assess again" in section
    assert "How each domain has moved" in section and first.strftime("%Y-%m-%d") in section
    assert '<th scope="row">Housing</th>' in section and "better" in section and "same" in section
    assert "assessment.read" in factories.audit_actions(session, world["client"].id)


def test_without_assessments_the_section_offers_to_start(client, world) -> None:
    audit_factories.sign_in_as(client, world["worker"].actor)
    page = client.get(f"/staff/clients/{world['client'].id}")
    assert "No needs assessment yet." in page.text and "Start a needs assessment" in page.text


def test_the_pages_are_right_to_left_in_arabic(client, session, world) -> None:
    created = _assess(session, world, housing=4, safety=2)
    audit_factories.sign_in_as(client, world["worker"].actor)
    for path in (f"/staff/clients/{world['client'].id}/assessments/new",
                 f"/staff/clients/{world['client'].id}/assessments/{created.id}",
                 f"/staff/clients/{world['client'].id}"):
        response = client.get(path, params={"lang": "ar"})
        assert response.status_code == 200, path
        assert '<html lang="ar" dir="rtl">' in response.text and len(response.content) < 100_000
