"""The register of disclosure requests received from outside (two administrators act on each).

Revision ID: 0010_disclosure
Revises: 0009_consent
Create Date: 2026-12-06 07:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010_disclosure'
down_revision = '0009_consent'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('disclosure_request',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('requester_kind', sa.String(length=32), nullable=False),
    sa.Column('details', sa.LargeBinary(), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=True),
    sa.Column('bulk', sa.Boolean(), nullable=False),
    sa.Column('court_order_forbids_telling', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.String(length=36), nullable=True),
    sa.Column('proposed_decision', sa.String(length=16), nullable=True),
    sa.Column('proposed_by', sa.String(length=36), nullable=True),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('proposal_reason', sa.LargeBinary(), nullable=True),
    sa.Column('decided_by', sa.String(length=36), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('person_told_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('person_told_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['staff_account.id'], name=op.f('fk_disclosure_request_decided_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_disclosure_request_organisation_id_staff_organisation')),
    sa.ForeignKeyConstraint(['person_told_by'], ['staff_account.id'], name=op.f('fk_disclosure_request_person_told_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by'], ['staff_account.id'], name=op.f('fk_disclosure_request_proposed_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['received_by'], ['staff_account.id'], name=op.f('fk_disclosure_request_received_by_staff_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_request'))
    )
    with op.batch_alter_table('disclosure_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_request_organisation_id'), ['organisation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('disclosure_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_request_organisation_id'))

    op.drop_table('disclosure_request')
