"""QA of the people's pages as their users see them (issue 9): real headless Chromium, JavaScript off, a 360 px phone,
English and Arabic. Each test is a defect QA found, kept so that it stays fixed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from factories import accounts as account_factories
from factories import browser as browser_factories
from factories import clients as factories
from sqlalchemy.orm import sessionmaker

from carebridge.db import make_engine, session_scope

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def worker(live_database_url: str) -> Iterator[dict]:
    """A link worker whose caseload holds people with long one-word names, in Latin, Cyrillic and Arabic script."""
    engine = make_engine(live_database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    settings = factories.settings()
    with session_scope(factory) as session:
        organisation = account_factories.organisation(session)
        team = account_factories.team(session, organisation)
        account = account_factories.enrolled_account(session, roles=("link-worker",), organisation_=organisation, teams=(team,), name="QA Worker")
        actor = account_factories.actor_for(account)
        people = [
            factories.client(session, settings, actor, preferred_name=name, languages=["ti", "en"])
            for name in ("Kidanesolomon", "Вишнеславський", "عبدالرحمن")
        ]
        data = {"email": account.email, "ids": [person.id for person in people]}
    yield data
    engine.dispose()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_caseload_names_never_break_inside_a_word_on_a_phone(live_server: str, browser, worker, lang: str) -> None:  # noqa: ANN001
    """QA 2026-12-06 (link-worker-caseload-ar-360.png): at 360 px the caseload's name links broke mid-word
    ("Kidan/esol", "Вишн/еслав/ський"): site.css lets every link break anywhere, and the table's own "never break a
    word" rule was on the cells, not on the links inside them. The table scrolls sideways in its region instead."""
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_factories.sign_in(page, live_server, worker["email"], lang)
        page.goto(f"{live_server}/staff/clients?lang={lang}")
        for client_id in worker["ids"]:
            link = page.locator(f'table.caseload a[href="/staff/clients/{client_id}"]')
            lines = link.evaluate("element => element.getClientRects().length")
            assert lines == 1, f"{link.inner_text()!r} is broken over {lines} lines"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
