"""The needs assessments in the person's copy of their record (rights.exporting)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carebridge.assessments.models import Assessment
from carebridge.rights.exporting import ExportContext, iso

TABLE = Assessment.__tablename__


def export(context: ExportContext) -> dict[str, Any]:
    """Every assessment, oldest first: the scores and the person's words per domain, the category the rules gave and
    why, and a category staff chose instead with their reason."""
    key = context.key
    rows = context.session.scalars(
        select(Assessment).where(Assessment.client_id == context.client.id).order_by(Assessment.assessed_at, Assessment.id)
    ).all()
    return {
        "assessments": [
            {
                "id": row.id,
                "assessed_at": iso(row.assessed_at),
                "assessed_by": context.staff(row.assessed_by),
                "answers": key.open_json(TABLE, "answers", row.id, row.answers),
                "category": row.category,
                "rules_version": row.rules_version,
                "basis": key.open_json(TABLE, "basis", row.id, row.basis),
                "category_override": row.category_override,
                "override_reason": key.open_text(TABLE, "override_reason", row.id, row.override_reason),
                "overridden_by": context.staff(row.overridden_by),
                "overridden_at": iso(row.overridden_at),
            }
            for row in rows
        ]
    }
