"""Proof at rest: what identifies or describes a person is nowhere in the database's bytes in clear.

People are written with marker strings in every sealed field (name, gender, languages' interpreter notes, phone,
e-mail, safe times, a note, the immigration situation, a date of birth), committed for real, then the raw bytes are
searched: the SQLite file and its write-ahead log (before and after a checkpoint), and `pg_dump` of a dedicated
PostgreSQL database (data only, and the full dump). Every marker is searched in UTF-8, UTF-16 (both byte orders),
case-folded, decomposed (NFD), and as hex (how pg_dump writes bytea). A control marker stored in clear on purpose (the
organisation's name) must be found, so the test is shown to be able to fail.

People are written three ways, each with markers of its own: through clients.service and the models sealed with
keys.service; through the staff pages (a TestClient signed in for real: the new-person form, contact channels, notes,
consent, the immigration situation); and through the JSON API (/api/v1/clients, its channels, notes, consents and
immigration situation). The demo people (clients.demo) are loaded too. Case work (issue 10) is written with markers
of its own through the pages and the API: an assessment's words, a goal and a step, a risk flag's "what I saw" and
"what I did", and a clinician's closing note.

Issue 11's new places are written with markers of their own through the API, each by the staff role that would: an
appointment's place, with whom, what to bring and note; a "what matters" conversation; a volunteer's name, contact
and availability and a match's "how to meet"; an external interpreter's name and contact (the receptionist keeps the
register) and an interpreter exclusion's reason; a referral's reason and printout note to a minimal directory service
(after the person's share consent), sent, then accepted and completed with an outcome by the receiving
organisation's receptionist; and an SMS reply received through the signed webhook from a phone number on record.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from carebridge.accounts.demo import load_demo_accounts
from carebridge.app import create_app
from carebridge.cli import upgrade_database
from carebridge.clients.demo import load_demo_people
from carebridge.clients import service as clients
from carebridge.clients.models import ClientNote, ContactChannel, ImmigrationSituation
from carebridge.config import Settings
from carebridge.consent import explanations
from carebridge.consent import service as consent
from carebridge.directory.models import Organization, Service, ServiceAtLocation
from carebridge.db import make_engine, new_id, session_scope
from carebridge.keys import normalise
from carebridge.keys import service as keys
from carebridge.keys.keyring import blind_index
from carebridge.reminders.models import InboundMessage
from carebridge.reminders.webhook import signature_of
from carebridge.kit import clock
from factories import accounts
from factories import audit as audit_factories

PROJECT_ROOT = Path(__file__).resolve().parents[1]

CONTROL = "Control Organisation QXCLEARMARKER"
MARKERS = {
    "name": "Zephyrine Quillbottom",
    "name-arabic": "زُمُرُّدة القَرنفليّة",
    "name-persian": "گلنوش پرستوزاده",
    "name-tigrinya": "ሰላማዊት ሓጎስ",
    "name-ukrainian": "Ґалина Їжакович",
    "name-accented": "Anaïs Ñúñez-Çelebi",
    "gender": "Qwertian nonbinary",
    "interpreter-language": "byn-Ethi-ER",  # Bilen in Ethiopic script: a real tag (the service checks), rare
    "birth-date": "1911-02-03",
    "phone": "+447700900461",
    "phone-national": "07700 900461",
    "email": "zephyrine.quill@marker.example",
    "safe-times": "Thursdays after the bakery closes",
    "organisation-channel": "Ask for Quillbottom at the Harbour Kitchen",
    "note": "Mentioned the Pelican Street eviction",
    "note-sensitive": "Recurring nightmares about the crossing",
    "immigration": "refused-asylum-marker",
    # Written through the staff pages (forms) and through the JSON API, by a signed-in link worker.
    "name-page": "Wilhelmina Pagewright-Oxbury",
    "name-page-persian": "مهتاب فرمنویس",
    "safe-times-page": "Only when the yellow curtain is open",
    "organisation-page": "Marigold Lane Drop-in",
    "ask-for-page": "Ask Brother Ignatius for Wilhelmina",
    "note-page": "Left the Kestrel Road hostel after the fire",
    "note-page-sensitive": "Fears the cousin in Dovecote Street",
    "name-api": "Bartholomew Apiwhistle",
    "name-api-ukrainian": "Євдокія Апієнко",
    "safe-times-api": "Before the ferry horn at noon",
    "organisation-api": "Juniper Quay Advice Centre",
    "ask-for-api": "Ask Sister Perpetua for Bartholomew",
    "note-api": "Owes rent to the Larkspur landlord",
    "note-api-sensitive": "Scar from the Vossberg detention",
    "email-api": "bartholomew.apiwhistle@marker.example",
    "phone-api": "+447700900987",
    # Case work (issue 10), through the staff pages and the API: an assessment's words, a goal, a step, a risk flag's
    # "what I saw" and "what I did", and the clinician's closing note.
    "assessment-words-page": "Sleeps in the Corncrake Lane laundrette",
    "assessment-strengths-page": "Mends bicycles for the Tamarisk youth club",
    "assessment-matters-page": "Seeing my brother Osvaldo in Quimper",
    "goal-page": "Leave the Brambleford hostel by spring",
    "step-page": "Phone Councillor Haverstock-Ngata",
    "risk-seen-page": "Talked of the Gullwing Bridge railings",
    "risk-done-page": "Sat with him in the Periwinkle room",
    "risk-close-page": "Safety plan names his aunt Eudoxia",
    "assessment-words-api": "Rent arrears with Foxglove Estates",
    "assessment-matters-api": "Getting Anselm back to the Wrenfield school",
    "goal-api": "Apply for the Ottercombe allotment",
    "step-api": "Write to the Saltmarsh tribunal clerk",
    "step-organisation-api": "Tidewater Legal Collective",
    "risk-seen-api": "Bruises she hid under the Lapwing scarf",
    "risk-done-api": "Called the Heronsgate refuge line",
    "risk-close-api": "Referred to Dr Vantongeren at Moorhen clinic",
    # Two of the demo people (clients.demo), loaded too.
    "demo-ukrainian": "Оксана Соняшникова",
    "demo-tigrinya": "ሳባ ተስፋጽዮን",
    # Issue 11, through the API: an appointment's details, a "what matters" conversation, the volunteers and
    # interpreters registers, an interpreter exclusion, a referral (its reason, printout note and outcome) and an SMS
    # reply received through the signed webhook.
    "appointment-place": "Cormorant Wharf surgery, room Nightjar",
    "appointment-with-whom": "Dr Philippa Ravensworth-Okafor",
    "appointment-bring": "The blue folder from the Quennell solicitors",
    "appointment-note": "Afraid of the Stonechat Road lift",
    "prescribing-matters": "Singing with the Wagtail Hill choir again",
    "prescribing-strengths": "Bakes flatbread for the Ptarmigan mosque",
    "prescribing-try": "Join the Sandpiper allotment society",
    "volunteer-name": "Hermengild Tasselhoff-Oyelaran",
    "volunteer-contact": "hermengild.tassel@volunteer-marker.example",
    "volunteer-availability": "Saturdays after the Bittern market closes",
    "volunteer-how-to-meet": "Meet by the Shelduck clock at the library",
    "interpreter-name": "Radegunde Velloso-Achterberg",
    "interpreter-contact": "+447700900555 ask for Radegunde at Kittiwake Languages",
    "interpreter-exclusion": "Knows her husband from the Merganser cafe",
    "referral-reason": "Needs a GP after leaving the Goldcrest hostel",
    "referral-note": "Bring the Dunnock Street tenancy letter",
    "referral-outcome": "Registered with Dr Oyelowo-Fairweather",
    "sms-reply": "Late because of the Siskin Lane bus strike",
}
SMS_SECRET = "at-rest-webhook-secret-marker-free"


def variants(marker: str) -> set[bytes]:
    forms = {marker, marker.casefold(), unicodedata.normalize("NFD", marker), unicodedata.normalize("NFC", marker)}
    found = set()
    for form in forms:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            found.add(form.encode(encoding))
    # pg_dump writes bytea as hex: a value stored in clear in a bytea column would appear so.
    return found | {variant.hex().encode() for variant in found}


def leaks(blob: bytes) -> list[str]:
    return [name for name, marker in MARKERS.items() if any(variant in blob for variant in variants(marker))]


def write_people(url: str, settings: Settings) -> None:
    """Committed for real: an organisation named with the control marker, a link worker, six people whose every
    sealed field carries markers, and the 40 demo people; a receptionist (who keeps the interpreters register), a
    directory service and the organisation that receives referrals for it, with a receptionist of its own."""
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        with session_scope(factory) as session:
            organisation = accounts.organisation(session, name=CONTROL)
            team = accounts.team(session, organisation)
            worker = accounts.account(session, roles=("link-worker",), organisation_=organisation, teams=(team,))
            actor = accounts.actor_for(worker)
            clinician = accounts.actor_for(
                accounts.account(session, roles=("clinician",), organisation_=organisation, teams=(team,), name="Cleo Clinician")
            )
            keeper = accounts.actor_for(accounts.account(
                session, roles=("receptionist",), organisation_=organisation, teams=(team,), name="Rhea Receptionist"))
            receiving = accounts.organisation(session)
            receiving.directory_organization_id = new_id()
            receiver = accounts.actor_for(accounts.account(
                session, roles=("receptionist",), organisation_=receiving, teams=(accounts.team(session, receiving),),
                name="Rae Receiver"))
            service_at_location_id = new_id()
            session.add(Organization(id=receiving.directory_organization_id, name="Fairhaven Health Centre"))
            session.flush()
            service_id = new_id()
            session.add(Service(id=service_id, organization_id=receiving.directory_organization_id, name="GP registration"))
            session.flush()
            session.add(ServiceAtLocation(id=service_at_location_id, service_id=service_id))
            session.flush()
            for name in ("name", "name-arabic", "name-persian", "name-tigrinya", "name-ukrainian", "name-accented"):
                client = clients.create_client(
                    session,
                    settings,
                    actor,
                    clients.Profile(
                        preferred_name=MARKERS[name],
                        birth_date=dt.date.fromisoformat(MARKERS["birth-date"]),
                        gender=MARKERS["gender"],
                        languages=["ti", "ar"],
                        interpreter_needed=True,
                        interpreter_language=MARKERS["interpreter-language"],
                    ),
                )
                key = keys.data_key(session, settings, "client", client.id)
                now = clock.utc_now()
                for kind, value, index in (
                    ("phone", MARKERS["phone-national"], (normalise.PHONE, normalise.phone(MARKERS["phone"], "GB"))),
                    ("email", MARKERS["email"], (normalise.EMAIL, normalise.email(MARKERS["email"]))),
                    ("organisation", MARKERS["organisation-channel"], None),
                ):
                    channel_id = new_id()
                    session.add(
                        ContactChannel(
                            id=channel_id,
                            client_id=client.id,
                            kind=kind,
                            value=key.seal_text("client_contact_channel", "value", channel_id, value),
                            safe_times=key.seal_text(
                                "client_contact_channel", "safe_times", channel_id, MARKERS["safe-times"]
                            ),
                            lookup_index=blind_index(settings, *index) if index else None,
                            created_at=now,
                        )
                    )
                for sensitivity, body in (("normal", MARKERS["note"]), ("sensitive", MARKERS["note-sensitive"])):
                    note_id = new_id()
                    session.add(
                        ClientNote(
                            id=note_id,
                            client_id=client.id,
                            author_account_id=worker.id,
                            team_id=team.id,
                            sensitivity=sensitivity,
                            body=key.seal_text("client_note", "body", note_id, body),
                            created_at=now,
                        )
                    )
                session.add(
                    ImmigrationSituation(
                        client_id=client.id,
                        situation=key.seal_json(
                            "client_immigration_situation", "situation", client.id, {"status": MARKERS["immigration"]}
                        ),
                        consent_id=new_id(),
                        recorded_by=worker.id,
                        recorded_at=now,
                    )
                )
                session.flush()
            load_demo_accounts(session, settings)
            assert "40 FICTIONAL people created" in load_demo_people(session, settings)
        api_person = write_through_pages_and_api(factory, settings, actor, clinician)
        write_issue_11(factory, settings, actor, api_person, keeper=keeper, receiver=receiver, receiving_id=receiving.id,
                       service_at_location_id=service_at_location_id)
    finally:
        engine.dispose()


def _created_id(response) -> str:  # noqa: ANN001
    assert response.status_code in (201, 303), response.text[:500]
    if response.status_code == 303:
        return urlsplit(response.headers["location"]).path.rstrip("/").split("/")[-1]
    return response.json()["id"]


def write_through_pages_and_api(factory: sessionmaker, settings: Settings, actor, clinician) -> str:  # noqa: ANN001
    """The same worker, signed in for real, writes people through the staff pages' forms and through the API, then
    their case work (an assessment, a goal with a step, a risk flag); the clinician closes the flags with a note.
    Returns the last person written through the API (Ukrainian and Arabic speaking, with a phone on record)."""
    app = create_app(settings, session_factory=factory)
    with TestClient(app) as http:
        token = audit_factories.sign_in_as(http, actor)
        for name in ("name-page", "name-page-persian"):
            person = _created_id(http.post("/staff/clients/new", data={
                "csrf_token": token, "preferred_name": MARKERS[name], "birth_date": MARKERS["birth-date"],
                "gender": MARKERS["gender"], "languages": ["ti", "ar"], "interpreter_needed": "1",
                "interpreter_language": MARKERS["interpreter-language"], "interpreter_gender": "any",
            }, follow_redirects=False))
            base = f"/staff/clients/{person}"
            page_person = person
            for channel in (
                {"kind": "phone", "value": MARKERS["phone-national"], "safe_times": MARKERS["safe-times-page"]},
                {"kind": "email", "value": MARKERS["email"], "safe_times": MARKERS["safe-times-page"]},
                {"kind": "organisation", "organisation": MARKERS["organisation-page"],
                 "ask_for": MARKERS["ask-for-page"], "safe_times": MARKERS["safe-times-page"]},
            ):
                assert http.post(f"{base}/contact/new", data={"csrf_token": token, **channel},
                                 follow_redirects=False).status_code == 303
            for sensitivity, body in (("normal", MARKERS["note-page"]), ("sensitive", MARKERS["note-page-sensitive"])):
                assert http.post(f"{base}/notes/new", data={"csrf_token": token, "body": body,
                                                            "sensitivity": sensitivity}, follow_redirects=False).status_code == 303
            assert http.post(f"{base}/consent/new", data={
                "csrf_token": token, "purpose": consent.IMMIGRATION_SITUATION, "method": "written",
                "explanation_version": explanations.CURRENT, "explanation_language": "en",
            }, follow_redirects=False).status_code == 303
            assert http.post(f"{base}/immigration-situation", data={"csrf_token": token, "status": "asylum-seeker"},
                             follow_redirects=False).status_code == 303
        headers = {"X-CSRF-Token": token}
        for name in ("name-api", "name-api-ukrainian"):
            person = _created_id(http.post("/api/v1/clients", headers=headers, json={
                "preferred_name": MARKERS[name], "birth_date": MARKERS["birth-date"], "gender": MARKERS["gender"],
                "languages": ["uk", "ar"], "interpreter_needed": True,
                "interpreter_language": MARKERS["interpreter-language"],
            }))
            base = f"/api/v1/clients/{person}"
            for channel in (
                {"kind": "phone", "value": MARKERS["phone-api"], "safe_times": MARKERS["safe-times-api"]},
                {"kind": "email", "value": MARKERS["email-api"], "safe_times": MARKERS["safe-times-api"]},
                {"kind": "organisation", "organisation": MARKERS["organisation-api"],
                 "ask_for": MARKERS["ask-for-api"], "safe_times": MARKERS["safe-times-api"]},
            ):
                assert http.post(f"{base}/channels", headers=headers, json=channel).status_code == 201
            for sensitivity, body in (("normal", MARKERS["note-api"]), ("sensitive", MARKERS["note-api-sensitive"])):
                assert http.post(f"{base}/notes", headers=headers,
                                 json={"body": body, "sensitivity": sensitivity}).status_code == 201
            assert http.post(f"{base}/consents", headers=headers, json={
                "purpose": consent.IMMIGRATION_SITUATION, "method": "written",
                "explanation_version": explanations.CURRENT, "explanation_language": "en",
            }).status_code == 201
            assert http.put(f"{base}/immigration-situation", headers=headers,
                            json={"status": "asylum-seeker"}).status_code == 200
        write_case_work(http, factory, token, page_person=page_person, api_person=person, clinician=clinician)
    return person


def write_case_work(http: TestClient, factory: sessionmaker, token: str, *, page_person: str, api_person: str, clinician) -> None:  # noqa: ANN001
    """Issue 10's case work with markers: through the pages for one person, through the API for another."""
    from sqlalchemy import select

    from carebridge.risk.models import RiskFlag

    base = f"/staff/clients/{page_person}"
    assert http.post(f"{base}/assessments/new", data={
        "csrf_token": token, "housing-score": "4", "housing-words": MARKERS["assessment-words-page"],
        "housing-strengths": MARKERS["assessment-strengths-page"], "what_matters": MARKERS["assessment-matters-page"],
    }, follow_redirects=False).status_code == 303
    goal = http.post(f"{base}/plan/goals/new", data={"csrf_token": token, "domain": "housing", "text": MARKERS["goal-page"]},
                     follow_redirects=False)
    goal_id = _created_id(goal)
    assert http.post(f"{base}/plan/goals/{goal_id}/steps/new", data={
        "csrf_token": token, "description": MARKERS["step-page"], "who": "worker",
    }, follow_redirects=False).status_code == 303
    assert http.post(f"{base}/risk-flags/new", data={
        "csrf_token": token, "source": "worker", "seen": MARKERS["risk-seen-page"], "done": MARKERS["risk-done-page"],
    }, follow_redirects=False).status_code == 303

    headers = {"X-CSRF-Token": token}
    base = f"/api/v1/clients/{api_person}"
    assert http.post(f"{base}/assessments", headers=headers, json={
        "domains": {"finances": {"score": 3, "words": MARKERS["assessment-words-api"], "strengths": None}},
        "what_matters": MARKERS["assessment-matters-api"],
    }).status_code == 201
    goal_id = _created_id(http.post(f"{base}/goals", headers=headers, json={"domain": "legal", "text": MARKERS["goal-api"]}))
    assert http.post(f"/api/v1/goals/{goal_id}/steps", headers=headers, json={
        "description": MARKERS["step-api"], "who": "organisation", "organisation": MARKERS["step-organisation-api"],
    }).status_code == 201
    api_flag = _created_id(http.post(f"{base}/risk-flags", headers=headers, json={
        "source": "safeguarding", "seen": MARKERS["risk-seen-api"], "done": MARKERS["risk-done-api"],
    }))

    with factory() as session:
        page_flag = session.scalar(select(RiskFlag.id).where(RiskFlag.client_id == page_person))
    token = audit_factories.sign_in_as(http, clinician)
    assert http.post(f"/staff/risk/flags/{page_flag}/close", data={
        "csrf_token": token, "outcome": "plan-made", "outcome_notes": MARKERS["risk-close-page"],
    }, follow_redirects=False).status_code == 303
    closed = http.post(f"/api/v1/risk-flags/{api_flag}/close", headers={"X-CSRF-Token": token},
                       json={"outcome": "referred-on", "notes": MARKERS["risk-close-api"]})
    assert closed.status_code == 200, closed.text[:500]
    with factory() as session:
        assert set(session.scalars(select(RiskFlag.status).where(RiskFlag.id.in_([page_flag, api_flag])))) == {"closed"}


