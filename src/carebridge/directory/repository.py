"""Every query of the directory domain: loading records with their children, writing imported rows, listing for
the HSDS API, the gazetteer and the revision counter.

Loading is explicit and batched: `load_graph` fetches a set of records and everything nested in them with a fixed
number of queries per table (IN lists, chunked), whatever the number of records. It reads plain rows (not ORM
objects), so the identity map can never hand back a stale copy after a bulk write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from carebridge.directory import models, taxonomy
from carebridge.directory.hsds import ENTITIES, SHARED_PARENT_COLUMNS, is_confidential_term
from carebridge.kit.text import compact

CHUNK = 2000  # ids per IN list: well under SQLite's and PostgreSQL's limits on bound parameters


def table(entity: str) -> Table:
    return ENTITIES[entity].model.__table__  # type: ignore[attr-defined, no-any-return]


def _chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    items = sorted({value for value in values if value is not None})
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _rows_where_in(session: Session, entity: str, column: str, values: Iterable[Any]) -> list[Any]:
    return _rows_where_any(session, entity, {column: values})


def _rows_where_any(session: Session, entity: str, wanted: dict[str, Iterable[Any]]) -> list[Any]:
    """Rows whose `column` is in its set of values, for any of the columns: one query (OR of indexed IN lists)
    while the lists are short, chunked queries when they are long. Plain rows, through the connection, with
    statements built once: on a service page this is most of the work."""
    lists = {column: sorted({value for value in values if value is not None}) for column, values in wanted.items()}
    lists = {column: values for column, values in lists.items() if values}
    if not lists:
        return []
    connection = session.connection()
    if sum(len(values) for values in lists.values()) <= CHUNK:
        statement = _select_in(entity, tuple(lists))
        return list(connection.execute(statement, {f"in_{column}": values for column, values in lists.items()}).all())
    rows: dict[Any, Any] = {}
    for column, values in lists.items():
        for chunk in _chunks(values):
            for row in connection.execute(_select_in(entity, (column,)), {f"in_{column}": chunk}):
                rows[row.id] = row
    return list(rows.values())


@lru_cache(maxsize=256)
def _select_in(entity: str, columns: tuple[str, ...]) -> Any:
    source = table(entity)
    return select(source).where(or_(*(source.c[column].in_(bindparam(f"in_{column}", expanding=True)) for column in columns)))


def _annotations_of(session: Session, entity: str, records: Iterable[tuple[str, str]]) -> list[Any]:
    """The attributes (entity "attribute") or metadata of these (table, id) records, using the (table, id) index."""
    by_table: dict[str, list[str]] = defaultdict(list)
    for record_table, record_id in sorted(set(records)):
        by_table[record_table].append(record_id)
    if not by_table:
        return []
    connection = session.connection()
    if sum(len(ids) for ids in by_table.values()) <= CHUNK:
        names = tuple(sorted(by_table))
        parameters = {f"ids_{index}": by_table[name] for index, name in enumerate(names)}
        return list(connection.execute(_select_annotations(entity, names), parameters).all())
    rows: list[Any] = []
    for name, ids in by_table.items():
        for chunk in _chunks(ids):
            rows.extend(connection.execute(_select_annotations(entity, (name,)), {"ids_0": chunk}))
    return rows


@lru_cache(maxsize=256)
def _select_annotations(entity: str, names: tuple[str, ...]) -> Any:
    source = table(entity)
    table_column, id_column = ("link_entity", "link_id") if entity == "attribute" else ("resource_type", "resource_id")
    return select(source).where(
        or_(
            *(
                and_(source.c[table_column] == name, source.c[id_column].in_(bindparam(f"ids_{index}", expanding=True)))
                for index, name in enumerate(names)
            )
        )
    )


# ------------------------------------------------------------------------------------------------------ places


def normalize_place_name(text: str) -> str:
    """The key a place name or postcode is looked up by: case-folded, accents and every character that is not a
    letter or digit removed, Arabic-script letter variants unified (kit.text.compact, which search uses for
    `near=` too). "Hollins Green", "hollins-green" and "HOLLINS GREEN" are the same place, and so are "FH1 1AA"
    and "fh11aa". Stored in gazetteer_place.normalized_name."""
    return compact(text)


def find_place(session: Session, text: str) -> models.GazetteerPlace | None:
    key = normalize_place_name(text)
    if not key:
        return None
    return session.scalars(select(models.GazetteerPlace).where(models.GazetteerPlace.normalized_name == key)).first()


def confidential_postcode_keys(session: Session) -> set[str]:
    """The postcodes (as place keys) of every confidential location's addresses: never gazetteer places."""
    address = models.Address.__table__
    attribute = models.Attribute.__table__
    terms = confidential_term_ids(session)
    statement = select(address.c.postal_code).where(
        address.c.location_id.in_(
            select(attribute.c.link_id).where(attribute.c.link_entity == "location", attribute.c.taxonomy_term_id.in_(terms))
        )
    )
    return {key for key in (normalize_place_name(code or "") for code in session.execute(statement).scalars()) if key}


