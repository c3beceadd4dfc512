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

from carebridge import cli
from carebridge.cli import load_demo, upgrade_database
from carebridge.db import make_engine, session_scope
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
    """`make run` loads the demo on every start: the second time it notices the same demo data at the same
    directory revision and does nothing (fast, and the revision does not move)."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade_database(url)
    env = {**os.environ, "CAREBRIDGE_DATABASE_URL": url}

    def load(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "carebridge.cli", "demo", "load", *extra],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )

    def revision() -> int:
        engine = make_engine(url)
        with Session(engine) as session:
            value = repository.current_revision(session)
        engine.dispose()
        return value

    first = load()
    assert first.returncode == 0, first.stderr
    assert f"services: {len(demo.load_services())} created" in first.stdout
    loaded_at = revision()
    second = load()
    assert second.returncode == 0, second.stderr
    assert "already loaded" in second.stdout and "nothing to do" in second.stdout
    assert revision() == loaded_at
    forced = load("--force")
    assert "services: 0 created" in forced.stdout
    assert revision() == loaded_at + 1
    assert "already loaded" in load().stdout


def test_demo_load_notices_the_demo_data_already_there(session_factory) -> None:  # noqa: ANN001
    first = load_demo(session_factory)
    assert "FICTIONAL" in first and "created" in first
    with session_factory() as session:
        revision = repository.current_revision(session)
    assert "already loaded" in load_demo(session_factory)
    with session_factory() as session:
        assert repository.current_revision(session) == revision


def test_demo_load_loads_again_when_the_directory_changed_since(session_factory, monkeypatch) -> None:  # noqa: ANN001
    load_demo(session_factory)
    with session_scope(session_factory) as session:
        repository.bump_revision(session)  # an import or edit since the demo was loaded
    again = load_demo(session_factory)
    assert "already loaded" not in again and "services: 0 created" in again
    assert "already loaded" in load_demo(session_factory)
    monkeypatch.setattr(cli, "demo_fingerprint", lambda: "a-newer-demo")  # new demo data in a new release
    assert "already loaded" not in load_demo(session_factory)
