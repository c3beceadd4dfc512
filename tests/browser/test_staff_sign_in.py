"""Staff sign-in in real headless Chromium: with JavaScript off, in English and Arabic, password + TOTP to the staff
home page and out again; enrolment of a fresh account; axe-core (WCAG 2.2 AA) on every sign-in and account page,
error states included, in both directions.

Accounts are made in the live server's database through the services (tests/factories/accounts.py). The live server
runs with kit.clock pinned at the tests' fixed moment, like this process, so codes come from pyotp with the known
secret. It runs without CAREBRIDGE_SECURE_COOKIES (plain http://127.0.0.1): the session cookie is then
`carebridge_session`, without Secure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pyotp
import pytest
from factories import accounts as factories
from sqlalchemy.orm import sessionmaker

from carebridge.db import make_engine, session_scope

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def make_account(live_database_url: str) -> Iterator[Callable[..., tuple[str, str]]]:
    """make_account(roles, enrolled=True) -> (email, name), committed in the live server's database."""
    assert factories.SAME_ORIGIN  # the factories module is the one shared with the other tests
    engine = make_engine(live_database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def make(roles: tuple[str, ...] = ("link-worker",), enrolled: bool = True, name: str = "Amal Haddad") -> tuple[str, str]:
        with session_scope(factory) as session:
            account = (factories.enrolled_account if enrolled else factories.account)(session, roles=roles, name=name)
            return account.email, account.name

    yield make
    engine.dispose()


def _submit(page, action: str) -> None:  # noqa: ANN001
    # The click returns once the next page's response has arrived (navigation committed), not once its document is
    # parsed: a measurement made at once could read a half-built page (the recovery codes page once measured with
    # no codes on it). Wait for the new document's load event before anything reads it.
    page.click(f'form[action="{action}"] button[type="submit"]')
    page.wait_for_load_state("load")


def _sign_in_with_password(page, base: str, email: str, lang: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/staff/sign-in?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    _submit(page, "/staff/sign-in")


@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("ar", "rtl")])
def test_sign_in_with_password_and_code_then_sign_out_without_javascript(
    live_server: str, page, make_account, lang: str, direction: str  # noqa: ANN001
) -> None:
    email, name = make_account(("link-worker",), name=f"Sami {lang.upper()} Tester")
    _sign_in_with_password(page, live_server, email, lang)
    assert page.url == f"{live_server}/staff/sign-in/code"
    assert page.get_attribute("html", "lang") == lang and page.get_attribute("html", "dir") == direction
    assert page.get_attribute("#code", "autocomplete") == "one-time-code"
    page.fill("#code", factories.totp_code())
    _submit(page, "/staff/sign-in/code")
    assert page.url == f"{live_server}/staff"
    assert name in page.inner_text("h1")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["carebridge_session"]["httpOnly"] and cookies["carebridge_session"]["sameSite"] == "Lax"

    _submit(page, "/staff/sign-out")
    assert page.url == f"{live_server}/staff/sign-in"
    page.goto(f"{live_server}/staff/account")
    assert page.url == f"{live_server}/staff/sign-in?next=/staff/account"


def test_a_fresh_account_enrols_its_app_and_keeps_its_recovery_codes(live_server: str, page, make_account) -> None:  # noqa: ANN001
    email, name = make_account(("clinician",), enrolled=False, name="Nour Clinician")
    _sign_in_with_password(page, live_server, email, "en")
    assert page.url == f"{live_server}/staff/sign-in/enrol"
    assert page.locator(".qr-code svg").count() == 1
    key = page.inner_text(".secret-key").replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    page.fill("#code", pyotp.TOTP(key).at(_now()))
    _submit(page, "/staff/sign-in/enrol")
    assert page.url == f"{live_server}/staff/recovery-codes"
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.click("text=Continue")
    assert page.url == f"{live_server}/staff"
    assert name in page.inner_text("h1")
    # Shown once.
    page.goto(f"{live_server}/staff/recovery-codes")
    assert page.locator(".recovery-codes li").count() == 0


def _now():  # noqa: ANN202
    from carebridge.kit import clock

    return clock.utc_now()


