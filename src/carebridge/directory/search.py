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
are sorted by distance (services without a position last), else by name. A confidential location's distance is
worked out from its position rounded to a ~1 km grid cell and reported (and compared with radius_km) in whole
kilometres, so that repeated searches cannot locate it; its address and coordinates are never in a result.
`open_now`/`open_at` keep services open at that instant; every result's `open_now`, `next_opening` and `open_until`
are about the real present moment (`next_opening` is the present moment when open now; `open_until` is null when the
opening does not end within 8 days; all three are null for a service that publishes no hours, `has_schedule` false). `verification_stale` is true when a record was never verified or was verified
more than settings.verification_stale_days ago.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import orjson
from sqlalchemy.orm import Session

from carebridge.directory import schemas
from carebridge.directory.schedules import next_opening_timestamp, open_until_timestamp
from carebridge.directory.search_index import (
    GRID_DEGREES,
    Place,
    SearchIndex,
    SearchIndexHolder,
    search_index_for,
    search_index_for_session,
)
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
BOOLEAN_PARAMETERS = ("open_now", "free", "no_status_check", "no_documents", "interpreter")
MAX_QUERY_WORDS = 12


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


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    raw = getlist(name) if getlist is not None else params.get(name)
    if raw is None:
        return []
    if isinstance(raw, (list, tuple)):
        return [_text(value) for value in raw if value is not None]
    return [_text(raw)]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _one(params: Mapping[str, Any], name: str) -> str | None:
    values = _values(params, name)
    if not values:
        return None
    value = values[-1].strip()
    return value or None


