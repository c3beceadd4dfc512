"""Request and response models of the directory's JSON API (the service search).

The search route reads its query string itself (search.parse_search_query) so that every bad value gets a message
that names the parameter and says what is allowed, and so that the hot path skips per-parameter validation
machinery; these models describe the same parameters and the response in the OpenAPI document.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from carebridge.directory import taxonomy

MAX_QUERY_LENGTH = 200
MAX_NEAR_LENGTH = 100
RADIUS_RANGE = (0.1, 200)
PER_PAGE_RANGE = (1, 100)
MAX_PAGE = 10_000
AGE_RANGE = (0, 130)
OPEN_AT_YEARS = (1971, 2199)
GENDER_VALUES = ("female", "male", "other")
DEFAULT_PER_PAGE = 20


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A service search. Every parameter is optional; all given ones must hold (AND).

    A plain dataclass, made by search.parse_search_query (which checks every value) on every search: a pydantic
    model would cost more to construct than parsing does. The Field metadata describes the parameters in the
    OpenAPI document (openapi_parameters)."""

    q: Annotated[str | None, Field(
        max_length=MAX_QUERY_LENGTH,
        description="Free text. Every word must start a word of the service's name, description, organisation or "
        "category, in any language and script the record is written in (case and accents ignored).",
    )] = None
    lat: Annotated[float | None, Field(ge=-90, le=90, description="Latitude of the person (WGS 84); needs lon.")] = None
    lon: Annotated[float | None, Field(ge=-180, le=180, description="Longitude of the person (WGS 84); needs lat.")] = None
    near: Annotated[str | None, Field(
        max_length=MAX_NEAR_LENGTH,
        description="A neighbourhood or postcode from the gazetteer, instead of lat and lon.",
    )] = None
    radius_km: Annotated[float | None, Field(
        ge=RADIUS_RANGE[0],
        le=RADIUS_RANGE[1],
        description="Only services within this distance of the point (lat+lon or near), in kilometres. Services "
        "without a position (phone lines, websites) are left out when a radius is given.",
    )] = None
    language: Annotated[str | None, Field(
        description="ISO 639 code (two or three letters): the staff speak it, or interpreters for it can be booked.",
    )] = None
    category: Annotated[tuple[str, ...], Field(
        description="Category code(s) of the Carebridge category taxonomy (or an imported one). Repeat the parameter "
        "or separate codes with commas: any of them matches.",
    )] = ()
    open_now: Annotated[bool, Field(description="Only services open now. false means no filter.")] = False
    open_at: Annotated[datetime | None, Field(
        description="Only services open at this ISO 8601 date-time; without an offset it is read in the deployment's "
        "time zone. Given together with open_now, open_at wins.",
    )] = None
    free: Annotated[bool, Field(description="Only services free of charge. false means no filter.")] = False
    no_status_check: Annotated[bool, Field(description="Only services that do not check immigration status.")] = False
    no_documents: Annotated[bool, Field(description="Only services that need no documents.")] = False
    interpreter: Annotated[bool, Field(
        description="Only services with interpreters (for `language`, when that is given too)."
    )] = False
    low_cost: Annotated[bool, Field(description="Only services that are free or low cost.")] = False
    childcare: Annotated[bool, Field(description="Only services that look after children while the parent takes part.")] = False
    faith_sensitive: Annotated[bool, Field(
        description="Only services that respect a faith's practice (or say all faiths are welcome)."
    )] = False
    transport_help: Annotated[bool, Field(description="Only services that help people get there.")] = False
    women_only: Annotated[bool, Field(description="Only services for women only (eligible-gender female).")] = False
    men_only: Annotated[bool, Field(description="Only services for men only (eligible-gender male).")] = False
    age: Annotated[int | None, Field(ge=AGE_RANGE[0], le=AGE_RANGE[1], description="The person's age in years.")] = None
    gender: Annotated[str | None, Field(
        description="The person's gender: female, male or other. Leaves out services only for another gender.",
        json_schema_extra={"enum": list(GENDER_VALUES)},
    )] = None
    page: Annotated[int, Field(ge=1, le=MAX_PAGE, description="Page number, from 1.")] = 1
    per_page: Annotated[int, Field(
        ge=PER_PAGE_RANGE[0], le=PER_PAGE_RANGE[1], description="Results per page (1-100)."
    )] = DEFAULT_PER_PAGE

    @property
    def has_point(self) -> bool:
        return (self.lat is not None and self.lon is not None) or bool(self.near)


class Address(BaseModel):
    address_1: str | None = None
    address_2: str | None = None
    city: str | None = None
    region: str | None = None
    state_province: str | None = None
    postal_code: str | None = None
    country: str | None = None


class CostOption(BaseModel):
    option: str | None = None
    amount: float | None = None
    currency: str | None = None
    amount_description: str | None = None


