"""The readable copy: a PDF in the chosen language; in Arabic its words come out whole and in order, with an
Arabic-script font embedded."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from factories import clients as client_factories
from factories import rights as factories

from carebridge import i18n
from carebridge.config import Settings
from carebridge.rights import pdf, service

BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def _needs(compiled_catalogs, pytestconfig):  # noqa: ANN001, ANN202
    root = pytestconfig.pluginmanager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py"))
    root.require("poppler-utils", bool(shutil.which("pdftotext") and shutil.which("pdffonts")),
                 "install Debian's poppler-utils (`make system-deps`)")
    return compiled_catalogs


def _poppler(tool: str, document: bytes) -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "record.pdf"
        path.write_bytes(document)
        arguments = [tool, str(path), "-"] if tool == "pdftotext" else [tool, str(path)]
        return subprocess.run(arguments, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def document(session):  # noqa: ANN001, ANN201
    settings = Settings()
    worker = client_factories.caseworker(session)
    record = factories.full_record(session, settings, worker.actor, name="أمينة")
    return service.export_record(session, settings, worker.actor, record.client.id)


def test_the_arabic_copy_has_arabic_words_in_logical_order_and_an_arabic_font(document):
    made = pdf.render_export_pdf(document, "ar", Settings())
    assert made.startswith(b"%PDF-")
    fonts = _poppler("pdffonts", made)
    assert re.search(r"Noto-?Sans-?Arabic|Noto-?Naskh-?Arabic", fonts), fonts
    text = BIDI_CONTROLS.sub("", _poppler("pdftotext", made))
    title = i18n.gettext("ar", "Your record at Carebridge")
    assert title != "Your record at Carebridge"
    for word in title.split():
        assert word in text, word
    assert "أمينة" in text
    assert "marker-sensitive" in text  # every note, the sensitive one too
    assert "447700900123" in text  # one isolated left-to-right piece (where pdftotext puts the + is its quirk)


def test_the_english_copy_says_everything_in_plain_words(document):
    text = _poppler("pdftotext", pdf.render_export_pdf(document, "en", Settings()))
    for expected in ("Your record at Carebridge", "Met at the clinic marker-note", "Trauma history marker-sensitive",
                     "weekdays marker-times", "marker-status", "Keeping the immigration situation",
                     "Who has seen your record", "Created the record."):
        assert expected in " ".join(text.split()), expected


def test_a_long_history_is_cut_to_the_most_recent_events_and_the_copy_says_how_many_of_how_many(document):
    event = dict(document["seen_by"][0])
    long = {**document, "seen_by": [event] * (pdf.PDF_EVENTS_LIMIT + 1), "seen_by_total": 7321}
    html = pdf.export_html(long, "en", Settings())
    assert html.count("Created the record.") == pdf.PDF_EVENTS_LIMIT
    assert f"This copy lists the {pdf.PDF_EVENTS_LIMIT} most recent events of 7321." in html
    assert "print all of them from the page “Who has seen this record”" in html
    assert "most recent events of" not in pdf.export_html(document, "en", Settings())
