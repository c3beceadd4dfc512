"""The fictional Fairhaven demo data: valid HSDS 3.1, rich enough to exercise every search filter, and
reproducible from its tables. No database needed."""

from __future__ import annotations

import json
import math
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from carebridge.directory import taxonomy
from carebridge.directory.demo import GAZETTEER_PATH, SERVICES_PATH, build

HSDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "hsds" / "3.1"
SERVICE_SCHEMA = HSDS_DIR / "schema" / "compiled" / "service.json"

REFERENCE_DATE = date(2026, 11, 22)  # "today" for the last-verified spread in the demo data
STALE_BEFORE = date(2025, 11, 22)  # more than 12 months before REFERENCE_DATE
FICTIONAL_PHONE = re.compile(r"^(01632 960\d{3}|07700 900\d{3}|0808 157 0\d{3})$")
POSTCODE = re.compile(r"^FH\d \d[A-Z]{2}$")
HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"
REQUIRED_CATEGORIES = {
    "primary-care",
    "mental-health",
    "dental",
    "maternity",
    "legal-advice",
    "food",
    "housing",
    "language-classes",
    "emergency",
    "hospital-care",
    "sexual-reproductive-health",
    "vaccination",
    "communicable-diseases",
    "medicines",
    "social-support",
}


@pytest.fixture(scope="module")
def services() -> list[dict[str, Any]]:
    return json.loads(SERVICES_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gazetteer() -> dict[str, Any]:
    return json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))


def term_code(record: dict[str, Any]) -> str:
    return taxonomy.TERMS_BY_ID[record["taxonomy_term_id"]].code


def attribute_values(record: dict[str, Any], term: taxonomy.Term) -> list[str | None]:
    return [a.get("value") for a in record.get("attributes", []) if a["taxonomy_term_id"] == term.id]


def has(record: dict[str, Any], term: taxonomy.Term) -> bool:
    return bool(attribute_values(record, term))


def locations(services: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {sal["location"]["id"]: sal["location"] for s in services for sal in s["service_at_locations"]}


def schedules(service: dict[str, Any]) -> list[dict[str, Any]]:
    return service["schedules"] + [sch for sal in service["service_at_locations"] for sch in sal["schedules"]]


def walk(node: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON object in a document, with its path."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")


def without_addresses(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: without_addresses(value) for key, value in node.items() if key != "addresses"}
    if isinstance(node, list):
        return [without_addresses(value) for value in node]
    return node


def is_evening(schedule: dict[str, Any]) -> bool:
    opens, closes = schedule["opens_at"], schedule["closes_at"]
    return closes < opens or closes > "18:00" or opens >= "18:00"


def is_weekend(schedule: dict[str, Any]) -> bool:
    return any(day.endswith(("SA", "SU")) for day in schedule["byday"].split(","))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_chord = math.sin((phi2 - phi1) / 2) ** 2
    half_chord += math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(half_chord))


# ------------------------------------------------------------------------------------------------ HSDS validity


def test_every_service_validates_against_the_official_hsds_schema(services):
    if not SERVICE_SCHEMA.is_file():
        pytest.fail(f"HSDS 3.1 schemas not found at {HSDS_DIR}: the shared conformance material is required")
    validator = jsonschema.Draft202012Validator(json.loads(SERVICE_SCHEMA.read_text(encoding="utf-8")))
    problems = [
        f"{service['name']}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
        for service in services
        for error in validator.iter_errors(service)
    ]
    assert problems == []


def test_all_ids_are_uuids_and_each_id_names_exactly_one_record(services):
    seen: dict[str, str] = {}
    for path, record in walk(services):
        if "id" not in record:
            continue
        assert str(uuid.UUID(record["id"])) == record["id"], path
        canonical = json.dumps(record, sort_keys=True, ensure_ascii=False)
        # The same organisation or location appears inside several services; it must be the same record each time.
        assert seen.setdefault(record["id"], canonical) == canonical, f"id {record['id']} reused at {path}"
    assert len({s["id"] for s in services}) == len(services)


