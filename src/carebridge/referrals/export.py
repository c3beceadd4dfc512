"""The referrals in the person's copy of their record, with their history and outcome (rights.exporting)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carebridge.referrals.models import Referral, ReferralEvent
from carebridge.rights.exporting import ExportContext, iso

TABLE = Referral.__tablename__
EVENT_TABLE = ReferralEvent.__tablename__


def export(context: ExportContext) -> dict[str, Any]:
    """Every referral, oldest first: the service and organisation (public directory names), its state, what was
    shared with the service, the referrer's words, the outcome, and each move with the words given with it."""
    key = context.key
    referrals = context.session.scalars(
        select(Referral).where(Referral.client_id == context.client.id).order_by(Referral.created_at, Referral.id)
    ).all()
    events = context.session.scalars(
        select(ReferralEvent)
        .where(ReferralEvent.referral_id.in_([referral.id for referral in referrals]))
        .order_by(ReferralEvent.at, ReferralEvent.id)
    ).all() if referrals else []
    by_referral: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_referral.setdefault(event.referral_id, []).append({
            "at": iso(event.at),
            "party": event.party,
            "by": context.staff(event.account_id),
            "from_status": event.from_status,
            "to_status": event.to_status,
            "reason": event.reason,
            "note": key.open_text(EVENT_TABLE, "note", event.id, event.note),
        })

    def opened(referral: Referral, column: str) -> Any:
        stored = getattr(referral, column)
        return key.open_json(TABLE, column, referral.id, stored) if stored is not None else None

    return {
        "referrals": [
            {
                "id": referral.id,
                "kind": referral.kind,
                "service_name": referral.service_name,
                "organization_name": referral.organization_name,
                "status": referral.status,
                "priority": referral.priority,
                "status_reason": referral.status_reason,
                "referred_by": context.staff(referral.referred_by),
                "shared_fields": [name for name in referral.shared_fields.split(",") if name],
                "shared": opened(referral, "shared"),
                "details": opened(referral, "details"),
                "outcome": key.open_text(TABLE, "outcome", referral.id, referral.outcome),
                "contact_prohibited": referral.contact_prohibited,
                "consent_override": referral.consent_override,
                "override_reason": key.open_text(TABLE, "override_reason", referral.id, referral.override_reason),
                "created_at": iso(referral.created_at),
                "requested_at": iso(referral.requested_at),
                "answered_at": iso(referral.answered_at),
                "closed_at": iso(referral.closed_at),
                "events": by_referral.get(referral.id, []),
            }
            for referral in referrals
        ]
    }
