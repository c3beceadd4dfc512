"""`validate`: the six seeded bases are clean, and each kind of mistake is reported with its file and line."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path

import pytest

from carebridge.entitlements.rulebook import RULES_DIR, compile_file
from carebridge.entitlements.validation import validate

TODAY = dt.date(2026, 11, 22)


def test_the_six_seeded_bases_validate_cleanly():
    assert [str(problem) for problem in validate(today=TODAY)] == []


def test_a_review_older_than_twelve_months_is_reported():
    problems = validate(today=dt.date(2027, 11, 23))
    assert problems and {problem.code for problem in problems} == {"stale"}


HEADER = """\
jurisdiction: XX
name: Testland
country_name: Testland
where_to_ask: Ask someone.
facts:
  - {id: xx-fact, summary: A fact., source: A source.}
rules:
"""

RULE = """\
  - id: {id}
    implements: [xx-fact]
    groups: {groups}
    when: {when}
    categories: {categories}
    outcome: {outcome}
    upfront_payment: false
    cost: Free.
    steps: [Go.]
    explanation: You can go.
    sources:
      - {{citation: A law, url: "https://example.org/law"}}
    confidence: primary
    valid_from: 2020-01-01
    last_reviewed: 2026-11-01
    reviewer: Test
    review: pending
    taken_from: Test guide
"""

CATCH_ALL_GAP = """\
gaps:
  - id: xx-gap
    groups: everyone
    categories: all
    reason: Not known.
    ask: Ask someone.
    last_reviewed: 2026-11-01
    reviewer: Test
    review: pending
    taken_from: Test guide
