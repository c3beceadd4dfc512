"""Each person's data key, wrapped (encrypted) by a key-encryption key that lives outside the database (keys.keyring).

One row per subject: a person's record (`client`) or a register entry (`disclosure_request`). Destroying the row is
crypto-shredding: every value sealed with that key — in this database, its replicas and its backups — can no longer
be read once the key-encryption keys those copies were wrapped under are retired (docs/firewall.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id


class RecordKey(Base):
    __tablename__ = "record_key"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", name="uq_record_key_subject_type_subject_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(36))
    # kit.crypto format: the data key encrypted by a key-encryption key, bound to (record_key, subject_type, id).
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    # Hex id of the key-encryption key that wrapped it: what `carebridge keys rotate` moves and `retire` counts.
    kek_id: Mapped[str] = mapped_column(String(8), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
