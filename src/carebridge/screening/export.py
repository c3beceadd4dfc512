"""The screenings in the person's copy of their record (rights.exporting)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carebridge.rights.exporting import ExportContext, iso
from carebridge.screening.models import Screening


def export(context: ExportContext) -> dict[str, Any]:
    """Every questionnaire answered, oldest first: the instrument, the score, its band, and each answer."""
    rows = context.session.scalars(
        select(Screening).where(Screening.client_id == context.client.id).order_by(Screening.completed_at, Screening.id)
    ).all()
    return {
        "screenings": [
            {
                "id": row.id,
                "instrument": row.instrument,
                "language": row.language,
                "mode": row.mode,
                "administered_by": context.staff(row.administered_by),
                "completed_at": iso(row.completed_at),
                "total": row.total,
                "band": row.band,
                "positive": row.positive,
                "risk": row.risk,
                "answers": context.key.open_json(Screening.__tablename__, "answers", row.id, row.answers),
            }
            for row in rows
        ]
    }
