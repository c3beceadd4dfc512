"""The problem document (RFC 9457) as the API description declares it, and the error responses of each operation.

Every error the API answers is `application/problem+json` of this shape (carebridge.web.problem_response writes
it). Routes declare theirs with `responses=problem_responses(...)`, so that the OpenAPI description lists every
status an operation can answer with its content type and schema; tests/test_openapi_contract.py holds the app to
it. 400 (a control character or a broken percent-escape in the request) and 413 (a body over 1 MB) can come from
the request-guarding middleware before any route runs, so every operation declares them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    """One problem with one input."""

    name: str = Field(description="The parameter or field, e.g. `per_page` or `person.age`.")
    reason: str = Field(description="What is wrong, in the reader's language.")
    pointer: str | None = Field(None, description="A JSON pointer to the field in the request body, or its path.")
    allowed: list[str] | None = Field(None, description="The values or forms that would be accepted.")


class ProblemDocument(BaseModel):
    """An RFC 9457 problem document; `title` and `detail` are in the reader's language (Content-Language)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem, or about:blank.")
    title: str
    status: int = Field(ge=400, le=599)
    instance: str = Field(description="The path of the request.")
    detail: str | None = None
    errors: list[FieldProblem] | None = Field(None, description="One entry per input that is wrong.")


DESCRIPTIONS = {
    400: "The request itself is malformed: a control character or an invalid percent-escape in a parameter.",
    404: "There is no such record.",
    405: "The path exists but not with this method (the Allow header lists those it has).",
    413: "The request body is larger than 1 MB.",
    422: "A parameter or field has a value that is not allowed; `errors` names each one and what is allowed.",
    503: "The service cannot do this right now.",
}


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON schema with its $defs inlined: in an OpenAPI document "#/$defs/..." would point at the
    document's root, not at the schema."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return resolve(dict(definitions[reference.removeprefix("#/$defs/")]))
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)


PROBLEM_SCHEMA = _inlined(ProblemDocument.model_json_schema())


def problem_responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: 400 and 413 always, plus `statuses`, each a problem document.

    `descriptions` overrides the default wording per status, keyed like `s422="..."`.
    """
    declared: dict[int | str, dict[str, Any]] = {}
    for status in sorted({400, 413, *statuses}):
        declared[status] = {
            "description": descriptions.get(f"s{status}", DESCRIPTIONS.get(status, "A problem document.")),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
    return declared
