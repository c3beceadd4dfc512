"""Staff organisations, teams, accounts, roles, sessions, recovery codes, sign-in attempts, break-the-glass grants.

Revision ID: 0004_accounts
Revises: 0003_app_state
Create Date: 2026-12-06 04:00:08.434130
"""

from alembic import op
import sqlalchemy as sa


revision = '0004_accounts'
down_revision = '0003_app_state'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_organisation',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('directory_organization_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_staff_organisation_name'))
    )
    with op.batch_alter_table('staff_organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_organisation_directory_organization_id'), ['directory_organization_id'], unique=False)

    op.create_table('staff_sign_in_attempt',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('email_key', sa.String(length=64), nullable=False),
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sign_in_attempt'))
    )
    with op.batch_alter_table('staff_sign_in_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_staff_sign_in_attempt_address_key_at', ['address_key', 'at'], unique=False)
        batch_op.create_index('ix_staff_sign_in_attempt_email_key_at', ['email_key', 'at'], unique=False)

    op.create_table('staff_account',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('email_key', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('totp_secret', sa.LargeBinary(), nullable=True),
    sa.Column('totp_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_staff_account_organisation_id_staff_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_account')),
    sa.UniqueConstraint('email_key', name=op.f('uq_staff_account_email_key'))
    )
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_account_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('staff_team',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_staff_team_organisation_id_staff_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_team')),
    sa.UniqueConstraint('organisation_id', 'name', name='uq_staff_team_organisation_id_name')
    )
    with op.batch_alter_table('staff_team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_team_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('staff_break_glass_grant',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('record_type', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_staff_break_glass_grant_account_id_staff_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_staff_break_glass_grant_organisation_id_staff_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_break_glass_grant'))
    )
    with op.batch_alter_table('staff_break_glass_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_break_glass_grant_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_break_glass_grant_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('staff_recovery_code',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('code_hash', sa.String(length=200), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_staff_recovery_code_account_id_staff_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_recovery_code'))
    )
    with op.batch_alter_table('staff_recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_recovery_code_account_id'), ['account_id'], unique=False)

    op.create_table('staff_role',
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_staff_role_account_id_staff_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'role', name=op.f('pk_staff_role'))
    )
    op.create_table('staff_session',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('csrf_secret', sa.LargeBinary(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('second_factor_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_staff_session_account_id_staff_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_session_token_hash'))
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_account_id'), ['account_id'], unique=False)

    op.create_table('staff_team_membership',
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('team_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_staff_team_membership_account_id_staff_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['staff_team.id'], name=op.f('fk_staff_team_membership_team_id_staff_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'team_id', name=op.f('pk_staff_team_membership'))
    )
    with op.batch_alter_table('staff_team_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_team_membership_team_id'), ['team_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('staff_team_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_team_membership_team_id'))

    op.drop_table('staff_team_membership')
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_account_id'))

    op.drop_table('staff_session')
    op.drop_table('staff_role')
    with op.batch_alter_table('staff_recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_recovery_code_account_id'))

    op.drop_table('staff_recovery_code')
    with op.batch_alter_table('staff_break_glass_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_break_glass_grant_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_staff_break_glass_grant_account_id'))

    op.drop_table('staff_break_glass_grant')
    with op.batch_alter_table('staff_team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_team_organisation_id'))

    op.drop_table('staff_team')
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_account_organisation_id'))

    op.drop_table('staff_account')
    with op.batch_alter_table('staff_sign_in_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_sign_in_attempt_email_key_at')
        batch_op.drop_index('ix_staff_sign_in_attempt_address_key_at')

    op.drop_table('staff_sign_in_attempt')
    with op.batch_alter_table('staff_organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_organisation_directory_organization_id'))

    op.drop_table('staff_organisation')
