"""Risk flags and who is on duty.

Revision ID: 0014_risk
Revises: 0013_screening
Create Date: 2026-12-06 10:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0014_risk'
down_revision = '0013_screening'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('risk_flag',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('screening_id', sa.String(length=36), nullable=True),
    sa.Column('details', sa.LargeBinary(), nullable=True),
    sa.Column('raised_by', sa.String(length=36), nullable=True),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_to', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=36), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=24), nullable=True),
    sa.Column('outcome_notes', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_to'], ['staff_account.id'], name=op.f('fk_risk_flag_assigned_to_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_risk_flag_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by'], ['staff_account.id'], name=op.f('fk_risk_flag_closed_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_risk_flag_organisation_id_staff_organisation')),
    sa.ForeignKeyConstraint(['raised_by'], ['staff_account.id'], name=op.f('fk_risk_flag_raised_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['screening_id'], ['screening.id'], name=op.f('fk_risk_flag_screening_id_screening'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flag'))
    )
    with op.batch_alter_table('risk_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_flag_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_risk_flag_organisation_id_status_due_at', ['organisation_id', 'status', 'due_at'], unique=False)

    op.create_table('risk_duty',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_risk_duty_account_id_staff_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_risk_duty_created_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_risk_duty_organisation_id_staff_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_duty')),
    sa.UniqueConstraint('organisation_id', 'day', 'account_id', name='uq_risk_duty_organisation_id_day_account_id')
    )
    with op.batch_alter_table('risk_duty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_duty_day'), ['day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('risk_duty', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_duty_day'))

    op.drop_table('risk_duty')

    with op.batch_alter_table('risk_flag', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_flag_organisation_id_status_due_at')
        batch_op.drop_index(batch_op.f('ix_risk_flag_client_id'))

    op.drop_table('risk_flag')
