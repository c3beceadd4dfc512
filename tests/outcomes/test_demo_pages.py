"""The demo as a new user sees it (integration of issue 10): after the demo load, every demo person's page opens for the
link worker, the clinician, the peer supporter and the service manager, and so do the case-work pages it links to (an
assessment, a goal, the printed plan, the screenings and a result, the risk pages, the outcomes page).

The demo's case work is written by outcomes.rows straight through the models; this test caught the rows that the
domains' pages could not open: an assessment without its sealed `basis` (the demo load failed on NOT NULL), a goal's
text and a flag's closing note sealed as JSON where the plans and risk domains read plain text (shown in quotes)."""

from __future__ import annotations

import re

import pytest
from factories import accounts as account_factories
from sqlalchemy import select

from carebridge.accounts import demo as accounts_demo
from carebridge.accounts.demo import load_demo_accounts
from carebridge.assessments.models import Assessment
from carebridge.clients import demo as people_demo
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.outcomes.demo import load_demo_casework

ROLES = ("link-worker", "clinician", "peer-supporter", "service-manager")
ALL_SECTIONS = ("assessment", "plan", "screening", "outcomes", "risk")
# The service manager has neither screening.read nor risk.raise/respond (docs/permissions.md): no screening, scores
# over time or risk section on a person's page (open flags reach them on /staff/risk/oversight).
SECTIONS = {role: ALL_SECTIONS for role in ROLES} | {"service-manager": ("assessment", "plan")}
CASE_WORK_LINK = re.compile(
    r'href="(/staff/(?:clients/[0-9a-f-]{36}/(?:assessments/[0-9a-f-]{36}|plan/goals/[0-9a-f-]{36}|plan/print|screenings'
    r'|screenings/[0-9a-f-]{36})|risk/flags/[0-9a-f-]{36}))"'
)


@pytest.fixture
def settings() -> Settings:
    return Settings(demo=True)


@pytest.fixture
def app(session_factory, settings):
    from carebridge.app import create_app

    return create_app(settings=settings, session_factory=session_factory)


@pytest.fixture
def demo(session, settings) -> list[str]:
    load_demo_accounts(session, settings)
    people_demo.load_demo_people(session, settings)
    said = load_demo_casework(session, settings)
    assert said.startswith("Demo case work:") and "already" not in said
    session.commit()
    return list(session.scalars(select(Client.id).where(Client.fictional.is_(True)).order_by(Client.id)))


def _sign_in(client, role: str) -> None:
    import pyotp

    from carebridge.kit import clock

    client.cookies.clear()
    client.headers.update(account_factories.SAME_ORIGIN)
    code = pyotp.TOTP(accounts_demo.TOTP_KEY).at(clock.utc_now().timestamp())
    landed = account_factories.sign_in(client, accounts_demo.email_of(role), password=accounts_demo.PASSWORD, code=code)
    assert landed.status_code == 303 and landed.headers["location"] == "/staff", (role, landed.status_code)


def _quoted(text: str) -> bool:
    """A sealed text read back as JSON shows in quotes: &#34;Move out of …&#34;."""
    return bool(re.search(r"(&#34;|&quot;)(Move out|Get the benefits|See a doctor|Speak English|Meet people|Find work|Get my|Understand|Talked with)", text))


def test_every_demo_persons_page_and_its_case_work_opens_for_each_role(client, session, demo, compiled_catalogs) -> None:
    # The shipped rules place each demo assessment in its category (no demo category is an override).
    assert session.scalar(select(Assessment.id).where(Assessment.category_override.is_not(None)).limit(1)) is None
    for role in ROLES:
        _sign_in(client, role)
        opened, followed = 0, set()
        for path in ("/staff", "/staff/clients", "/staff/risk", "/staff/risk/oversight", "/staff/outcomes"):
            response = client.get(path)
            assert response.status_code in (200, 403), (role, path, response.status_code)
        for client_id in demo:
            response = client.get(f"/staff/clients/{client_id}")
            assert response.status_code in (200, 403, 404), (role, client_id, response.status_code)
            if response.status_code != 200:
                continue
            opened += 1
            page = response.text
            for section in SECTIONS[role]:
                assert f'id="{section}"' in page, (role, section)
            assert not _quoted(page), role
            for link in CASE_WORK_LINK.findall(page):
                kind = re.sub(r"[0-9a-f-]{36}", "ID", link)
                if sum(seen_kind == kind for seen_kind, _ in followed) >= 8:
                    continue
                followed.add((kind, link))
                linked = client.get(link)
                assert linked.status_code in (200, 403), (role, link, linked.status_code)
                assert not _quoted(linked.text), (role, link)
        assert opened, f"the {role} opens at least one demo person's page"
        kinds = {kind for kind, _ in followed}
        if role != "peer-supporter":
            assert any("assessments/ID" in kind for kind in kinds), (role, kinds)
            assert any("plan/goals/ID" in kind for kind in kinds), (role, kinds)
