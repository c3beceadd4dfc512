"""Every notification text, in every interface language: translated, with the sign-in link, and nothing else."""

from __future__ import annotations

import re

import pytest

from carebridge.i18n import LANGUAGES
from carebridge.notifications import service
from factories import jobs

SETTINGS = jobs.settings(public_base_url="https://care.example.org", default_language="fr")
LINK = "https://care.example.org/staff/sign-in"


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("reason", service.REASONS)
def test_every_message_is_translated_and_carries_only_the_link(compiled_catalogs, language: str, reason: str) -> None:
    subject, body = service.staff_message(reason, language, SETTINGS)
    english_subject, english_body = service.staff_message(reason, "en", SETTINGS)
    assert LINK in body
    assert "%(" not in body and "%(" not in subject
    assert "\n" not in subject
    if language != "en":
        assert subject != english_subject and body != english_body
    # Nothing in a message but fixed words and the one link.
    assert re.findall(r"https?://\S+", body) == [LINK]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_sms_text_is_translated_and_short(compiled_catalogs, language: str) -> None:
    text = service.sms_new_message(language, SETTINGS)
    assert text.endswith(LINK)
    assert len(text) <= 160
    if language != "en":
        assert text != service.sms_new_message("en", SETTINGS)


@pytest.mark.parametrize(
    ("languages", "expected"),
    [("ar fr", "ar"), ("ps uk", "uk"), ("prs", "fa"), ("fa-AF", "fa"), ("", "fr"), ("ps ti", "fr")],
)
def test_the_language_is_the_accounts_first_interface_language(languages: str, expected: str) -> None:
    assert service.language_for(languages, SETTINGS) == expected


def test_the_link_has_one_slash_whatever_the_base_url() -> None:
    for base in ("https://care.example.org", "https://care.example.org/"):
        assert service.sign_in_link(jobs.settings(public_base_url=base)) == LINK
