"""The instruments as data: the shipped FHIR Questionnaires (valid R4B, LOINC codes, the fixed linkIds, the published
English wording), validated translations from the data folder (a fake Arabic file is offered; a bad file is refused
and named), RHS-15 only with the deployment's licensed file, and the cache that notices a changed file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from carebridge.config import Settings
from carebridge.screening import instruments

PHQ9_LOINC = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]
GAD7_LOINC = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
FREQUENCY = [("LA6568-5", 0, "Not at all"), ("LA6569-3", 1, "Several days"), ("LA6570-1", 2, "More than half the days"),
             ("LA6571-9", 3, "Nearly every day")]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(screening_translations_dir=tmp_path / "translations", rhs15_file=None)


def wording(code: str, **overrides: object) -> dict:
    """A complete wording file for `code` (fake texts), with `overrides` applied."""
    link_ids, option_codes = instruments._expected_keys(instruments.structure(code))
    data = {
        "source": "Test translation, not validated (tests only)",
        "licence": "Test only",
        "preamble": "مقدمة الاختبار",
        "items": {link_id: f"سؤال {link_id}" for link_id in link_ids},
        "options": {code_: f"جواب {code_}" for code_ in option_codes},
    }
    data.update(overrides)
    return data


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("code", instruments.INSTRUMENTS)
def test_each_shipped_questionnaire_is_a_valid_r4b_questionnaire(code: str) -> None:
    resource = json.loads((instruments.QUESTIONNAIRE_DIR / f"{code}.json").read_text(encoding="utf-8"))
    Questionnaire.model_validate(resource)
    assert resource["id"] == code and resource["status"] == "active"
    assert resource["url"] == f"https://carebridge.example/fhir/Questionnaire/{code}" and resource["version"]
    assert instruments.canonical(code) == f"{resource['url']}|{resource['version']}"


def test_phq9_codes_linkids_and_published_wording(settings: Settings) -> None:
    phq9 = instruments.get("phq-9", "en", settings)
    assert phq9 is not None and phq9.loinc_panel == "44249-1" and phq9.loinc_total == "44261-6"
    assert [item.link_id for item in phq9.items] == [f"item-{n}" for n in range(1, 10)] + ["difficulty"]
    assert [item.loinc for item in phq9.items[:9]] == PHQ9_LOINC
    assert phq9.items[9].loinc == "69722-7" and phq9.items[9].required is False
    assert all(item.required for item in phq9.items[:9])
    for item in phq9.items[:9]:
        assert [(option.code, option.value, option.text) for option in item.options] == FREQUENCY
    assert phq9.preamble == "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    assert phq9.items[0].text == "Little interest or pleasure in doing things"
    assert phq9.items[8].text == "Thoughts that you would be better off dead or of hurting yourself in some way"
    assert phq9.items[9].text.startswith("If you checked off any problems, how difficult have these problems made it")
    assert [option.text for option in phq9.items[9].options] == [
        "Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"]
    assert "No permission required to reproduce, translate, display or distribute" in phq9.licence
    assert "Kroenke" in phq9.source


def test_gad7_codes_linkids_and_published_wording(settings: Settings) -> None:
    gad7 = instruments.get("gad-7", "en", settings)
    assert gad7 is not None and gad7.loinc_panel == "69737-5" and gad7.loinc_total == "70274-6"
    assert [item.link_id for item in gad7.items] == [f"item-{n}" for n in range(1, 8)]
    assert [item.loinc for item in gad7.items] == GAD7_LOINC
    assert gad7.preamble == "Over the last 2 weeks, how often have you been bothered by the following problems?"
    assert gad7.items[0].text == "Feeling nervous, anxious or on edge"
    assert gad7.items[6].text == "Feeling afraid as if something awful might happen"
    for item in gad7.items:
        assert [(option.code, option.value, option.text) for option in item.options] == FREQUENCY


def test_pc_ptsd5_exposure_gate_and_public_domain_source(settings: Settings) -> None:
    ptsd = instruments.get("pc-ptsd-5", "en", settings)
    assert ptsd is not None and ptsd.loinc_panel is None and ptsd.loinc_total is None
    assert [item.link_id for item in ptsd.items] == ["exposure"] + [f"item-{n}" for n in range(1, 6)]
    assert ptsd.items[0].text == "Have you ever experienced this kind of event?"
    assert ptsd.items[0].enable_when is None
    assert [(option.value, option.text) for option in ptsd.items[0].options] == [(0, "No"), (1, "Yes")]
    assert all(item.enable_when == ("exposure", 1) for item in ptsd.items[1:])
    assert ptsd.items[1].instruction == "In the past month, have you:"
    assert all(item.instruction is None for item in ptsd.items[2:])
    assert ptsd.preamble.startswith("Sometimes things happen to people that are unusually or especially frightening")
    assert "public domain" in ptsd.licence and "Prins" in ptsd.source and "ptsd.va.gov" in ptsd.source
    codes = [coding["code"] for item in ptsd.questionnaire["item"] for coding in item.get("code", [])]
    assert codes == ["pc-ptsd-5-exposure"] + [f"pc-ptsd-5-item-{n}" for n in range(1, 6)]


def test_rhs15_ships_structure_only_and_is_not_offered_without_the_licensed_file(settings: Settings) -> None:
    resource = instruments.structure("rhs-15")
    link_ids = [item["linkId"] for item in resource["item"] if item["type"] != "display"]
    assert link_ids == [f"item-{n}" for n in range(1, 16)]
    assert [option["valueCoding"]["code"] for option in resource["item"][1]["answerOption"]] == [
        f"rhs-15-scale-{n}" for n in range(5)]
    assert len(resource["item"][15]["answerOption"]) == 11
    assert all("display" not in option["valueCoding"] for option in resource["item"][1]["answerOption"])
    assert instruments.languages("rhs-15", settings) == ()
    assert instruments.get("rhs-15", "en", settings) is None
    assert "licensed" in (instruments.unavailable_reason("rhs-15", settings) or "")


def test_rhs15_is_offered_with_the_licensed_file(settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "rhs15.json", wording("rhs-15", preamble="Licensed preamble", language="en"))
    settings = Settings(screening_translations_dir=settings.screening_translations_dir, rhs15_file=path)
    assert instruments.languages("rhs-15", settings) == ("en",)
    rhs = instruments.get("rhs-15", "en", settings)
    assert rhs is not None and rhs.preamble == "Licensed preamble" and len(rhs.items) == 15
    assert rhs.items[0].options[4].text == "جواب rhs-15-scale-4" and rhs.items[14].options[10].value == 10
    assert instruments.unavailable_reason("rhs-15", settings) is None


def test_a_broken_licensed_file_is_named_and_rhs15_not_offered(tmp_path: Path) -> None:
    path = write(tmp_path / "rhs15.json", wording("rhs-15", items={}))
    settings = Settings(screening_translations_dir=tmp_path / "none", rhs15_file=path)
    assert instruments.languages("rhs-15", settings) == ()
    [rhs] = [check for check in instruments.check(settings) if check.code == "rhs-15"]
    assert rhs.problems and str(path) in rhs.problems[0] and "'item-1' is missing" in rhs.problems[0]


def test_only_english_ships(settings: Settings) -> None:
    for code in ("phq-9", "gad-7", "pc-ptsd-5"):
        assert instruments.languages(code, settings) == ("en",)
        assert instruments.get(code, "ar", settings) is None
    assert not list(instruments.QUESTIONNAIRE_DIR.glob("*/*.json")), "no translation ships in the package"


def test_a_validated_arabic_file_in_the_folder_is_offered(settings: Settings) -> None:
    write(settings.screening_translations_dir / "phq-9" / "ar.json",
          wording("phq-9", source="Test source https://example.org/phq9-ar", title="استبيان"))
    assert instruments.languages("phq-9", settings) == ("en", "ar")
    arabic = instruments.get("phq-9", "ar", settings)
    assert arabic is not None and arabic.language == "ar" and arabic.title == "استبيان"
    assert arabic.source == "Test source https://example.org/phq9-ar"
    assert arabic.items[8].text == "سؤال item-9" and arabic.items[8].loinc == "44260-8"
    assert arabic.items[0].options[1].text == "جواب LA6569-3" and arabic.items[0].options[1].code == "LA6569-3"
    assert arabic.questionnaire["language"] == "ar"
    Questionnaire.model_validate(arabic.questionnaire)
    # The English one is untouched.
    english = instruments.get("phq-9", "en", settings)
    assert english is not None and english.items[8].text.startswith("Thoughts")
    assert instruments.languages("gad-7", settings) == ("en",)


BAD_FILES = [
    ("missing item", lambda code: wording(code, items={k: v for k, v in wording(code)["items"].items() if k != "item-3"}),
     "'item-3' is missing"),
    ("extra item", lambda code: wording(code, items=wording(code)["items"] | {"item-99": "x"}), "'item-99' is not part"),
    ("empty text", lambda code: wording(code, items=wording(code)["items"] | {"item-2": "  "}), "'item-2' must be a non-empty"),
    ("missing option", lambda code: wording(code, options={}), "'LA6568-5' is missing"),
    ("no source", lambda code: {k: v for k, v in wording(code).items() if k != "source"}, "'source' must be"),
    ("empty preamble", lambda code: wording(code, preamble=""), "'preamble' must be"),
    ("unknown key", lambda code: wording(code, extra="x"), "unknown key 'extra'"),
    ("not an object", lambda code: ["x"], "must be a JSON object"),
]


@pytest.mark.parametrize(("case", "make", "says"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_translation_is_refused_with_its_name(settings: Settings, case: str, make, says: str) -> None:
    path = write(settings.screening_translations_dir / "gad-7" / "fa.json", make("gad-7"))
    assert instruments.languages("gad-7", settings) == ("en",)
    assert instruments.get("gad-7", "fa", settings) is None
    [gad] = [check for check in instruments.check(settings) if check.code == "gad-7"]
    assert gad.languages == ("en",)
    assert len(gad.problems) == 1 and str(path) in gad.problems[0] and says in gad.problems[0], gad.problems


def test_invalid_json_bad_names_and_english_overrides_are_refused(settings: Settings) -> None:
    folder = settings.screening_translations_dir / "phq-9"
    folder.mkdir(parents=True)
    (folder / "uk.json").write_text("{not json", encoding="utf-8")
    write(folder / "Not A Language.json", wording("phq-9"))
    write(folder / "en.json", wording("phq-9"))
    [phq] = [check for check in instruments.check(settings) if check.code == "phq-9"]
    assert phq.languages == ("en",)
    problems = " | ".join(phq.problems)
    assert "uk.json: not readable JSON" in problems and "Not A Language.json" in problems and "en.json" in problems
    english = instruments.get("phq-9", "en", settings)
    assert english is not None and english.items[0].text == "Little interest or pleasure in doing things"


def test_a_changed_file_is_read_again(settings: Settings) -> None:
    path = write(settings.screening_translations_dir / "gad-7" / "es.json", wording("gad-7", preamble="Primera"))
    first = instruments.get("gad-7", "es", settings)
    assert first is not None and first.preamble == "Primera"
    write(path, wording("gad-7", preamble="Segunda versión"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = instruments.get("gad-7", "es", settings)
    assert second is not None and second.preamble == "Segunda versión"
    write(path, {"broken": True})
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert instruments.get("gad-7", "es", settings) is None


def test_unknown_codes_and_languages(settings: Settings) -> None:
    assert instruments.get("phq-10", "en", settings) is None
    assert instruments.languages("phq-10", settings) == ()
    assert instruments.get("phq-9", None, settings) is None  # type: ignore[arg-type]
    assert instruments.unavailable_reason("phq-10", settings)


def test_score_uses_the_deployments_pc_ptsd5_cutoff(tmp_path: Path) -> None:
    answers = {"exposure": 1, "item-1": 1, "item-2": 1, "item-3": 1, "item-4": 0, "item-5": 0}
    assert instruments.score("pc-ptsd-5", answers, Settings(pc_ptsd5_cutoff=3)).positive is True
    assert instruments.score("pc-ptsd-5", answers, Settings(pc_ptsd5_cutoff=4)).positive is False
