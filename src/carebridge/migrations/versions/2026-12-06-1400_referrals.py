"""Referrals, their history, and appointments

Revision ID: 0015_referrals
Revises: 0014_risk
Create Date: 2026-12-06 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015_referrals'
down_revision = '0014_risk'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referral',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('referring_organisation_id', sa.String(length=36), nullable=False),
    sa.Column('referring_team_id', sa.String(length=36), nullable=True),
    sa.Column('referred_by', sa.String(length=36), nullable=True),
    sa.Column('service_at_location_id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('directory_organization_id', sa.String(length=64), nullable=True),
    sa.Column('service_name', sa.Text(), nullable=False),
    sa.Column('organization_name', sa.Text(), nullable=False),
    sa.Column('receiving_organisation_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=32), nullable=True),
    sa.Column('shared_fields', sa.String(length=200), nullable=False),
    sa.Column('shared', sa.LargeBinary(), nullable=True),
    sa.Column('details', sa.LargeBinary(), nullable=True),
    sa.Column('outcome', sa.LargeBinary(), nullable=True),
    sa.Column('contact_prohibited', sa.Boolean(), nullable=False),
    sa.Column('consent_id', sa.String(length=36), nullable=True),
    sa.Column('consent_override', sa.Boolean(), nullable=False),
    sa.Column('override_reason', sa.LargeBinary(), nullable=True),
    sa.Column('override_seen_by', sa.String(length=36), nullable=True),
    sa.Column('override_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fictional', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_referral_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['override_seen_by'], ['staff_account.id'], name=op.f('fk_referral_override_seen_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['receiving_organisation_id'], ['staff_organisation.id'], name=op.f('fk_referral_receiving_organisation_id_staff_organisation')),
    sa.ForeignKeyConstraint(['referred_by'], ['staff_account.id'], name=op.f('fk_referral_referred_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referring_organisation_id'], ['staff_organisation.id'], name=op.f('fk_referral_referring_organisation_id_staff_organisation')),
    sa.ForeignKeyConstraint(['referring_team_id'], ['staff_team.id'], name=op.f('fk_referral_referring_team_id_staff_team'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_directory_organization_id'), ['directory_organization_id'], unique=False)
        batch_op.create_index('ix_referral_receiving_organisation_id_status_requested_at', ['receiving_organisation_id', 'status', 'requested_at'], unique=False)
        batch_op.create_index('ix_referral_referring_organisation_id_status', ['referring_organisation_id', 'status'], unique=False)
        batch_op.create_index('ix_referral_status_requested_at', ['status', 'requested_at'], unique=False)

    op.create_table('appointment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('referral_id', sa.String(length=36), nullable=True),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('modality', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('interpreter_needed', sa.Boolean(), nullable=False),
    sa.Column('details', sa.LargeBinary(), nullable=True),
    sa.Column('video_link', sa.LargeBinary(), nullable=True),
    sa.Column('fictional', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_appointment_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_appointment_created_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_appointment_organisation_id_staff_organisation')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_appointment_referral_id_referral'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_client_id_starts_at', ['client_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_appointment_organisation_id_starts_at', ['organisation_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_referral_id'), ['referral_id'], unique=False)

    op.create_table('referral_event',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('referral_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('party', sa.String(length=16), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('note', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_referral_event_account_id_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_event_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_event'))
    )
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.create_index('ix_referral_event_referral_id_at', ['referral_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_event_referral_id_at')

    op.drop_table('referral_event')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_referral_id'))
        batch_op.drop_index('ix_appointment_organisation_id_starts_at')
        batch_op.drop_index('ix_appointment_client_id_starts_at')

    op.drop_table('appointment')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_status_requested_at')
        batch_op.drop_index('ix_referral_referring_organisation_id_status')
        batch_op.drop_index('ix_referral_receiving_organisation_id_status_requested_at')
        batch_op.drop_index(batch_op.f('ix_referral_directory_organization_id'))
        batch_op.drop_index(batch_op.f('ix_referral_client_id'))

    op.drop_table('referral')
