"""What the checker shows people: the answers carried in the URL, and an evaluation turned into plain words.

The checker's pages, its PDF leaflet, its audio reading and the clinician view all read the same view built here,
so a result says the same thing in every form. Texts are gettext message ids of the `entitlements` domain
(translated here, in the reader's language); rule texts come from the rules bases and are message ids too.

Answers travel in GET query parameters named like the engine's person fields:

    jurisdiction=GB-ENG  status=undocumented  age=34  pregnant=yes  months_in_country=unknown

Yes/no facts are `yes` or `no`; numbers are whole numbers (Arabic-Indic and Persian digits are accepted); any
question may be answered `unknown` ("I don't know" / "I'd rather not say"). An unknown answer is never guessed: the
engine is told nothing, and every result it could change comes out as "it depends".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date as babel_format_date
from markupsafe import Markup

from carebridge import i18n
from carebridge.emergency import emergency_numbers
from carebridge.kit import clock
from carebridge.kit import text as kit_text
from carebridge.kit.text import isolate
from carebridge.entitlements import service
from carebridge.entitlements.rulebook import Rulebook
from carebridge.entitlements.vocabulary import (
    CATEGORY_LABELS,
    FACTS,
    OUTCOME_LABELS,
    QUESTION_ORDER,
    SERVICE_CATEGORIES,
    STATUS_LABELS,
    STATUSES,
)


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it now."""
    return message


UNKNOWN = "unknown"
YES, NO = "yes", "no"
MAX_VALUE_LENGTH = 32  # the longest status, "refused-asylum-seeker", is 21: 16 cut it and refused it
START_PATH = "/entitlements"
QUESTION_PATH = "/entitlements/question"
RESULT_PATH = "/entitlements/result"
LEAFLET_PATH = "/entitlements/result.pdf"
AUDIO_PATH = "/entitlements/result.mp3"
# The service finder's way in for one category (see carebridge.directory.pages): it then asks where the person is.
FINDER_PATH = "/find/where"

# The rules bases' `name` and `country_name`, marked here so that they are extracted into the catalogs (the YAML
# extractor reads only the rule texts); presentation translates them like any other message.
JURISDICTION_NAMES = (N_("England"), N_("Germany"), N_("Italy"), N_("Spain"), N_("France"), N_("Sweden"))

# Questions a person may prefer not to answer get "I'd rather not say"; the others "I don't know".
PRIVATE_FACTS = frozenset({"status", "trafficking_victim", "torture_or_violence_survivor"})
DONT_KNOW = N_("I don't know")
RATHER_NOT_SAY = N_("I'd rather not say")


# ---------------------------------------------------------------------------------------------------------------
# Needs: the result page groups the ten service categories the way a person thinks of them.


@dataclass(frozen=True)
class Need:
    code: str
    title: str  # message id
    categories: tuple[str, ...]


NEEDS: tuple[Need, ...] = (
    Need("doctor", N_("See a doctor"), ("primary-care",)),
    Need("emergency", N_("Emergency"), ("emergency",)),
    Need("pregnancy", N_("Pregnancy and birth"), ("maternity",)),
    Need("hospital", N_("Hospital"), ("hospital-care",)),
    Need("mental-health", N_("Mental health"), ("mental-health",)),
    Need("medicines", N_("Medicines"), ("medicines",)),
    Need("dental", N_("Teeth"), ("dental",)),
    Need("vaccinations", N_("Vaccines"), ("vaccination",)),
    Need("infections", N_("Infections and sexual health"), ("communicable-diseases", "sexual-reproductive-health")),
)
assert sorted(c for need in NEEDS for c in need.categories) == sorted(SERVICE_CATEGORIES), "every category needs a need"

# The colour a result's label gets; the words say the same thing, the colour only helps people who see it.
OUTCOME_TONES: dict[str, str] = {
    "covered-free": "ok",
    "covered-limited": "ok",
    "covered-with-charges": "warn",
    "charged-never-withheld": "warn",
    "emergency-only": "warn",
    "not-covered": "no",
    "unknown": "unknown",
}

