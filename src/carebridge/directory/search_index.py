"""The in-memory search index: the directory as numpy columns, rebuilt when the directory's revision moves.

Why: a search combines a radius, languages, categories, access facts, free text and "open now"; a SQL query per
search cannot answer that at 100,000 services within the latency budget on both SQLite and PostgreSQL (see
docs/decisions/0001-in-memory-search-index.md and docs/performance.md). So each app process holds the directory
as arrays, one row ("entry") per service at a location (or per service without a location):

- entries are sorted by name, so "no point given" results need no sort;
- positions in grids (rows of latitude sorted by longitude; one for all entries and one per category): a radius
  search reads one slice per row of its box, then compares dot products of unit vectors with the radius (a
  latitude band sorted by latitude is the fallback near the poles and across the antimeridian);
- boolean columns for the access facts, posting lists for languages, interpreters and categories;
- a token index (folded words, prefix match) over names, descriptions, organisation and category names, in every
  script the records are written in;
- opening hours compiled once (schedules.WeeklyTable for plain weekly rules, pre-expanded intervals for the rest);
- each entry's JSON without the per-request fields, ready to splice into a response.

The index is built with plain Core selects, held per app (`app.state.search_index`, never a module global: tests
build many apps on different databases) by a SearchIndexHolder, which checks DirectoryRevision.revision at most
every settings.search_index_check_seconds, and at once when this process itself committed a change to it. With an
Engine-bound session factory a changed revision is rebuilt in a background thread while the old index keeps serving;
with a Connection-bound one (tests) it is rebuilt in the caller's thread.
"""

from __future__ import annotations

import bisect
import logging
import math
import threading
import time as monotonic_time
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import orjson
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from carebridge.config import Settings
from carebridge.directory import hsds, models, taxonomy
from carebridge.directory.repository import confidential_postcode_keys
from carebridge.directory.schedules import (
    CompiledRule,
    WeeklyTable,
    as_date,
    compile_schedule,
)
from carebridge.kit import clock as _clock
from carebridge.kit import geo
from carebridge.kit.text import compact, words

log = logging.getLogger(__name__)

INACTIVE_STATUSES = {"inactive", "defunct"}
GENERAL_WINDOW_BEFORE = timedelta(days=3)
GENERAL_WINDOW_AFTER = timedelta(days=400)
GENDERS = {"female": 1, "male": 2}
FACT_KEYS = (
    "free", "no_status_check", "no_documents", "interpreter", "minimum_age", "maximum_age", "eligible_gender",
    "last_verified", "categories", "interpreter_languages", "low_cost", "childcare", "faith_sensitive", "transport_help",
)
EVENING_SECONDS = 18 * 3600
GRID_DEGREES = 0.05  # latitude rows of the grid that radius searches read (about 5.5 km)


@dataclass(frozen=True)
class Place:
    """A gazetteer place a person can name instead of coordinates."""

    name: str
    kind: str
    latitude: float
    longitude: float
    area: str | None = None


@dataclass(frozen=True)
class Grid:
    """Entries with a position, sorted by row (floor(latitude / GRID_DEGREES)) * 1000 + longitude + 180: a box of
    latitude and longitude is one slice per row."""

    entries: np.ndarray  # int32
    keys: np.ndarray

    @classmethod
    def of(cls, entries: np.ndarray, latitude: np.ndarray, longitude: np.ndarray) -> Grid:
        keys = np.floor(latitude[entries] / GRID_DEGREES) * 1000.0 + (longitude[entries] + 180.0)
        order = np.argsort(keys, kind="stable")
        return cls(entries[order].astype(np.int32), keys[order])

    @staticmethod
    def edges(low: float, high: float, west: float, east: float) -> list[float]:
        """The keys where each row of the box [low, high] x [west, east] (degrees, west <= east) starts and ends."""
        west, east = west + 180.0, east + 180.0
        return [
            key
            for row in range(math.floor(low / GRID_DEGREES), math.floor(high / GRID_DEGREES) + 1)
            for key in (row * 1000.0 + west, row * 1000.0 + east)
        ]

    def box(self, edges: list[float]) -> np.ndarray:
        """The entries inside the box whose `edges` are given (entries exactly on a west or east edge may be in
        or out: callers pad the box)."""
        bounds = np.searchsorted(self.keys, edges).tolist()
        entries = self.entries
        if len(bounds) == 2:
            return entries[bounds[0] : bounds[1]]
        return np.concatenate([entries[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)])


@dataclass
class Facet:
    """Entries per value (posting lists), with boolean masks made on first use."""

    postings: dict[str, np.ndarray]
    size: int
    _masks: dict[str, np.ndarray] = field(default_factory=dict)

    def mask(self, value: str) -> np.ndarray:
        cached = self._masks.get(value)
        if cached is None:
            cached = np.zeros(self.size, dtype=bool)
            entries = self.postings.get(value)
            if entries is not None:
                cached[entries] = True
            self._masks[value] = cached
        return cached


class WordList:
    """Sorted words kept as one UTF-8 blob with offsets: hundreds of thousands of small str objects would pin
    memory long after the build's temporary objects are freed. Supports len(), [i] and so bisect."""

    def __init__(self, words: list[str]) -> None:
        encoded = [word.encode("utf-8") for word in words]
        self.blob = b"".join(encoded)
        self.ends = np.cumsum([len(word) for word in encoded], dtype=np.int64) if encoded else np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, position: int) -> str:
        start = int(self.ends[position - 1]) if position else 0
        return self.blob[start : int(self.ends[position])].decode("utf-8")

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        position = bisect.bisect_left(self, word)
        return position < len(self) and self[position] == word

    def __iter__(self):  # noqa: ANN204
        return (self[position] for position in range(len(self)))


