"""The sections of a person's page, each from the domain that owns it (contact, notes, consent, rights, ...).

A section is a partial template and a function `(session, settings, actor, client, request) -> dict | None` that
gives the partial its context (None: this actor is not shown the section). The person's page
(clients.pages) renders them in this order. A domain adds its section here with one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from carebridge.errors import N_  # noqa: F401 - section titles are marked with N_ where they are declared


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    # "module:function", imported when the page is rendered
    provider: str


SECTIONS: tuple[Section, ...] = (
    Section("disclosure", "staff/clients/sections/disclosure.html", "carebridge.firewall.pages:disclosure_section"),
    # Safety first: open risk flags, "raise a flag", and what to do now if there is risk.
    Section("risk", "staff/clients/sections/risk.html", "carebridge.risk.pages:section"),
    Section("contact", "staff/clients/sections/contact.html", "carebridge.clients.detail_pages:contact_section"),
    # Reference numbers elsewhere (health service, other organisations): how the record is found again.
    Section("references", "staff/clients/sections/references.html", "carebridge.clients.detail_pages:references_section"),
    Section("consent", "staff/clients/sections/consent.html", "carebridge.consent.pages:section"),
    Section("assessment", "staff/clients/sections/assessment.html", "carebridge.assessments.pages:section"),
    Section("plan", "staff/clients/sections/plan.html", "carebridge.plans.pages:section"),
    # Referrals sent for the person (and their outcomes), then appointments with interpreter bookings and reminders.
    Section("referrals", "staff/clients/sections/referrals.html", "carebridge.referrals.pages:section"),
    Section("appointments", "staff/clients/sections/appointments.html", "carebridge.appointments.pages:section"),
    Section("interpreting", "staff/clients/sections/interpreting.html", "carebridge.interpreters.pages:section"),
    # Social prescribing: what matters to you, ONS4 wellbeing at start and follow-up, a safeguarding concern.
    Section("prescribing", "staff/clients/sections/prescribing.html", "carebridge.prescribing.pages:section"),
    Section("volunteers", "staff/clients/sections/volunteers.html", "carebridge.volunteers.pages:section"),
    Section("screening", "staff/clients/sections/screening.html", "carebridge.screening.pages:section"),
    # PHQ-9 and GAD-7 over time: an SVG chart with its table, reliable improvement and recovery.
    Section("outcomes", "staff/clients/sections/outcomes.html", "carebridge.outcomes.pages:section"),
    Section("notes", "staff/clients/sections/notes.html", "carebridge.clients.detail_pages:notes_section"),
    Section("duplicates", "staff/clients/sections/duplicates.html", "carebridge.clients.detail_pages:duplicates_section"),
    Section("immigration", "staff/clients/sections/immigration.html", "carebridge.clients.detail_pages:immigration_section"),
    Section("rights", "staff/clients/sections/rights.html", "carebridge.rights.pages:section"),
)