# What a rule's confidence says to a person. "We checked this in the law itself" is only true of a rule that a named
# reviewer checked against the law (review: checked); a rule taken from the law's text but not yet checked by a
# lawyer says so (see confidence_text).
CHECKED_IN_THE_LAW = N_("We checked this in the law itself.")
CONFIDENCE_TEXTS: dict[str, str] = {
    "primary": N_("This comes from the law itself, but a lawyer has not checked our reading of it yet."),
    "secondary": N_("We took this from a trusted guide. We have not checked it in the law itself."),
    "unverified": N_("We have not been able to check this yet. It may be wrong."),
}
# Every rule and result says how it was reviewed, in plain words (the reviewer and the source are names, shown as
# they are written in the rules base).
REVIEW_CHECKED = N_("Checked by %(reviewer)s against the law itself on %(date)s.")
REVIEW_PENDING = N_("Not yet checked by a lawyer. Taken from %(source)s on %(date)s.")
# The secondary sources the seeded rules bases name in `taken_from`, marked here so that they are translated like a
# country's name (a source named only in a rules base stays as written there).
SECONDARY_SOURCES = (N_("Carebridge entitlement facts table"),)
# A name (a reviewer, a source) inside a sentence of another direction keeps its own direction: first-strong
# isolate ... pop directional isolate.
FSI, PDI = "\u2068", "\u2069"
UNVERIFIED_CAVEAT = N_(
    "Be careful: we have not checked this yet, so it may be wrong. Ask an advice service before you rely on it."
)
UPFRONT_TEXTS: dict[bool | None, str] = {
    False: N_("You do not have to pay before you get this care."),
    True: N_("They can ask you to pay before you get this care."),
    None: N_("We do not know if they can ask you to pay first."),
}
NO_DOCUMENTS = N_("Our rules do not list any papers for this.")
SAFETY_UNKNOWN = N_(
    "Our rules do not say if staff may ask about your papers or tell the immigration office. "
    "A support group can tell you before you go."
)


# ---------------------------------------------------------------------------------------------------------------
# Answers


@dataclass
class AnswerError:
    """One answer that is missing or not valid; `name` is the field it belongs to (and the id it links to)."""

    name: str
    message: str  # message id
    params: dict[str, Any] = field(default_factory=dict)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C").strip()
    return value[:MAX_VALUE_LENGTH] or None


NUMBER = re.compile(r"^\+?(\d{1,4})$")  # \d also matches Arabic-Indic and Persian digits; int() reads them


def parse_value(name: str, raw: str | None) -> tuple[Any, AnswerError | None]:
    """One answer from the query string: (value, None), (UNKNOWN, None), (None, None) if absent, or an error."""
    text = _clean(raw)
    if text is None:
        return None, None
    lowered = text.lower()
    if lowered == UNKNOWN:
        return UNKNOWN, None
    if name == "status":
        if lowered in STATUSES:
            return lowered, None
        return None, AnswerError(name, N_("Choose the answer closest to your situation"))
    fact = FACTS[name]
    if fact.kind == "boolean":
        if lowered in {YES, "true", "1"}:
            return True, None
        if lowered in {NO, "false", "0"}:
            return False, None
        return None, AnswerError(name, N_("Choose yes, no or one of the other answers"))
    match = NUMBER.match(text.replace(" ", ""))
    if match is None:
        return None, AnswerError(name, N_("Enter a whole number, like 5"))
    number = int(match.group(1))
    low, high = fact.minimum or 0, fact.maximum if fact.maximum is not None else 9999
    if not low <= number <= high:
        return None, AnswerError(
            name, N_("Enter a number from %(low)s to %(high)s"), {"low": low, "high": high}
        )
    return number, None


def format_value(value: Any) -> str:
    """An answer as it travels in the query string."""
    if value is True:
        return YES
    if value is False:
        return NO
    return str(value)


@dataclass
class Answers:
    """The checker's answers as they came in the query string."""

    jurisdiction: str | None = None
    values: dict[str, Any] = field(default_factory=dict)  # fact -> value or UNKNOWN, in QUESTION_ORDER
    errors: dict[str, AnswerError] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Answers:
        jurisdiction = _clean(query.get("jurisdiction"))
        answers = cls(jurisdiction=jurisdiction.upper() if jurisdiction else None)
        for name in QUESTION_ORDER:
            value, error = parse_value(name, query.get(name))
            if error is not None:
                answers.errors[name] = error
            elif value is not None:
                answers.values[name] = value
        return answers

    @property
    def person(self) -> dict[str, Any]:
        """What the engine is told: the answers given, without the ones the person did not know or did not say."""
        return {name: value for name, value in self.values.items() if value != UNKNOWN}

    @property
    def declined(self) -> frozenset[str]:
        return frozenset(name for name, value in self.values.items() if value == UNKNOWN)

    def without(self, *names: str) -> Answers:
        return Answers(
            self.jurisdiction,
            {name: value for name, value in self.values.items() if name not in names},
            {name: error for name, error in self.errors.items() if name not in names},
        )

    def with_answer(self, name: str, value: Any) -> Answers:
        values = dict(self.values)
        values[name] = value
        ordered = {key: values[key] for key in QUESTION_ORDER if key in values}
        return Answers(self.jurisdiction, ordered, {k: v for k, v in self.errors.items() if k != name})

    def params(self, lang: str, **extra: Any) -> dict[str, str]:
        values: dict[str, str] = {"lang": lang}
        if self.jurisdiction:
            values["jurisdiction"] = self.jurisdiction
        values.update({name: format_value(value) for name, value in self.values.items()})
        values.update({key: str(value) for key, value in extra.items() if value is not None})
        return values

    def url(self, path: str, lang: str, **extra: Any) -> str:
        return f"{path}?{urlencode(self.params(lang, **extra))}"