class PackedDocuments:
    """Each entry's JSON in one bytes blob with offsets: one allocation instead of 100,000 (which would keep the
    heap around them from ever being given back). documents[i] is a bytes copy of entry i's JSON."""

    def __init__(self, documents: list[bytes]) -> None:
        self.blob = b"".join(documents)
        self.ends = np.cumsum([len(document) for document in documents], dtype=np.int64) if documents else np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, position: int) -> bytes:
        start = int(self.ends[position - 1]) if position else 0
        return self.blob[start : int(self.ends[position])]


@dataclass
class TextIndex:
    """Folded words, sorted, each with the entries it occurs in (one concatenated array with offsets)."""

    words: WordList
    offsets: np.ndarray
    postings: np.ndarray
    size: int

    def prefix_mask(self, prefix: str) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        first = bisect.bisect_left(self.words, prefix)
        last = bisect.bisect_left(self.words, prefix[:-1] + chr(ord(prefix[-1]) + 1)) if prefix else first
        if last > first:
            mask[self.postings[self.offsets[first] : self.offsets[last]]] = True
        return mask


@dataclass
class SearchIndex:
    revision: int
    size: int
    built_at: datetime
    build_seconds: float
    # positions (NaN where none); distance_* are the positions distances are worked out from (coarse if confidential)
    distance_latitude: np.ndarray
    distance_longitude: np.ndarray
    by_latitude: np.ndarray  # entries with a position, sorted by distance_latitude
    sorted_latitude: np.ndarray
    longitude_by_latitude: np.ndarray  # distance_longitude in by_latitude order (a band is a slice, not a gather)
    # entries with a position in a Grid (a radius search's box is one slice per row), all and per category
    grid: Grid
    category_grids: dict[str, Grid]
    # each entry's position as a unit vector (x, y, z; NaN without a position): the great-circle distance is an
    # increasing function of a dot product, so a radius check and a sort by distance need no trigonometry per entry
    unit_vectors: np.ndarray
    confidential: np.ndarray
    free: np.ndarray
    no_status_check: np.ndarray
    no_documents: np.ndarray
    # social prescribing's facts (issue 11): low_cost is true for free services too ("free or low cost")
    low_cost: np.ndarray
    childcare: np.ndarray
    faith_sensitive: np.ndarray
    transport_help: np.ndarray
    interpreter: np.ndarray
    minimum_age: np.ndarray
    maximum_age: np.ndarray
    gender: np.ndarray  # 0 anyone, 1 female only, 2 male only
    last_verified: np.ndarray  # date ordinal, 0 when never verified
    has_hours: np.ndarray
    languages: Facet  # spoken or interpreted
    interpreter_languages: Facet
    categories: Facet
    text: TextIndex
    rules: list[tuple[CompiledRule, ...]]
    weekly: WeeklyTable
    general_entries: np.ndarray
    general_start: np.ndarray  # pre-expanded occurrences of non-weekly rules, sorted by start
    general_end: np.ndarray
    general_entry: np.ndarray
    general_window: tuple[float, float]
    whole_minutes: bool
    documents: PackedDocuments  # each entry's JSON object without the per-request fields and without its closing "}"
    places: dict[str, Place]
    category_codes: tuple[str, ...]
    language_codes: tuple[str, ...]
    _open_cache: dict[int, np.ndarray] = field(default_factory=dict)
    _gender_masks: dict[str, np.ndarray] = field(default_factory=dict)
    # entry -> (valid from, valid until, its opening facts as JSON): see search._opening_fragment
    opening_fragments: dict[int, tuple[float, float, Any]] = field(default_factory=dict)
    _open_lock: threading.Lock = field(default_factory=threading.Lock)

    def gender_mask(self, gender: str) -> np.ndarray:
        """Boolean over all entries: open to people of this gender (services for anyone, or for this gender)."""
        cached = self._gender_masks.get(gender)
        if cached is None:
            cached = self._gender_masks[gender] = (self.gender == 0) | (self.gender == GENDERS.get(gender, -1))
        return cached

    def only_gender_mask(self, gender: str) -> np.ndarray:
        """Boolean over all entries: only for people of this gender (women-only, men-only)."""
        key = "only:" + gender
        cached = self._gender_masks.get(key)
        if cached is None:
            cached = self._gender_masks[key] = self.gender == GENDERS.get(gender, -1)
        return cached

    # --- opening hours over many entries ---

    def open_mask(self, timestamp: float, entries: np.ndarray | None = None, *, shared: bool = False) -> np.ndarray:
        """Boolean over all entries: open at `timestamp`. Only `entries` are certain to be evaluated.

        `shared`: many requests will ask about this minute (it is "now"), so work it out for every entry once and
        keep it for the minute."""
        if entries is None or shared or len(entries) * 4 > self.size:
            return self._open_everywhere(timestamp)
        minute = int(timestamp // 60) if self.whole_minutes and timestamp > 0 else None
        if minute is not None and minute in self._open_cache:
            return self._open_cache[minute]
        mask = self.weekly.open_mask(timestamp, entries)
        self._add_general(mask, timestamp, entries)
        return mask

    def _open_everywhere(self, timestamp: float) -> np.ndarray:
        # Opening and closing times are whole minutes (checked at build), so the answer holds for the whole minute.
        minute = int(timestamp // 60) if self.whole_minutes and timestamp > 0 else None
        if minute is not None:
            cached = self._open_cache.get(minute)
            if cached is not None:
                return cached
            timestamp = minute * 60.0
        mask = self.weekly.open_mask(timestamp)
        self._add_general(mask, timestamp, None)
        if minute is not None:
            with self._open_lock:
                if len(self._open_cache) >= 4:
                    self._open_cache.pop(min(self._open_cache))
                self._open_cache[minute] = mask
        return mask

    def _add_general(self, mask: np.ndarray, timestamp: float, entries: np.ndarray | None) -> None:
        if not len(self.general_entries):
            return
        window_start, window_end = self.general_window
        if window_start <= timestamp <= window_end:
            # Occurrences last at most about 50 hours, so only those that started in the 3 days before can be open.
            first = np.searchsorted(self.general_start, timestamp - 3 * 86400, side="left")
            last = np.searchsorted(self.general_start, timestamp, side="right")
            # Entries outside `entries` may be marked too: callers only read the entries they asked about.
            mask[self.general_entry[first:last][self.general_end[first:last] > timestamp]] = True
            return
        from carebridge.directory.schedules import open_at_timestamp

        todo = self.general_entries if entries is None else np.intersect1d(self.general_entries, entries)
        for entry in todo.tolist():
            if open_at_timestamp(self.rules[entry], timestamp):
                mask[entry] = True


# ---------------------------------------------------------------------------------------------------------------
# Building


def _all(session: Any, statement: Any) -> Iterator[Any]:
    """Rows in batches: much cheaper than row by row, and the build never holds a whole table of rows at once."""
    result = session.execute(statement, execution_options={"yield_per": 20_000})
    for partition in result.partitions():
        yield from partition


def _term_codes(session: Session) -> dict[str, str]:
    codes = {term.id: term.code for term in taxonomy.ALL_TERMS}
    for term_id, code in _all(session, select(models.TaxonomyTerm.id, models.TaxonomyTerm.code)):
        codes[term_id] = code or codes.get(term_id) or term_id
    return codes


def _term_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(models.TaxonomyTerm.code, models.TaxonomyTerm.name)).all())


