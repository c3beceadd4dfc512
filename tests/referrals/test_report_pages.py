"""The referral figures page and API (report.aggregate; a bad period keeps what was typed, 422 with an error
summary; the planner chooses an organisation), the overrides list (referral.oversee; the reviewed mark by POST,
redirect, CSRF), and both pages in real Chromium with axe (WCAG 2.2 AA), in English and Arabic (right to left)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import audit as audit_factories
from factories import browser, clients, referral_rows

from carebridge.kit import clock
from carebridge.referrals.models import Referral


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture
def world(session):  # noqa: ANN001, ANN201
    settings = clients.settings()
    world = referral_rows.world(session, settings)
    now = clock.utc_now()
    for days in range(12):
        requested = now - dt.timedelta(days=20)
        referral_rows.referral(session, settings, world, status="completed", outcome="Done", requested_at=requested,
                               answered_at=requested + dt.timedelta(days=days + 1))
    for _ in range(10):
        referral_rows.referral(session, settings, world, status="rejected", reason="no-answer")
    for _ in range(3):
        referral_rows.referral(session, settings, world, status="requested", tracked=True, organization_name="Food Bank A")
    referral_rows.referral(session, settings, world, status="requested", override_reason="Risk of harm tonight")
    session.commit()
    return world


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_service_manager_sees_the_figures_for_their_organisation(client, world) -> None:  # noqa: ANN001
    audit_factories.sign_in_as(client, world.actor("manager"))
    response = client.get("/staff/referrals/report")
    assert response.status_code == 200
    text = _text(response.text)
    assert "Referrals sent 26" in text
    assert "Completed 12" in text
    assert "Lost 10" in text
    assert "fewer than 10" in text  # the pooled Food Bank A row
    assert "Food Bank A" not in text
    assert "<svg" in response.text
    assert "Layla" not in text


def test_a_bad_period_is_shown_again_with_an_error_summary(client, world) -> None:  # noqa: ANN001
    audit_factories.sign_in_as(client, world.actor("manager"))
    response = client.get("/staff/referrals/report", params={"from": "31/12/2026", "to": "2026-01-01"})
    assert response.status_code == 422
    assert 'class="error-summary' in response.text or "error-summary" in response.text
    assert 'value="31/12/2026"' in response.text
    long = client.get("/staff/referrals/report", params={"from": "x" * 5000})
    assert long.status_code in {400, 422}


def test_the_planner_chooses_an_organisation_and_a_link_worker_is_refused(client, world) -> None:  # noqa: ANN001
    audit_factories.sign_in_as(client, world.actor("planner"))
    every = client.get("/staff/referrals/report")
    assert every.status_code == 200 and f'value="{world.sender.id}"' in every.text
    one = client.get("/staff/referrals/report", params={"organisation": world.sender.id})
    assert one.status_code == 200 and world.sender.name in one.text
    unknown = client.get("/staff/referrals/report", params={"organisation": "nope"})
    assert unknown.status_code == 422
    audit_factories.sign_in_as(client, world.actor("link_worker"))
    assert client.get("/staff/referrals/report").status_code == 403
    assert client.get("/api/v1/reports/referrals").status_code == 403


def test_the_api_gives_the_same_figures_with_suppression_said(client, world) -> None:  # noqa: ANN001
    audit_factories.sign_in_as(client, world.actor("manager"))
    response = client.get("/api/v1/reports/referrals")
    assert response.status_code == 200
    body = response.json()
    assert body["all"]["sent"] == {"key": "sent", "count": 26, "suppressed": False, "reason": None}
    assert body["all"]["completed"]["count"] == 12 and body["all"]["completion_rate"]["percent"] == round(100 * 12 / 26)
    assert body["all"]["median_days_to_acceptance"] == 6.5
    other = body["by_receiving_organisation"][-1]
    assert other["sent"]["count"] is None and other["sent"]["suppressed"] and other["sent"]["reason"]
    bad = client.get("/api/v1/reports/referrals", params={"from": "2026-13-01"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


def test_the_overrides_list_and_the_reviewed_mark(client, session, world) -> None:  # noqa: ANN001
    csrf = audit_factories.sign_in_as(client, world.actor("manager"))
    page = client.get("/staff/referrals/overrides")
    assert page.status_code == 200
    assert "Risk of harm tonight" in page.text and "Layla Testperson" in page.text and "Lin Linkworker" in page.text
    referral_id = re.search(r'/staff/referrals/overrides/([0-9a-f-]{36})/seen', page.text).group(1)
    refused = client.post(f"/staff/referrals/overrides/{referral_id}/seen", data={})
    assert refused.status_code == 403
    done = client.post(f"/staff/referrals/overrides/{referral_id}/seen", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/staff/referrals/overrides?done=seen"
    session.expire_all()
    assert session.get(Referral, referral_id).override_seen_by == world.manager.id
    again = client.post(f"/staff/referrals/overrides/{referral_id}/seen", data={"csrf_token": csrf}, follow_redirects=False)
    assert again.headers["location"] == "/staff/referrals/overrides?done=already"
    after = client.get("/staff/referrals/overrides?done=seen")
    assert "Marked as reviewed." in after.text and "I have reviewed this" not in after.text
    assert client.post(f"/staff/referrals/overrides/{'x' * 300}/seen", data={"csrf_token": csrf}).status_code == 404
    audit_factories.sign_in_as(client, world.actor("link_worker"))
    assert client.get("/staff/referrals/overrides").status_code == 403


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_pages_have_no_wcag_violations(chromium, client, world, lang: str) -> None:  # noqa: ANN001
    pages: dict[str, tuple[int, bytes]] = {}
    audit_factories.sign_in_as(client, world.actor("manager"))
    for name, path, params in (
        ("/report", "/staff/referrals/report", {}),
        ("/report-with-errors", "/staff/referrals/report", {"from": "yesterday"}),
        ("/overrides", "/staff/referrals/overrides", {}),
    ):
        response = client.get(path, params={"lang": lang, **params})
        pages[name] = (response.status_code, response.content)
    audit_factories.sign_in_as(client, world.actor("planner"))
    response = client.get("/staff/referrals/report", params={"lang": lang})
    pages["/report-planner"] = (response.status_code, response.content)
    browser.check_pages(chromium, client, pages, lang)