def write_issue_11(factory: sessionmaker, settings: Settings, worker, person: str, *, keeper, receiver, receiving_id: str,  # noqa: ANN001
                   service_at_location_id: str) -> None:
    """Issue 11's new places, through the API as the staff who would write them: the link worker books an
    appointment, writes a "what matters" conversation, adds a volunteer and proposes them, excludes an interpreter and
    refers the person (after their share consent); the receptionist adds an external interpreter to the register; the
    receiving organisation's receptionist accepts and completes the referral; the person texts a reply."""
    from sqlalchemy import select

    from carebridge.accounts.models import StaffAccount

    app = create_app(settings, session_factory=factory)
    with TestClient(app) as http:
        token = audit_factories.sign_in_as(http, keeper)
        interpreter = _created_id(http.post("/api/v1/interpreters", headers={"X-CSRF-Token": token}, json={
            "name": MARKERS["interpreter-name"], "contact": MARKERS["interpreter-contact"], "gender": "female",
            "languages": [{"tag": "uk"}], "modalities": ["in-person", "phone"],
        }))

        with factory() as session:  # the worker signed in a moment ago: their TOTP code's step may not be used twice
            session.get(StaffAccount, worker.account_id).totp_last_step = None
            session.commit()
        token = audit_factories.sign_in_as(http, worker)
        headers = {"X-CSRF-Token": token}
        base = f"/api/v1/clients/{person}"
        _created_id(http.post(f"{base}/appointments", headers=headers, json={
            "starts_at": (clock.utc_now() + dt.timedelta(days=3)).isoformat(), "duration_minutes": 45,
            "place": MARKERS["appointment-place"], "with_whom": MARKERS["appointment-with-whom"],
            "what_to_bring": MARKERS["appointment-bring"], "note": MARKERS["appointment-note"],
        }))
        _created_id(http.post(f"{base}/social-prescribing/conversations", headers=headers, json={
            "held_on": clock.utc_now().date().isoformat(), "what_matters": MARKERS["prescribing-matters"],
            "strengths": MARKERS["prescribing-strengths"], "want_to_try": MARKERS["prescribing-try"],
        }))
        today = clock.utc_now().date()
        volunteer = _created_id(http.post("/api/v1/volunteers", headers=headers, json={
            "kind": "volunteer", "display_name": MARKERS["volunteer-name"], "contact": MARKERS["volunteer-contact"],
            "languages": ["uk"], "interests": ["gardening"], "availability": MARKERS["volunteer-availability"],
            "check_on": (today - dt.timedelta(days=30)).isoformat(),
            "check_expires_on": (today + dt.timedelta(days=700)).isoformat(),
        }))
        _created_id(http.post(f"{base}/volunteer-matches", headers=headers, json={
            "volunteer_id": volunteer, "interests": ["gardening"], "how_to_meet": MARKERS["volunteer-how-to-meet"],
            "person_agreed": True, "agreed_how": "in-person", "share_name": True,
        }))
        _created_id(http.post(f"{base}/interpreting/exclusions", headers=headers, json={
            "interpreter_id": interpreter, "reason": MARKERS["interpreter-exclusion"],
        }))
        _created_id(http.post(f"{base}/consents", headers=headers, json={
            "purpose": consent.SHARE, "method": "written", "explanation_version": explanations.CURRENT,
            "explanation_language": "en", "staff_organisation_id": receiving_id,
        }))
        created = http.post("/api/v1/referrals", headers=headers, json={
            "client_id": person, "service_at_location_id": service_at_location_id,
            "reason": MARKERS["referral-reason"], "note": MARKERS["referral-note"],
        })
        referral = _created_id(created)
        sent = http.post(f"/api/v1/referrals/{referral}/send", headers=headers, json={
            "version": created.json()["version"], "share": ["name", "languages", "reason"],
        })
        assert sent.status_code == 200, sent.text[:500]

        token = audit_factories.sign_in_as(http, receiver)
        headers = {"X-CSRF-Token": token}
        version = sent.json()["version"]
        for move in ({"to": "accepted"}, {"to": "completed", "outcome": MARKERS["referral-outcome"]}):
            moved = http.post(f"/api/v1/referrals/inbox/{referral}/move", headers=headers, json={**move, "version": version})
            assert moved.status_code == 200, moved.text[:500]
            version = moved.json()["version"]
        assert moved.json()["status"] == "completed"

        message = {"from": MARKERS["phone-api"], "text": MARKERS["sms-reply"], "id": f"at-rest-{uuid.uuid4().hex}",
                   "timestamp": int(clock.utc_now().timestamp())}
        raw = json.dumps(message).encode()
        answer = http.post("/api/v1/sms/inbound", content=raw, headers={
            "Content-Type": "application/json", "X-Carebridge-Signature": signature_of(SMS_SECRET, raw),
            "X-Carebridge-Timestamp": str(message["timestamp"]),
        })
        assert answer.status_code == 202, answer.text[:500]
    with factory() as session:
        assert session.scalars(select(InboundMessage.kind).where(InboundMessage.client_id == person)).all() == ["reply"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        demo=True, record_key_file=tmp_path / "record-keys", blind_index_key_file=tmp_path / "blind-index.key",
        sms_webhook_secret=SMS_SECRET,
    )


