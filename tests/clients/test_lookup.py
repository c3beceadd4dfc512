"""Finding a person by an exact phone number, e-mail address or reference number (clients.service.find_people,
clients.references): normalised, compared by blind index, only within the actor's scope, audited like the caseload,
and nothing personal in a URL or a log. Reference numbers are sealed and also find possible duplicates."""

from __future__ import annotations

import logging

import pytest
from factories import accounts as account_factories
from factories import audit as audit_factories
from factories import clients as factories
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from carebridge.audit.models import AuditEvent
from carebridge.clients import contact, duplicates, references, service
from carebridge.clients.models import ClientReference
from carebridge.errors import InvalidInput, NotFound
from carebridge.keys import normalise

SETTINGS = factories.settings()
PROBLEM = "application/problem+json"


def _ids(entries) -> list[str]:  # noqa: ANN001
    return [entry.id for entry in entries]


def _listed(session, client_id: str) -> int:  # noqa: ANN001
    return len(session.scalars(select(AuditEvent.seq).where(
        AuditEvent.action == "client.list", AuditEvent.record_id == client_id)).all())


# --- The normaliser -----------------------------------------------------------------------------------------------

_REFERENCE_CHARACTERS = st.text(alphabet=st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), min_size=1, max_size=20)
_SEPARATORS = st.sampled_from([" ", "-", "‐", "–", "—", ".", "/", "\u00a0", "\u3000", ""])
_FULLWIDTH = {ord(c): chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


@hypothesis_settings(max_examples=200, deadline=None)
@given(value=_REFERENCE_CHARACTERS, data=st.data())
def test_a_reference_written_any_way_normalises_to_the_same(value: str, data) -> None:  # noqa: ANN001
    written = "".join(character + data.draw(_SEPARATORS) for character in value)
    if data.draw(st.booleans()):
        written = written.lower()
    if data.draw(st.booleans()):
        written = written.translate(_FULLWIDTH)
    assert normalise.reference(written) == value.casefold()
    assert normalise.reference(normalise.reference(written)) == normalise.reference(written)


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_the_reference_normaliser_never_fails_and_keeps_only_letters_and_digits(value: str) -> None:
    assert all(character.isalnum() for character in normalise.reference(value))


@hypothesis_settings(max_examples=100, deadline=None)
@given(local=st.from_regex(r"[A-Za-z0-9._]{1,20}", fullmatch=True), domain=st.from_regex(r"[A-Za-z0-9]{1,15}\.[A-Za-z]{2,6}", fullmatch=True))
def test_e_mail_case_does_not_matter(local: str, domain: str) -> None:
    address = f"{local}@{domain}"
    assert normalise.email(address.upper()) == normalise.email(f"  {address.lower()} ")


@pytest.mark.parametrize("typed", ["+44 7700 900123", "07700900123", "07700 900 123", "(07700) 900-123",
                                   "＋４４７７００９００１２３", "0044 7700 900123"])
def test_phone_numbers_in_the_deployment_s_region_are_one_number(typed: str) -> None:
    assert SETTINGS.phone_region == "GB"
    assert normalise.phone(typed, SETTINGS.phone_region) == "+447700900123"


# --- Finding ------------------------------------------------------------------------------------------------------


@pytest.fixture
def found_world(session):  # noqa: ANN001, ANN201
    worker = factories.caseworker(session)
    person = factories.client(session, SETTINGS, worker.actor, preferred_name="Amina Lookup")
    contact.add_channel(session, SETTINGS, worker.actor, person.id, contact.ChannelInput("sms", value="+44 7700 900123"))
    contact.add_channel(session, SETTINGS, worker.actor, person.id,
                        contact.ChannelInput("email", value="Amina.Lookup@Example.org"))
    references.add_reference(session, SETTINGS, worker.actor, person.id,
                             references.ReferenceInput("health-service", "943 476 5919", "GP surgery"))
    references.add_reference(session, SETTINGS, worker.actor, person.id,
                             references.ReferenceInput("refugee-council", "RC-2026/00417"))
    other = factories.client(session, SETTINGS, worker.actor, preferred_name="Someone Else")
    contact.add_channel(session, SETTINGS, worker.actor, other.id, contact.ChannelInput("phone", value="07700 900999"))
    return worker, person, other


@pytest.mark.parametrize("typed", [
    "07700900123", "+44 7700 900123", "0044 7700 900 123",          # the SMS number, in the region (GB) or not
    "amina.lookup@example.org", "  AMINA.LOOKUP@EXAMPLE.ORG ",       # the e-mail, any case
    "9434765919", "943-476-5919", "９４３ ４７６ ５９１９",                # the health-service number, fullwidth too
    "rc2026 00417", "RC–2026–00417", "ｒｃ－２０２６／００４１７",
])
def test_every_way_of_writing_it_finds_the_person_and_only_them(session, found_world, typed) -> None:  # noqa: ANN001
    worker, person, _ = found_world
    assert _ids(service.find_people(session, SETTINGS, worker.actor, typed)) == [person.id]


def test_nothing_found_is_an_empty_answer_and_lists_nobody(session, found_world) -> None:  # noqa: ANN001
    worker, person, other = found_world
    before = (_listed(session, person.id), _listed(session, other.id))
    assert service.find_people(session, SETTINGS, worker.actor, "07700 900124") == []
    assert service.find_people(session, SETTINGS, worker.actor, "nobody@example.org") == []
    assert (_listed(session, person.id), _listed(session, other.id)) == before


@pytest.mark.parametrize("typed", ["", "   ", "Amina Lookup", "AminaLookup", "Amina", "1234", "ab-12", "not an @ address",
                                   "x" * 400, "0770\u202e0900123"])
def test_what_cannot_be_an_exact_number_or_address_is_refused_with_a_field_error(session, found_world, typed) -> None:  # noqa: ANN001
    worker, _, _ = found_world
    with pytest.raises(InvalidInput) as refused:
        service.find_people(session, SETTINGS, worker.actor, typed)
    assert [error.name for error in refused.value.errors] == ["value"]


def test_a_word_with_a_digit_is_compared_as_a_reference_and_finds_no_name(session, found_world) -> None:  # noqa: ANN001
    # Names have no blind index: even one that passes for a reference (it has a digit) finds nobody.
    worker, _, _ = found_world
    assert service.find_people(session, SETTINGS, worker.actor, "AminaLookup1") == []


def test_each_record_found_is_audited_client_list(session, found_world) -> None:  # noqa: ANN001
    worker, person, other = found_world
    before = _listed(session, person.id)
    service.find_people(session, SETTINGS, worker.actor, "07700900123")
    assert _listed(session, person.id) == before + 1
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "client.list", AuditEvent.record_id == person.id)
                            .order_by(AuditEvent.seq.desc())).first()
    assert event.account_id == worker.account.id