# ---------------------------------------------------------------------------------------------------------------
# Which question comes next


def next_fact(rulebook: Rulebook, answers: Answers, on_date: dt.date) -> str | None:
    """The next fact to ask about, or None when no answer can change anything: the engine's choice, never asking
    again what the person chose not to answer."""
    question = service.next_question(rulebook.jurisdiction, answers.person, on_date, declined=answers.declined)
    return question.fact if question else None


def asked_sequence(rulebook: Rulebook, answers: Answers, on_date: dt.date) -> tuple[list[str], str | None]:
    """The questions this person was asked, in order, and the one to ask now (None: none left).

    Replays the flow from no answers: the engine is deterministic, so this is the path the person took, and the
    back link can go one step back without any state kept on the server.
    """
    replay = Answers(answers.jurisdiction)
    asked: list[str] = []
    for _ in range(len(QUESTION_ORDER) + 1):
        name = next_fact(rulebook, replay, on_date)
        if name is None or name not in answers.values:
            return asked, name
        asked.append(name)
        replay = replay.with_answer(name, answers.values[name])
    return asked, None


# ---------------------------------------------------------------------------------------------------------------
# Questions in plain words


@dataclass
class Option:
    value: str
    label: str
    hint: str | None = None


@dataclass
class QuestionView:
    fact: str
    kind: str  # "choice" (radios) or "integer" (a number field)
    text: str
    hint: str | None
    options: list[Option]
    unknown_label: str
    selected: str | None = None
    unit: str | None = None


QUESTION_HINTS: dict[str, str] = {
    "status": N_("We do not keep your answers, and we never tell the immigration office. They are only in the "
                 "address of this page."),
    "age": N_("Some care is different for children and young people."),
    "months_in_country": N_("Count from when you arrived. If you are not sure, give your best guess."),
    "registered_residence_months": N_("For example, registered with the town hall at the place where you live."),
    "income_below_threshold": N_("The office that gives health cover can tell you the limit."),
    "trafficking_victim": N_("You do not have to answer. We do not keep your answers."),
    "torture_or_violence_survivor": N_("You do not have to answer. We do not keep your answers."),
}


# What a "yes" to a question the person did not have to answer would mean, as the start of a sentence about a
# better result ("If ...: You can get this care for free"). Only the disclosure facts (trafficking, torture): the
# engine assumes "no" for them when they are not answered, and says what a "yes" would change.
IF_YES_TEXTS: dict[str, str] = {
    "trafficking_victim": N_(
        "If you were brought here or kept here by force or by tricks to work for others (trafficking): %(outcome)s"
    ),
    "torture_or_violence_survivor": N_(
        "If you have lived through torture, female genital cutting, violence at home or sexual violence: %(outcome)s"
    ),
}
IF_YES_LEAD = N_("You did not have to tell us about this, but it can change what you get.")

# The clinician view's labels: short, in the words staff use; the API name is shown beside each.
STAFF_LABELS: dict[str, str] = {
    "status": N_("Immigration status"),
    "age": N_("Age in years"),
    "pregnant": N_("Pregnant"),
    "unaccompanied_minor": N_("Child without a parent or carer (unaccompanied minor)"),
    "months_in_country": N_("Months living in the country"),
    "receives_asylum_support": N_("Receives asylum support (for example section 95 or section 4 in the UK)"),
    "paid_health_surcharge": N_("Paid the immigration health surcharge, or is exempt from it"),
    "trafficking_victim": N_("Victim or suspected victim of trafficking or modern slavery"),
    "torture_or_violence_survivor": N_("Survivor of torture, female genital mutilation, domestic or sexual violence"),
    "registered_residence_months": N_("Months registered at an address"),
    "income_below_threshold": N_("Income below the threshold for free care"),
    "has_health_insurance": N_("Has health insurance or cover"),
}
assert set(STAFF_LABELS) == set(QUESTION_ORDER), "every person field needs a label in the clinician view"

