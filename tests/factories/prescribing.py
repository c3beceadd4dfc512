"""Social-prescribing records for tests, made through prescribing.service (so sealed and audited like real data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from carebridge.config import Settings
from carebridge.prescribing import service
from carebridge.prescribing.models import Conversation, Wellbeing


def conversation(
    session: Session, settings: Settings, actor: Any, client: Any, *, held_on: dt.date | None = None,
    what_matters: str = "Seeing my children smile; speaking English at the doctor's", strengths: str = "I sew well",
    want_to_try: str = "A sewing group with other women",
) -> Conversation:
    return service.record_conversation(
        session, settings, actor, client.id, held_on=held_on or dt.date(2026, 11, 20), what_matters=what_matters,
        strengths=strengths, want_to_try=want_to_try,
    )


def wellbeing(
    session: Session, settings: Settings, actor: Any, client: Any, *, stage: str = "start",
    taken_on: dt.date | None = None, scores: tuple[int, int, int, int] = (4, 5, 3, 7),
) -> Wellbeing:
    answers = dict(zip(("life_satisfaction", "worthwhile", "happiness", "anxiety"), scores, strict=True))
    return service.record_wellbeing(session, settings, actor, client.id, stage=stage,
                                    taken_on=taken_on or dt.date(2026, 11, 20), answers=answers)
