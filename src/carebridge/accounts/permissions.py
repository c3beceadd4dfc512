"""Roles and permissions: the one table every staff route and service asks.

A permission is granted to a role with a **scope** for people's records: `own` (records the staff member works
on), `team` (their teams' records), `organisation` (their organisation's) — or None for permissions that concern
no person's record. docs/permissions.md is generated from this file (`carebridge staff permissions-doc`), and a test
fails when the two differ.

There is no role, permission, export or API that serves immigration enforcement, and there never will be: care
records are for care. A request to add one is refused by design (docs/permissions.md says so to deployers).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    OWN = "own"
    TEAM = "team"
    ORGANISATION = "organisation"


SCOPE_ORDER = (Scope.OWN, Scope.TEAM, Scope.ORGANISATION)


@dataclass(frozen=True)
class Permission:
    name: str
    purpose: str
    # Whether holding it shows any part of a person's record (then the account needs a second factor).
    shows_people: bool = False


PERMISSIONS: dict[str, Permission] = {
    permission.name: permission
    for permission in (
        Permission("self.manage", "Manage one's own account: second factor, recovery codes, signed-in devices."),
        Permission("staff.read", "See the staff of one's organisation (names, roles, teams, active or not)."),
        Permission(
            "staff.manage",
            "Create staff accounts, change their roles and teams, disable them, reset a lost second factor.",
        ),
        Permission("organisation.manage", "Create organisations and teams; link an organisation to the directory."),
        Permission("audit.read-all", "Read the whole audit trail (who did what, never the data itself)."),
        Permission("audit.read-organisation", "Read the audit trail of one's own organisation."),
        Permission("break-glass.review", "See who in one's organisation opened a record outside their scope, and why."),
        Permission(
            "break-glass.use",
            "Open a person's record outside one's scope in an emergency, giving a reason; recorded and reviewed.",
            shows_people=True,
        ),
        Permission("person.read", "Read people's records within the scope.", shows_people=True),
        Permission("person.write", "Create and change people's records within the scope.", shows_people=True),
        Permission(
            "person.read-sensitive",
            "Read notes marked sensitive (health, trauma) within the scope.",
            shows_people=True,
        ),
        Permission(
            "person.export",
            "Give a person a complete copy of their own record (JSON and a readable PDF), within the scope.",
            shows_people=True,
        ),
        Permission(
            "person.erase",
            "Erase a person's record for good (its key is destroyed), within the scope.",
            shows_people=True,
        ),
        Permission(
            "screening.administer",
            "Screen a person with a validated questionnaire (PHQ-9, GAD-7, PC-PTSD-5, RHS-15), or give them a one-use "
            "link to do it themselves, within the scope.",
            shows_people=True,
        ),
        Permission("screening.read", "Read screening answers and scores within the scope.", shows_people=True),
        Permission(
            "risk.raise",
            "Raise a risk flag (risk to self or others, a safeguarding concern) for a person within the scope, and "
            "record what one did.",
            shows_people=True,
        ),
        Permission(
            "risk.respond",
            "Answer the organisation's risk flags as a clinician: see what each flag needs, close it with an outcome.",
            shows_people=True,
        ),
        Permission(
            "risk.oversee",
            "See the organisation's risk flags and escalations; say which clinicians are on duty.",
            shows_people=True,
        ),
        Permission(
            "referral.send",
            "Refer a person within the scope to a service in the directory (or a social activity), choose what the "
            "receiver may see, and follow the referral to its outcome.",
            shows_people=True,
        ),
        Permission(
            "referral.receive",
            "See the referrals sent to one's organisation and answer them (accept, reject, progress, complete); see "
            "only what each referral shares, and only while it is open.",
            shows_people=True,
        ),
        Permission(
            "referral.consent-override",
            "Send a referral without the person's consent for that organisation, only in a safeguarding emergency and "
            "with a reason; recorded and shown to the service manager.",
            shows_people=True,
        ),
        Permission(
            "referral.oversee",
            "See the referrals of one's organisation that were sent without consent (safeguarding overrides), and "
            "mark them seen.",
            shows_people=True,
        ),
        Permission(
            "interpreter.manage",
            "Keep the register of interpreters and cultural mediators: languages, dialects, modalities, areas, "
            "availability, accreditation.",
        ),
        Permission(
            "interpreter.book",
            "Find and book an interpreter or cultural mediator for a person's appointment or referral within the "
            "scope, and cancel the booking.",
            shows_people=True,
        ),
        Permission(
            "interpreting.respond",
            "Accept or decline one's own interpreting bookings; see only what each booking needs (when, where or how, "
            "the language, the name to use).",
            shows_people=True,
        ),
        Permission(
            "volunteer.manage",
            "Keep the register of volunteers and network families, and propose a match for a person within the scope.",
            shows_people=True,
        ),
        Permission(
            "volunteer.own-matches",
            "See the matches proposed to oneself as a volunteer, and only what each match needs; accept or decline.",
            shows_people=True,
        ),
        Permission("report.aggregate", "See aggregate figures with small counts suppressed; never a single person."),
        Permission(
            "report.all-organisations",
            "See the aggregate figures of every organisation, not only one's own (small counts still suppressed).",
        ),
        Permission(
            "disclosure.record",
            "Record a request for disclosure received from outside (police, a court, any authority) in the register; "
            "see the requests one recorded oneself and their status, never the rest of the register.",
        ),
        Permission(
            "disclosure.read",
            "Read the whole disclosure register of one's organisation, with the details of every request in it.",
        ),
        Permission(
            "disclosure.decide",
            "Propose or confirm the decision on a disclosure request, and a court order that forbids telling the "
            "person; two different administrators are needed.",
        ),
    )
}


@dataclass(frozen=True)
class Role:
    name: str
    purpose: str
    # permission name -> scope over people's records (None: the permission concerns no record)
    grants: dict[str, Scope | None]


_SELF = {"self.manage": None}

ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role(
            "administrator",
            "Runs the installation: organisations, teams, staff accounts and the audit trail. Sees no person's record.",
            {**_SELF, "staff.read": None, "staff.manage": None, "organisation.manage": None,
             "audit.read-organisation": None, "audit.read-all": None, "disclosure.record": None,
             "disclosure.read": None, "disclosure.decide": None},
        ),
        Role(
            "service-manager",
            "Leads a service: its staff and teams, its audit trail and break-the-glass reviews, its figures; reads "
            "its organisation's records.",
            {
                **_SELF,
                "staff.read": None,
                "audit.read-organisation": None,
                "break-glass.review": None,
                "person.read": Scope.ORGANISATION,
                "person.export": Scope.ORGANISATION,
                "person.erase": Scope.ORGANISATION,
                "report.aggregate": None,
                "disclosure.record": None,
                "disclosure.read": None,
                "risk.oversee": Scope.ORGANISATION,
                "referral.receive": Scope.ORGANISATION,
                "referral.oversee": Scope.ORGANISATION,
                "interpreter.manage": None,
                "volunteer.manage": Scope.ORGANISATION,
            },
        ),
        Role(
            "link-worker",
            "Works with people over time: assessment, action plan, referrals, social prescribing.",
            {**_SELF, "disclosure.record": None, "person.read": Scope.TEAM, "person.write": Scope.TEAM, "person.export": Scope.TEAM,
             "break-glass.use": None, "screening.administer": Scope.TEAM, "screening.read": Scope.TEAM,
             "risk.raise": Scope.TEAM, "referral.send": Scope.TEAM, "referral.receive": Scope.ORGANISATION,
             "referral.consent-override": Scope.TEAM, "interpreter.book": Scope.TEAM,
             "volunteer.manage": Scope.TEAM},
        ),
        Role(
            "outreach-worker",
            "Meets people where they are and brings them in; records first contacts.",
            {**_SELF, "disclosure.record": None, "person.read": Scope.TEAM, "person.write": Scope.TEAM, "person.export": Scope.TEAM,
             "break-glass.use": None, "screening.administer": Scope.TEAM, "screening.read": Scope.TEAM,
             "risk.raise": Scope.TEAM, "referral.send": Scope.TEAM, "referral.receive": Scope.ORGANISATION,
             "referral.consent-override": Scope.TEAM, "interpreter.book": Scope.TEAM,
             "volunteer.manage": Scope.TEAM},
        ),
        Role(
            "cultural-mediator",
            "Interprets and mediates for the people they are assigned to.",
            {**_SELF, "disclosure.record": None, "person.read": Scope.OWN, "risk.raise": Scope.OWN, "interpreting.respond": Scope.OWN},
        ),
        Role(
            "peer-supporter",
            "Gives low-intensity support to the people assigned to them; escalates risk to a clinician.",
            {**_SELF, "disclosure.record": None, "person.read": Scope.OWN, "person.write": Scope.OWN, "screening.administer": Scope.OWN,
             "screening.read": Scope.OWN, "risk.raise": Scope.OWN, "referral.send": Scope.OWN},
        ),
        Role(
            "clinician",
            "Assesses and treats; reads sensitive notes and screening within their team.",
            {
                **_SELF,
                "disclosure.record": None,
                "person.read": Scope.TEAM,
                "person.write": Scope.TEAM,
                "person.read-sensitive": Scope.TEAM,
                "person.export": Scope.TEAM,
                "break-glass.use": None,
                "screening.administer": Scope.TEAM,
                "screening.read": Scope.TEAM,
                "risk.raise": Scope.TEAM,
                "risk.respond": Scope.ORGANISATION,
                "referral.send": Scope.TEAM,
                "referral.receive": Scope.ORGANISATION,
                "referral.consent-override": Scope.TEAM,
                "interpreter.book": Scope.TEAM,
            },
        ),
        Role(
            "receptionist",
            "Welcomes people and books appointments and interpreters for the organisation.",
            {**_SELF, "disclosure.record": None, "person.read": Scope.ORGANISATION, "risk.raise": Scope.ORGANISATION,
             "referral.receive": Scope.ORGANISATION, "interpreter.manage": None,
             "interpreter.book": Scope.ORGANISATION},
        ),
        Role(
            "planner",
            "Plans services from aggregate figures only, for every organisation; never sees a person.",
            {**_SELF, "report.aggregate": None, "report.all-organisations": None},
        ),
        Role(
            "interpreter",
            "Interprets (in person, by phone or video) for the bookings they accept; sees only what each booking "
            "needs.",
            {**_SELF, "disclosure.record": None, "interpreting.respond": Scope.OWN},
        ),
        Role(
            "volunteer",
            "A volunteer or network family: sees only the matches proposed to them, and what each match needs.",
            {**_SELF, "disclosure.record": None, "volunteer.own-matches": Scope.OWN},
        ),
    )
}


def permissions_of(roles: frozenset[str] | set[str] | list[str]) -> frozenset[str]:
    return frozenset(permission for role in roles if role in ROLES for permission in ROLES[role].grants)


def scope_of(roles: frozenset[str] | set[str] | list[str], permission: str) -> Scope | None:
    """The widest scope any of these roles holds the permission with; None when none holds it with a scope."""
    scopes = [ROLES[role].grants[permission] for role in roles if role in ROLES and permission in ROLES[role].grants]
    scopes = [scope for scope in scopes if scope is not None]
    return max(scopes, key=SCOPE_ORDER.index) if scopes else None


def needs_second_factor(roles: frozenset[str] | set[str] | list[str]) -> bool:
    """A second factor is required for every role that can see a person's data, and for those who manage
    accounts or read the audit trail (they could otherwise give themselves access)."""
    strong = {"staff.manage", "organisation.manage", "audit.read-all", "audit.read-organisation"}
    return any(PERMISSIONS[name].shows_people or name in strong for name in permissions_of(roles))
