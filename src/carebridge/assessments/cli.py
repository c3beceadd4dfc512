"""`carebridge assessments check-rules [FILE]`: check a needs-assessment category rules file (schema and meaning) and
run the tests kept beside it (FILE's name with .tests.yaml). Prints one `file:line: level: message` line per problem
and exits non-zero when something is wrong, so a change of the rules that breaks them fails CI. No database."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    assessments = subparsers.add_parser("assessments", help="needs assessments: check the category rules")
    actions = assessments.add_subparsers(dest="assessments_command", required=True)
    check = actions.add_parser("check-rules", help="check a category rules file and run the tests beside it")
    check.add_argument("file", nargs="?", type=Path, default=None,
                       help="the rules file (default: CAREBRIDGE_ASSESSMENT_RULES_FILE, or the shipped rules)")
    check.add_argument("-v", "--verbose", action="store_true", help="list passing tests too")
    check.set_defaults(func=_check_rules)


def _check_rules(args: argparse.Namespace) -> int:
    from carebridge.assessments import rules as category_rules

    if args.file is not None:
        path = args.file
    else:
        from carebridge.config import Settings

        path = category_rules.rules_path(Settings())
    try:
        rules = category_rules.load_file(path)
    except category_rules.RulesError as error:
        for problem in error.problems:
            print(problem)
        print(f"{len(error.problems)} error(s): the rules were refused")
        return 1
    print(f"{path}: rules version {rules.version}, {len(rules.rules)} rule(s): valid")
    tests = category_rules.tests_path(path)
    if not tests.exists():
        print(f"{tests}: error: no tests beside the rules")
        return 1
    results, problems = category_rules.run_tests(rules, tests)
    for problem in problems:
        print(problem)
    failed = 0
    for result in results:
        if result.passed:
            if args.verbose:
                print(f"{tests}:{result.line}: ok: {result.name}")
            continue
        failed += 1
        print(f"{tests}:{result.line}: error: {result.name}: {result.message}")
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed or problems else 0
