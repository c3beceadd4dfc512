"""Social prescribing in the person's copy of their record: "what matters to you" conversations and ONS4 wellbeing
answers (rights.exporting)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carebridge.prescribing.models import Conversation, Wellbeing
from carebridge.rights.exporting import ExportContext, iso


def export(context: ExportContext) -> dict[str, Any]:
    client_id = context.client.id
    conversations = context.session.scalars(
        select(Conversation).where(Conversation.client_id == client_id).order_by(Conversation.held_on, Conversation.id)
    ).all()
    wellbeing = context.session.scalars(
        select(Wellbeing).where(Wellbeing.client_id == client_id).order_by(Wellbeing.taken_on, Wellbeing.id)
    ).all()
    return {
        "prescribing_conversations": [
            {
                "id": talk.id,
                "held_on": iso(talk.held_on),
                **{
                    name: words.get(name) or None
                    for words in [context.key.open_json(Conversation.__tablename__, "details", talk.id, talk.details)]
                    for name in ("what_matters", "strengths", "want_to_try")
                },
                "goal_id": talk.goal_id,
                "created_by": context.staff(talk.created_by),
            }
            for talk in conversations
        ],
        "wellbeing": [
            {
                "id": row.id,
                "stage": row.stage,
                "taken_on": iso(row.taken_on),
                "life_satisfaction": row.life_satisfaction,
                "worthwhile": row.worthwhile,
                "happiness": row.happiness,
                "anxiety": row.anxiety,
            }
            for row in wellbeing
        ],
    }