# The clinician view's status options, in staff words about the patient (the checker's STATUS_LABELS speak as "I").
STAFF_STATUS_LABELS: dict[str, str] = {
    "refugee": N_("Refugee status or humanitarian protection"),
    "asylum-seeker": N_("Asylum seeker waiting for a decision"),
    "refused-asylum-seeker": N_("Refused asylum seeker"),
    "temporary-protection": N_("Temporary protection (for example after fleeing the war in Ukraine)"),
    "undocumented": N_("No papers that allow the patient to stay (undocumented)"),
    "labour-migrant": N_("Work visa or work permit"),
    "student": N_("Student visa"),
    "eu-citizen": N_("Citizen of a country in the European Union"),
    "visitor": N_("Visitor, for example a tourist"),
}
assert set(STAFF_STATUS_LABELS) == set(STATUSES), "every status needs a label in the clinician view"
# Where no rule says whether staff may check status or report it: said to staff, not to the patient.
STAFF_SAFETY_UNKNOWN = N_(
    "Our rules do not say whether staff may check the patient's immigration status or pass it on to the "
    "immigration authorities. Ask your overseas visitors team or safeguarding lead before doing either."
)

# The clinician view speaks to staff about the patient; the outcome codes stay as small print.
STAFF_OUTCOME_LABELS: dict[str, str] = {
    "covered-free": N_("The patient can get this care free of charge."),
    "covered-limited": N_("The patient can get some of this care."),
    "covered-with-charges": N_("The patient can get this care, but may be charged for it."),
    "charged-never-withheld": N_("The patient must get this care even if they cannot pay. They may get a bill later."),
    "emergency-only": N_("The patient can get this care only in an emergency."),
    "not-covered": N_("This care is not covered for the patient."),
    "unknown": N_("Not known yet: see what it depends on."),
}
assert set(STAFF_OUTCOME_LABELS) == set(OUTCOME_LABELS), "every outcome needs a label in the clinician view"


def questions_used(rulebook: Rulebook) -> tuple[str, ...]:
    """The person fields (and status) a country's rules read, on any date, in the clinician view's order: the only
    questions worth asking staff for that country."""
    read = {fact for entry in rulebook.entries for fact in entry.facts}
    if any(entry.groups is not None for entry in rulebook.entries):
        read.add("status")
    return tuple(name for name in QUESTION_ORDER if name in read)


def question_view(rulebook: Rulebook, fact: str, lang: str, selected: Any = None) -> QuestionView:
    translate = i18n.get_translations(lang).gettext
    text = translate(rulebook.question_text(fact)).replace("{country}", translate(rulebook.country_name))
    unknown_label = translate(RATHER_NOT_SAY if fact in PRIVATE_FACTS else DONT_KNOW)
    hint = translate(QUESTION_HINTS[fact]) if fact in QUESTION_HINTS else None
    chosen = format_value(selected) if selected is not None else None
    if fact == "status":
        options = [Option(status, translate(STATUS_LABELS[status])) for status in STATUSES]
        return QuestionView(fact, "choice", text, hint, options, unknown_label, chosen)
    definition = FACTS[fact]
    if definition.kind == "boolean":
        options = [Option(YES, translate(N_("Yes"))), Option(NO, translate(N_("No")))]
        return QuestionView(fact, "choice", text, hint, options, unknown_label, chosen)
    unit = {"years": translate(N_("years")), "months": translate(N_("months"))}.get(definition.unit or "")
    return QuestionView(fact, "integer", text, hint, [], unknown_label, chosen, unit)


def answer_label(rulebook: Rulebook, fact: str, value: Any, lang: str) -> str:
    translate = i18n.get_translations(lang).gettext
    if value == UNKNOWN:
        return translate(RATHER_NOT_SAY if fact in PRIVATE_FACTS else DONT_KNOW)
    if fact == "status":
        return translate(STATUS_LABELS[value])
    if value is True:
        return translate(N_("Yes"))
    if value is False:
        return translate(N_("No"))
    unit = FACTS[fact].unit
    translations = i18n.get_translations(lang)
    if unit == "years":
        return translations.ngettext("%(number)s year", "%(number)s years", value) % {"number": value}
    if unit == "months":
        return translations.ngettext("%(number)s month", "%(number)s months", value) % {"number": value}
    return str(value)


