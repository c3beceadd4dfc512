"""The service search, shared by the JSON API and the finder pages.

For pages (and any Python caller):

    from carebridge.directory import search
    found = search.search_services(session, near="FH1 1AA", category="dental", language="ar", open_now=True)
    found.total, found.results            # results: list of dicts, the API's result objects
    found.model_dump()                    # {"total", "page", "per_page", "place", "results"}

`search_services(session, query=None, *, index_holder=None, now=None, **params)` takes either a parsed SearchQuery
or the API's parameters as keyword arguments (Python values or strings: free=True, page=2, open_at=datetime). Bad
values raise errors.InvalidInput carrying one FieldError per bad parameter (name, message, allowed), the same as the
API's 422. The index is the one held by the app serving `session`'s database (pass
`index_holder=search_index_for(request.app)` to be explicit). `find_place(session, text)` reads a place name or
postcode; `languages_offered(session)` lists the ISO 639 codes any service speaks or interprets.

Rules: parameters are AND-combined; booleans set to false mean "no filter". With a point (lat+lon or near) results
are sorted by distance (services without a position last), else by name; searches for urgent or emergency care
(category `emergency`) put the services open now first, then sort each group so. A confidential location's distance is
worked out from the public centre of its published area (search_index._area_position; none when the gazetteer lacks
the area), never from its own position, and reported (and compared with radius_km) in whole kilometres, so that no
sequence of searches can locate it within its area; its address and coordinates are never in a result.
`open_now`/`open_at` keep services open at that instant; every result's `open_now`, `next_opening` and `open_until`
are about the real present moment (`next_opening` is the present moment when open now; `open_until` is null when the
opening does not end within 8 days; all three are null for a service that publishes no hours, `has_schedule` false). `verification_stale` is true when a record was never verified or was verified
more than settings.verification_stale_days ago.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import orjson
from sqlalchemy.orm import Session

from carebridge.directory import schemas
from carebridge.directory.schedules import (
    NEXT_OPENING_HORIZON,
    OPEN_UNTIL_HORIZON,
    next_opening_timestamp,
    open_until_timestamp,
)
from carebridge.directory.search_index import (
    Grid,
    Place,
    SearchIndex,
    SearchIndexHolder,
    search_index_for,
    search_index_for_session,
)
from carebridge.emergency import EMERGENCY_CATEGORY  # its results put the places open now first
from carebridge.errors import N_, FieldError, InvalidInput
from carebridge.kit import geo
from carebridge.kit.text import compact, query_words

__all__ = [
    "Place",
    "SearchPage",
    "find_place",
    "languages_offered",
    "parse_search_query",
    "search_index_for",
    "search_services",
]

NUMBER_RANGE = N_("%(name)s must be a number between %(min)s and %(max)s.")
WHOLE_NUMBER_RANGE = N_("%(name)s must be a whole number between %(min)s and %(max)s.")
BOOLEAN = N_("%(name)s must be true or false.")
TOO_LONG = N_("%(name)s must be at most %(max)s characters long.")
NEEDS_PARTNER = N_("%(name)s must be given together with %(partner)s.")
POINT_TWICE = N_("Give either near, or lat and lon, but not both.")
RADIUS_NEEDS_POINT = N_("radius_km needs a place to measure from: give near, or lat and lon.")
LANGUAGE_CODE = N_("language must be an ISO 639 language code of two or three letters, such as ar, fa or prs.")
CATEGORY_CODE = N_("category must be one of the category codes listed in allowed.")
OPEN_AT_FORMAT = N_(
    "open_at must be a date and time in ISO 8601 form, such as 2026-11-23T18:30 or 2026-11-23T18:30:00+01:00, "
    "between the years %(min)s and %(max)s."
)
GENDER_VALUE = N_("gender must be one of the values listed in allowed.")
UNKNOWN_PLACE = N_(
    "We could not find that place. Give the name of a neighbourhood or a full postcode, such as one of those "
    "listed in allowed."
)

TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}
BOOLEAN_PARAMETERS = (
    "open_now", "free", "no_status_check", "no_documents", "interpreter",
    # social prescribing's facts (issue 11)
    "low_cost", "childcare", "faith_sensitive", "transport_help", "women_only", "men_only",
)
MAX_QUERY_WORDS = 12
KEEP_AHEAD = timedelta(days=1)  # see _opening_fragment
_LANGUAGE_SHAPE = re.compile(r"[a-z]{2,3}")
# A whole number, also written with a zero fraction ("60.0"): JSON Schema's integers include such numbers.
_WHOLE_NUMBER = re.compile(r"[+-]?\d{1,9}(?:\.0+)?")


@lru_cache(maxsize=4096)
def iso_639(code: str) -> str | None:
    """The two-letter ISO 639-1 code for an ISO 639 code, or the three-letter code when there is none; None if the
    code is not in ISO 639."""
    import pycountry

    code = code.strip().lower()
    if len(code) == 2:
        return code if pycountry.languages.get(alpha_2=code) else None
    if len(code) != 3:
        return None
    language = pycountry.languages.get(alpha_3=code)
    if language is None:
        language = next((item for item in pycountry.languages if getattr(item, "bibliographic", None) == code), None)
    if language is None:
        return None
    return getattr(language, "alpha_2", None) or language.alpha_3


def _lists(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every parameter's values as text, read in one pass (a query string's multi-dict, or a dict of Python values:
    a value, or a list of them)."""
    multi_items = getattr(params, "multi_items", None)
    values: dict[str, list[str]] = {}
    if multi_items is not None:
        for name, value in multi_items():
            found = values.get(name)
            if found is None:
                values[name] = [value]
            else:
                found.append(value)
        return values
    for name, raw in params.items():
        if raw is None:
            continue
        items = raw if isinstance(raw, (list, tuple)) else (raw,)
        values[name] = [_text(value) for value in items if value is not None]
    return values


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    value = values[-1].strip()
    return value or None


