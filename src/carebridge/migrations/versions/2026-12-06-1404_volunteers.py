"""Volunteers and network families, matches.

Revision ID: 0019_volunteers
Revises: 0018_prescribing
Create Date: 2026-12-06 14:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0019_volunteers'
down_revision = '0018_prescribing'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('volunteer',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('details', sa.LargeBinary(), nullable=True),
    sa.Column('languages', sa.String(length=400), nullable=False),
    sa.Column('area', sa.String(length=100), nullable=False),
    sa.Column('interests', sa.String(length=400), nullable=False),
    sa.Column('check_on', sa.Date(), nullable=True),
    sa.Column('check_expires_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('max_matches', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_volunteer_account_id_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_volunteer_created_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_volunteer_organisation_id_staff_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer')),
    sa.UniqueConstraint('account_id', name=op.f('uq_volunteer_account_id'))
    )
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('volunteer_exclusion',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('volunteer_id', sa.String(length=36), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_volunteer_exclusion_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_volunteer_exclusion_created_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_volunteer_exclusion_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_exclusion')),
    sa.UniqueConstraint('client_id', 'volunteer_id', name=op.f('uq_volunteer_exclusion_client_id'))
    )
    with op.batch_alter_table('volunteer_exclusion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_exclusion_client_id'), ['client_id'], unique=False)

    op.create_table('volunteer_match',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('volunteer_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('shared', sa.LargeBinary(), nullable=False),
    sa.Column('person_agreed', sa.Boolean(), nullable=False),
    sa.Column('agreed_how', sa.String(length=16), nullable=False),
    sa.Column('agreed_recorded_by', sa.String(length=36), nullable=True),
    sa.Column('proposed_by', sa.String(length=36), nullable=True),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=36), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.String(length=32), nullable=True),
    sa.Column('ended_by', sa.String(length=36), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreed_recorded_by'], ['staff_account.id'], name=op.f('fk_volunteer_match_agreed_recorded_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answered_by'], ['staff_account.id'], name=op.f('fk_volunteer_match_answered_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_volunteer_match_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ended_by'], ['staff_account.id'], name=op.f('fk_volunteer_match_ended_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_volunteer_match_organisation_id_staff_organisation')),
    sa.ForeignKeyConstraint(['proposed_by'], ['staff_account.id'], name=op.f('fk_volunteer_match_proposed_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_volunteer_match_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_match'))
    )
    with op.batch_alter_table('volunteer_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_match_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_match_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_volunteer_match_volunteer_id_status', ['volunteer_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('volunteer_match', schema=None) as batch_op:
        batch_op.drop_index('ix_volunteer_match_volunteer_id_status')
        batch_op.drop_index(batch_op.f('ix_volunteer_match_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_match_client_id'))

    op.drop_table('volunteer_match')
    with op.batch_alter_table('volunteer_exclusion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_exclusion_client_id'))

    op.drop_table('volunteer_exclusion')
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_organisation_id'))

    op.drop_table('volunteer')