def test_the_markers_are_real_so_a_leak_would_be_found() -> None:
    assert leaks(MARKERS["name-ukrainian"].encode("utf-16-le")) == ["name-ukrainian"]
    assert leaks(unicodedata.normalize("NFD", MARKERS["name-accented"]).encode()) == ["name-accented"]
    assert leaks(CONTROL.encode()) == []
    assert leaks(b"\\x" + MARKERS["note"].encode().hex().encode()) == ["note"]


def test_nothing_personal_in_the_sqlite_file_or_its_write_ahead_log(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "at-rest.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    write_people(url, settings)

    wal = path.with_name(path.name + "-wal")
    before = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    after = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    for blob in (before, after):
        assert CONTROL.encode() in blob, "the control marker (stored in clear) must be found: the search works"
        assert leaks(blob) == []


@pytest.fixture
def dedicated_postgres(request: pytest.FixtureRequest) -> Iterator[str]:
    # Fetched from pytest's plugin registry: `import conftest` could find another conftest.py.
    root = request.config.pluginmanager.get_plugin(str(PROJECT_ROOT / "tests" / "conftest.py"))
    root.require(
        "PostgreSQL",
        root._postgres_reachable(),
        f"could not connect to {root.POSTGRES_URL}; set CAREBRIDGE_TEST_POSTGRES_URL to a PostgreSQL 15 server",
    )
    root.require("pg_dump", shutil.which("pg_dump") is not None, "install the PostgreSQL client (postgresql-client)")
    name = f"carebridge_at_rest_{uuid.uuid4().hex[:8]}"
    admin = make_engine(root.POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(root.POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_nothing_personal_in_a_pg_dump(dedicated_postgres: str, settings: Settings) -> None:
    write_people(dedicated_postgres, settings)
    libpq = make_url(dedicated_postgres).set(drivername="postgresql").render_as_string(hide_password=False)
    for options in (["--data-only"], []):
        dump = subprocess.run(
            ["pg_dump", "--no-password", *options, libpq], capture_output=True, check=True, timeout=120
        ).stdout
        assert CONTROL.encode() in dump, "the control marker (stored in clear) must be found: the search works"
        assert b"record_key" in dump and b"client_note" in dump
        assert leaks(dump) == []