def test_records_outside_the_scope_are_not_found_nor_hinted_at(session, found_world) -> None:  # noqa: ANN001
    worker, person, _ = found_world
    other_team = factories.caseworker(session, organisation_=worker.organisation)
    elsewhere = factories.caseworker(session)
    manager = account_factories.actor_for(account_factories.account(
        session, roles=("service-manager",), organisation_=worker.organisation, teams=()))
    manager_elsewhere = account_factories.actor_for(account_factories.account(
        session, roles=("service-manager",), organisation_=elsewhere.organisation, teams=()))
    peer = factories.member(session, worker, roles=("peer-supporter",), name="Peer")
    planner = account_factories.actor_for(account_factories.account(
        session, roles=("planner",), organisation_=worker.organisation, teams=()))
    for typed in ("07700900123", "9434765919"):
        assert service.find_people(session, SETTINGS, other_team.actor, typed) == []
        assert service.find_people(session, SETTINGS, elsewhere.actor, typed) == []
        assert service.find_people(session, SETTINGS, manager_elsewhere, typed) == []
        assert service.find_people(session, SETTINGS, peer.actor, typed) == []  # own scope: not their caseworker
        assert _ids(service.find_people(session, SETTINGS, manager, typed)) == [person.id]
    with pytest.raises(Exception) as refused:
        service.find_people(session, SETTINGS, planner, "07700900123")
    assert type(refused.value).__name__ == "Forbidden"


def test_a_number_shared_by_several_finds_each_in_scope(session, found_world) -> None:  # noqa: ANN001
    worker, person, other = found_world
    references.add_reference(session, SETTINGS, worker.actor, other.id, references.ReferenceInput("other", "9434765919"))
    assert set(_ids(service.find_people(session, SETTINGS, worker.actor, "943 476 5919"))) == {person.id, other.id}


# --- Reference numbers on the record --------------------------------------------------------------------------------