def _axe(page, url: str, lang: str) -> None:  # noqa: ANN001
    assert page.get_attribute("html", "lang") == lang, url
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    problems = [
        f"{violation['id']}: {violation['help']} at {[' '.join(node['target']) for node in violation['nodes'][:5]]}"
        for violation in results["violations"]
    ]
    assert not problems, f"{url}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_sign_in_and_account_page_is_axe_clean(live_server: str, browser, make_account, lang: str) -> None:  # noqa: ANN001
    assert AXE.is_file(), "axe-core is missing: run `npm ci`"
    email, _ = make_account(("clinician",), enrolled=False, name="Layla Checker")
    # axe needs JavaScript; the pages' CSP forbids injected scripts, so this context bypasses it.
    context = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    checked = []

    def check(name: str) -> None:
        _axe(page, page.url, lang)
        checked.append(name)

    try:
        page.goto(f"{live_server}/staff/sign-in?lang={lang}")
        check("sign-in")
        _submit(page, "/staff/sign-in")
        assert page.locator(".error-summary").count() == 1
        check("sign-in with errors")
        page.fill("#email", email)
        page.fill("#password", factories.PASSWORD)
        _submit(page, "/staff/sign-in")
        check("enrol")
        page.fill("#code", "000000")
        _submit(page, "/staff/sign-in/enrol")
        check("enrol with an error")
        key = page.inner_text(".secret-key").replace(" ", "")
        page.fill("#code", pyotp.TOTP(key).at(_now()))
        _submit(page, "/staff/sign-in/enrol")
        check("recovery codes")
        page.goto(f"{live_server}/staff")
        check("home")
        page.goto(f"{live_server}/staff/account")
        check("account")
        _submit(page, "/staff/sign-out")
        _sign_in_with_password(page, live_server, email, lang)
        check("code")
        page.fill("#code", "12")
        _submit(page, "/staff/sign-in/code")
        check("code with an error")
        page.fill("#code", pyotp.TOTP(key).at(_now().timestamp() + 30))
        _submit(page, "/staff/sign-in/code")
        assert page.url == f"{live_server}/staff"
    finally:
        context.close()
    assert checked == ["sign-in", "sign-in with errors", "enrol", "enrol with an error", "recovery codes", "home",
                       "account", "code", "code with an error"]


NARROW = 360
# How many lines the text of each element matching the selector takes (a Range's rectangles: one per line box).
LINES = """selector => Array.from(document.querySelectorAll(selector)).map(element => {
    const range = document.createRange(); range.selectNodeContents(element);
    return new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top))).size;
})"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_sign_in_codes_and_account_pages_fit_a_360_px_phone(live_server: str, browser, make_account, lang: str) -> None:  # noqa: ANN001
    # QA defects 5 (account page 445/513 px wide, "This browser" one letter a line), 13 (recovery codes broken at
    # their hyphens) and 7c (the e-mail field right-to-left in Arabic). JavaScript on only to measure.
    email, _ = make_account(("clinician",), enrolled=False, name="Rana Narrow")
    context = browser.new_context(viewport={"width": NARROW, "height": 780}, java_script_enabled=True, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server}/staff/sign-in?lang={lang}")
        assert page.get_attribute("#email", "dir") == "ltr"
        assert page.get_attribute("#email", "autocomplete") == "username"
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW
        page.fill("#email", email)
        page.fill("#password", factories.PASSWORD)
        _submit(page, "/staff/sign-in")
        key = page.inner_text(".secret-key").replace(" ", "")
        page.fill("#code", pyotp.TOTP(key).at(_now()))
        _submit(page, "/staff/sign-in/enrol")
        assert page.url == f"{live_server}/staff/recovery-codes"
        lines = page.evaluate(LINES, ".recovery-codes code")
        assert len(lines) == 10 and set(lines) == {1}, f"{lang}: recovery codes take {lines} lines"
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW

        page.goto(f"{live_server}/staff/account")
        assert page.get_attribute("html", "lang") == lang
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW, f"{lang}: the account page is {width}px wide"
        tag = page.evaluate(LINES, ".session-list .tag")
        assert tag == [1], f"{lang}: 'This browser' takes {tag} lines"
    finally:
        context.close()
