"""The caseload and the person's page in real headless Chromium: JavaScript off, English and Arabic, a person added
through the form, axe-core (WCAG 2.2 AA) clean, each page with its stylesheets under 100 KB.

Records are made in the live server's database through the services (tests/factories/clients.py), sealed with the
checkout's development keys, which the live server reads too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from factories import accounts as account_factories
from factories import browser as browser_factories
from factories import clients as factories
from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from carebridge.clients.models import Client
from carebridge.db import make_engine, session_scope

pytestmark = pytest.mark.browser

BUDGET = 100_000


@pytest.fixture
def caseload(live_database_url: str) -> Iterator[dict]:
    """A link worker with three people (one not to be contacted, one fictional), committed in the live database. One
    per test: the live server's clock is pinned, and a TOTP code is accepted only once per account."""
    engine = make_engine(live_database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    settings = factories.settings()
    with session_scope(factory) as session:
        organisation = account_factories.organisation(session)
        team = account_factories.team(session, organisation)
        account = account_factories.enrolled_account(session, roles=("link-worker",), organisation_=organisation, teams=(team,), name="Rana Worker")
        actor = account_factories.actor_for(account)
        people = [
            factories.client(session, settings, actor, preferred_name="أمينة", languages=["ar-SY"], interpreter_needed=True),
            factories.client(session, settings, actor, preferred_name="Hawre", languages=["ckb", "kmr"]),
            factories.client(session, settings, actor, preferred_name="Olena", languages=["uk"]),
        ]
        session.execute(update(Client).where(Client.id == people[0].id).values(do_not_contact=True))
        session.execute(update(Client).where(Client.id == people[2].id).values(fictional=True))
        data = {"email": account.email, "ids": [person.id for person in people]}
    yield data
    engine.dispose()


@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("ar", "rtl")])
def test_caseload_person_page_and_adding_a_person_without_javascript(live_server: str, browser, caseload, lang: str, direction: str) -> None:  # noqa: ANN001
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_factories.sign_in(page, live_server, caseload["email"], lang)
        sizes: list[int] = []
        page.on("response", lambda response: sizes.append(len(response.body())))
        page.goto(f"{live_server}/staff/clients?lang={lang}")
        assert page.get_attribute("html", "dir") == direction
        rows = page.locator("table.caseload tbody tr")
        assert rows.count() == 3
        assert page.locator("text=أمينة").count() == 1
        assert sum(sizes) < BUDGET, f"caseload page weighs {sum(sizes)} bytes"

        sizes.clear()
        page.click(f'a[href="/staff/clients/{caseload["ids"][0]}"]')
        assert page.locator(".do-not-contact").is_visible()
        assert "أمينة" in page.inner_text("h1")
        assert sum(sizes) < BUDGET, f"person page weighs {sum(sizes)} bytes"

        page.goto(f"{live_server}/staff/clients/new?lang={lang}")
        page.click('form[action="/staff/clients/new"] button[type="submit"]')
        assert page.locator(".error-summary").count() == 1
        page.fill("#preferred_name", f"Zahra {lang}")
        page.check("#language-prs")
        page.fill("#birth_year", "1994")
        page.click('form[action="/staff/clients/new"] button[type="submit"]')
        assert "?done=created" in page.url
        assert f"Zahra {lang}" in page.inner_text("h1")
        page.click('form[action$="/contact-made"] button[type="submit"]')
        assert "?done=contact" in page.url
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_caseload_and_person_pages_are_axe_clean(live_server: str, browser, caseload, lang: str) -> None:  # noqa: ANN001
    assert browser_factories.AXE_PATH.is_file(), "axe-core is missing: run `npm ci`"
    context = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_factories.sign_in(page, live_server, caseload["email"], lang)
        for path in (
            "/staff/clients?view=team",
            "/staff/clients?status=nope",
            f"/staff/clients/{caseload['ids'][0]}",
            f"/staff/clients/{caseload['ids'][2]}",
            f"/staff/clients/{caseload['ids'][1]}/edit",
            "/staff/clients/new",
        ):
            page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}")
            browser_factories.assert_axe_clean(page, lang)
        page.goto(f"{live_server}/staff/clients/new?lang={lang}")
        page.click('form[action="/staff/clients/new"] button[type="submit"]')
        browser_factories.assert_axe_clean(page, lang)
    finally:
        context.close()
