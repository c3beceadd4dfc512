"""The emergency numbers every page shows first when a person may be in an emergency.

Where they come from, in order: the deployment's setting `CAREBRIDGE_EMERGENCY_NUMBERS` (for its own
jurisdiction only), then the jurisdiction's rules base (rules/<CODE>.yaml, `emergency`, validated and sourced),
then 112 alone, which answers in every EU country and in the UK. The finder (urgent or emergency care, the service
page of an A&E) and the entitlements checker's result both use `emergency_numbers`, and one template shows them:
templates/components/emergency.html.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from carebridge.config import Settings, settings_in_effect
from carebridge.errors import N_

# Who answers the number, as whole phrases (never built from pieces). The codes are the rules bases' `answers`.
ANSWERS_LABELS: dict[str, str] = {
    "all": N_("Ambulance, fire service and police"),
    "ambulance": N_("Ambulance and emergency doctor"),
    "ambulance-fire": N_("Ambulance and fire service"),
    "fire": N_("Fire service"),
    "police": N_("Police"),
}

# The finder's categories and taxonomy terms whose services get the numbers on their page.
EMERGENCY_CATEGORY = "emergency"


@dataclass(frozen=True)
class EmergencyNumber:
    number: str  # as dialled and shown, e.g. "112" or "116 117"
    answers: str  # a key of ANSWERS_LABELS

    @property
    def tel(self) -> str:
        return "tel:" + self.number.replace(" ", "")

    @property
    def label(self) -> str:
        return ANSWERS_LABELS.get(self.answers, ANSWERS_LABELS["all"])


FALLBACK = (EmergencyNumber("112", "all"),)


def asks_for_emergency(request: Any) -> bool:
    """Whether a request is about urgent or emergency care: a `category` query parameter (repeated or
    comma-separated) names the emergency category. Reads only the query string, so it holds for any request,
    however malformed its other parameters are (the error page of such a request still shows the numbers)."""
    try:
        values = request.query_params.getlist("category")
    except Exception:  # noqa: BLE001 - an unreadable query string is simply not a request about emergencies
        return False
    return any(part.strip() == EMERGENCY_CATEGORY for value in values for part in value.split(","))


def emergency_numbers(jurisdiction: str | None = None, settings: Settings | None = None) -> tuple[EmergencyNumber, ...]:
    """The emergency numbers of `jurisdiction` (default: the deployment's), in the order to show them.

    `settings` are the deployment's: callers serving a request pass their app's (request.app.state.settings);
    without them, the settings in effect (config.settings_in_effect: the app serving this request, else the
    process's)."""
    settings = settings or settings_in_effect()
    jurisdiction = jurisdiction or settings.jurisdiction
    if jurisdiction == settings.jurisdiction:
        configured = settings.emergency_number_list()
        if configured:
            return tuple(EmergencyNumber(number, answers) for number, answers in configured)
    from carebridge.entitlements.rulebook import RulesError, get_rulebooks

    try:
        rulebook = get_rulebooks().get(jurisdiction)
    except RulesError:  # a broken rules base must not take the emergency numbers down with it
        rulebook = None
    if rulebook is None or rulebook.emergency is None:
        return FALLBACK
    return tuple(EmergencyNumber(item.number, item.answers) for item in rulebook.emergency.numbers)
