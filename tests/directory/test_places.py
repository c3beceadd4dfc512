"""Place lookup (`near=` and the finder's "where" question) on the demo city, SQLite and PostgreSQL.

- A person can type the city's own name, a neighbourhood, a postcode district or a postcode, in any case and
  spacing; a full postcode the gazetteer does not list stands for its district.
- The gazetteer never holds a confidential location's postcode or position, and a guessed postcode beside a refuge
  gives exactly the answer any other unlisted postcode of its district gives.
- An unknown place gets the same answer (status and body) whatever was typed.
- The "where" page offers examples taken from the gazetteer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from carebridge.directory import demo, models, search, service
from carebridge.directory.demo import build, places
from carebridge.kit import geo

URL = "/api/v1/services/search"
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def connection(demo_city_connection):  # noqa: ANN001, ANN201 - overrides tests/conftest.py's: the demo city, loaded once
    return demo_city_connection


def _confidential_places() -> list[places.Place]:
    found = [place for place in places.PLACES if place.confidential]
    assert len(found) == 2  # the refuge and the safe house
    return found


def _secret_positions() -> set[tuple[float, float]]:
    return {(round(lat, 4), round(lon, 4)) for _, _, lat, lon in places.PRIVATE_POSTCODES}


def _place(client, near: str) -> Any:  # noqa: ANN001
    search.search_index_for(client.app).clock = lambda: NOW  # answers compared with each other: one moment
    response = client.get(URL, params={"near": near, "per_page": 100})
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("typed", "name", "kind"),
    [
        ("Fairhaven", "Fairhaven", "city"),
        ("  FAIRHAVEN ", "Fairhaven", "city"),
        ("fair haven", "Fairhaven", "city"),
        ("hollins-green", "Hollins Green", "neighbourhood"),
        ("fh11aa", "FH1 1AA", "postcode"),
        (" Fh1   1aA", "FH1 1AA", "postcode"),
        ("fh1", "FH1", "district"),
        ("FH1 9ZZ", "FH1", "district"),  # a full postcode not in the table: its district
        ("fh19zz", "FH1", "district"),
        ("FH١ ١AA", "FH1 1AA", "postcode"),  # Arabic-Indic digits
        ("FH۱ ۱AA", "FH1 1AA", "postcode"),  # Persian digits
        ("fh۳", "FH3", "district"),
        ("FH١ ٩ZZ", "FH1", "district"),
    ],
)
def test_a_place_can_be_typed_any_way(client, typed: str, name: str, kind: str) -> None:  # noqa: ANN001
    status, body = _place(client, typed)
    assert status == 200, body
    assert body["place"] == {"name": name, "kind": kind}
    assert body["total"] > 0


def test_no_gazetteer_entry_comes_from_a_confidential_location(session) -> None:  # noqa: ANN001
    gazetteer = demo.load_gazetteer()
    listed = {entry["postcode"] for entry in gazetteer["postcodes"]}
    positions = {(round(e["latitude"], 4), round(e["longitude"], 4)) for e in gazetteer["postcodes"] + gazetteer["neighbourhoods"]}
    stored = session.execute(select(models.GazetteerPlace.name, models.GazetteerPlace.latitude, models.GazetteerPlace.longitude)).all()
    for place in _confidential_places():
        assert place.postcode not in listed
        assert place.postcode not in {row.name for row in stored}
    assert not positions & _secret_positions()
    assert not {(round(row.latitude, 4), round(row.longitude, 4)) for row in stored} & _secret_positions()
    # The refuges' addresses really are in the directory (the checks above can fail).
    exported = str(list(service.export_services(session, redact=False)))
    assert all(place.postcode in exported for place in _confidential_places())


def test_the_build_refuses_a_gazetteer_with_a_confidential_postcode(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(places, "POSTCODES", places.POSTCODES + places.PRIVATE_POSTCODES[:1])
    with pytest.raises(ValueError, match="confidential"):
        build.build_gazetteer()


def test_loading_a_gazetteer_never_stores_a_confidential_postcode(session) -> None:  # noqa: ANN001
    refuge = _confidential_places()[0]
    gazetteer = demo.load_gazetteer()
    gazetteer["postcodes"].append({"postcode": refuge.postcode, "neighbourhood": "Hollins Green", "latitude": 54.3, "longitude": 2.2})
    service.load_gazetteer(session, gazetteer)
    names = set(session.execute(select(models.GazetteerPlace.name)).scalars())
    assert refuge.postcode not in names and "FH1 1AA" in names


@pytest.mark.parametrize("secret", [place.postcode for place in places.PLACES if place.confidential])
def test_a_guessed_postcode_at_a_refuge_looks_like_any_other_of_its_district(client, secret: str) -> None:  # noqa: ANN001
    district = secret.split()[0]
    answers = [_place(client, guess) for guess in (secret, secret.lower().replace(" ", ""), f"{district} 9ZZ", f"{district} 1AB")]
    assert answers[0][0] == 200
    assert answers[0][1]["place"] == {"name": district, "kind": "district"}
    for answer in answers[1:]:
        assert answer == answers[0], "the refuge's postcode must not stand out"


@pytest.mark.parametrize("typed", ["Atlantis", "ZZ9 9ZZ", "FH9 1AA", "FH", "12345", "نيويورك"])
def test_an_unknown_place_gets_the_same_answer_whatever_was_typed(client, typed: str) -> None:  # noqa: ANN001
    status, body = _place(client, typed)
    reference_status, reference = _place(client, "Nowhere At All")
    assert (status, body) == (reference_status, reference)
    assert status == 422 and body["errors"][0]["name"] == "near"
    assert body["errors"][0]["allowed"] == search.place_examples(search.search_index_for(client.app).get(), count=8)


def test_place_examples_come_from_the_gazetteer(client) -> None:  # noqa: ANN001
    gazetteer = demo.load_gazetteer()
    known = {gazetteer["city"]} | {e["name"] for e in gazetteer["neighbourhoods"]} | {e["postcode"] for e in gazetteer["postcodes"]}
    known |= {e["postcode_district"] for e in gazetteer["neighbourhoods"]}
    examples = search.place_examples(search.search_index_for(client.app).get())
    assert examples and set(examples) <= known
    assert gazetteer["city"] in examples


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_where_page_shows_examples_from_the_gazetteer(client, lang: str) -> None:  # noqa: ANN001
    examples = search.place_examples(search.search_index_for(client.app).get())
    page = client.get("/find/where", params={"lang": lang, "category": "food"})
    assert page.status_code == 200
    hint = page.text.split('id="near-hint"', 1)[1].split("</p>", 1)[0]
    assert any(" " in name for name in examples)  # a name of two words ("Ashby Park") is among them
    for name in examples:
        # Each example whole and isolated: no line break inside (the keep class), its own direction, in order.
        assert f'<bdi class="keep" dir="auto">\u2068{name}\u2069</bdi>' in hint


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("fairhaven", "Fairhaven"), ("fh3 9zz", "FH3"), ("FH33TQ", "FH3"), ("FH١ ١AA", "FH1+1AA"), ("FH۱ ۱AA", "FH1+1AA")],
)
def test_the_where_question_accepts_the_city_and_full_postcodes(client, typed: str, canonical: str) -> None:  # noqa: ANN001
    response = client.get("/find/where", params={"lang": "en", "category": "food", "near": typed, "answered": "1"}, follow_redirects=False)
    assert response.status_code == 303
    assert f"near={canonical}" in response.headers["location"]


def test_postcode_district() -> None:
    assert geo.postcode_district("fh33tq") == "fh3"
    assert geo.postcode_district("sw1a1aa") == "sw1a"
    assert geo.postcode_district("m11ae") == "m1"
    assert geo.postcode_district("fh3") is None and geo.postcode_district("atlantis") is None
