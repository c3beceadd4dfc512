"""Build the Fairhaven demo data files from the tables in places.py and content.py.

    python -m carebridge.directory.demo.build            # rewrites the two JSON files next to this module
    python -m carebridge.directory.demo.build --check    # exits 1 if the committed files are out of date

The output is deterministic: every id is a UUIDv5 from `stable_id("demo", ...)`, nothing depends on the clock,
and the JSON is written with a fixed layout, so rebuilding unchanged tables gives byte-identical files.

Conventions the importer and search rely on (also in docs/demo-city.md):
- Opening hours are HSDS schedules on the service_at_location, freq WEEKLY (or MONTHLY with byday like "1SA"),
  opens_at/closes_at "HH:MM" in local time, `timezone` 0 and a Carebridge time-zone attribute naming
  Europe/London, which wins over the fixed offset.
- closes_at earlier than opens_at means the window ends the next day (overnight); byday names the day it opens.
- Open all day is 00:00-23:59, where 23:59 means "until midnight"; 24/7 is that on all seven days.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from carebridge.directory import taxonomy
from carebridge.directory.demo import GAZETTEER_PATH, NOTICE, SERVICES_PATH
from carebridge.directory.demo import content, places
from carebridge.directory.taxonomy import Term, stable_id

LANGUAGE_NAMES = {
    "am": "Amharic",
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian (Farsi)",
    "fr": "French",
    "hi": "Hindi",
    "ku": "Kurdish",
    "ln": "Lingala",
    "pa": "Punjabi",
    "pl": "Polish",
    "ps": "Pashto",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "so": "Somali",
    "sq": "Albanian",
    "sw": "Swahili",
    "ti": "Tigrinya",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")))
ORDINALS = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", -1: "Last"}
ALL_DAY = ("00:00", "23:59")
EVENING_STARTS = "18:00"

# The link_type of an attribute is the short name of the taxonomy its term comes from.
ACCESS = "access"
CATEGORY = "category"

_HOURS = re.compile(r"^(?P<days>\S+) (?P<opens>\d\d:\d\d)-(?P<closes>\d\d:\d\d)$")
_MONTHLY_DAY = re.compile(r"^(?P<nth>-?[1-4])(?P<day>MO|TU|WE|TH|FR|SA|SU)$")


def demo_id(*parts: str) -> str:
    return stable_id("demo", *parts)


# ----------------------------------------------------------------------------------------------- opening hours


def parse_hours(text: str) -> dict[str, str]:
    """One opening-hours string from content.py -> the RRULE-ish fields of an HSDS schedule."""
    if text == "24/7":
        text = f"DAILY {ALL_DAY[0]}-{ALL_DAY[1]}"
    match = _HOURS.match(text)
    if not match:
        raise ValueError(f"cannot read opening hours {text!r}; write e.g. 'MO-FR 09:00-17:00'")
    opens, closes = match["opens"], match["closes"]
    for clock in (opens, closes):
        hour, minute = map(int, clock.split(":"))
        if hour > 23 or minute > 59:
            raise ValueError(f"bad time {clock!r} in {text!r}")
    if opens == closes:
        raise ValueError(f"{text!r} opens and closes at the same time; write 00:00-23:59 for all day")
    tokens = match["days"].split(",")
    if all(_MONTHLY_DAY.match(token) for token in tokens):
        return {"freq": "MONTHLY", "byday": ",".join(tokens), "opens_at": opens, "closes_at": closes}
    days: list[str] = []
    for token in tokens:
        if token == "DAILY":
            days.extend(WEEKDAYS)
        elif "-" in token:
            first, last = token.split("-")
            days.extend(WEEKDAYS[WEEKDAYS.index(first) : WEEKDAYS.index(last) + 1])
        elif token in WEEKDAYS:
            days.append(token)
        else:
            raise ValueError(f"unknown day {token!r} in {text!r}")
    if len(set(days)) != len(days) or not days:
        raise ValueError(f"repeated or missing days in {text!r}")
    days.sort(key=WEEKDAYS.index)
    return {"freq": "WEEKLY", "byday": ",".join(days), "opens_at": opens, "closes_at": closes}


def _clock_words(clock: str) -> str:
    hour, minute = map(int, clock.split(":"))
    if (hour, minute) == (0, 0) or (hour, minute) == (23, 59):
        return "midnight"
    if (hour, minute) == (12, 0):
        return "12 noon"
    suffix = "am" if hour < 12 else "pm"
    hour12 = hour % 12 or 12
    return f"{hour12}{suffix}" if minute == 0 else f"{hour12}:{minute:02d}{suffix}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _days_words(freq: str, byday: str) -> str:
    days = byday.split(",")
    if freq == "MONTHLY":
        parts = []
        for token in days:
            found = _MONTHLY_DAY.match(token)
            assert found
            parts.append(f"{ORDINALS[int(found['nth'])]} {DAY_NAMES[found['day']]}")
        return _join(parts) + " of the month"
    if len(days) == 7:
        return "Every day"
    indexes = [WEEKDAYS.index(day) for day in days]
    if len(days) >= 3 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    return _join([DAY_NAMES[day] for day in days])


def describe_schedule(fields: dict[str, str]) -> str:
    """Plain-English opening hours, e.g. 'Monday to Friday, 9am to 5pm'."""
    days = _days_words(fields["freq"], fields["byday"])
    opens, closes = fields["opens_at"], fields["closes_at"]
    if (opens, closes) == ALL_DAY:
        return "Open 24 hours, every day" if days == "Every day" else f"{days}, open all day"
    if closes < opens:
        return f"{days}, {_clock_words(opens)} to {_clock_words(closes)} the next morning"
    return f"{days}, {_clock_words(opens)} to {_clock_words(closes)}"


def is_evening(schedule: dict[str, Any]) -> bool:
    """Open at some time after 18:00 (the open-evenings fact)."""
    opens, closes = schedule["opens_at"], schedule["closes_at"]
    return closes < opens or closes > EVENING_STARTS or opens >= EVENING_STARTS


def is_weekend(schedule: dict[str, Any]) -> bool:
    """Opens on a Saturday or Sunday (the open-weekends fact), weekly or monthly."""
    return any(token[-2:] in ("SA", "SU") for token in schedule["byday"].split(","))


# ----------------------------------------------------------------------------------------------- records


def attribute(term: Term, link_entity: str, link_id: str, value: str | None = None) -> dict[str, Any]:
    link_type = CATEGORY if term in taxonomy.CATEGORY_TERMS else ACCESS
    record: dict[str, Any] = {
        "id": demo_id("attribute", link_entity, link_id, term.code, value or ""),
        "link_id": link_id,
        "link_type": link_type,
        "link_entity": link_entity,
        "taxonomy_term_id": term.id,
    }
    if value is not None:
        record["value"] = value
    record["label"] = term.name
    return record


def _position(place: places.Place, postcodes: dict[str, tuple[str, float, float]]) -> tuple[float, float]:
    """The postcode's point, nudged by up to about 90 m in a direction fixed by the place's key."""
    _, latitude, longitude = postcodes[place.postcode]
    digest = hashlib.sha256(place.key.encode()).digest()
    latitude += (digest[0] / 255 - 0.5) * 0.0016
    longitude += (digest[1] / 255 - 0.5) * 0.0026
    return round(latitude, 6), round(longitude, 6)


def build_location(key: str) -> dict[str, Any]:
    postcodes = {code: (area, lat, lon) for code, area, lat, lon in places.POSTCODES}
    private = {code: (area, lat, lon) for code, area, lat, lon in places.PRIVATE_POSTCODES}
    virtual = {place.key: place for place in places.VIRTUAL_PLACES}
    physical = {place.key: place for place in places.PLACES}
    location_id = demo_id("location", key)
    if key in virtual:
        line = virtual[key]
        record: dict[str, Any] = {"id": location_id, "location_type": "virtual", "url": line.url, "name": line.name}
        if line.description:
            record["description"] = line.description
        record["phones"] = [
            {"id": demo_id("phone", "location", key), "location_id": location_id, "number": line.phone, "type": "voice"}
        ]
        return record
    if key not in physical:
        raise ValueError(f"unknown place {key!r}")
    place = physical[key]
    if place.confidential:
        postcodes = private
    if place.postcode not in postcodes:
        raise ValueError(f"place {key!r} has postcode {place.postcode!r}, which is not in the gazetteer")
    neighbourhood = postcodes[place.postcode][0]
    latitude, longitude = _position(place, postcodes)
    record = {"id": location_id, "location_type": "physical", "name": place.name}
    if place.description:
        record["description"] = place.description
    if place.transportation:
        record["transportation"] = place.transportation
    record["latitude"] = latitude
    record["longitude"] = longitude
    record["addresses"] = [
        {
            "id": demo_id("address", key),
            "location_id": location_id,
            "address_1": place.address_1,
            "address_2": neighbourhood,
            "city": places.CITY,
            "state_province": places.STATE_PROVINCE,
            "postal_code": place.postcode,
            "country": places.COUNTRY,
            "address_type": "physical",
        }
    ]
    if place.phone:
        record["phones"] = [
            {
                "id": demo_id("phone", "location", key),
                "location_id": location_id,
                "number": place.phone,
                "type": "voice",
                "description": "Reception",
            }
        ]
    record["accessibility"] = [
        {"id": demo_id("accessibility", key, str(index)), "location_id": location_id, "description": text}
        for index, text in enumerate(place.accessibility)
    ]
    record["attributes"] = (
        [attribute(taxonomy.CONFIDENTIAL_ADDRESS, "location", location_id)] if place.confidential else []
    )
    return record


def build_organization(organization: content.Organization) -> dict[str, Any]:
    organization_id = demo_id("organization", organization.key)
    record: dict[str, Any] = {"id": organization_id, "name": organization.name}
    if organization.alternate_name:
        record["alternate_name"] = organization.alternate_name
    record.update(
        {
            "description": organization.description,
            "email": f"{organization.key}@example.org",
            "website": f"https://example.org/fairhaven/{organization.key}",
            "legal_status": organization.legal_status,
        }
    )
    if organization.year_incorporated:
        record["year_incorporated"] = organization.year_incorporated
    record["phones"] = [
        {
            "id": demo_id("phone", "organization", organization.key),
            "organization_id": organization_id,
            "number": organization.phone,
            "type": "voice",
            "description": "Main office",
        }
    ]
    return record


def build_schedules(service: content.Service, at: content.At, service_at_location_id: str) -> list[dict[str, Any]]:
    schedules = []
    for index, text in enumerate(at.hours):
        schedule_id = demo_id("schedule", service.key, at.place, str(index))
        fields = parse_hours(text)
        record: dict[str, Any] = {"id": schedule_id, "service_at_location_id": service_at_location_id}
        record.update(fields)
        record["timezone"] = 0
        record["wkst"] = "MO"
        if at.valid_from:
            record["valid_from"] = at.valid_from
        if at.valid_to:
            record["valid_to"] = at.valid_to
        record["description"] = describe_schedule(fields)
        record["attributes"] = [attribute(taxonomy.TIME_ZONE, "schedule", schedule_id, places.TIME_ZONE)]
        schedules.append(record)
    return schedules


def _eligibility(service: content.Service) -> str:
    if service.eligibility or service.content_language != "en":
        return service.eligibility
    who = {"female": "women", "male": "men"}.get(service.gender or "", "people")
    if service.minimum_age is not None and service.maximum_age is not None:
        return f"For {who} aged {service.minimum_age} to {service.maximum_age}."
    if service.minimum_age is not None:
        return f"For {who} aged {service.minimum_age} and over."
    if service.maximum_age is not None:
        return f"For {who} aged {service.maximum_age} and under."
    return f"For {who} only." if service.gender else ""


def _interpretation(service: content.Service) -> str:
    if service.interpretation or service.content_language != "en" or not service.interpreters:
        return service.interpretation
    names = _join([LANGUAGE_NAMES[code] for code in service.interpreters])
    virtual = {place.key for place in places.VIRTUAL_PLACES}
    if all(at.place in virtual for at in service.at):
        return f"Interpreters for {names}. Say which language you speak when you call."
    return f"Interpreters can be booked for {names}. Ask when you book or when you arrive."


def build_service(service: content.Service, organizations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    service_id = demo_id("service", service.key)
    if service.org not in organizations:
        raise ValueError(f"service {service.key!r} names unknown organisation {service.org!r}")
    for code in service.categories:
        if code not in taxonomy.CATEGORY_CODES:
            raise ValueError(f"service {service.key!r} has unknown category {code!r}")
    for code in service.languages + service.interpreters:
        if code not in LANGUAGE_NAMES:
            raise ValueError(f"service {service.key!r} uses language {code!r}; add it to LANGUAGE_NAMES")
    if service.gender not in (None, "female", "male"):
        raise ValueError(f"service {service.key!r} has gender {service.gender!r}")
    if taxonomy.FREE in service.facts and any(cost.amount > 0 for cost in service.costs):
        raise ValueError(f"service {service.key!r} is marked free but has a cost")
    if not service.at:
        raise ValueError(f"service {service.key!r} is offered nowhere")

    record: dict[str, Any] = {
        "id": service_id,
        "organization_id": organizations[service.org]["id"],
        "name": service.name,
    }
    if service.alternate_name:
        record["alternate_name"] = service.alternate_name
    record["description"] = service.description
    if service.email:
        record["email"] = service.email
    record["status"] = "active"
    optional_text = {
        "interpretation_services": _interpretation(service),
        "application_process": service.application,
        "fees_description": service.fees,
        "eligibility_description": _eligibility(service),
    }
    record.update({name: text for name, text in optional_text.items() if text})
    if service.minimum_age is not None:
        record["minimum_age"] = service.minimum_age
    if service.maximum_age is not None:
        record["maximum_age"] = service.maximum_age
    record["assured_date"] = service.verified
    if service.alert:
        record["alert"] = service.alert
    record["last_modified"] = f"{service.verified}T12:00:00Z"
    record["organization"] = organizations[service.org]
    record["phones"] = (
        [
            {
                "id": demo_id("phone", "service", service.key),
                "service_id": service_id,
                "number": service.phone,
                "type": "voice",
            }
        ]
        if service.phone
        else []
    )
    record["schedules"] = []  # opening hours live on each service_at_location

    service_at_locations = []
    all_schedules: list[dict[str, Any]] = []
    for at in service.at:
        service_at_location_id = demo_id("service_at_location", service.key, at.place)
        schedules = build_schedules(service, at, service_at_location_id)
        all_schedules.extend(schedules)
        entry: dict[str, Any] = {
            "id": service_at_location_id,
            "service_id": service_id,
            "location_id": demo_id("location", at.place),
        }
        if at.note:
            entry["description"] = at.note
        entry["schedules"] = schedules
        entry["location"] = build_location(at.place)
        service_at_locations.append(entry)
    record["service_at_locations"] = service_at_locations

    record["languages"] = [
        {
            "id": demo_id("language", service.key, code),
            "service_id": service_id,
            "name": LANGUAGE_NAMES[code],
            "code": code,
        }
        for code in service.languages
    ]
    record["cost_options"] = [
        {
            "id": demo_id("cost_option", service.key, str(index)),
            "service_id": service_id,
            "option": cost.option,
            "currency": "GBP",
            "amount": cost.amount,
            "amount_description": cost.per,
        }
        for index, cost in enumerate(service.costs)
    ]
    record["required_documents"] = [
        {"id": demo_id("required_document", service.key, str(index)), "service_id": service_id, "document": text}
        for index, text in enumerate(service.documents)
    ]
    record["contacts"] = (
        [
            {
                "id": demo_id("contact", service.key),
                "service_id": service_id,
                "name": service.contact.name,
                "title": service.contact.title,
                "email": service.contact.email,
            }
        ]
        if service.contact
        else []
    )

    attributes = [attribute(term, "service", service_id) for term in _category_terms(service.categories)]
    facts = set(service.facts)
    if any(is_evening(schedule) for schedule in all_schedules):
        facts.add(taxonomy.OPEN_EVENINGS)
    if any(is_weekend(schedule) for schedule in all_schedules):
        facts.add(taxonomy.OPEN_WEEKENDS)
    for term in taxonomy.ACCESS_TERMS:  # a fixed order keeps the output stable
        if term in facts:
            attributes.append(attribute(term, "service", service_id))
    if service.status_check and taxonomy.NO_STATUS_CHECK in facts:
        raise ValueError(f"{service.key}: says both that it checks immigration status and that it does not")
    if service.status_check:
        attributes.append(attribute(taxonomy.STATUS_CHECK, "service", service_id, service.status_check))
    attributes += [attribute(taxonomy.INTERPRETERS, "service", service_id, code) for code in service.interpreters]
    if service.gender:
        attributes.append(attribute(taxonomy.ELIGIBLE_GENDER, "service", service_id, service.gender))
    if service.faith:
        attributes.append(attribute(taxonomy.FAITH_SENSITIVE, "service", service_id, service.faith))
    attributes.append(attribute(taxonomy.CONTENT_LANGUAGE, "service", service_id, service.content_language))
    attributes.append(attribute(taxonomy.LAST_VERIFIED, "service", service_id, service.verified))
    attributes.append(attribute(taxonomy.SOURCE, "service", service_id, service.source))
    record["attributes"] = attributes
    return record


def _category_terms(codes: Iterable[str]) -> list[Term]:
    by_code = {term.code: term for term in taxonomy.CATEGORY_TERMS}
    return [by_code[code] for code in codes]


def build_services() -> list[dict[str, Any]]:
    organizations = {organization.key: build_organization(organization) for organization in content.ORGANIZATIONS}
    keys = [service.key for service in content.SERVICES]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"service keys used twice: {duplicates}")
    return [build_service(service, organizations) for service in content.SERVICES]


def build_gazetteer() -> dict[str, Any]:
    neighbourhood_names = {name for name, _, _, _ in places.NEIGHBOURHOODS}
    for postcode, neighbourhood, _, _ in places.POSTCODES:
        if neighbourhood not in neighbourhood_names:
            raise ValueError(f"postcode {postcode} is in unknown neighbourhood {neighbourhood!r}")
    # Built from public records only: a confidential place's postcode or position is never a gazetteer entry.
    secret = {place.postcode for place in places.PLACES if place.confidential}
    secret_positions = {(lat, lon) for code, _, lat, lon in places.PRIVATE_POSTCODES}
    leaked = [code for code, _, lat, lon in places.POSTCODES if code in secret or (lat, lon) in secret_positions]
    if leaked:
        raise ValueError(f"the gazetteer would hold postcodes of confidential places: {leaked}")
    return {
        "note": NOTICE,
        "city": places.CITY,
        "country": places.COUNTRY,
        "jurisdiction": places.JURISDICTION,
        "time_zone": places.TIME_ZONE,
        "local_language": places.LOCAL_LANGUAGE,
        "centre": {"latitude": places.CENTRE[0], "longitude": places.CENTRE[1]},
        "neighbourhoods": [
            {
                "id": demo_id("neighbourhood", name),
                "name": name,
                "postcode_district": district,
                "latitude": latitude,
                "longitude": longitude,
            }
            for name, district, latitude, longitude in places.NEIGHBOURHOODS
        ],
        "postcodes": [
            {
                "id": demo_id("postcode", postcode),
                "postcode": postcode,
                "neighbourhood": neighbourhood,
                "latitude": latitude,
                "longitude": longitude,
            }
            for postcode, neighbourhood, latitude, longitude in places.POSTCODES
        ],
    }


def render(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def rendered_files(directory: Path | None = None) -> dict[Path, bytes]:
    """The files this module writes, as bytes, keyed by where they go."""
    services_path = SERVICES_PATH if directory is None else directory / SERVICES_PATH.name
    gazetteer_path = GAZETTEER_PATH if directory is None else directory / GAZETTEER_PATH.name
    return {services_path: render(build_services()), gazetteer_path: render(build_gazetteer())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the fictional Fairhaven demo data files.")
    parser.add_argument("--check", action="store_true", help="fail if the files on disk are out of date")
    parser.add_argument("--out", type=Path, help="write into this directory instead of the package")
    args = parser.parse_args(argv)
    files = rendered_files(args.out)
    if args.check:
        stale = [path for path, data in files.items() if not path.exists() or path.read_bytes() != data]
        for path in stale:
            print(f"out of date: {path} (run python -m carebridge.directory.demo.build)", file=sys.stderr)
        return 1 if stale else 0
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