def test_nested_records_point_at_their_parents(services):
    for service in services:
        assert service["organization_id"] == service["organization"]["id"]
        for section in ("phones", "languages", "cost_options", "required_documents", "contacts"):
            assert all(item["service_id"] == service["id"] for item in service[section]), section
        for sal in service["service_at_locations"]:
            assert sal["service_id"] == service["id"]
            assert sal["location_id"] == sal["location"]["id"]
            assert all(schedule["service_at_location_id"] == sal["id"] for schedule in sal["schedules"])


def test_every_attribute_uses_a_known_term_linked_the_right_way(services):
    for path, record in walk(services):
        for attribute in record.get("attributes", []) if "link_id" not in record else []:
            term = taxonomy.TERMS_BY_ID.get(attribute.get("taxonomy_term_id"))
            assert term is not None, f"{path}: unknown taxonomy_term_id {attribute.get('taxonomy_term_id')}"
            assert attribute["link_id"] == record["id"], path
            assert attribute["link_entity"] == term.link_entity, f"{path}: {term.code}"
            expected_type = "category" if term in taxonomy.CATEGORY_TERMS else "access"
            assert attribute["link_type"] == expected_type, f"{path}: {term.code}"
            assert ("value" in attribute) == (term.value is not None), f"{path}: {term.code} value"


# ------------------------------------------------------------------------------------------------ coverage


def test_enough_organisations_and_services_across_all_categories(services):
    assert len({s["organization"]["id"] for s in services}) >= 25
    assert len(services) >= 80
    categories = Counter(
        term_code(a) for s in services for a in s["attributes"] if a["link_type"] == "category"
    )
    assert REQUIRED_CATEGORIES <= set(categories), REQUIRED_CATEGORIES - set(categories)
    assert all(any(a["link_type"] == "category" for a in s["attributes"]) for s in services)
    for core in ("primary-care", "mental-health", "dental", "maternity", "legal-advice", "food", "housing"):
        assert categories[core] >= 4, core
    assert categories["language-classes"] >= 4


def test_languages_spoken_and_interpreted_are_varied_iso_639_1_codes(services):
    spoken = Counter(language["code"] for s in services for language in s["languages"])
    interpreted = Counter(v for s in services for v in attribute_values(s, taxonomy.INTERPRETERS))
    assert all(re.fullmatch(r"[a-z]{2}", code) for code in list(spoken) + list(interpreted))
    assert {"en", "ar", "fa", "uk", "fr", "es", "ps", "ti", "so", "ku", "ur", "pl", "ro"} <= set(spoken) | set(
        interpreted
    )
    assert len(spoken) >= 15 and len(interpreted) >= 15
    assert sum(1 for s in services if any(lang["code"] != "en" for lang in s["languages"])) >= 40
    assert sum(1 for s in services if has(s, taxonomy.INTERPRETERS)) >= 30
    for service in services:
        codes = attribute_values(service, taxonomy.INTERPRETERS)
        assert len(codes) == len(set(codes)), service["name"]


def test_some_records_are_written_in_other_languages(services):
    content_languages = {}
    for service in services:
        values = attribute_values(service, taxonomy.CONTENT_LANGUAGE)
        assert len(values) == 1, service["name"]
        content_languages[service["name"]] = values[0]
    by_language = Counter(content_languages.values())
    assert by_language["en"] >= 70
    assert by_language["ar"] >= 1 and by_language["uk"] >= 1
    scripts = {"ar": r"[\u0600-\u06FF]", "fa": r"[\u0600-\u06FF]", "uk": r"[\u0400-\u04FF]"}
    for name, language in content_languages.items():
        if language in scripts:
            assert re.search(scripts[language], name), f"{name!r} is marked {language} but is not written in it"


