"""Create the service directory: the HSDS 3.1 tables, the gazetteer and the revision counter.

Revision ID: 0001_directory
Revises: 
Create Date: 2026-11-22 10:38:16.194116
"""

from alembic import op
import sqlalchemy as sa


revision = '0001_directory'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('directory_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_revision'))
    )
    op.bulk_insert(
        sa.table("directory_revision", sa.column("id", sa.Integer), sa.column("revision", sa.Integer)),
        [{"id": 1, "revision": 0}],
    )
    op.create_table('gazetteer_place',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('normalized_name', sa.String(length=128), nullable=False),
    sa.Column('area', sa.Text(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gazetteer_place')),
    sa.UniqueConstraint('normalized_name', name=op.f('uq_gazetteer_place_normalized_name'))
    )
    op.create_table('metadata',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=False),
    sa.Column('resource_type', sa.String(length=64), nullable=False),
    sa.Column('last_action_date', sa.String(length=32), nullable=False),
    sa.Column('last_action_type', sa.Text(), nullable=False),
    sa.Column('field_name', sa.Text(), nullable=False),
    sa.Column('previous_value', sa.Text(), nullable=False),
    sa.Column('replacement_value', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metadata'))
    )
    with op.batch_alter_table('metadata', schema=None) as batch_op:
        batch_op.create_index('ix_metadata_resource', ['resource_type', 'resource_id'], unique=False)

    op.create_table('organization',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('alternate_name', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('website', sa.Text(), nullable=True),
    sa.Column('tax_status', sa.Text(), nullable=True),
    sa.Column('tax_id', sa.Text(), nullable=True),
    sa.Column('year_incorporated', sa.Integer(), nullable=True),
    sa.Column('legal_status', sa.Text(), nullable=True),
    sa.Column('logo', sa.Text(), nullable=True),
    sa.Column('uri', sa.Text(), nullable=True),
    sa.Column('parent_organization_id', sa.String(length=64), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization'))
    )
    op.create_table('taxonomy',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('uri', sa.Text(), nullable=True),
    sa.Column('version', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy'))
    )
    op.create_table('location',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('location_type', sa.String(length=16), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('organization_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('alternate_name', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('transportation', sa.Text(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('external_identifier', sa.Text(), nullable=True),
    sa.Column('external_identifier_type', sa.Text(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_location_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location'))
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_organization_id'), ['organization_id'], unique=False)

    op.create_table('service',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=64), nullable=True),
    sa.Column('program_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('alternate_name', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('interpretation_services', sa.Text(), nullable=True),
    sa.Column('application_process', sa.Text(), nullable=True),
    sa.Column('fees_description', sa.Text(), nullable=True),
    sa.Column('wait_time', sa.Text(), nullable=True),
    sa.Column('fees', sa.Text(), nullable=True),
    sa.Column('accreditations', sa.Text(), nullable=True),
    sa.Column('eligibility_description', sa.Text(), nullable=True),
    sa.Column('minimum_age', sa.Float(), nullable=True),
    sa.Column('maximum_age', sa.Float(), nullable=True),
    sa.Column('assured_date', sa.Date(), nullable=True),
    sa.Column('assurer_email', sa.String(length=320), nullable=True),
    sa.Column('licenses', sa.Text(), nullable=True),
    sa.Column('alert', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.DateTime(timezone=True), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_service_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service'))
    )
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_last_modified'), ['last_modified'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_updated_at'), ['updated_at'], unique=False)

    op.create_table('taxonomy_term',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=128), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('parent_id', sa.String(length=64), nullable=True),
    sa.Column('taxonomy', sa.Text(), nullable=True),
    sa.Column('taxonomy_id', sa.String(length=64), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('term_uri', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['taxonomy_id'], ['taxonomy.id'], name=op.f('fk_taxonomy_term_taxonomy_id_taxonomy'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_term'))
    )
    with op.batch_alter_table('taxonomy_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_taxonomy_term_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_taxonomy_term_taxonomy_id'), ['taxonomy_id'], unique=False)

    op.create_table('accessibility',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_accessibility_location_id_location'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accessibility'))
    )
    with op.batch_alter_table('accessibility', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accessibility_location_id'), ['location_id'], unique=False)

    op.create_table('address',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('attention', sa.Text(), nullable=True),
    sa.Column('address_1', sa.Text(), nullable=False),
    sa.Column('address_2', sa.Text(), nullable=True),
    sa.Column('city', sa.Text(), nullable=False),
    sa.Column('region', sa.Text(), nullable=True),
    sa.Column('state_province', sa.Text(), nullable=False),
    sa.Column('postal_code', sa.String(length=32), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('address_type', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_address_location_id_location'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address'))
    )
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_address_location_id'), ['location_id'], unique=False)

    op.create_table('attribute',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('link_id', sa.String(length=64), nullable=False),
    sa.Column('link_type', sa.String(length=64), nullable=True),
    sa.Column('link_entity', sa.String(length=64), nullable=False),
    sa.Column('taxonomy_term_id', sa.String(length=64), nullable=True),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('label', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['taxonomy_term_id'], ['taxonomy_term.id'], name=op.f('fk_attribute_taxonomy_term_id_taxonomy_term'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attribute'))
    )
    with op.batch_alter_table('attribute', schema=None) as batch_op:
        batch_op.create_index('ix_attribute_link', ['link_entity', 'link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attribute_taxonomy_term_id'), ['taxonomy_term_id'], unique=False)

    op.create_table('cost_option',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('option', sa.Text(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('amount', sa.Float(), nullable=True),
    sa.Column('amount_description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_cost_option_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cost_option'))
    )
    with op.batch_alter_table('cost_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cost_option_service_id'), ['service_id'], unique=False)

    op.create_table('required_document',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('document', sa.Text(), nullable=True),
    sa.Column('uri', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_required_document_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_required_document'))
    )
    with op.batch_alter_table('required_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_required_document_service_id'), ['service_id'], unique=False)

    op.create_table('service_at_location',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_service_at_location_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_at_location_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_at_location'))
    )
    with op.batch_alter_table('service_at_location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_at_location_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_at_location_service_id'), ['service_id'], unique=False)

    op.create_table('contact',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=64), nullable=True),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('service_at_location_id', sa.String(length=64), nullable=True),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('department', sa.Text(), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_contact_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_contact_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_at_location_id'], ['service_at_location.id'], name=op.f('fk_contact_service_at_location_id_service_at_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_contact_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_service_at_location_id'), ['service_at_location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_service_id'), ['service_id'], unique=False)

    op.create_table('schedule',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('service_at_location_id', sa.String(length=64), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('dtstart', sa.Date(), nullable=True),
    sa.Column('timezone', sa.Float(), nullable=True),
    sa.Column('timezone_name', sa.String(length=64), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('wkst', sa.String(length=2), nullable=True),
    sa.Column('freq', sa.String(length=16), nullable=True),
    sa.Column('interval', sa.Integer(), nullable=True),
    sa.Column('byday', sa.String(length=128), nullable=True),
    sa.Column('byweekno', sa.String(length=256), nullable=True),
    sa.Column('bymonthday', sa.String(length=256), nullable=True),
    sa.Column('byyearday', sa.String(length=512), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('opens_at', sa.String(length=32), nullable=True),
    sa.Column('closes_at', sa.String(length=32), nullable=True),
    sa.Column('schedule_link', sa.Text(), nullable=True),
    sa.Column('attending_type', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_schedule_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_at_location_id'], ['service_at_location.id'], name=op.f('fk_schedule_service_at_location_id_service_at_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_schedule_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule'))
    )
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_service_at_location_id'), ['service_at_location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_service_id'), ['service_id'], unique=False)

    op.create_table('phone',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('organization_id', sa.String(length=64), nullable=True),
    sa.Column('contact_id', sa.String(length=64), nullable=True),
    sa.Column('service_at_location_id', sa.String(length=64), nullable=True),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('extension', sa.Float(), nullable=True),
    sa.Column('type', sa.String(length=32), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_phone_contact_id_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_phone_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_phone_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_at_location_id'], ['service_at_location.id'], name=op.f('fk_phone_service_at_location_id_service_at_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_phone_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone'))
    )
    with op.batch_alter_table('phone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_service_at_location_id'), ['service_at_location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_service_id'), ['service_id'], unique=False)

    op.create_table('language',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('phone_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('code', sa.String(length=16), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_language_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['phone_id'], ['phone.id'], name=op.f('fk_language_phone_id_phone'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_language_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_language'))
    )
    with op.batch_alter_table('language', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_language_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_language_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_language_phone_id'), ['phone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_language_service_id'), ['service_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('language', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_language_service_id'))
        batch_op.drop_index(batch_op.f('ix_language_phone_id'))
        batch_op.drop_index(batch_op.f('ix_language_location_id'))
        batch_op.drop_index(batch_op.f('ix_language_code'))

    op.drop_table('language')
    with op.batch_alter_table('phone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_service_id'))
        batch_op.drop_index(batch_op.f('ix_phone_service_at_location_id'))
        batch_op.drop_index(batch_op.f('ix_phone_organization_id'))
        batch_op.drop_index(batch_op.f('ix_phone_location_id'))
        batch_op.drop_index(batch_op.f('ix_phone_contact_id'))

    op.drop_table('phone')
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_service_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_service_at_location_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_location_id'))

    op.drop_table('schedule')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_service_id'))
        batch_op.drop_index(batch_op.f('ix_contact_service_at_location_id'))
        batch_op.drop_index(batch_op.f('ix_contact_organization_id'))
        batch_op.drop_index(batch_op.f('ix_contact_location_id'))

    op.drop_table('contact')
    with op.batch_alter_table('service_at_location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_at_location_service_id'))
        batch_op.drop_index(batch_op.f('ix_service_at_location_location_id'))

    op.drop_table('service_at_location')
    with op.batch_alter_table('required_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_required_document_service_id'))

    op.drop_table('required_document')
    with op.batch_alter_table('cost_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cost_option_service_id'))

    op.drop_table('cost_option')
    with op.batch_alter_table('attribute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attribute_taxonomy_term_id'))
        batch_op.drop_index('ix_attribute_link')

    op.drop_table('attribute')
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_address_location_id'))

    op.drop_table('address')
    with op.batch_alter_table('accessibility', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accessibility_location_id'))

    op.drop_table('accessibility')
    with op.batch_alter_table('taxonomy_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_taxonomy_term_taxonomy_id'))
        batch_op.drop_index(batch_op.f('ix_taxonomy_term_code'))

    op.drop_table('taxonomy_term')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_updated_at'))
        batch_op.drop_index(batch_op.f('ix_service_organization_id'))
        batch_op.drop_index(batch_op.f('ix_service_last_modified'))

    op.drop_table('service')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_organization_id'))

    op.drop_table('location')
    op.drop_table('taxonomy')
    op.drop_table('organization')
    with op.batch_alter_table('metadata', schema=None) as batch_op:
        batch_op.drop_index('ix_metadata_resource')

    op.drop_table('metadata')
    op.drop_table('gazetteer_place')
    op.drop_table('directory_revision')
