"""Reminders: preferences, sent reminders, inbound messages.

Revision ID: 0017_reminders
Revises: 0016_interpreters
Create Date: 2026-12-06 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0017_reminders'
down_revision = '0016_interpreters'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbound_seen',
    sa.Column('message_hash', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_hash', name=op.f('pk_inbound_seen'))
    )
    with op.batch_alter_table('inbound_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_seen_received_at'), ['received_at'], unique=False)

    op.create_table('reminder_sender',
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_reminder_sender_organisation_id_staff_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['staff_account.id'], name=op.f('fk_reminder_sender_updated_by_staff_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_reminder_sender'))
    )
    op.create_table('inbound_message',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('channel_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('text', sa.LargeBinary(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['client_contact_channel.id'], name=op.f('fk_inbound_message_channel_id_client_contact_channel'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_inbound_message_client_id_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_message'))
    )
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_message_client_id_received_at', ['client_id', 'received_at'], unique=False)

    op.create_table('reminder_preference',
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('channel_id', sa.String(length=36), nullable=True),
    sa.Column('with_details', sa.Boolean(), nullable=False),
    sa.Column('safe_window', sa.LargeBinary(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['client_contact_channel.id'], name=op.f('fk_reminder_preference_channel_id_client_contact_channel'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_reminder_preference_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['staff_account.id'], name=op.f('fk_reminder_preference_updated_by_staff_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_reminder_preference'))
    )
    with op.batch_alter_table('reminder_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_preference_channel_id'), ['channel_id'], unique=False)

    op.create_table('reminder',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('appointment_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('channel_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('job_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_reminder_appointment_id_appointment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['channel_id'], ['client_contact_channel.id'], name=op.f('fk_reminder_channel_id_client_contact_channel'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_reminder_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_reminder_organisation_id_staff_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_reminder_state_due_at', ['state', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_state_due_at')
        batch_op.drop_index(batch_op.f('ix_reminder_client_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_appointment_id'))

    op.drop_table('reminder')
    with op.batch_alter_table('reminder_preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_preference_channel_id'))

    op.drop_table('reminder_preference')
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_message_client_id_received_at')

    op.drop_table('inbound_message')
    op.drop_table('reminder_sender')
    with op.batch_alter_table('inbound_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_seen_received_at'))

    op.drop_table('inbound_seen')