# ---------------------------------------------------------------------------------------------------------------
# Results in plain words


def format_day(day: dt.date | None, lang: str) -> str:
    if day is None:
        return ""
    return babel_format_date(day, format="long", locale=i18n.formatting_locale(lang))


def confidence_text(confidence: str | None, review: str | None, lang: str) -> str | None:
    """What the confidence level says, never claiming a check in the law that no reviewer made."""
    translate = i18n.get_translations(lang).gettext
    if confidence == "primary" and review == "checked":
        return translate(CHECKED_IN_THE_LAW)
    return translate(CONFIDENCE_TEXTS[confidence]) if confidence in CONFIDENCE_TEXTS else None


def review_text(
    review: str | None,
    reviewer: str | None,
    taken_from: str | None,
    day: dt.date | None,
    lang: str,
    *,
    isolate: bool = True,
) -> str | None:
    """How a rule was reviewed, as one sentence: checked by whom against the law and when, or not yet checked by a
    lawyer and taken from which secondary source when. None for a result no rule gives. The names are isolated
    for display (a Latin name in an Arabic sentence); `isolate=False` for text that is not laid out (API, audio)."""
    if review is None or day is None:
        return None
    start, end = (FSI, PDI) if isolate else ("", "")
    date = kit_text.isolate(format_day(day, lang)) if isolate else format_day(day, lang)
    if review == "checked":
        return i18n.gettext(lang, REVIEW_CHECKED, reviewer=f"{start}{reviewer or ''}{end}", date=date)
    source = i18n.get_translations(lang).gettext(taken_from) if taken_from else ""
    return i18n.gettext(lang, REVIEW_PENDING, source=f"{start}{source}{end}", date=date)


def rules_review_text(rulebook: Rulebook, lang: str) -> str:
    """The rules base as a whole: last checked on a date only if a reviewer checked every rule in it."""
    coverage = rulebook.coverage
    if coverage.pending_entries == 0:
        return i18n.gettext(lang, N_("A lawyer checked all these rules against the law. The oldest check was on "
                                     "%(date)s."), date=isolate(format_day(rulebook.last_reviewed, lang)))
    return i18n.gettext(lang, N_("Rules not yet checked by a lawyer: %(pending)s of %(total)s. Each result says how "
                                 "it was checked."),
                        pending=coverage.pending_entries, total=coverage.entries)


# Who a situation is, as a group of people, for the sentence that says which groups a country's rules cover.
STATUS_GROUP_NAMES: dict[str, str] = {
    "refugee": N_("refugees and people with humanitarian protection"),
    "asylum-seeker": N_("people waiting for an answer to their asylum claim"),
    "refused-asylum-seeker": N_("people whose asylum claim was refused"),
    "temporary-protection": N_("people with temporary protection"),
    "undocumented": N_("people without papers"),
    "labour-migrant": N_("people with a work visa or a work permit"),
    "student": N_("students with a student visa"),
    "eu-citizen": N_("citizens of a country in the European Union"),
    "visitor": N_("visitors, for example tourists"),
}
assert set(STATUS_GROUP_NAMES) == set(STATUSES), "every situation needs a group name"


def situations_text(rulebook: Rulebook, lang: str, on_date: dt.date | None = None) -> str:
    """Which situations a country's rules answer, in plain words, and how many areas of care for each: computed by
    resolving every set of answers (Rulebook.coverage_on), so that a base that covers one group does not look full.
    A situation answered "only for some answers" is one where some answer (for example "no" to a benefits question)
    leaves every area at "We do not know yet"."""
    from babel.lists import format_list

    coverage = rulebook.coverage_on(on_date or today())
    covered = [situation for situation in coverage.situations if situation.covered]
    if not covered:
        return i18n.gettext(lang, N_("Our rules do not answer for any situation yet. We do not know yet."))

    def gated(situation: Any) -> bool:
        return not situation.always

    def item(situation: Any, group: str) -> str:
        if gated(situation):
            return i18n.gettext(lang, N_("%(group)s (%(answered)s of %(total)s areas of care, only for some "
                                         "answers)"), group=group, answered=len(situation.answered),
                                total=coverage.total)
        return i18n.gettext(lang, N_("%(group)s (%(answered)s of %(total)s areas of care)"), group=group,
                            answered=len(situation.answered), total=coverage.total)

    translate = i18n.get_translations(lang).gettext
    if len(covered) == len(coverage.situations):
        kinds = {(len(situation.answered), gated(situation)) for situation in covered}
        if len(kinds) == 1:
            answered, only_some = kinds.pop()
            if only_some:
                return i18n.gettext(lang, N_("Our rules answer for every situation, but only for some answers: "
                                             "%(answered)s of %(total)s areas of care. For other answers we do not "
                                             "know yet."), answered=answered, total=coverage.total)
            return i18n.gettext(lang, N_("Our rules answer for every situation: %(answered)s of %(total)s areas of "
                                         "care."), answered=answered, total=coverage.total)
        groups = [item(situation, translate(STATUS_GROUP_NAMES[situation.status])) for situation in covered]
        return i18n.gettext(lang, N_("Our rules cover %(groups)s."),
                            groups=format_list(groups, locale=i18n.formatting_locale(lang)))
    groups = [item(situation, translate(STATUS_GROUP_NAMES[situation.status])) for situation in covered]
    return i18n.gettext(lang, N_("Our rules cover %(groups)s. For other situations we do not know yet."),
                        groups=format_list(groups, locale=i18n.formatting_locale(lang)))


