"""Breaking the glass from a person's page: the 404 offers "Open in an emergency" to staff who may break the glass,
the same page whether the record exists or not; a reason of at least 10 characters opens the record (an audited,
reviewed grant), and the page then says until when. An id that is no record, or another organisation's, opens
nothing."""

from __future__ import annotations

import re
import uuid

import pytest
from factories import audit as audit_factories
from factories import clients as factories
from sqlalchemy import select

from carebridge.accounts.models import BreakGlassGrant


@pytest.fixture
def world(app, session):  # noqa: ANN001, ANN201
    settings = app.state.settings
    owner = factories.caseworker(session)
    person = factories.client(session, settings, owner.actor, preferred_name="Hidden Person")
    # The fixed clock is 12:00 UTC (Europe/London in winter): a 60-minute grant lasts until 13:00.
    # Same organisation, another team: the person is outside this worker's scope.
    other_team = factories.accounts.team(session, owner.organisation)
    outsider = factories.caseworker(session, organisation_=owner.organisation, team_=other_team)
    stranger = factories.caseworker(session)  # another organisation
    mediator = factories.caseworker(session, roles=("cultural-mediator",), organisation_=owner.organisation,
                                    team_=other_team)
    session.commit()
    return {"person": person, "outsider": outsider, "stranger": stranger, "mediator": mediator}


def _offer(html: str) -> str:
    """The page without the id it was asked for: what must not differ between an existing and a missing record."""
    return re.sub(r"/staff/clients/[0-9a-f-]{36}", "/staff/clients/ID", re.sub(r'name="csrf_token" value="[^"]*"', "", html))


def test_the_404_offers_the_emergency_form_the_same_for_a_hidden_and_a_missing_record(client, world) -> None:  # noqa: ANN001
    audit_factories.sign_in_as(client, world["outsider"].actor)
    hidden = client.get(f"/staff/clients/{world['person'].id}")
    missing = client.get(f"/staff/clients/{uuid.uuid4()}")
    assert hidden.status_code == missing.status_code == 404
    assert "Open in an emergency" in hidden.text and 'name="reason"' in hidden.text
    assert f'action="/staff/clients/{world["person"].id}/break-glass"' in hidden.text
    assert "Hidden Person" not in hidden.text
    strip = lambda text: re.sub(r'data-request-id="[^"]*"|request-id[^<]*', "", _offer(text))  # noqa: E731
    assert strip(hidden.text) == strip(missing.text)
    assert len(hidden.content) < 100_000


def test_without_break_glass_the_404_offers_nothing(client, world) -> None:  # noqa: ANN001
    token = audit_factories.sign_in_as(client, world["mediator"].actor)
    page = client.get(f"/staff/clients/{world['person'].id}")
    assert page.status_code == 404 and "Open in an emergency" not in page.text
    assert client.post(f"/staff/clients/{world['person'].id}/break-glass",
                       data={"csrf_token": token, "reason": "A real emergency here"}).status_code == 403


def test_a_short_reason_is_422_with_an_error_summary_and_nothing_opened(client, session, world) -> None:  # noqa: ANN001
    token = audit_factories.sign_in_as(client, world["outsider"].actor)
    response = client.post(f"/staff/clients/{world['person'].id}/break-glass",
                           data={"csrf_token": token, "reason": "urgent"})
    assert response.status_code == 422
    assert 'href="#reason"' in response.text and ">urgent</textarea>" in response.text
    assert session.scalars(select(BreakGlassGrant)).all() == []


def test_opening_in_an_emergency_shows_the_record_with_a_banner_and_is_audited(client, session, world) -> None:  # noqa: ANN001
    person = world["person"]
    token = audit_factories.sign_in_as(client, world["outsider"].actor)
    response = client.post(f"/staff/clients/{person.id}/break-glass",
                           data={"csrf_token": token, "reason": "Found unwell at the drop-in, needs her GP"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/staff/clients/{person.id}"
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "Hidden Person" in page.text
    assert "You opened this record in an emergency" in page.text and "service manager" in page.text
    assert re.search(r"until <bdi[^>]*>\W*13:00\W*</bdi>", page.text), re.findall(r"until.{0,80}", page.text)
    actions = factories.audit_actions(session, person.id)
    assert "break-glass.open" in actions and actions[-1] == "client.read"


@pytest.mark.parametrize("who", ["missing", "stranger"])
def test_a_grant_for_no_record_or_another_organisations_opens_nothing(client, session, world, who) -> None:  # noqa: ANN001
    actor = world["stranger"].actor if who == "stranger" else world["outsider"].actor
    target = world["person"].id if who == "stranger" else str(uuid.uuid4())
    token = audit_factories.sign_in_as(client, actor)
    response = client.post(f"/staff/clients/{target}/break-glass",
                           data={"csrf_token": token, "reason": "Found unwell at the drop-in, needs help"},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.status_code == 404 and "Hidden Person" not in page.text


def test_a_malformed_id_is_a_plain_404(client, world) -> None:  # noqa: ANN001
    token = audit_factories.sign_in_as(client, world["outsider"].actor)
    assert "Open in an emergency" not in client.get("/staff/clients/not-an-id").text
    assert client.post("/staff/clients/not-an-id/break-glass",
                       data={"csrf_token": token, "reason": "Found unwell at the drop-in"}).status_code == 404
