"""What to do now if there is risk: the box a worker sees during a session with a person (the person's page, the
screening pages), in the worker's language — the deployment's emergency numbers and crisis lines (settings), stay
with the person, call the clinician on duty.

CONTRACT (issue 10 skeleton): `guidance(session, settings, actor) -> dict` gives the context of the partial
templates/staff/risk/what_to_do_now.html, which pages include as
    {% include "staff/risk/what_to_do_now.html" %}
with `risk_guidance` set to that dict. The risk work fills in the clinician on duty and the crisis lines.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from carebridge.config import Settings
from carebridge.emergency import emergency_numbers


def guidance(session: Session, settings: Settings, actor: Any) -> dict[str, Any]:
    return {"emergency_numbers": emergency_numbers(settings.jurisdiction, settings), "crisis_lines": [], "on_duty": []}
