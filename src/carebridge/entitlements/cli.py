"""`carebridge entitlements validate` and `carebridge entitlements test`.

Both print one `file:line: level: message` line per problem (the format editors and CI annotate) and exit
non-zero when something is wrong, so a pull request that breaks a rules base fails CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:  # noqa: SLF001 - argparse has no public type for it
    entitlements = commands.add_parser("entitlements", help="entitlement rules bases: validate and test them")
    actions = entitlements.add_subparsers(dest="entitlements_command", required=True)

    validate = actions.add_parser("validate", help="check every rules base: schema, sources, ties, gaps, reviews")
    validate.add_argument("--rules-dir", type=Path, default=None, help="folder of <CODE>.yaml files")
    validate.add_argument("--today", type=dt.date.fromisoformat, default=None,
                          help="date to judge review ages against (default: today)")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.set_defaults(func=_validate)

    test = actions.add_parser("test", help="run the rule tests in rules/<CODE>.tests.yaml")
    test.add_argument("--rules-dir", type=Path, default=None, help="folder of <CODE>.yaml and <CODE>.tests.yaml")
    test.add_argument("-k", dest="keyword", default=None, help="only cases whose name contains this text")
    test.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")
    test.set_defaults(func=_test)


def _validate(args: argparse.Namespace) -> int:
    from carebridge.entitlements.validation import validate

    problems = validate(args.rules_dir, today=args.today)
    for problem in problems:
        print(problem)
    errors = sum(problem.level == "error" for problem in problems)
    warnings = len(problems) - errors
    print(f"{errors} error(s), {warnings} warning(s)")
    return 1 if errors or (args.strict and warnings) else 0


def _test(args: argparse.Namespace) -> int:
    from carebridge.entitlements.rule_tests import collect_cases, run_case

    cases, problems = collect_cases(args.rules_dir)
    for problem in problems:
        print(problem)
    failed = 0
    selected = [case for case in cases if not args.keyword or args.keyword.lower() in case.spec.name.lower()]
    for case in selected:
        result = run_case(case, args.rules_dir)
        if result.passed:
            if args.verbose:
                print(f"{case.path}:{case.line}: ok: {case.id}")
            continue
        failed += 1
        for failure in result.failures:
            print(f"{case.path}:{case.line}: error: {case.id}: {failure}")
    print(f"{len(selected) - failed} passed, {failed} failed")
    return 1 if failed or any(problem.level == "error" for problem in problems) else 0
