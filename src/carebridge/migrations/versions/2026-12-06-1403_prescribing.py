"""Social prescribing: what matters, wellbeing measures.

Revision ID: 0018_prescribing
Revises: 0017_reminders
Create Date: 2026-12-06 14:00:00
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0018_prescribing'
down_revision = '0017_reminders'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: the prescribing work fills this in


def downgrade() -> None:
    pass
