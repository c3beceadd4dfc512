"""Reminder preferences, reminders and the person's replies in their copy of their record (rights.exporting)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carebridge.reminders.models import InboundMessage, Reminder, ReminderPreference
from carebridge.rights.exporting import ExportContext, iso


def export(context: ExportContext) -> dict[str, Any]:
    """How the person wants to be reminded, each reminder (when, and what became of it: reminders never keep their
    text) and the text messages they sent back."""
    key, client_id = context.key, context.client.id
    preference = context.session.get(ReminderPreference, client_id)
    reminders = context.session.scalars(
        select(Reminder).where(Reminder.client_id == client_id).order_by(Reminder.due_at, Reminder.id)
    ).all()
    messages = context.session.scalars(
        select(InboundMessage).where(InboundMessage.client_id == client_id).order_by(InboundMessage.received_at, InboundMessage.id)
    ).all()
    return {
        "reminder_preference": {
            "channel_id": preference.channel_id,
            "with_details": preference.with_details,
            "safe_window": key.open_json(ReminderPreference.__tablename__, "safe_window", client_id, preference.safe_window)
            if preference.safe_window is not None else None,
            "updated_by": context.staff(preference.updated_by),
            "updated_at": iso(preference.updated_at),
        } if preference is not None else None,
        "reminders": [
            {
                "id": row.id,
                "appointment_id": row.appointment_id,
                "channel_id": row.channel_id,
                "kind": row.kind,
                "state": row.state,
                "reason": row.reason,
                "due_at": iso(row.due_at),
                "settled_at": iso(row.settled_at),
            }
            for row in reminders
        ],
        "messages_received": [
            {
                "id": row.id,
                "channel_id": row.channel_id,
                "kind": row.kind,
                "text": key.open_text(InboundMessage.__tablename__, "text", row.id, row.text),
                "received_at": iso(row.received_at),
            }
            for row in messages
        ],
    }
