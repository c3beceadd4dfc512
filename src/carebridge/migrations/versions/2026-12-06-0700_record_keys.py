"""Per-person data keys (record_key), wrapped by keys outside the database; an audit index for "who has seen my record".

Revision ID: 0007_record_keys
Revises: 0006_jobs
Create Date: 2026-12-06 07:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007_record_keys'
down_revision = '0006_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('record_key',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.String(length=36), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.Column('kek_id', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_key')),
    sa.UniqueConstraint('subject_type', 'subject_id', name='uq_record_key_subject_type_subject_id')
    )
    with op.batch_alter_table('record_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_key_kek_id'), ['kek_id'], unique=False)

    # Plain op.create_index, not batch mode: a batch that rebuilt audit_event on SQLite would drop its triggers.
    op.create_index('ix_audit_event_record_type_record_id_seq', 'audit_event', ['record_type', 'record_id', 'seq'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_event_record_type_record_id_seq', table_name='audit_event')

    with op.batch_alter_table('record_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_key_kek_id'))

    op.drop_table('record_key')
