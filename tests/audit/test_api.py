"""GET /api/v1/staff/audit-events: the page's filters and scope as JSON, problem documents for bad input."""

from factories import accounts as account_factories
from factories import audit as factories
from sqlalchemy import select

from carebridge.audit import service
from carebridge.audit.models import AuditEvent


def _setup(session):
    org_a = account_factories.organisation(session)
    org_b = account_factories.organisation(session)
    manager = factories.actor(session, roles=("service-manager",), organisation_=org_a, name="Maya Manager")
    worker = factories.actor(session, roles=("link-worker",), organisation_=org_a, name="Ali Worker")
    other = factories.actor(session, roles=("link-worker",), organisation_=org_b)
    service.record(session, "person.read", actor=worker, record_type="person", record_id="p-a", request_id="req-a")
    service.record(session, "person.read", actor=other, record_type="person", record_id="p-b")
    session.commit()
    return manager, worker


def test_events_come_newest_first_within_the_actors_organisation(app, client, session):
    manager, worker = _setup(session)
    factories.sign_in_as(client, manager)
    response = client.get("/api/v1/staff/audit-events", params={"record_type": "person"})
    assert response.status_code == 200
    body = response.json()
    assert [event["record_id"] for event in body["events"]] == ["p-a"]
    event = body["events"][0]
    assert event["account_id"] == worker.account_id and event["account_name"] == "Ali Worker"
    assert event["organisation_id"] == manager.organisation_id and event["request_id"] == "req-a"
    assert event["at"].startswith("2026-11-23T12:00:00")
    assert body["next_before"] is None
    assert (event["stripe"], event["stripe_seq"]) == session.execute(
        select(AuditEvent.stripe, AuditEvent.stripe_seq).where(AuditEvent.seq == event["seq"])
    ).one()
    # The read itself was recorded after the page was read: the head shown is the one before it, and verifies.
    assert body["head"]["seq"] < service.latest_seq(session)
    assert service.verify(session, expect_head=body["head"]["value"]).ok


def test_keyset_pages_through_the_whole_list(app, client, session):
    manager, worker = _setup(session)
    # Each event in a transaction of its own: spread over 3 stripes (on PostgreSQL); the list is still in order.
    session.info["audit_stripes"] = 3
    factories.events(
        session, 5, commit_each=True, account_id=worker.account_id, organisation_id=manager.organisation_id
    )
    factories.sign_in_as(client, manager)
    seen, before, pages = [], None, 0
    while True:
        # The manager's own (real) sign-in is a sign-in.success too: the account filter leaves it out.
        params = {"action": "sign-in.success", "account_id": worker.account_id, "limit": 2,
                  **({"before": before} if before else {})}
        body = client.get("/api/v1/staff/audit-events", params=params).json()
        seen += [event["request_id"] for event in body["events"]]
        pages += 1
        before = body["next_before"]
        if before is None:
            break
    assert pages == 3 and seen == [f"request-{n}" for n in (4, 3, 2, 1, 0)]


def test_bad_filters_are_problem_documents(app, client, session):
    manager, _ = _setup(session)
    factories.sign_in_as(client, manager)
    response = client.get("/api/v1/staff/audit-events", params={"date_to": "yesterday", "action": "Not An Action"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {error["name"] for error in response.json()["errors"]} == {"date_to", "action"}


def test_without_the_permission_it_is_403(app, client, session):
    _, worker = _setup(session)
    factories.sign_in_as(client, worker)
    response = client.get("/api/v1/staff/audit-events")
    assert response.status_code == 403 and response.headers["content-type"] == "application/problem+json"


def test_out_of_range_numbers_are_422_not_500(app, client, session):
    manager, _ = _setup(session)
    factories.sign_in_as(client, manager)
    for params in ({"before": 10**20}, {"before": 0}, {"limit": 501}):
        response = client.get("/api/v1/staff/audit-events", params=params)
        assert response.status_code == 422, params
    assert client.get("/staff/audit", params={"before": 10**20}).status_code == 422
