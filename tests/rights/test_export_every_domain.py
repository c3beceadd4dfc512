"""The complete copy holds every domain's rows about the person, opened with their data key, and nothing of anyone
else's (a volunteer's or an interpreter's own details); an erased person has no copy."""

from __future__ import annotations

import json

import pytest
from factories import rights as factories

from carebridge.config import Settings
from carebridge.errors import NotFound
from carebridge.rights import service


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture
def connection(demo_city_connection):  # noqa: ANN001, ANN201 - referrals go to a service of the demo directory
    return demo_city_connection


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def made(session, settings):  # noqa: ANN001, ANN201
    record = factories.every_domain(session, settings)
    document = service.export_record(session, settings, record.world.actor("worker"), record.person.id)
    return record, document


def test_the_copy_is_version_2_and_has_every_registered_section(made):
    _, document = made
    assert document["version"] == 2
    for name in ("reference_numbers", "assessments", "plan_goals", "screenings", "risk_flags", "referrals", "appointments",
                 "reminder_preference", "reminders", "messages_received", "interpreter_bookings",
                 "interpreter_exclusions", "volunteer_matches", "volunteer_exclusions", "prescribing_conversations",
                 "wellbeing"):
        assert name in document, name


def test_each_section_holds_the_decrypted_values(made):
    record, document = made
    [assessment] = document["assessments"]
    assert assessment["answers"]["domains"]["housing"]["words"] == "marker-assessment-words"
    assert assessment["category_override"] == "critical"
    assert assessment["override_reason"] == "marker-override-reason"
    assert assessment["assessed_by"] == "Lina Linkworker"

    [goal] = document["plan_goals"]
    assert (goal["domain"], goal["text"], goal["status"]) == ("housing", "marker-goal-text", "open")
    [step] = goal["steps"]
    assert (step["description"], step["who"], step["organisation"]) == (
        "marker-step-description", "organisation", "marker-step-organisation")

    [screening] = document["screenings"]
    assert (screening["instrument"], screening["total"], screening["band"]) == ("phq-9", 5, "mild")
    assert screening["answers"]["items"]["item-2"] == 3

    [flag] = document["risk_flags"]
    assert (flag["source"], flag["seen"], flag["done"]) == ("safeguarding", "marker-risk-seen", "marker-risk-done")
    assert [note["text"] for note in flag["notes"]] == ["marker-risk-note"]
    assert flag["notes"][0]["by"] == "Lina Linkworker"
    assert (flag["status"], flag["outcome"], flag["outcome_notes"]) == ("closed", "plan-made", "marker-risk-outcome")
    assert flag["closed_by"] == "Dr Marker-Clinician"

    [referral] = document["referrals"]
    assert referral["status"] == "completed"
    assert referral["outcome"] == "marker-referral-outcome"
    assert "marker-referral-reason" in json.dumps(referral["shared"])
    assert "marker-referral-note" in json.dumps(referral["details"])
    # The test clock is pinned, so the moves share one moment: their order is the referral page's, not asserted here.
    assert sorted(event["to_status"] for event in referral["events"]) == ["accepted", "completed", "draft", "requested"]

    [appointment] = document["appointments"]
    assert appointment["details"]["place"] == "marker-appointment-place"
    assert appointment["details"]["with"] == "Dr Amal"  # tests/factories/appointments.booked's default
    assert document["reminder_preference"]["channel_id"] == record.ids["channel"]
    assert document["reminder_preference"]["safe_window"] == {"days": [0, 1, 2], "from": "10:00", "to": "16:00"}
    assert len(document["reminders"]) == 1
    assert [message["text"] for message in document["messages_received"]] == ["marker-reply-text"]

    [booking] = document["interpreter_bookings"]
    assert booking["details"] == {"name_to_use": "marker-booking-name", "where": "marker-booking-where"}
    assert booking["language"] == "ar-SY" and booking["interpreter_kind"] == "interpreter"
    [exclusion] = document["interpreter_exclusions"]
    assert exclusion["reason"] == "marker-exclusion-reason"

    [match] = document["volunteer_matches"]
    assert match["shared"]["how_to_meet"] == "marker-how-to-meet"
    assert match["volunteer_kind"] == "volunteer"

    [reference] = document["reference_numbers"]
    assert (reference["kind"], reference["value"], reference["label"]) == (
        "case-reference", "MRK-77123", "marker-reference-label")
    assert "lookup_index" not in reference  # the blind index (a hash) stays out

    [talk] = document["prescribing_conversations"]
    assert talk["what_matters"] == "marker-what-matters"
    [wellbeing] = document["wellbeing"]
    assert (wellbeing["life_satisfaction"], wellbeing["worthwhile"], wellbeing["happiness"], wellbeing["anxiety"]) == (
        4, 5, 3, 7)