def parse_search_query(params: Mapping[str, Any]) -> schemas.SearchQuery:
    """Read search parameters (a query string's multi-dict, or a dict of Python values); unknown names are ignored.
    Raises InvalidInput listing every bad parameter."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    params = _lists(params)

    def number(name: str, low: float, high: float) -> float | None:
        text = _one(params, name)
        if text is None:
            return None
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not low <= value <= high:
            errors.append(FieldError(name, NUMBER_RANGE, allowed=None, params={"name": name, "min": low, "max": high}))
            return None
        return value

    def whole(name: str, low: int, high: int) -> int | None:
        text = _one(params, name)
        if text is None:
            return None
        value = int(text.partition(".")[0]) if _WHOLE_NUMBER.fullmatch(text) else None
        if value is None or not low <= value <= high:
            errors.append(FieldError(name, WHOLE_NUMBER_RANGE, params={"name": name, "min": low, "max": high}))
            return None
        return value

    query = _one(params, "q")
    if query is not None:
        if len(query) > schemas.MAX_QUERY_LENGTH:
            errors.append(FieldError("q", TOO_LONG, params={"name": "q", "max": schemas.MAX_QUERY_LENGTH}))
        else:
            values["q"] = query

    latitude = number("lat", -90, 90)
    longitude = number("lon", -180, 180)
    lat_given, lon_given = _one(params, "lat") is not None, _one(params, "lon") is not None
    if lat_given and not lon_given:
        errors.append(FieldError("lon", NEEDS_PARTNER, params={"name": "lon", "partner": "lat"}))
    elif lon_given and not lat_given:
        errors.append(FieldError("lat", NEEDS_PARTNER, params={"name": "lat", "partner": "lon"}))
    elif latitude is not None and longitude is not None:
        values["lat"], values["lon"] = latitude, longitude

    near = _one(params, "near")
    if near is not None:
        if len(near) > schemas.MAX_NEAR_LENGTH:
            errors.append(FieldError("near", TOO_LONG, params={"name": "near", "max": schemas.MAX_NEAR_LENGTH}))
        elif lat_given or lon_given:
            errors.append(FieldError("near", POINT_TWICE))
        else:
            values["near"] = near

    radius = number("radius_km", *schemas.RADIUS_RANGE)
    if radius is not None:
        if not (lat_given or lon_given or near is not None):
            errors.append(FieldError("radius_km", RADIUS_NEEDS_POINT))
        else:
            values["radius_km"] = radius

    language = _one(params, "language")
    if language is not None:
        primary = language.lower().replace("_", "-").split("-")[0]
        known = iso_639(primary) if _LANGUAGE_SHAPE.fullmatch(primary) else None
        if known is None:
            errors.append(FieldError("language", LANGUAGE_CODE))
        else:
            values["language"] = known

    categories = [code.strip() for value in params.get("category", ()) for code in value.split(",") if code.strip()]
    if categories:
        values["category"] = tuple(dict.fromkeys(categories))

    for name in BOOLEAN_PARAMETERS:
        text = _one(params, name)
        if text is None:
            continue
        if text.lower() in TRUE_WORDS:
            values[name] = True
        elif text.lower() not in FALSE_WORDS:
            errors.append(FieldError(name, BOOLEAN, allowed=["true", "false"], params={"name": name}))

    open_at = _one(params, "open_at")
    if open_at is not None:
        low, high = schemas.OPEN_AT_YEARS
        try:
            moment = datetime.fromisoformat(open_at.replace(" ", "T", 1) if "T" not in open_at else open_at)
            if not low <= moment.year <= high:
                raise ValueError
            values["open_at"] = moment
        except (ValueError, OverflowError):
            errors.append(FieldError("open_at", OPEN_AT_FORMAT, params={"min": low, "max": high}))

    age = whole("age", *schemas.AGE_RANGE)
    if age is not None:
        values["age"] = age
    gender = _one(params, "gender")
    if gender is not None:
        if gender.lower() in schemas.GENDER_VALUES:
            values["gender"] = gender.lower()
        else:
            errors.append(FieldError("gender", GENDER_VALUE, allowed=list(schemas.GENDER_VALUES)))
    page = whole("page", 1, schemas.MAX_PAGE)
    if page is not None:
        values["page"] = page
    per_page = whole("per_page", *schemas.PER_PAGE_RANGE)
    if per_page is not None:
        values["per_page"] = per_page

    if errors:
        raise InvalidInput(errors=errors)
    return schemas.SearchQuery(**values)


# ---------------------------------------------------------------------------------------------------------------


@dataclass
class SearchPage:
    """One page of results. `body` is the API's JSON; `results` and `model_dump()` give it as Python values."""

    total: int
    page: int
    per_page: int
    place: Place | None
    body: bytes
    _parsed: dict[str, Any] | None = field(default=None, repr=False)

    def model_dump(self) -> dict[str, Any]:
        if self._parsed is None:
            self._parsed = orjson.loads(self.body)
        return self._parsed

    @property
    def results(self) -> list[dict[str, Any]]:
        return self.model_dump()["results"]

    def __getitem__(self, key: str) -> Any:
        return self.model_dump()[key]

    def keys(self):  # noqa: ANN201 - so that dict(page) works
        return self.model_dump().keys()


