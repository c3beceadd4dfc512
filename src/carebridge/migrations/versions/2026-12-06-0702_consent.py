"""Consent per purpose, with how it was given and the explanation's version.

Revision ID: 0009_consent
Revises: 0008_clients
Create Date: 2026-12-06 07:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009_consent'
down_revision = '0008_clients'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('consent',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('staff_organisation_id', sa.String(length=36), nullable=True),
    sa.Column('directory_organization_id', sa.String(length=64), nullable=True),
    sa.Column('channel_id', sa.String(length=36), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('interpreter_language', sa.String(length=35), nullable=True),
    sa.Column('explanation_version', sa.String(length=16), nullable=False),
    sa.Column('explanation_language', sa.String(length=35), nullable=False),
    sa.Column('recorded_by', sa.String(length=36), nullable=True),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['client_contact_channel.id'], name=op.f('fk_consent_channel_id_client_contact_channel'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_consent_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['staff_account.id'], name=op.f('fk_consent_recorded_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['staff_organisation_id'], ['staff_organisation.id'], name=op.f('fk_consent_staff_organisation_id_staff_organisation')),
    sa.ForeignKeyConstraint(['withdrawn_by'], ['staff_account.id'], name=op.f('fk_consent_withdrawn_by_staff_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent'))
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index('ix_consent_client_id_purpose', ['client_id', 'purpose'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_client_id_purpose')

    op.drop_table('consent')
