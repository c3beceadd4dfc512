"""A court order that forbids telling the person (the gag) is decided by two administrators and has an end date.

Until now one checkbox, set by whoever recorded the request, hid it from the person. Entries that had it become
`claimed`: they are shown to the person until two administrators confirm the gag (docs/firewall.md).

Revision ID: 0021_disclosure_gag
Revises: 0020_client_references
Create Date: 2026-12-06 17:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0021_disclosure_gag'
down_revision = '0020_client_references'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('disclosure_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gag_status', sa.String(length=16), server_default='none', nullable=False))
        batch_op.add_column(sa.Column('court_order_reference', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('gag_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('gag_proposed_by', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('gag_proposed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('gag_confirmed_by', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('gag_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_disclosure_request_gag_proposed_by_staff_account'), 'staff_account', ['gag_proposed_by'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_disclosure_request_gag_confirmed_by_staff_account'), 'staff_account', ['gag_confirmed_by'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE disclosure_request SET gag_status = 'claimed' WHERE court_order_forbids_telling")
    with op.batch_alter_table('disclosure_request', schema=None) as batch_op:
        batch_op.drop_column('court_order_forbids_telling')


def downgrade() -> None:
    with op.batch_alter_table('disclosure_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('court_order_forbids_telling', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE disclosure_request SET court_order_forbids_telling = (gag_status <> 'none')")
    with op.batch_alter_table('disclosure_request', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_disclosure_request_gag_confirmed_by_staff_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_disclosure_request_gag_proposed_by_staff_account'), type_='foreignkey')
        batch_op.drop_column('gag_confirmed_at')
        batch_op.drop_column('gag_confirmed_by')
        batch_op.drop_column('gag_proposed_at')
        batch_op.drop_column('gag_proposed_by')
        batch_op.drop_column('gag_until')
        batch_op.drop_column('court_order_reference')
        batch_op.drop_column('gag_status')
