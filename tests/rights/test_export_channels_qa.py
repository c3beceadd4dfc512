"""QA 2026-12-06 (export-ar-01.png): the copy of the record given to the person showed its ways of contact as raw JSON
({"number":"+447700900123"}, {"ask_for":"Mira","organisation":"Red Cross"}), in the JSON copy and in the readable
PDF: clients.contact seals a channel's details as JSON, the export opened them as text (its test factory, written
before the contact service landed, sealed plain text). Channels here are made by the contact service itself."""

from __future__ import annotations

import pytest
from factories import clients as client_factories

from carebridge.clients import contact
from carebridge.config import Settings
from carebridge.rights import pdf, service


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


def test_the_copy_shows_each_way_of_contact_as_people_read_it(session) -> None:  # noqa: ANN001
    settings = Settings()
    worker = client_factories.caseworker(session)
    person = client_factories.client(session, settings, worker.actor, preferred_name="Copy QA")
    for data in (
        contact.ChannelInput(kind="phone", value="07700 900123", safe_times="weekdays"),
        contact.ChannelInput(kind="email", value="copy.qa@example.org"),
        contact.ChannelInput(kind="organisation", organisation="Harbour Refugee Centre", ask_for="Ask for Mira"),
        contact.ChannelInput(kind="in-person"),
    ):
        contact.add_channel(session, settings, worker.actor, person.id, data)
    document = service.export_record(session, settings, worker.actor, person.id)

    got = sorted(({key: channel[key] for key in ("kind", "value", "organisation", "ask_for", "safe_times")}
                  for channel in document["contact_channels"]), key=lambda channel: channel["kind"])
    assert got == sorted([
        {"kind": "phone", "value": "+447700900123", "organisation": None, "ask_for": None, "safe_times": "weekdays"},
        {"kind": "email", "value": "copy.qa@example.org", "organisation": None, "ask_for": None, "safe_times": None},
        {"kind": "organisation", "value": None, "organisation": "Harbour Refugee Centre", "ask_for": "Ask for Mira",
         "safe_times": None},
        {"kind": "in-person", "value": None, "organisation": None, "ask_for": None, "safe_times": None},
    ], key=lambda channel: channel["kind"])
    for language in ("en", "ar"):
        html = pdf.export_html(document, language, settings)
        assert "{&#34;" not in html and '{"' not in html and "&#34;number" not in html
        for shown in ("+447700900123", "copy.qa@example.org", "Harbour Refugee Centre", "Ask for Mira"):
            assert shown in html, (language, shown)
