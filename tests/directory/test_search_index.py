"""The search index itself: what it reads from the database, how it keeps current, and that its vectorised
opening hours agree with the scalar rules for every entry."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson
import pytest
from search_directory import DirectoryBuilder, bump_revision, weekly
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from carebridge.cli import upgrade_database
from carebridge.db import make_engine
from carebridge.directory import models, taxonomy
from carebridge.directory.schedules import open_at_timestamp
from carebridge.directory.search_index import SearchIndexHolder, build_search_index, note_directory_changed

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def build(session: Session):  # noqa: ANN201
    session.flush()
    return build_search_index(session, "Europe/London", now=NOW)


def test_languages_are_read_as_iso_639_1_where_possible(session: Session) -> None:
    directory = DirectoryBuilder(session)
    directory.service("Clinic", 54.2, 2.1, languages=("ara", "PER", "en-GB", "prs"), interpreters=("ukr",))
    index = build(session)
    result = orjson.loads(index.documents[0] + b"}")
    assert result["languages"] == ["ar", "en", "fa", "prs"]
    assert result["interpreter_languages"] == ["uk"]
    assert index.language_codes == ("ar", "en", "fa", "prs", "uk")


def test_entries_one_per_service_and_location_inactive_left_out(session: Session) -> None:
    directory = DirectoryBuilder(session)
    directory.service("Phone line", with_location=False, languages=("ar",))
    directory.service("Closed down", 54.2, 2.1, status="defunct")
    two = directory.service("Two places", 54.2, 2.1)
    second_location = "loc-second"
    session.add(models.Location(id=second_location, name="Annex", latitude=54.3, longitude=2.2))
    session.flush()
    session.add(models.ServiceAtLocation(id="sal-second", service_id=two.service_id, location_id=second_location))
    index = build(session)
    results = [orjson.loads(document + b"}") for document in index.documents]
    assert [(r["name"], r["location_id"]) for r in results] == [
        ("Phone line", None), ("Two places", two.location_id), ("Two places", second_location),
    ]
    assert np.isnan(index.distance_latitude[0]) and index.by_latitude.tolist() == [1, 2]


def test_schedule_zone_from_the_time_zone_attribute_and_precedence(session: Session) -> None:
    directory = DirectoryBuilder(session)
    built = directory.service("Clinic", 54.2, 2.1)
    session.add(models.Schedule(id="s-link", service_at_location_id=built.link_id, freq="WEEKLY", byday="MO", opens_at="09:00", closes_at="10:00"))
    session.add(models.Schedule(id="s-service", service_id=built.service_id, freq="WEEKLY", byday="TU", opens_at="09:00", closes_at="10:00"))
    session.flush()
    session.add(models.Attribute(id="tz", link_id="s-link", link_entity="schedule", taxonomy_term_id=taxonomy.TIME_ZONE.id, value="America/New_York"))
    index = build(session)
    (rule,) = index.rules[0]  # the service-at-location's schedule wins over the service's
    assert str(rule.zone) == "America/New_York" and rule.weekdays == frozenset({0})


def test_document_is_valid_json_without_confidential_fields(session: Session) -> None:
    directory = DirectoryBuilder(session)
    directory.service("Refuge", 54.2147, 2.1261, confidential=True, street="7 Secret Lane", postcode="FH2 9ZZ")
    index = build(session)
    text = (index.documents[0] + b"}").decode()
    assert orjson.loads(text)["confidential_address"] is True
    for secret in ("Secret", "FH2 9ZZ", "54.2147", "2.1261", "Refuge building"):
        assert secret not in text
    assert "secret" not in index.text.words and "refuge" in index.text.words


def test_vectorised_opening_hours_agree_with_the_rules_for_every_entry(session: Session) -> None:
    directory = DirectoryBuilder(session)
    patterns = [
        (weekly("MO,TU,WE,TH,FR", "09:00", "17:00"),),
        (weekly("FR,SA", "20:00", "08:00"),),
        (weekly("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00", "Australia/Sydney"),),
        ({"freq": "MONTHLY", "byday": "1SA", "opens_at": "10:00", "closes_at": "13:00", "timezone_name": "Europe/London"},),
        ({"freq": "WEEKLY", "interval": 2, "byday": "TU", "dtstart": date(2026, 1, 6), "opens_at": "13:00", "closes_at": "16:00"},),
        (weekly("SA,SU", "11:00", "15:00", "America/New_York"), weekly("WE", "18:00", "21:00", "America/New_York")),
        (weekly("MO", "09:00", "17:00", valid_to=date(2026, 1, 1)),),
    ]
    for number, schedules in enumerate(patterns):
        directory.service(f"Service {number}", 54.2, 2.1, schedules=schedules)
    index = build(session)
    instants = [NOW + timedelta(minutes=37 * step) for step in range(0, 24 * 60 // 37 * 9)]
    instants += [datetime(2026, 12, 5, 11, 0, tzinfo=UTC), datetime(2027, 3, 28, 0, 30, tzinfo=UTC), datetime(2030, 6, 1, 12, 0, tzinfo=UTC)]
    everyone = np.arange(index.size)
    for instant in instants:
        timestamp = instant.timestamp()
        expected = [open_at_timestamp(index.rules[entry], timestamp) for entry in range(index.size)]
        assert index.open_mask(timestamp).tolist() == expected, instant
        assert index.open_mask(timestamp, everyone[:3])[:3].tolist() == expected[:3], instant


def test_seconds_in_opening_times_turn_off_the_per_minute_shortcut(session: Session) -> None:
    directory = DirectoryBuilder(session)
    directory.service("Precise", 54.2, 2.1, schedules=(weekly("MO", "09:00:30", "10:00"),))
    index = build(session)
    assert not index.whole_minutes
    monday_9 = datetime(2026, 11, 23, 9, 0, 10, tzinfo=UTC).timestamp()
    assert index.open_mask(monday_9).tolist() == [False]
    assert index.open_mask(monday_9 + 30).tolist() == [True]


def test_word_index_prefixes(session: Session) -> None:
    directory = DirectoryBuilder(session)
    directory.service("Médecins du Monde", 54.2, 2.1, description="Soins gratuits")
    directory.service("Medway Dental", 54.2, 2.1, categories=("dental",))
    index = build(session)
    assert index.text.prefix_mask("med").tolist() == [True, True]
    # Entries are sorted by folded name: "medecins du monde" before "medway dental".
    assert index.text.prefix_mask("medec").tolist() == [True, False]
    assert index.text.prefix_mask("dental").tolist() == [False, True]  # the category's name
    assert index.text.prefix_mask("zzz").tolist() == [False, False]


def test_holder_keeps_the_index_until_the_revision_moves(session_factory: sessionmaker[Session], session: Session) -> None:
    holder = SearchIndexHolder(session_factory, check_seconds=3600, clock=lambda: NOW)
    first = holder.get()
    assert holder.ready() is first
    DirectoryBuilder(session).service("New", 54.2, 2.1)
    session.flush()
    assert holder.get() is first  # not due yet
    holder.check_seconds = 0
    assert holder.ready() is None  # a check is due: the caller must use get()
    assert holder.get() is first  # checked: same revision
    bump_revision(session)
    session.flush()
    second = holder.get()
    assert second is not first and second.size == first.size + 1


def test_a_process_change_is_noticed_at_once(session_factory: sessionmaker[Session]) -> None:
    holder = SearchIndexHolder(session_factory, check_seconds=3600)
    holder.get()
    assert holder.ready() is not None
    note_directory_changed()
    assert holder.ready() is None


def test_background_rebuild_with_an_engine(tmp_path: Path) -> None:
    """An Engine-bound app rebuilds in a background thread and keeps serving the old index meanwhile."""
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        with factory() as session:
            DirectoryBuilder(session).service("First", 54.2, 2.1)
            session.commit()
        holder = SearchIndexHolder(factory, check_seconds=0)
        assert holder.background
        first = holder.get()
        assert first.size == 1
        with factory() as session:
            DirectoryBuilder(session).service("Second", 54.2, 2.1)
            session.execute(update(models.DirectoryRevision).values(revision=models.DirectoryRevision.revision + 1))
            session.commit()
        assert holder.get() is first  # the rebuild runs in the background; the old index answers meanwhile
        deadline = time.monotonic() + 30
        while holder.index is first and time.monotonic() < deadline:
            time.sleep(0.05)
        assert holder.index is not first and holder.index.size == 2
    finally:
        engine.dispose()


@pytest.mark.parametrize("value", ["2026-09-01", " 2026-09-01 ", "2026-09-01T10:00:00Z"])
def test_last_verified_date_forms(session: Session, value: str) -> None:
    DirectoryBuilder(session).service("Clinic", 54.2, 2.1, last_verified=value)
    index = build(session)
    assert orjson.loads(index.documents[0] + b"}")["last_verified"] == "2026-09-01"


def test_a_database_outage_keeps_the_old_index(session_factory: sessionmaker[Session]) -> None:
    holder = SearchIndexHolder(session_factory, check_seconds=0)
    first = holder.get()

    def unreachable() -> Session:
        raise ConnectionError("database unreachable")

    holder.session_factory = unreachable
    assert holder.get() is first


def test_the_repositorys_revision_bump_is_noticed_at_once(session_factory: sessionmaker[Session], session: Session) -> None:
    from carebridge.directory.repository import bump_revision as repository_bump

    holder = SearchIndexHolder(session_factory, check_seconds=3600)
    holder.get()
    repository_bump(session)
    assert holder.ready() is not None  # not committed yet: nothing to see
    session.commit()
    assert holder.ready() is None  # committed in this process: checked at once
