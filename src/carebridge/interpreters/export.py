"""Interpreter bookings and the interpreters the person should not have, in their copy (rights.exporting).

An interpreter's identity (an external one's sealed name and contact, a staff interpreter's account) is the
interpreter's personal data, not the person's: the copy says what kind of interpreter, the language and the times,
never who."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carebridge.interpreters.models import (
    Interpreter,
    InterpreterBooking,
    InterpreterExclusion,
)
from carebridge.rights.exporting import ExportContext, iso

BOOKING_TABLE = InterpreterBooking.__tablename__
EXCLUSION_TABLE = InterpreterExclusion.__tablename__


def export(context: ExportContext) -> dict[str, Any]:
    key, client_id = context.key, context.client.id
    bookings = context.session.execute(
        select(InterpreterBooking, Interpreter.kind)
        .join(Interpreter, Interpreter.id == InterpreterBooking.interpreter_id)
        .where(InterpreterBooking.client_id == client_id)
        .order_by(InterpreterBooking.starts_at, InterpreterBooking.id)
    ).all()
    exclusions = context.session.execute(
        select(InterpreterExclusion, Interpreter.kind)
        .join(Interpreter, Interpreter.id == InterpreterExclusion.interpreter_id)
        .where(InterpreterExclusion.client_id == client_id)
        .order_by(InterpreterExclusion.created_at, InterpreterExclusion.id)
    ).all()
    return {
        "interpreter_bookings": [
            {
                "id": booking.id,
                "interpreter_kind": kind,
                "appointment_id": booking.appointment_id,
                "referral_id": booking.referral_id,
                "starts_at": iso(booking.starts_at),
                "ends_at": iso(booking.ends_at),
                "language": booking.language,
                "modality": booking.modality,
                "status": booking.status,
                "details": key.open_json(BOOKING_TABLE, "details", booking.id, booking.details)
                if booking.details is not None else {},
                "video_link": key.open_text(BOOKING_TABLE, "video_link", booking.id, booking.video_link),
                "booked_by": context.staff(booking.booked_by),
                "created_at": iso(booking.created_at),
                "answered_at": iso(booking.answered_at),
            }
            for booking, kind in bookings
        ],
        "interpreter_exclusions": [
            {
                "id": exclusion.id,
                "interpreter_kind": kind,
                "reason": key.open_text(EXCLUSION_TABLE, "reason", exclusion.id, exclusion.reason),
                "created_by": context.staff(exclusion.created_by),
                "created_at": iso(exclusion.created_at),
            }
            for exclusion, kind in exclusions
        ],
    }
