"""Action plans for tests, made through plans.service (so sealed and audited like real data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from carebridge.config import Settings
from carebridge.plans import service as plans


def goal(session: Session, settings: Settings, actor: Any, client: Any, *, domain: str = "housing",
         text: str = "A safe flat for my children", review_on: dt.date | None = None) -> Any:
    return plans.create_goal(session, settings, actor, client, domain=domain, text=text, review_on=review_on)


def step(session: Session, settings: Settings, actor: Any, goal_: Any, *, description: str = "Call the council",
         who: str = "worker", due_on: dt.date | None = None, organisation: str | None = None) -> Any:
    return plans.add_step(session, settings, actor, goal_, description=description, who=who, due_on=due_on,
                          organisation=organisation)
