"""Small directories whose right answers are known, built row by row for the search tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carebridge.directory import models, taxonomy

_numbers = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}-{next(_numbers):06d}"


def ensure_taxonomies(session: Session) -> None:
    taxonomies, terms = taxonomy.taxonomy_records()
    present = set(session.execute(select(models.Taxonomy.id)).scalars())
    for record in taxonomies:
        if record["id"] not in present:
            session.add(models.Taxonomy(**record))
    session.flush()
    present_terms = set(session.execute(select(models.TaxonomyTerm.id)).scalars())
    for record in terms:
        if record["id"] not in present_terms:
            session.add(models.TaxonomyTerm(**record))
    session.flush()


def bump_revision(session: Session) -> None:
    session.execute(
        update(models.DirectoryRevision).where(models.DirectoryRevision.id == 1).values(revision=models.DirectoryRevision.revision + 1)
    )
    session.flush()


@dataclass
class Built:
    service_id: str
    location_id: str | None
    link_id: str | None


@dataclass
class DirectoryBuilder:
    session: Session
    built: dict[str, Built] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ensure_taxonomies(self.session)

    def _attribute(self, entity: str, link_id: str, term: taxonomy.Term, value: str | None = None, link_type: str | None = None) -> None:
        self.session.add(
            models.Attribute(
                id=_id("attr"), link_id=link_id, link_entity=entity, link_type=link_type, taxonomy_term_id=term.id, value=value
            )
        )

    def service(
        self,
        name: str,
        latitude: float | None = None,
        longitude: float | None = None,
        *,
        organization: str = "Test Organisation",
        description: str = "",
        languages: tuple[str, ...] = (),
        interpreters: tuple[str, ...] = (),
        categories: tuple[str, ...] = (),
        free: bool = False,
        no_status_check: bool = False,
        no_documents: bool = False,
        confidential: bool = False,
        street: str = "1 High Street",
        postcode: str = "FH1 1AA",
        city: str = "Fairhaven",
        schedules: tuple[dict[str, Any], ...] = (),
        last_verified: date | str | None = None,
        minimum_age: float | None = None,
        maximum_age: float | None = None,
        eligible_gender: str | None = None,
        status: str = "active",
        location_type: str = "physical",
        phone: str | None = "01632 960000",
        content_language: str | None = None,
        with_location: bool = True,
    ) -> Built:
        organization_id = _id("org")
        service_id = _id("svc")
        self.session.add(models.Organization(id=organization_id, name=organization, description=""))
        self.session.flush()
        self.session.add(
            models.Service(
                id=service_id,
                organization_id=organization_id,
                name=name,
                description=description,
                status=status,
                minimum_age=minimum_age,
                maximum_age=maximum_age,
            )
        )
        location_id = link_id = None
        if with_location:
            location_id, link_id = _id("loc"), _id("sal")
            self.session.add(
                models.Location(
                    id=location_id,
                    location_type=location_type,
                    name=f"{name} building",
                    latitude=latitude,
                    longitude=longitude,
                    organization_id=organization_id,
                )
            )
            self.session.flush()
            self.session.add(
                models.Address(
                    id=_id("addr"), location_id=location_id, address_1=street, city=city, postal_code=postcode, country="GB"
                )
            )
            self.session.flush()
            self.session.add(models.ServiceAtLocation(id=link_id, service_id=service_id, location_id=location_id))
            if phone:
                self.session.add(models.Phone(id=_id("phone"), location_id=location_id, number=phone))
        self.session.flush()
        for code in languages:
            self.session.add(models.Language(id=_id("lang"), service_id=service_id, code=code))
        for code in interpreters:
            self._attribute("service", service_id, taxonomy.INTERPRETERS, code)
        for code in categories:
            self._attribute("service", service_id, taxonomy.TERMS_BY_CODE[code], link_type="category")
        for wanted, term in ((free, taxonomy.FREE), (no_status_check, taxonomy.NO_STATUS_CHECK), (no_documents, taxonomy.NO_DOCUMENTS)):
            if wanted:
                self._attribute("service", service_id, term)
        if confidential and location_id:
            self._attribute("location", location_id, taxonomy.CONFIDENTIAL_ADDRESS)
        if last_verified:
            self._attribute("service", service_id, taxonomy.LAST_VERIFIED, str(last_verified))
        if eligible_gender:
            self._attribute("service", service_id, taxonomy.ELIGIBLE_GENDER, eligible_gender)
        if content_language:
            self._attribute("service", service_id, taxonomy.CONTENT_LANGUAGE, content_language)
        for schedule in schedules:
            self.session.add(models.Schedule(id=_id("sched"), service_at_location_id=link_id, service_id=None if link_id else service_id, **schedule))
        self.session.flush()
        built = Built(service_id, location_id, link_id)
        self.built[name] = built
        return built

    def place(self, name: str, kind: str, latitude: float, longitude: float, area: str | None = None) -> None:
        from carebridge.kit.text import compact

        self.session.add(
            models.GazetteerPlace(kind=kind, name=name, normalized_name=compact(name), area=area, latitude=latitude, longitude=longitude)
        )
        self.session.flush()

    def done(self) -> None:
        bump_revision(self.session)
        self.session.commit()


def weekly(byday: str, opens: str, closes: str, zone: str | None = "Europe/London", **more: Any) -> dict[str, Any]:
    return {"freq": "WEEKLY", "byday": byday, "opens_at": opens, "closes_at": closes, "timezone_name": zone, **more}
