"""`carebridge directory import|export`."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:  # noqa: SLF001
    directory = commands.add_parser("directory", help="the service directory (HSDS 3.1)")
    sub = directory.add_subparsers(dest="directory_command", required=True)
    importer = sub.add_parser("import", help="import HSDS JSON or NDJSON; all-or-nothing")
    importer.add_argument("file")
    importer.set_defaults(func=_not_ready)
    exporter = sub.add_parser("export", help="export the directory as HSDS 3.1")
    exporter.add_argument("--format", choices=["json", "ndjson"], default="json")
    exporter.add_argument("--output", "-o", default="-")
    exporter.set_defaults(func=_not_ready)


def _not_ready(_args: argparse.Namespace) -> int:
    raise SystemExit("not implemented yet")