"""


def base(tmp_path: Path, *rules: dict, gaps: str = "") -> Path:
    body = HEADER
    for rule in rules:
        values = {"groups": "everyone", "when": "true", "categories": "all", "outcome": "covered-free", **rule}
        body += RULE.format(**values)
    (tmp_path / "XX.yaml").write_text(body + gaps)
    return tmp_path


def codes(problems):
    return sorted({problem.code for problem in problems})


def test_a_minimal_base_is_clean(tmp_path):
    assert validate(base(tmp_path, {"id": "xx-a"}), today=TODAY) == []


def test_schema_errors_give_the_line_of_the_field(tmp_path):
    directory = base(tmp_path, {"id": "xx-a", "outcome": "free-ish"})
    [problem] = validate(directory, today=TODAY)
    assert problem.code == "schema" and problem.line == 13 and "rules.0.outcome" in problem.message


def test_condition_errors_give_the_line_of_the_condition(tmp_path):
    directory = base(tmp_path, {"id": "xx-a", "when": "age >"})
    [problem] = validate(directory, today=TODAY)
    assert problem.code == "condition" and problem.line == 11 and "stops too early" in problem.message


def test_duplicate_keys_and_ids_are_reported(tmp_path):
    directory = base(tmp_path, {"id": "xx-a"}, {"id": "xx-a", "groups": "[student]"})
    assert codes(validate(directory, today=TODAY)) == ["duplicate-id"]
    (tmp_path / "XX.yaml").write_text(HEADER.replace("name: Testland\n", "name: Testland\nname: Again\n"))
    assert "duplicate-key" in codes(validate(tmp_path, today=TODAY))


def test_equally_specific_rules_that_disagree_are_a_tie(tmp_path):
    directory = base(tmp_path, {"id": "xx-a", "when": "pregnant"},
                     {"id": "xx-b", "when": "age < 18", "outcome": "covered-limited"}, gaps=CATCH_ALL_GAP)
    problems = validate(directory, today=TODAY)
    assert codes(problems) == ["tie"]
    assert "pregnant=yes" in problems[0].message and "age=" in problems[0].message


def test_a_more_specific_rule_wins_without_complaint(tmp_path):
    directory = base(tmp_path, {"id": "xx-a", "groups": "[student]"},
                     {"id": "xx-b", "groups": "[student]", "when": "pregnant", "outcome": "covered-limited"},
                     gaps=CATCH_ALL_GAP)
    assert validate(directory, today=TODAY) == []


def test_uncovered_status_and_category_is_a_gap(tmp_path):
    directory = base(tmp_path, {"id": "xx-a", "groups": "[student]", "categories": "[dental]"}, gaps="")
    problems = validate(directory, today=TODAY)
    assert codes(problems) == ["gap"]
    assert "emergency" in " ".join(p.message for p in problems)


def test_a_condition_with_a_hole_is_a_gap(tmp_path):
    directory = base(tmp_path, {"id": "xx-a", "when": "age >= 18"}, gaps="")
    problems = validate(directory, today=TODAY)
    assert codes(problems) == ["gap"] and "age=0" in problems[0].message


def test_a_rule_that_can_never_win_is_reported(tmp_path):
    directory = base(tmp_path, {"id": "xx-a", "when": "pregnant and age < 18", "groups": "[student]"},
                     {"id": "xx-b", "when": "pregnant and age < 18 and age >= 18", "outcome": "covered-limited"},
                     gaps=CATCH_ALL_GAP)
    assert "unused" in codes(validate(directory, today=TODAY))


def test_crossing_exceptions_are_a_warning(tmp_path):
    # xx-b wins over xx-a for pregnant students only because it names fewer statuses.
    directory = base(tmp_path, {"id": "xx-a", "when": "pregnant"},
                     {"id": "xx-b", "groups": "[student, visitor]", "when": "age < 18", "outcome": "covered-limited"},
                     gaps=CATCH_ALL_GAP)
    problems = validate(directory, today=TODAY)
    assert codes(problems) == ["crossing"] and problems[0].level == "warning"


def test_a_disclosure_fact_whose_yes_gives_less_care_is_an_error(tmp_path):
    # The engine assumes "no" when trafficking is not answered: that is only safe if "yes" never gives less.
    directory = base(tmp_path, {"id": "xx-a"},
                     {"id": "xx-b", "when": "trafficking_victim", "outcome": "emergency-only"})
    problems = validate(directory, today=TODAY)
    assert codes(problems) == ["disclosure-worse"]
    [problem] = problems
    assert problem.level == "error" and problem.line == 26 and "xx-b gives emergency-only" in problem.message


def test_a_disclosure_fact_whose_yes_gives_more_care_is_fine(tmp_path):
    # As in England: the torture exemption steps aside where the fuller trafficking exemption applies.
    directory = base(tmp_path, {"id": "xx-a", "outcome": "covered-with-charges"},
                     {"id": "xx-b", "when": "torture_or_violence_survivor and not trafficking_victim",
                      "outcome": "covered-limited"},
                     {"id": "xx-c", "when": "trafficking_victim"})
    assert validate(directory, today=TODAY) == []
    # Without that, a torture "yes" would move a trafficked person from free care to limited care.
    directory = base(tmp_path, {"id": "xx-a", "outcome": "covered-with-charges"},
                     {"id": "xx-b", "when": "torture_or_violence_survivor", "outcome": "covered-limited"},
                     {"id": "xx-c", "when": "trafficking_victim and not torture_or_violence_survivor"})
    problems = [p for p in validate(directory, today=TODAY) if p.code == "disclosure-worse"]
    assert len(problems) == 1 and "torture_or_violence_survivor is yes" in problems[0].message


def test_missing_sources_and_future_reviews_are_errors(tmp_path):
    directory = base(tmp_path, {"id": "xx-a"})
    path = directory / "XX.yaml"
    text = path.read_text().replace('      - {citation: A law, url: "https://example.org/law"}\n', "")
    path.write_text(text.replace("    sources:\n", "    sources: []\n").replace("2026-11-01\n    reviewer: Test\n",
                                                                                "2027-01-01\n    reviewer: Test\n", 1))
    assert codes(validate(directory, today=TODAY)) == ["missing-source", "review-date"]


def test_a_fact_row_no_rule_implements_is_an_error(tmp_path):
    directory = base(tmp_path, {"id": "xx-a"})
    path = directory / "XX.yaml"
    path.write_text(path.read_text().replace("    implements: [xx-fact]\n", ""))
    assert codes(validate(directory, today=TODAY)) == ["fact-not-encoded"]


@pytest.mark.parametrize("code", ["GB-ENG", "DE", "IT", "ES", "FR", "SE"])
def test_each_seeded_file_compiles_on_its_own(code, tmp_path):
    shutil.copy(RULES_DIR / f"{code}.yaml", tmp_path)
    rulebook, problems = compile_file(tmp_path / f"{code}.yaml")
    assert rulebook is not None and problems == []
    assert all(rule.sources for rule in rulebook.rules)


def test_the_file_format_example_in_the_docs_is_valid(tmp_path):
    docs = (Path(__file__).resolve().parents[2] / "docs" / "entitlements.md").read_text()
    example = textwrap.dedent(docs.split("```yaml\n", 1)[1].split("```", 1)[0])
    code = example.split("jurisdiction:", 1)[1].split()[0]
    (tmp_path / f"{code}.yaml").write_text(example)
    rulebook, problems = compile_file(tmp_path / f"{code}.yaml")
    assert problems == [] and rulebook is not None
    assert validate(tmp_path, today=TODAY) == []
