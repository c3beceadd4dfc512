"""Directory domain logic: importing and exporting HSDS, reading records for the HSDS API and the service page,
and loading the demo city. No HTTP here and no commits: the caller's unit of work commits or rolls back.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from carebridge.directory import hsds, repository, taxonomy
from carebridge.directory.hsds import ENTITIES, WRITE_ORDER, ImportPlan, PlannedRow, Record
from carebridge.directory.repository import ListFilters
from carebridge.errors import N_, FieldError, InvalidInput, NotFound
from carebridge.kit import clock

SUMMARY_ENTITIES = (
    ("service", "services"),
    ("organization", "organizations"),
    ("location", "locations"),
    ("service_at_location", "services at locations"),
    ("taxonomy", "taxonomies"),
    ("taxonomy_term", "taxonomy terms"),
)
EXPORT_BATCH = 200


# ------------------------------------------------------------------------------------------------------ import


@dataclass
class ImportSummary:
    records: int = 0
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    removed: int = 0
    revision: int = 0
    warnings: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        parts = []
        for entity, words in SUMMARY_ENTITIES:
            if self.created[entity] or self.updated[entity]:
                parts.append(f"{words}: {self.created[entity]} created, {self.updated[entity]} updated")
        named = {entity for entity, _ in SUMMARY_ENTITIES}
        others = sum(count for entity, count in (self.created + self.updated).items() if entity not in named)
        lines = [f"Imported {self.records} record{'s' if self.records != 1 else ''}."]
        lines += [f"  {part}" for part in parts]
        lines.append(f"  other rows (phones, schedules, attributes, ...) written: {others}")
        lines.append(f"  rows removed because the records no longer list them: {self.removed}")
        lines.append(f"  directory revision is now {self.revision}")
        return "\n".join(lines)


def import_documents(
    session: Session, documents: Iterable[Any], *, record_type: str | None = None
) -> ImportSummary:
    """Validate every document, then write them all or nothing.

    `documents` holds HSDS records (dicts), or hsds.Record values when the caller knows where each came from.
    Raises InvalidInput, with one FieldError per problem (name = the record, pointer = the JSON pointer), before
    anything is written. Re-importing a record updates it: see the module docstring of hsds.py for the rules.
    """
    if record_type is not None and record_type not in hsds.TOP_LEVEL_KINDS:
        raise InvalidInput(
            errors=[FieldError(name="type", message=N_("unknown record type"), allowed=list(hsds.TOP_LEVEL_KINDS))]
        )
    records = [
        item if isinstance(item, Record) else Record(f"record {number}", item)
        for number, item in enumerate(documents, 1)
    ]
    if not records:
        raise InvalidInput(errors=[FieldError(name="file", message=N_("the file holds no records"))])
    plan = hsds.plan_import(records, record_type)
    _check_references(session, plan)
    if plan.errors:
        errors = list(plan.errors)
        hidden = plan.problem_count - len(errors)
        if hidden > 0:
            errors.append(FieldError(name="file", message=N_("and %(count)s more problems"), params={"count": hidden}))
        raise InvalidInput(N_("Nothing was imported: %(count)s problems were found."), errors=errors, count=plan.problem_count)
    _time_zones_from_database(session, plan)
    _keep_confidential(session, plan)
    ensure_carebridge_taxonomies(session)
    summary = ImportSummary(records=plan.records, warnings=plan.warnings)
    _write_rows(session, plan, summary)
    summary.removed = _replace_collections(session, plan)
    summary.revision = repository.bump_revision(session)
    session.expire_all()
    return summary


def _check_references(session: Session, plan: ImportPlan) -> None:
    """Ids a record points at without nesting the record must exist in the file or the directory."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for reference in plan.references:
        if reference.id in plan.rows[reference.entity] or _is_carebridge(reference.entity, reference.id):
            continue
        wanted[reference.entity].add(reference.id)
    found = {entity: repository.existing_ids(session, entity, ids) for entity, ids in wanted.items()}
    for reference in plan.references:
        if reference.id in wanted.get(reference.entity, ()) and reference.id not in found[reference.entity]:
            plan.error(
                reference.label, reference.pointer,
                N_("no %(entity)s with the id %(id)s exists in this file or in the directory"),
                entity=reference.entity, id=reference.id,
            )


