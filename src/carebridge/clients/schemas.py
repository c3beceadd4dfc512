"""Request and response models of the clients API (/api/v1/clients).

Values are bounded here only loosely (what a request may carry); the service checks each field and answers with the
same messages as the pages (422 problem documents naming the field).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

TRANSPORT = 1000
# No control characters (the request guard refuses them in any JSON string before routing: the schema says so too).
VISIBLE = r"^[^\x00-\x1F\x7F-\x9F]*$"
Tag = Annotated[str, StringConstraints(max_length=64, pattern=VISIBLE)]


class ProfileFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preferred_name: str = Field(max_length=TRANSPORT, pattern=VISIBLE, description="The name the person wants to be called (any script).")
    birth_date: dt.date | None = Field(None, description="Either this or birth_year, not both.")
    birth_year: int | None = Field(None, ge=0, le=9999)
    gender: str | None = Field(None, max_length=TRANSPORT, pattern=VISIBLE, description="As the person describes it.")
    languages: list[Tag] = Field(
        default_factory=list, max_length=50, description="BCP 47 tags, main language first: prs, fa, ckb, kmr, ar-SY."
    )
    interpreter_needed: bool = False
    interpreter_language: str | None = Field(None, max_length=64, pattern=VISIBLE, description="BCP 47; the main language if omitted.")
    interpreter_gender: Literal["any", "female", "male"] = "any"
    interpreter_not_from_community: bool = Field(False, description="Not someone from the person's own community.")


class ClientCreate(ProfileFields):
    team_id: str | None = Field(None, max_length=36, pattern=VISIBLE, description="One of the caller's teams; their first if omitted.")
    owner_account_id: str | None = Field(None, max_length=36, pattern=VISIBLE, description="The caseworker; the caller if omitted.")
    jurisdiction: str | None = Field(None, max_length=16, pattern=VISIBLE, description="The deployment's own if omitted.")


class ClientPatch(BaseModel):
    """Only the fields given change; `version` is the one the change starts from (409 if someone changed it since)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2_147_483_647)
    preferred_name: str | None = Field(None, max_length=TRANSPORT, pattern=VISIBLE)
    birth_date: dt.date | None = None
    birth_year: int | None = Field(None, ge=0, le=9999)
    gender: str | None = Field(None, max_length=TRANSPORT, pattern=VISIBLE)
    languages: list[Tag] | None = Field(None, max_length=50)
    interpreter_needed: bool | None = None
    interpreter_language: str | None = Field(None, max_length=64, pattern=VISIBLE)
    interpreter_gender: Literal["any", "female", "male"] | None = None
    interpreter_not_from_community: bool | None = None
    team_id: str | None = Field(None, max_length=36, pattern=VISIBLE)
    owner_account_id: str | None = Field(None, max_length=36, pattern=VISIBLE)
    jurisdiction: str | None = Field(None, max_length=16, pattern=VISIBLE)


class Interpreter(BaseModel):
    needed: bool
    language: str | None
    gender: Literal["any", "female", "male"]
    not_from_community: bool


class ClientOut(BaseModel):
    """One person's record (never the immigration situation: that is shown only where it matters)."""

    id: str
    preferred_name: str
    birth_date: dt.date | None
    birth_year: int | None
    gender: str | None
    languages: list[str]
    interpreter: Interpreter
    team_id: str | None
    team_name: str | None
    owner_account_id: str | None
    caseworker_name: str | None
    jurisdiction: str
    status: Literal["open", "closed"]
    do_not_contact: bool
    needs_attention: bool
    attention: Literal["flagged", "no-contact"] | None = Field(description="Why the record needs attention, if it does.")
    fictional: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    last_contact_at: dt.datetime | None
    closed_at: dt.datetime | None
    erase_after: dt.datetime | None


class CaseloadEntryOut(BaseModel):
    id: str
    preferred_name: str
    languages: list[str]
    team_name: str | None
    caseworker_name: str | None
    status: Literal["open", "closed"]
    last_contact_at: dt.datetime | None
    attention: Literal["flagged", "no-contact"] | None
    do_not_contact: bool
    fictional: bool
    overdue_steps: int = Field(0, description="Steps of the person's action plan still to do after their due date.")


class CaseloadOut(BaseModel):
    people: list[CaseloadEntryOut]
    page: int
    has_next: bool


class LookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(
        max_length=320,
        pattern=VISIBLE,
        description="A whole phone number (read in the installation's region without a country code), e-mail "
        "address or reference number. Exact match only; never a name.",
    )


class LookupOut(BaseModel):
    people: list[CaseloadEntryOut] = Field(
        description="The records in the caller's scope with exactly this number or address (at most 50); empty "
        "when none. Records outside the scope are never found."
    )


class NeedsAttention(BaseModel):
    model_config = ConfigDict(extra="forbid")

    needs_attention: bool