def test_access_facts_are_varied(services):
    def count(term: taxonomy.Term) -> int:
        return sum(1 for s in services if has(s, term))

    assert count(taxonomy.NO_STATUS_CHECK) >= 40
    assert count(taxonomy.NO_DOCUMENTS) >= 40
    assert count(taxonomy.FREE) >= 40
    assert 0 < count(taxonomy.SAME_GENDER_CLINICIAN) < len(services)
    assert len(services) - count(taxonomy.NO_STATUS_CHECK) >= 10, "some services must check status"
    female = [s for s in services if attribute_values(s, taxonomy.ELIGIBLE_GENDER) == ["female"]]
    assert len(female) >= 4
    assert any("maternity" in {term_code(a) for a in s["attributes"]} for s in female)
    assert all(v in ("female", "male") for s in services for v in attribute_values(s, taxonomy.ELIGIBLE_GENDER))
    assert sum(1 for s in services if "minimum_age" in s) >= 5
    assert sum(1 for s in services if "maximum_age" in s) >= 5
    assert any(s.get("minimum_age", 0) >= 60 for s in services), "a service for older people"
    assert any(s.get("maximum_age", 99) <= 25 for s in services), "a service for young people"


def test_costs_and_documents(services):
    paid = [s for s in services if s["cost_options"]]
    assert len(paid) >= 8
    for service in paid:
        for cost in service["cost_options"]:
            assert cost["currency"] == "GBP" and cost["amount"] > 0
        assert not has(service, taxonomy.FREE), f"{service['name']} is marked free but has a price"
    assert sum(1 for s in services if s["required_documents"]) >= 5
    for service in services:
        if has(service, taxonomy.NO_DOCUMENTS):
            assert service["required_documents"] == [], service["name"]


def test_last_verified_and_source_on_every_service_with_about_ten_percent_stale(services):
    stale = 0
    for service in services:
        verified = attribute_values(service, taxonomy.LAST_VERIFIED)
        assert len(verified) == 1, service["name"]
        day = date.fromisoformat(verified[0])
        assert day <= REFERENCE_DATE, service["name"]
        stale += day < STALE_BEFORE
        sources = attribute_values(service, taxonomy.SOURCE)
        assert len(sources) == 1 and sources[0], service["name"]
    assert 0.07 <= stale / len(services) <= 0.15, f"{stale} of {len(services)} stale"


# ------------------------------------------------------------------------------------------------ opening hours


def test_schedules_follow_the_carebridge_conventions(services):
    for service in services:
        for schedule in schedules(service):
            label = f"{service['name']}: {schedule.get('description')}"
            assert schedule["freq"] in ("WEEKLY", "MONTHLY"), label
            assert HH_MM.match(schedule["opens_at"]) and HH_MM.match(schedule["closes_at"]), label
            assert schedule["opens_at"] != schedule["closes_at"], label
            assert schedule["timezone"] == 0, label
            assert attribute_values(schedule, taxonomy.TIME_ZONE) == ["Europe/London"], label
            days = schedule["byday"].split(",")
            if schedule["freq"] == "WEEKLY":
                assert all(day in ALL_DAYS.split(",") for day in days), label
            else:
                assert all(re.fullmatch(r"-?[1-4](MO|TU|WE|TH|FR|SA|SU)", day) for day in days), label
            if "valid_from" in schedule and "valid_to" in schedule:
                assert schedule["valid_from"] < schedule["valid_to"], label


