"""`carebridge screening check-instruments`: each instrument with its languages and every problem, naming the file;
exit status 1 when a file has a problem."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from carebridge.cli import main
from carebridge.screening import instruments


def _wording(code: str) -> dict:
    link_ids, option_codes = instruments._expected_keys(instruments.structure(code))
    return {"source": "Test", "licence": "Test", "preamble": "P", "items": {one: "T" for one in link_ids},
            "options": {one: "O" for one in option_codes}}


def test_lists_the_shipped_languages_and_why_rhs15_is_not_offered(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("CAREBRIDGE_RHS15_FILE", raising=False)
    assert main(["screening", "check-instruments", "--translations-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "phq-9: Patient Health Questionnaire (PHQ-9)\n  languages: en\n" in out
    assert "rhs-15: Refugee Health Screener-15 (RHS-15)\n  languages: none\n  not offered: RHS-15 is not offered" in out
    assert out.rstrip().endswith("0 problem(s)")


def test_offers_a_good_translation_and_names_a_bad_file(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    (tmp_path / "gad-7").mkdir()
    (tmp_path / "gad-7" / "ar.json").write_text(json.dumps(_wording("gad-7")), encoding="utf-8")
    broken = _wording("phq-9")
    del broken["items"]["item-9"]
    (tmp_path / "phq-9").mkdir()
    (tmp_path / "phq-9" / "fa.json").write_text(json.dumps(broken), encoding="utf-8")
    rhs = tmp_path / "rhs15.json"
    rhs.write_text(json.dumps(_wording("rhs-15")), encoding="utf-8")
    code = main(["screening", "check-instruments", "--translations-dir", str(tmp_path), "--rhs15-file", str(rhs)])
    out = capsys.readouterr().out
    assert code == 1
    assert "gad-7: Generalized Anxiety Disorder 7-item (GAD-7)\n  languages: en, ar\n" in out
    assert f"  problem: {tmp_path / 'phq-9' / 'fa.json'}: items: 'item-9' is missing" in out
    assert "rhs-15: Refugee Health Screener-15 (RHS-15)\n  languages: en\n" in out
    assert out.rstrip().endswith("1 problem(s)")


def test_the_installed_command_runs() -> None:
    completed = subprocess.run([sys.executable, "-m", "carebridge.cli", "screening", "check-instruments"],
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    assert "pc-ptsd-5: Primary Care PTSD Screen for DSM-5 (PC-PTSD-5)" in completed.stdout