def coverage_text(rulebook: Rulebook, lang: str, on_date: dt.date | None = None) -> str:
    """Which groups a country's rules answer, then how many of its rules a lawyer has not checked yet: the same
    sentence and the same counts as the result page (rules_review_text), so the counts agree everywhere."""
    return f"{situations_text(rulebook, lang, on_date)} {rules_review_text(rulebook, lang)}"


def today() -> dt.date:
    return clock.today()


@dataclass
class SourceView:
    citation: str
    url: str
    confidence: str | None = None


@dataclass
class BetterIfView:
    """What the result would be if the person said "yes" to a question they did not have to answer."""

    fact: str
    text: str  # the whole sentence: "If you ...: <outcome>"
    outcome: str
    outcome_label: str
    explanation: str | None
    cost: str | None
    upfront_text: str | None
    rule_id: str | None


@dataclass
class CategoryView:
    category: str
    label: str
    outcome: str
    outcome_label: str
    tone: str
    determined: bool
    cost: str | None
    upfront_payment: bool | None
    upfront_text: str
    documents: list[str]
    steps: list[str]
    conditions: list[str]
    explanation: str | None
    safety: str
    safety_from_rules: bool
    ask: str | None
    depends_on: list[str]  # questions whose answers would settle an "it depends"
    missing_facts: list[str]  # the same, as person fields (the clinician view shows their staff labels)
    assumed: list[str]  # unanswered disclosure facts taken as "no" for this result (the law's base case)
    better_if: list[BetterIfView]  # what a "yes" to one of them would give instead
    possible: list[str]  # what it could be, in words, when it depends
    sources: list[SourceView]
    confidence: str | None
    confidence_text: str | None
    caveat: str | None
    last_reviewed: dt.date | None
    last_reviewed_text: str
    review: str | None  # "checked", "pending", or None when no rule gives the result
    review_text: str | None  # how it was reviewed, in one sentence
    rule_id: str | None
    kind: str | None
    finder_url: str
    trace: list[tuple[str, str, str]]  # (rule id, verdict, reason) for the clinician view


@dataclass
class NeedView:
    code: str
    title: str
    categories: list[CategoryView]


@dataclass
class AnswerView:
    fact: str
    question: str
    answer: str
    change_url: str


@dataclass
class ResultView:
    jurisdiction: str
    name: str
    language: str
    on_date: dt.date
    on_date_text: str
    rules_checked: dt.date
    rules_checked_text: str
    rules_review_text: str  # how the rules base as a whole was checked (never "checked" if any rule is not)
    where_to_ask: str
    needs: list[NeedView]
    answers: list[AnswerView]
    categories: dict[str, CategoryView]
    # The country's emergency numbers, shown first: the result always covers emergency care.
    emergency_numbers: tuple[Any, ...] = ()


@lru_cache(maxsize=1)
def _rule_texts() -> frozenset[str]:
    from carebridge.entitlements.rulebook import get_rulebooks

    texts: set[str] = set()
    for rulebook in get_rulebooks().values():
        texts.add(rulebook.where_to_ask)
        texts.update(rulebook.questions.values())
        for entry in rulebook.entries:
            texts.update(text for text in (entry.cost, entry.safe_to_go, entry.explanation, entry.ask) if text)
            texts.update(entry.conditions, entry.documents, entry.steps)
    return frozenset(texts)


