"""A synthetic directory for the benchmark: services clustered in cities in different time zones.

Deterministic (seeded). Inserted with plain Core executemany in batches, on SQLite or PostgreSQL. Every row is
fictional; nothing here is demo data.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import sqlalchemy
from sqlalchemy.engine import Engine

from carebridge.directory import models, taxonomy
from carebridge.kit.text import compact

# (name, latitude, longitude, IANA zone, share of the services, spread in km)
CITIES = (
    ("London", 51.5072, -0.1276, "Europe/London", 0.22, 9.0),
    ("Manchester", 53.4808, -2.2426, "Europe/London", 0.12, 6.0),
    ("Berlin", 52.5200, 13.4050, "Europe/Berlin", 0.14, 8.0),
    ("Paris", 48.8566, 2.3522, "Europe/Paris", 0.14, 7.0),
    ("New York", 40.7128, -74.0060, "America/New_York", 0.14, 9.0),
    ("Toronto", 43.6532, -79.3832, "America/Toronto", 0.08, 7.0),
    ("Amman", 31.9539, 35.9106, "Asia/Amman", 0.08, 6.0),
    ("Sydney", -33.8688, 151.2093, "Australia/Sydney", 0.08, 9.0),
)
LANGUAGES = ("en", "ar", "fa", "uk", "fr", "es", "ru", "pl", "ro", "so", "ti", "ps", "ur", "tr", "de", "zh", "prs", "ku")
LANGUAGE_WEIGHTS = (40, 14, 8, 8, 8, 7, 5, 4, 3, 3, 2, 3, 3, 3, 4, 3, 2, 2)
LOCAL_LANGUAGE = {"London": "en", "Manchester": "en", "Berlin": "de", "Paris": "fr", "New York": "en", "Toronto": "en", "Amman": "ar", "Sydney": "en"}
WORDS = (
    "health centre clinic family doctor walk-in dental care counselling support group advice legal food bank "
    "pantry shelter housing refuge language class english women children youth maternity midwife pharmacy "
    "vaccination testing community drop-in welcome centre free confidential help forms asylum refugee migrant "
    "mental wellbeing trauma peer support interpreter night day weekend evening"
).split()
ARABIC_WORDS = "عيادة صحة مركز مساعدة قانونية طعام سكن لغة دعم نفسي مجانية عائلة".split()
FRENCH_WORDS = "médecin santé aide juridique logement nourriture soutien accueil réfugiés".split()
NAME_HEADS = ("Harbour", "Riverside", "Central", "Northside", "Eastgate", "Westfield", "Hillcrest", "Parkview", "Oakwood", "Bridge", "Station", "Market", "Unity", "Hope", "Welcome", "Crossroads")
NAME_TAILS = ("Health Centre", "Clinic", "Surgery", "Dental Practice", "Advice Centre", "Food Bank", "Night Shelter", "Law Centre", "Family Hub", "Community Pantry", "Counselling Service", "Language Cafe", "Drop-in", "Maternity Unit", "Pharmacy")
WEEKDAYS = "MO,TU,WE,TH,FR"


def _position(rng: random.Random, latitude: float, longitude: float, spread_km: float) -> tuple[float, float]:
    north, east = rng.gauss(0, spread_km), rng.gauss(0, spread_km)
    return (
        latitude + north / 111.2,
        longitude + east / (111.2 * math.cos(math.radians(latitude))),
    )


def _schedules(rng: random.Random, zone: str) -> list[dict[str, Any]]:
    """Opening hours as a city's services publish them: office hours, evenings, weekends, nights, some monthly."""
    pattern = rng.random()
    rows: list[dict[str, Any]] = []

    def weekly(byday: str, opens: str, closes: str) -> None:
        rows.append({"freq": "WEEKLY", "byday": byday, "opens_at": opens, "closes_at": closes})

    if pattern < 0.45:
        weekly(WEEKDAYS, rng.choice(["08:00", "08:30", "09:00", "10:00"]), rng.choice(["16:00", "17:00", "17:30", "18:00"]))
        if rng.random() < 0.35:
            weekly(rng.choice(["TU", "WE", "TH", "TU,TH"]), "17:30", rng.choice(["19:30", "20:00", "21:00"]))
        if rng.random() < 0.25:
            weekly("SA", "10:00", rng.choice(["13:00", "14:00", "16:00"]))
    elif pattern < 0.60:
        weekly(rng.choice(["MO,WE,FR", "TU,TH", "MO,TU,WE,TH"]), "10:00", "15:00")
        weekly("SA,SU", "11:00", "15:00")
    elif pattern < 0.70:
        weekly("MO,TU,WE,TH,FR,SA,SU", rng.choice(["19:00", "20:00", "21:00"]), rng.choice(["07:00", "08:00", "09:00"]))
    elif pattern < 0.75:
        weekly("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00")
    elif pattern < 0.82:
        weekly(WEEKDAYS, "12:00", "14:00")
        weekly(WEEKDAYS, "17:00", "22:00")
    elif pattern < 0.88:
        rows.append({"freq": "MONTHLY", "byday": rng.choice(["1SA", "2TU", "-1FR", "3WE"]), "opens_at": "10:00", "closes_at": "13:00"})
        weekly(rng.choice(["MO", "TU", "WE"]), "09:00", "12:00")
    elif pattern < 0.92:
        rows.append({"freq": "WEEKLY", "interval": 2, "byday": rng.choice(["TU", "TH"]), "opens_at": "13:00", "closes_at": "16:00", "dtstart": date(2026, 1, 6)})
    elif pattern < 0.96:
        weekly(WEEKDAYS, "09:00", "17:00")
        rows[-1]["valid_to"] = date(2025, 12, 31)  # closed for good
        weekly(WEEKDAYS, "10:00", "16:00")
        rows[-1]["valid_from"] = date(2026, 1, 1)
    # else: no published hours
    for row in rows:
        row["timezone_name"] = zone
    return rows


