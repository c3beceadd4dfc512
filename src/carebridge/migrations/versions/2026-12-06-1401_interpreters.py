"""Interpreters and cultural mediators, their bookings.

Revision ID: 0016_interpreters
Revises: 0015_referrals
Create Date: 2026-12-06 14:00:00
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0016_interpreters'
down_revision = '0015_referrals'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: the interpreters work fills this in


def downgrade() -> None:
    pass
