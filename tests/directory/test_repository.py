"""Directory queries (SQLite and PostgreSQL): place names, the gazetteer, the revision counter, and loading records
with a fixed number of queries however many there are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session
from test_hsds import uid, valid_service

from carebridge.directory import repository, service, taxonomy


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("FH1 1AA", "fh11aa"),
        ("fh11aa", "fh11aa"),
        (" fh1  1aa ", "fh11aa"),
        ("Town Centre", "towncentre"),
        ("TOWN-CENTRE", "towncentre"),
        ("Hollins Green", "hollinsgreen"),
        ("St. Mary's", "stmarys"),
        ("Saint-Étienne", "saintetienne"),
        ("Straße", "strasse"),
        ("عِيادة", "عياده"),
        ("عيادة", "عياده"),
        ("Київ", "киів"),
        ("", ""),
        ("!!! ---", ""),
    ],
)
def test_place_names_are_compared_without_case_accents_spaces_or_punctuation(typed: str, key: str) -> None:
    assert repository.normalize_place_name(typed) == key


def test_the_gazetteer_is_upserted_by_normalised_name(session: Session) -> None:
    places = [
        {"kind": "postcode", "name": "FH1 1AA", "normalized_name": "fh11aa", "area": "Town Centre", "latitude": 54.2001, "longitude": 2.1003},
        {"kind": "neighbourhood", "name": "Town Centre", "normalized_name": "towncentre", "area": None, "latitude": 54.2, "longitude": 2.1},
    ]
    assert repository.upsert_places(session, places) == (2, 0)
    places[0]["latitude"] = 54.3
    assert repository.upsert_places(session, places) == (0, 2)
    found = repository.find_place(session, "fh1 1aa")
    assert found is not None and found.name == "FH1 1AA" and found.latitude == 54.3 and found.area == "Town Centre"
    assert repository.find_place(session, "Town  centre").kind == "neighbourhood"
    assert repository.find_place(session, "Atlantis") is None
    assert repository.find_place(session, "  ") is None


def test_the_revision_moves_on_by_one(session: Session) -> None:
    start = repository.current_revision(session)
    assert repository.bump_revision(session) == start + 1
    assert repository.bump_revision(session) == start + 2
    assert repository.current_revision(session) == start + 2


@contextmanager
def counted_queries(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()
    target = engine.engine if hasattr(engine, "engine") else engine

    def record(_connection, _cursor, statement, _parameters, _context, _executemany):  # noqa: ANN001
        statements.append(statement)

    event.listen(target, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", record)


def test_loading_takes_the_same_number_of_queries_for_2_or_12_services(session: Session) -> None:
    service.import_documents(session, [valid_service(f"s{number}", confidential=number % 3 == 0) for number in range(12)])
    with counted_queries(session) as few:
        small = repository.load_graph(session, service_ids=[uid("s0", "service"), uid("s1", "service")])
    with counted_queries(session) as many:
        large = repository.load_graph(session, service_ids=[uid(f"s{number}", "service") for number in range(12)])
    assert len(small.rows["service"]) == 2 and len(large.rows["service"]) == 12
    assert len(few) == len(many) < 40
    assert large.is_confidential(uid("s3", "location")) and not large.is_confidential(uid("s1", "location"))
    assert repository.confidential_location_ids(session, [uid(f"s{n}", "location") for n in range(12)]) == {
        uid(f"s{n}", "location") for n in (0, 3, 6, 9)
    }


def test_export_pages_through_services_in_id_order(session: Session) -> None:
    service.import_documents(session, [valid_service(f"s{number}") for number in range(5)])
    ids = sorted(uid(f"s{number}", "service") for number in range(5))
    assert repository.service_ids_after(session, None, 3) == ids[:3]
    assert repository.service_ids_after(session, ids[2], 3) == ids[3:]
    assert repository.service_ids_after(session, ids[-1], 3) == []


def test_children_come_back_in_id_order_and_terms_fall_back_to_carebridge(session: Session) -> None:
    document = valid_service()
    document["phones"] = [
        {"id": "phone-c", "number": "3"},
        {"id": "phone-a", "number": "1"},
        {"id": "phone-b", "number": "2"},
    ]
    service.import_documents(session, [document])
    graph = repository.load_graph(session, service_ids=[document["id"]])
    assert [row.id for row in graph.children("phone", "service_id", document["id"])] == ["phone-a", "phone-b", "phone-c"]
    assert graph.term(taxonomy.FREE.id).code == "free"
    assert repository.DirectoryGraph().term(taxonomy.FREE.id).name == "Free of charge"  # even when not seeded
