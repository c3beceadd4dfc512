"""The registry of what each domain puts in the person's copy of their record (rights.service.export_record).

Each domain that keeps rows about a person (a `client_id` column) has an exporter here: a function in the domain's own
`export.py` that reads the person's rows and returns the copy's section(s), opened with the person's data key. The
rights service calls every exporter in order; tests/rights/test_export_registry.py walks every table of the metadata
with a `client_id` column and fails if no exporter names it in `tables` and it is not in `LEFT_OUT` (with the reason),
so a new domain cannot be forgotten.

An exporter gives the person what is theirs: their own words and the staff's words about them, codes, dates, scores,
and the names of staff as the record's pages show them (through `ExportContext.staff`). Another person's personal
data (a volunteer's or an interpreter's sealed identity, a colleague's phone) never goes in.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from carebridge.clients.models import Client
from carebridge.keys import service as keys


@dataclass(frozen=True)
class StaffRef:
    """A member of staff named in the copy; replaced by their name (or None) once every section is made, so the
    names of all sections are read in one query."""

    account_id: str


@dataclass
class ExportContext:
    session: Session
    key: keys.DataKey
    client: Client
    staff_ids: set[str] = field(default_factory=set)

    def staff(self, account_id: str | None) -> StaffRef | None:
        if not account_id:
            return None
        self.staff_ids.add(account_id)
        return StaffRef(account_id)


def iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Exporter:
    domain: str
    # "module:function", called with an ExportContext; returns {section name: JSON-ready value}.
    function: str
    # The tables with a client_id column whose rows the function puts in the copy.
    tables: tuple[str, ...]
    # The domain's own permissions to read these rows, when person.export alone is not enough (as for sensitive
    # notes, the copy is no way around who may read them): a maker holding none of them gets the copy without the
    # domain's sections, and the copy names the domain in `sections_withheld`. Empty: person.export suffices.
    readers: tuple[str, ...] = ()

    def readable_by(self, actor: Any) -> bool:
        return not self.readers or any(actor.can(permission) for permission in self.readers)

    def __call__(self, context: ExportContext) -> dict[str, Any]:
        module_name, _, attribute = self.function.partition(":")
        function: Callable[[ExportContext], dict[str, Any]] = getattr(importlib.import_module(module_name), attribute)
        return function(context)


# In the order the copy lists them (after the record itself, its channels, notes, consents and immigration
# situation, which rights.service makes from the clients and consent domains).
EXPORTERS: tuple[Exporter, ...] = (
    Exporter("clients", "carebridge.clients.export:export", ("client_reference",)),
    Exporter("assessments", "carebridge.assessments.export:export", ("assessment",)),
    Exporter("plans", "carebridge.plans.export:export", ("plan_goal", "plan_step")),
    Exporter("screening", "carebridge.screening.export:export", ("screening",), readers=("screening.read",)),
    Exporter("risk", "carebridge.risk.export:export", ("risk_flag",), readers=("risk.raise", "risk.respond", "risk.oversee")),
    Exporter("referrals", "carebridge.referrals.export:export", ("referral",)),
    Exporter("appointments", "carebridge.appointments.export:export", ("appointment",)),
    Exporter("reminders", "carebridge.reminders.export:export", ("reminder_preference", "reminder", "inbound_message")),
    Exporter("interpreters", "carebridge.interpreters.export:export", ("interpreter_booking", "interpreter_exclusion")),
    Exporter("volunteers", "carebridge.volunteers.export:export", ("volunteer_match", "volunteer_exclusion")),
    Exporter("prescribing", "carebridge.prescribing.export:export", ("prescribing_conversation", "prescribing_wellbeing")),
)

# Tables made by rights.service itself from the clients and consent domains.
OWN_TABLES = ("client_contact_channel", "client_note", "consent", "client_immigration_situation", "client_link")

# Tables with a client_id column deliberately left out of the copy, and why.
LEFT_OUT: dict[str, str] = {
    # A request from outside (police, immigration, a court) for the person's information. The person is told
    # through the disclosure register's own two-administrator process (firewall), unless a court order forbids
    # telling them: a copy that listed it would get round such an order.
    "disclosure_request": "told through the disclosure register, which obeys court orders forbidding it",
    # A one-use link to answer a questionnaire: only the hash of its token and its dates. The answers it brought
    # are a screening, in the copy.
    "screening_link": "a token's hash and dates only; the screening it produced is in the copy",
}


def resolve_staff(value: Any, names: dict[str, str]) -> Any:
    """The copy with every StaffRef replaced by that member of staff's name (None: an account since deleted)."""
    if isinstance(value, StaffRef):
        return names.get(value.account_id)
    if isinstance(value, dict):
        return {name: resolve_staff(item, names) for name, item in value.items()}
    if isinstance(value, list):
        return [resolve_staff(item, names) for item in value]
    return value
