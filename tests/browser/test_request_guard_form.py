"""A staff form holding an invisible character, in real headless Chromium with JavaScript off: the guard's 422 page
names the field, shows what was typed without the character, and sending it again saves the person; axe-clean in
English and Arabic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from factories import accounts as account_factories
from factories import browser as browser_factories
from sqlalchemy.orm import sessionmaker

from carebridge.db import make_engine, session_scope

pytestmark = pytest.mark.browser



@pytest.fixture
def worker(live_database_url: str) -> Iterator[str]:
    engine = make_engine(live_database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with session_scope(factory) as session:
        organisation = account_factories.organisation(session)
        team = account_factories.team(session, organisation)
        account = account_factories.enrolled_account(
            session, roles=("link-worker",), organisation_=organisation, teams=(team,), name="Guard Worker"
        )
        email = account.email
    yield email
    engine.dispose()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_invisible_character_in_the_new_person_form_loses_nothing(live_server: str, browser, worker, lang: str) -> None:  # noqa: ANN001
    assert browser_factories.AXE_PATH.is_file(), "axe-core is missing: run `npm ci`"
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_factories.sign_in(page, live_server, worker, lang)
        page.goto(f"{live_server}/staff/clients/new?lang={lang}")
        page.fill("#preferred_name", "Zahra\u0007 Guard")
        page.check("#language-prs")
        page.fill("#birth_year", "1994")
        with page.expect_response(lambda response: response.request.method == "POST") as answer:
            page.click('form[action="/staff/clients/new"] button[type="submit"]')
        assert answer.value.status == 422
        assert answer.value.headers["cache-control"] == "no-store"
        assert page.locator('.error-summary a[href="#preferred_name"]').count() == 1
        assert page.input_value("#preferred_name") == "Zahra Guard"
        assert page.input_value("#birth_year") == "1994"
        page.click('main form[method="post"] button[type="submit"]')
        assert "?done=created" in page.url
        assert "Zahra Guard" in page.inner_text("h1")
        signed_in = context.storage_state()
    finally:
        context.close()
    # axe needs scripts: the same session, JavaScript on, the refused page again.
    context = browser.new_context(storage_state=signed_in, java_script_enabled=True, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server}/staff/clients/new?lang={lang}")
        page.fill("#preferred_name", "Hawre\u001b Guard")
        page.click('form[action="/staff/clients/new"] button[type="submit"]')
        assert page.locator('.error-summary a[href="#preferred_name"]').count() == 1
        browser_factories.assert_axe_clean(page, lang)
    finally:
        context.close()
