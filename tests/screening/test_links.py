"""Self-screening links (screening.links and their staff pages): a random token of which only the SHA-256 is kept,
nothing identifying in the URL, validated languages only, 48 hours to the second with the pinned clock, one use
(a double submit claims once), revocation, the person page's list of open links, and the links-expire job."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest
from factories import audit as audit_factories
from factories import clients as factories
from factories.screening import fake_wording
from sqlalchemy import select

from carebridge import domains
from carebridge.config import Settings
from carebridge.errors import InvalidInput, NotFound
from carebridge.kit import clock
from carebridge.screening import jobs, links
from carebridge.screening.models import ScreeningLink


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs



@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "phq-9").mkdir()
    (tmp_path / "phq-9" / "ar.json").write_text(json.dumps(fake_wording("phq-9", "ar"), ensure_ascii=False), encoding="utf-8")
    return Settings(screening_translations_dir=tmp_path, public_base_url="https://care.example")


@pytest.fixture
def app(session_factory, settings):
    from carebridge.app import create_app

    return create_app(settings=settings, session_factory=session_factory)


@pytest.fixture
def world(session, settings):
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor, preferred_name="Linkperson Marker", languages=["ar"])
    session.commit()
    return {"worker": worker, "person": person}


def test_only_the_hash_of_a_random_token_is_stored(session, settings, world) -> None:
    created = links.create_link(session, settings, world["worker"].actor, world["person"].id, "phq-9", "ar")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", created.token)
    assert created.path == f"/s/{created.token}"
    row = session.get(ScreeningLink, created.link.id)
    assert row.token_hash == hashlib.sha256(created.token.encode()).hexdigest()
    stored = " ".join(str(getattr(row, column.key)) for column in ScreeningLink.__table__.columns)
    assert created.token not in stored
    assert "screening.link.create" in factories.audit_actions(session, world["person"].id)
    other = links.create_link(session, settings, world["worker"].actor, world["person"].id, "phq-9", "ar")
    assert other.token != created.token


def test_only_validated_languages_and_offered_instruments(session, settings, world) -> None:
    actor, person_id = world["worker"].actor, world["person"].id
    for instrument, language, field in (("phq-9", "fa", "language"), ("gad-7", "ar", "language"),
                                        ("rhs-15", "en", "instrument"), ("nope", "en", "instrument")):
        with pytest.raises(InvalidInput) as refused:
            links.create_link(session, settings, actor, person_id, instrument, language)
        assert [error.name for error in refused.value.errors] == [field], (instrument, language)
    assert session.scalars(select(ScreeningLink)).all() == []


def test_it_works_for_48_hours_to_the_second(session, settings, world, fixed_clock) -> None:
    created = links.create_link(session, settings, world["worker"].actor, world["person"].id, "phq-9", "en")
    assert created.link.expires_at.replace(tzinfo=dt.UTC) == fixed_clock + dt.timedelta(hours=48)
    with clock.pinned(fixed_clock + dt.timedelta(hours=48) - dt.timedelta(seconds=1)):
        assert links.usable_link(session, created.token) is not None
    with clock.pinned(fixed_clock + dt.timedelta(hours=48)):
        assert links.usable_link(session, created.token) is None
        assert links.claim_link(session, created.link) is False


def test_it_works_once(session, settings, world) -> None:
    created = links.create_link(session, settings, world["worker"].actor, world["person"].id, "phq-9", "en")
    link = links.usable_link(session, created.token)
    assert links.claim_link(session, link) is True
    assert links.claim_link(session, link) is False
    assert links.usable_link(session, created.token) is None


def test_unknown_and_malformed_tokens_open_nothing(session) -> None:
    for token in ("", "short", "A" * 43, "A" * 44, "../../etc/passwd", "é" * 43, None):
        assert links.usable_link(session, token) is None


def test_revoking_deletes_the_link_and_is_audited(session, settings, world) -> None:
    actor, person = world["worker"].actor, world["person"]
    created = links.create_link(session, settings, actor, person.id, "phq-9", "en")
    other_person = factories.client(session, settings, actor)
    with pytest.raises(NotFound):
        links.revoke_link(session, actor, other_person.id, created.link.id)
    links.revoke_link(session, actor, person.id, created.link.id)
    assert links.usable_link(session, created.token) is None
    assert "screening.link.revoke" in factories.audit_actions(session, person.id)
    with pytest.raises(NotFound):
        links.revoke_link(session, actor, person.id, created.link.id)


def test_the_job_deletes_expired_unused_links_only(session, settings, world, fixed_clock) -> None:
    assert domains.job_handlers()["screening.links-expire"] is jobs.links_expire
    assert any(schedule.kind == "screening.links-expire" for schedule in domains.job_schedules())
    actor, person = world["worker"].actor, world["person"]
    old = links.create_link(session, settings, actor, person.id, "phq-9", "en")
    used = links.create_link(session, settings, actor, person.id, "phq-9", "en")
    assert links.claim_link(session, used.link)
    with clock.pinned(fixed_clock + dt.timedelta(hours=24)):
        fresh = links.create_link(session, settings, actor, person.id, "phq-9", "en")
    with clock.pinned(fixed_clock + dt.timedelta(hours=49)):
        jobs.links_expire(session, {})
        jobs.links_expire(session, {})  # idempotent
    left = set(session.scalars(select(ScreeningLink.id)))
    assert left == {used.link.id, fresh.link.id} and old.link.id not in left


def test_the_link_page_shows_it_once_with_nothing_identifying(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    person = world["person"]
    form = client.get(f"/staff/clients/{person.id}/screening-links/new")
    assert form.status_code == 200 and 'value="ar"' in form.text and 'value="fa"' not in form.text
    page = client.post(f"/staff/clients/{person.id}/screening-links/new",
                       data={"csrf_token": token, "instrument": "phq-9", "language": "ar"}, follow_redirects=False)
    assert page.status_code == 200
    url = re.search(r'value="(https://care\.example/s/[^"]+)"', page.text).group(1)
    assert re.fullmatch(r"https://care\.example/s/[A-Za-z0-9_-]{43}", url)
    assert person.id not in url and "Linkperson" not in url
    assert "<svg" in page.text and 'role="img"' in page.text and "<script" not in page.text
    assert page.headers["cache-control"] == "no-store"
    # The person's page lists it, with its expiry and a way to cancel it.
    section = client.get(f"/staff/clients/{person.id}")
    link = session.scalars(select(ScreeningLink).where(ScreeningLink.client_id == person.id)).one()
    assert "2026-11-25 12:00" in section.text
    assert f"/screening-links/{link.id}/revoke" in section.text
    revoked = client.post(f"/staff/clients/{person.id}/screening-links/{link.id}/revoke", data={"csrf_token": token},
                          follow_redirects=False)
    assert revoked.status_code == 303 and revoked.headers["location"].endswith("?screening=link-revoked#screening")
    assert "The link was cancelled" in client.get(revoked.headers["location"]).text
    session.expire_all()
    assert session.scalars(select(ScreeningLink).where(ScreeningLink.client_id == person.id)).all() == []


def test_a_link_form_with_problems_is_422(client, world) -> None:
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    page = client.post(f"/staff/clients/{world['person'].id}/screening-links/new",
                       data={"csrf_token": token, "instrument": "phq-9", "language": "fa"}, follow_redirects=False)
    assert page.status_code == 422 and 'href="#language"' in page.text and 'id="language"' in page.text
    assert 'value="phq-9" checked' in page.text
