"""Demo social prescribing (issue 11): for a few of the demo people (clients.demo, all FICTIONAL), a "what matters to
you" conversation and ONS4 wellbeing at the start and at a follow-up, made through prescribing.service (sealed and
audited like real data) by the team's writer, as clients.demo writes the people's details.

Idempotent: when any demo person already has a conversation, nothing is added. Dates count back from today
(kit.clock), so the follow-up is always recent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.kit import clock
from carebridge.prescribing import service
from carebridge.prescribing.models import Conversation

# (what matters, strengths, what they want to try, ONS4 at start, ONS4 at follow-up), in the people's words.
STORIES = (
    ("Feeling at home here; my children doing well at school.", "I sew and cook well; my neighbour is kind to me.",
     "A sewing group with other Arabic-speaking women.", (3, 4, 3, 8), (6, 7, 6, 4)),
    ("Keeping fit and meeting people my age.", "I played football for my town's team.",
     "Playing football on Monday evenings.", (4, 5, 4, 6), (7, 7, 6, 3)),
    ("Speaking English without being afraid.", "I am patient and I like to learn.",
     "The English conversation class at the library.", (5, 5, 4, 7), (5, 6, 6, 5)),
)
START_DAYS_AGO = 84
FOLLOW_UP_DAYS_AGO = 7


def load_demo(session: Session, settings: Any) -> str:
    from carebridge.clients import demo as people_demo
    from carebridge.outcomes.demo import _demo_people

    context = people_demo._context(session)
    people = [(client, person) for client, person in _demo_people(session, settings) if client.status == "open"]
    if context is None or not people:
        return ""
    chosen = people[: len(STORIES)]
    ids = [client.id for client, _person in chosen]
    if session.scalar(select(Conversation.id).where(Conversation.client_id.in_(ids)).limit(1)):
        return "Demo social prescribing: already there."
    today = clock.today(settings.timezone)
    start = today - dt.timedelta(days=START_DAYS_AGO)
    follow = today - dt.timedelta(days=FOLLOW_UP_DAYS_AGO)
    for (client, person), (matters, strengths, wants, first, last) in zip(chosen, STORIES, strict=False):
        actor = people_demo._writer(context, person)
        service.record_conversation(session, settings, actor, client.id, held_on=start, what_matters=matters,
                                    strengths=strengths, want_to_try=wants)
        for stage, day, scores in (("start", start, first), ("follow-up", follow, last)):
            service.record_wellbeing(session, settings, actor, client.id, stage=stage, taken_on=day,
                                     answers=dict(zip(("life_satisfaction", "worthwhile", "happiness", "anxiety"), scores, strict=True)))
    session.flush()
    return f"Demo social prescribing: {len(chosen)} FICTIONAL people with a conversation and ONS4 at start and follow-up."
