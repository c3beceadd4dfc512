"""`carebridge screening ...` commands: `check-instruments` validates the instruments and the validated
translations in the data folder (and the deployment's licensed RHS-15 file), printing each instrument with its
available languages and every problem found. Exit status 1 when a file has a problem. No database; no person."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    screening = subparsers.add_parser("screening", help="validated screening instruments")
    actions = screening.add_subparsers(dest="screening_command", required=True)
    check = actions.add_parser(
        "check-instruments",
        help="check the instruments, the validated translations and the RHS-15 licence file; list their languages",
    )
    check.add_argument("--translations-dir", type=Path, default=None,
                       help="folder of <instrument>/<language>.json (default: CAREBRIDGE_SCREENING_TRANSLATIONS_DIR)")
    check.add_argument("--rhs15-file", type=Path, default=None,
                       help="the licensed RHS-15 texts (default: CAREBRIDGE_RHS15_FILE)")
    check.set_defaults(func=_check_instruments)


def _check_instruments(args: argparse.Namespace) -> int:
    from carebridge.config import get_settings
    from carebridge.screening import instruments

    settings = get_settings()
    changes: dict[str, Any] = {}
    if args.translations_dir is not None:
        changes["screening_translations_dir"] = args.translations_dir
    if args.rhs15_file is not None:
        changes["rhs15_file"] = args.rhs15_file
    if changes:
        settings = settings.model_copy(update=changes)
    print(f"Validated translations: {settings.screening_translations_dir}")
    print(f"RHS-15 licensed texts: {settings.rhs15_file or '(none: RHS-15 is not offered)'}")
    problems = 0
    for check in instruments.check(settings):
        languages = ", ".join(check.languages) if check.languages else "none"
        print(f"{check.code}: {check.title}")
        print(f"  languages: {languages}")
        if check.unavailable:
            print(f"  not offered: {check.unavailable}")
        for problem in check.problems:
            print(f"  problem: {problem}")
        problems += len(check.problems)
    print(f"{problems} problem(s)")
    return 1 if problems else 0
