"""Background jobs (the job table) and notifications (what was sent, and the development SMS outbox).

Revision ID: 0006_jobs
Revises: 0005_audit
Create Date: 2026-12-06 04:10:38.696916
"""

from alembic import op
import sqlalchemy as sa


revision = '0006_jobs'
down_revision = '0005_audit'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_by', sa.String(length=100), nullable=True),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=100), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_job_idempotency_key'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_state_run_at', ['state', 'run_at'], unique=False)

    op.create_table('notification_sent',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_sent')),
    sa.UniqueConstraint('job_id', name=op.f('uq_notification_sent_job_id'))
    )
    with op.batch_alter_table('notification_sent', schema=None) as batch_op:
        batch_op.create_index('ix_notification_sent_account_id_reason_sent_at', ['account_id', 'reason', 'sent_at'], unique=False)

    op.create_table('sms_outbox',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('to', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_outbox'))
    )


def downgrade() -> None:
    op.drop_table('sms_outbox')
    with op.batch_alter_table('notification_sent', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_sent_account_id_reason_sent_at')

    op.drop_table('notification_sent')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_state_run_at')

    op.drop_table('job')