def test_references_are_sealed_indexed_listed_and_audited(session, found_world) -> None:  # noqa: ANN001
    worker, person, _ = found_world
    # Added in one transaction, so perhaps at the same moment: compared by kind, not by order.
    views = sorted(references.list_references(session, SETTINGS, person), key=lambda view: view.kind)
    assert [(view.kind, view.value, view.label) for view in views] == [
        ("health-service", "943 476 5919", "GP surgery"), ("refugee-council", "RC-2026/00417", None)]
    session.flush()
    for row in session.execute(text("select kind, value, lookup_index from client_reference where client_id = :id"),
                               {"id": person.id}):
        raw = bytes(row.value)
        assert b"943" not in raw and b"00417" not in raw and b"GP surgery" not in raw
        assert "943" not in row.lookup_index and len(row.lookup_index) == 64
    actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == person.id)))
    assert actions.count("client.reference.create") == 2
    references.remove_reference(session, SETTINGS, worker.actor, person.id, views[0].id)
    assert [view.kind for view in references.list_references(session, SETTINGS, person)] == ["refugee-council"]
    assert service.find_people(session, SETTINGS, worker.actor, "9434765919") == []
    assert "client.reference.remove" in session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == person.id)).all()


def test_bad_references_are_refused_naming_each_field(session, found_world) -> None:  # noqa: ANN001
    worker, person, _ = found_world
    with pytest.raises(InvalidInput) as refused:
        references.add_reference(session, SETTINGS, worker.actor, person.id,
                                 references.ReferenceInput("passport", "12-3", "x" * 201))
    assert [error.name for error in refused.value.errors] == ["kind", "value", "label"]
    with pytest.raises(InvalidInput):
        references.add_reference(session, SETTINGS, worker.actor, person.id, references.ReferenceInput("other", ""))


def test_only_writers_in_scope_add_or_remove_references(session, found_world) -> None:  # noqa: ANN001
    worker, person, _ = found_world
    other_team = factories.caseworker(session, organisation_=worker.organisation)
    with pytest.raises(NotFound):
        references.add_reference(session, SETTINGS, other_team.actor, person.id, references.ReferenceInput("other", "ABCDE1"))
    first = references.list_references(session, SETTINGS, person)[0]
    with pytest.raises(NotFound):
        references.remove_reference(session, SETTINGS, other_team.actor, person.id, first.id)
    with pytest.raises(NotFound):
        references.remove_reference(session, SETTINGS, worker.actor, person.id, "00000000-0000-4000-8000-000000000000")


def test_the_same_reference_makes_a_possible_duplicate(session, found_world) -> None:  # noqa: ANN001
    worker, person, other = found_world
    assert duplicates.possible_duplicates(session, SETTINGS, worker.actor, person) == []
    references.add_reference(session, SETTINGS, worker.actor, other.id,
                             references.ReferenceInput("case-reference", "rc 2026 00417"))
    [found] = duplicates.possible_duplicates(session, SETTINGS, worker.actor, person)
    assert (found.client_id, found.reasons) == (other.id, (duplicates.SAME_REFERENCE,))
    link = duplicates.decide(session, SETTINGS, worker.actor, person.id, other.id, duplicates.SAME_PERSON)
    assert link.reason == duplicates.SAME_REFERENCE


def test_erasing_the_record_takes_its_references(session, found_world) -> None:  # noqa: ANN001
    from carebridge.rights import service as rights

    worker, person, _ = found_world
    rights._shred(session, person)  # noqa: SLF001 - the erasure itself, without its confirmation word
    session.flush()
    assert session.scalars(select(ClientReference).where(ClientReference.client_id == person.id)).all() == []


# --- Pages and API --------------------------------------------------------------------------------------------------


@pytest.fixture
def web_world(session, app):  # noqa: ANN001, ANN201
    settings = app.state.settings
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor, preferred_name="Amina Webfind")
    references.add_reference(session, settings, worker.actor, person.id, references.ReferenceInput("other", "WEB-77-123"))
    session.commit()
    return settings, worker, person


