"""QA of the person page's forms as a link worker uses them (2026-12-06). Each test is a defect QA found."""

from __future__ import annotations

import re

from factories import audit as audit_factories
from factories import clients as factories

from carebridge.clients import notes
from carebridge.config import Settings


def test_the_note_box_stops_at_the_notes_limit_so_typed_text_is_never_thrown_away(client, session, compiled_catalogs) -> None:  # noqa: ANN001
    """A note over 20,000 characters (a pasted letter) got a bare 422 page in English ("String should have at most
    20000 characters") and the text was gone. The box now holds no more than a note may (its hint says so)."""
    worker = factories.caseworker(session)
    person = factories.client(session, Settings(), worker.actor, preferred_name="Note QA")
    session.commit()
    audit_factories.sign_in_as(client, worker.actor)
    page = client.get(f"/staff/clients/{person.id}/notes/new?lang=ar")
    assert page.status_code == 200
    [box] = re.findall(r"<textarea[^>]*name=\"body\"[^>]*>", page.text)
    assert f'maxlength="{notes.BODY_MAXIMUM}"' in box