def _keep_confidential(session: Session, plan: ImportPlan) -> None:
    """Confidentiality is sticky: no import removes it, only `declassify` (below) does.

    A stored confidential location that the file lists without a confidential-address attribute (attributes left
    out, emptied, or a term of another code) keeps its stored confidential attributes; so does a term that marks
    locations confidential when the file gives it another code. Each case is reported as a warning naming the
    location or term, so the publisher can fix their data (or ask an administrator to declassify)."""
    stored_terms = repository.confidential_term_ids(session)
    for term_id, row in plan.rows["taxonomy_term"].items():
        if term_id in stored_terms and row.values.get("code") != taxonomy.CONFIDENTIAL_ADDRESS.code:
            row.values["code"] = taxonomy.CONFIDENTIAL_ADDRESS.code
            label, pointer = row.where
            plan.warn(
                label, pointer,
                N_("taxonomy term %(id)s keeps the code confidential-address: the locations it marks stay confidential"),
                id=term_id,
            )
    stored = repository.confidential_attributes(session, plan.rows["location"])
    if not stored:
        return
    confidential_terms = stored_terms | {
        term_id for term_id, row in plan.rows["taxonomy_term"].items()
        if str(row.values.get("code") or "").strip().lower() == taxonomy.CONFIDENTIAL_ADDRESS.code
    }
    attributes = plan.rows["attribute"]
    for location_id, rows in sorted(stored.items()):
        membership = plan.memberships.get(("location", location_id, "attributes"))
        planned = membership.ids if membership is not None else set()
        if any(
            item in attributes
            and attributes[item].values.get("taxonomy_term_id") in confidential_terms
            and attributes[item].values.get("link_id") == location_id
            for item in planned
        ):
            continue
        for row in rows:
            attributes.pop(row.id, None)  # a row reusing the id for another term is not written
            if membership is not None:
                membership.ids.add(row.id)
        label, pointer = plan.rows["location"][location_id].where
        plan.warn(
            label, pointer,
            N_("location %(id)s stays confidential although this file does not mark it so; only the declassify "
               "command can make its address public"),
            id=location_id,
        )


