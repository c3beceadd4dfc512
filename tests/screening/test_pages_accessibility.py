"""The screening pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic (right to left),
no script on any page: the staff choice of language, the questionnaire, the same with its error summary, a result
that leads with the risk box, the link shown once; the public questionnaire, its error summary, the thank-you page
after an item-9 answer, and the page of a link that does not work."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from factories import audit as audit_factories
from factories import browser
from factories import clients as factories
from factories.screening import fake_wording
from fastapi.testclient import TestClient

from carebridge.config import Settings
from carebridge.screening import links

PHQ9_ITEMS = [f"item-{number}" for number in range(1, 10)]


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture(scope="module")
def chromium():
    yield from browser.chromium()



@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "phq-9").mkdir()
    (tmp_path / "phq-9" / "ar.json").write_text(json.dumps(fake_wording("phq-9", "ar"), ensure_ascii=False), encoding="utf-8")
    return Settings(screening_translations_dir=tmp_path, crisis_lines="116 123=Samaritans")


@pytest.fixture
def app(session_factory, settings):
    from carebridge.app import create_app

    return create_app(settings=settings, session_factory=session_factory)


def _answers(**changes: str) -> dict:
    data = dict.fromkeys(PHQ9_ITEMS, "0")
    data.update(changes)
    return data


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_staff_screening_pages_have_no_wcag_violations(chromium, client, session, settings, lang: str) -> None:
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor, languages=["fa"])
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    base = f"/staff/clients/{person.id}"
    pages: dict[str, tuple[int, bytes]] = {}
    for name, path in (
        ("/person", f"{base}?lang={lang}"),
        ("/choose", f"{base}/screenings/new?instrument=phq-9&lang={lang}"),
        ("/questionnaire", f"{base}/screenings/new?instrument=phq-9&language=interpreter&lang={lang}"),
        ("/gated", f"{base}/screenings/new?instrument=pc-ptsd-5&language=en&lang={lang}"),
        ("/link-form", f"{base}/screening-links/new?lang={lang}"),
    ):
        response = client.get(path)
        pages[name] = (response.status_code, response.content)
    data = _answers()
    del data["item-2"]
    response = client.post(f"{base}/screenings/new?lang={lang}",
                           data={"csrf_token": token, "instrument": "phq-9", "language": "en", **data})
    pages["/questionnaire-with-errors"] = (response.status_code, response.content)
    response = client.post(f"{base}/screenings/new", data={"csrf_token": token, "instrument": "phq-9", "language": "en",
                                                           **_answers(**{"item-9": "2"})}, follow_redirects=False)
    result = client.get(response.headers["location"] + f"?lang={lang}")
    pages["/result-with-risk"] = (result.status_code, result.content)
    pages["/results"] = ((page := client.get(f"{base}/screenings?lang={lang}")).status_code, page.content)
    response = client.post(f"{base}/screening-links/new?lang={lang}",
                           data={"csrf_token": token, "instrument": "phq-9", "language": "en"})
    pages["/link-created"] = (response.status_code, response.content)
    browser.check_pages(chromium, client, pages, lang)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_public_self_screening_pages_have_no_wcag_violations(chromium, app, session, settings, lang: str) -> None:
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor)
    first = links.create_link(session, settings, worker.actor, person.id, "phq-9", lang)
    second = links.create_link(session, settings, worker.actor, person.id, "phq-9", lang)
    session.commit()
    with TestClient(app, raise_server_exceptions=False) as public:
        pages: dict[str, tuple[int, bytes]] = {}
        page = public.get(first.path)
        pages["/questionnaire"] = (page.status_code, page.content)
        data = _answers()
        del data["item-5"]
        page = public.post(first.path, data=data)
        pages["/questionnaire-with-errors"] = (page.status_code, page.content)
        page = public.post(second.path, data=_answers(**{"item-9": "1"}))
        assert re.search(r"116 123", page.text)
        pages["/thanks-with-crisis-lines"] = (page.status_code, page.content)
        page = public.post(first.path, data=_answers())
        pages["/thanks"] = (page.status_code, page.content)
        page = public.get(first.path + f"?lang={lang}")
        assert page.status_code == 404
        pages["/gone"] = (200, page.content)  # the harness serves what it is given; the real status is checked above
        browser.check_pages(chromium, public, pages, lang)
