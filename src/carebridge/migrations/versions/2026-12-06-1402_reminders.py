"""Reminders: preferences, sent reminders, inbound messages.

Revision ID: 0017_reminders
Revises: 0016_interpreters
Create Date: 2026-12-06 14:00:00
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0017_reminders'
down_revision = '0016_interpreters'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: the reminders work fills this in


def downgrade() -> None:
    pass
