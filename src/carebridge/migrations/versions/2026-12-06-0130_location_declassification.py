"""Record every declassified location: `carebridge directory declassify` is the only way a confidential location
becomes public, and each use leaves a row (location id, reason, when).

Revision ID: 0002_declassification
Revises: 0001_directory
Create Date: 2026-12-06 01:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0002_declassification'
down_revision = '0001_directory'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('location_declassification',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('declassified_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location_declassification'))
    )
    op.create_index(op.f('ix_location_declassification_location_id'), 'location_declassification', ['location_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_location_declassification_location_id'), table_name='location_declassification')
    op.drop_table('location_declassification')
