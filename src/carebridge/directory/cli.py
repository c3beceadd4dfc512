"""`carebridge directory import FILE`, `carebridge directory export` and `carebridge directory declassify`.

Import is all or nothing: every problem is printed as `record 3 /path/to/field: what is wrong` and nothing is
written unless the whole file is valid. Export streams every service as HSDS 3.1 JSON (an HSDS page) or NDJSON,
with confidential locations redacted unless `--include-confidential` is given for a backup file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy.exc import SQLAlchemyError

from carebridge.errors import InvalidInput

MAX_IMPORT_BYTES = 512 * 1024 * 1024


def register(commands: argparse._SubParsersAction) -> None:  # noqa: SLF001
    directory = commands.add_parser("directory", help="the service directory (HSDS 3.1)")
    sub = directory.add_subparsers(dest="directory_command", required=True)

    importer = sub.add_parser(
        "import",
        help="import HSDS JSON or NDJSON; all-or-nothing",
        description="Import HSDS 3.1 records: one object, an array, an HSDS page ({\"contents\": [...]}) or NDJSON. "
        "Everything is validated first; nothing is written if anything is wrong. Re-importing a record updates it.",
    )
    importer.add_argument("file", help="the file to import, or - for standard input")
    importer.add_argument(
        "--type",
        choices=["service", "organization", "service_at_location", "location", "taxonomy", "taxonomy_term"],
        default=None,
        help="what every record in the file is (default: told apart by their fields)",
    )
    importer.set_defaults(func=import_command)

    exporter = sub.add_parser(
        "export",
        help="export the directory as HSDS 3.1",
        description="Write every service as a full HSDS 3.1 record. Confidential locations are redacted.",
    )
    exporter.add_argument("--format", choices=["json", "ndjson"], default="json")
    exporter.add_argument("--output", "-o", default="-", help="file to write (default: standard output)")
    exporter.add_argument(
        "--include-confidential",
        action="store_true",
        help="include the street address and position of confidential locations (a backup, never for "
        "publication); needs --output, and the file is readable by its owner only",
    )
    exporter.set_defaults(func=export_command)

    declassifier = sub.add_parser(
        "declassify",
        help="make a confidential location public (recorded; imports never do this)",
        description="Remove the confidential-address mark from one location, so that its name, address and position "
        "are published from now on. Confidentiality is sticky: no import removes it, only this command, which asks "
        "for confirmation and records the location id, the reason and the time.",
    )
    declassifier.add_argument("location_id", metavar="LOCATION_ID", help="the id of the confidential location")
    declassifier.add_argument("--reason", required=True, help="why its address may now be published (recorded)")
    declassifier.add_argument("--yes", action="store_true", help="do not ask for confirmation (for scripts)")
    declassifier.set_defaults(func=declassify_command)


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def import_command(args: argparse.Namespace) -> int:
    from carebridge.db import session_scope
    from carebridge.directory import hsds
    from carebridge.directory.service import import_documents

    try:
        data = _read_input(args.file)
    except OSError as error:
        _say(f"carebridge: cannot read {args.file}: {error.strerror or error}")
        return 1
    if data is None:
        _say(f"carebridge: {args.file} is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB; split it into several files")
        return 1
    try:
        records = hsds.read_records(data)
        with session_scope() as session:
            summary = import_documents(session, records, record_type=args.type)
    except InvalidInput as error:
        for line in hsds.problems_as_text(error.errors):
            _say(line)
        count = error.params.get("count", len(error.errors))
        _say(f"Nothing was imported: {count} problem{'s' if count != 1 else ''}.")
        return 1
    except SQLAlchemyError as error:
        _say(f"carebridge: the database refused the import ({type(error).__name__}); nothing was imported.")
        _say("Is the database set up? Run `carebridge db upgrade`.")
        return 1
    for line in hsds.problems_as_text(summary.warnings):
        _say(f"warning: {line}")
    print(summary)
    return 0


def _read_input(name: str) -> bytes | None:
    if name == "-":
        data = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1)
    else:
        with open(name, "rb") as file:
            data = file.read(MAX_IMPORT_BYTES + 1)
    return None if len(data) > MAX_IMPORT_BYTES else data


def export_command(args: argparse.Namespace) -> int:
    from carebridge.db import session_scope

    to_stdout = args.output == "-"
    if args.include_confidential and to_stdout:
        _say(
            "carebridge: --include-confidential writes the addresses of confidential places (refuges, safe houses); "
            "it needs --output FILE and will not write them to the terminal or a pipe."
        )
        return 2
    if args.include_confidential:
        _say(
            "WARNING: this export contains the street addresses and exact positions of CONFIDENTIAL locations. "
            "Keep it as a private backup; never publish or share it."
        )
    try:
        with session_scope() as session:
            if to_stdout:
                count = write_export(session, sys.stdout.buffer, args.format, redact=True)
            else:
                count = _export_to_file(session, Path(args.output), args.format, redact=not args.include_confidential)
    except BrokenPipeError:
        # The reader stopped early (`| head`): not an error worth a message. Point stdout at nothing so that
        # Python's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        _say(f"carebridge: cannot write {args.output}: {error.strerror or error}")
        return 1
    except SQLAlchemyError as error:
        _say(f"carebridge: could not read the directory ({type(error).__name__}). Run `carebridge db upgrade`?")
        return 1
    if not to_stdout:
        _say(f"Exported {count} services to {args.output}.")
    return 0


def _export_to_file(session: Any, path: Path, export_format: str, *, redact: bool) -> int:
    """Write beside the target and rename, so a failed export never leaves half a file; owner-only when the
    export holds confidential addresses."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    try:
        os.fchmod(handle, 0o600 if not redact else 0o644)
        with os.fdopen(handle, "wb") as file:
            count = write_export(session, file, export_format, redact=redact)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def write_export(session: Any, out: IO[bytes], export_format: str, *, redact: bool = True) -> int:
    """Stream every service to `out`. JSON is an HSDS page holding all services (its counters come after the
    contents, so that nothing has to be held in memory); NDJSON is one service per line."""
    from carebridge.directory.service import export_services

    count = 0
    if export_format == "ndjson":
        for document in export_services(session, redact=redact):
            out.write(orjson.dumps(document) + b"\n")
            count += 1
        out.flush()
        return count
    out.write(b'{"contents": [')
    for document in export_services(session, redact=redact):
        out.write((b",\n" if count else b"\n") + orjson.dumps(document))
        count += 1
    summary = {
        "total_items": count,
        "total_pages": 1,
        "page_number": 1,
        "size": count,
        "first_page": True,
        "last_page": True,
        "empty": count == 0,
    }
    out.write(b"\n],\n" + orjson.dumps(summary)[1:] + b"\n")
    out.flush()
    return count


def declassify_command(args: argparse.Namespace) -> int:
    from carebridge.kit import clock

    from carebridge.db import session_scope
    from carebridge.directory.service import declassify
    from carebridge.errors import NotFound

    if not args.reason.strip():
        _say("carebridge: give the reason with --reason TEXT; it is recorded.")
        return 2
    if not args.yes:
        _say(
            f"Location {args.location_id} will no longer be confidential: its name, street address and position "
            "will be published by the finder, the API and the export."
        )
        try:
            answer = input("Type yes to make it public: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            _say("Nothing was changed.")
            return 1
    try:
        with session_scope() as session:
            declassify(session, args.location_id, args.reason, clock.utc_now())
    except NotFound:
        _say(f"carebridge: no confidential location has the id {args.location_id}; nothing was changed.")
        return 1
    except SQLAlchemyError as error:
        _say(f"carebridge: the database refused the change ({type(error).__name__}); nothing was changed.")
        return 1
    _say(f"Location {args.location_id} is no longer confidential; the change is recorded.")
    return 0
