"""Social prescribing: what matters, wellbeing measures.

Revision ID: 0018_prescribing
Revises: 0017_reminders
Create Date: 2026-12-06 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0018_prescribing'
down_revision = '0017_reminders'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('prescribing_wellbeing',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('life_satisfaction', sa.SmallInteger(), nullable=False),
    sa.Column('worthwhile', sa.SmallInteger(), nullable=False),
    sa.Column('happiness', sa.SmallInteger(), nullable=False),
    sa.Column('anxiety', sa.SmallInteger(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage IN ('start', 'follow-up')", name=op.f('ck_prescribing_wellbeing_stage')),
    sa.CheckConstraint('life_satisfaction BETWEEN 0 AND 10 AND worthwhile BETWEEN 0 AND 10 AND happiness BETWEEN 0 AND 10 AND anxiety BETWEEN 0 AND 10', name=op.f('ck_prescribing_wellbeing_scores')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_prescribing_wellbeing_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_prescribing_wellbeing_created_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_prescribing_wellbeing_organisation_id_staff_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prescribing_wellbeing'))
    )
    with op.batch_alter_table('prescribing_wellbeing', schema=None) as batch_op:
        batch_op.create_index('ix_prescribing_wellbeing_client_id_taken_on', ['client_id', 'taken_on'], unique=False)

    op.create_table('prescribing_conversation',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('details', sa.LargeBinary(), nullable=False),
    sa.Column('goal_id', sa.String(length=36), nullable=True),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_prescribing_conversation_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_prescribing_conversation_created_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goal.id'], name=op.f('fk_prescribing_conversation_goal_id_plan_goal'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_prescribing_conversation_organisation_id_staff_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prescribing_conversation'))
    )
    with op.batch_alter_table('prescribing_conversation', schema=None) as batch_op:
        batch_op.create_index('ix_prescribing_conversation_client_id_held_on', ['client_id', 'held_on'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('prescribing_conversation', schema=None) as batch_op:
        batch_op.drop_index('ix_prescribing_conversation_client_id_held_on')

    op.drop_table('prescribing_conversation')
    with op.batch_alter_table('prescribing_wellbeing', schema=None) as batch_op:
        batch_op.drop_index('ix_prescribing_wellbeing_client_id_taken_on')

    op.drop_table('prescribing_wellbeing')