def generate(services: int, seed: int = 20261123) -> dict[str, list[dict[str, Any]]]:
    """All rows of a synthetic directory, table by table."""
    rng = random.Random(seed)
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in (
        "organization", "service", "location", "service_at_location", "address", "phone", "language", "attribute",
        "schedule", "gazetteer_place",
    )}
    taxonomies, terms = taxonomy.taxonomy_records()
    tables["taxonomy"] = taxonomies
    tables["taxonomy_term"] = terms
    shares = [city[4] for city in CITIES]
    counters = {"attribute": 0, "language": 0, "schedule": 0}

    def attribute(entity: str, link_id: str, term: taxonomy.Term, value: str | None = None, link_type: str | None = None) -> None:
        counters["attribute"] += 1
        tables["attribute"].append({
            "id": f"a{counters['attribute']}", "link_id": link_id, "link_entity": entity, "link_type": link_type,
            "taxonomy_term_id": term.id, "value": value, "label": None,
        })

    for city, latitude, longitude, zone, _share, spread in CITIES:
        for number in range(12):
            place_lat, place_lon = _position(rng, latitude, longitude, spread * 0.8)
            name = f"{city} {rng.choice(NAME_HEADS)} {number + 1}"
            tables["gazetteer_place"].append({
                "kind": "neighbourhood", "name": name, "normalized_name": compact(name), "area": city,
                "latitude": place_lat, "longitude": place_lon,
            })

    organization_id = None
    for number in range(services):
        city, latitude, longitude, zone, _share, spread = rng.choices(CITIES, weights=shares)[0]
        if number % 4 == 0:
            organization_id = f"o{number // 4}"
            tables["organization"].append({
                "id": organization_id, "name": f"{rng.choice(NAME_HEADS)} {rng.choice(['Trust', 'Charity', 'Network', 'Foundation'])} {number // 4}",
                "description": "", "extra": {},
            })
        service_id, location_id = f"s{number}", f"l{number}"
        tail = rng.choice(NAME_TAILS)
        words = rng.sample(WORDS, 8)
        if city == "Amman" or rng.random() < 0.05:
            words += rng.sample(ARABIC_WORDS, 3)
        if city == "Paris" or rng.random() < 0.05:
            words += rng.sample(FRENCH_WORDS, 3)
        tables["service"].append({
            "id": service_id, "organization_id": organization_id, "name": f"{rng.choice(NAME_HEADS)} {tail} {number}",
            "description": " ".join(words).capitalize() + ".", "status": "active",
            "fees_description": None if rng.random() < 0.5 else "Small charge for some treatments.",
            "minimum_age": rng.choice([None] * 8 + [16, 18]), "maximum_age": rng.choice([None] * 9 + [25]),
            "extra": {},
        })
        position = _position(rng, latitude, longitude, spread)
        tables["location"].append({
            "id": location_id, "location_type": "physical", "name": f"{tail} building {number}",
            "latitude": position[0], "longitude": position[1], "organization_id": organization_id, "extra": {},
        })
        tables["service_at_location"].append({"id": f"x{number}", "service_id": service_id, "location_id": location_id, "extra": {}})
        tables["address"].append({
            "id": f"ad{number}", "location_id": location_id, "address_1": f"{rng.randint(1, 300)} {rng.choice(NAME_HEADS)} Street",
            "city": city, "state_province": "", "postal_code": f"Z{rng.randint(1, 99)} {rng.randint(1, 9)}ZZ", "country": "ZZ",
            "address_type": "physical",
        })
        tables["phone"].append({"id": f"p{number}", "location_id": location_id, "number": f"0100 {number:06d}"})
        spoken = {LOCAL_LANGUAGE[city]} | set(rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS, k=rng.randint(0, 4)))
        for code in sorted(spoken):
            counters["language"] += 1
            tables["language"].append({"id": f"g{counters['language']}", "service_id": service_id, "code": code})
        for code in sorted(set(rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS, k=rng.choice([0, 0, 1, 2, 3]))) - spoken):
            attribute("service", service_id, taxonomy.INTERPRETERS, code)
        for code in rng.sample(taxonomy.CATEGORY_CODES, rng.choice([1, 1, 2])):
            attribute("service", service_id, taxonomy.TERMS_BY_CODE[code], link_type="category")
        for term, share in ((taxonomy.FREE, 0.55), (taxonomy.NO_STATUS_CHECK, 0.3), (taxonomy.NO_DOCUMENTS, 0.35), (taxonomy.SAME_GENDER_CLINICIAN, 0.1)):
            if rng.random() < share:
                attribute("service", service_id, term)
        if rng.random() < 0.9:
            verified = date(2026, 11, 1) - timedelta(days=rng.randint(0, 800))
            attribute("service", service_id, taxonomy.LAST_VERIFIED, verified.isoformat())
        if rng.random() < 0.03:
            attribute("service", service_id, taxonomy.ELIGIBLE_GENDER, "female")
        if rng.random() < 0.01:
            attribute("location", location_id, taxonomy.CONFIDENTIAL_ADDRESS)
        for schedule in _schedules(rng, zone):
            counters["schedule"] += 1
            tables["schedule"].append({"id": f"h{counters['schedule']}", "service_at_location_id": f"x{number}", **schedule})
    return tables


INSERT_ORDER = (
    "taxonomy", "taxonomy_term", "organization", "service", "location", "service_at_location", "address", "phone",
    "language", "attribute", "schedule", "gazetteer_place",
)


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def insert(engine: Engine, tables: dict[str, list[dict[str, Any]]]) -> dict[str, float]:
    """Insert every table with Core executemany in batches; one transaction; the revision moves once."""
    timings: dict[str, float] = {}
    metadata_tables = models.Base.metadata.tables
    with engine.begin() as connection:
        for name in INSERT_ORDER:
            started = time.perf_counter()
            table = metadata_tables[name]
            rows = tables[name]
            # Every row of a table gets the same keys, so that executemany sends one statement shape.
            keys = sorted({key for row in rows for key in row})
            for batch in _batches(rows, 5000):
                connection.execute(sqlalchemy.insert(table), [{key: row.get(key) for key in keys} for row in batch])
            timings[name] = time.perf_counter() - started
        connection.execute(
            sqlalchemy.update(models.DirectoryRevision).where(models.DirectoryRevision.id == 1).values(revision=models.DirectoryRevision.revision + 1)
        )
    return timings
