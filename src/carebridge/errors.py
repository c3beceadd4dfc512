"""Domain errors carry their own HTTP status and a translatable message.

The API renders them as RFC 9457 problem documents (application/problem+json); pages render an error summary.
Messages are gettext message ids, translated at render time into the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it now."""
    return message


@dataclass
class FieldError:
    """One problem with one input: `name` is the parameter or field, `pointer` a JSON pointer or path."""

    name: str
    message: str
    pointer: str | None = None
    allowed: list[str] | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, translate=lambda s: s) -> dict[str, Any]:  # noqa: ANN001
        reason = translate(self.message)
        if self.params:
            reason = reason % self.params
        data: dict[str, Any] = {"name": self.name, "reason": reason}
        if self.pointer is not None:
            data["pointer"] = self.pointer
        if self.allowed is not None:
            data["allowed"] = self.allowed
        return data


class CarebridgeError(Exception):
    status_code: int = 400
    title: str = N_("Something is wrong with the request")
    type_slug: str = "bad-request"

    def __init__(self, detail: str | None = None, *, errors: list[FieldError] | None = None, **params: Any):
        self.detail = detail
        self.errors = errors or []
        self.params = params
        super().__init__(detail or self.title)


class InvalidInput(CarebridgeError):
    status_code = 422
    title = N_("Some of the information given is not valid")
    type_slug = "invalid-input"


class NotFound(CarebridgeError):
    status_code = 404
    title = N_("We could not find that page")
    type_slug = "not-found"


class Conflict(CarebridgeError):
    status_code = 409
    title = N_("That could not be done because the data changed")
    type_slug = "conflict"


PROBLEM_TYPE_BASE = "https://carebridge.example/problems/"


class NotSaved(CarebridgeError):
    """The unit of work could not be committed: nothing of the request was kept, and the answer says so (never 2xx)."""

    status_code = 503
    title = N_("Your changes were not saved")
    type_slug = "not-saved"


class NotSignedIn(CarebridgeError):
    status_code = 401
    title = N_("Please sign in")
    type_slug = "not-signed-in"


class Forbidden(CarebridgeError):
    status_code = 403
    title = N_("You do not have permission to do that")
    type_slug = "forbidden"
