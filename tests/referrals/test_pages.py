"""The referral pages and API through the real app (signed in for real, CSRF, scope), on the fictional Fairhaven
directory: find a service by a posted search, send without consent (409, what was typed kept), record consent, send;
the receiver's inbox and page show only what was shared (every unshared item absent from the HTML and the JSON), the
receiver accepts and completes with an outcome, which closes the loop on the person's page; the receiver's access
ends with the referral; do not contact said loudly; the printout in Arabic; junk answered with 4xx."""

from __future__ import annotations

import re

import pytest

from carebridge.referrals.models import Referral
from factories import audit as audit_factories
from factories import consent as consent_factories
from factories import referrals as factories


@pytest.fixture(scope="module")
def connection(demo_city_connection):  # noqa: ANN001, ANN201
    return demo_city_connection


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


NOTE = "Bring the Sandpiper housing letter"
REASON = "Back pain since the Osprey warehouse job"


@pytest.fixture
def world(app, session):  # noqa: ANN001, ANN201
    found = factories.world(session, app.state.settings, person_name="Yusra Haddad", interpreter_needed=True,
                            interpreter_language="ar", languages=["ar"])
    session.commit()
    return found


@pytest.fixture
def receiver_client(app):  # noqa: ANN001, ANN201
    """A second browser, for the receiving organisation (each account signs in once: a TOTP code is used once)."""
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as second:
        yield second


