"""Needs assessments (category from the rules kept as data).

Revision ID: 0011_assessments
Revises: 0010_disclosure
Create Date: 2026-12-06 10:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011_assessments'
down_revision = '0010_disclosure'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('assessed_by', sa.String(length=36), nullable=True),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answers', sa.LargeBinary(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('rules_version', sa.String(length=64), nullable=False),
    sa.Column('basis', sa.LargeBinary(), nullable=False),
    sa.Column('category_override', sa.String(length=16), nullable=True),
    sa.Column('override_reason', sa.LargeBinary(), nullable=True),
    sa.Column('overridden_by', sa.String(length=36), nullable=True),
    sa.Column('overridden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessed_by'], ['staff_account.id'], name=op.f('fk_assessment_assessed_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_assessment_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_assessment_organisation_id_staff_organisation')),
    sa.ForeignKeyConstraint(['overridden_by'], ['staff_account.id'], name=op.f('fk_assessment_overridden_by_staff_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment'))
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_client_id_assessed_at', ['client_id', 'assessed_at'], unique=False)
        batch_op.create_index('ix_assessment_organisation_id_assessed_at', ['organisation_id', 'assessed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_organisation_id_assessed_at')
        batch_op.drop_index('ix_assessment_client_id_assessed_at')

    op.drop_table('assessment')
