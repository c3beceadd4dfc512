"""app_state: small named facts about the installation (which demo data is loaded, at which revision).

Revision ID: 0003_app_state
Revises: 0002_declassification
Create Date: 2026-12-06 01:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003_app_state'
down_revision = '0002_declassification'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_state',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_app_state'))
    )


def downgrade() -> None:
    op.drop_table('app_state')