def text_attributes(text: str | None, lang: str) -> Markup:
    """` lang="en" dir="ltr"` for a rule text still in English on a page in another language (a rule added or
    changed since the catalogs were last translated), so that it is read and laid out as English."""
    if lang == "en" or not text or text not in _rule_texts():
        return Markup("")
    return Markup(' lang="en" dir="ltr"')


def finder_url(category: str, lang: str) -> str:
    return f"{FINDER_PATH}?{urlencode({'category': category, 'lang': lang})}"


def _category_view(
    result: service.CategoryResult, rulebook: Rulebook, lang: str, translate: Callable[[str], str]
) -> CategoryView:
    outcome = result.outcome
    confidence = result.confidence
    depends_on = []
    for fact in result.missing_facts:
        question = translate(rulebook.question_text(fact)).replace("{country}", translate(rulebook.country_name))
        depends_on.append(question)
    better_if = []
    for better in getattr(result, "better_if", None) or []:
        label = translate(OUTCOME_LABELS[better.outcome])
        template = IF_YES_TEXTS.get(better.fact)
        if template is None:
            continue
        better_if.append(BetterIfView(
            fact=better.fact,
            text=i18n.gettext(lang, template, outcome=label),
            outcome=better.outcome,
            outcome_label=label,
            explanation=better.explanation,
            cost=better.cost,
            upfront_text=translate(UPFRONT_TEXTS[better.upfront_payment]) if better.outcome != UNKNOWN else None,
            rule_id=better.rule_id,
        ))
    possible = []
    if not result.determined:
        possible = [translate(OUTCOME_LABELS[p.outcome]) for p in result.possible_outcomes if p.outcome != UNKNOWN]
    return CategoryView(
        category=result.service_category,
        label=translate(CATEGORY_LABELS[result.service_category]),
        outcome=outcome,
        outcome_label=translate(OUTCOME_LABELS[outcome]),
        tone=OUTCOME_TONES.get(outcome, "unknown"),
        determined=result.determined,
        cost=result.cost,
        upfront_payment=result.upfront_payment,
        upfront_text=translate(UPFRONT_TEXTS[result.upfront_payment]),
        documents=list(result.documents),
        steps=list(result.steps),
        conditions=list(result.conditions),
        explanation=result.explanation,
        safety=result.safe_to_go or translate(SAFETY_UNKNOWN),
        safety_from_rules=bool(result.safe_to_go),
        ask=result.ask,
        depends_on=depends_on,
        missing_facts=list(result.missing_facts),
        assumed=[assumption.fact for assumption in getattr(result, "assumptions", None) or []],
        better_if=better_if,
        possible=possible,
        sources=[SourceView(s["citation"], s["url"], s.get("confidence")) for s in result.sources],
        confidence=confidence,
        confidence_text=confidence_text(confidence, result.review, lang),
        caveat=translate(UNVERIFIED_CAVEAT) if confidence == "unverified" else None,
        last_reviewed=result.last_reviewed,
        last_reviewed_text=format_day(result.last_reviewed, lang),
        review=result.review,
        review_text=review_text(result.review, result.reviewer, result.taken_from, result.last_reviewed, lang),
        rule_id=result.rule_id,
        kind=result.kind,
        finder_url=finder_url(result.service_category, lang),
        trace=[(entry.rule_id, entry.verdict, entry.reason(translate)) for entry in result.trace],
    )


def present(
    rulebook: Rulebook,
    answers: Answers,
    lang: str,
    on_date: dt.date | None = None,
    *,
    asked: Iterable[str] | None = None,
) -> ResultView:
    """The evaluation of these answers, in plain words in `lang`, grouped by need."""
    on_date = on_date or today()
    translate = i18n.get_translations(lang).gettext
    evaluation = service.evaluate(rulebook.jurisdiction, answers.person, on_date, translate=translate)
    categories = {
        result.service_category: _category_view(result, rulebook, lang, translate)
        for result in evaluation.results
    }
    needs = [
        NeedView(need.code, translate(need.title), [categories[code] for code in need.categories]) for need in NEEDS
    ]
    if answers.person.get("pregnant") is True:
        # Put what matters most to this person first, after "see a doctor".
        needs.sort(key=lambda need: (need.code not in {"doctor", "pregnancy"}, need.code != "doctor"))
    shown = list(asked) if asked is not None else list(answers.values)
    answer_views = [
        AnswerView(
            fact,
            translate(rulebook.question_text(fact)).replace("{country}", translate(rulebook.country_name)),
            answer_label(rulebook, fact, answers.values[fact], lang),
            answers.url(QUESTION_PATH, lang, change=fact),
        )
        for fact in shown
        if fact in answers.values
    ]
    return ResultView(
        jurisdiction=rulebook.jurisdiction,
        name=translate(rulebook.name),
        language=lang,
        on_date=on_date,
        on_date_text=format_day(on_date, lang),
        rules_checked=rulebook.last_reviewed,
        rules_checked_text=format_day(rulebook.last_reviewed, lang),
        rules_review_text=rules_review_text(rulebook, lang),
        where_to_ask=translate(rulebook.where_to_ask),
        needs=needs,
        answers=answer_views,
        categories=categories,
        emergency_numbers=emergency_numbers(rulebook.jurisdiction),
    )