def test_other_peoples_personal_data_stays_out(made):
    _, document = made
    text = json.dumps(document, ensure_ascii=False)
    for theirs in ("Marker-Interpreter", "Marker-Excluded", "Marker-Volunteer", "07700 900999", "07700 900123"):
        assert theirs not in text, theirs


def test_staff_names_are_names_never_account_ids(made, session):  # noqa: ANN001
    record, document = made
    text = json.dumps(document)
    assert record.world.worker.id not in text
    assert record.clinician.id not in text


def test_an_erased_person_has_no_copy(session, settings):
    record = factories.every_domain(session, settings)
    manager = record.world.actor("manager")
    service.erase_client(session, settings, manager, record.person.id, typed="erase")
    with pytest.raises(NotFound):
        service.export_record(session, settings, record.world.actor("worker"), record.person.id)
    # Nothing of the person is left in any domain's table (the rows go with the record, not only their key).
    from sqlalchemy import func, select

    from carebridge import db, domains

    domains.import_models()
    left = {
        name: count
        for name, table in db.Base.metadata.tables.items()
        if "client_id" in table.columns
        and (count := session.scalar(select(func.count()).select_from(table).where(table.c.client_id == record.person.id)))
    }
    assert left == {}


# One value from each section, as the readable copy must show it (decrypted, in the reader's language's layout).
PDF_MARKERS = (
    "marker-assessment-words", "marker-override-reason", "marker-goal-text", "marker-step-description", "PHQ-9",
    "marker-risk-seen", "marker-risk-outcome", "marker-referral-outcome", "marker-appointment-place", "Dr Amal",
    "marker-reply-text", "marker-booking-where", "marker-exclusion-reason", "marker-how-to-meet",
    "marker-what-matters", "marker-reference-label", "MRK-77123",
)


def _pdf_text(document: bytes) -> str:
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    assert shutil.which("pdftotext"), "install Debian's poppler-utils (`make system-deps`)"
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "record.pdf"
        path.write_bytes(document)
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("language", ["en", "ar", "fa"])
def test_the_readable_copy_has_every_section_in_the_readers_language(made, settings, language):
    from carebridge import i18n
    from carebridge.rights import pdf

    _, document = made
    html = pdf.export_html(document, language, settings)
    assert f'dir="{"rtl" if language in ("ar", "fa") else "ltr"}"' in html
    text = _pdf_text(pdf.render_export_pdf(document, language, settings))
    for marker in PDF_MARKERS:
        assert marker in text, (language, marker)
    # The domains' own words for their codes, translated, not the codes.
    for words in ("Safety plan made", "Completed", "Mild"):
        assert i18n.gettext(language, words) in html, (language, words)
    assert "plan-made" not in text


def test_a_maker_who_may_not_read_a_domain_gets_the_copy_without_it_and_the_copy_says_so(session, settings, made):
    from factories import accounts

    from carebridge.rights import pdf

    record, whole = made
    assert whole["sections_withheld"] == []
    # A service manager may make copies (person.export) and oversee risk, but not read screenings.
    manager = accounts.actor_for(record.world.manager)
    document = service.export_record(session, settings, manager, record.person.id)
    assert document["sections_withheld"] == ["screening"]
    assert "screenings" not in document
    assert document["risk_flags"] == whole["risk_flags"] and document["assessments"] == whole["assessments"]
    assert "may not read them" in pdf.export_html(document, "en", settings)
    assert "may not read them" not in pdf.export_html(whole, "en", settings)
