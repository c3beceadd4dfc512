"""The referrals service on both databases, on the fictional Fairhaven directory: a draft keeps the service's and
organisation's names and finds the receiving organisation; the consent gate (and the safeguarding override); what is
shared and nothing else; consent withdrawn and the end of the referral end the receiver's view at once; do not
contact is passed on and kept in step; stale versions; who is told; the no-answer job through the real worker."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from carebridge.clients.models import ImmigrationSituation
from carebridge.consent import service as consent
from carebridge.errors import Conflict, Forbidden, InvalidInput, NotFound
from carebridge.jobs.models import Job
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.referrals import jobs as referral_jobs
from carebridge.referrals import service
from carebridge.referrals.models import Referral, ReferralEvent
from carebridge.rights.service import ACTIONS
from factories import clients as client_factories
from factories import consent as consent_factories
from factories import jobs as job_factories
from factories import referrals as factories


@pytest.fixture(scope="module")
def connection(demo_city_connection):  # noqa: ANN001, ANN201
    return demo_city_connection


@pytest.fixture
def settings():  # noqa: ANN201
    return client_factories.settings()


@pytest.fixture
def world(session, settings):  # noqa: ANN001, ANN201
    return factories.world(session, settings, person_name="Zainab Qaderi", interpreter_needed=True,
                           interpreter_language="ar")


def _notified(session) -> list[str]:  # noqa: ANN001
    return [job.payload["account_id"] for job in session.scalars(select(Job).where(Job.kind == "notify.staff"))
            if job.payload.get("reason") == "referral"]


def test_a_draft_keeps_the_directory_names_and_lands_with_the_linked_organisation(session, settings, world) -> None:  # noqa: ANN001
    referral = factories.draft(session, settings, world)
    assert referral.status == "draft" and referral.version == 1
    assert referral.service_at_location_id == world.service_at_location_id
    assert referral.directory_organization_id == world.directory_organization_id
    assert referral.service_name and referral.organization_name
    assert referral.receiving_organisation_id == world.receiving.id
    assert referral.referred_by == world.worker.id and referral.referring_organisation_id == world.referring.id
    assert b"GP registration" not in (referral.details or b"")
    assert client_factories.audit_actions(session, world.person.id)[-1] == "referral.create"


def test_a_service_nobody_in_carebridge_runs_is_tracked_by_the_referrer(session, settings, world) -> None:  # noqa: ANN001
    world.receiving.directory_organization_id = None
    session.flush()
    referral = factories.draft(session, settings, world)
    assert referral.receiving_organisation_id is None
    factories.share_consent(session, world, directory=True)
    referral = service.send_referral(session, settings, world.actor("worker"), referral.id, version=1, share=["name"])
    # The referrer plays the receiver's part: they phoned, the service said yes.
    referral = factories.moved(session, settings, world, referral, "accepted", who="worker")
    assert referral.status == "accepted"
    with pytest.raises(NotFound):
        service.read_referral(session, settings, world.actor("receiver"), referral.id)


def test_bad_drafts_are_refused_with_every_problem_named(session, settings, world) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as refused:
        service.create_referral(session, settings, world.actor("worker"), world.person.id, service_at_location_id="x" * 65,
                                kind="gossip", priority="whenever", reason="")
    assert {error.name for error in refused.value.errors} == {"service_at_location_id", "kind", "priority", "reason"}
    with pytest.raises(NotFound):  # a person outside the actor's scope is the same 404 as a missing one
        service.create_referral(session, settings, world.actor("outsider"), world.person.id,
                                service_at_location_id=world.service_at_location_id, reason="x")


def test_sending_needs_the_share_consent(session, settings, world) -> None:  # noqa: ANN001
    referral = factories.draft(session, settings, world)
    with pytest.raises(consent.ConsentRequired):
        service.send_referral(session, settings, world.actor("worker"), referral.id, version=1, share=["name"])
    assert referral.status == "draft" and referral.shared is None
    given = factories.share_consent(session, world)
    sent = service.send_referral(session, settings, world.actor("worker"), referral.id, version=1, share=["name"])
    assert sent.status == "requested" and sent.consent_id == given.id and sent.consent_override is False
    assert sent.requested_at == clock.utc_now()


def test_a_consent_for_the_directory_organisation_counts_too(session, settings, world) -> None:  # noqa: ANN001
    factories.share_consent(session, world, directory=True)
    referral = factories.sent(session, settings, world, consent_first=False)
    assert referral.consent_id is not None


def test_the_safeguarding_override_is_recorded_sealed_and_audited(session, settings, world) -> None:  # noqa: ANN001
    referral = factories.draft(session, settings, world)
    with pytest.raises(Forbidden):  # a peer supporter may refer, not override
        _peer_override(session, settings, world)
    sent = service.send_referral(session, settings, world.actor("worker"), referral.id, version=1, share=["name"],
                                 override_reason="Child at immediate risk of harm tonight")
    assert sent.consent_override is True and sent.consent_id is None
    assert b"Child at immediate risk" not in sent.override_reason
    view = service.read_referral(session, settings, world.actor("worker"), sent.id)
    assert view.override_reason == "Child at immediate risk of harm tonight"
    assert "referral.consent-override" in client_factories.audit_actions(session, world.person.id)
    receiver = service.read_referral(session, settings, world.actor("receiver"), sent.id)
    assert receiver.shared == {"name": "Zainab Qaderi"} and receiver.override_reason is None


def _peer_override(session, settings, world) -> None:  # noqa: ANN001
    """A peer supporter (referral.send, no referral.consent-override) tries the override on their own draft."""
    from factories import accounts

    world.person.owner_account_id = world.peer.id
    session.flush()
    draft = service.create_referral(session, settings, accounts.actor_for(world.peer), world.person.id,
                                    service_at_location_id=world.service_at_location_id, reason="Urgent")
    service.send_referral(session, settings, accounts.actor_for(world.peer), draft.id, version=1, share=[],
                          override_reason="Child at immediate risk")


SECRET_NOTE = "Bring the Kestrel street tenancy letter"


def test_the_receiver_sees_only_what_was_shared(session, settings, world) -> None:  # noqa: ANN001
    channel = consent_factories.channel(session, settings, world.person, "sms", "+447700900999", safe_times="Mornings only")
    factories.share_consent(session, world)
    referral = factories.draft(session, settings, world, note=SECRET_NOTE, reason="Needs a GP near Wren Lane")
    referral = service.send_referral(session, settings, world.actor("worker"), referral.id, version=1,
                                     share=["languages", "contact"], channel_id=channel.id)
    assert referral.shared_fields == "languages,contact"
    view = service.read_referral(session, settings, world.actor("receiver"), referral.id)
    assert view.referrer_side is False and view.client_id is None and view.details == {}
    assert set(view.shared) == {"languages", "contact"}
    assert view.shared["languages"]["interpreter_needed"] is True and view.shared["languages"]["interpreter_language"] == "ar"
    assert view.shared["contact"] == {"kind": "sms", "value": "+447700900999", "safe_times": "Mornings only"}
    text = json.dumps(view.shared)
    for absent in ("Zainab", "Qaderi", "Wren Lane", "Kestrel", world.person.id):
        assert absent not in text
    assert view.preferred_name is None
    referrer = service.read_referral(session, settings, world.actor("worker"), referral.id)
    assert referrer.details["note"] == SECRET_NOTE and referrer.preferred_name == "Zainab Qaderi"


def test_unknown_share_items_and_a_missing_channel_are_refused(session, settings, world) -> None:  # noqa: ANN001
    factories.share_consent(session, world)
    referral = factories.draft(session, settings, world)
    with pytest.raises(InvalidInput) as refused:
        service.send_referral(session, settings, world.actor("worker"), referral.id, version=1,
                              share=["name", "diagnosis", "contact"])
    assert {error.name for error in refused.value.errors} == {"share", "channel_id"}


def test_immigration_situation_needs_the_record_the_tick_and_the_consent(session, settings, world) -> None:  # noqa: ANN001
    factories.share_consent(session, world)
    referral = factories.draft(session, settings, world)
    with pytest.raises(InvalidInput):  # the record holds none
        service.send_referral(session, settings, world.actor("worker"), referral.id, version=1, share=["immigration"],
                              eligibility_needs_immigration=True)
    kept = consent_factories.given(session, world.actor("worker"), world.person, consent.IMMIGRATION_SITUATION)
    key = keys.data_key(session, settings, "client", world.person.id)
    session.add(ImmigrationSituation(client_id=world.person.id, consent_id=kept.id, recorded_at=clock.utc_now(),
                                     situation=key.seal_json("client_immigration_situation", "situation", world.person.id,
                                                             {"status": "asylum-seeker"})))
    session.flush()
    with pytest.raises(InvalidInput) as refused:  # not ticked
        service.send_referral(session, settings, world.actor("worker"), referral.id, version=1, share=["immigration"])
    assert [error.name for error in refused.value.errors] == ["eligibility_needs_immigration"]
    sent = service.send_referral(session, settings, world.actor("worker"), referral.id, version=1, share=["immigration"],
                                 eligibility_needs_immigration=True)
    view = service.read_referral(session, settings, world.actor("receiver"), sent.id)
    assert view.shared == {"immigration": {"status": "asylum-seeker"}}


def test_withdrawn_consent_ends_the_receivers_view_at_once(session, settings, world) -> None:  # noqa: ANN001
    referral = factories.sent(session, settings, world)
    assert service.read_referral(session, settings, world.actor("receiver"), referral.id).shared["name"] == "Zainab Qaderi"
    [given] = [item for item in consent.consents_of(session, world.person.id) if item.purpose == consent.SHARE]
    consent.withdraw_consent(session, world.actor("worker"), given.id)
    view = service.read_referral(session, settings, world.actor("receiver"), referral.id)
    assert view.shared == {} and view.sees_details is False and view.consent_in_force is False
    listing = service.inbox(session, settings, world.actor("receiver"))
    assert [row.name for row in listing.rows if row.referral.id == referral.id] == [None]


def test_the_receivers_view_ends_with_the_referral_unless_another_is_open(session, settings, world) -> None:  # noqa: ANN001
    first = factories.sent(session, settings, world)
    second = factories.sent(session, settings, world)
    first = factories.moved(session, settings, world, first, "accepted")
    first = factories.moved(session, settings, world, first, "completed", outcome="Registered with Dr Finch")
    assert service.read_referral(session, settings, world.actor("receiver"), first.id).sees_details is True
    factories.moved(session, settings, world, second, "cancelled", who="worker", reason="person-declined")
    view = service.read_referral(session, settings, world.actor("receiver"), first.id)
    assert view.sees_details is False and view.shared == {} and view.outcome is None
    assert [event.note for event in view.events] == [None] * len(view.events)
    referrer = service.read_referral(session, settings, world.actor("worker"), first.id)
    assert referrer.outcome == "Registered with Dr Finch"


def test_do_not_contact_is_passed_on_and_kept_in_step(session, settings, world) -> None:  # noqa: ANN001
    channel = consent_factories.channel(session, settings, world.person, "phone", "+447700900111")
    factories.share_consent(session, world)
    referral = factories.draft(session, settings, world)
    referral = service.send_referral(session, settings, world.actor("worker"), referral.id, version=1,
                                     share=["name", "contact"], channel_id=channel.id)
    assert referral.contact_prohibited is False
    world.person.do_not_contact = True
    session.flush()
    view = service.read_referral(session, settings, world.actor("receiver"), referral.id)
    assert view.contact_prohibited is True and "contact" not in view.shared
    again = factories.draft(session, settings, world)
    assert again.contact_prohibited is True
    with pytest.raises(InvalidInput) as refused:
        service.send_referral(session, settings, world.actor("worker"), again.id, version=1, share=["contact"],
                              channel_id=channel.id)
    assert refused.value.errors[0].name == "contact"


def test_moves_check_party_version_reason_and_outcome(session, settings, world) -> None:  # noqa: ANN001
    referral = factories.sent(session, settings, world)
    with pytest.raises(Forbidden):  # only the receiver accepts
        factories.moved(session, settings, world, referral, "accepted", who="worker")
    with pytest.raises(Conflict):  # not from requested
        factories.moved(session, settings, world, referral, "completed", outcome="x")
    with pytest.raises(Conflict):  # stale
        service.move(session, settings, world.actor("receiver"), referral.id, "accepted", version=referral.version - 1)
    with pytest.raises(InvalidInput) as refused:
        factories.moved(session, settings, world, referral, "rejected")
    assert refused.value.errors[0].name == "reason"
    with pytest.raises(InvalidInput) as refused:
        factories.moved(session, settings, world, referral, "rejected", reason="other")
    assert refused.value.errors[0].name == "words"
    with pytest.raises(InvalidInput):
        factories.moved(session, settings, world, referral, "rejected", reason="no-answer")
    with pytest.raises(InvalidInput):
        factories.moved(session, settings, world, referral, "flying")
    with pytest.raises(NotFound):
        service.move(session, settings, world.actor("outsider"), referral.id, "accepted", version=referral.version)
    accepted = factories.moved(session, settings, world, referral, "accepted")
    assert accepted.answered_at is not None and accepted.version == 3
    with pytest.raises(InvalidInput) as refused:
        factories.moved(session, settings, world, accepted, "completed")
    assert refused.value.errors[0].name == "outcome"
    done = factories.moved(session, settings, world, accepted, "completed", outcome="Seen by the GP on Tuesday")
    assert done.closed_at is not None and b"Tuesday" not in done.outcome
    erased = factories.moved(session, settings, world, done, "entered-in-error", who="worker")
    assert erased.status == "entered-in-error"


def test_the_other_side_is_told_and_nothing_else_travels(session, settings, world) -> None:  # noqa: ANN001
    referral = factories.sent(session, settings, world)
    assert sorted(_notified(session)) == sorted([world.receiver.id, world.other_receiver.id])
    factories.moved(session, settings, world, referral, "accepted")
    assert _notified(session).count(world.worker.id) == 1
    for job in session.scalars(select(Job).where(Job.kind == "notify.staff")):
        assert set(job.payload) == {"account_id", "reason"}


def test_every_referral_action_has_words_for_the_person() -> None:
    for action in ("referral.create", "referral.send", "referral.consent-override", "referral.move", "referral.read",
                   "referral.list", "referral.print", "referral.no-answer"):
        assert action in ACTIONS


def test_lists_put_urgent_and_attention_first_and_stay_in_scope(session, settings, world) -> None:  # noqa: ANN001
    routine = factories.sent(session, settings, world)
    urgent = factories.sent(session, settings, world, priority="urgent")
    inbox = service.inbox(session, settings, world.actor("receiver"))
    assert [row.referral.id for row in inbox.rows][:2] == [urgent.id, routine.id]
    assert inbox.rows[0].name == "Zainab Qaderi"
    rejected = factories.moved(session, settings, world, routine, "rejected", reason="no-capacity")
    sent = service.referrals_sent(session, settings, world.actor("worker"))
    assert sent.rows[0].referral.id == rejected.id and sent.rows[0].needs_attention
    assert service.referrals_sent(session, settings, world.actor("outsider")).rows == []
    assert service.inbox(session, settings, world.actor("outsider")).rows == []


def test_the_no_answer_job_closes_old_requests_through_the_worker(session_factory, settings) -> None:  # noqa: ANN001
    with session_factory() as session:
        world = factories.world(session, settings)
        old = factories.sent(session, settings, world)
        old.requested_at = clock.utc_now() - dt.timedelta(days=settings.referral_no_answer_days, minutes=1)
        fresh = factories.sent(session, settings, world)
        ids = old.id, fresh.id, world.worker.id
        session.query(Job).filter(Job.kind == "notify.staff").delete()
        job_factories.job(session, "referrals.no-answer")
        session.commit()
    assert "referrals.no-answer" in referral_jobs.HANDLERS
    assert [schedule.kind for schedule in referral_jobs.SCHEDULES] == ["referrals.no-answer"]
    worker = job_factories.worker(session_factory)  # every domain's handlers, as `carebridge worker` runs them
    assert worker.run_once() >= 1
    with session_factory() as session:
        closed, kept = session.get(Referral, ids[0]), session.get(Referral, ids[1])
        assert (closed.status, closed.status_reason) == ("rejected", "no-answer")
        assert kept.status == "requested"
        [event] = session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == closed.id,
                                                              ReferralEvent.to_status == "rejected")).all()
        assert event.party == "system" and event.account_id is None
        told = [(job.payload, job.state) for job in session.scalars(select(Job).where(Job.kind == "notify.staff"))]
        assert [payload for payload, _state in told] == [{"account_id": ids[2], "reason": "referral"}]
        assert session.scalar(select(Job.state).where(Job.kind == "referrals.no-answer")) == "done"
        assert service.expire_unanswered(session, settings) == 0
