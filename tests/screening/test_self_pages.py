"""The public self-screening pages (`/s/<token>`, no account): the questionnaire in the link's language (Arabic right
to left), the organisation's name and never the person's, emergencies first, no-store and no-referrer; sending it
stores a "self" screening once (the back button records nothing more), thanks without a score, crisis lines at once
after an item-9 answer; every link that does not work gets the same 404 page; junk never a 500."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from factories import clients as factories
from factories.screening import fake_wording
from fastapi.testclient import TestClient
from sqlalchemy import select

from carebridge.config import Settings
from carebridge.kit import clock
from carebridge.risk.models import RiskFlag
from carebridge.screening import links
from carebridge.screening.models import Screening, ScreeningLink

PHQ9_ITEMS = [f"item-{number}" for number in range(1, 10)]
NAME = "Selfscreen Marker"


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs



@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "phq-9").mkdir()
    (tmp_path / "phq-9" / "ar.json").write_text(json.dumps(fake_wording("phq-9", "ar"), ensure_ascii=False), encoding="utf-8")
    return Settings(screening_translations_dir=tmp_path, crisis_lines="116 123=Samaritans")


@pytest.fixture
def app(session_factory, settings):
    from carebridge.app import create_app

    return create_app(settings=settings, session_factory=session_factory)


@pytest.fixture
def public(app):
    """A visitor with no account."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def world(session, settings):
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor, preferred_name=NAME, languages=["ar"])
    session.commit()

    def link(language: str = "en", instrument: str = "phq-9") -> links.CreatedLink:
        created = links.create_link(session, settings, worker.actor, person.id, instrument, language)
        session.commit()
        return created

    return {"worker": worker, "person": person, "link": link}


def _answers(**changes: str) -> dict:
    data = dict.fromkeys(PHQ9_ITEMS, "0")
    data.update(changes)
    return data


def _screenings(session, person_id: str) -> list[Screening]:
    session.expire_all()
    return list(session.scalars(select(Screening).where(Screening.client_id == person_id)))


def test_the_questionnaire_in_english_names_the_organisation_never_the_person(public, world) -> None:
    created = world["link"]("en")
    page = public.get(created.path)
    assert page.status_code == 200
    assert 'lang="en" dir="ltr"' in page.text
    assert world["worker"].organisation.name in page.text
    assert NAME not in page.text and world["person"].id not in page.text
    assert page.text.index("data-emergency-numbers") < page.text.index("<h1")
    for link_id in PHQ9_ITEMS:
        assert f'name="{link_id}"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in page.text and len(page.content) < 100_000
    assert not re.search(r'(src|href)="https?://', page.text), "nothing from another site"


def test_the_questionnaire_in_arabic_is_right_to_left(public, world) -> None:
    page = public.get(world["link"]("ar").path)
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "[ar] question item-9" in page.text


def test_missing_answers_are_422_with_the_answers_kept_and_the_link_unused(public, session, world) -> None:
    created = world["link"]("en")
    data = _answers(**{"item-1": "2"})
    del data["item-4"]
    response = public.post(created.path, data=data)
    assert response.status_code == 422
    assert 'href="#item-4"' in response.text
    assert 'name="item-1" type="radio" value="2" checked' in response.text
    assert links.usable_link(session, created.token) is not None
    assert _screenings(session, world["person"].id) == []


def test_sending_stores_a_self_screening_once_and_thanks_without_a_score(public, session, world) -> None:
    created = world["link"]("en")
    response = public.post(created.path, data=_answers(**{"item-1": "3", "item-2": "3"}))
    assert response.status_code == 200
    assert "Your answers were sent." in response.text and "will talk with you about them" in response.text
    assert "Moderate" not in response.text and "Mild" not in response.text and ">6<" not in response.text
    assert "If you are in danger now" not in response.text
    [row] = _screenings(session, world["person"].id)
    assert (row.mode, row.language, row.total, row.administered_by) == ("self", "en", 6, None)
    link = session.get(ScreeningLink, created.link.id)
    assert link.used_at is not None and link.screening_id == row.id
    assert "screening.link.use" in factories.audit_actions(session, world["person"].id)
    # The back button and send again: nothing more is recorded, and the page says the link no longer works.
    again = public.post(created.path, data=_answers(**{"item-9": "3"}))
    assert again.status_code == 404 and "This link does not work" in again.text
    assert len(_screenings(session, world["person"].id)) == 1
    assert public.get(created.path).status_code == 404


def test_item_9_shows_the_crisis_numbers_at_once_and_raises_a_flag(public, session, world) -> None:
    created = world["link"]("ar")
    response = public.post(created.path, data=_answers(**{"item-9": "1"}))
    assert response.status_code == 200
    text = response.text
    assert 'dir="rtl"' in text
    assert "data-emergency-numbers" in text and "116 123" in text and "Samaritans" in text
    assert text.index("data-emergency-numbers") < text.index("screening-crisis") < text.index("<h1")
    flag = session.scalars(select(RiskFlag).where(RiskFlag.client_id == world["person"].id)).one()
    assert flag.source == "screening" and flag.raised_by is None


def test_every_link_that_does_not_work_gets_the_same_page(public, session, world, fixed_clock) -> None:
    used = world["link"]("en")
    assert public.post(used.path, data=_answers()).status_code == 200
    expired = world["link"]("en")
    revoked = world["link"]("en")
    links.revoke_link(session, world["worker"].actor, world["person"].id, revoked.link.id)
    session.commit()
    unknown = "/s/" + "A" * 43

    def body(response) -> str:
        return re.sub(r'value="[^"]*"|/s/[A-Za-z0-9_-]+|[0-9a-f]{32}', "", response.text)

    pages = []
    with clock.pinned(fixed_clock + dt.timedelta(hours=48)):
        for path in (used.path, expired.path, revoked.path, unknown):
            for method in ("GET", "POST"):
                response = public.request(method, path, data=_answers() if method == "POST" else None)
                assert response.status_code == 404, (path, method)
                pages.append(body(response))
    assert len(set(pages)) == 1
    assert "This link does not work" in pages[0] and "data-emergency-numbers" in pages[0]


@pytest.mark.parametrize(
    "path",
    ["/s/x", "/s/" + "A" * 200, "/s/%E2%80%AE" * 3, "/s/..%2F..%2Fetc", "/s/%F0%9F%92%A5" + "a" * 40, "/s/" + "-" * 43],
)
def test_junk_tokens_are_never_a_500(public, path: str) -> None:
    for method in ("GET", "POST"):
        response = public.request(method, path, data={"item-1": "\x00" if method == "POST" else None})
        assert response.status_code in (400, 404, 422), (path, method, response.status_code)


def test_the_page_language_can_be_chosen_and_the_wording_keeps_its_own(public, world) -> None:
    created = world["link"]("ar")
    page = public.get(created.path + "?lang=en")
    assert '<html lang="en" dir="ltr">' in page.text
    assert 'lang="ar" dir="rtl"' in page.text and "[ar] question item-1" in page.text