def delete_places(session: Session, keys: Iterable[str]) -> None:
    source = models.GazetteerPlace.__table__
    for chunk in _chunks(keys):
        session.execute(delete(source).where(source.c.normalized_name.in_(chunk)))


def upsert_places(session: Session, places: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Insert or update gazetteer places by their normalised name. Returns (created, updated)."""
    source = models.GazetteerPlace.__table__
    existing = {
        row.normalized_name: row.id
        for row in session.execute(select(source.c.id, source.c.normalized_name)).all()
    }
    created = updated = 0
    for place in places:
        place_id = existing.get(place["normalized_name"])
        if place_id is None:
            session.execute(insert(source).values(**place))
            created += 1
        else:
            session.execute(update(source).where(source.c.id == place_id).values(**place))
            updated += 1
    return created, updated


# ------------------------------------------------------------------------------------------------------ revision


def bump_revision(session: Session) -> int:
    """Move the directory revision on, in the caller's transaction; search processes rebuild when they see it."""
    source = models.DirectoryRevision.__table__
    revision = session.execute(
        update(source)
        .where(source.c.id == 1)
        .values(revision=source.c.revision + 1, changed_at=func.now())
        .returning(source.c.revision)
    ).scalar()
    if revision is None:
        session.execute(insert(source).values(id=1, revision=1))
        revision = 1
    return int(revision)


def current_revision(session: Session) -> int:
    source = models.DirectoryRevision.__table__
    return int(session.execute(select(source.c.revision).where(source.c.id == 1)).scalar() or 0)


# ------------------------------------------------------------------------------------------------------ writing


def existing_ids(session: Session, entity: str, ids: Iterable[str]) -> set[str]:
    source = table(entity)
    found: set[str] = set()
    for chunk in _chunks(ids):
        found.update(session.execute(select(source.c.id).where(source.c.id.in_(chunk))).scalars())
    return found


def existing_extras(session: Session, entity: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    source = table(entity)
    extras: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in session.execute(select(source.c.id, source.c.extra).where(source.c.id.in_(chunk))):
            extras[row.id] = dict(row.extra or {})
    return extras


def insert_rows(session: Session, entity: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(ENTITIES[entity].model), rows)


def update_rows(session: Session, entity: str, rows: list[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key; each dict holds `id` and the columns to set."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    for group in groups.values():
        session.execute(update(ENTITIES[entity].model), group)


def child_links(session: Session, entity: str, column: str, parent_ids: Iterable[str]) -> list[tuple[str, str]]:
    """(child id, parent id) for every `entity` row whose `column` is one of `parent_ids`."""
    source = table(entity)
    links: list[tuple[str, str]] = []
    for chunk in _chunks(parent_ids):
        links.extend(
            (row.id, row.parent)
            for row in session.execute(select(source.c.id, source.c[column].label("parent")).where(source.c[column].in_(chunk)))
        )
    return links


def annotation_links(session: Session, kind: str, parent_entity: str, parent_ids: Iterable[str]) -> list[tuple[str, str]]:
    """(id, parent id) of the attributes (kind "attributes") or metadata (kind "metadata") of some records."""
    if kind == "attributes":
        source, entity_column, id_column = models.Attribute.__table__, "link_entity", "link_id"
    else:
        source, entity_column, id_column = models.MetadataRecord.__table__, "resource_type", "resource_id"
    links: list[tuple[str, str]] = []
    for chunk in _chunks(parent_ids):
        statement = select(source.c.id, source.c[id_column].label("parent")).where(
            source.c[entity_column] == parent_entity, source.c[id_column].in_(chunk)
        )
        links.extend((row.id, row.parent) for row in session.execute(statement))
    return links


def clear_column(session: Session, entity: str, column: str, ids: Iterable[str]) -> None:
    source = table(entity)
    for chunk in _chunks(ids):
        session.execute(update(source).where(source.c.id.in_(chunk)).values({column: None}))


def orphan_ids(session: Session, entity: str, ids: Iterable[str]) -> set[str]:
    """Those of `ids` that no longer hang off any parent."""
    source = table(entity)
    no_parent = and_(*(source.c[column].is_(None) for column in SHARED_PARENT_COLUMNS[entity]))
    found: set[str] = set()
    for chunk in _chunks(ids):
        found.update(session.execute(select(source.c.id).where(source.c.id.in_(chunk), no_parent)).scalars())
    return found


def delete_ids(session: Session, entity: str, ids: Iterable[str]) -> int:
    source = table(entity)
    count = 0
    for chunk in _chunks(ids):
        count += session.execute(delete(source).where(source.c.id.in_(chunk))).rowcount or 0
    return count


def time_zone_attributes(session: Session, schedule_ids: Iterable[str]) -> dict[str, str | None]:
    source = models.Attribute.__table__
    zones: dict[str, str | None] = {}
    for chunk in _chunks(schedule_ids):
        statement = select(source.c.link_id, source.c.value).where(
            source.c.link_entity == "schedule",
            source.c.link_id.in_(chunk),
            source.c.taxonomy_term_id == taxonomy.TIME_ZONE.id,
        )
        zones.update({row.link_id: row.value for row in session.execute(statement)})
    return zones


def upsert_by_id(session: Session, entity: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or overwrite whole rows (used to seed Carebridge's own taxonomies)."""
    present = existing_ids(session, entity, [row["id"] for row in rows])
    insert_rows(session, entity, [row for row in rows if row["id"] not in present])
    update_rows(session, entity, [row for row in rows if row["id"] in present])


# ------------------------------------------------------------------------------------------------------ loading

# The columns a builder follows from a parent to its children, per child table.
GRAPH_COLUMNS: dict[str, tuple[str, ...]] = {
    "service": ("organization_id",),
    "service_at_location": ("service_id",),
    "location": ("organization_id",),
    "contact": ("organization_id", "service_id", "service_at_location_id", "location_id"),
    "phone": ("location_id", "service_id", "organization_id", "contact_id", "service_at_location_id"),
    "schedule": ("service_id", "location_id", "service_at_location_id"),
    "language": ("service_id", "location_id", "phone_id"),
    "address": ("location_id",),
    "accessibility": ("location_id",),
    "cost_option": ("service_id",),
    "required_document": ("service_id",),
}


@dataclass
class DirectoryGraph:
    """Rows loaded for rendering, indexed by id and by parent. Children come back sorted by id."""

    rows: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    index: dict[tuple[str, str, str], list[Any]] = field(default_factory=lambda: defaultdict(list))
    annotations: dict[tuple[str, str, str], list[Any]] = field(default_factory=lambda: defaultdict(list))
    confidential: set[str] = field(default_factory=set)

    def add(self, entity: str, rows: Iterable[Any]) -> None:
        table_rows = self.rows[entity]
        for row in rows:
            table_rows[row.id] = row

    def build_indexes(self) -> None:
        self.index.clear()
        for entity, columns in GRAPH_COLUMNS.items():
            for row in sorted(self.rows[entity].values(), key=lambda item: item.id):
                for column in columns:
                    parent_id = getattr(row, column)
                    if parent_id is not None:
                        self.index[(entity, column, parent_id)].append(row)
        self.annotations.clear()
        for row in sorted(self.rows["attribute"].values(), key=lambda item: item.id):
            self.annotations[("attributes", row.link_entity, row.link_id)].append(row)
        for row in sorted(self.rows["metadata"].values(), key=lambda item: item.id):
            self.annotations[("metadata", row.resource_type, row.resource_id)].append(row)
        self.confidential = {
            row.link_id
            for row in self.rows["attribute"].values()
            if row.link_entity == "location" and is_confidential_term(self.term(row.taxonomy_term_id))
        }

    def children(self, entity: str, column: str, parent_id: str) -> list[Any]:
        return self.index.get((entity, column, parent_id), [])

    def attributes_of(self, entity: str, row_id: str) -> list[Any]:
        return self.annotations.get(("attributes", entity, row_id), [])

    def metadata_of(self, entity: str, row_id: str) -> list[Any]:
        return self.annotations.get(("metadata", entity, row_id), [])

    def service(self, row_id: str) -> Any:
        return self.rows["service"].get(row_id)

    def organization(self, row_id: str) -> Any:
        return self.rows["organization"].get(row_id)

    def location(self, row_id: str) -> Any:
        return self.rows["location"].get(row_id)

    def term(self, row_id: str) -> Any:
        return self.rows["taxonomy_term"].get(row_id) or _carebridge_terms().get(row_id)

    def taxonomy(self, row_id: str) -> Any:
        return self.rows["taxonomy"].get(row_id) or _carebridge_taxonomies().get(row_id)

    def is_confidential(self, location_id: str) -> bool:
        return location_id in self.confidential


def _carebridge_terms() -> dict[str, Any]:
    """Carebridge's terms as rows, for a database that was filled without seeding them."""
    _, terms = taxonomy.taxonomy_records()
    defaults = {"parent_id": None, "term_uri": None}
    return {term["id"]: SimpleNamespace(**{**defaults, **term}) for term in terms}


def _carebridge_taxonomies() -> dict[str, Any]:
    taxonomies, _ = taxonomy.taxonomy_records()
    return {record["id"]: SimpleNamespace(**record) for record in taxonomies}


def load_graph(  # noqa: C901, PLR0912 - one query per table, in dependency order
    session: Session,
    *,
    service_ids: Iterable[str] = (),
    organization_ids: Iterable[str] = (),
    location_ids: Iterable[str] = (),
    service_at_location_ids: Iterable[str] = (),
    organization_services: str = "none",
) -> DirectoryGraph:
    """Everything needed to render these records as full HSDS documents.

    `organization_services`: "list" also loads the services of the given organisations, "full" loads them with
    everything nested in them.
    """
    graph = DirectoryGraph()
    service_ids = set(service_ids)
    organization_ids = set(organization_ids)
    if organization_services == "full":
        service_ids |= {row.id for row in _rows_where_in(session, "service", "organization_id", organization_ids)}
    elif organization_services == "list":
        graph.add("service", _rows_where_in(session, "service", "organization_id", organization_ids))

    sals = _rows_where_in(session, "service_at_location", "service_id", service_ids)
    named_sals = _rows_where_in(session, "service_at_location", "id", service_at_location_ids)
    graph.add("service_at_location", sals + named_sals)
    service_ids |= {row.service_id for row in named_sals}
    graph.add("service", _rows_where_in(session, "service", "id", service_ids))
    organization_ids |= {row.organization_id for row in graph.rows["service"].values() if row.organization_id}
    graph.add("organization", _rows_where_in(session, "organization", "id", organization_ids))

    location_ids = set(location_ids) | {row.location_id for row in graph.rows["service_at_location"].values()}
    graph.add("location", _rows_where_any(session, "location", {"id": location_ids, "organization_id": organization_ids}))

    sal_ids = set(graph.rows["service_at_location"])
    location_ids = set(graph.rows["location"])
    parents = {
        "service_id": service_ids,
        "service_at_location_id": sal_ids,
        "location_id": location_ids,
        "organization_id": organization_ids,
    }
    graph.add("contact", _rows_where_any(session, "contact", {column: parents[column] for column in GRAPH_COLUMNS["contact"]}))
    parents["contact_id"] = set(graph.rows["contact"])
    graph.add("phone", _rows_where_any(session, "phone", {column: parents[column] for column in GRAPH_COLUMNS["phone"]}))
    parents["phone_id"] = set(graph.rows["phone"])
    for entity in ("language", "schedule", "address", "accessibility", "cost_option", "required_document"):
        graph.add(entity, _rows_where_any(session, entity, {column: parents[column] for column in GRAPH_COLUMNS[entity]}))

    loaded = {(entity, row_id) for entity, rows in graph.rows.items() for row_id in rows}
    graph.add("attribute", _annotations_of(session, "attribute", loaded))
    terms = _rows_where_in(session, "taxonomy_term", "id", {row.taxonomy_term_id for row in graph.rows["attribute"].values()})
    graph.add("taxonomy_term", terms)
    graph.add("taxonomy", _rows_where_in(session, "taxonomy", "id", {row.taxonomy_id for row in terms}))

    annotated = loaded | {
        (entity, row_id) for entity in ("attribute", "taxonomy_term", "taxonomy") for row_id in graph.rows[entity]
    }
    graph.add("metadata", _annotations_of(session, "metadata", annotated))
    graph.build_indexes()
    return graph


def load_taxonomy_graph(session: Session, *, taxonomy_ids: Iterable[str] = (), term_ids: Iterable[str] = ()) -> DirectoryGraph:
    graph = DirectoryGraph()
    terms = _rows_where_in(session, "taxonomy_term", "id", term_ids)
    graph.add("taxonomy_term", terms)
    graph.add("taxonomy", _rows_where_in(session, "taxonomy", "id", set(taxonomy_ids) | {row.taxonomy_id for row in terms}))
    graph.add(
        "metadata",
        _annotations_of(session, "metadata", [(entity, row_id) for entity in ("taxonomy_term", "taxonomy") for row_id in graph.rows[entity]]),
    )
    graph.build_indexes()
    return graph


def service_ids_after(session: Session, after: str | None, limit: int) -> list[str]:
    """The next `limit` service ids in id order (keyset paging for export)."""
    source = models.Service.__table__
    statement = select(source.c.id).order_by(source.c.id).limit(limit)
    if after is not None:
        statement = statement.where(source.c.id > after)
    return list(session.execute(statement).scalars())


def count_rows(session: Session, entity: str) -> int:
    return int(session.execute(select(func.count()).select_from(table(entity))).scalar() or 0)


# ------------------------------------------------------------------------------------------------------ listing


@dataclass(frozen=True)
class ListFilters:
    """The HSDS API's list parameters; None means "not filtered"."""

    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: datetime | None = None
    parent_id: str | None = None
    top_only: bool = False


def _contains(column: Any, text: str) -> Any:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(func.coalesce(column, "")).like(f"%{escaped}%", escape="\\")


def _has_term(entity: str, id_column: Any, filters: ListFilters) -> list[Any]:
    attribute = models.Attribute.__table__
    conditions = []
    if filters.taxonomy_term_id:
        conditions.append(
            exists().where(
                attribute.c.link_entity == entity,
                attribute.c.link_id == id_column,
                attribute.c.taxonomy_term_id == filters.taxonomy_term_id,
            )
        )
    if filters.taxonomy_id:
        term = models.TaxonomyTerm.__table__
        conditions.append(
            exists().where(
                attribute.c.link_entity == entity,
                attribute.c.link_id == id_column,
                attribute.c.taxonomy_term_id == term.c.id,
                term.c.taxonomy_id == filters.taxonomy_id,
            )
        )
    return conditions


def _service_conditions(filters: ListFilters) -> list[Any]:
    service = models.Service.__table__
    conditions = _has_term("service", service.c.id, filters)
    if filters.search:
        conditions.append(or_(_contains(service.c.name, filters.search), _contains(service.c.description, filters.search)))
    if filters.organization_id:
        conditions.append(service.c.organization_id == filters.organization_id)
    if filters.modified_after is not None:
        conditions.append(service.c.last_modified > filters.modified_after)
    return conditions


def _page(session: Session, statement: Any, offset: int, limit: int) -> tuple[int, list[Any]]:
    total = int(session.execute(select(func.count()).select_from(statement.subquery())).scalar() or 0)
    if offset >= total:
        return total, []
    return total, list(session.execute(statement.offset(offset).limit(limit)).all())


def list_services(session: Session, filters: ListFilters, offset: int, limit: int) -> tuple[int, list[Any]]:
    service = models.Service.__table__
    statement = select(service).where(*_service_conditions(filters)).order_by(service.c.name, service.c.id)
    return _page(session, statement, offset, limit)


def list_services_at_locations(session: Session, filters: ListFilters, offset: int, limit: int) -> tuple[int, list[Any]]:
    sal = models.ServiceAtLocation.__table__
    service = models.Service.__table__
    statement = (
        select(sal)
        .join(service, service.c.id == sal.c.service_id)
        .where(*_service_conditions(filters))
        .order_by(service.c.name, sal.c.id)
    )
    return _page(session, statement, offset, limit)


def list_organizations(session: Session, filters: ListFilters, offset: int, limit: int) -> tuple[int, list[Any]]:
    organization = models.Organization.__table__
    conditions = _has_term("organization", organization.c.id, filters)
    if filters.search:
        conditions.append(
            or_(_contains(organization.c.name, filters.search), _contains(organization.c.description, filters.search))
        )
    statement = select(organization).where(*conditions).order_by(organization.c.name, organization.c.id)
    return _page(session, statement, offset, limit)


def list_taxonomies(session: Session, filters: ListFilters, offset: int, limit: int) -> tuple[int, list[Any]]:
    source = models.Taxonomy.__table__
    conditions = []
    if filters.search:
        conditions.append(or_(_contains(source.c.name, filters.search), _contains(source.c.description, filters.search)))
    statement = select(source.c.id).where(*conditions).order_by(source.c.name, source.c.id)
    return _page(session, statement, offset, limit)


def list_taxonomy_terms(session: Session, filters: ListFilters, offset: int, limit: int) -> tuple[int, list[Any]]:
    source = models.TaxonomyTerm.__table__
    conditions = []
    if filters.search:
        conditions.append(
            or_(
                _contains(source.c.name, filters.search),
                _contains(source.c.description, filters.search),
                _contains(source.c.code, filters.search),
            )
        )
    if filters.taxonomy_id:
        conditions.append(source.c.taxonomy_id == filters.taxonomy_id)
    if filters.parent_id:
        conditions.append(source.c.parent_id == filters.parent_id)
    if filters.top_only:
        conditions.append(source.c.parent_id.is_(None))
    statement = select(source.c.id).where(*conditions).order_by(source.c.taxonomy_id, source.c.name, source.c.id)
    return _page(session, statement, offset, limit)


def rows_by_id(session: Session, entity: str, ids: Iterable[str]) -> dict[str, Any]:
    return {row.id: row for row in _rows_where_in(session, entity, "id", ids)}


def confidential_term_ids(session: Session) -> set[str]:
    """Every term, in any taxonomy, whose code is confidential-address (ours included, seeded or not)."""
    term = models.TaxonomyTerm.__table__
    found = set(session.execute(select(term.c.id).where(func.lower(term.c.code) == taxonomy.CONFIDENTIAL_ADDRESS.code)).scalars())
    return found | {taxonomy.CONFIDENTIAL_ADDRESS.id}


def confidential_attributes(session: Session, location_ids: Iterable[str]) -> dict[str, list[Any]]:
    """The confidential-address attributes (any taxonomy) of these locations, by location id."""
    source = models.Attribute.__table__
    terms = confidential_term_ids(session)
    found: dict[str, list[Any]] = defaultdict(list)
    for chunk in _chunks(location_ids):
        statement = select(source).where(
            source.c.link_entity == "location",
            source.c.link_id.in_(chunk),
            source.c.taxonomy_term_id.in_(terms),
        )
        for row in session.execute(statement).all():
            found[row.link_id].append(row)
    return found


def confidential_location_ids(session: Session, location_ids: Iterable[str]) -> set[str]:
    """Which of these locations are confidential: an attribute with a confidential-address term of any taxonomy."""
    return set(confidential_attributes(session, location_ids))


def first_addresses(session: Session, location_ids: Iterable[str]) -> dict[str, Any]:
    """Each location's first physical address (else its first address), for the area of a confidential one."""
    rows = sorted(_rows_where_in(session, "address", "location_id", location_ids), key=lambda row: row.id)
    rows.sort(key=lambda row: (row.address_type or "physical") != "physical")
    found: dict[str, Any] = {}
    for row in rows:
        found.setdefault(row.location_id, row)
    return found


def add_declassification(session: Session, location_id: str, reason: str, when: datetime) -> None:
    session.add(models.LocationDeclassification(location_id=location_id, reason=reason, declassified_at=when))
    session.flush()


def declassifications(session: Session, location_id: str) -> list[models.LocationDeclassification]:
    source = models.LocationDeclassification
    return list(session.scalars(select(source).where(source.location_id == location_id).order_by(source.id)))
