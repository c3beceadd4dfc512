"""Volunteers, families and matches for tests, made through volunteers.service (so sealed and audited like real
data)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session

from carebridge.config import Settings
from carebridge.volunteers import service as volunteers

_numbers = itertools.count(1)
# Valid on the tests' fixed clock (2026-11-23) and well after.
CHECK_ON = dt.date(2026, 1, 10)
CHECK_EXPIRES_ON = dt.date(2029, 1, 10)


def volunteer(session: Session, settings: Settings, actor: Any, *, kind: str = "volunteer", display_name: str | None = None,
              contact: str = "07700 900123", languages: list[str] | None = None, area: str = "Northside",
              interests: list[str] | None = None, availability: str = "Saturday mornings",
              check_on: dt.date | None = CHECK_ON, check_expires_on: dt.date | None = CHECK_EXPIRES_ON,
              max_matches: int = 2, account_id: str | None = None) -> Any:
    return volunteers.create_volunteer(session, settings, actor, volunteers.VolunteerInput(
        kind=kind, display_name=display_name or f"Volunteer {next(_numbers)}", contact=contact,
        languages=languages if languages is not None else ["ar", "en"], area=area,
        interests=interests if interests is not None else ["football"], availability=availability, check_on=check_on,
        check_expires_on=check_expires_on, max_matches=max_matches, account_id=account_id,
    ))


def match(session: Session, settings: Settings, actor: Any, client: Any, volunteer_: Any, *, area: str = "Northside",
          interests: list[str] | None = None, how_to_meet: str = "At the community centre, Tuesday 4pm",
          share_name: bool = True, agreed_how: str = "in-person") -> Any:
    return volunteers.propose_match(session, settings, actor, client.id, volunteers.MatchInput(
        volunteer_id=volunteer_.id, area=area, interests=interests if interests is not None else ["football"],
        how_to_meet=how_to_meet, person_agreed=True, agreed_how=agreed_how, share_name=share_name,
    ))
