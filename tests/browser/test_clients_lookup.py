"""Finding a person and their reference numbers in real headless Chromium: JavaScript off, English and Arabic; the
find form posts (nothing typed reaches the URL), and the pages are axe-core (WCAG 2.2 AA) clean."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from factories import accounts as account_factories
from factories import browser as browser_factories
from factories import clients as factories
from sqlalchemy.orm import sessionmaker

from carebridge.clients import references
from carebridge.db import make_engine, session_scope

pytestmark = pytest.mark.browser



@pytest.fixture
def person(live_database_url: str) -> Iterator[dict]:
    engine = make_engine(live_database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    settings = factories.settings()
    with session_scope(factory) as session:
        organisation = account_factories.organisation(session)
        team = account_factories.team(session, organisation)
        account = account_factories.enrolled_account(session, roles=("link-worker",), organisation_=organisation,
                                                     teams=(team,), name="Rana Finder")
        actor = account_factories.actor_for(account)
        found = factories.client(session, settings, actor, preferred_name="أمينة Finder", languages=["ar-SY"])
        references.add_reference(session, settings, actor, found.id,
                                 references.ReferenceInput("health-service", "943 476 5919", "GP"))
        data = {"email": account.email, "id": found.id}
    yield data
    engine.dispose()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_finding_a_person_by_reference_without_javascript(live_server: str, browser, person, lang: str) -> None:  # noqa: ANN001
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_factories.sign_in(page, live_server, person["email"], lang)
        page.goto(f"{live_server}/staff/clients?lang={lang}")
        page.fill("#value", "９４３-４７６-５９１９")
        page.click('form[action="/staff/clients/find"] button[type="submit"]')
        assert page.url.endswith("/staff/clients/find") and "5919" not in page.url
        assert page.locator(f'table.caseload a[href="/staff/clients/{person["id"]}"]').count() == 1
        page.fill("#value", "Amina")
        page.click('form[action="/staff/clients/find"] button[type="submit"]')
        assert page.locator(".error-summary").count() == 1
        page.goto(f"{live_server}/staff/clients/{person['id']}?lang={lang}")
        assert "943 476 5919" in page.inner_text("#references")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_find_and_reference_pages_are_axe_clean(live_server: str, browser, person, lang: str) -> None:  # noqa: ANN001
    # A test of its own: a TOTP code is accepted only once per account, so one sign-in per test.
    assert browser_factories.AXE_PATH.is_file(), "axe-core is missing: run `npm ci`"
    context = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_factories.sign_in(page, live_server, person["email"], lang)
        for path in ("/staff/clients", f"/staff/clients/{person['id']}", f"/staff/clients/{person['id']}/references/new"):
            page.goto(f"{live_server}{path}?lang={lang}")
            browser_factories.assert_axe_clean(page, lang)
        for typed in ("9434765919", "07700 900 000", "Amina"):
            page.goto(f"{live_server}/staff/clients?lang={lang}")
            page.fill("#value", typed)
            page.click('form[action="/staff/clients/find"] button[type="submit"]')
            browser_factories.assert_axe_clean(page, lang)
        page.goto(f"{live_server}/staff/clients/{person['id']}/references/new?lang={lang}")
        page.click('form[action$="/references/new"] button[type="submit"]')
        assert page.locator(".error-summary").count() == 1
        browser_factories.assert_axe_clean(page, lang)
    finally:
        context.close()
