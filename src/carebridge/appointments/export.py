"""The appointments in the person's copy of their record (rights.exporting)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carebridge.appointments.models import Appointment
from carebridge.rights.exporting import ExportContext, iso

TABLE = Appointment.__tablename__


def export(context: ExportContext) -> dict[str, Any]:
    """Every appointment, oldest first: when, how, its state, and where, with whom and why (the sealed details)."""
    key = context.key
    rows = context.session.scalars(
        select(Appointment).where(Appointment.client_id == context.client.id).order_by(Appointment.starts_at, Appointment.id)
    ).all()
    return {
        "appointments": [
            {
                "id": row.id,
                "referral_id": row.referral_id,
                "starts_at": iso(row.starts_at),
                "ends_at": iso(row.ends_at),
                "modality": row.modality,
                "status": row.status,
                "interpreter_needed": row.interpreter_needed,
                "details": key.open_json(TABLE, "details", row.id, row.details) if row.details is not None else {},
                "video_link": key.open_text(TABLE, "video_link", row.id, row.video_link),
                "created_by": context.staff(row.created_by),
                "created_at": iso(row.created_at),
            }
            for row in rows
        ]
    }
