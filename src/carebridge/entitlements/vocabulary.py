"""The words the rules, the engine, the API and the tests share.

Statuses, person facts, service categories and outcomes are exactly the identifiers of issue 3; docs/entitlements.md
explains each one. The health service categories are the same codes as the service finder's category taxonomy
(carebridge.directory.taxonomy), so a result can link to matching services.

English texts here are gettext message ids of the `entitlements` domain; they are translated at render time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it now."""
    return message


STATUSES: tuple[str, ...] = (
    "refugee",
    "asylum-seeker",
    "refused-asylum-seeker",
    "temporary-protection",
    "undocumented",
    "labour-migrant",
    "student",
    "eu-citizen",
    "visitor",
)

# What a person would pick; plain words, reading age about 9.
STATUS_LABELS: dict[str, str] = {
    "refugee": N_("I have refugee status or humanitarian protection"),
    "asylum-seeker": N_("I have asked for asylum and I am waiting for an answer"),
    "refused-asylum-seeker": N_("My asylum claim was refused"),
    "temporary-protection": N_("I have temporary protection (for example after fleeing the war in Ukraine)"),
    "undocumented": N_("I do not have papers that let me stay here"),
    "labour-migrant": N_("I have a work visa or a work permit"),
    "student": N_("I have a student visa"),
    "eu-citizen": N_("I am a citizen of a country in the European Union"),
    "visitor": N_("I am visiting, for example as a tourist"),
}

SERVICE_CATEGORIES: tuple[str, ...] = (
    "emergency",
    "primary-care",
    "hospital-care",
    "mental-health",
    "maternity",
    "communicable-diseases",
    "vaccination",
    "sexual-reproductive-health",
    "dental",
    "medicines",
)

CATEGORY_LABELS: dict[str, str] = {
    "emergency": N_("Emergency care"),
    "primary-care": N_("See a doctor"),
    "hospital-care": N_("Hospital care"),
    "mental-health": N_("Mental health"),
    "maternity": N_("Pregnancy and baby care"),
    "communicable-diseases": N_("Infections such as TB, HIV and hepatitis"),
    "vaccination": N_("Vaccinations"),
    "sexual-reproductive-health": N_("Sexual health, contraception and abortion"),
    "dental": N_("Dental care"),
    "medicines": N_("Medicines"),
}

OUTCOMES: tuple[str, ...] = (
    "covered-free",
    "covered-limited",
    "covered-with-charges",
    "charged-never-withheld",
    "emergency-only",
    "not-covered",
    "unknown",
)

OUTCOME_LABELS: dict[str, str] = {
    "covered-free": N_("You can get this care for free"),
    "covered-limited": N_("You can get some of this care"),
    "covered-with-charges": N_("You can get this care, but you may have to pay"),
    "charged-never-withheld": N_("You will get this care even if you cannot pay, but you may get a bill later"),
    "emergency-only": N_("You can only get this care in an emergency"),
    "not-covered": N_("This care is not covered for you"),
    "unknown": N_("We do not know yet"),
}

CONFIDENCE_LEVELS: tuple[str, ...] = ("primary", "secondary", "unverified")
# How a rule was reviewed: "checked" by a named reviewer against the primary source (the law itself), or "pending":
# no lawyer has checked it yet, and it was taken from a named secondary source.
REVIEW_STATES: tuple[str, ...] = ("checked", "pending")


@dataclass(frozen=True)
class Fact:
    """One thing the engine may need to know about a person."""

    name: str
    kind: str  # "boolean" or "integer"
    question: str  # message id; may use {country}
    minimum: int | None = None
    maximum: int | None = None
    unit: str | None = None
    # Sensitive questions are asked last when several questions would help equally.
    sensitive: bool = False
    # A disclosure fact is an intimate special circumstance (trafficking, torture) that only ever opens an exception
    # in the person's favour. Unanswered, it is assumed "no": the engine answers with the law's base case, says what
    # it assumed, and says what a "yes" would change (docs/entitlements.md, "Disclosure facts and assumptions").
    disclosure: bool = False

    def check(self, value: Any) -> str | None:
        """A reason the value is not acceptable, or None."""
        if self.kind == "boolean":
            return None if isinstance(value, bool) else "must be true or false"
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        if self.minimum is not None and value < self.minimum:
            return f"must be at least {self.minimum}"
        if self.maximum is not None and value > self.maximum:
            return f"must be at most {self.maximum}"
        return None


FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in (
        Fact("age", "integer", N_("How old are you?"), 0, 130, "years"),
        Fact("pregnant", "boolean", N_("Are you pregnant?")),
        Fact(
            "unaccompanied_minor",
            "boolean",
            N_("Are you under 18 and in {country} without a parent or another adult who looks after you?"),
        ),
        Fact("months_in_country", "integer", N_("How many months have you lived in {country}?"), 0, 1200, "months"),
        Fact(
            "receives_asylum_support",
            "boolean",
            N_("Do you get money or housing from the government because you asked for asylum?"),
        ),
        Fact(
            "paid_health_surcharge",
            "boolean",
            N_("Did you pay a health charge with your visa, or were you told you did not need to pay it?"),
        ),
        Fact(
            "trafficking_victim",
            "boolean",
            N_("Were you brought here or kept here by force or by tricks to work for others (trafficking)?"),
            sensitive=True,
            disclosure=True,
        ),
        Fact(
            "torture_or_violence_survivor",
            "boolean",
            N_("Have you lived through torture, female genital cutting, violence at home or sexual violence?"),
            sensitive=True,
            disclosure=True,
        ),
        Fact(
            "registered_residence_months",
            "integer",
            N_("For how many months have you been registered at an address in {country}?"),
            0,
            1200,
            "months",
        ),
        Fact(
            "income_below_threshold",
            "boolean",
            N_("Is your money each month less than the limit for free health care?"),
        ),
        Fact(
            "has_health_insurance",
            "boolean",
            N_("Do you have health insurance or health cover from anywhere, for example your home country or a job?"),
        ),
    )
}

# Facts assumed false when unanswered, in the order they are asked. Never a fact whose "no" is not the law's base
# case (receives_asylum_support, months_in_country, has_health_insurance, ...): assuming those would be a guess.
DISCLOSURE_FACTS: tuple[str, ...] = tuple(name for name, fact in FACTS.items() if fact.disclosure)
DISCLOSURE_ASSUMPTION = False
assert all(FACTS[name].kind == "boolean" and FACTS[name].sensitive for name in DISCLOSURE_FACTS), (
    "a disclosure fact is a sensitive yes/no fact"
)

STATUS_QUESTION = N_("Which of these is closest to your situation?")

# Person fields an API caller may send: the status and the facts.
PERSON_FIELDS: tuple[str, ...] = ("status", *FACTS)

# When two questions would help equally, ask the earlier one first: plain questions before sensitive ones.
QUESTION_ORDER: tuple[str, ...] = (
    "status",
    "age",
    "months_in_country",
    "receives_asylum_support",
    "paid_health_surcharge",
    "has_health_insurance",
    "income_below_threshold",
    "registered_residence_months",
    "pregnant",
    "unaccompanied_minor",
    "trafficking_victim",
    "torture_or_violence_survivor",
)
assert set(QUESTION_ORDER) == set(PERSON_FIELDS), "every person field needs a place in QUESTION_ORDER"


@dataclass
class PersonProblem:
    """One problem with a person's answers, in API terms."""

    field: str
    message: str
    allowed: list[str] | None = None


class InvalidPerson(ValueError):
    """The answers name an unknown fact or status, or a value of the wrong type."""

    def __init__(self, problems: list[PersonProblem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def clean_person(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as the engine wants them: known fields only, `None` meaning "not answered".

    Raises InvalidPerson listing every problem, with the allowed values where that helps.
    """
    problems: list[PersonProblem] = []
    person: dict[str, Any] = {}
    for name, value in raw.items():
        if value is None:
            continue
        if name == "status":
            if value not in STATUSES:
                problems.append(PersonProblem("status", f"unknown status {value!r}", list(STATUSES)))
            else:
                person["status"] = value
            continue
        fact = FACTS.get(name)
        if fact is None:
            problems.append(PersonProblem(name, f"unknown fact {name!r}", list(PERSON_FIELDS)))
            continue
        reason = fact.check(value)
        if reason:
            problems.append(PersonProblem(name, reason))
        else:
            person[name] = value
    if problems:
        raise InvalidPerson(problems)
    return person
