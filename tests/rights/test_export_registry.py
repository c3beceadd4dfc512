"""No domain's rows about a person can be forgotten by the complete copy: every table with a client_id column is
exported by a registered exporter, made by rights.service itself, or deliberately left out with a reason."""

from __future__ import annotations

from carebridge import db, domains
from carebridge.rights import exporting


def _tables_about_a_person() -> set[str]:
    domains.import_models()
    return {name for name, table in db.Base.metadata.tables.items() if "client_id" in table.columns}


def test_every_table_about_a_person_is_in_the_copy_or_left_out_with_a_reason():
    about_a_person = _tables_about_a_person()
    assert "assessment" in about_a_person and "client_note" in about_a_person  # the walk found the domains' tables
    covered = {table for exporter in exporting.EXPORTERS for table in exporter.tables} | set(exporting.OWN_TABLES)
    forgotten = about_a_person - covered - set(exporting.LEFT_OUT)
    assert not forgotten, (
        f"{sorted(forgotten)} hold rows about a person but no exporter in rights/exporting.py names them: add the "
        "domain's export.py to EXPORTERS, or add the table to LEFT_OUT with the reason it stays out of the copy"
    )


def test_the_registry_names_only_real_tables_each_once_and_reasons_are_given():
    about_a_person = _tables_about_a_person()
    named = [table for exporter in exporting.EXPORTERS for table in exporter.tables]
    named += list(exporting.OWN_TABLES) + list(exporting.LEFT_OUT)
    assert len(named) == len(set(named))
    assert set(named) <= about_a_person
    assert all(reason.strip() for reason in exporting.LEFT_OUT.values())


def test_every_exporter_is_importable():
    import importlib

    for exporter in exporting.EXPORTERS:
        module_name, _, attribute = exporter.function.partition(":")
        assert callable(getattr(importlib.import_module(module_name), attribute)), exporter.domain