def test_schedules_include_overnight_24_7_monthly_evening_and_weekend_hours(services):
    all_schedules = [(s, sch) for s in services for sch in schedules(s)]
    overnight = {s["id"] for s, sch in all_schedules if sch["closes_at"] < sch["opens_at"]}
    assert len(overnight) >= 2
    always_open = {
        s["id"]
        for s, sch in all_schedules
        if sch["byday"] == ALL_DAYS and (sch["opens_at"], sch["closes_at"]) == ("00:00", "23:59")
    }
    assert len(always_open) >= 1
    assert any(sch["freq"] == "MONTHLY" for _, sch in all_schedules)
    assert sum(1 for s in services if any(is_evening(sch) for sch in schedules(s))) >= 10
    assert sum(1 for s in services if any(is_weekend(sch) for sch in schedules(s))) >= 10
    assert any("valid_to" in sch for _, sch in all_schedules), "a seasonal schedule"


def test_open_evenings_and_weekends_agree_with_the_schedules(services):
    for service in services:
        assert has(service, taxonomy.OPEN_EVENINGS) == any(is_evening(x) for x in schedules(service)), service["name"]
        assert has(service, taxonomy.OPEN_WEEKENDS) == any(is_weekend(x) for x in schedules(service)), service["name"]


# ------------------------------------------------------------------------------------------------ places


def test_physical_locations_have_one_fictional_address_and_a_position_in_the_city(services, gazetteer):
    postcodes = {p["postcode"]: p for p in gazetteer["postcodes"]}
    # The confidential places' postcodes are never in the gazetteer (tests/directory/test_places.py): their
    # positions come from a private table.
    from carebridge.directory.demo.places import PRIVATE_POSTCODES

    private = {code: {"neighbourhood": area, "latitude": lat, "longitude": lon} for code, area, lat, lon in PRIVATE_POSTCODES}
    assert not private.keys() & postcodes.keys()
    postcodes |= private
    physical = [loc for loc in locations(services).values() if loc["location_type"] == "physical"]
    assert len(physical) >= 25
    for location in physical:
        assert 54.14 <= location["latitude"] <= 54.26 and 2.0 <= location["longitude"] <= 2.2, location["name"]
        (address,) = location["addresses"]
        assert address["address_type"] == "physical"
        assert (address["city"], address["state_province"], address["country"]) == ("Fairhaven", "England", "GB")
        assert POSTCODE.match(address["postal_code"]), address["postal_code"]
        postcode = postcodes[address["postal_code"]]
        assert address["address_2"] == postcode["neighbourhood"]
        km = distance_km(location["latitude"], location["longitude"], postcode["latitude"], postcode["longitude"])
        assert km < 0.3, f"{location['name']} is {km:.2f} km from its postcode"


def test_a_few_virtual_locations_for_helplines(services):
    virtual = [loc for loc in locations(services).values() if loc["location_type"] == "virtual"]
    assert len(virtual) >= 2
    for location in virtual:
        assert "latitude" not in location and not location.get("addresses")
        assert location["phones"], location["name"]


def test_exactly_two_confidential_locations_each_with_one_service_and_a_phone(services):
    confidential = {
        loc_id: loc for loc_id, loc in locations(services).items() if has(loc, taxonomy.CONFIDENTIAL_ADDRESS)
    }
    assert len(confidential) == 2
    users = [s for s in services for sal in s["service_at_locations"] if sal["location_id"] in confidential]
    assert len(users) == 2
    for service in users:
        assert service["phones"], f"{service['name']} must give a phone number"
    everything_else = json.dumps(without_addresses(services), ensure_ascii=False)
    for location in confidential.values():
        # The data holds the address so that the system can be tested on hiding it ...
        assert "latitude" in location and location["addresses"] and location["phones"]
        # ... but no other field may give it away.
        street = location["addresses"][0]["address_1"]
        assert everything_else.count(street) == 0, f"{street!r} appears outside the address record"
        assert street.split(" ", 1)[1] not in everything_else


def test_every_phone_number_email_and_web_address_is_fictional(services):
    phones = [record["number"] for _, record in walk(services) if "number" in record]
    assert phones and all(FICTIONAL_PHONE.match(number) for number in phones), [
        n for n in phones if not FICTIONAL_PHONE.match(n)
    ]
    for path, record in walk(services):
        for key in ("email", "assurer_email"):
            if key in record:
                assert record[key].endswith("@example.org"), path
        for key in ("url", "website"):
            if key in record:
                assert record[key].startswith("https://example.org/"), path


