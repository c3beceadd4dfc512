"""Validated screening and one-use self-screening links.

Revision ID: 0013_screening
Revises: 0012_plans
Create Date: 2026-12-06 10:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013_screening'
down_revision = '0012_plans'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screening',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('instrument', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('administered_by', sa.String(length=36), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=24), nullable=False),
    sa.Column('positive', sa.Boolean(), nullable=False),
    sa.Column('risk', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['administered_by'], ['staff_account.id'], name=op.f('fk_screening_administered_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_screening_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_screening_organisation_id_staff_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening'))
    )
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.create_index('ix_screening_client_id_instrument_completed_at', ['client_id', 'instrument', 'completed_at'], unique=False)
        batch_op.create_index('ix_screening_organisation_id_instrument_completed_at', ['organisation_id', 'instrument', 'completed_at'], unique=False)

    op.create_table('screening_link',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('instrument', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('screening_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_screening_link_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_screening_link_created_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_screening_link_organisation_id_staff_organisation')),
    sa.ForeignKeyConstraint(['screening_id'], ['screening.id'], name=op.f('fk_screening_link_screening_id_screening'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_screening_link_token_hash'))
    )
    with op.batch_alter_table('screening_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_link_client_id'), ['client_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('screening_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_link_client_id'))

    op.drop_table('screening_link')

    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_organisation_id_instrument_completed_at')
        batch_op.drop_index('ix_screening_client_id_instrument_completed_at')

    op.drop_table('screening')
