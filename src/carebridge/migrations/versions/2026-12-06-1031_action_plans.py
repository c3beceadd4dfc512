"""Action plans: goals and their steps.

Revision ID: 0012_plans
Revises: 0011_assessments
Create Date: 2026-12-06 10:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012_plans'
down_revision = '0011_assessments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plan_goal',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('domain', sa.String(length=32), nullable=False),
    sa.Column('text', sa.LargeBinary(), nullable=False),
    sa.Column('services', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('achieved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_plan_goal_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_plan_goal_created_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_plan_goal_organisation_id_staff_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_goal'))
    )
    with op.batch_alter_table('plan_goal', schema=None) as batch_op:
        batch_op.create_index('ix_plan_goal_client_id_status', ['client_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_goal_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('plan_step',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('goal_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('description', sa.LargeBinary(), nullable=False),
    sa.Column('who', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_plan_step_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goal.id'], name=op.f('fk_plan_step_goal_id_plan_goal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_step'))
    )
    with op.batch_alter_table('plan_step', schema=None) as batch_op:
        batch_op.create_index('ix_plan_step_client_id_status_due_on', ['client_id', 'status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_step_goal_id'), ['goal_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('plan_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_step_goal_id'))
        batch_op.drop_index('ix_plan_step_client_id_status_due_on')

    op.drop_table('plan_step')

    with op.batch_alter_table('plan_goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_goal_organisation_id'))
        batch_op.drop_index('ix_plan_goal_client_id_status')

    op.drop_table('plan_goal')
