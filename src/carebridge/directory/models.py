"""The service directory: HSDS 3.1 tables.

Column names follow HSDS so that import and export are a mapping, not a translation. Fields HSDS defines that no
query needs (funding, programs, service areas, capacities, additional URLs, organisation identifiers) are kept
whole in `extra` so that nothing an importer sends is lost. Migrant-specific facts are `attribute` rows pointing at
the Carebridge taxonomies (see taxonomy.py and docs/taxonomy.md).

Relationships are `lazy="raise"`: every query says what it loads, so an N+1 fails in tests, not in production.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carebridge.db import Base

ID = String(64)  # HSDS ids are UUIDs; publishers sometimes send other strings, which we keep as given.


def _fk(target: str, nullable: bool = True) -> Mapped[str | None]:
    return mapped_column(ID, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=True)


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    alternate_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(320))
    website: Mapped[str | None] = mapped_column(Text)
    tax_status: Mapped[str | None] = mapped_column(Text)
    tax_id: Mapped[str | None] = mapped_column(Text)
    year_incorporated: Mapped[int | None] = mapped_column(Integer)
    legal_status: Mapped[str | None] = mapped_column(Text)
    logo: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)
    parent_organization_id: Mapped[str | None] = mapped_column(ID)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    services: Mapped[list[Service]] = relationship(back_populates="organization", lazy="raise")


class Service(Base):
    __tablename__ = "service"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organization_id: Mapped[str | None] = _fk("organization.id")
    program_id: Mapped[str | None] = mapped_column(ID)
    name: Mapped[str] = mapped_column(Text)
    alternate_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(32), default="active")
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    wait_time: Mapped[str | None] = mapped_column(Text)
    fees: Mapped[str | None] = mapped_column(Text)
    accreditations: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[float | None] = mapped_column(Float)
    maximum_age: Mapped[float | None] = mapped_column(Float)
    assured_date: Mapped[date | None] = mapped_column(Date)
    assurer_email: Mapped[str | None] = mapped_column(String(320))
    licenses: Mapped[str | None] = mapped_column(Text)
    alert: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), index=True
    )

    organization: Mapped[Organization | None] = relationship(back_populates="services", lazy="raise")
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class Location(Base):
    __tablename__ = "location"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    location_type: Mapped[str] = mapped_column(String(16), default="physical")  # physical | postal | virtual
    url: Mapped[str | None] = mapped_column(Text)
    organization_id: Mapped[str | None] = _fk("organization.id")
    name: Mapped[str | None] = mapped_column(Text)
    alternate_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    external_identifier: Mapped[str | None] = mapped_column(Text)
    external_identifier_type: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ServiceAtLocation(Base):
    __tablename__ = "service_at_location"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str] = mapped_column(ID, ForeignKey("service.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[str | None] = _fk("location.id")
    description: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    service: Mapped[Service] = relationship(back_populates="service_at_locations", lazy="raise")
    location: Mapped[Location | None] = relationship(lazy="raise")


class Address(Base):
    __tablename__ = "address"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    location_id: Mapped[str | None] = _fk("location.id")
    attention: Mapped[str | None] = mapped_column(Text)
    address_1: Mapped[str] = mapped_column(Text, default="")
    address_2: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str | None] = mapped_column(Text)
    state_province: Mapped[str] = mapped_column(Text, default="")
    postal_code: Mapped[str] = mapped_column(String(32), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    address_type: Mapped[str] = mapped_column(String(16), default="physical")  # physical | postal | virtual


class Phone(Base):
    __tablename__ = "phone"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    location_id: Mapped[str | None] = _fk("location.id")
    service_id: Mapped[str | None] = _fk("service.id")
    organization_id: Mapped[str | None] = _fk("organization.id")
    contact_id: Mapped[str | None] = _fk("contact.id")
    service_at_location_id: Mapped[str | None] = _fk("service_at_location.id")
    number: Mapped[str] = mapped_column(String(64))
    extension: Mapped[float | None] = mapped_column(Float)
    type: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organization_id: Mapped[str | None] = _fk("organization.id")
    service_id: Mapped[str | None] = _fk("service.id")
    service_at_location_id: Mapped[str | None] = _fk("service_at_location.id")
    location_id: Mapped[str | None] = _fk("location.id")
    name: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))


class Schedule(Base):
    """An RFC 5545 recurrence with opening hours. `timezone` is HSDS's UTC offset as given; `timezone_name`
    is the IANA zone the times are really in (from the Carebridge time-zone attribute or the deployment)."""

    __tablename__ = "schedule"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str | None] = _fk("service.id")
    location_id: Mapped[str | None] = _fk("location.id")
    service_at_location_id: Mapped[str | None] = _fk("service_at_location.id")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    dtstart: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[float | None] = mapped_column(Float)
    timezone_name: Mapped[str | None] = mapped_column(String(64))
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    wkst: Mapped[str | None] = mapped_column(String(2))
    freq: Mapped[str | None] = mapped_column(String(16))
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(String(128))
    byweekno: Mapped[str | None] = mapped_column(String(256))
    bymonthday: Mapped[str | None] = mapped_column(String(256))
    byyearday: Mapped[str | None] = mapped_column(String(512))
    description: Mapped[str | None] = mapped_column(Text)
    opens_at: Mapped[str | None] = mapped_column(String(32))  # as given: HH:MM[:SS][Z|±HH:MM]
    closes_at: Mapped[str | None] = mapped_column(String(32))
    schedule_link: Mapped[str | None] = mapped_column(Text)
    attending_type: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class Language(Base):
    __tablename__ = "language"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str | None] = _fk("service.id")
    location_id: Mapped[str | None] = _fk("location.id")
    phone_id: Mapped[str | None] = _fk("phone.id")
    name: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(16), index=True)  # ISO 639
    note: Mapped[str | None] = mapped_column(Text)


class CostOption(Base):
    __tablename__ = "cost_option"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str | None] = _fk("service.id")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    option: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(String(3))
    amount: Mapped[float | None] = mapped_column(Float)
    amount_description: Mapped[str | None] = mapped_column(Text)


class RequiredDocument(Base):
    __tablename__ = "required_document"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str | None] = _fk("service.id")
    document: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)


class Accessibility(Base):
    __tablename__ = "accessibility"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    location_id: Mapped[str | None] = _fk("location.id")
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)


class Taxonomy(Base):
    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(64))


class TaxonomyTerm(Base):
    __tablename__ = "taxonomy_term"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str | None] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = mapped_column(ID)
    taxonomy: Mapped[str | None] = mapped_column(Text)
    taxonomy_id: Mapped[str | None] = mapped_column(ID, ForeignKey("taxonomy.id", ondelete="SET NULL"), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    term_uri: Mapped[str | None] = mapped_column(Text)


class Attribute(Base):
    """A taxonomy term attached to any record (HSDS's polymorphic link: link_entity + link_id)."""

    __tablename__ = "attribute"
    __table_args__ = (Index("ix_attribute_link", "link_entity", "link_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    link_id: Mapped[str] = mapped_column(ID)
    link_type: Mapped[str | None] = mapped_column(String(64))
    link_entity: Mapped[str] = mapped_column(String(64))
    taxonomy_term_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("taxonomy_term.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str | None] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(Text)


class MetadataRecord(Base):
    """HSDS `metadata`: who changed which field of which record, and when (the audit trail of the data)."""

    __tablename__ = "metadata"
    __table_args__ = (Index("ix_metadata_resource", "resource_type", "resource_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    resource_id: Mapped[str] = mapped_column(ID)
    resource_type: Mapped[str] = mapped_column(String(64))
    last_action_date: Mapped[str] = mapped_column(String(32))
    last_action_type: Mapped[str] = mapped_column(Text)
    field_name: Mapped[str] = mapped_column(Text)
    previous_value: Mapped[str] = mapped_column(Text)
    replacement_value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(Text)


class GazetteerPlace(Base):
    """Neighbourhoods and postcodes a person can type instead of coordinates (`near=`)."""

    __tablename__ = "gazetteer_place"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # neighbourhood | postcode
    name: Mapped[str] = mapped_column(Text)
    normalized_name: Mapped[str] = mapped_column(String(128), unique=True)
    area: Mapped[str | None] = mapped_column(Text)  # the neighbourhood a postcode lies in
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class DirectoryRevision(Base):
    """One row whose counter moves whenever directory data changes; search processes rebuild their in-memory
    index when they see it move."""

    __tablename__ = "directory_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LocationDeclassification(Base):
    """A confidential location made public by `carebridge directory declassify`: who asked is outside our data,
    but when and why are kept. Confidentiality is sticky: no import removes it, only this command (service.py)."""

    __tablename__ = "location_declassification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    location_id: Mapped[str] = mapped_column(ID, index=True)  # no foreign key: the record outlives the location
    reason: Mapped[str] = mapped_column(Text)
    declassified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
