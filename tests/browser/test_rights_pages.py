"""The rights pages in real headless Chromium: with JavaScript off, who has seen a record (its report in the person's
language), the copy downloaded as a file, erasing with the word typed; axe-core (WCAG 2.2 AA) on each page, error
states included, in English and Arabic.

People and staff are made in the live server's database through the services (tests/factories), sealed with the
checkout's development keys, which the live server reads too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from factories import accounts as account_factories
from factories import browser as browser_factories
from factories import clients as client_factories
from factories import rights as factories
from sqlalchemy.orm import sessionmaker

from carebridge.config import Settings
from carebridge.db import make_engine, session_scope

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def make_people(live_database_url: str) -> Iterator[Callable[[], dict[str, str]]]:
    """make_people() -> a link worker's and a service manager's e-mails and a full record's id, committed."""
    engine = make_engine(live_database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def make() -> dict[str, str]:
        with session_scope(factory) as session:
            worker = client_factories.caseworker(session)
            account_factories.enrol(session, worker.account)
            manager = client_factories.caseworker(session, roles=("service-manager",), organisation_=worker.organisation)
            account_factories.enrol(session, manager.account)
            record = factories.full_record(session, Settings(), worker.actor, name="Amina Marker-Name")
            return {"worker": worker.account.email, "manager": manager.account.email, "id": record.client.id}

    yield make
    engine.dispose()


def _axe(page, lang: str) -> None:  # noqa: ANN001
    assert page.get_attribute("html", "lang") == lang, page.url
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    problems = [
        f"{violation['id']}: {violation['help']} at {[' '.join(node['target']) for node in violation['nodes'][:5]]}"
        for violation in results["violations"]
    ]
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_seen_by_copy_and_erase_work_without_javascript(
    live_server: str, browser, make_people, lang: str, direction: str  # noqa: ANN001
) -> None:
    people = make_people()
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        browser_factories.sign_in(page, live_server, people["worker"], lang)
        page.goto(f"{live_server}/staff/clients/{people['id']}/seen-by")
        assert page.get_attribute("html", "dir") == direction
        # The person reads Arabic: the report is in Arabic whatever the staff member's language.
        assert page.get_attribute(".seen-by-report", "lang") == "ar"
        page.select_option("#language", "en")
        page.click('form[action$="/seen-by"] button[type="submit"]')
        assert page.get_attribute(".seen-by-report", "lang") == "en"
        assert "Created the record." in page.inner_text(".seen-by-report")
        # The whole history to print, a link away, in the language chosen.
        print_link = f"/staff/clients/{people['id']}/seen-by/print?language=en"
        page.click(f'a[href="{print_link}"]')
        assert page.get_attribute(".seen-by-report", "lang") == "en"
        assert "It holds the whole history of the record." in page.inner_text(".seen-by-report")

        page.goto(f"{live_server}/staff/clients/{people['id']}/export")
        page.check("#format-json")
        with page.expect_download() as download:
            page.click('form[action$="/export"] button[type="submit"]')
        assert download.value.suggested_filename == f"carebridge-record-{people['id']}.json"

        page.goto(f"{live_server}/staff")
        page.click('form[action="/staff/sign-out"] button[type="submit"]')
        browser_factories.sign_in(page, live_server, people["manager"], lang)
        page.goto(f"{live_server}/staff/clients/{people['id']}/erase")
        page.click('form[action$="/erase"] button[type="submit"]')
        assert page.locator(".error-summary").count() == 1
        page.fill("#confirm", "erase")
        page.click('form[action$="/erase"] button[type="submit"]')
        assert page.url == f"{live_server}/staff/rights/erased"
        response = page.goto(f"{live_server}/staff/clients/{people['id']}/seen-by")
        assert response is not None and response.status == 404
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_rights_page_is_axe_clean(live_server: str, browser, make_people, lang: str) -> None:  # noqa: ANN001
    assert AXE.is_file(), "axe-core is missing: run `npm ci`"
    people = make_people()
    # axe needs JavaScript; the pages' CSP forbids injected scripts, so this context bypasses it.
    context = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    base = f"{live_server}/staff/clients/{people['id']}"
    checked = []
    try:
        browser_factories.sign_in(page, live_server, people["manager"], lang)
        for path in ("/seen-by", "/seen-by?language=xx", "/seen-by/print", "/export", "/erase"):
            page.goto(base + path)
            _axe(page, lang)
            checked.append(path)
        page.click('form[action$="/erase"] button[type="submit"]')
        assert page.locator(".error-summary").count() == 1
        _axe(page, lang)
        page.goto(f"{live_server}/staff/rights/erasing-soon")
        _axe(page, lang)
        page.goto(f"{live_server}/staff/rights/erased")
        _axe(page, lang)
    finally:
        context.close()
    assert len(checked) == 5
