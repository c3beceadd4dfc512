"""The case work's acceptance test (issue 10), in real headless Chromium against the live server, JavaScript off, in
English and Arabic: a peer supporter screens a person assigned to them with the PHQ-9 and answers item 9 with 1; the
result leads with the risk box; the clinician on duty sees the banner at the top of their page and the task on
/staff/risk, opens the flag and sees the PHQ-9 it came from. The peer supporter cannot close the flag. Every page on
the way is axe-clean (WCAG 2.2 AA) and has the language's direction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from factories import accounts as account_factories
from factories import browser as browser_factories
from factories import clients as client_factories
from factories import risk as risk_factories
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from carebridge.db import make_engine, session_scope
from carebridge.kit import clock

pytestmark = pytest.mark.browser

AXE_TAGS = browser_factories.AXE_TAGS


@pytest.fixture
def service(live_database_url: str) -> Iterator[dict[str, Any]]:
    """An organisation of its own (so that its risk list holds only this test's flag): a peer supporter who owns the
    person's record, a clinician on duty today, both with a second factor."""
    engine = make_engine(live_database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    settings = client_factories.settings()
    with session_scope(factory) as session:
        organisation = account_factories.organisation(session)
        team = account_factories.team(session, organisation)
        peer = account_factories.enrolled_account(
            session, roles=("peer-supporter",), organisation_=organisation, teams=(team,), name="Pat Peer"
        )
        clinician = account_factories.enrolled_account(
            session, roles=("clinician",), organisation_=organisation, teams=(team,), name="Cleo Clinician"
        )
        person = client_factories.client(
            session, settings, account_factories.actor_for(peer), preferred_name="Layla Endtoend", languages=["ar"]
        )
        risk_factories.on_duty(session, clinician, clock.today(), phone="020 7946 0000")
        data = {"peer": peer.email, "clinician": clinician.email, "person": person.id, "engine": engine}
    yield data
    engine.dispose()


def _sign_in(page, base: str, email: str, lang: str) -> None:
    page.goto(f"{base}/staff/sign-in?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", account_factories.PASSWORD)
    page.click('form[action="/staff/sign-in"] button[type="submit"]')
    page.fill("#code", account_factories.totp_code())
    page.click('form[action="/staff/sign-in/code"] button[type="submit"]')
    assert page.url == f"{base}/staff"


def _checked(browser, context, page, lang: str, axe_source: str) -> str:
    """The page now open (JavaScript off): its direction, then axe-core over the same URL in a script-enabled context
    signed in with the same cookies. Returns the page's HTML."""
    from carebridge.i18n import direction

    assert page.get_attribute("html", "lang") == lang, page.url
    assert page.get_attribute("html", "dir") == direction(lang), page.url
    html = page.content()
    assert "<script" not in html, page.url
    checker = browser.new_context(
        java_script_enabled=True, bypass_csp=True, locale="en-GB", storage_state=context.storage_state()
    )
    try:
        other = checker.new_page()
        response = other.goto(page.url)
        assert response is not None and response.status == 200, (page.url, response and response.status)
        other.add_script_tag(content=axe_source)
        results = other.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
        )
        assert results["violations"] == [], (
            page.url, [(v["id"], v["help"], [n["html"] for n in v["nodes"]][:3]) for v in results["violations"]]
        )
    finally:
        checker.close()
    return html


def _context(browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    context.new_page().set_default_timeout(15_000)
    return context


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_peer_supporter_screens_and_the_clinician_on_duty_sees_the_task(
    live_server: str, browser, service: dict[str, Any], lang: str,
) -> None:
    base, person = live_server, service["person"]
    if not browser_factories.AXE_PATH.is_file():
        pytest.skip("axe-core is missing: run `npm ci`")
    axe = browser_factories.AXE_PATH.read_text(encoding="utf-8")

    # The peer supporter, during a session with the person.
    peer_context = _context(browser)
    try:
        page = peer_context.pages[0]
        _sign_in(page, base, service["peer"], lang)
        page.goto(f"{base}/staff/clients/{person}")
        html = _checked(browser, peer_context, page, lang, axe)
        assert 'id="screening"' in html
        page.select_option("#screening-instrument", "phq-9")
        page.click(f'form[action="/staff/clients/{person}/screenings/new"] button[type="submit"]')
        assert "/screenings/new?instrument=phq-9" in page.url
        _checked(browser, peer_context, page, lang, axe)
        choice = page.locator('form:has(input[name="instrument"][value="phq-9"])')
        choice.locator('input[name="language"][value="en"]').check()
        choice.locator('button[type="submit"]').click()
        assert "language=en" in page.url
        html = _checked(browser, peer_context, page, lang, axe)
        assert "screening-risk-guidance" in html, "the questionnaire shows what to do now if there is risk"
        for number in range(1, 9):
            page.check(f'input[name="item-{number}"][value="{number % 2}"]')
        page.check('input[name="item-9"][value="1"]')
        page.click(f'form[action="/staff/clients/{person}/screenings/new"] button[type="submit"]')
        assert f"/staff/clients/{person}/screenings/" in page.url and "/new" not in page.url, page.url
        html = _checked(browser, peer_context, page, lang, axe)
        main = html[html.index('<main'):]
        assert 'class="panel screening-risk"' in main
        assert main.index('class="panel screening-risk"') < main.index("<h1"), "the result leads with the risk box"
        assert main.index('class="panel screening-risk"') < main.index('class="summary-list"')

        # The flag it raised, as the peer supporter sees it: on the person's page, with no way to close it.
        page.goto(f"{base}/staff/clients/{person}")
        html = _checked(browser, peer_context, page, lang, axe)
        with service["engine"].connect() as connection:
            from carebridge.risk.models import RiskFlag
            from carebridge.screening.models import Screening

            flag_id, status = connection.execute(
                select(RiskFlag.id, RiskFlag.status).where(RiskFlag.client_id == person)
            ).one()
            screening_total = connection.scalar(select(Screening.total).where(Screening.client_id == person))
        assert status == "open"
        assert 'class="risk-flag-list"' in html
        assert f"/staff/risk/flags/{flag_id}/close" not in html and 'name="outcome"' not in html, (
            "a peer supporter's page offers no form to close the flag"
        )
        token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
        refused = peer_context.request.post(
            f"{base}/staff/risk/flags/{flag_id}/close",
            form={"csrf_token": token, "outcome": "risk-assessed", "outcome_notes": "Closing it myself"},
            max_redirects=0,
        )
        assert refused.status in (403, 404), refused.status
        flag_page = peer_context.request.get(f"{base}/staff/risk/flags/{flag_id}", max_redirects=0)
        assert flag_page.status in (403, 404), flag_page.status
    finally:
        peer_context.close()
    with service["engine"].connect() as connection:
        assert connection.scalar(select(RiskFlag.status).where(RiskFlag.id == flag_id)) == "open"

    # The clinician on duty.
    clinician_context = _context(browser)
    try:
        page = clinician_context.pages[0]
        _sign_in(page, base, service["clinician"], lang)
        html = _checked(browser, clinician_context, page, lang, axe)
        main = html[html.index('<main'):]
        assert 'class="risk-banner"' in main
        assert main.index('class="risk-banner"') < main.index("<h1"), "the banner is at the top of the page"
        banner = page.locator(".risk-banner a[href='/staff/risk']")
        assert banner.count() == 1
        banner.click()
        assert page.url.startswith(f"{base}/staff/risk")
        html = _checked(browser, clinician_context, page, lang, axe)
        task = page.locator(f'a[href="/staff/risk/flags/{flag_id}"]')
        assert task.count() == 1, "the task is on the clinician's list"
        assert "Layla Endtoend" in task.inner_text()
        task.click()
        assert page.url.startswith(f"{base}/staff/risk/flags/{flag_id}")
        html = _checked(browser, clinician_context, page, lang, axe)
        assert "PHQ-9" in html
        screening_block = html[html.index("<dd>PHQ-9</dd>"):]
        assert f"<dd>{screening_total}</dd>" in screening_block, "the total of the PHQ-9 it came from"
        assert "<dd>1</dd>" in screening_block, "item 9's answer"
        assert 'action="/staff/risk/flags/' in html and 'name="outcome"' in html, "the clinician can close it"
    finally:
        clinician_context.close()
