"""Matches with volunteers and network families in the person's copy of their record (rights.exporting).

The volunteer's own details (name, contact, availability) are sealed with the volunteer's key and are theirs, not the
person's: the copy holds what the match shared about the person, its state and dates, and the kind of volunteer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carebridge.rights.exporting import ExportContext, iso
from carebridge.volunteers.models import Volunteer, VolunteerExclusion, VolunteerMatch

MATCH_TABLE = VolunteerMatch.__tablename__


def export(context: ExportContext) -> dict[str, Any]:
    client_id = context.client.id
    matches = context.session.execute(
        select(VolunteerMatch, Volunteer.kind)
        .join(Volunteer, Volunteer.id == VolunteerMatch.volunteer_id)
        .where(VolunteerMatch.client_id == client_id)
        .order_by(VolunteerMatch.proposed_at, VolunteerMatch.id)
    ).all()
    exclusions = context.session.execute(
        select(VolunteerExclusion, Volunteer.kind)
        .join(Volunteer, Volunteer.id == VolunteerExclusion.volunteer_id)
        .where(VolunteerExclusion.client_id == client_id)
        .order_by(VolunteerExclusion.created_at, VolunteerExclusion.id)
    ).all()
    return {
        "volunteer_matches": [
            {
                "id": match.id,
                "volunteer_kind": kind,
                "status": match.status,
                "shared": context.key.open_json(MATCH_TABLE, "shared", match.id, match.shared),
                "person_agreed": match.person_agreed,
                "agreed_how": match.agreed_how,
                "proposed_by": context.staff(match.proposed_by),
                "proposed_at": iso(match.proposed_at),
                "answered_at": iso(match.answered_at),
                "ended_at": iso(match.ended_at),
                "ended_reason": match.ended_reason,
            }
            for match, kind in matches
        ],
        "volunteer_exclusions": [
            {"id": exclusion.id, "volunteer_kind": kind, "created_at": iso(exclusion.created_at)}
            for exclusion, kind in exclusions
        ],
    }
