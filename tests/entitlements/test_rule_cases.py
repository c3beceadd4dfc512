"""The YAML rule tests beside the rules (rules/<CODE>.tests.yaml), one pytest item per case."""

from __future__ import annotations

import pytest

from carebridge.entitlements.rule_tests import collect_cases, run_case

CASES, PROBLEMS = collect_cases()


def test_the_case_files_are_valid_and_every_fact_row_is_tested():
    assert [str(problem) for problem in PROBLEMS] == []


def test_there_are_cases_for_all_six_jurisdictions():
    assert {case.jurisdiction for case in CASES} == {"GB-ENG", "DE", "IT", "ES", "FR", "SE"}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_rule_case(case):
    result = run_case(case)
    assert result.failures == [], f"{case.path}:{case.line}"
