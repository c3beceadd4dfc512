"""The referrals' acceptance test (issue 11), in real headless Chromium against the live server, JavaScript off, in
English and Arabic: a link worker refers a person who needs an Arabic interpreter (the person's consent to share with
the receiving organisation recorded first) to a directory service whose organisation uses Carebridge; the receiving
organisation's staff find it in their inbox, see the interpreter need and nothing else of the record, accept it and
complete it with an outcome; the referrer sees the outcome on the person's page. Every page on the way is axe-clean
(WCAG 2.2 AA) and has the language's direction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from factories import accounts as account_factories
from factories import browser as browser_factories
from factories import clients as client_factories
from factories import consent as consent_factories
from factories import referrals as referral_factories
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from carebridge.consent import service as consent
from carebridge.db import make_engine, session_scope

pytestmark = pytest.mark.browser

AXE_TAGS = browser_factories.AXE_TAGS
OUTCOME = "Seen by the counsellor with an Arabic interpreter; six weekly sessions booked"
REASON = "Poor sleep and low mood since arriving at the Gannet hostel"


@pytest.fixture
def people(live_database_url: str, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """A referring organisation (a link worker owning the person's record) and a receiving organisation linked to a
    directory organisation of its own for each language run (a receptionist who receives), both with a second
    factor; the person needs an Arabic interpreter and agreed to share with the receiving organisation."""
    engine = make_engine(live_database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    settings = client_factories.settings()
    with session_scope(factory) as session:
        link_id, organization_id = referral_factories.directory_service(session, 11 if request.node.callspec.params["lang"] == "en" else 12)
        referring = account_factories.organisation(session)
        team = account_factories.team(session, referring)
        worker = account_factories.enrolled_account(session, roles=("link-worker",), organisation_=referring, teams=(team,),
                                                    name="Lina Linkworker")
        receiving = account_factories.organisation(session)
        receiving.directory_organization_id = organization_id
        receiver = account_factories.enrolled_account(session, roles=("receptionist",), organisation_=receiving,
                                                      name="Rae Receiver")
        person = client_factories.client(session, settings, account_factories.actor_for(worker), preferred_name="Salma Endtoend",
                                         languages=["ar"], interpreter_needed=True, interpreter_language="ar")
        consent_factories.given(session, account_factories.actor_for(worker), person, consent.SHARE,
                                staff_organisation_id=receiving.id)
        data = {"worker": worker.email, "receiver": receiver.email, "person": person.id, "link": link_id, "engine": engine}
    yield data
    engine.dispose()


def _sign_in(page, base: str, email: str, lang: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/staff/sign-in?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", account_factories.PASSWORD)
    page.click('form[action="/staff/sign-in"] button[type="submit"]')
    page.wait_for_load_state("load")  # the click returns when the navigation commits
    page.fill("#code", account_factories.totp_code())
    page.click('form[action="/staff/sign-in/code"] button[type="submit"]')
    page.wait_for_load_state("load")  # the click returns when the navigation commits
    assert page.url == f"{base}/staff"


def _checked(browser, context, page, lang: str, axe_source: str) -> str:  # noqa: ANN001
    """The page now open (JavaScript off): its direction, then axe-core over the same URL in a script-enabled context
    signed in with the same cookies. Returns the page's HTML."""
    from carebridge.i18n import direction

    assert page.get_attribute("html", "lang") == lang, page.url
    assert page.get_attribute("html", "dir") == direction(lang), page.url
    html = page.content()
    assert "<script" not in html, page.url
    checker = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="en-GB",
                                  storage_state=context.storage_state())
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


def _context(browser):  # noqa: ANN001, ANN202
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    context.new_page().set_default_timeout(15_000)
    return context


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_link_worker_refers_and_the_receiver_closes_the_loop(live_server: str, browser, people: dict[str, Any], lang: str) -> None:  # noqa: ANN001
    from carebridge.referrals.models import Referral

    base, person = live_server, people["person"]
    if not browser_factories.AXE_PATH.is_file():
        pytest.skip("axe-core is missing: run `npm ci`")
    axe = browser_factories.AXE_PATH.read_text(encoding="utf-8")

    worker_context = _context(browser)
    receiver_context = _context(browser)
    try:
        # The link worker refers the person from their record.
        page = worker_context.pages[0]
        _sign_in(page, base, people["worker"], lang)
        page.goto(f"{base}/staff/clients/{person}?lang={lang}")
        html = _checked(browser, worker_context, page, lang, axe)
        assert 'id="referrals"' in html
        page.click(f'a[href="/staff/clients/{person}/referrals/new"]')
        page.wait_for_load_state("load")  # the click returns when the navigation commits
        _checked(browser, worker_context, page, lang, axe)
        page.fill("#q", "doctor")
        page.click(f'form[action="/staff/clients/{person}/referrals/new/search"] button[type="submit"]')
        page.wait_for_load_state("load")  # the click returns when the navigation commits
        # The results answer a POST (the area never goes into a URL): tests/referrals/test_page_accessibility.py runs
        # axe over them; here, that they list services to refer to.
        assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        assert "service_at_location_id=" in page.content(), "the search found services to refer to"
        # The service of the receiving organisation (a link like the search results', ids only).
        page.goto(f"{base}/staff/clients/{person}/referrals/new?service_at_location_id={people['link']}")
        html = _checked(browser, worker_context, page, lang, axe)
        assert 'name="share"' in html
        page.check("#priority-urgent")
        page.fill("#reason", REASON)
        page.click('button[name="action"][value="send"]')
        page.wait_for_load_state("load")  # the click returns when the navigation commits
        assert "/staff/referrals/" in page.url and "done=sent" in page.url, page.url
        _checked(browser, worker_context, page, lang, axe)
        with people["engine"].connect() as connection:
            referral_id, status = connection.execute(select(Referral.id, Referral.status).where(Referral.client_id == person)).one()
        assert status == "requested"

        # The receiving organisation answers.
        page = receiver_context.pages[0]
        _sign_in(page, base, people["receiver"], lang)
        page.goto(f"{base}/staff/referrals/inbox")
        html = _checked(browser, receiver_context, page, lang, axe)
        page.click(f'a[href="/staff/referrals/inbox/{referral_id}"]')
        page.wait_for_load_state("load")  # the click returns when the navigation commits
        html = _checked(browser, receiver_context, page, lang, axe)
        assert "Salma Endtoend" in html and REASON in html
        from carebridge.i18n import get_translations

        assert get_translations(lang).gettext("Needed") in html, "the interpreter need is shown"
        assert f"/staff/clients/{person}" not in html and person not in html, "no link to the person's record"
        page.click('form:has(input[name="to"][value="accepted"]) button[type="submit"]')
        page.wait_for_load_state("load")  # the click returns when the navigation commits
        assert "done=moved" in page.url
        _checked(browser, receiver_context, page, lang, axe)
        page.fill("#outcome-completed", OUTCOME)
        page.click('form:has(input[name="to"][value="completed"]) button[type="submit"]')
        page.wait_for_load_state("load")  # the click returns when the navigation commits
        assert "done=moved" in page.url
        html = _checked(browser, receiver_context, page, lang, axe)
        assert "Salma Endtoend" not in html, "the receiver's view of what was shared ends with the referral"

        # The referrer sees the outcome: the loop is closed.
        page = worker_context.pages[0]
        page.goto(f"{base}/staff/clients/{person}")
        html = _checked(browser, worker_context, page, lang, axe)
        section = html[html.index('id="referrals"'):]
        assert OUTCOME in section
    finally:
        worker_context.close()
        receiver_context.close()
