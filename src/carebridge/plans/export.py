"""The action plan in the person's copy of their record (rights.exporting)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carebridge.plans.models import Goal, Step
from carebridge.rights.exporting import ExportContext, iso


def export(context: ExportContext) -> dict[str, Any]:
    """Every goal, oldest first, with the services attached to it and its steps (who does what, by when)."""
    key, client_id = context.key, context.client.id
    goals = context.session.scalars(
        select(Goal).where(Goal.client_id == client_id).order_by(Goal.created_at, Goal.id)
    ).all()
    steps = context.session.scalars(
        select(Step).where(Step.client_id == client_id).order_by(Step.created_at, Step.id)
    ).all()
    by_goal: dict[str, list[dict[str, Any]]] = {}
    for step in steps:
        words = key.open_json(Step.__tablename__, "description", step.id, step.description) or {}
        by_goal.setdefault(step.goal_id, []).append({
            "id": step.id,
            "description": words.get("description"),
            "who": step.who,
            "organisation": words.get("organisation"),
            "due_on": iso(step.due_on),
            "status": step.status,
            "done_at": iso(step.done_at),
            "created_at": iso(step.created_at),
        })
    return {
        "plan_goals": [
            {
                "id": goal.id,
                "domain": goal.domain,
                "text": key.open_text(Goal.__tablename__, "text", goal.id, goal.text),
                "services": key.open_json(Goal.__tablename__, "services", goal.id, goal.services) if goal.services else [],
                "status": goal.status,
                "review_on": iso(goal.review_on),
                "created_by": context.staff(goal.created_by),
                "created_at": iso(goal.created_at),
                "achieved_at": iso(goal.achieved_at),
                "steps": by_goal.get(goal.id, []),
            }
            for goal in goals
        ]
    }