def _version(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "the page has no version field"
    return match.group(1)


def test_a_referral_from_search_to_outcome(client, receiver_client, session, world) -> None:  # noqa: ANN001
    csrf = audit_factories.sign_in_as(client, world.actor("worker"))
    person_page = client.get(f"/staff/clients/{world.person.id}")
    assert 'id="referrals"' in person_page.text and f"/staff/clients/{world.person.id}/referrals/new" in person_page.text
    form = client.get(f"/staff/clients/{world.person.id}/referrals/new")
    assert form.status_code == 200 and 'name="q"' in form.text
    found = client.post(f"/staff/clients/{world.person.id}/referrals/new/search",
                        data={"csrf_token": csrf, "q": "doctor", "near": "FH1 1AA"})
    assert found.status_code == 200 and "services found" in found.text and "service_at_location_id=" in found.text
    assert "FH1" not in str(found.url)

    chosen = client.get(f"/staff/clients/{world.person.id}/referrals/new",
                        params={"service_at_location_id": world.service_at_location_id, "kind": "social-prescribing"})
    assert chosen.status_code == 200 and 'name="share"' in chosen.text
    assert "has not agreed to share anything" in chosen.text
    data = {"csrf_token": csrf, "service_at_location_id": world.service_at_location_id, "kind": "referral",
            "priority": "urgent", "reason": REASON, "note": NOTE, "share": ["name", "languages"], "action": "send"}
    refused = client.post(f"/staff/clients/{world.person.id}/referrals/new", data=data, follow_redirects=False)
    assert refused.status_code == 409 and "error-summary" in refused.text and REASON in refused.text
    assert session.query(Referral).filter(Referral.client_id == world.person.id).count() == 0  # nothing kept

    factories.share_consent(session, world)
    session.commit()
    sent = client.post(f"/staff/clients/{world.person.id}/referrals/new", data=data, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].endswith("?done=sent")
    referral_id = sent.headers["location"].split("/")[-1].split("?")[0]
    mine = client.get(f"/staff/referrals/{referral_id}")
    assert mine.status_code == 200 and NOTE in mine.text and "Yusra Haddad" in mine.text
    listing = client.get("/staff/referrals")
    assert listing.status_code == 200 and f"/staff/referrals/{referral_id}" in listing.text

    csrf = audit_factories.sign_in_as(receiver_client, world.actor("receiver"))
    inbox = receiver_client.get("/staff/referrals/inbox")
    assert inbox.status_code == 200 and "Yusra Haddad" in inbox.text and "Urgent" in inbox.text
    page = receiver_client.get(f"/staff/referrals/inbox/{referral_id}")
    assert page.status_code == 200 and "Yusra Haddad" in page.text and "Arabic" in page.text
    api = receiver_client.get(f"/api/v1/referrals/inbox/{referral_id}")
    assert api.status_code == 200 and api.json()["shared"]["name"] == "Yusra Haddad"
    for absent in (REASON, "Osprey", NOTE, "Sandpiper", world.person.id, "/staff/clients/"):
        assert absent not in page.text, absent
        assert absent not in api.text, absent
    assert receiver_client.get(f"/staff/referrals/{referral_id}").status_code == 403  # the referrer's address: not theirs

    bad = receiver_client.post(f"/staff/referrals/inbox/{referral_id}/move", data={"csrf_token": csrf, "to": "accepted", "version": "1"})
    assert bad.status_code == 409 and "error-summary" in bad.text  # stale
    accepted = receiver_client.post(f"/staff/referrals/inbox/{referral_id}/move",
                           data={"csrf_token": csrf, "to": "accepted", "version": _version(page.text)}, follow_redirects=False)
    assert accepted.status_code == 303
    page = receiver_client.get(f"/staff/referrals/inbox/{referral_id}")
    # Each move's form posts the fields the service reads (ids stay unique: one form per move).
    assert 'id="outcome-completed" name="outcome"' in page.text and 'id="reason-on-hold" name="reason"' in page.text
    empty = receiver_client.post(f"/staff/referrals/inbox/{referral_id}/move",
                        data={"csrf_token": csrf, "to": "completed", "version": _version(page.text), "outcome": ""})
    assert empty.status_code == 422 and 'href="#outcome-completed"' in empty.text
    done = receiver_client.post(f"/staff/referrals/inbox/{referral_id}/move", follow_redirects=False,
                       data={"csrf_token": csrf, "to": "completed", "version": _version(page.text),
                             "outcome": "Registered with Dr Finch; first visit on Monday"})
    assert done.status_code == 303
    ended = receiver_client.get(f"/staff/referrals/inbox/{referral_id}")
    assert ended.status_code == 200 and "Yusra Haddad" not in ended.text and "has ended" in ended.text
    assert "Yusra" not in receiver_client.get(f"/api/v1/referrals/inbox/{referral_id}").text

    person_page = client.get(f"/staff/clients/{world.person.id}")
    assert "Registered with Dr Finch; first visit on Monday" in person_page.text and "Completed" in person_page.text
    printout = client.get(f"/staff/referrals/{referral_id}/print", params={"lang": "ar"})
    assert printout.status_code == 200 and 'dir="rtl"' in printout.text and NOTE in printout.text
    assert len(printout.content) < 100_000


def test_do_not_contact_is_said_loudly_to_the_receiver(client, session, world) -> None:  # noqa: ANN001
    world.person.do_not_contact = True
    factories.share_consent(session, world)
    referral = factories.sent(session, client.app.state.settings, world, consent_first=False)
    session.commit()
    audit_factories.sign_in_as(client, world.actor("receiver"))
    page = client.get(f"/staff/referrals/inbox/{referral.id}")
    assert "Do not contact this person directly — contact the referrer." in page.text
    assert client.get(f"/api/v1/referrals/inbox/{referral.id}").json()["contact_prohibited"] is True


def test_the_api_creates_sends_and_answers_with_problem_documents(client, session, world) -> None:  # noqa: ANN001
    channel = consent_factories.channel(session, client.app.state.settings, world.person, "sms", "+447700900555")
    session.commit()
    token = audit_factories.sign_in_as(client, world.actor("worker"))
    headers = {"X-CSRF-Token": token}
    created = client.post("/api/v1/referrals", headers=headers, json={
        "client_id": world.person.id, "service_at_location_id": world.service_at_location_id, "reason": REASON})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "draft" and body["reason_for_referral"] == REASON
    refused = client.post(f"/api/v1/referrals/{body['id']}/send", headers=headers, json={"version": 1, "share": ["name"]})
    assert refused.status_code == 409 and refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("consent-required")
    junk = client.post(f"/api/v1/referrals/{body['id']}/send", headers=headers, json={"version": 1, "share": ["diagnosis"]})
    assert junk.status_code == 422
    factories.share_consent(session, world)
    session.commit()
    sent = client.post(f"/api/v1/referrals/{body['id']}/send", headers=headers,
                       json={"version": 1, "share": ["contact"], "channel_id": channel.id})
    assert sent.status_code == 200 and sent.json()["status"] == "requested"
    assert client.get("/api/v1/referrals").json()["items"][0]["name"] == "Yusra Haddad"
    stale = client.post(f"/api/v1/referrals/{body['id']}/move", headers=headers, json={"to": "cancelled", "version": 1,
                                                                                       "reason": "duplicate"})
    assert stale.status_code == 409
    assert client.get("/api/v1/referrals/" + "x" * 40).status_code == 404

    token = audit_factories.sign_in_as(client, world.actor("receiver"))
    headers = {"X-CSRF-Token": token}
    received = client.get(f"/api/v1/referrals/inbox/{body['id']}").json()
    assert received["shared"] == {"contact": {"kind": "sms", "value": "+447700900555", "safe_times": ""}}
    assert received["client_id"] is None and received["reason_for_referral"] is None and received["note"] is None
    assert "accepted" in received["moves"] and "entered-in-error" not in received["moves"]
    refusal = client.post(f"/api/v1/referrals/inbox/{body['id']}/move", headers=headers,
                          json={"to": "rejected", "version": received["version"]})
    assert refusal.status_code == 422
    wrong = client.post(f"/api/v1/referrals/inbox/{body['id']}/move", headers=headers,
                        json={"to": "entered-in-error", "version": received["version"]})
    assert wrong.status_code == 403
    rejected = client.post(f"/api/v1/referrals/inbox/{body['id']}/move", headers=headers,
                           json={"to": "rejected", "version": received["version"], "reason": "no-capacity"})
    assert rejected.status_code == 200 and rejected.json()["shared"] == {}
    assert client.get("/api/v1/referrals/inbox").json()["items"] == []
