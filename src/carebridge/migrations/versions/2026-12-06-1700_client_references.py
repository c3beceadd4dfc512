"""A person's reference numbers elsewhere, sealed, with a blind index for exact-match lookup.

Revision ID: 0020_client_references
Revises: 0019_volunteers
Create Date: 2026-12-06 17:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0020_client_references'
down_revision = '0019_volunteers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('client_reference',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('value', sa.LargeBinary(), nullable=False),
    sa.Column('lookup_index', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_reference_client_id_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_reference'))
    )
    with op.batch_alter_table('client_reference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_reference_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_reference_lookup_index'), ['lookup_index'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('client_reference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_reference_lookup_index'))
        batch_op.drop_index(batch_op.f('ix_client_reference_client_id'))
    op.drop_table('client_reference')
