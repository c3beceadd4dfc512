"""The audit trail: audit_event (N parallel hash chains, "stripes"), append-only (triggers refuse UPDATE and DELETE, and TRUNCATE on PostgreSQL).

A later migration that alters audit_event on SQLite with batch_alter_table (which copies the table) drops these
triggers with the old table: it must create them again (see upgrade below).

Revision ID: 0005_audit
Revises: 0004_accounts
Create Date: 2026-12-06 04:10:40.083893
"""

from alembic import op
import sqlalchemy as sa


revision = '0005_audit'
down_revision = '0004_accounts'
branch_labels = None
depends_on = None

MESSAGE = "audit_event is append-only"

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
    f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
)
POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$""",
    "CREATE TRIGGER audit_event_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()",
)


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('stripe', sa.SmallInteger(), nullable=False),
    sa.Column('stripe_seq', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('record_type', sa.String(length=32), nullable=True),
    sa.Column('record_id', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_event')),
    sa.UniqueConstraint('stripe', 'stripe_seq', name='uq_audit_event_stripe_stripe_seq')
    )
    op.create_index('ix_audit_event_account_id_seq', 'audit_event', ['account_id', 'seq'], unique=False)
    op.create_index('ix_audit_event_organisation_id_seq', 'audit_event', ['organisation_id', 'seq'], unique=False)
    statements = POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update_or_delete ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    op.drop_index('ix_audit_event_organisation_id_seq', table_name='audit_event')
    op.drop_index('ix_audit_event_account_id_seq', table_name='audit_event')
    op.drop_table('audit_event')
