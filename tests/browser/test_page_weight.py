"""Every public finder page costs at most 100 KB over the wire: the HTML and everything it makes a browser load
(stylesheets, scripts, images, fonts), gzip-compressed as the server sends it. No browser needed."""

from __future__ import annotations

import pytest

BUDGET_BYTES = 100 * 1024


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_page_is_within_the_budget(live_server: str, finder_pages: dict[str, str], transferred_bytes, lang: str) -> None:  # noqa: ANN001
    report = []
    for name, path in finder_pages.items():
        url = f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}"
        sizes = transferred_bytes(url)
        total = sum(sizes.values())
        report.append((name, total, sizes))
        assert total <= BUDGET_BYTES, f"{name} ({url}) transfers {total} bytes: {sizes}"
    print("\n".join(f"{lang} {name}: {total / 1024:.1f} KB" for name, total, _sizes in report))


def test_pages_are_compressed(live_server: str, finder_pages: dict[str, str]) -> None:
    import urllib.request

    for path in (finder_pages["results"], "/static/css/site.css"):
        request = urllib.request.Request(f"{live_server}{path}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            assert response.headers.get("Content-Encoding") == "gzip", path


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_persons_page_with_every_case_work_section_filled_is_within_the_budget(live_server: str, live_database_url: str, browser, lang: str) -> None:  # noqa: ANN001
    """The person's page (issue 10) with assessments, a plan with steps, screenings over months and an open risk flag,
    signed in as their link worker: its HTML and every stylesheet it links, gzip-compressed as served, within 100 KB;
    and it loads each section's stylesheet (plans.css, screening.css; consent.css, rights.css)."""
    import datetime as dt
    import gzip
    import re
    import urllib.request

    from factories import accounts as account_factories
    from factories import clients as client_factories
    from sqlalchemy.orm import sessionmaker

    from carebridge.db import make_engine, session_scope
    from carebridge.kit import clock
    from carebridge.outcomes import rows

    engine = make_engine(live_database_url)
    settings = client_factories.settings()
    try:
        with session_scope(sessionmaker(bind=engine, expire_on_commit=False)) as session:
            organisation = account_factories.organisation(session)
            team = account_factories.team(session, organisation)
            worker = account_factories.enrolled_account(session, roles=("link-worker",), organisation_=organisation, teams=(team,))
            person = client_factories.client(session, settings, account_factories.actor_for(worker), preferred_name="Weighty Person")
            now = clock.utc_now()
            for months, category in ((6, "critical"), (4, "complex"), (2, "complex"), (0, "guidance")):
                rows.add_assessment(session, settings, person, category=category, assessed_at=now - dt.timedelta(days=30 * months),
                                    scores={domain: 3 for domain in rows.DOMAINS}, what_matters="Being near my family.",
                                    assessed_by=worker.id)
            for index, domain in enumerate(("housing", "finances", "health", "language")):
                goal = rows.add_goal(session, settings, person, domain=domain, text=f"A goal about {domain} " * 5, status="open",
                                     created_at=now - dt.timedelta(days=90), created_by=worker.id)
                for step in range(3):
                    rows.add_step(session, settings, person, goal, description=f"Step {step} of goal {index} " * 4,
                                  who=("person", "worker", "organisation")[step], due_on=clock.today() - dt.timedelta(days=10 - 5 * step),
                                  status="todo", created_at=now - dt.timedelta(days=90))
            for visit in range(8):
                at = now - dt.timedelta(days=21 * (8 - visit))
                rows.add_screening(session, settings, person, instrument="phq-9", total=20 - 2 * visit, completed_at=at)
                rows.add_screening(session, settings, person, instrument="gad-7", total=17 - 2 * visit, completed_at=at)
            rows.add_flag(session, settings, person, source="worker", raised_at=now - dt.timedelta(hours=2), raised_by=worker.id,
                          seen="Very low today.", done="Stayed with them.")
            email, person_id = worker.email, person.id
    finally:
        engine.dispose()

    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/staff/sign-in?lang={lang}")
        page.fill("#email", email)
        page.fill("#password", account_factories.PASSWORD)
        page.click('form[action="/staff/sign-in"] button[type="submit"]')
        page.fill("#code", account_factories.totp_code())
        page.click('form[action="/staff/sign-in/code"] button[type="submit"]')
        assert page.url == f"{live_server}/staff"
        cookies = "; ".join(f"{cookie['name']}={cookie['value']}" for cookie in context.cookies())
    finally:
        context.close()

    def fetch(path: str) -> bytes:
        request = urllib.request.Request(f"{live_server}{path}", headers={"Accept-Encoding": "gzip", "Cookie": cookies})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            assert response.status == 200, path
            return response.read()

    body = fetch(f"/staff/clients/{person_id}?lang={lang}")
    html = (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body).decode("utf-8")
    for section in ("assessment", "plan", "screening", "outcomes", "risk"):
        assert f'id="{section}"' in html, section
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    for needed in ("plans.css", "screening.css", "consent.css", "rights.css"):
        assert any(needed in href for href in stylesheets), f"the person's page does not load {needed}"
    sizes = {f"/staff/clients/{person_id}": len(body)} | {href: len(fetch(href)) for href in stylesheets}
    assert not re.search(r"<(script|img)\b", html) and len(html.encode()) < 100_000, "no script; the HTML itself under 100 KB"
    total = sum(sizes.values())
    assert total <= BUDGET_BYTES, f"the person's page transfers {total} bytes: {sizes}"
    print(f"{lang} person's page: {total / 1024:.1f} KB, HTML {len(body) / 1024:.1f} KB compressed, {len(html) / 1024:.1f} KB raw")
