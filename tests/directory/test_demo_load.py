"""Loading the fictional demo city (SQLite and PostgreSQL): taxonomies seeded, every demo service imported, the
gazetteer filled, and loading twice gives the same directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from test_hsds import assert_round_trip, directory_counts

from carebridge.cli import upgrade_database
from carebridge.directory import demo, models, repository, service, taxonomy


def _place_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(models.GazetteerPlace)).scalar_one()


def test_demo_load_fills_the_directory_and_is_idempotent(session: Session) -> None:
    message = service.load_demo_data(session)
    assert "FICTIONAL" in message and "Fairhaven" in message
    counts = directory_counts(session)
    places = _place_count(session)
    services = demo.load_services()
    assert counts["service"] == len(services)
    assert counts["taxonomy_term"] == len(taxonomy.ALL_TERMS)
    gazetteer = demo.load_gazetteer()
    districts = {place["postcode_district"] for place in gazetteer["neighbourhoods"]}
    city = 1  # the city's own name is a place too
    assert places == len(gazetteer["neighbourhoods"]) + len(gazetteer["postcodes"]) + len(districts) + city

    again = service.load_demo_data(session)
    assert "services: 0 created" in again and "0 places created" in again
    second = directory_counts(session)
    assert second["revision"] == counts["revision"] + 1
    assert {key: value for key, value in second.items() if key != "revision"} == {
        key: value for key, value in counts.items() if key != "revision"
    }
    assert _place_count(session) == places


def test_every_demo_service_reads_back_as_it_was_written(session: Session) -> None:
    service.load_demo_data(session)
    exported = {document["id"]: document for document in service.export_services(session, redact=False)}
    for record in demo.load_services():
        assert_round_trip(record, exported.get(record["id"]))


def test_demo_places_can_be_found_however_they_are_typed(session: Session) -> None:
    service.load_demo_data(session)
    gazetteer = demo.load_gazetteer()
    postcode = gazetteer["postcodes"][0]
    found = repository.find_place(session, postcode["postcode"].lower().replace(" ", ""))
    assert found is not None and found.kind == "postcode"
    assert (found.latitude, found.longitude, found.area) == (postcode["latitude"], postcode["longitude"], postcode["neighbourhood"])
    neighbourhood = gazetteer["neighbourhoods"][0]
    found = repository.find_place(session, f"  {neighbourhood['name'].upper()} ")
    assert found is not None and found.kind == "neighbourhood" and found.name == neighbourhood["name"]
    district = repository.find_place(session, neighbourhood["postcode_district"].lower())
    assert district is not None and district.kind == "district"


def test_demo_schedules_take_their_time_zone_from_the_attribute(session: Session) -> None:
    service.load_demo_data(session)
    zones = set(session.execute(select(models.Schedule.timezone_name).distinct()).scalars())
    assert zones == {"Europe/London"}


def test_demo_confidential_services_are_redacted(session: Session) -> None:
    service.load_demo_data(session)
    confidential = repository.confidential_location_ids(session, session.execute(select(models.Location.id)).scalars())
    assert len(confidential) >= 2
    for document in service.export_services(session):
        for item in document["service_at_locations"]:
            location = item["location"]
            if location["id"] in confidential:
                assert "latitude" not in location
                assert all(address["address_1"] == "" and address["postal_code"] == "" for address in location["addresses"])


def test_the_demo_load_command_twice(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade_database(url)
    env = {**os.environ, "CAREBRIDGE_DATABASE_URL": url}
    runs = [
        subprocess.run([sys.executable, "-m", "carebridge.cli", "demo", "load"], capture_output=True, text=True, env=env, timeout=120, check=False)
        for _ in range(2)
    ]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr
    assert f"services: {len(demo.load_services())} created" in runs[0].stdout
    assert "services: 0 created" in runs[1].stdout
