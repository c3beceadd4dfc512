"""The published Carebridge taxonomies.

Migrant-specific facts are carried the HSDS way: as `attribute` rows whose `taxonomy_term_id` points at a term
of the Carebridge access taxonomy. Service categories come from the Carebridge category taxonomy, whose codes
match the entitlement service categories where the two overlap, so an entitlement result can link to the finder.

Identifiers are UUIDv5 values derived from the codes, so every installation (and every export) agrees on them.
Documented for data publishers in docs/taxonomy.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

CAREBRIDGE_NAMESPACE = uuid.UUID("6f1c0a52-3a8e-4f0b-9a59-2d1b9e6c4a10")


def stable_id(*parts: str) -> str:
    """A deterministic UUID for a Carebridge-defined record (taxonomy, term, demo record)."""
    return str(uuid.uuid5(CAREBRIDGE_NAMESPACE, "/".join(parts)))


@dataclass(frozen=True)
class Term:
    code: str
    name: str
    description: str
    link_entity: str  # which HSDS table the attribute attaches to
    value: str | None = None  # what the attribute's `value` holds, if anything

    @property
    def id(self) -> str:
        return stable_id("term", self.code)


ACCESS_TAXONOMY_ID = stable_id("taxonomy", "carebridge-access")
CATEGORY_TAXONOMY_ID = stable_id("taxonomy", "carebridge-category")

ACCESS_TAXONOMY = {
    "id": ACCESS_TAXONOMY_ID,
    "name": "Carebridge access facts",
    "description": "Facts that decide whether a migrant can safely use a service: status checks, papers, cost, "
    "language support, confidentiality and when the record was last verified.",
    "uri": "https://carebridge.example/taxonomies/access",
    "version": "1.2",  # 1.1: status-check; 1.2: low-cost, childcare, faith-sensitive, transport-help
}
CATEGORY_TAXONOMY = {
    "id": CATEGORY_TAXONOMY_ID,
    "name": "Carebridge service categories",
    "description": "What a service helps with, in the words a person would use.",
    "uri": "https://carebridge.example/taxonomies/category",
    "version": "1.1",  # 1.1: community activities for social prescribing (sport-exercise ... gardening-outdoors)
}

NO_STATUS_CHECK = Term(
    "no-status-check",
    "No immigration-status check",
    "The service does not ask about immigration status and does not share information with immigration authorities.",
    "service",
)
# The opposite fact, so that a service that does check can say so: a page then warns, where one that carries
# neither term says that we do not know.
STATUS_CHECK = Term(
    "status-check",
    "Asks about immigration status or may share information",
    "The service asks about immigration status (for example to decide whether to charge), or may share "
    "information about the people it sees with immigration authorities. `value` says what is checked or shared "
    "and where that is written (a law, the provider's own policy).",
    "service",
    value="free text: what is checked or shared, and its source",
)
NO_DOCUMENTS = Term(
    "no-documents", "No documents required", "You can use the service without showing any papers.", "service"
)
FREE = Term("free", "Free of charge", "The service costs nothing to the person using it.", "service")
INTERPRETERS = Term(
    "interpreters",
    "Interpreters available",
    "Professional interpreters can be booked. One attribute per language; `value` is its ISO 639 code.",
    "service",
    value="ISO 639 language code",
)
SAME_GENDER_CLINICIAN = Term(
    "same-gender-clinician",
    "Same-gender clinician on request",
    "You can ask to be seen by a clinician of the same gender.",
    "service",
)
OPEN_EVENINGS = Term("open-evenings", "Open evenings", "Open after 18:00 on at least one day.", "service")
OPEN_WEEKENDS = Term("open-weekends", "Open weekends", "Open on Saturday or Sunday.", "service")
CONFIDENTIAL_ADDRESS = Term(
    "confidential-address",
    "Confidential address",
    "The street address and exact position must never be published (for example a refuge). "
    "Only the area and a phone number are shown.",
    "location",
)
LAST_VERIFIED = Term(
    "last-verified",
    "Last verified",
    "The date a person last checked this record with the provider. `value` is an ISO 8601 date.",
    "service",
    value="ISO 8601 date",
)
ELIGIBLE_GENDER = Term(
    "eligible-gender",
    "Only for one gender",
    "The service is only for people of one gender. `value` is `female` or `male`.",
    "service",
    value="female | male",
)
CONTENT_LANGUAGE = Term(
    "content-language",
    "Language of this record",
    "The language the record's name and description are written in. `value` is a BCP 47 tag.",
    "service",
    value="BCP 47 language tag",
)
TIME_ZONE = Term(
    "time-zone",
    "Time zone of a schedule",
    "HSDS gives a schedule's time zone as a fixed UTC offset, which is wrong half the year where clocks change. "
    "This attribute on a schedule names the IANA zone (for example Europe/London) the times are in.",
    "schedule",
    value="IANA time zone name",
)
SOURCE = Term(
    "source",
    "Source of this record",
    "Where the information came from (an organisation, a leaflet, a phone call). `value` is free text.",
    "service",
    value="free text",
)
# Facts for social prescribing (issue 11): whether a community activity fits the person's means, family, faith and
# travel. Women-only and men-only are `eligible-gender` (female | male), not new terms: one fact, one way to say it.
LOW_COST = Term(
    "low-cost",
    "Low cost",
    "The service charges a small fee that most people on a low income can pay, or pays it for those who cannot "
    "(the fee itself is in the service's `fees_description` or `cost_options`). A free service carries `free` instead.",
    "service",
)
CHILDCARE = Term(
    "childcare",
    "Childcare provided",
    "Children are looked after (a crèche, or a room with carers) while the parent takes part, at no extra cost.",
    "service",
)
FAITH_SENSITIVE = Term(
    "faith-sensitive",
    "Faith-sensitive",
    "The activity respects a faith's practice (food, prayer times, dress, mixing). `value` names the faith, or says "
    "`all faiths welcome` when it is arranged so that people of any faith can take part.",
    "service",
    value="free text: the faith, or all faiths welcome",
)
TRANSPORT_HELP = Term(
    "transport-help",
    "Help with transport",
    "The service helps people get there: fares paid back, a lift, or someone to travel with.",
    "service",
)

ACCESS_TERMS: tuple[Term, ...] = (
    NO_STATUS_CHECK,
    STATUS_CHECK,
    NO_DOCUMENTS,
    FREE,
    INTERPRETERS,
    SAME_GENDER_CLINICIAN,
    OPEN_EVENINGS,
    OPEN_WEEKENDS,
    CONFIDENTIAL_ADDRESS,
    LAST_VERIFIED,
    ELIGIBLE_GENDER,
    CONTENT_LANGUAGE,
    TIME_ZONE,
    SOURCE,
    LOW_COST,
    CHILDCARE,
    FAITH_SENSITIVE,
    TRANSPORT_HELP,
)

# Category codes. Health ones match the entitlement service categories (entitlements/vocabulary).
CATEGORY_TERMS: tuple[Term, ...] = tuple(
    Term(code, name, description, "service")
    for code, name, description in (
        ("primary-care", "See a doctor", "Family doctors (GPs), health centres and walk-in clinics."),
        ("emergency", "Emergency care", "Accident and emergency departments and urgent care."),
        ("hospital-care", "Hospital care", "Hospital outpatient and in-patient care."),
        ("mental-health", "Mental health", "Counselling, psychological support and trauma care."),
        ("dental", "Dental care", "Dentists and emergency dental care."),
        ("maternity", "Pregnancy and baby care", "Midwives, antenatal and postnatal care."),
        (
            "sexual-reproductive-health",
            "Sexual and reproductive health",
            "Contraception, sexual health testing and abortion care.",
        ),
        ("vaccination", "Vaccinations", "Vaccines for children and adults."),
        ("communicable-diseases", "Infection testing", "Testing and treatment for TB, HIV and hepatitis."),
        ("medicines", "Medicines", "Pharmacies and free medicines."),
        ("legal-advice", "Legal advice", "Immigration, asylum and rights advice."),
        ("food", "Food", "Food banks, free meals and food parcels."),
        ("housing", "Housing and shelter", "Emergency shelter, housing advice and refuges."),
        ("language-classes", "Language classes", "Free and low-cost classes in the local language."),
        ("social-support", "Social support", "Drop-in centres, peer support and help with forms."),
        # Community activities a link worker can prescribe (issue 11, social prescribing).
        ("sport-exercise", "Sport and exercise", "Football, walking groups, swimming, exercise classes."),
        ("arts-culture", "Arts and culture", "Music, sewing and crafts, drama, museums and libraries."),
        ("faith-cultural-groups", "Faith and cultural groups", "Faith communities and cultural associations."),
        ("volunteering", "Volunteering", "Ways to give your time and meet people."),
        ("parent-groups", "Parent and toddler groups", "Groups where parents and small children play and meet."),
        ("befriending", "Befriending", "Someone to meet and talk to regularly, so you are less alone."),
        ("gardening-outdoors", "Gardening and the outdoors", "Community gardens, allotments and nature walks."),
        ("cooking-eating-together", "Cooking and eating together", "Community kitchens, cooking clubs and shared meals."),
    )
)

ALL_TERMS: tuple[Term, ...] = ACCESS_TERMS + CATEGORY_TERMS
TERMS_BY_CODE = {term.code: term for term in ALL_TERMS}
TERMS_BY_ID = {term.id: term for term in ALL_TERMS}
CATEGORY_CODES = tuple(term.code for term in CATEGORY_TERMS)


def status_check_state(codes: Iterable[str]) -> str:
    """What a service's record says about immigration-status checks: "checks" (it asks, or may share information
    with the authorities), "no-check", or "unknown" (it says neither). A record that says both is read as "checks":
    the warning is the safe side to be wrong on."""
    codes = set(codes)
    if STATUS_CHECK.code in codes:
        return "checks"
    if NO_STATUS_CHECK.code in codes:
        return "no-check"
    return "unknown"


def taxonomy_records() -> tuple[list[dict], list[dict]]:
    """The two taxonomies and all their terms, as HSDS objects, for seeding and export."""
    taxonomies = [ACCESS_TAXONOMY, CATEGORY_TAXONOMY]
    terms = [
        {
            "id": term.id,
            "code": term.code,
            "name": term.name,
            "description": term.description,
            "taxonomy": "carebridge-access" if term in ACCESS_TERMS else "carebridge-category",
            "taxonomy_id": ACCESS_TAXONOMY_ID if term in ACCESS_TERMS else CATEGORY_TAXONOMY_ID,
            "language": "en",
        }
        for term in ALL_TERMS
    ]
    return taxonomies, terms
