"""The staff screening pages through the real app (signed in, CSRF, scope): the person page's section, choosing the
questionnaire and its language (validated wordings only; "use a qualified interpreter" otherwise), the questionnaire
form (a fieldset per item, PC-PTSD-5's gate), 422 with an error summary and the answers kept, the result (risk box
first after an item-9 answer, a flag raised), the list of results, and who may use each page (every role)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from factories import accounts as account_factories
from factories import audit as audit_factories
from factories import clients as factories
from factories.screening import fake_wording
from fastapi.testclient import TestClient
from sqlalchemy import select

from carebridge.accounts.permissions import ROLES, permissions_of
from carebridge.config import Settings
from carebridge.risk.models import RiskFlag
from carebridge.screening.models import Screening

PHQ9_ITEMS = [f"item-{number}" for number in range(1, 10)]


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs



@pytest.fixture
def translations_dir(tmp_path: Path) -> Path:
    """A validated-translations folder holding a fake Arabic PHQ-9 (and nothing in Farsi)."""
    folder = tmp_path / "phq-9"
    folder.mkdir()
    (folder / "ar.json").write_text(json.dumps(fake_wording("phq-9", "ar"), ensure_ascii=False), encoding="utf-8")
    return tmp_path


@pytest.fixture
def settings(translations_dir: Path) -> Settings:
    return Settings(screening_translations_dir=translations_dir)


@pytest.fixture
def app(session_factory, settings):
    from carebridge.app import create_app

    return create_app(settings=settings, session_factory=session_factory)


@pytest.fixture
def world(session, settings):
    worker = factories.caseworker(session)
    arabic = factories.client(session, settings, worker.actor, preferred_name="Arabic Reader", languages=["ar-SY"])
    farsi = factories.client(session, settings, worker.actor, preferred_name="Farsi Reader", languages=["fa"])
    session.commit()
    return {"worker": worker, "arabic": arabic, "farsi": farsi}


def _phq9(**answers: str) -> dict:
    data = dict.fromkeys(PHQ9_ITEMS, "0")
    data.update(answers)
    return data


def _post(client: TestClient, token: str, person_id: str, data: dict, **params: str):
    return client.post(
        f"/staff/clients/{person_id}/screenings/new", data={"csrf_token": token, **params, **data}, follow_redirects=False
    )


def test_the_persons_page_has_the_screening_section_with_a_start(client, session, world) -> None:
    audit_factories.sign_in_as(client, world["worker"].actor)
    page = client.get(f"/staff/clients/{world['arabic'].id}")
    assert page.status_code == 200
    assert 'id="screening"' in page.text and "No screening yet." in page.text
    assert f'action="/staff/clients/{world["arabic"].id}/screenings/new"' in page.text
    assert f"/staff/clients/{world['arabic'].id}/screening-links/new" in page.text
    # RHS-15 has no licensed file here: it is not offered.
    assert 'value="rhs-15"' not in page.text and 'value="phq-9"' in page.text


def test_only_validated_languages_are_offered_and_the_persons_own_is_suggested(client, world) -> None:
    audit_factories.sign_in_as(client, world["worker"].actor)
    page = client.get(f"/staff/clients/{world['arabic'].id}/screenings/new?instrument=phq-9")
    assert page.status_code == 200
    assert 'name="language" type="radio" value="ar" checked' in page.text
    assert 'value="en"' in page.text and 'value="fa"' not in page.text
    assert "There is no validated" not in page.text


def test_a_language_without_a_validated_wording_says_use_an_interpreter(client, session, world) -> None:
    audit_factories.sign_in_as(client, world["worker"].actor)
    page = client.get(f"/staff/clients/{world['farsi'].id}/screenings/new?instrument=phq-9")
    assert page.status_code == 200
    assert (
        "There is no validated Persian version of the PHQ-9. Use a qualified interpreter to read the English version."
        in page.text
    )
    assert 'value="interpreter" checked' in page.text and 'value="fa"' not in page.text
    # Asking for Farsi anyway: refused, never machine-translated.
    refused = client.get(f"/staff/clients/{world['farsi'].id}/screenings/new?instrument=phq-9&language=fa")
    assert refused.status_code == 422 and 'href="#language"' in refused.text and 'id="language"' in refused.text


def test_the_interpreter_must_be_confirmed_and_is_recorded(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    person = world["farsi"]
    form = client.get(f"/staff/clients/{person.id}/screenings/new?instrument=phq-9&language=interpreter")
    assert form.status_code == 200 and 'name="interpreter_confirmed"' in form.text
    assert "There is no validated Persian version of the PHQ-9" in form.text
    params = {"instrument": "phq-9", "language": "interpreter"}
    refused = _post(client, token, person.id, _phq9(), **params)
    assert refused.status_code == 422 and 'href="#interpreter_confirmed"' in refused.text
    assert session.scalars(select(Screening).where(Screening.client_id == person.id)).all() == []
    done = _post(client, token, person.id, _phq9(), interpreter_confirmed="yes", **params)
    assert done.status_code == 303
    session.expire_all()
    row = session.scalars(select(Screening).where(Screening.client_id == person.id)).one()
    assert (row.language, row.mode, row.total) == ("interpreter", "staff", 0)


def test_the_form_has_a_fieldset_and_legend_per_item_and_the_risk_box(client, world) -> None:
    audit_factories.sign_in_as(client, world["worker"].actor)
    page = client.get(f"/staff/clients/{world['arabic'].id}/screenings/new?instrument=phq-9&language=ar")
    assert page.status_code == 200
    assert page.text.count('<fieldset class="fieldset"') >= 9 and page.text.count("<legend") >= 9
    for link_id in PHQ9_ITEMS:
        assert f'id="{link_id}" name="{link_id}" type="radio" value="0"' in page.text
        assert f"[ar] question {link_id}" in page.text
    assert 'lang="ar" dir="rtl"' in page.text
    assert "screening-risk-guidance" in page.text
    assert len(page.content) < 100_000


def test_missing_answers_are_422_with_a_link_to_each_and_the_answers_kept(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    data = _phq9()
    del data["item-3"], data["item-7"]
    data["item-1"] = "2"
    response = _post(client, token, world["arabic"].id, data, instrument="phq-9", language="en")
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text
    assert 'href="#item-3"' in response.text and 'href="#item-7"' in response.text
    assert 'href="#item-1"' not in response.text
    assert 'id="item-1-2" name="item-1" type="radio" value="2" checked' in response.text
    assert "Answer question 3." in response.text
    assert session.scalars(select(Screening)).all() == []


def test_an_answer_that_is_not_a_choice_is_422(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    response = _post(client, token, world["arabic"].id, _phq9(**{"item-2": "7"}), instrument="phq-9", language="en")
    assert response.status_code == 422 and 'href="#item-2"' in response.text


def test_a_result_without_risk(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    person = world["arabic"]
    response = _post(client, token, person.id, _phq9(**{"item-1": "3", "item-2": "3", "item-3": "3", "item-4": "2"}),
                     instrument="phq-9", language="ar")
    assert response.status_code == 303
    assert re.fullmatch(rf"/staff/clients/{person.id}/screenings/[0-9a-f-]{{36}}", response.headers["location"])
    result = client.get(response.headers["location"])
    assert result.status_code == 200
    assert "Moderate" in result.text and "11" in result.text
    assert "A screening result is not a diagnosis." in result.text
    assert "A risk flag was raised" not in result.text
    session.expire_all()
    assert session.scalars(select(RiskFlag).where(RiskFlag.client_id == person.id)).all() == []
    actions = factories.audit_actions(session, person.id)
    assert "screening.read" in actions


def test_item_9_leads_the_result_with_the_risk_box_and_raises_a_flag(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    person = world["arabic"]
    response = _post(client, token, person.id, _phq9(**{"item-9": "1"}), instrument="phq-9", language="en")
    assert response.status_code == 303
    result = client.get(response.headers["location"])
    text = result.text
    assert "A risk flag was raised for the clinician on duty." in text
    assert text.index("screening-risk") < text.index("<h1")
    session.expire_all()
    flag = session.scalars(select(RiskFlag).where(RiskFlag.client_id == person.id)).one()
    assert flag.source == "screening" and flag.status == "open"
    section = client.get(f"/staff/clients/{person.id}")
    assert 'class="tag tag--no"' in section.text and "Every screening result" in section.text


def test_pc_ptsd5_gate_first_and_answers_after_no_are_not_counted(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    person = world["arabic"]
    form = client.get(f"/staff/clients/{person.id}/screenings/new?instrument=pc-ptsd-5&language=en")
    assert form.status_code == 200
    assert form.text.index('name="exposure"') < form.text.index("screening-gated") < form.text.index('name="item-1"')
    # "no" to exposure, but the five items ticked anyway: not counted, and the result says so.
    data = {"exposure": "0", **{f"item-{number}": "1" for number in range(1, 6)}}
    response = _post(client, token, person.id, data, instrument="pc-ptsd-5", language="en")
    assert response.status_code == 303 and response.headers["location"].endswith("?ignored=1")
    result = client.get(response.headers["location"])
    assert "were not counted" in result.text
    session.expire_all()
    row = session.scalars(select(Screening).where(Screening.client_id == person.id)).one()
    assert (row.total, row.positive) == (0, False)
    # "yes" to exposure: the five items are then required.
    missing = _post(client, token, person.id, {"exposure": "1", "item-1": "1"}, instrument="pc-ptsd-5", language="en")
    assert missing.status_code == 422
    assert all(f'href="#item-{number}"' in missing.text for number in range(2, 6))


def test_the_list_of_results_is_one_persons_and_audited(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    person = world["arabic"]
    _post(client, token, person.id, _phq9(), instrument="phq-9", language="en")
    page = client.get(f"/staff/clients/{person.id}/screenings")
    assert page.status_code == 200 and "PHQ-9" in page.text and "Minimal" in page.text
    assert "screening.read" in factories.audit_actions(session, person.id)


def test_outside_the_scope_it_is_404(client, session, world) -> None:
    outsider = factories.caseworker(session)
    session.commit()
    token = audit_factories.sign_in_as(client, outsider.actor)
    person = world["arabic"]
    assert client.get(f"/staff/clients/{person.id}/screenings/new?instrument=phq-9&language=en").status_code == 404
    assert _post(client, token, person.id, _phq9(), instrument="phq-9", language="en").status_code == 404
    assert client.get(f"/staff/clients/{person.id}/screenings").status_code == 404


def test_junk_is_never_a_500(client, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    person = world["arabic"]
    for query in ("instrument=nope&language=en", "instrument=phq-9&language=%F0%9F%92%A5", "instrument=rhs-15&language=en",
                  "instrument=&language=", "language=interpreter"):
        assert client.get(f"/staff/clients/{person.id}/screenings/new?{query}").status_code in (200, 422), query
    assert _post(client, token, person.id, {"instrument": "x" * 900}).status_code == 422
    assert client.get(f"/staff/clients/{person.id}/screenings/not-an-id").status_code == 404


def _routes(person_id: str, link_id: str) -> list[tuple[str, str, str, dict]]:
    """(method, url, permission, form) of every staff screening page."""
    return [
        ("GET", f"/staff/clients/{person_id}/screenings/new?instrument=phq-9&language=en", "screening.administer", {}),
        ("POST", f"/staff/clients/{person_id}/screenings/new", "screening.administer",
         {"instrument": "phq-9", "language": "en", **_phq9()}),
        ("GET", f"/staff/clients/{person_id}/screenings", "screening.read", {}),
        ("GET", f"/staff/clients/{person_id}/screening-links/new", "screening.administer", {}),
        ("POST", f"/staff/clients/{person_id}/screening-links/new", "screening.administer",
         {"instrument": "phq-9", "language": "en"}),
        ("POST", f"/staff/clients/{person_id}/screening-links/{link_id}/revoke", "screening.administer", {}),
    ]


def test_who_may_use_each_page_every_role(app, session, settings) -> None:
    """Every role of the organisation, in the person's team: allowed where its role grants the permission (a 2xx,
    3xx, 404 or 422 — never 401/403), 403 everywhere else."""
    organisation = account_factories.organisation(session)
    team = account_factories.team(session, organisation)
    owner = factories.caseworker(session, organisation_=organisation, team_=team)
    person = factories.client(session, settings, owner.actor)
    session.commit()
    problems, checked = [], 0
    for role in ROLES:
        account = account_factories.account(session, roles=(role,), organisation_=organisation, teams=(team,))
        session.commit()
        with TestClient(app, raise_server_exceptions=False) as client:
            token = audit_factories.sign_in_as(client, account_factories.actor_for(account))
            for method, url, permission, form in _routes(person.id, "00000000-0000-4000-8000-000000000000"):
                if method == "GET":
                    response = client.get(url, follow_redirects=False)
                else:
                    response = client.post(url, data={"csrf_token": token, **form}, follow_redirects=False)
                allowed = permission in permissions_of({role})
                if allowed and response.status_code in (401, 403, 500):
                    problems.append(f"{role} {method} {url}: {response.status_code}, expected access")
                if not allowed and response.status_code != 403:
                    problems.append(f"{role} {method} {url}: {response.status_code}, expected 403")
                checked += 1
    assert not problems, "\n".join(problems)
    assert checked == len(ROLES) * 6