def find_place(session: Session, text: str | None, index_holder: SearchIndexHolder | None = None) -> Place | None:
    """The gazetteer place a person typed (a neighbourhood or a postcode, any case or spacing), or None."""
    if not text or len(text) > schemas.MAX_NEAR_LENGTH:
        return None
    index = (index_holder or search_index_for_session(session)).get()
    return resolve_place(index, text)


def ascii_digits(text: str) -> str:
    """Every decimal digit of any script as its ASCII digit: a postcode typed with Arabic-Indic ("FH١ ١AA") or
    Persian ("FH۱ ۱AA") digits is the same postcode as "FH1 1AA". Other characters are kept."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def resolve_place(index: SearchIndex, text: str) -> Place | None:
    """The place a person typed: a neighbourhood, the city's own name, a postcode district or a postcode the
    gazetteer lists, in any case and spacing and with the digits of any script (ascii_digits); a full postcode it does not list is its district. So every unlisted
    postcode of a district gives the same place, and the same answer, whatever is at it: guessing postcodes cannot
    find a confidential place (the gazetteer never holds their postcodes, see demo/build.py). None when unknown."""
    key = compact(ascii_digits(text))
    if not key:
        return None
    place = index.places.get(key)
    if place is None:
        district = geo.postcode_district(key)
        found = index.places.get(district) if district else None
        place = found if found is not None and found.kind == "district" else None
    return place


def place_examples(index: SearchIndex, count: int = 4) -> list[str]:
    """A few names a person could type, taken from the gazetteer (never written into a page or a message): the
    city, neighbourhoods, a postcode district and a postcode, each kind in name order. The same whatever was typed."""
    places = sorted({(place.kind, place.name) for place in index.places.values()}, key=lambda item: item[1])
    by_kind: dict[str, list[str]] = {}
    for kind, name in places:
        by_kind.setdefault(kind, []).append(name)
    examples = by_kind.get("city", [])[:1] + by_kind.get("neighbourhood", [])[:2]
    examples += by_kind.get("postcode", [])[:1] + by_kind.get("district", [])[:1]
    return examples[:count]


def languages_offered(session: Session, index_holder: SearchIndexHolder | None = None) -> list[str]:
    """ISO 639 codes that some service speaks or has interpreters for."""
    return list((index_holder or search_index_for_session(session)).get().language_codes)


def search_services(
    session: Session | None = None,
    query: schemas.SearchQuery | None = None,
    *,
    index_holder: SearchIndexHolder | None = None,
    now: datetime | None = None,
    **params: Any,
) -> SearchPage:
    """Search the directory (see the module docstring)."""
    if query is None:
        query = parse_search_query({name: value for name, value in params.items() if value is not None})
    if index_holder is None:
        if session is None:
            raise TypeError("search_services needs a session or an index_holder")
        index_holder = search_index_for_session(session)
    index = index_holder.get()
    return run_search(
        index,
        query,
        now=now or index_holder.clock(),
        zone=index_holder.default_zone,
        stale_days=index_holder.stale_days,
    )


def _suggestions(index: SearchIndex) -> list[str]:
    """What an unknown place's problem document lists in `allowed`: examples only, the same for any input, so
    that the answer never depends on what lies near what was typed."""
    return place_examples(index, count=8)


_NO_HOURS = b',"open_now":null,"next_opening":null,"open_until":null,"verification_stale":'


_ALWAYS_NO_HOURS = (-math.inf, math.inf, _NO_HOURS)


@lru_cache(maxsize=64)
def _present(second: int, zone: Any) -> bytes:
    """The present second in a zone, as JSON string content (shared by the requests of that second)."""
    return datetime.fromtimestamp(second, zone).isoformat().encode()


def _opening_json(index: SearchIndex, entry: int, now: float) -> bytes:
    """An entry's `,"open_now":...,"next_opening":...,"open_until":...,"verification_stale":` as JSON."""
    cached = index.opening_fragments.get(entry)
    if cached is not None and cached[0] <= now < cached[1]:
        fragment = cached[2]
    else:
        rules = index.rules[entry]
        if not rules:
            index.opening_fragments[entry] = _ALWAYS_NO_HOURS
            return _NO_HOURS
        fragment = _opening_fragment(index, entry, rules, now)
    if type(fragment) is tuple:
        # Open now: "next opening" is the present moment, in the entry's zone.
        tail, zone = fragment
        return b',"open_now":true,"next_opening":"' + _present(int(now // 1), zone) + tail
    return fragment


def _opening_fragment(index: SearchIndex, entry: int, rules: tuple[Any, ...], now: float) -> bytes | tuple[bytes, Any]:
    # Each search looks ahead a day further than it reports (62 days for the next opening, 8 for the end of this
    # opening), so that what it does not report yet is known for a day at least: "no opening ahead" and "open
    # around the clock" can be kept too, until the first day they could change.
    found = next_opening_timestamp(rules, now, NEXT_OPENING_HORIZON + KEEP_AHEAD)
    open_now = found is not None and found[0] == now
    zone = found[1] if found is not None else None
    next_iso = until_iso = None
    changes = now + KEEP_AHEAD.total_seconds()  # when these facts may next change
    if found is not None and not open_now:
        if found[0] < now + NEXT_OPENING_HORIZON.total_seconds():
            next_iso = datetime.fromtimestamp(found[0] // 1, zone).isoformat()
            changes = found[0]
        else:  # beyond the horizon: reported from the moment it comes within it
            changes = found[0] - NEXT_OPENING_HORIZON.total_seconds()
    fragment: bytes | tuple[bytes, Any]
    if open_now:
        until = open_until_timestamp(rules, now, OPEN_UNTIL_HORIZON + KEEP_AHEAD)
        if until is not None and until != float("inf"):
            if until < now + OPEN_UNTIL_HORIZON.total_seconds():
                until_iso = datetime.fromtimestamp(until // 1, zone).isoformat()
                changes = until
            else:
                changes = until - OPEN_UNTIL_HORIZON.total_seconds()
        fragment = (b'","open_until":' + orjson.dumps(until_iso) + b',"verification_stale":', zone)
    else:
        fragment = (
            b',"open_now":false,"next_opening":' + orjson.dumps(next_iso) + b',"open_until":null,"verification_stale":'
        )
    if index.whole_minutes:
        # Opening times are whole minutes, so these facts hold for the whole minute; and until the next opening
        # (closed) or the end of the opening period (open) nothing about them changes, so keep them until then.
        # With rules in several zones, which zone "now" is written in may change sooner: keep those a minute.
        start = now // 60 * 60
        until_change = start + 60
        if len({rule.zone for rule in rules}) == 1:
            until_change = max(until_change, changes)
        index.opening_fragments[entry] = (start, until_change, fragment)
    return fragment


class _Filters:
    """A query's filters on facts, as boolean columns over all entries: `mask()` ANDs them over the whole directory,
    `select(entries)` reads them at a few entries (a radius search's box) when that is cheaper."""

    __slots__ = ("index", "query", "now")

    def __init__(self, index: SearchIndex, query: schemas.SearchQuery, now: float) -> None:
        self.index, self.query, self.now = index, query, now

    def columns(self, categories: bool = True) -> list[np.ndarray]:
        """The columns that must all be true; `categories=False` leaves out the categories (already applied)."""
        index, query = self.index, self.query
        columns = [index.text.prefix_mask(word) for word in (query_words(query.q)[:MAX_QUERY_WORDS] if query.q else ())]
        if query.language:
            columns.append((index.interpreter_languages if query.interpreter else index.languages).mask(query.language))
        elif query.interpreter:
            columns.append(index.interpreter)
        if query.category and categories:
            wanted = index.categories.mask(query.category[0])
            for code in query.category[1:]:
                wanted = wanted | index.categories.mask(code)
            columns.append(wanted)
        for wanted, column in ((query.free, index.free), (query.no_status_check, index.no_status_check),
                               (query.no_documents, index.no_documents), (query.low_cost, index.low_cost),
                               (query.childcare, index.childcare), (query.faith_sensitive, index.faith_sensitive),
                               (query.transport_help, index.transport_help)):
            if wanted:
                columns.append(column)
        if query.women_only:
            columns.append(index.only_gender_mask("female"))
        if query.men_only:
            columns.append(index.only_gender_mask("male"))
        if query.gender:
            columns.append(index.gender_mask(query.gender))
        if query.open_now and query.open_at is None:
            # Worked out for the whole directory once a minute, and shared by every search in that minute.
            columns.append(index.open_mask(self.now, shared=True))
        return columns

    @staticmethod
    def _and(columns: list[np.ndarray]) -> np.ndarray:
        mask = columns[0].copy()
        for column in columns[1:]:
            np.logical_and(mask, column, out=mask)
        return mask

    def mask(self) -> np.ndarray | None:
        """Boolean over all entries, or None: no filter."""
        columns = self.columns()
        return self._and(columns) if columns else None

    def select(self, entries: np.ndarray, categories: bool = True) -> np.ndarray:
        """The entries that pass every filter (`categories=False`: but the categories, already applied)."""
        columns = self.columns(categories)
        if not columns:
            return entries
        if len(entries) * len(columns) * 8 <= self.index.size:
            # A gather per column over a few entries costs less than a pass over the directory per column.
            keep = columns[0].take(entries)
            for column in columns[1:]:
                np.logical_and(keep, column.take(entries), out=keep)
        else:
            keep = self._and(columns).take(entries)
        return entries.compress(keep)


@lru_cache(maxsize=8)
def _today_of_minute(minute: int, zone: str) -> int:
    return datetime.fromtimestamp(minute * 60, ZoneInfo(zone)).date().toordinal()


def _today(timestamp: float, zone: str) -> int:
    """Today's date ordinal in `zone` (the date changes on a whole minute, in every zone there is)."""
    return _today_of_minute(int(timestamp // 60), zone)


def run_search(
    index: SearchIndex, query: schemas.SearchQuery, *, now: datetime, zone: str, stale_days: int
) -> SearchPage:
    """The search itself, on one index (no database)."""
    size = index.size
    place: Place | None = None
    latitude, longitude = query.lat, query.lon
    if query.near:
        place = resolve_place(index, query.near)
        if place is None:
            raise InvalidInput(errors=[FieldError("near", UNKNOWN_PLACE, allowed=_suggestions(index))])
        latitude, longitude = place.latitude, place.longitude
    if query.category:
        unknown = [code for code in query.category if code not in index.category_codes]
        if unknown:
            raise InvalidInput(errors=[FieldError("category", CATEGORY_CODE, allowed=list(index.category_codes))])

    now_timestamp = now.timestamp()
    filters = _Filters(index, query, now_timestamp)
    candidates: np.ndarray | None = None
    point = latitude is not None and longitude is not None
    if point and query.radius_km is not None:
        # Half a kilometre wider: a confidential place (at its area's centre) counts as inside when its
        # whole-kilometre distance is.
        low, high, half_width = geo.bounding_box(latitude, longitude, query.radius_km + 0.5)  # type: ignore[arg-type]
        if half_width is not None and -180.0 <= longitude - half_width and longitude + half_width <= 180.0:  # type: ignore[operator]
            # The box, one slice per grid row (a little more than the box; the radius is checked exactly below).
            # With categories, only their grids are read: their boxes hold only services of those categories.
            edges = Grid.edges(low, high, longitude - half_width, longitude + half_width)  # type: ignore[operator]
            if query.category:
                boxes = [index.category_grids[code].box(edges) for code in query.category if code in index.category_grids]
                box = (boxes[0] if len(boxes) == 1 else np.unique(np.concatenate(boxes))) if boxes else np.zeros(0, np.int32)
                candidates = filters.select(box, categories=False)
            else:
                candidates = filters.select(index.grid.box(edges))
        else:  # the box reaches a pole or crosses the antimeridian: a latitude band
            first = int(np.searchsorted(index.sorted_latitude, low, side="left"))
            last = int(np.searchsorted(index.sorted_latitude, high, side="right"))
            band = index.by_latitude[first:last]
            if half_width is not None:
                band = band[geo.longitude_gap(index.longitude_by_latitude[first:last], longitude) <= half_width]  # type: ignore[arg-type]
            candidates = filters.select(band)

    if candidates is None:
        mask = filters.mask()
        candidates = np.flatnonzero(mask) if mask is not None else np.arange(size)
    if query.age is not None and len(candidates):
        low_age, high_age = index.minimum_age[candidates], index.maximum_age[candidates]
        fits = ~(low_age > query.age) & ~(high_age < query.age)  # NaN (no limit) compares False
        candidates = candidates[fits]

    # Nearness as the dot product of unit vectors (see geo.unit_vectors): larger is nearer, NaN has no position.
    # A confidential place counts at its whole-kilometre distance, for the radius and for the order alike.
    closeness: np.ndarray | None = None
    if point and len(candidates):
        closeness = index.unit_vectors.take(candidates, axis=0) @ geo.unit_vector(latitude, longitude)  # type: ignore[arg-type]
        secret = np.flatnonzero(index.confidential.take(candidates)).tolist()
        for position in secret:  # a few at most
            entry = candidates.item(position)
            entry_latitude = index.distance_latitude.item(entry)
            if not math.isnan(entry_latitude):  # (a virtual service has no position: its closeness stays NaN)
                exact = geo.haversine_km(latitude, longitude, entry_latitude, index.distance_longitude.item(entry))  # type: ignore[arg-type]
                closeness[position] = math.cos(round(exact) / geo.EARTH_RADIUS_KM)
        if query.radius_km is not None:
            inside = closeness >= geo.min_dot(query.radius_km)
            candidates, closeness = candidates[inside], closeness[inside]

    if query.open_at is not None and len(candidates):  # (open now is one of the filters)
        moment = query.open_at if query.open_at.tzinfo else query.open_at.replace(tzinfo=ZoneInfo(zone))
        is_open = index.open_mask(moment.timestamp(), candidates).take(candidates)
        candidates = candidates[is_open]
        if closeness is not None:
            closeness = closeness[is_open]

    total = int(len(candidates))
    start = (query.page - 1) * query.per_page
    stop = start + query.per_page
    urgent = bool(query.category) and EMERGENCY_CATEGORY in query.category and not query.open_now and query.open_at is None
    if urgent and total:
        # Urgent or emergency care: places open now come first, then the nearest (a closed clinic next door must
        # not come before the open A&E). Services without hours count as not open.
        closed = np.logical_not(index.open_mask(now_timestamp, shared=True).take(candidates))
        if closeness is not None:
            key = np.negative(closeness)
            key[np.isnan(key)] = np.inf
            order = np.lexsort((candidates, key, closed))
        else:
            order = np.lexsort((candidates, closed))
        page_entries = candidates.take(order[start:stop])
    elif closeness is not None and total:
        key = np.negative(closeness)
        if query.radius_km is None:
            key[np.isnan(key)] = np.inf  # no position: last (with a radius, every candidate has a position)
        if total > 4 * stop:
            cut = np.partition(key, stop - 1)[stop - 1]
            chosen = np.flatnonzero(key <= cut)
            page_entries = candidates.take(chosen.take(np.lexsort((candidates.take(chosen), key.take(chosen)))[start:stop]))
        else:
            page_entries = candidates.take(np.lexsort((candidates, key))[start:stop])
    else:
        page_entries = candidates[start:stop]

    today = _today(now_timestamp, zone)
    # A page is a few results: per result, Python's scalar reads cost less than numpy's per-call overhead.
    blob, ends = index.documents.blob, index.documents.ends
    last_verified, confidential = index.last_verified, index.confidential
    distance_latitude, distance_longitude = index.distance_latitude, index.distance_longitude
    parts: list[bytes] = []
    for entry in page_entries.tolist():
        entry_latitude = distance_latitude.item(entry)
        if point and not math.isnan(entry_latitude):
            exact = geo.haversine_km(latitude, longitude, entry_latitude, distance_longitude.item(entry))  # type: ignore[arg-type]
            if confidential.item(entry):
                distance = b"%.1f" % round(exact)
            else:
                distance = b"%.1f" % exact
        else:
            distance = b"null"
        verified = last_verified.item(entry)
        parts.append(blob[(ends.item(entry - 1) if entry else 0) : ends.item(entry)])
        parts.append(b',"distance_km":')
        parts.append(distance)
        parts.append(_opening_json(index, entry, now_timestamp))
        parts.append(b"true}," if verified == 0 or today - verified > stale_days else b"false},")
    if parts:
        parts[-1] = parts[-1][:-1]

    head = {"total": total, "page": query.page, "per_page": query.per_page, "place": None}
    if place is not None:
        head["place"] = {"name": place.name, "kind": place.kind}
    body = orjson.dumps(head)[:-1] + b',"results":[' + b"".join(parts) + b"]}"
    return SearchPage(total, query.page, query.per_page, place, body)

