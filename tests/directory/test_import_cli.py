"""`carebridge directory import|export` end to end: a real process against a temporary SQLite file named by
CAREBRIDGE_DATABASE_URL. Exit codes, messages (never a traceback), all-or-nothing, idempotence, export formats and
the guarded backup of confidential addresses."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select
from test_hsds import SECRET_STREET, official_validator, schema_errors, uid, valid_service

from carebridge.cli import upgrade_database
from carebridge.db import make_engine
from carebridge.directory import models


class Carebridge:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.url = f"sqlite:///{directory / 'carebridge.db'}"

    def __call__(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "CAREBRIDGE_DATABASE_URL": self.url}
        result = subprocess.run(
            [sys.executable, "-m", "carebridge.cli", *args],
            input=stdin.decode() if stdin is not None else None,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def file(self, name: str, content: bytes | str | Any) -> str:
        path = self.directory / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content)
        else:
            path.write_bytes(orjson.dumps(content))
        return str(path)

    def count(self, model: type) -> int:
        engine = make_engine(self.url)
        try:
            with engine.connect() as connection:
                return int(connection.execute(select(func.count()).select_from(model)).scalar_one())
        finally:
            engine.dispose()


@pytest.fixture
def carebridge(tmp_path: Path) -> Carebridge:
    runner = Carebridge(tmp_path)
    upgrade_database(runner.url)
    return runner


def test_import_reports_what_it_did_and_reimport_changes_no_counts(carebridge: Carebridge) -> None:
    path = carebridge.file("services.json", [valid_service("a"), valid_service("b")])
    first = carebridge("directory", "import", path)
    assert first.returncode == 0, first.stderr
    assert "Imported 2 records." in first.stdout and "services: 2 created, 0 updated" in first.stdout
    assert "organizations: 2 created" in first.stdout and "locations: 2 created" in first.stdout
    phones = carebridge.count(models.Phone)
    second = carebridge("directory", "import", path)
    assert second.returncode == 0
    assert "services: 0 created, 2 updated" in second.stdout
    assert carebridge.count(models.Service) == 2 and carebridge.count(models.Phone) == phones


def test_ndjson_from_a_file_or_standard_input(carebridge: Carebridge) -> None:
    lines = b"\n".join(orjson.dumps(valid_service(key)) for key in ("a", "b", "c")) + b"\n"
    result = carebridge("directory", "import", carebridge.file("services.ndjson", lines))
    assert result.returncode == 0 and "Imported 3 records." in result.stdout
    piped = carebridge("directory", "import", "-", stdin=orjson.dumps(valid_service("d")))
    assert piped.returncode == 0 and "services: 1 created" in piped.stdout
    assert carebridge.count(models.Service) == 4


def test_an_invalid_file_is_refused_whole_with_every_problem_and_its_path(carebridge: Carebridge) -> None:
    bad = valid_service("bad")
    bad["service_at_locations"][0]["location"]["latitude"] = "north"
    wrong = valid_service("wrong")
    wrong["status"] = "open"
    result = carebridge("directory", "import", carebridge.file("mixed.json", [valid_service("good"), bad, wrong]))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "record 2 /service_at_locations/0/location/latitude: 'north' is not of type 'number'",
        "record 3 /status: 'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
        "Nothing was imported: 2 problems.",
    ]
    assert carebridge.count(models.Service) == 0 and carebridge.count(models.TaxonomyTerm) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file: the file is empty"),
        (bytes(range(256)) * 4, "file: the file is not JSON text: it contains zero bytes"),
        (b"\xff\xfe\xfa garbage", "file: the file is not UTF-8 text"),
        (b"{not json", "file: the file is not valid JSON"),
        (b"[1, 2]", "record 1: expected an HSDS record (a JSON object), found a number"),
        (b'"just a string"', "file: the file must hold an HSDS record"),
    ],
)
def test_files_that_are_not_hsds_get_a_clear_message(carebridge: Carebridge, content: bytes, message: str) -> None:
    result = carebridge("directory", "import", carebridge.file("input", content))
    assert result.returncode == 1
    assert message in result.stderr and "Nothing was imported" in result.stderr


def test_missing_files_and_unmigrated_databases_are_explained(carebridge: Carebridge, tmp_path: Path) -> None:
    missing = carebridge("directory", "import", str(tmp_path / "nowhere.json"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    folder = carebridge("directory", "import", str(tmp_path))
    assert folder.returncode == 1 and "cannot read" in folder.stderr
    fresh = Carebridge(tmp_path / "fresh")
    (tmp_path / "fresh").mkdir()
    result = fresh("directory", "import", carebridge.file("one.json", valid_service()))
    assert result.returncode == 1 and "carebridge db upgrade" in result.stderr


def test_record_type_can_be_given(carebridge: Carebridge, hsds_dir: Path) -> None:
    term = json.loads((hsds_dir / "examples" / "taxonomy_term.json").read_text())
    result = carebridge("directory", "import", "--type", "taxonomy_term", carebridge.file("term.json", term))
    assert result.returncode == 0, result.stderr
    assert "taxonomy terms: 1 created" in result.stdout


def test_export_writes_valid_hsds_as_a_page_or_ndjson(carebridge: Carebridge, hsds_dir: Path) -> None:
    assert carebridge("directory", "import", carebridge.file("in.json", [valid_service("a"), valid_service("b")])).returncode == 0
    result = carebridge("directory", "export")
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert page["total_items"] == page["size"] == 2 and page["total_pages"] == 1 and page["empty"] is False
    validator = official_validator(hsds_dir, "compiled/service.json")
    assert all(schema_errors(validator, document) == [] for document in page["contents"])
    target = carebridge.directory / "out.ndjson"
    written = carebridge("directory", "export", "--format", "ndjson", "--output", str(target))
    assert written.returncode == 0 and "Exported 2 services" in written.stderr
    lines = target.read_bytes().splitlines()
    assert sorted(orjson.loads(line)["id"] for line in lines) == sorted([uid("a", "service"), uid("b", "service")])
    # What was exported imports again unchanged.
    again = carebridge("directory", "import", str(target))
    assert again.returncode == 0 and "services: 0 created, 2 updated" in again.stdout and "warning" not in again.stderr


def test_an_empty_directory_exports_an_empty_page(carebridge: Carebridge) -> None:
    page = json.loads(carebridge("directory", "export").stdout)
    assert page["contents"] == [] and page["total_items"] == 0 and page["empty"] is True


def test_confidential_addresses_leave_only_in_a_private_backup_file(carebridge: Carebridge) -> None:
    carebridge("directory", "import", carebridge.file("in.json", [valid_service("refuge", confidential=True)]))
    public = carebridge("directory", "export")
    assert public.returncode == 0 and SECRET_STREET not in public.stdout
    refused = carebridge("directory", "export", "--include-confidential")
    assert refused.returncode == 2 and refused.stdout == "" and "needs --output FILE" in refused.stderr
    backup = carebridge.directory / "backup.json"
    written = carebridge("directory", "export", "--include-confidential", "--output", str(backup))
    assert written.returncode == 0 and "WARNING" in written.stderr and "CONFIDENTIAL" in written.stderr
    assert SECRET_STREET in backup.read_text()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert not list(carebridge.directory.glob(".backup.json.*"))  # no temporary file left behind


def test_a_reader_that_stops_early_is_not_an_error(carebridge: Carebridge) -> None:
    carebridge("directory", "import", carebridge.file("many.json", [valid_service(f"s{number}") for number in range(40)]))
    process = subprocess.Popen(
        [sys.executable, "-m", "carebridge.cli", "directory", "export"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CAREBRIDGE_DATABASE_URL": carebridge.url},
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100).startswith(b'{"contents": [')
    process.stdout.close()  # like `| head -c 100`
    assert process.wait(timeout=120) == 0
    assert process.stderr.read() == b""
