"""`carebridge entitlements validate` and `carebridge entitlements test`."""

from __future__ import annotations

import shutil

from carebridge.cli import main
from carebridge.entitlements.rulebook import RULES_DIR


def test_validate_passes_on_the_seeded_bases(capsys):
    assert main(["entitlements", "validate", "--today", "2026-11-22", "--strict"]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_test_runs_every_case(capsys):
    assert main(["entitlements", "test"]) == 0
    assert " passed, 0 failed" in capsys.readouterr().out


def test_a_broken_base_fails_with_file_and_line(tmp_path, capsys):
    for path in RULES_DIR.glob("SE*.yaml"):
        shutil.copy(path, tmp_path)
    rules = tmp_path / "SE.yaml"
    rules.write_text(rules.read_text().replace("when: age >= 18\n    categories: [emergency]",
                                               "when: age >= eighteen\n    categories: [emergency]"))
    assert main(["entitlements", "validate", "--rules-dir", str(tmp_path)]) == 1
    output = capsys.readouterr().out
    assert f"{rules}:" in output and "error" in output and "condition" in output


def test_a_failing_case_fails_the_test_command(tmp_path, capsys):
    for path in RULES_DIR.glob("IT*.yaml"):
        shutil.copy(path, tmp_path)
    cases = tmp_path / "IT.tests.yaml"
    cases.write_text(cases.read_text().replace("hospital-care: covered-limited", "hospital-care: covered-free"))
    assert main(["entitlements", "test", "--rules-dir", str(tmp_path)]) == 1
    assert "expected outcome 'covered-free', got 'covered-limited'" in capsys.readouterr().out