@lru_cache(maxsize=4096)
def normalize_language(code: str | None) -> str | None:
    """An ISO 639 code as the index keeps it: the two-letter code where one exists, else the three-letter one."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-").split("-")[0]
    if not code.isalpha() or not 2 <= len(code) <= 3:
        return None
    if len(code) == 3:
        from carebridge.directory.search import iso_639

        known = iso_639(code)
        return known or code
    return code


def build_search_index(session: Session, default_zone: str, now: datetime | None = None) -> SearchIndex:
    """Read the whole directory with plain Core selects and build the index."""
    started = monotonic_time.perf_counter()
    now = now or _clock.utc_now()
    m = models
    session = session.connection()  # type: ignore[assignment]  # Core rows: no ORM result processing
    revision = session.execute(select(m.DirectoryRevision.revision).where(m.DirectoryRevision.id == 1)).scalar() or 0

    term_codes = _term_codes(session)
    term_names = _term_names(session)
    category_code_set = set(taxonomy.CATEGORY_CODES)
    access_codes = {term.code for term in taxonomy.ACCESS_TERMS}

    service_facts: dict[str, set[str]] = defaultdict(set)
    service_interpreters: dict[str, set[str]] = defaultdict(set)
    service_categories: dict[str, list[str]] = defaultdict(list)
    service_values: dict[tuple[str, str], str] = {}
    confidential_records: set[tuple[str, str]] = set()
    schedule_zones: dict[str, str] = {}
    attribute = m.Attribute
    for link_entity, link_id, link_type, term_id, value in _all(session, 
        select(attribute.link_entity, attribute.link_id, attribute.link_type, attribute.taxonomy_term_id, attribute.value)
    ):
        code = term_codes.get(term_id) if term_id else None
        if code is None:
            continue
        if code.strip().lower() == taxonomy.CONFIDENTIAL_ADDRESS.code:  # in any taxonomy (hsds.is_confidential_term)
            confidential_records.add((link_entity, link_id))
        elif link_entity == "schedule":
            if code == taxonomy.TIME_ZONE.code and value:
                schedule_zones[link_id] = value
        elif link_entity == "service":
            if code == taxonomy.INTERPRETERS.code:
                language = normalize_language(value)
                if language:
                    service_interpreters[link_id].add(language)
            elif code in access_codes:
                service_facts[link_id].add(code)
                if value and code in (taxonomy.LAST_VERIFIED.code, taxonomy.ELIGIBLE_GENDER.code, taxonomy.CONTENT_LANGUAGE.code,
                                      taxonomy.FAITH_SENSITIVE.code):
                    service_values[(link_id, code)] = value.strip()
            elif link_type == "category" or code in category_code_set:
                if code not in service_categories[link_id]:
                    service_categories[link_id].append(code)

    organizations = dict(session.execute(select(m.Organization.id, m.Organization.name)).all())
    s = m.Service
    services = session.execute(
        select(
            s.id, s.organization_id, s.name, s.alternate_name, s.description, s.status, s.fees_description,
            s.minimum_age, s.maximum_age, s.assured_date, s.url,
        )
    ).all()
    links: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for link_id, service_id, location_id in _all(session, 
        select(m.ServiceAtLocation.id, m.ServiceAtLocation.service_id, m.ServiceAtLocation.location_id)
    ):
        links[service_id].append((link_id, location_id))
    locations = {
        row[0]: row
        for row in _all(session, 
            select(m.Location.id, m.Location.location_type, m.Location.name, m.Location.latitude, m.Location.longitude)
        )
    }
    addresses: dict[str, Any] = {}
    a = m.Address
    for row in _all(session, 
        select(a.location_id, a.address_1, a.address_2, a.city, a.region, a.state_province, a.postal_code, a.country, a.address_type)
    ):
        if row[0] and (row[0] not in addresses or (row[8] == "physical" and addresses[row[0]][8] != "physical")):
            addresses[row[0]] = row
    phones: dict[tuple[str, str], str] = {}
    p = m.Phone
    for number, location_id, service_id, organization_id, link_id in _all(session, 
        select(p.number, p.location_id, p.service_id, p.organization_id, p.service_at_location_id).order_by(p.id)
    ):
        for kind, key in (("link", link_id), ("location", location_id), ("service", service_id), ("organization", organization_id)):
            if key and (kind, key) not in phones:
                phones[(kind, key)] = number
    spoken: dict[tuple[str, str], set[str]] = defaultdict(set)
    for service_id, location_id, code in _all(session, select(m.Language.service_id, m.Language.location_id, m.Language.code)):
        language = normalize_language(code)
        if language:
            if service_id:
                spoken[("service", service_id)].add(language)
            elif location_id:
                spoken[("location", location_id)].add(language)
    costs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    c = m.CostOption
    for service_id, option, amount, currency, amount_description in _all(session, 
        select(c.service_id, c.option, c.amount, c.currency, c.amount_description).order_by(c.id)
    ):
        if service_id:
            costs[service_id].append(
                {"option": option, "amount": amount, "currency": currency, "amount_description": amount_description}
            )
    documents: dict[str, list[str]] = defaultdict(list)
    for service_id, document in _all(session, 
        select(m.RequiredDocument.service_id, m.RequiredDocument.document).order_by(m.RequiredDocument.id)
    ):
        if service_id and document:
            documents[service_id].append(document)

    interned: dict[CompiledRule, CompiledRule] = {}
    rule_sets: dict[tuple[CompiledRule, ...], tuple[CompiledRule, ...]] = {}
    schedules_by: dict[tuple[str, str], list[CompiledRule]] = defaultdict(list)
    sc = m.Schedule
    schedule_columns = (
        sc.id, sc.service_id, sc.location_id, sc.service_at_location_id, sc.valid_from, sc.valid_to, sc.dtstart,
        sc.timezone, sc.timezone_name, sc.until, sc.count, sc.wkst, sc.freq, sc.interval, sc.byday, sc.byweekno,
        sc.bymonthday, sc.byyearday, sc.opens_at, sc.closes_at,
    )
    compiled: dict[tuple, CompiledRule | None] = {}
    names = [column.key for column in schedule_columns]
    for values in _all(session, select(*schedule_columns)):
        row = dict(zip(names, values, strict=True))
        if not row["timezone_name"] and row["id"] in schedule_zones:
            row["timezone_name"] = schedule_zones[row["id"]]
        # Most services publish the same few patterns: read each distinct one once.
        key = tuple(values[4:]) + (row["timezone_name"],)
        if key in compiled:
            rule = compiled[key]
        else:
            rule = compile_schedule(row, default_zone)
            if rule is not None:
                rule = interned.setdefault(rule, rule)
            compiled[key] = rule
        if rule is None:
            continue
        if row["service_at_location_id"]:
            schedules_by[("link", row["service_at_location_id"])].append(rule)
        elif row["service_id"] and row["location_id"]:
            schedules_by[("service-location", f"{row['service_id']}|{row['location_id']}")].append(rule)
        elif row["service_id"]:
            schedules_by[("service", row["service_id"])].append(rule)
        elif row["location_id"]:
            schedules_by[("location", row["location_id"])].append(rule)

    places = _gazetteer(session)
    neighbourhoods = _nearest_neighbourhoods(locations, [place for place in places.values() if place.kind == "neighbourhood"])

    today_ordinal = now.date().toordinal()
    entries: list[dict[str, Any]] = []
    service_words: dict[str, list[str]] = {}
    for (service_id, organization_id, name, alternate_name, description, status, fees_description, minimum_age,
         maximum_age, assured_date, url) in services:
        if (status or "active").strip().lower() in INACTIVE_STATUSES:
            continue
        facts = service_facts.get(service_id, set())
        organization = organizations.get(organization_id) if organization_id else None
        categories = service_categories.get(service_id, [])
        service_words[service_id] = sorted(
            set(
                words(name) + words(alternate_name) + words(description) + words(organization)
                + [word for code in categories for word in words(term_names.get(code) or code)]
            )
        )
        verified = as_date(service_values.get((service_id, taxonomy.LAST_VERIFIED.code))) or as_date(assured_date)
        interpreters = sorted(service_interpreters.get(service_id, set()))
        base = {
            "service_id": service_id,
            "name": name or "",
            "organization": organization,
            "organization_id": organization_id,
            "categories": categories,
            "interpreter_languages": interpreters,
            "interpreter": bool(interpreters) or taxonomy.INTERPRETERS.code in facts,
            "free": taxonomy.FREE.code in facts,
            "no_status_check": taxonomy.status_check_state(facts) == "no-check",
            "status_check": taxonomy.status_check_state(facts),
            "no_documents": taxonomy.NO_DOCUMENTS.code in facts,
            "same_gender_clinician": taxonomy.SAME_GENDER_CLINICIAN.code in facts,
            "eligible_gender": service_values.get((service_id, taxonomy.ELIGIBLE_GENDER.code)),
            "minimum_age": minimum_age,
            "maximum_age": maximum_age,
            "cost": fees_description,
            "cost_options": costs.get(service_id, []),
            "documents": documents.get(service_id, []),
            "last_verified": verified.isoformat() if verified else None,
            "content_language": service_values.get((service_id, taxonomy.CONTENT_LANGUAGE.code)),
            "url": url,
            "low_cost": taxonomy.FREE.code in facts or taxonomy.LOW_COST.code in facts,
            "childcare": taxonomy.CHILDCARE.code in facts,
            "faith_sensitive": service_values.get((service_id, taxonomy.FAITH_SENSITIVE.code))
            if taxonomy.FAITH_SENSITIVE.code in facts else None,
            "transport_help": taxonomy.TRANSPORT_HELP.code in facts,
        }
        facts_flags = (taxonomy.OPEN_EVENINGS.code in facts, taxonomy.OPEN_WEEKENDS.code in facts)
        service_confidential = ("service", service_id) in confidential_records
        for link_id, location_id in links.get(service_id) or [(None, None)]:
            location = locations.get(location_id) if location_id else None
            confidential = service_confidential or bool(
                (location_id and ("location", location_id) in confidential_records)
                or (link_id and ("service_at_location", link_id) in confidential_records)
            )
            rules = (
                schedules_by.get(("link", link_id or ""))
                or schedules_by.get(("service-location", f"{service_id}|{location_id}"))
                or schedules_by.get(("service", service_id))
                or schedules_by.get(("location", location_id or ""))
                or []
            )
            rules = tuple(dict.fromkeys(rules))
            rules = rule_sets.setdefault(rules, rules)  # many services share the same hours: one tuple each
            entries.append(
                _entry(
                    base, service_id, link_id, location_id, location, confidential, addresses.get(location_id or ""),
                    phones, spoken, rules, facts_flags, organization_id, neighbourhoods, service_words[service_id],
                    places,
                )
            )

    entries.sort(key=lambda entry: entry["sort_key"])
    return _assemble(entries, revision, now, default_zone, places, started, today_ordinal)


def _gazetteer(session: Session) -> dict[str, Place]:
    g = models.GazetteerPlace
    places: dict[str, Place] = {}
    hidden = confidential_postcode_keys(session)  # a confidential location's postcode is never a place
    for kind, name, normalized_name, area, latitude, longitude in _all(session, 
        select(g.kind, g.name, g.normalized_name, g.area, g.latitude, g.longitude).order_by(g.id)
    ):
        if latitude is None or longitude is None or compact(normalized_name or name or "") in hidden or compact(name or "") in hidden:
            continue
        place = Place(name, kind, float(latitude), float(longitude), area)
        for key in (compact(name or ""), compact(normalized_name or "")):
            if key:
                places.setdefault(key, place)
    return places


    return None


SEARCH_ADDRESS_FIELDS = ("address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type")


def _entry(
    base: dict[str, Any],
    service_id: str,
    link_id: str | None,
    location_id: str | None,
    location: Any,
    confidential: bool,
    address: Any,
    phones: dict[tuple[str, str], str],
    spoken: dict[tuple[str, str], set[str]],
    rules: tuple[CompiledRule, ...],
    facts_flags: tuple[bool, bool],
    organization_id: str | None,
    neighbourhoods: dict[str, str],
    service_words: list[str],
    places: dict[str, Place] | None = None,
) -> dict[str, Any]:
    location_type = location[1] if location else None
    latitude = longitude = None
    if location and location_type != "virtual" and location[3] is not None and location[4] is not None:
        latitude, longitude = float(location[3]), float(location[4])
        if not (math.isfinite(latitude) and math.isfinite(longitude) and -90 <= latitude <= 90 and -180 <= longitude <= 180):
            latitude = longitude = None
    if confidential:
        # The one allow-list (hsds.redact_location) decides what of the place is shown: its area only. Not the
        # nearest neighbourhood (worked out from the exact position), not the place's own phones or languages.
        redacted = hsds.redact_location(
            {
                "id": location_id or "",
                "location_type": location_type,
                "addresses": [dict(zip(SEARCH_ADDRESS_FIELDS, address[1:], strict=True))] if address is not None else [],
            }
        )
        area_address = (redacted["addresses"] or [{}])[0]
        area = area_address.get("region") or area_address.get("city") or None
        area_position = _area_position(places or {}, area_address)
        phone_keys: tuple[tuple[str, str | None], ...] = (("service", service_id), ("organization", organization_id))
        languages = sorted(spoken.get(("service", service_id), set()))
    else:
        area = (address[4] or None) if address is not None else None
        if area is None and latitude is not None:
            area = neighbourhoods.get(location_id or "")
        if area is None and address is not None:
            area = address[3] or None
        phone_keys = (("link", link_id), ("location", location_id), ("service", service_id), ("organization", organization_id))
        languages = sorted(spoken.get(("service", service_id), set()) | spoken.get(("location", location_id or ""), set()))
    phone = None
    for key in phone_keys:
        if key[1] and key in phones:
            phone = phones[key]  # type: ignore[index]
            break
    evenings = facts_flags[0] or any(rule.close_seconds > EVENING_SECONDS for rule in rules)
    weekends = facts_flags[1] or any(rule.weekdays is not None and rule.weekdays & {5, 6} for rule in rules)
    document = dict(base)
    document.update(
        location_id=location_id,
        service_at_location_id=link_id,
        location_type=location_type,
        location_name=None if confidential else (location[2] if location else None),
        languages=languages,
        confidential_address=confidential,
        address=None
        if confidential or address is None
        else {
            "address_1": address[1],
            "address_2": address[2],
            "city": address[3],
            "region": address[4],
            "state_province": address[5],
            "postal_code": address[6],
            "country": address[7],
        },
        latitude=None if confidential else latitude,
        longitude=None if confidential else longitude,
        area=area,
        phone=phone,
        open_evenings=bool(evenings),
        open_weekends=bool(weekends),
        has_schedule=bool(rules),
    )
    if confidential:
        # Never the stored position, not even rounded: the public centre of the place's published area, or none.
        distance_position = area_position if latitude is not None else (None, None)
    else:
        distance_position = (latitude, longitude)
    text_words = service_words
    if location and not confidential and location[2]:
        text_words = sorted(set(service_words) | set(words(location[2])))
    from carebridge.kit.text import fold

    # Serialised now (without the closing brace: per-request fields are appended), so that 100,000 document dicts
    # never live at once. Slicing also makes a compact copy: orjson's bytes keep kilobytes of spare capacity.
    return {
        "json": orjson.dumps(document)[:-1],
        "facts": {key: document[key] for key in FACT_KEYS},
        "sort_key": (fold(base["name"]), fold(base["organization"] or ""), service_id, location_id or ""),
        "distance_position": distance_position,
        "confidential": confidential,
        "languages_any": set(languages) | set(base["interpreter_languages"]),
        "rules": rules,
        "words": text_words,
    }


AREA_PLACE_KINDS = frozenset({"city", "region", "neighbourhood"})


def _area_position(places: dict[str, Place], area_address: dict[str, Any]) -> tuple[float | None, float | None]:
    """Where a confidential place counts as being, for distance, radius and order: the gazetteer's own (public)
    position of the area its redacted address publishes (its region, else its city), or no position when the
    gazetteer has no such area. It depends on the published area alone, never on the stored position, so no
    sequence of searches can tell two positions of the place inside the same area apart."""
    for field_name in ("region", "city"):
        key = compact(area_address.get(field_name) or "")
        place = places.get(key) if key else None
        if place is not None and place.kind in AREA_PLACE_KINDS:
            return place.latitude, place.longitude
    return None, None


def _nearest_neighbourhoods(locations: dict[str, Any], neighbourhoods: list[Place]) -> dict[str, str]:
    """Each positioned location's nearest gazetteer neighbourhood within 5 km (its "area" when the address names
    none), worked out for all locations at once."""
    ids = [key for key, row in locations.items() if row[3] is not None and row[4] is not None]
    places = list({place.name: place for place in neighbourhoods}.values())
    if not ids or not places:
        return {}
    lats = np.array([float(locations[key][3]) for key in ids], dtype=np.float64)
    lons = np.array([float(locations[key][4]) for key in ids], dtype=np.float64)
    best = np.full(len(ids), np.inf)
    nearest = np.zeros(len(ids), dtype=np.int64)
    for number, place in enumerate(places):
        distances = geo.haversine_km_many(place.latitude, place.longitude, lats, lons)
        closer = distances < best
        best[closer], nearest[closer] = distances[closer], number
    return {key: places[nearest[row]].name for row, key in enumerate(ids) if best[row] <= 5}


def _assemble(
    entries: list[dict[str, Any]],
    revision: int,
    now: datetime,
    default_zone: str,
    places: dict[str, Place],
    started: float,
    today_ordinal: int,
) -> SearchIndex:
    size = len(entries)
    nan = float("nan")
    distance_latitude = np.array([e["distance_position"][0] if e["distance_position"][0] is not None else nan for e in entries], dtype=np.float64)
    distance_longitude = np.array([e["distance_position"][1] if e["distance_position"][1] is not None else nan for e in entries], dtype=np.float64)
    with_position = np.flatnonzero(~np.isnan(distance_latitude))
    by_latitude = with_position[np.argsort(distance_latitude[with_position], kind="stable")].astype(np.int32)

    def column(key: str) -> np.ndarray:
        return np.array([bool(e["facts"][key]) for e in entries], dtype=bool)

    def number(key: str) -> np.ndarray:
        return np.array([e["facts"][key] if e["facts"][key] is not None else nan for e in entries], dtype=np.float64)

    def facet(values: Iterable[Iterable[str]]) -> Facet:
        postings: dict[str, list[int]] = defaultdict(list)
        for index, codes in enumerate(values):
            for code in codes:
                postings[code].append(index)
        return Facet({code: np.asarray(found, dtype=np.int32) for code, found in postings.items()}, size)

    # Word index: (word number, entry) pairs sorted by word, then by entry (a stable sort of entry-ordered pairs).
    word_numbers: dict[str, int] = {}
    pair_words: list[int] = []
    pair_entries: list[int] = []
    for index, entry in enumerate(entries):
        for word in entry["words"]:
            word_number = word_numbers.get(word)
            if word_number is None:
                word_number = word_numbers[word] = len(word_numbers)
            pair_words.append(word_number)
            pair_entries.append(index)
    sorted_words = sorted(word_numbers)
    rank = np.zeros(len(word_numbers), dtype=np.int64)
    rank[[word_numbers[word] for word in sorted_words]] = np.arange(len(sorted_words))
    ranks = rank[np.asarray(pair_words, dtype=np.int64)] if pair_words else np.zeros(0, dtype=np.int64)
    order = np.argsort(ranks, kind="stable")
    postings = np.asarray(pair_entries, dtype=np.int32)[order]
    offsets = np.zeros(len(sorted_words) + 1, dtype=np.int64)
    np.cumsum(np.bincount(ranks, minlength=len(sorted_words)), out=offsets[1:])

    rules = [e["rules"] for e in entries]
    weekly = WeeklyTable(size, rules)
    general_entries = np.array([i for i, entry_rules in enumerate(rules) if any(r.weekdays is None for r in entry_rules)], dtype=np.int32)
    window = (now - GENERAL_WINDOW_BEFORE).timestamp(), (now + GENERAL_WINDOW_AFTER).timestamp()
    general_rows: list[tuple[float, float, int]] = []
    expanded: dict[CompiledRule, list[tuple[float, float]]] = {}
    from carebridge.directory.schedules import occurrences

    for entry in general_entries.tolist():
        for rule in rules[entry]:
            if rule.weekdays is None:
                if rule not in expanded:
                    expanded[rule] = list(occurrences(rule, window[0], window[1]))
                general_rows.extend((start, end, entry) for start, end in expanded[rule])
    general_rows.sort()
    # The pre-expanded window answers for instants at least 3 days inside it; others are worked out one by one.
    general_window = (window[0] + 3 * 86400, window[1] - 3 * 86400)

    genders = np.array([GENDERS.get((e["facts"]["eligible_gender"] or "").lower(), 0) for e in entries], dtype=np.int8)
    verified = np.array(
        [date.fromisoformat(e["facts"]["last_verified"]).toordinal() if e["facts"]["last_verified"] else 0 for e in entries],
        dtype=np.int64,
    )
    documents = PackedDocuments([e["json"] for e in entries])
    category_codes = tuple(sorted(set(taxonomy.CATEGORY_CODES) | {code for e in entries for code in e["facts"]["categories"]}))
    language_facet = facet(e["languages_any"] for e in entries)
    category_facet = facet(e["facts"]["categories"] for e in entries)
    build_seconds = monotonic_time.perf_counter() - started
    return SearchIndex(
        revision=revision,
        size=size,
        built_at=now,
        build_seconds=build_seconds,
        distance_latitude=distance_latitude,
        distance_longitude=distance_longitude,
        by_latitude=by_latitude,
        sorted_latitude=distance_latitude[by_latitude],
        longitude_by_latitude=distance_longitude[by_latitude],
        grid=Grid.of(with_position, distance_latitude, distance_longitude),
        category_grids={
            code: Grid.of(found[~np.isnan(distance_latitude[found])], distance_latitude, distance_longitude)
            for code, found in category_facet.postings.items()
        },
        unit_vectors=geo.unit_vectors(distance_latitude, distance_longitude),
        confidential=np.array([e["confidential"] for e in entries], dtype=bool),
        free=column("free"),
        no_status_check=column("no_status_check"),
        no_documents=column("no_documents"),
        low_cost=column("low_cost"),
        childcare=column("childcare"),
        faith_sensitive=column("faith_sensitive"),
        transport_help=column("transport_help"),
        interpreter=column("interpreter"),
        minimum_age=number("minimum_age"),
        maximum_age=number("maximum_age"),
        gender=genders,
        last_verified=verified,
        has_hours=np.array([bool(r) for r in rules], dtype=bool),
        languages=language_facet,
        interpreter_languages=facet(e["facts"]["interpreter_languages"] for e in entries),
        categories=category_facet,
        text=TextIndex(WordList(sorted_words), offsets, postings, size),
        rules=rules,
        weekly=weekly,
        general_entries=general_entries,
        general_start=np.array([row[0] for row in general_rows], dtype=np.float64),
        general_end=np.array([row[1] for row in general_rows], dtype=np.float64),
        general_entry=np.array([row[2] for row in general_rows], dtype=np.int32),
        general_window=general_window,
        whole_minutes=all(rule.whole_minutes for entry_rules in rules for rule in entry_rules),
        documents=documents,
        places=places,
        category_codes=category_codes,
        language_codes=tuple(sorted(language_facet.postings)),
    )


# ---------------------------------------------------------------------------------------------------------------
# Holding the index per app, and noticing changes


class _LocalChanges:
    """How many times this process committed a change to the directory revision: a hint to check at once.

    Not an index and not per-database data, so one counter per process is right; every holder compares it with the
    value it last saw."""

    count = 0


def _mark_if_revision_changed(session: Session) -> None:
    for instance in list(session.dirty) + list(session.new):
        if isinstance(instance, models.DirectoryRevision):
            session.info["carebridge_directory_changed"] = True
            return


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    _mark_if_revision_changed(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: Any) -> None:
    if state.is_update or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) == models.DirectoryRevision.__tablename__:
            state.session.info["carebridge_directory_changed"] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop("carebridge_directory_changed", False):
        _LocalChanges.count += 1


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop("carebridge_directory_changed", None)


def note_directory_changed() -> None:
    """Tell every search index in this process to check the revision now (for writers that bypass the ORM)."""
    _LocalChanges.count += 1


class SearchIndexHolder:
    """Holds one app's index and keeps it current (see the module docstring)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session] | Callable[[], Session],
        *,
        check_seconds: float | None = None,
        default_zone: str | None = None,
        background: bool | None = None,
        clock: Callable[[], datetime] | None = None,
        settings: Settings | None = None,
    ) -> None:
        # The settings of the app this index serves (search_index_for passes app.state.settings); without them
        # (a holder made for a bare session), the settings in effect.
        from carebridge.config import settings_in_effect

        settings = settings or settings_in_effect()
        self.session_factory = session_factory
        self.check_seconds = settings.search_index_check_seconds if check_seconds is None else check_seconds
        self.default_zone = default_zone or settings.timezone
        self.stale_days = settings.verification_stale_days
        bind = getattr(session_factory, "kw", {}).get("bind")
        self.background = isinstance(bind, Engine) if background is None else background
        self.clock = clock or _clock.utc_now
        self.index: SearchIndex | None = None
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._seen_changes = _LocalChanges.count
        self._rebuilding: threading.Thread | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.default_zone)

    def ready(self) -> SearchIndex | None:
        """The index if it can be used without touching the database now; None when get() has work to do."""
        index = self.index
        if index is None:
            return None
        if _LocalChanges.count != self._seen_changes or monotonic_time.monotonic() - self._checked_at >= self.check_seconds:
            return None
        return index

    def get(self) -> SearchIndex:
        """The current index: built on first use; the revision checked when due (may block on the database)."""
        with self._lock:
            if self.index is None:
                self._seen_changes = _LocalChanges.count
                self._checked_at = monotonic_time.monotonic()
                self.index = self._build()
                return self.index
            if _LocalChanges.count == self._seen_changes and monotonic_time.monotonic() - self._checked_at < self.check_seconds:
                return self.index
            self._seen_changes = _LocalChanges.count
            self._checked_at = monotonic_time.monotonic()
            try:
                revision = self._read_revision()
            except Exception as error:  # noqa: BLE001 - the database is away: keep answering from the index
                log.error("search index could not check the directory revision: %s", type(error).__name__)
                return self.index
            if revision == self.index.revision:
                return self.index
            if not self.background:
                self.index = self._build()
            elif self._rebuilding is None or not self._rebuilding.is_alive():
                self._rebuilding = threading.Thread(target=self._rebuild_in_background, name="search-index", daemon=True)
                self._rebuilding.start()
            return self.index

    def rebuild(self) -> SearchIndex:
        """Build now, whatever the revision says (after a bulk load, or in benchmarks)."""
        with self._lock:
            self.index = self._build()
            return self.index

    def _read_revision(self) -> int:
        session = self.session_factory()
        try:
            return session.execute(
                select(models.DirectoryRevision.revision).where(models.DirectoryRevision.id == 1)
            ).scalar() or 0
        finally:
            session.close()

    def _build(self) -> SearchIndex:
        session = self.session_factory()
        try:
            index = build_search_index(session, self.default_zone, now=self.clock())
            session.rollback()
        finally:
            session.close()
        _release_freed_memory()
        log.info("search index built: %d entries, revision %d, %.2fs", index.size, index.revision, index.build_seconds)
        return index

    def _rebuild_in_background(self) -> None:
        try:
            index = self._build()
        except Exception as error:  # noqa: BLE001 - keep serving the old index; try again at the next check
            log.error("search index rebuild failed: %s", type(error).__name__)
            return
        self.index = index


