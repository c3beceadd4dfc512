"""People's records: the client, contact channels, notes, immigration situation, duplicate links (sealed columns).

Revision ID: 0008_clients
Revises: 0007_record_keys
Create Date: 2026-12-06 07:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008_clients'
down_revision = '0007_record_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('client',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('team_id', sa.String(length=36), nullable=True),
    sa.Column('owner_account_id', sa.String(length=36), nullable=True),
    sa.Column('jurisdiction', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('profile', sa.LargeBinary(), nullable=False),
    sa.Column('do_not_contact', sa.Boolean(), nullable=False),
    sa.Column('needs_attention', sa.Boolean(), nullable=False),
    sa.Column('name_birth_date_index', sa.String(length=64), nullable=True),
    sa.Column('fictional', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_contact_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erase_after', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retention_warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['staff_organisation.id'], name=op.f('fk_client_organisation_id_staff_organisation')),
    sa.ForeignKeyConstraint(['owner_account_id'], ['staff_account.id'], name=op.f('fk_client_owner_account_id_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['staff_team.id'], name=op.f('fk_client_team_id_staff_team'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client'))
    )
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_erase_after'), ['erase_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_name_birth_date_index'), ['name_birth_date_index'], unique=False)
        batch_op.create_index('ix_client_organisation_id_status', ['organisation_id', 'status'], unique=False)
        # The caseload's order, NULLS FIRST as its ORDER BY (carebridge.db leaves that out on SQLite).
        caseload_order = ['status', sa.text('last_contact_at NULLS FIRST'), 'created_at', 'id']
        batch_op.create_index('ix_client_caseload', caseload_order, unique=False)
        batch_op.create_index('ix_client_owner_caseload', ['owner_account_id', *caseload_order], unique=False)
        batch_op.create_index('ix_client_team_caseload', ['team_id', *caseload_order], unique=False)

    op.create_table('client_contact_channel',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.LargeBinary(), nullable=True),
    sa.Column('safe_times', sa.LargeBinary(), nullable=True),
    sa.Column('lookup_index', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_contact_channel_client_id_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_contact_channel'))
    )
    with op.batch_alter_table('client_contact_channel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_contact_channel_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_contact_channel_lookup_index'), ['lookup_index'], unique=False)

    op.create_table('client_note',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('author_account_id', sa.String(length=36), nullable=True),
    sa.Column('team_id', sa.String(length=36), nullable=True),
    sa.Column('sensitivity', sa.String(length=16), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_account_id'], ['staff_account.id'], name=op.f('fk_client_note_author_account_id_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_note_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['staff_team.id'], name=op.f('fk_client_note_team_id_staff_team'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_note'))
    )
    with op.batch_alter_table('client_note', schema=None) as batch_op:
        batch_op.create_index('ix_client_note_client_id_created_at', ['client_id', 'created_at'], unique=False)

    op.create_table('client_immigration_situation',
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('situation', sa.LargeBinary(), nullable=False),
    sa.Column('consent_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_by', sa.String(length=36), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_immigration_situation_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['staff_account.id'], name=op.f('fk_client_immigration_situation_recorded_by_staff_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_client_immigration_situation'))
    )

    op.create_table('client_link',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('other_client_id', sa.String(length=36), nullable=False),
    sa.Column('decision', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('decided_by', sa.String(length=36), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_link_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['staff_account.id'], name=op.f('fk_client_link_decided_by_staff_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['other_client_id'], ['client.id'], name=op.f('fk_client_link_other_client_id_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_link')),
    sa.UniqueConstraint('client_id', 'other_client_id', name='uq_client_link_client_id_other_client_id')
    )
    with op.batch_alter_table('client_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_link_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_link_other_client_id'), ['other_client_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('client_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_link_other_client_id'))
        batch_op.drop_index(batch_op.f('ix_client_link_client_id'))

    op.drop_table('client_link')

    op.drop_table('client_immigration_situation')

    with op.batch_alter_table('client_note', schema=None) as batch_op:
        batch_op.drop_index('ix_client_note_client_id_created_at')

    op.drop_table('client_note')

    with op.batch_alter_table('client_contact_channel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_contact_channel_lookup_index'))
        batch_op.drop_index(batch_op.f('ix_client_contact_channel_client_id'))

    op.drop_table('client_contact_channel')

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_index('ix_client_team_caseload')
        batch_op.drop_index('ix_client_owner_caseload')
        batch_op.drop_index('ix_client_caseload')
        batch_op.drop_index('ix_client_organisation_id_status')
        batch_op.drop_index(batch_op.f('ix_client_name_birth_date_index'))
        batch_op.drop_index(batch_op.f('ix_client_erase_after'))

    op.drop_table('client')
