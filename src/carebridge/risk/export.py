"""The risk flags in the person's copy of their record (rights.exporting)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carebridge.rights.exporting import ExportContext, iso
from carebridge.risk.models import RiskFlag

TABLE = RiskFlag.__tablename__


def export(context: ExportContext) -> dict[str, Any]:
    """Every risk flag, oldest first: where it came from, what was seen and done, and how it was closed. The duty
    rota (a clinician's work phone) is staff data, not the person's, and stays out."""
    key = context.key
    rows = context.session.scalars(
        select(RiskFlag).where(RiskFlag.client_id == context.client.id).order_by(RiskFlag.raised_at, RiskFlag.id)
    ).all()
    flags = []
    for row in rows:
        details = key.open_json(TABLE, "details", row.id, row.details) if row.details is not None else {}
        flags.append({
            "id": row.id,
            "source": row.source,
            "screening_id": row.screening_id,
            "seen": details.get("seen") or None,
            "done": details.get("done") or None,
            "notes": [
                {"by": context.staff(note.get("by")), "at": note.get("at"), "text": note.get("text", "")}
                for note in details.get("notes") or []
            ],
            "raised_by": context.staff(row.raised_by),
            "raised_at": iso(row.raised_at),
            "due_at": iso(row.due_at),
            "status": row.status,
            "escalated_at": iso(row.escalated_at),
            "closed_by": context.staff(row.closed_by),
            "closed_at": iso(row.closed_at),
            "outcome": row.outcome,
            "outcome_notes": key.open_text(TABLE, "outcome_notes", row.id, row.outcome_notes),
        })
    return {"risk_flags": flags}