def _release_freed_memory() -> None:
    """Give the memory of the build's temporary rows back to the system (glibc keeps freed heap otherwise)."""
    import ctypes
    import ctypes.util
    import gc

    from carebridge.kit.text import fold

    # The build folded every name and description; cached, those strings would pin the memory around them.
    fold.cache_clear()
    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


# Holders by database binding, so that code holding only a Session (pages) finds its app's index.
_holders_by_bind: weakref.WeakKeyDictionary[Any, SearchIndexHolder] = weakref.WeakKeyDictionary()
_holders_lock = threading.Lock()


def search_index_for(app: Any) -> SearchIndexHolder:
    """The app's index holder (app.state.search_index), made on first use."""
    holder = getattr(app.state, "search_index", None)
    if holder is None:
        with _holders_lock:
            holder = getattr(app.state, "search_index", None)
            if holder is None:
                factory = app.state.session_factory
                bind = getattr(factory, "kw", {}).get("bind")
                holder = _holders_by_bind.get(bind) if bind is not None else None
                if holder is None:
                    holder = SearchIndexHolder(factory, settings=app.state.settings)
                    if bind is not None:
                        _holders_by_bind[bind] = holder
                app.state.search_index = holder
    return holder


def search_index_for_session(session: Session) -> SearchIndexHolder:
    """The holder for the database this session is bound to (shared with the app serving it)."""
    bind = session.get_bind()
    with _holders_lock:
        holder = _holders_by_bind.get(bind)
        if holder is None:
            factory = sessionmaker(bind=bind, expire_on_commit=False)
            if not isinstance(bind, Engine):
                factory = sessionmaker(bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
            holder = SearchIndexHolder(factory)
            _holders_by_bind[bind] = holder
    return holder


def warm_at_startup(app: Any) -> None:
    """Start-up work (domains.py): build the search index while the server starts answering (about 16 s at 100,000
    services), rather than on the first search. Only for a real database engine: tests bind sessions to one
    connection."""
    holder = search_index_for(app)
    if holder.background:
        threading.Thread(target=_warm, args=(holder,), name="search-index-warm", daemon=True).start()


def _warm(holder: SearchIndexHolder) -> None:
    try:
        holder.get()
    except Exception as error:  # noqa: BLE001 - e.g. not migrated yet: the first search will say so
        log.warning("search index was not built at start-up: %s", type(error).__name__)
