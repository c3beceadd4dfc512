"""Volunteers and network families, matches.

Revision ID: 0019_volunteers
Revises: 0018_prescribing
Create Date: 2026-12-06 14:00:00
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0019_volunteers'
down_revision = '0018_prescribing'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: the volunteers work fills this in


def downgrade() -> None:
    pass
