"""The registry of domains: the one place a domain plugs in.

Each domain declares its routers, its tables (the module that defines them), its command-line sub-commands, its
start-up work and its background-job handlers here, by dotted name, imported only when needed. The app
(`app.create_app`), the command (`cli.build_parser`), the migrations (`migrations/env.py`) and the worker
(`jobs.worker`) all read this list; adding a domain means adding its folder and one entry below, nothing else.

Names are "module:attribute" (routers, start-up functions) or "module" (models, cli, jobs):
- routers: FastAPI `APIRouter`s, included in this order (public pages before staff pages does not matter: paths do
  not overlap). Every route must declare its access (carebridge.access): the app refuses to start otherwise.
- models: imported so that their tables join `db.Base.metadata` (alembic's autogenerate and `alembic check`).
- cli: a module with `register(subparsers)`.
- startup: functions called with the app while it starts (before it answers), e.g. warming caches.
- jobs: a module with `HANDLERS: dict[str, Callable[[Session, dict], None]]`, the job kinds it runs, and optionally
  `SCHEDULES: list[jobs.service.Schedule]`, its recurring jobs.
- menu: entries of the staff menu, (path, label marked with N_, permission); shown to those holding the permission.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from carebridge.errors import N_


@dataclass(frozen=True)
class Domain:
    name: str
    routers: tuple[str, ...] = ()
    models: str | None = None
    cli: str | None = None
    startup: tuple[str, ...] = ()
    jobs: str | None = None
    menu: tuple[tuple[str, str, str], ...] = ()


DOMAINS: tuple[Domain, ...] = (
    Domain("health", routers=("carebridge.health:router",)),
    Domain(
        "directory",
        routers=(
            "carebridge.directory.api:router",
            "carebridge.directory.hsds_api:router",
            "carebridge.directory.pages:router",
        ),
        models="carebridge.directory.models",
        cli="carebridge.directory.cli",
        startup=("carebridge.directory.search_index:warm_at_startup",),
    ),
    Domain(
        "entitlements",
        routers=("carebridge.entitlements.api:router", "carebridge.entitlements.pages:router"),
        cli="carebridge.entitlements.cli",
        startup=("carebridge.entitlements.service:precompute_at_startup",),
    ),
    Domain("state", models="carebridge.db"),
    Domain(
        "accounts",
        routers=(
            "carebridge.accounts.pages:sign_in_router",
            "carebridge.accounts.pages:router",
            "carebridge.accounts.api:router",
            "carebridge.accounts.admin_pages:router",
        ),
        models="carebridge.accounts.models",
        cli="carebridge.accounts.cli",
        jobs="carebridge.accounts.jobs",
        menu=(
            ("/staff", N_("Home"), "self.manage"),
            ("/staff/account", N_("Your account"), "self.manage"),
            ("/staff/admin/accounts", N_("Staff"), "staff.read"),
            ("/staff/admin/organisations", N_("Organisations"), "organisation.manage"),
            ("/staff/break-glass", N_("Emergency access"), "break-glass.review"),
        ),
    ),
    Domain("jobs", models="carebridge.jobs.models", cli="carebridge.jobs.cli", jobs="carebridge.jobs.jobs"),
    Domain("notifications", models="carebridge.notifications.models", jobs="carebridge.notifications.jobs"),
    Domain(
        "audit",
        routers=("carebridge.audit.pages:router", "carebridge.audit.api:router"),
        models="carebridge.audit.models",
        cli="carebridge.audit.cli",
        menu=(("/staff/audit", N_("Audit trail"), "audit.read-organisation"),),
    ),
    Domain("keys", models="carebridge.keys.models", cli="carebridge.keys.cli"),
    Domain(
        "clients",
        routers=("carebridge.clients.pages:router", "carebridge.clients.api:router", "carebridge.clients.api:lookup_router", "carebridge.clients.detail_pages:router", "carebridge.clients.detail_api:router"),
        models="carebridge.clients.models",
        cli="carebridge.clients.cli",
        menu=(("/staff/clients", N_("People"), "person.read"),),
    ),
    Domain(
        "consent",
        routers=("carebridge.consent.pages:router", "carebridge.consent.api:router"),
        models="carebridge.consent.models",
    ),
    Domain(
        "rights",
        routers=("carebridge.rights.pages:router", "carebridge.rights.api:router"),
        jobs="carebridge.rights.jobs",
        menu=(("/staff/rights/erasing-soon", N_("Closed records to be erased"), "person.read"),),
    ),
    Domain(
        "firewall",
        routers=("carebridge.firewall.pages:router", "carebridge.firewall.api:router"),
        models="carebridge.firewall.models",
        menu=(
            ("/staff/disclosure-requests", N_("Disclosure requests"), "disclosure.record"),
            ("/staff/reports", N_("Figures"), "report.aggregate"),
        ),
    ),
    # Case work (issue 10): needs assessment, action plans, validated screening, risk flags, outcomes over time.
    Domain(
        "risk",
        routers=("carebridge.risk.pages:router", "carebridge.risk.api:router"),
        models="carebridge.risk.models",
        jobs="carebridge.risk.jobs",
        menu=(
            ("/staff/risk", N_("Risk flags"), "risk.respond"),
            ("/staff/risk/oversight", N_("Risk flags and duty"), "risk.oversee"),
        ),
    ),
    Domain(
        "assessments",
        routers=("carebridge.assessments.pages:router", "carebridge.assessments.api:router"),
        models="carebridge.assessments.models",
        cli="carebridge.assessments.cli",
    ),
    Domain(
        "plans",
        routers=("carebridge.plans.pages:router", "carebridge.plans.api:router"),
        models="carebridge.plans.models",
    ),
    Domain(
        "screening",
        routers=("carebridge.screening.pages:router", "carebridge.screening.self_pages:router", "carebridge.screening.api:router"),
        models="carebridge.screening.models",
        cli="carebridge.screening.cli",
        jobs="carebridge.screening.jobs",
    ),
    Domain(
        "outcomes",
        routers=("carebridge.outcomes.pages:router", "carebridge.outcomes.api:router"),
        menu=(("/staff/outcomes", N_("Outcomes"), "report.aggregate"),),
    ),
    # Referrals and what goes with them (issue 11): closed-loop referrals, social prescribing, volunteers,
    # interpreters and cultural mediators, appointments and reminders.
    Domain(
        "referrals",
        # The reports' fixed paths (/staff/referrals/overrides, /staff/referrals/report) before the referral pages'
        # /staff/referrals/{referral_id}, which would otherwise take them.
        routers=(
            "carebridge.referrals.report_pages:router",
            "carebridge.referrals.report_api:router",
            "carebridge.referrals.pages:router",
            "carebridge.referrals.api:router",
        ),
        models="carebridge.referrals.models",
        jobs="carebridge.referrals.jobs",
        menu=(
            ("/staff/referrals", N_("Referrals sent"), "referral.send"),
            ("/staff/referrals/inbox", N_("Referrals received"), "referral.receive"),
            ("/staff/referrals/overrides", N_("Referrals sent without consent"), "referral.oversee"),
            ("/staff/referrals/report", N_("Referral figures"), "report.aggregate"),
        ),
    ),
    Domain(
        "appointments",
        routers=("carebridge.appointments.pages:router", "carebridge.appointments.api:router"),
        models="carebridge.appointments.models",
        menu=(("/staff/appointments", N_("Appointments"), "person.read"),),
    ),
    Domain(
        "reminders",
        routers=("carebridge.reminders.pages:router", "carebridge.reminders.webhook:router"),
        models="carebridge.reminders.models",
        jobs="carebridge.reminders.jobs",
        menu=(("/staff/reminders/sender", N_("Reminder sender name"), "organisation.manage"),),
    ),
    Domain(
        "interpreters",
        routers=("carebridge.interpreters.pages:router", "carebridge.interpreters.api:router"),
        models="carebridge.interpreters.models",
        menu=(
            ("/staff/interpreters", N_("Interpreters and mediators"), "interpreter.book"),
            ("/staff/interpreting", N_("My interpreting"), "interpreting.respond"),
            ("/staff/interpreters/demand", N_("Interpreting demand"), "report.aggregate"),
        ),
    ),
    Domain(
        "prescribing",
        routers=("carebridge.prescribing.pages:router", "carebridge.prescribing.api:router"),
        models="carebridge.prescribing.models",
    ),
    Domain(
        "volunteers",
        routers=("carebridge.volunteers.pages:router", "carebridge.volunteers.api:router"),
        models="carebridge.volunteers.models",
        menu=(
            ("/staff/volunteers", N_("Volunteers and families"), "volunteer.manage"),
            ("/staff/volunteering", N_("My matches"), "volunteer.own-matches"),
        ),
    ),
)


def _resolve(name: str) -> Any:
    module_name, _, attribute = name.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def routers() -> Iterator[Any]:
    for domain in DOMAINS:
        for name in domain.routers:
            yield _resolve(name)


def import_models() -> None:
    """Import every domain's tables into db.Base.metadata."""
    for domain in DOMAINS:
        if domain.models:
            _resolve(domain.models)


def cli_modules() -> Iterator[Any]:
    for domain in DOMAINS:
        if domain.cli:
            yield _resolve(domain.cli)


def startup_functions() -> Iterator[Callable[[Any], None]]:
    for domain in DOMAINS:
        for name in domain.startup:
            yield _resolve(name)


def job_handlers() -> dict[str, Callable[..., None]]:
    """Every job kind any domain runs, by name; two domains may not claim the same kind."""
    handlers: dict[str, Callable[..., None]] = {}
    for domain in DOMAINS:
        if domain.jobs:
            for kind, handler in _resolve(domain.jobs).HANDLERS.items():
                if kind in handlers:
                    raise RuntimeError(f"job kind {kind!r} is claimed by two domains (the second is {domain.name})")
                handlers[kind] = handler
    return handlers


def job_schedules() -> list[Any]:
    """Every domain's recurring jobs (`SCHEDULES` in its jobs module)."""
    return [schedule for domain in DOMAINS if domain.jobs for schedule in getattr(_resolve(domain.jobs), "SCHEDULES", ())]


def staff_menu() -> list[tuple[str, str, str]]:
    return [entry for domain in DOMAINS for entry in domain.menu]