def parse_search_query(params: Mapping[str, Any]) -> schemas.SearchQuery:
    """Read search parameters (a query string's multi-dict, or a dict of Python values); unknown names are ignored.
    Raises InvalidInput listing every bad parameter."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}

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
        value = int(text) if re.fullmatch(r"[+-]?\d{1,9}", text) else None
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
        known = iso_639(primary) if re.fullmatch(r"[a-z]{2,3}", primary) else None
        if known is None:
            errors.append(FieldError("language", LANGUAGE_CODE))
        else:
            values["language"] = known

    categories = [code.strip() for value in _values(params, "category") for code in value.split(",") if code.strip()]
    if categories:
        values["category"] = list(dict.fromkeys(categories))

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
    return schemas.SearchQuery.model_construct(**{**_DEFAULTS, **values})


_DEFAULTS = {name: field.get_default(call_default_factory=True) for name, field in schemas.SearchQuery.model_fields.items()}


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
    return index.places.get(compact(text))


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


def _suggestions(index: SearchIndex, text: str) -> list[str]:
    key = compact(text)
    names = sorted({place.name for name, place in index.places.items() if key and name.startswith(key[:2])})
    if not names:
        names = sorted({place.name for place in index.places.values() if place.kind == "neighbourhood"})
    return names[:8]


_NO_HOURS = b',"open_now":null,"next_opening":null,"open_until":null,"verification_stale":'


def _opening_json(index: SearchIndex, entry: int, now: float, present: dict[Any, bytes]) -> bytes:
    """An entry's `,"open_now":...,"next_opening":...,"open_until":...,"verification_stale":` as JSON."""
    rules = index.rules[entry]
    if not rules:
        return _NO_HOURS
    cached = index.opening_fragments.get(entry)
    if cached is not None and cached[0] <= now < cached[1]:
        fragment = cached[2]
    else:
        fragment = _opening_fragment(index, entry, rules, now)
    if type(fragment) is tuple:
        # Open now: "next opening" is the present moment, in the entry's zone.
        tail, zone = fragment
        moment = present.get(zone)
        if moment is None:
            moment = present[zone] = datetime.fromtimestamp(now // 1, zone).isoformat().encode()
        return b',"open_now":true,"next_opening":"' + moment + tail
    return fragment


def _opening_fragment(index: SearchIndex, entry: int, rules: tuple[Any, ...], now: float) -> bytes | tuple[bytes, Any]:
    found = next_opening_timestamp(rules, now)
    open_now = found is not None and found[0] == now
    zone = found[1] if found is not None else None
    next_iso = until_iso = None
    changes = None  # when these facts next change: the next opening, or the end of this opening period
    if found is not None and not open_now:
        next_iso = datetime.fromtimestamp(found[0] // 1, zone).isoformat()
        changes = found[0]
    fragment: bytes | tuple[bytes, Any]
    if open_now:
        until = open_until_timestamp(rules, now)
        if until is not None and until != float("inf"):
            until_iso = datetime.fromtimestamp(until // 1, zone).isoformat()
            changes = until
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
        if changes is not None and len({rule.zone for rule in rules}) == 1:
            until_change = max(until_change, changes)
        index.opening_fragments[entry] = (start, until_change, fragment)
    return fragment


def run_search(
    index: SearchIndex, query: schemas.SearchQuery, *, now: datetime, zone: str, stale_days: int
) -> SearchPage:
    """The search itself, on one index (no database)."""
    size = index.size
    place: Place | None = None
    latitude, longitude = query.lat, query.lon
    if query.near:
        place = index.places.get(compact(query.near))
        if place is None:
            raise InvalidInput(errors=[FieldError("near", UNKNOWN_PLACE, allowed=_suggestions(index, query.near))])
        latitude, longitude = place.latitude, place.longitude
    if query.category:
        unknown = [code for code in query.category if code not in index.category_codes]
        if unknown:
            raise InvalidInput(errors=[FieldError("category", CATEGORY_CODE, allowed=list(index.category_codes))])

    # Filters on facts become one boolean mask over all entries (each AND is a pass over 100,000 bytes); the
    # radius then picks a latitude band of entries and the mask is read only there.
    mask: np.ndarray | None = None

    def keep(column: np.ndarray) -> None:
        nonlocal mask
        if mask is None:
            mask = column.copy()
        else:
            np.logical_and(mask, column, out=mask)

    for word in query_words(query.q)[:MAX_QUERY_WORDS] if query.q else ():
        keep(index.text.prefix_mask(word))
    if query.language:
        if query.interpreter:
            keep(index.interpreter_languages.mask(query.language))
        else:
            keep(index.languages.mask(query.language))
    elif query.interpreter:
        keep(index.interpreter)
    if query.category:
        wanted = index.categories.mask(query.category[0])
        for code in query.category[1:]:
            wanted = wanted | index.categories.mask(code)
        keep(wanted)
    if query.free:
        keep(index.free)
    if query.no_status_check:
        keep(index.no_status_check)
    if query.no_documents:
        keep(index.no_documents)
    if query.gender:
        code = {"female": 1, "male": 2}.get(query.gender, -1)
        keep((index.gender == 0) | (index.gender == code))

    candidates: np.ndarray | None = None
    point = latitude is not None and longitude is not None
    if point and query.radius_km is not None:
        # Half a kilometre wider: a confidential place counts as inside when its whole-kilometre distance is.
        low, high, half_width = geo.bounding_box(latitude, longitude, query.radius_km + 0.5)  # type: ignore[arg-type]
        if half_width is not None and -180.0 <= longitude - half_width and longitude + half_width <= 180.0:  # type: ignore[operator]
            # The box, one slice per grid row (a little more than the box; the radius is checked exactly below).
            rows = np.arange(math.floor(low / GRID_DEGREES), math.floor(high / GRID_DEGREES) + 1) * 1000.0
            firsts = np.searchsorted(index.grid_keys, rows + (longitude - half_width + 180.0), side="left").tolist()  # type: ignore[operator]
            lasts = np.searchsorted(index.grid_keys, rows + (longitude + half_width + 180.0), side="right").tolist()  # type: ignore[operator]
            grid = index.grid_entries
            box = np.concatenate([grid[first:last] for first, last in zip(firsts, lasts, strict=True)])
            candidates = box if mask is None else box[mask[box]]
        else:  # the box reaches a pole or crosses the antimeridian: a latitude band
            first = int(np.searchsorted(index.sorted_latitude, low, side="left"))
            last = int(np.searchsorted(index.sorted_latitude, high, side="right"))
            band = index.by_latitude[first:last]
            inside = np.ones(len(band), dtype=bool) if half_width is None else (
                geo.longitude_gap(index.longitude_by_latitude[first:last], longitude) <= half_width  # type: ignore[arg-type]
            )
            if mask is not None:
                inside &= mask[band]
            candidates = band[inside]

    if candidates is None:
        candidates = np.flatnonzero(mask) if mask is not None else np.arange(size)
    if query.age is not None and len(candidates):
        low_age, high_age = index.minimum_age[candidates], index.maximum_age[candidates]
        fits = ~(low_age > query.age) & ~(high_age < query.age)  # NaN (no limit) compares False
        candidates = candidates[fits]

    distances: np.ndarray | None = None
    if point and len(candidates):
        exact = geo.haversine_km_many(
            latitude, longitude, index.distance_latitude[candidates], index.distance_longitude[candidates]  # type: ignore[arg-type]
        )
        distances = np.where(index.confidential[candidates], np.round(exact), exact)
        if query.radius_km is not None:
            inside = distances <= query.radius_km
            candidates, distances = candidates[inside], distances[inside]

    now_timestamp = now.timestamp()
    if (query.open_at is not None or query.open_now) and len(candidates):
        if query.open_at is not None:
            moment = query.open_at if query.open_at.tzinfo else query.open_at.replace(tzinfo=ZoneInfo(zone))
            is_open = index.open_mask(moment.timestamp(), candidates)[candidates]
        else:
            is_open = index.open_mask(now_timestamp, candidates, shared=True)[candidates]
        candidates = candidates[is_open]
        if distances is not None:
            distances = distances[is_open]

    total = int(len(candidates))
    start = (query.page - 1) * query.per_page
    stop = start + query.per_page
    if distances is not None and total:
        key = np.where(np.isnan(distances), np.inf, distances)
        if total > 4 * stop:
            cut = np.partition(key, stop - 1)[stop - 1]
            chosen = np.flatnonzero(key <= cut)
        else:
            chosen = np.arange(total)
        order = chosen[np.lexsort((candidates[chosen], key[chosen]))]
        page_rows = order[start:stop]
        page_entries, page_distances = candidates[page_rows], distances[page_rows]
    else:
        page_entries, page_distances = candidates[start:stop], None

    today = datetime.fromtimestamp(now_timestamp, ZoneInfo(zone)).date().toordinal()
    # A page is a few results: per result, Python's scalar reads cost less than numpy's per-call overhead.
    blob, ends = index.documents.blob, index.documents.ends
    last_verified, confidential = index.last_verified, index.confidential
    distance_values = page_distances.tolist() if page_distances is not None else None
    present: dict[Any, bytes] = {}
    parts: list[bytes] = []
    for position, entry in enumerate(page_entries.tolist()):
        if distance_values is None:
            distance = b"null"
        else:
            value = distance_values[position]
            if math.isnan(value):
                distance = b"null"
            else:
                distance = orjson.dumps(float(round(value)) if confidential.item(entry) else round(value, 1))
        verified = last_verified.item(entry)
        parts.append(b',' if position else b'')
        parts.append(blob[(ends.item(entry - 1) if entry else 0) : ends.item(entry)])
        parts.append(b',"distance_km":')
        parts.append(distance)
        parts.append(_opening_json(index, entry, now_timestamp, present))
        parts.append(b"true}" if verified == 0 or today - verified > stale_days else b"false}")

    head = {"total": total, "page": query.page, "per_page": query.per_page, "place": None}
    if place is not None:
        head["place"] = {"name": place.name, "kind": place.kind}
    body = orjson.dumps(head)[:-1] + b',"results":[' + b"".join(parts) + b"]}"
    return SearchPage(total, query.page, query.per_page, place, body)