def declassify(session: Session, location_id: str, reason: str, when: datetime) -> int:
    """Make a confidential location public: remove its confidential-address attributes (any taxonomy) and record
    who-knows-why: the reason and the time, in location_declassification. Returns how many attributes went.
    The only way confidentiality is removed (imports keep it, see _keep_confidential)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(errors=[FieldError(name="reason", message=N_("give the reason for making this address public"))])
    attributes = repository.confidential_attributes(session, [location_id]).get(location_id)
    if not attributes:
        raise NotFound(N_("no confidential location has the id %(id)s"), id=location_id)
    removed = remove_rows(session, {"attribute": {row.id for row in attributes}})
    repository.add_declassification(session, location_id, reason, when)
    repository.bump_revision(session)
    session.expire_all()
    return removed


def _is_carebridge(entity: str, record_id: str) -> bool:
    if entity == "taxonomy_term":
        return record_id in taxonomy.TERMS_BY_ID
    return entity == "taxonomy" and record_id in hsds.CAREBRIDGE_TAXONOMY_IDS


def _time_zones_from_database(session: Session, plan: ImportPlan) -> None:
    """A schedule whose attributes are not in the file keeps the time-zone attribute the directory has for it."""
    schedules = [
        row for row in plan.rows["schedule"].values() if ("schedule", row.id, "attributes") not in plan.memberships
    ]
    zones = repository.time_zone_attributes(session, [row.id for row in schedules])
    for row in schedules:
        if zones.get(row.id):
            row.values["timezone_name"] = zones[row.id]


def _column_default(entity: str, name: str) -> Any:
    column = ENTITIES[entity].model.__table__.c[name]
    if name == "extra":
        return {}
    if column.default is not None and getattr(column.default, "is_scalar", False):
        return column.default.arg
    return None


def _row_data(row: PlannedRow, exists: bool, old_extra: dict[str, Any] | None) -> dict[str, Any]:
    entity = ENTITIES[row.entity]
    data: dict[str, Any] = {}
    if row.complete:
        # A complete record states every field: one it leaves out is emptied.
        for name in entity.fields:
            data[name] = row.values.get(name, _column_default(row.entity, name))
    data.update(row.values)
    data.update(row.parents)
    data["id"] = row.id
    if entity.has_extra:
        if row.complete:
            data["extra"] = row.extra or {}
        elif row.extra:
            data["extra"] = {**(old_extra or {}), **row.extra}
        elif not exists:
            data["extra"] = {}
    return data


def _write_rows(session: Session, plan: ImportPlan, summary: ImportSummary) -> None:
    _default_last_modified(session, plan)
    for entity in WRITE_ORDER:
        rows = plan.rows[entity]
        if not rows:
            continue
        present = repository.existing_ids(session, entity, rows)
        partial_with_extra = [
            row.id for row in rows.values() if row.id in present and not row.complete and row.extra and ENTITIES[entity].has_extra
        ]
        old_extras = repository.existing_extras(session, entity, partial_with_extra) if partial_with_extra else {}
        inserts, updates = [], []
        for row in rows.values():
            exists = row.id in present
            (updates if exists else inserts).append(_row_data(row, exists, old_extras.get(row.id)))
        stored = repository.rows_by_id(session, entity, [data["id"] for data in updates]) if updates else {}
        repository.insert_rows(session, entity, inserts)
        # A row the file states exactly as stored is not written: re-importing an export changes nothing, not
        # even updated_at (which then says when the record last really changed).
        repository.update_rows(session, entity, [data for data in updates if not _unchanged(stored.get(data["id"]), data)])
        summary.created[entity] += len(inserts)
        summary.updated[entity] += len(updates)


def _unchanged(stored: Any, data: dict[str, Any]) -> bool:
    if stored is None:
        return False
    mapping = stored._mapping
    return all(name in mapping and _same(mapping[name], value) for name, value in data.items())


def _same(stored: Any, given: Any) -> bool:
    if isinstance(stored, datetime) and isinstance(given, datetime):
        # SQLite gives back naive UTC, PostgreSQL aware: compare both as UTC.
        return (stored if stored.tzinfo else stored.replace(tzinfo=UTC)) == (given if given.tzinfo else given.replace(tzinfo=UTC))
    if isinstance(stored, float) or isinstance(given, float):
        return stored is not None and given is not None and float(stored) == float(given)
    return bool(stored == given)


def _default_last_modified(session: Session, plan: ImportPlan) -> None:
    """HSDS's last_modified is when a service or anything about it last changed. When the publisher does not say,
    the time of this import is the best we know: a complete record without it, or a new one, gets it, so that
    `modified_after` finds what an import brought in."""
    now = clock.utc_now()
    services = plan.rows["service"]
    new = set(services) - repository.existing_ids(session, "service", services)
    for row in services.values():
        if "last_modified" not in row.values and (row.complete or row.id in new):
            row.values["last_modified"] = now


def _replace_collections(session: Session, plan: ImportPlan) -> int:
    """Each collection a document states replaces the stored one: owned rows no longer listed are deleted,
    shared rows lose the link and are deleted only when no parent is left."""
    groups: dict[tuple[str, hsds.Child], dict[str, set[str]]] = defaultdict(dict)
    for membership in plan.memberships.values():
        groups[(membership.parent_entity, membership.child)][membership.parent_id] = membership.ids
    doomed: dict[str, set[str]] = defaultdict(set)
    detached: dict[str, set[str]] = defaultdict(set)
    for (parent_entity, child), wanted in groups.items():
        if child.entity in ("attribute", "metadata"):
            links = repository.annotation_links(session, child.key, parent_entity, wanted)
        else:
            links = repository.child_links(session, child.entity, child.column, wanted)
        stale = {child_id for child_id, parent_id in links if child_id not in wanted[parent_id]}
        if not stale:
            continue
        if child.owned:
            doomed[child.entity] |= stale
        else:
            repository.clear_column(session, child.entity, child.column, stale)
            detached[child.entity] |= stale
    return remove_rows(session, doomed, detached)


def remove_rows(session: Session, doomed: dict[str, set[str]], detached: dict[str, set[str]] | None = None) -> int:
    """Delete rows with everything that hangs off them only, without the database's ON DELETE CASCADE taking a
    shared row (a phone also listed under a location) away with one of its parents."""
    detached = detached or defaultdict(set)
    removed = 0
    while any(doomed.values()) or any(detached.values()):
        for entity, ids in detached.items():
            if ids:
                doomed.setdefault(entity, set()).update(repository.orphan_ids(session, entity, ids))
        detached = defaultdict(set)
        following: dict[str, set[str]] = defaultdict(set)
        for entity, ids in doomed.items():
            if not ids:
                continue
            for child in ENTITIES[entity].children:
                if child.entity in ("attribute", "metadata"):
                    following[child.entity] |= {child_id for child_id, _ in repository.annotation_links(session, child.key, entity, ids)}
                    continue
                linked = {child_id for child_id, _ in repository.child_links(session, child.entity, child.column, ids)}
                if child.owned:
                    following[child.entity] |= linked
                elif linked:
                    repository.clear_column(session, child.entity, child.column, linked)
                    detached[child.entity] |= linked
        for entity in reversed(WRITE_ORDER):
            if doomed.get(entity):
                # Owned children may already be gone through ON DELETE CASCADE; count what was doomed.
                repository.delete_ids(session, entity, doomed[entity])
                removed += len(doomed[entity])
        doomed = following
    return removed


def ensure_carebridge_taxonomies(session: Session) -> None:
    """Seed (or restore) the Carebridge taxonomies and terms; their content is defined in taxonomy.py."""
    taxonomies, terms = taxonomy.taxonomy_records()
    repository.upsert_by_id(session, "taxonomy", taxonomies)
    repository.upsert_by_id(session, "taxonomy_term", [{"parent_id": None, "term_uri": None, **term} for term in terms])


# ------------------------------------------------------------------------------------------------------ reading


def export_services(session: Session, *, redact: bool = True, batch_size: int = EXPORT_BATCH) -> Iterator[dict[str, Any]]:
    """Every service as a full HSDS 3.1 record, in id order, loaded `batch_size` at a time.

    `redact=False` includes the exact whereabouts of confidential locations: only for backups (see cli.py).
    """
    after = None
    while True:
        ids = repository.service_ids_after(session, after, batch_size)
        if not ids:
            return
        graph = repository.load_graph(session, service_ids=ids)
        for service_id in ids:
            render = hsds.Render(graph, redact=redact)
            yield hsds.finish(render, hsds.service_document(render, graph.service(service_id)))
        after = ids[-1]


def count_services(session: Session) -> int:
    return repository.count_rows(session, "service")


def get_service(session: Session, service_id: str) -> dict[str, Any] | None:
    """One service as a full HSDS record, confidential locations redacted (for the service page and the API)."""
    if not hsds.is_usable_id(service_id):
        return None
    graph = repository.load_graph(session, service_ids=[service_id])
    row = graph.service(service_id)
    if row is None:
        return None
    render = hsds.Render(graph)
    return hsds.finish(render, hsds.service_document(render, row))


def get_service_at_location(session: Session, service_at_location_id: str) -> dict[str, Any] | None:
    if not hsds.is_usable_id(service_at_location_id):
        return None
    graph = repository.load_graph(session, service_at_location_ids=[service_at_location_id])
    row = graph.rows["service_at_location"].get(service_at_location_id)
    if row is None:
        return None
    render = hsds.Render(graph)
    return hsds.finish(render, hsds.service_at_location_document(render, row, with_service=True))


def get_location(session: Session, location_id: str) -> dict[str, Any] | None:
    if not hsds.is_usable_id(location_id):
        return None
    graph = repository.load_graph(session, location_ids=[location_id])
    row = graph.location(location_id)
    if row is None:
        return None
    render = hsds.Render(graph)
    return hsds.finish(render, hsds.location_document(render, row))


def get_organization(session: Session, organization_id: str, *, full_service: bool = False) -> dict[str, Any] | None:
    if not hsds.is_usable_id(organization_id):
        return None
    services = "full" if full_service else "list"
    graph = repository.load_graph(session, organization_ids=[organization_id], organization_services=services)
    row = graph.organization(organization_id)
    if row is None:
        return None
    render = hsds.Render(graph)
    return hsds.finish(render, hsds.organization_document(render, row, services=services))


def get_taxonomy(session: Session, taxonomy_id: str) -> dict[str, Any] | None:
    if not hsds.is_usable_id(taxonomy_id):
        return None
    graph = repository.load_taxonomy_graph(session, taxonomy_ids=[taxonomy_id])
    row = graph.rows["taxonomy"].get(taxonomy_id)
    return None if row is None else hsds.taxonomy_document(hsds.Render(graph), row)


def get_taxonomy_term(session: Session, term_id: str) -> dict[str, Any] | None:
    if not hsds.is_usable_id(term_id):
        return None
    graph = repository.load_taxonomy_graph(session, term_ids=[term_id])
    row = graph.rows["taxonomy_term"].get(term_id)
    return None if row is None else hsds.taxonomy_term_document(hsds.Render(graph), row)


Page = tuple[int, list[dict[str, Any]]]


def list_services(session: Session, filters: ListFilters, offset: int, limit: int, *, full: bool = False) -> Page:
    total, rows = repository.list_services(session, filters, offset, limit)
    if full:
        graph = repository.load_graph(session, service_ids=[row.id for row in rows])
        items = []
        for row in rows:
            render = hsds.Render(graph)
            items.append(hsds.finish(render, hsds.service_document(render, graph.service(row.id))))
        return total, items
    organizations = repository.rows_by_id(session, "organization", {row.organization_id for row in rows})
    return total, [hsds.service_list_item(row, organizations.get(row.organization_id)) for row in rows]


def list_services_at_locations(
    session: Session, filters: ListFilters, offset: int, limit: int, *, full: bool = False
) -> Page:
    total, rows = repository.list_services_at_locations(session, filters, offset, limit)
    if full:
        graph = repository.load_graph(session, service_at_location_ids=[row.id for row in rows])
        items = []
        for row in rows:
            render = hsds.Render(graph)
            document = hsds.service_at_location_document(render, graph.rows["service_at_location"][row.id], with_service=True)
            items.append(hsds.finish(render, document))
        return total, items
    services = repository.rows_by_id(session, "service", {row.service_id for row in rows})
    organizations = repository.rows_by_id(session, "organization", {row.organization_id for row in services.values()})
    locations = repository.rows_by_id(session, "location", {row.location_id for row in rows})
    confidential = repository.confidential_location_ids(session, locations)
    areas = repository.first_addresses(session, confidential)
    items = []
    for row in rows:
        service = services.get(row.service_id)
        items.append(
            hsds.service_at_location_list_item(
                row,
                service,
                organizations.get(service.organization_id) if service is not None else None,
                locations.get(row.location_id),
                row.location_id in confidential,
                areas.get(row.location_id),
            )
        )
    return total, items


def list_organizations(session: Session, filters: ListFilters, offset: int, limit: int, *, full: bool = False) -> Page:
    total, rows = repository.list_organizations(session, filters, offset, limit)
    if not full:
        return total, [hsds.organization_list_item(row) for row in rows]
    graph = repository.load_graph(session, organization_ids=[row.id for row in rows])
    items = []
    for row in rows:
        render = hsds.Render(graph)
        items.append(hsds.finish(render, hsds.organization_document(render, graph.organization(row.id))))
    return total, items


def list_taxonomies(session: Session, filters: ListFilters, offset: int, limit: int) -> Page:
    total, rows = repository.list_taxonomies(session, filters, offset, limit)
    graph = repository.load_taxonomy_graph(session, taxonomy_ids=[row.id for row in rows])
    return total, [hsds.taxonomy_document(hsds.Render(graph), graph.rows["taxonomy"][row.id]) for row in rows]


def list_taxonomy_terms(session: Session, filters: ListFilters, offset: int, limit: int) -> Page:
    total, rows = repository.list_taxonomy_terms(session, filters, offset, limit)
    graph = repository.load_taxonomy_graph(session, term_ids=[row.id for row in rows])
    return total, [hsds.taxonomy_term_document(hsds.Render(graph), graph.rows["taxonomy_term"][row.id]) for row in rows]


# ------------------------------------------------------------------------------------------------------ demo


def gazetteer_places(gazetteer: dict[str, Any]) -> list[dict[str, Any]]:
    """Gazetteer rows from the demo format: neighbourhoods, postcodes and the postcode districts they imply.

    A district ("FH2") is placed at the mean of its neighbourhoods. Names that normalise to the same key keep
    the first place listed (neighbourhoods first, then postcodes, then districts).
    """
    places: dict[str, dict[str, Any]] = {}

    def add(kind: str, name: str, area: str | None, latitude: float, longitude: float) -> None:
        key = repository.normalize_place_name(name)
        if key and key not in places:
            places[key] = {
                "kind": kind, "name": name, "normalized_name": key, "area": area,
                "latitude": float(latitude), "longitude": float(longitude),
            }

    districts: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for place in gazetteer.get("neighbourhoods", []):
        add("neighbourhood", place["name"], None, place["latitude"], place["longitude"])
        if place.get("postcode_district"):
            districts[place["postcode_district"]].append((place["latitude"], place["longitude"]))
    for place in gazetteer.get("postcodes", []):
        add("postcode", place["postcode"], place.get("neighbourhood"), place["latitude"], place["longitude"])
    for district, points in sorted(districts.items()):
        add(
            "district", district, None,
            sum(point[0] for point in points) / len(points), sum(point[1] for point in points) / len(points),
        )
    centre = gazetteer.get("centre") or {}
    if gazetteer.get("city") and centre.get("latitude") is not None and centre.get("longitude") is not None:
        add("city", gazetteer["city"], None, centre["latitude"], centre["longitude"])  # "Fairhaven" finds the centre
    return list(places.values())


def load_gazetteer(session: Session, gazetteer: dict[str, Any]) -> tuple[int, int]:
    """Store the gazetteer's places. A postcode that a confidential location has is never stored (and removed if
    an older gazetteer put it there): a place a person can type must not lead to a refuge."""
    hidden = repository.confidential_postcode_keys(session)
    repository.delete_places(session, hidden)
    return repository.upsert_places(
        session, [place for place in gazetteer_places(gazetteer) if place["normalized_name"] not in hidden]
    )


def load_demo_data(session: Session) -> str:
    """Seed the taxonomies and load the fictional city of Fairhaven: its services and its gazetteer. Idempotent."""
    from carebridge.directory import demo

    ensure_carebridge_taxonomies(session)
    summary = import_documents(session, demo.load_services())
    created, updated = load_gazetteer(session, demo.load_gazetteer())
    return (
        "Loaded the FICTIONAL demo city of Fairhaven (not real services; do not use them to seek help).\n"
        f"{summary}\n"
        f"Gazetteer: {created} places created, {updated} updated."
    )
