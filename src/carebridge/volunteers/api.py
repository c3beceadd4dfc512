"""The staff JSON API of volunteers and network families: the organisation's register (/api/v1/volunteers), a
person's matches (/api/v1/clients/{client_id}/volunteer-matches, candidates, exclusions), and a volunteer's own
matches (/api/v1/volunteering).

The same services, permissions and scope as the pages: the register and a person's matches need volunteer.manage
(the register is the organisation's; a person outside the caller's scope is 404 like a missing one); a volunteer's
own matches need volunteer.own-matches and show only what each match needs. The person's area and interests go in a
POST body, never in a URL. Every read and write is audited. Every error is a problem document (RFC 9457).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from carebridge.accounts.access import Actor, requires
from carebridge.problems import problem_responses
from carebridge.volunteers import service as volunteers
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff: volunteers and network families"])
Manager = Annotated[Actor, Depends(requires("volunteer.manage"))]
Volunteering = Annotated[Actor, Depends(requires("volunteer.own-matches"))]

S401 = "Not signed in (no valid staff session, or the second factor is not done yet)."
S403 = "Signed in, but the account's roles do not hold the permission."
S404 = "No such record, volunteer or match, or not one the caller may see (the same answer)."
S409 = "Someone changed it since (the `version` given), or the match has already been answered or ended."
TRANSPORT_LIMIT = 5_000
VISIBLE = r"^[^\x00-\x1F\x7F-\x9F]*$"
MULTILINE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
ID = Annotated[str, Field(max_length=64, pattern=VISIBLE)]
Text = Annotated[str, Field(max_length=TRANSPORT_LIMIT, pattern=VISIBLE)]
LongText = Annotated[str, Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE)]
Tag = Annotated[str, Field(max_length=40, pattern=VISIBLE)]

Kind = Literal["volunteer", "family"]
Interest = Literal["football", "sport", "walking", "cooking", "music", "arts", "crafts", "gardening", "reading",
                   "faith", "language-practice", "children", "games", "technology", "other"]
VolunteerStatus = Literal["active", "paused"]
MatchStatus = Literal["proposed", "active", "declined", "ended"]
AgreedHow = Literal["in-person", "phone", "interpreter", "written"]
Answer = Literal["accept", "decline"]
EndReason = Literal["goal-met", "person-ended", "volunteer-ended", "no-contact", "safeguarding", "other"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VolunteerIn(_Model):
    kind: Kind
    display_name: Text = Field(description="The name to use; at most 120 characters. Sealed with the volunteer's key.")
    contact: Text = Field("", description="How to reach them; sealed.")
    languages: list[Tag] = Field(max_length=10, description="BCP 47 tags, e.g. `ar-SY`, `prs`.")
    area: Text = Field("", description="A coarse area: a district or postcode area.")
    interests: list[Interest] = Field(default_factory=list, max_length=15)
    interests_other: Text = Field("", description="Words for the `other` interest; sealed.")
    availability: LongText = Field("", description="Plain words; sealed.")
    check_on: dt.date | None = Field(None, description="Date of the background (DBS) check.")
    check_expires_on: dt.date | None = Field(None, description="Expiry of the check: a missing or expired check "
                                             "blocks matching.")
    max_matches: int = Field(1, ge=1, le=volunteers.MAX_MATCHES_LIMIT)
    account_id: ID | None = Field(None, description="Their own sign-in (role `volunteer`), not linked to another.")


class VolunteerPut(VolunteerIn):
    version: int = Field(ge=1, le=2_000_000_000)


class PauseIn(_Model):
    paused: bool


class VolunteerOut(BaseModel):
    id: str
    kind: Kind
    display_name: str
    contact: str
    languages: list[str]
    area: str
    interests: list[str]
    interests_other: str
    availability: str
    check_on: dt.date | None
    check_expires_on: dt.date | None
    check_valid: bool
    status: VolunteerStatus
    max_matches: int
    open_matches: int
    account_id: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class VolunteerList(BaseModel):
    items: list[VolunteerOut]


class CandidateSearch(_Model):
    area: Text = Field("", description="The person's area as the worker types it (not stored).")
    interests: list[Interest] = Field(default_factory=list, max_length=15)


class CandidateOut(BaseModel):
    volunteer_id: str
    name: str
    kind: Kind
    shared_languages: list[str]
    same_area: bool
    shared_interests: list[str]


class CandidateList(BaseModel):
    items: list[CandidateOut] = Field(description="Best first: shared languages, then area, then interests.")


class MatchIn(_Model):
    volunteer_id: ID
    area: Text = ""
    interests: list[Interest] = Field(default_factory=list, max_length=15)
    how_to_meet: LongText = Field(description="How and where they first meet; the volunteer sees it.")
    person_agreed: bool = Field(description="The person agreed to share this with this volunteer (required).")
    agreed_how: AgreedHow
    share_name: bool = Field(False, description="Whether the volunteer may see the person's name to use.")


class SharedOut(BaseModel):
    name_to_use: str | None
    languages: list[str]
    area: str
    shared_interests: list[str]
    how_to_meet: str


class MatchOut(BaseModel):
    id: str
    client_id: str
    volunteer_id: str
    volunteer_name: str
    volunteer_kind: Kind
    status: MatchStatus
    shared: SharedOut = Field(description="Exactly what the volunteer sees while the match is proposed or active.")
    person_agreed: bool
    agreed_how: AgreedHow
    proposed_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    ended_reason: str | None
    version: int


class MatchList(BaseModel):
    items: list[MatchOut]


class AnswerIn(_Model):
    answer: Answer


class EndIn(_Model):
    reason: EndReason
    exclude: bool = Field(False, description="Never propose this volunteer to the person again.")


class ExclusionIn(_Model):
    volunteer_id: ID


class OwnMatchOut(BaseModel):
    """All a volunteer sees of a match."""

    id: str
    status: Literal["proposed", "active"]
    name_to_use: str | None
    languages: list[str]
    area: str
    shared_interests: list[str]
    how_to_meet: str
    proposed_at: dt.datetime


class OwnMatchList(BaseModel):
    items: list[OwnMatchOut]


class AnswerOut(BaseModel):
    id: str
    status: Literal["active", "declined"]


def _input(body: VolunteerIn) -> volunteers.VolunteerInput:
    return volunteers.VolunteerInput(
        kind=body.kind, display_name=body.display_name, contact=body.contact, languages=list(body.languages),
        area=body.area, interests=list(body.interests), interests_other=body.interests_other,
        availability=body.availability, check_on=body.check_on, check_expires_on=body.check_expires_on,
        max_matches=body.max_matches, account_id=body.account_id,
    )


def _volunteer_out(view: volunteers.VolunteerView) -> VolunteerOut:
    return VolunteerOut(**vars(view))


def _match_out(view: volunteers.MatchView) -> MatchOut:
    return MatchOut(**{**vars(view), "shared": SharedOut(**view.shared)})


# --- The register ------------------------------------------------------------------------------------------------


@router.get("/volunteers", response_model=VolunteerList, summary="The organisation's volunteers and network families",
            description="Audited `volunteer.list`. Needs `volunteer.manage`.",
            responses=problem_responses(401, 403, 422, s401=S401, s403=S403))
def list_volunteers(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager) -> VolunteerList:
    views = volunteers.list_volunteers(session, settings, actor, request_id=request_id(request))
    return VolunteerList(items=[_volunteer_out(view) for view in views])


@router.post("/volunteers", response_model=VolunteerOut, status_code=201, summary="Add a volunteer or family",
             description="Their name, contact and availability are sealed with a data key of their own. Audited "
             "`volunteer.create`. Needs `volunteer.manage`.",
             responses=problem_responses(401, 403, 422, s401=S401, s403=S403))
def create_volunteer(request: Request, response: Response, session: SessionDep, settings: SettingsDep,
                     actor: Manager, body: VolunteerIn) -> VolunteerOut:
    volunteer = volunteers.create_volunteer(session, settings, actor, _input(body), request_id=request_id(request))
    response.headers["Location"] = f"/api/v1/volunteers/{volunteer.id}"
    return _volunteer_out(volunteers.volunteer_view(session, settings, volunteer))


@router.get("/volunteers/{volunteer_id}", response_model=VolunteerOut, summary="One volunteer or family",
            description="Audited `volunteer.read`. Needs `volunteer.manage`.",
            responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404))
def read_volunteer(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager,
                   volunteer_id: str) -> VolunteerOut:
    return _volunteer_out(volunteers.read_volunteer(session, settings, actor, volunteer_id, request_id=request_id(request)))


@router.put("/volunteers/{volunteer_id}", response_model=VolunteerOut, summary="Change a volunteer or family",
            description="Every field, with the `version` the change starts from (409 when someone changed them "
            "since). Audited `volunteer.update`. Needs `volunteer.manage`.",
            responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409))
def put_volunteer(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, volunteer_id: str,
                  body: VolunteerPut) -> VolunteerOut:
    volunteer = volunteers.update_volunteer(session, settings, actor, volunteer_id, _input(body), version=body.version,
                                            request_id=request_id(request))
    return _volunteer_out(volunteers.volunteer_view(session, settings, volunteer))


@router.post("/volunteers/{volunteer_id}/pause", response_model=VolunteerOut, summary="Pause or resume a volunteer",
             description="A paused volunteer is never proposed; their open matches go on. Audited `volunteer.pause` "
             "or `volunteer.resume`. Needs `volunteer.manage`.",
             responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404))
def pause_volunteer(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, volunteer_id: str,
                    body: PauseIn) -> VolunteerOut:
    volunteer = volunteers.set_paused(session, settings, actor, volunteer_id, body.paused, request_id=request_id(request))
    return _volunteer_out(volunteers.volunteer_view(session, settings, volunteer))


@router.delete("/volunteers/{volunteer_id}", status_code=204, response_class=Response,
               summary="Remove a volunteer or family for good",
               description="Their data key is destroyed (crypto-shredding) and their open matches end. Audited "
               "`volunteer.remove`. Needs `volunteer.manage`.",
               responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404))
def remove_volunteer(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager,
                     volunteer_id: str) -> Response:
    volunteers.remove_volunteer(session, settings, actor, volunteer_id, request_id=request_id(request))
    return Response(status_code=204)


# --- A person's matches ------------------------------------------------------------------------------------------


@router.get("/clients/{client_id}/volunteer-matches", response_model=MatchList,
            summary="A person's matches with volunteers and families",
            description="Open first, then newest. Audited `volunteer.match.read`. Needs `volunteer.manage`.",
            responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404))
def list_matches(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager,
                 client_id: str) -> MatchList:
    views = volunteers.read_matches(session, settings, actor, client_id, request_id=request_id(request))
    return MatchList(items=[_match_out(view) for view in views])


@router.post("/clients/{client_id}/volunteer-candidates", response_model=CandidateList,
             summary="Find volunteers and families who could be proposed to a person",
             description="Ranked by the person's languages (from the record), the area and interests given (not "
             "stored); paused, expired, full and excluded volunteers never appear. Nothing is proposed: the worker "
             "chooses. Audited `volunteer.match.search`. Needs `volunteer.manage`.",
             responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404))
def find_candidates(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, client_id: str,
                    body: CandidateSearch) -> CandidateList:
    found = volunteers.find_candidates(session, settings, actor, client_id, area=body.area,
                                       interests=list(body.interests), request_id=request_id(request))
    return CandidateList(items=[CandidateOut(
        volunteer_id=item.proposal.candidate.id, name=item.name, kind=item.kind,  # type: ignore[arg-type]
        shared_languages=list(item.proposal.shared_languages), same_area=item.proposal.same_area,
        shared_interests=list(item.proposal.shared_interests)) for item in found])


@router.post("/clients/{client_id}/volunteer-matches", response_model=MatchOut, status_code=201,
             summary="Propose a volunteer or family to a person",
             description="Needs the person's agreement (`person_agreed`, and how). The volunteer is told, "
             "payload-free, and accepts or declines. Audited `volunteer.match.propose`. Needs `volunteer.manage`.",
             responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404))
def propose_match(request: Request, response: Response, session: SessionDep, settings: SettingsDep, actor: Manager,
                  client_id: str, body: MatchIn) -> MatchOut:
    match = volunteers.propose_match(session, settings, actor, client_id, volunteers.MatchInput(
        volunteer_id=body.volunteer_id, area=body.area, interests=list(body.interests), how_to_meet=body.how_to_meet,
        person_agreed=body.person_agreed, agreed_how=body.agreed_how, share_name=body.share_name,
    ), request_id=request_id(request))
    response.headers["Location"] = f"/api/v1/clients/{client_id}/volunteer-matches/{match.id}"
    return _match_out(volunteers.read_match(session, settings, actor, client_id, match.id, request_id=request_id(request)))


@router.get("/clients/{client_id}/volunteer-matches/{match_id}", response_model=MatchOut,
            summary="One of a person's matches",
            description="Audited `volunteer.match.read`. Needs `volunteer.manage`.",
            responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404))
def read_match(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, client_id: str,
               match_id: str) -> MatchOut:
    return _match_out(volunteers.read_match(session, settings, actor, client_id, match_id, request_id=request_id(request)))


@router.post("/clients/{client_id}/volunteer-matches/{match_id}/answer", response_model=MatchOut,
             summary="Record the volunteer's answer to a proposed match",
             description="For a volunteer without a sign-in, or who answered by phone. Audited "
             "`volunteer.match.answer`. Needs `volunteer.manage`.",
             responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409))
def answer_match(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, client_id: str,
                 match_id: str, body: AnswerIn) -> MatchOut:
    volunteers.answer_match(session, settings, actor, match_id, body.answer, client_id=client_id,
                            request_id=request_id(request))
    return _match_out(volunteers.read_match(session, settings, actor, client_id, match_id, request_id=request_id(request)))


@router.post("/clients/{client_id}/volunteer-matches/{match_id}/end", response_model=MatchOut,
             summary="End a match with a reason",
             description="The volunteer sees nothing of it from then on, and is told, payload-free. Audited "
             "`volunteer.match.end`. Needs `volunteer.manage`.",
             responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409))
def end_match(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, client_id: str,
              match_id: str, body: EndIn) -> MatchOut:
    volunteers.end_match(session, settings, actor, client_id, match_id, body.reason, exclude=body.exclude,
                         request_id=request_id(request))
    return _match_out(volunteers.read_match(session, settings, actor, client_id, match_id, request_id=request_id(request)))


@router.post("/clients/{client_id}/volunteer-exclusions", status_code=204, response_class=Response,
             summary="The person does not want this volunteer or family",
             description="Never proposed to them again. Audited `volunteer.exclude`. Needs `volunteer.manage`.",
             responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404))
def exclude_volunteer(request: Request, session: SessionDep, actor: Manager, client_id: str,
                      body: ExclusionIn) -> Response:
    volunteers.exclude_volunteer(session, actor, client_id, body.volunteer_id, request_id=request_id(request))
    return Response(status_code=204)


# --- The volunteer's own matches -------------------------------------------------------------------------------


@router.get("/volunteering", response_model=OwnMatchList, summary="My matches, as a volunteer",
            description="Proposed and active matches only, and of each only what it needs. Audited "
            "`volunteer.match.view` on each person's record. Needs `volunteer.own-matches`.",
            responses=problem_responses(401, 403, 422, s401=S401, s403=S403))
def own_matches(request: Request, session: SessionDep, settings: SettingsDep, actor: Volunteering) -> OwnMatchList:
    views = volunteers.own_matches(session, settings, actor, request_id=request_id(request))
    return OwnMatchList(items=[OwnMatchOut(**vars(view)) for view in views])


@router.get("/volunteering/{match_id}", response_model=OwnMatchOut, summary="One of my matches, as a volunteer",
            description="Audited `volunteer.match.view`. Needs `volunteer.own-matches`.",
            responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404))
def own_match(request: Request, session: SessionDep, settings: SettingsDep, actor: Volunteering,
              match_id: str) -> OwnMatchOut:
    return OwnMatchOut(**vars(volunteers.own_match(session, settings, actor, match_id, request_id=request_id(request))))


@router.post("/volunteering/{match_id}/answer", response_model=AnswerOut,
             summary="Accept or decline a match proposed to me",
             description="Accepting makes the match active; declining ends what I can see of it. Audited "
             "`volunteer.match.answer`. Needs `volunteer.own-matches`.",
             responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409))
def answer_own_match(request: Request, session: SessionDep, settings: SettingsDep, actor: Volunteering,
                     match_id: str, body: AnswerIn) -> AnswerOut:
    match = volunteers.answer_match(session, settings, actor, match_id, body.answer, request_id=request_id(request))
    return AnswerOut(id=match.id, status=match.status)  # type: ignore[arg-type]
