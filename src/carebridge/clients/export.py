"""The reference numbers in the person's copy of their record (rights.exporting). The record itself, its ways of
contact, notes and links are made by rights.service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carebridge.clients.models import ClientReference
from carebridge.rights.exporting import ExportContext, iso

TABLE = ClientReference.__tablename__


def export(context: ExportContext) -> dict[str, Any]:
    """Every reference number the person has elsewhere, oldest first: its kind, the number as typed and whose it is
    (the sealed value and label). The blind index (a hash) stays out."""
    rows = context.session.scalars(
        select(ClientReference)
        .where(ClientReference.client_id == context.client.id)
        .order_by(ClientReference.created_at, ClientReference.id)
    ).all()
    references = []
    for row in rows:
        sealed = context.key.open_json(TABLE, "value", row.id, row.value)
        references.append(
            {
                "id": row.id,
                "kind": row.kind,
                "value": sealed.get("value") or "",
                "label": sealed.get("label"),
                "created_at": iso(row.created_at),
            }
        )
    return {"reference_numbers": references}
