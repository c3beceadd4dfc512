"""The category rules kept as data: the shipped file loads, its tests beside it pass (run here and by the CLI), every
answer set gets exactly one category and raising a score never lowers it (hypothesis), and a file with a defect is
refused with an error naming the line, never a crash."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from carebridge.assessments import rules
from carebridge.assessments.rules import CATEGORIES, DOMAINS, SCORES, RulesError

SHIPPED = rules.load_file(rules.SHIPPED)
DOCUMENT = yaml.safe_load(rules.SHIPPED.read_text(encoding="utf-8"))
answers = st.fixed_dictionaries({domain: st.one_of(st.none(), st.sampled_from(SCORES)) for domain in DOMAINS})


def _cases():
    return yaml.safe_load(rules.tests_path(rules.SHIPPED).read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case["name"])
def test_the_tests_beside_the_rules(case) -> None:  # noqa: ANN001
    match = SHIPPED.categorise(case["scores"])
    assert (match.category, match.rule.id) == (case["category"], case["rule"])


def test_run_tests_reports_every_case_passing() -> None:
    results, problems = rules.run_tests(SHIPPED, rules.tests_path(rules.SHIPPED))
    assert problems == [] and results and all(result.passed for result in results)


def test_the_rules_say_which_answers_led_to_the_category() -> None:
    match = SHIPPED.categorise({"housing": 4, "finances": 3, "language": 1, "health": 2})
    assert match.rule.id == "eviction-compounded"
    assert match.used == {"housing": 4, "finances": 3}
    assert "eviction" in match.rule.text("en") and match.rule.text("ar") != match.rule.text("en")


@settings(max_examples=300, deadline=None)
@given(answers)
def test_every_answer_set_gets_exactly_one_category(scores) -> None:  # noqa: ANN001
    match = SHIPPED.categorise(scores)
    assert match.category in CATEGORIES
    first = [rule for rule in SHIPPED.rules if rule.holds(scores)][0]
    assert first is match.rule


@settings(max_examples=300, deadline=None)
@given(answers, st.sampled_from(DOMAINS), st.sampled_from(SCORES))
def test_raising_a_score_never_lowers_the_category(scores, domain, raised) -> None:  # noqa: ANN001
    if (scores[domain] or 0) >= raised:
        return
    higher = {**scores, domain: raised}
    before = CATEGORIES.index(SHIPPED.categorise(scores).category)
    after = CATEGORIES.index(SHIPPED.categorise(higher).category)
    assert after >= before


def _write(tmp_path: Path, document) -> Path:  # noqa: ANN001
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _refused(tmp_path: Path, document) -> list:  # noqa: ANN001
    with pytest.raises(RulesError) as error:
        rules.load_file(_write(tmp_path, document))
    assert error.value.problems and all(problem.line >= 1 for problem in error.value.problems)
    return error.value.problems


def test_an_unknown_domain_is_named_with_its_line(tmp_path: Path) -> None:
    document = copy.deepcopy(DOCUMENT)
    document["rules"][0]["all"][0]["domain"] = "immigration-status"
    problems = _refused(tmp_path, document)
    assert "unknown domain 'immigration-status'" in str(problems[0]) and problems[0].line > 10


@pytest.mark.parametrize(
    ("defect", "message"),
    [
        (lambda d: d["rules"][0]["all"][0].update(at_least=5), "out of range"),
        (lambda d: d["rules"][1].update(id=d["rules"][0]["id"]), "already used"),
        (lambda d: d["rules"].pop(), "otherwise"),
        (lambda d: d["rules"].insert(0, {**copy.deepcopy(d["rules"][-1]), "id": "too-early", "category": "critical"}),
         "never give"),
        (lambda d: d["rules"].reverse(), "order the rules"),
        (lambda d: d["rules"].__setitem__(slice(0, 3), []), "no rule gives the category 'critical'"),
        (lambda d: d["rules"][0].update(when="always"), "unknown key"),
        (lambda d: d["categories"].reverse(), "categories must be"),
        (lambda d: d.pop("version"), "version"),
        (lambda d: d["rules"][2]["all"][1].update(count=10), "can never hold"),
        (lambda d: d["rules"][6].update(all=[{"count": 1, "at_least": 3}]), "never give"),
    ],
)
def test_a_defect_is_refused_with_a_clear_error(tmp_path: Path, defect, message: str) -> None:  # noqa: ANN001
    document = copy.deepcopy(DOCUMENT)
    defect(document)
    problems = _refused(tmp_path, document)
    assert any(message in str(problem) for problem in problems), [str(problem) for problem in problems]


def _paths(node, prefix=()):  # noqa: ANN001, ANN202
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


ALL_PATHS = [path for path in _paths(DOCUMENT) if path]
JUNK = st.one_of(st.none(), st.integers(-3, 9), st.text(max_size=8), st.booleans(), st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=4), st.integers(), max_size=2), st.sampled_from(["housing", "nowhere"]))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(ALL_PATHS), JUNK, st.booleans())
def test_a_random_defect_is_an_error_never_a_crash(tmp_path_factory, path, junk, delete) -> None:  # noqa: ANN001
    document = copy.deepcopy(DOCUMENT)
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = junk
    target = _write(tmp_path_factory.mktemp("defect"), document)
    try:
        loaded = rules.load_file(target)
    except RulesError as error:
        assert error.problems
        return
    # Some changes are no defect at all (a text changed to another text): then the file is still a valid rulebook.
    for scores in ({}, {"safety": 4}, {"language": 2}):
        assert loaded.categorise(scores).category in CATEGORIES


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_refused_or_loaded_never_a_crash(tmp_path_factory, text: str) -> None:  # noqa: ANN001
    target = tmp_path_factory.mktemp("text") / "rules.yaml"
    target.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError):
        rules.load_file(target)


def test_the_settings_choose_the_file(tmp_path: Path) -> None:
    document = copy.deepcopy(DOCUMENT)
    document["version"] = "local-1"
    path = _write(tmp_path, document)

    class Local:
        assessment_rules_file = path

    assert rules.load_rules(Local()).version == "local-1"
    assert rules.load_rules(None).version == DOCUMENT["version"]


def test_the_command_checks_the_rules_and_runs_their_tests(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "carebridge.cli", "assessments", "check-rules"]
    shipped = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert shipped.returncode == 0, shipped.stdout + shipped.stderr
    assert "passed, 0 failed" in shipped.stdout

    document = copy.deepcopy(DOCUMENT)
    document["rules"][0]["all"][0]["domain"] = "nowhere"
    broken = subprocess.run([*command, str(_write(tmp_path, document))], capture_output=True, text=True, timeout=120,
                            check=False)
    assert broken.returncode == 1 and "unknown domain 'nowhere'" in broken.stdout and "Traceback" not in broken.stderr

    (tmp_path / "rules.tests.yaml").write_text(
        "- name: wrong on purpose\n  scores: {safety: 4}\n  category: resilience\n", encoding="utf-8"
    )
    failing = subprocess.run([*command, str(_write(tmp_path, DOCUMENT))], capture_output=True, text=True, timeout=120,
                             check=False)
    assert failing.returncode == 1 and "rules.tests.yaml:1: error: wrong on purpose" in failing.stdout
