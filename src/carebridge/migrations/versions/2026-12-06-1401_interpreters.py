"""Interpreters and cultural mediators, their bookings.

Revision ID: 0016_interpreters
Revises: 0015_referrals
Create Date: 2026-12-06 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016_interpreters'
down_revision = '0015_referrals'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('interpreting_request',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('modality', sa.String(length=16), nullable=False),
    sa.Column('wanted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_interpreting_request_organisation_id_staff_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreting_request'))
    )
    with op.batch_alter_table('interpreting_request', schema=None) as batch_op:
        batch_op.create_index('ix_interpreting_request_organisation_id_wanted_at', ['organisation_id', 'wanted_at'], unique=False)

    op.create_table('interpreter',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('identity', sa.LargeBinary(), nullable=True),
    sa.Column('gender', sa.String(length=16), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('macros', sa.String(length=200), nullable=False),
    sa.Column('modalities', sa.JSON(), nullable=False),
    sa.Column('areas', sa.JSON(), nullable=False),
    sa.Column('availability', sa.JSON(), nullable=False),
    sa.Column('accreditation_body', sa.String(length=120), nullable=True),
    sa.Column('accreditation_level', sa.String(length=60), nullable=True),
    sa.Column('accreditation_expires', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('fictional', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_interpreter_account_id_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_interpreter_organisation_id_staff_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreter')),
    sa.UniqueConstraint('account_id', name=op.f('uq_interpreter_account_id'))
    )
    with op.batch_alter_table('interpreter', schema=None) as batch_op:
        batch_op.create_index('ix_interpreter_organisation_id_active', ['organisation_id', 'active'], unique=False)

    op.create_table('interpreter_exclusion',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('interpreter_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.LargeBinary(), nullable=True),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_interpreter_exclusion_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_interpreter_exclusion_created_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreter.id'], name=op.f('fk_interpreter_exclusion_interpreter_id_interpreter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreter_exclusion')),
    sa.UniqueConstraint('client_id', 'interpreter_id', name='uq_interpreter_exclusion_client_id_interpreter_id')
    )
    with op.batch_alter_table('interpreter_exclusion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreter_exclusion_client_id'), ['client_id'], unique=False)

    op.create_table('interpreter_booking',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('interpreter_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('appointment_id', sa.String(length=36), nullable=True),
    sa.Column('referral_id', sa.String(length=36), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('modality', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('unaccredited_allowed', sa.Boolean(), nullable=False),
    sa.Column('details', sa.LargeBinary(), nullable=True),
    sa.Column('video_link', sa.LargeBinary(), nullable=True),
    sa.Column('booked_by', sa.String(length=36), nullable=True),
    sa.Column('answered_by', sa.String(length=36), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fictional', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answered_by'], ['staff_account.id'], name=op.f('fk_interpreter_booking_answered_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_interpreter_booking_appointment_id_appointment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['booked_by'], ['staff_account.id'], name=op.f('fk_interpreter_booking_booked_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_interpreter_booking_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreter.id'], name=op.f('fk_interpreter_booking_interpreter_id_interpreter'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_interpreter_booking_organisation_id_staff_organisation')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_interpreter_booking_referral_id_referral'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreter_booking'))
    )
    with op.batch_alter_table('interpreter_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreter_booking_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interpreter_booking_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_interpreter_booking_interpreter_id_starts_at', ['interpreter_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_interpreter_booking_organisation_id_starts_at', ['organisation_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interpreter_booking_referral_id'), ['referral_id'], unique=False)

    op.create_table('interpreter_booking_slot',
    sa.Column('interpreter_id', sa.String(length=36), nullable=False),
    sa.Column('slot_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('booking_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['interpreter_booking.id'], name=op.f('fk_interpreter_booking_slot_booking_id_interpreter_booking'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreter.id'], name=op.f('fk_interpreter_booking_slot_interpreter_id_interpreter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('interpreter_id', 'slot_start', name=op.f('pk_interpreter_booking_slot'))
    )
    with op.batch_alter_table('interpreter_booking_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreter_booking_slot_booking_id'), ['booking_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('interpreter_booking_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreter_booking_slot_booking_id'))

    op.drop_table('interpreter_booking_slot')
    with op.batch_alter_table('interpreter_booking', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreter_booking_referral_id'))
        batch_op.drop_index('ix_interpreter_booking_organisation_id_starts_at')
        batch_op.drop_index('ix_interpreter_booking_interpreter_id_starts_at')
        batch_op.drop_index(batch_op.f('ix_interpreter_booking_client_id'))
        batch_op.drop_index(batch_op.f('ix_interpreter_booking_appointment_id'))

    op.drop_table('interpreter_booking')
    with op.batch_alter_table('interpreter_exclusion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreter_exclusion_client_id'))

    op.drop_table('interpreter_exclusion')
    with op.batch_alter_table('interpreter', schema=None) as batch_op:
        batch_op.drop_index('ix_interpreter_organisation_id_active')

    op.drop_table('interpreter')
    with op.batch_alter_table('interpreting_request', schema=None) as batch_op:
        batch_op.drop_index('ix_interpreting_request_organisation_id_wanted_at')

    op.drop_table('interpreting_request')