class SearchResult(BaseModel):
    """One service at one location. A confidential location carries only its area and the service's phone: never
    its name, address, coordinates or own phone (hsds.redact_location decides, for every output)."""

    service_id: str
    location_id: str | None = Field(description="Null for a service without a location.")
    service_at_location_id: str | None = Field(
        None, description="The HSDS service_at_location (what a referral names); null for a service without a location."
    )
    name: str
    organization: str | None
    distance_km: float | None = Field(
        description="From the point searched; whole kilometres for confidential locations (worked out from a "
        "position rounded to about a kilometre); null without a point or without a position."
    )
    open_now: bool | None = Field(description="Open at this moment; null when the service publishes no hours.")
    next_opening: datetime | None = Field(
        description="When it next opens, in the service's own time zone; the current moment when open now; null if "
        "nothing opens within 62 days."
    )
    open_until: datetime | None = Field(
        None, description="When open now: when this opening period ends; null if it does not end within 8 days."
    )
    languages: list[str] = Field(description="ISO 639 codes the staff speak.")
    interpreter_languages: list[str] = Field(description="ISO 639 codes interpreters can be booked for.")
    categories: list[str]
    free: bool
    no_status_check: bool
    status_check: Literal["no-check", "checks", "unknown"] = Field(
        description="What the record says about immigration status: `no-check` (the service does not ask and does "
        "not share information with immigration authorities), `checks` (it asks, or may share information) or "
        "`unknown` (the record says neither)."
    )
    no_documents: bool
    confidential_address: bool
    address: Address | None
    latitude: float | None
    longitude: float | None
    last_verified: str | None = Field(description="ISO date a person last checked the record.")
    verification_stale: bool = Field(description="Never verified, or verified longer ago than the deployment allows.")
    interpreter: bool
    same_gender_clinician: bool
    eligible_gender: str | None
    minimum_age: float | None
    maximum_age: float | None
    cost: str | None = Field(description="The fees as the provider describes them.")
    cost_options: list[CostOption]
    documents: list[str] = Field(description="Documents the service asks for.")
    content_language: str | None = Field(description="BCP 47 language of the name and description.")
    low_cost: bool = Field(description="Free or low cost (access facts `free` or `low-cost`).")
    childcare: bool = Field(description="Children are looked after while the parent takes part.")
    faith_sensitive: str | None = Field(
        description="The faith the service respects, or `all faiths welcome`; null when the record says nothing."
    )
    transport_help: bool = Field(description="The service helps people get there (fares, a lift, company).")
    location_name: str | None
    location_type: str | None
    area: str | None = Field(
        description="The neighbourhood or town; for a confidential location its region or city only, the only place shown."
    )
    phone: str | None = Field(description="A phone number; for a confidential location the service's, never the place's own.")
    open_evenings: bool
    open_weekends: bool
    has_schedule: bool
    url: str | None
    organization_id: str | None


class SearchPlace(BaseModel):
    name: str
    kind: str


class SearchResponse(BaseModel):
    total: int
    page: int
    per_page: int
    place: SearchPlace | None = Field(None, description="The gazetteer place `near` was read as.")
    results: list[SearchResult]


# C0 and C1 control characters: refused in every parameter.
NO_CONTROLS = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
# The words search.parse_search_query reads as true or false.
BOOLEAN_WORDS = ["true", "false", "1", "0", "yes", "no", "on", "off"]


@lru_cache(maxsize=1)
def language_codes() -> list[str]:
    """Every ISO 639 code the search understands (search.iso_639): 639-1, 639-3 and 639-2/B."""
    import pycountry

    codes = {getattr(item, "alpha_2", None) for item in pycountry.languages}
    codes |= {item.alpha_3 for item in pycountry.languages}
    codes |= {getattr(item, "bibliographic", None) for item in pycountry.languages}
    return sorted(code for code in codes if code)


def _parameter_schemas() -> dict[str, dict[str, Any]]:
    """What search.parse_search_query accepts, parameter by parameter. Between parameters: lat and lon come
    together; near and lat/lon are not given together; radius_km needs a point (lat and lon, or near)."""
    whole = lambda low, high: {"type": "integer", "minimum": low, "maximum": high}  # noqa: E731
    text = lambda maximum: {"type": "string", "maxLength": maximum, "pattern": NO_CONTROLS}  # noqa: E731
    flag = {"type": "string", "enum": BOOLEAN_WORDS}
    low, high = OPEN_AT_YEARS
    return {
        "q": text(MAX_QUERY_LENGTH),
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "near": {**text(MAX_NEAR_LENGTH), "minLength": 1},
        "radius_km": {"type": "number", "minimum": RADIUS_RANGE[0], "maximum": RADIUS_RANGE[1]},
        "language": {"type": "string", "enum": language_codes()},
        # Carebridge's own category codes; codes of an imported category taxonomy are accepted as well.
        "category": {"type": "array", "items": {"type": "string", "enum": list(taxonomy.CATEGORY_CODES)}},
        "open_now": flag,
        "open_at": {
            "type": "string",
            "format": "date-time",
            # The years the opening hours can be worked out for.
            "pattern": "^(19(7[1-9]|[89]\\d)|2(0\\d\\d|1[0-9]\\d))-",
            "description-years": f"{low}-{high}",
        },
        "free": flag,
        "no_status_check": flag,
        "no_documents": flag,
        "interpreter": flag,
        "low_cost": flag,
        "childcare": flag,
        "faith_sensitive": flag,
        "transport_help": flag,
        "women_only": flag,
        "men_only": flag,
        "age": whole(*AGE_RANGE),
        "gender": {"type": "string", "enum": list(GENDER_VALUES)},
        "page": whole(1, MAX_PAGE),
        "per_page": whole(*PER_PAGE_RANGE),
    }


def openapi_parameters() -> list[dict[str, Any]]:
    """The query parameters of the search route, for the OpenAPI document: the descriptions from SearchQuery, the
    schemas exactly what the parser accepts (true/false also as 1/0, yes/no, on/off)."""
    described = TypeAdapter(SearchQuery).json_schema()["properties"]
    parameters = []
    for name, schema in _parameter_schemas().items():
        schema = dict(schema)
        schema.pop("description-years", None)
        # An empty value (or spaces) is no filter, as a form with the field left blank sends it.
        blank = {"type": "string", "pattern": "^ *$"}
        if name == "category":
            schema = {**schema, "items": {"anyOf": [schema["items"], blank]}}
        else:
            schema = {"anyOf": [schema, blank]}
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema}
        description = described.get(name, {}).get("description")
        if description:
            parameter["description"] = description
        if name == "category":
            parameter["style"], parameter["explode"] = "form", True
        parameters.append(parameter)
    return parameters