def test_the_find_form_posts_and_answers_on_the_page_with_nothing_in_a_url_or_log(client, session, sign_in, web_world, caplog) -> None:  # noqa: ANN001
    _, worker, person = web_world
    csrf = sign_in(worker.account)
    caseload = client.get("/staff/clients")
    assert 'action="/staff/clients/find"' in caseload.text and 'method="post"' in caseload.text
    assert "Names cannot be searched" in caseload.text
    with caplog.at_level(logging.DEBUG):
        found = client.post("/staff/clients/find", data={"csrf_token": csrf, "value": "web 77 123"}, follow_redirects=False)
        assert found.status_code == 200
        assert "Amina Webfind" in found.text and f"/staff/clients/{person.id}" in found.text
        assert str(found.url).endswith("/staff/clients/find")
        none = client.post("/staff/clients/find", data={"csrf_token": csrf, "value": "WEB-77-124"})
        assert none.status_code == 200 and "No one you can see has this" in none.text and "Amina Webfind" not in none.text
        bad = client.post("/staff/clients/find", data={"csrf_token": csrf, "value": "Amina"})
        assert bad.status_code == 422 and 'href="#value"' in bad.text and 'value="Amina"' in bad.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "77" not in logged and "Amina" not in logged
    assert client.post("/staff/clients/find", data={"value": "WEB-77-123"}).status_code in (400, 403)  # no form token


def test_references_are_added_and_removed_on_the_person_s_page(client, session, sign_in, web_world) -> None:  # noqa: ANN001
    _, worker, person = web_world
    csrf = sign_in(worker.account)
    page = client.get(f"/staff/clients/{person.id}")
    assert 'id="references"' in page.text and "WEB-77-123" in page.text
    form = client.get(f"/staff/clients/{person.id}/references/new")
    assert form.status_code == 200 and 'name="kind"' in form.text
    bad = client.post(f"/staff/clients/{person.id}/references/new", data={"csrf_token": csrf, "kind": "other", "value": "12"})
    assert bad.status_code == 422 and 'value="12"' in bad.text and 'href="#value"' in bad.text
    added = client.post(f"/staff/clients/{person.id}/references/new", data={
        "csrf_token": csrf, "kind": "health-service", "value": "485 777 3456", "label": "GP"}, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"].endswith("?done=reference-added#references")
    assert "485" not in added.headers["location"]
    session.expire_all()
    [new] = [view for view in references.list_references(session, web_world[0], person) if view.value == "485 777 3456"]
    removed = client.post(f"/staff/clients/{person.id}/references/{new.id}/remove", data={"csrf_token": csrf},
                          follow_redirects=False)
    assert removed.status_code == 303 and removed.headers["location"].endswith("?done=reference-removed#references")
    # Never in a list.
    assert "WEB-77-123" not in client.get("/staff/clients?view=team").text


def test_the_api_lookup_and_references(client, session, web_world) -> None:  # noqa: ANN001
    settings, worker, person = web_world
    client.headers["X-CSRF-Token"] = audit_factories.sign_in_as(client, worker.actor)
    found = client.post("/api/v1/client-lookup", json={"value": "web77123"})
    assert found.status_code == 200 and [p["id"] for p in found.json()["people"]] == [person.id]
    assert client.post("/api/v1/client-lookup", json={"value": "WEB77124"}).json() == {"people": []}
    bad = client.post("/api/v1/client-lookup", json={"value": "Amina"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(PROBLEM) and "Amina" not in bad.text
    assert client.post("/api/v1/client-lookup", json={"value": "x", "name": "Amina"}).status_code == 422
    listed = client.get(f"/api/v1/clients/{person.id}/references").json()["items"]
    assert [(item["kind"], item["value"]) for item in listed] == [("other", "WEB-77-123")]
    created = client.post(f"/api/v1/clients/{person.id}/references", json={"kind": "refugee-council", "value": "RC 99 881"})
    assert created.status_code == 201 and created.json()["value"] == "RC 99 881"
    assert client.delete(f"/api/v1/clients/{person.id}/references/{created.json()['id']}").status_code == 204
    other = factories.caseworker(session, organisation_=worker.organisation)
    session.commit()
    client.headers["X-CSRF-Token"] = audit_factories.sign_in_as(client, other.actor)
    assert client.post("/api/v1/client-lookup", json={"value": "web77123"}).json() == {"people": []}
    assert client.get(f"/api/v1/clients/{person.id}/references").status_code == 404
    client.cookies.clear()
    unsigned = client.post("/api/v1/client-lookup", json={"value": "web77123"})
    assert unsigned.status_code == 401 and unsigned.headers["content-type"].startswith(PROBLEM)
