"""What to do now if there is risk: the box a worker sees during a session with a person (the person's page, the
screening pages), in the worker's language — the deployment's emergency numbers and crisis lines (settings), stay
with the person, call the clinician on duty.

CONTRACT (issue 10 skeleton): `guidance(session, settings, actor) -> dict` gives the context of the partial
templates/staff/risk/what_to_do_now.html, which pages include as
    {% include "staff/risk/what_to_do_now.html" %}
with `risk_guidance` set to that dict. Keys: emergency_numbers (carebridge.emergency.EmergencyNumber), crisis_lines
(list of {"number", "tel", "name"} from CAREBRIDGE_CRISIS_LINES), on_duty (list of {"name", "phone", "tel"}: the
clinicians on duty today in the actor's organisation), client_id (None here; a page may set it for the "raise a
risk flag" link).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from carebridge.config import Settings
from carebridge.emergency import emergency_numbers


def _tel(number: str) -> str:
    return "tel:" + "".join(character for character in number if character.isdigit() or character == "+")


def guidance(session: Session, settings: Settings, actor: Any) -> dict[str, Any]:
    from carebridge.risk import service

    on_duty = []
    if actor is not None:
        for duty, account in service.on_duty(session, actor.organisation_id, service.local_today(settings)):
            on_duty.append({"name": account.name, "phone": duty.phone, "tel": _tel(duty.phone) if duty.phone else None})
    return {
        "emergency_numbers": emergency_numbers(settings.jurisdiction, settings),
        "crisis_lines": [
            {"number": number, "tel": _tel(number), "name": name} for number, name in settings.crisis_line_list()
        ],
        "on_duty": on_duty,
        "client_id": None,
        "can_raise": actor is not None and actor.can("risk.raise"),
    }