# ---------------------------------------------------------------------------------------------------------------
# The audio reading: the same result as sentences to listen to


def _sentence(text: str | None) -> str:
    text = (text or "").strip()
    if text and text[-1] not in ".!?؟。":
        text += "."
    return text


# The emergency numbers come first in the audio too, one whole sentence per number (a listener who catches only one
# still has a number to call). `answers` is the phrase the page shows beside the number (carebridge.emergency).
EMERGENCY_CALL = N_("In an emergency, call %(number)s: %(answers)s.")


def spoken_number(number: str) -> str:
    """A phone number as espeak-ng reads it digit by digit, the way it is dialled: "112" -> "1 1 2", "116 117" ->
    "1 1 6, 1 1 7". Written whole, espeak-ng reads "112" as "one hundred and twelve" (en), "مئة واثنا عشر" (ar),
    "صد و دوازده" (fa) and "999" as "nine hundred and ninety-nine"; digits apart, it reads each digit in every
    voice ("one one two", "واحد واحد اثنان", "یک یک دو"). The groups of a longer number are kept with a pause."""
    groups = ["".join(char for char in group if char.isdigit()) for group in number.split()]
    return ", ".join(" ".join(group) for group in groups if group)


def emergency_sentences(view: ResultView) -> str:
    """The emergency numbers as sentences to read aloud ("In an emergency, call 1 1 2: Ambulance, ...")."""
    translate = i18n.get_translations(view.language).gettext
    return " ".join(
        _sentence(i18n.gettext(view.language, EMERGENCY_CALL, number=spoken_number(item.number),
                               answers=translate(item.label)))
        for item in view.emergency_numbers
    )


def audio_script(view: ResultView) -> str:
    """The result as plain sentences to be read aloud: what matters first, no links, no legal citations.

    A listener cannot skim, so each result says only what it is, what it costs and whether to pay first (the
    explanation already says who it is for), and results that would be read out the same are read once, naming
    each kind of care ("Medicines, teeth and vaccines: ...").
    """
    from babel.lists import format_list

    lang = view.language
    translate = i18n.get_translations(lang).gettext
    paragraphs = [
        # First, before anything else: who to call in an emergency (the result always covers emergency care).
        emergency_sentences(view),
        _sentence(i18n.gettext(lang, N_("What care you can get in %(place)s"), place=view.name)),
        _sentence(translate(N_("This is information, not legal advice."))),
        _sentence(view.rules_review_text),
    ]
    groups: list[tuple[list[str], tuple[str, ...]]] = []
    for need in view.needs:
        for category in need.categories:
            lines = [_sentence(category.outcome_label)]
            if category.explanation:
                lines.append(_sentence(category.explanation))
            if category.outcome != UNKNOWN:
                if not category.explanation:
                    lines.append(_sentence(category.cost))
                if not (category.outcome == "covered-free" and category.upfront_payment is False):
                    lines.append(_sentence(category.upfront_text))
            if category.ask:
                lines.append(_sentence(category.ask))
            if category.safety_from_rules:
                lines.append(_sentence(category.safety))
            if category.caveat:
                lines.append(_sentence(category.caveat))
            if category.review_text:
                lines.append(_sentence(kit_text.without_isolates(category.review_text)))
            lines.extend(_sentence(better.text) for better in category.better_if)
            body = tuple(line for line in lines if line)
            if groups and groups[-1][1] == body:
                groups[-1][0].append(category.label)
            else:
                groups.append(([category.label], body))
    for labels, body in groups:
        paragraphs.append(" ".join((_sentence(format_list(labels, locale=i18n.formatting_locale(lang))), *body)))
    paragraphs.append(_sentence(view.where_to_ask))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
