"""Rendering staff pages: the staff layout (templates/staff/layout.html) gets who is signed in, the form token and
the menu of what they may open."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from carebridge import domains
from carebridge.errors import FieldError
from carebridge.web import render

log = logging.getLogger("carebridge.accounts")


def render_staff(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render a staff page (menu entries come from the domain registry). `requires()` has put the actor, their name and the session's CSRF token on
    request.state; before sign-in they are absent and the layout shows no menu."""
    from carebridge.i18n import get_translations, negotiate_language

    actor = getattr(request.state, "actor", None)
    translate = get_translations(negotiate_language(request)).gettext
    path = request.url.path
    nav = [
        (href, translate(label), path == href)
        for href, label, permission in domains.staff_menu()
        if actor is not None and actor.can(permission)
    ]
    full = {
        "actor": actor,
        "staff_name": getattr(request.state, "staff_name", ""),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "nav": nav,
        "risk_banner": _risk_banner(request, actor),
        **(context or {}),
    }
    return render(request, template, full, status_code=status_code)


def form_errors(request: Request, errors: list[FieldError]) -> list[dict[str, str]]:
    """A form's problems for the error summary and the fields (staff/components), each message in the reader's
    language with its placeholders filled."""
    from carebridge.i18n import get_translations, negotiate_language

    translate = get_translations(negotiate_language(request)).gettext
    return [
        {"name": error.name, "message": translate(error.message) % error.params if error.params else translate(error.message)}
        for error in errors
    ]


def _risk_banner(request: Request, actor: Any) -> Any:
    """"N risk flags need an answer today" for a clinician, escalated flags for a service manager (risk.service.banner):
    one or two indexed counts in a read-only session of the app's own (the request's unit of work is not reachable
    here, and a count must never break a page: a failure shows no banner and is logged without data)."""
    if actor is None or not (actor.can("risk.respond") or actor.can("risk.oversee")):
        return None
    factory = getattr(request.app.state, "session_factory", None)
    if factory is None:
        return None
    from carebridge.risk import service as risk

    try:
        with factory() as session:
            return risk.banner(session, actor)
    except Exception as error:  # noqa: BLE001 - the banner is an extra; the page itself must still be shown
        log.warning("the risk flag banner could not be counted (%s)", type(error).__name__)
        return None