def test_gazetteer_has_fictional_neighbourhoods_and_postcodes(gazetteer, services):
    assert "FICTIONAL" in gazetteer["note"]
    assert (gazetteer["city"], gazetteer["jurisdiction"], gazetteer["time_zone"]) == (
        "Fairhaven",
        "GB-ENG",
        "Europe/London",
    )
    neighbourhoods = {n["name"]: n for n in gazetteer["neighbourhoods"]}
    assert len(neighbourhoods) == len(gazetteer["neighbourhoods"]) >= 10
    postcodes = [p["postcode"] for p in gazetteer["postcodes"]]
    assert len(set(postcodes)) == len(postcodes) >= 30
    for postcode in gazetteer["postcodes"]:
        assert POSTCODE.match(postcode["postcode"])
        area = neighbourhoods[postcode["neighbourhood"]]
        assert distance_km(postcode["latitude"], postcode["longitude"], area["latitude"], area["longitude"]) < 1.5
    names = [p.lower() for p in postcodes] + [n.lower() for n in neighbourhoods]
    assert len(set(names)) == len(names), "a place name must find exactly one place"
    centre = gazetteer["centre"]
    spread = max(
        distance_km(centre["latitude"], centre["longitude"], n["latitude"], n["longitude"])
        for n in neighbourhoods.values()
    )
    assert 3 <= spread <= 8, f"the city should span about 10 km, not {2 * spread:.1f}"
    used = {
        sal["location"]["addresses"][0]["address_2"]
        for s in services
        for sal in s["service_at_locations"]
        if sal["location"]["location_type"] == "physical"
    }
    assert len(used) >= 10, "services should be spread over most neighbourhoods"


# ------------------------------------------------------------------------------------------------ reproducibility


def test_regenerating_gives_byte_identical_files(tmp_path):
    for path, data in build.rendered_files(tmp_path).items():
        path.write_bytes(data)
    for committed in (SERVICES_PATH, GAZETTEER_PATH):
        rebuilt = tmp_path / committed.name
        assert rebuilt.read_bytes() == committed.read_bytes(), (
            f"{committed.name} is out of date: run python -m carebridge.directory.demo.build"
        )
    again = build.rendered_files(tmp_path)
    assert all(path.read_bytes() == data for path, data in again.items())


@pytest.mark.parametrize(
    ("hours", "fields", "words"),
    [
        ("MO-FR 09:00-17:00", {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR"}, "Monday to Friday, 9am to 5pm"),
        ("DAILY 20:00-08:00", {"freq": "WEEKLY", "byday": ALL_DAYS}, "Every day, 8pm to 8am the next morning"),
        ("24/7", {"freq": "WEEKLY", "byday": ALL_DAYS, "opens_at": "00:00", "closes_at": "23:59"}, "Open 24 hours"),
        ("1SA 10:00-15:00", {"freq": "MONTHLY", "byday": "1SA"}, "First Saturday of the month, 10am to 3pm"),
        ("TU,TH 12:30-14:00", {"byday": "TU,TH"}, "Tuesday and Thursday, 12:30pm to 2pm"),
    ],
)
def test_opening_hours_shorthand(hours, fields, words):
    parsed = build.parse_hours(hours)
    assert fields.items() <= parsed.items()
    assert build.describe_schedule(parsed).startswith(words)


@pytest.mark.parametrize(
    "hours", ["MO-FR 9-5", "XX 09:00-10:00", "MO 09:00-09:00", "MO,MO 09:00-10:00", "MO 25:00-26:00"]
)
def test_opening_hours_shorthand_rejects_mistakes(hours):
    with pytest.raises(ValueError):
        build.parse_hours(hours)
