"""The referral state machine, exhaustively: every state × every target × every party against an expectation
written out here by hand from the issue (HL7 Gravity's Task states), not derived from states.MOVES; what each move
needs (a reason, an outcome); and a hypothesis walk of random moves through the real service on both databases
(never an illegal state; the events form a chain)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from sqlalchemy import select

from carebridge.errors import CarebridgeError
from carebridge.referrals import states
from carebridge.referrals.models import ReferralEvent
from carebridge.referrals.states import MoveRefused, State
from factories import clients as client_factories
from factories import referrals as factories

R, C, S = "referrer", "receiver", "system"
# Written out by hand: (from, to) -> who may make it. Everything absent is refused for everyone.
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("draft", "requested"): {R},
    ("draft", "cancelled"): {R},
    ("requested", "accepted"): {C},
    ("requested", "rejected"): {C, S},
    ("requested", "cancelled"): {R, C},
    ("accepted", "in-progress"): {C},
    ("accepted", "on-hold"): {C},
    ("accepted", "completed"): {C},
    ("accepted", "failed"): {C},
    ("accepted", "cancelled"): {R, C},
    ("in-progress", "on-hold"): {C},
    ("in-progress", "completed"): {C},
    ("in-progress", "failed"): {C},
    ("in-progress", "cancelled"): {R, C},
    ("on-hold", "in-progress"): {C},
    ("on-hold", "completed"): {C},
    ("on-hold", "failed"): {C},
    ("on-hold", "cancelled"): {R, C},
    ("draft", "entered-in-error"): {R},
    ("requested", "entered-in-error"): {R},
    ("accepted", "entered-in-error"): {R},
    ("rejected", "entered-in-error"): {R},
    ("cancelled", "entered-in-error"): {R},
    ("in-progress", "entered-in-error"): {R},
    ("on-hold", "entered-in-error"): {R},
    ("completed", "entered-in-error"): {R},
    ("failed", "entered-in-error"): {R},
}
ALL_STATES = ["draft", "requested", "accepted", "rejected", "cancelled", "in-progress", "on-hold", "completed", "failed",
              "entered-in-error"]
PARTIES = [R, C, S]
NEED_REASON = {"rejected", "cancelled", "on-hold", "failed"}
NEED_OUTCOME = {"completed"}


def test_the_states_are_the_ten_of_the_guide() -> None:
    assert sorted(state.value for state in State) == sorted(ALL_STATES)


@pytest.mark.parametrize(("current", "target", "party"), list(itertools.product(ALL_STATES, ALL_STATES, PARTIES)))
def test_every_state_target_and_party(current: str, target: str, party: str) -> None:
    expected = party in EXPECTED.get((current, target), set())
    assert states.allowed(current, target, party) is expected
    reason = "other" if target in NEED_REASON else None
    outcome = "Seen by the GP" if target in NEED_OUTCOME else None
    if expected:
        states.check(current, target, party, reason=reason, outcome=outcome)
        assert State(target) in states.moves_for(current, party)
    else:
        with pytest.raises(MoveRefused):
            states.check(current, target, party, reason=reason, outcome=outcome)
        assert State(target) not in states.moves_for(current, party)


@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED))
def test_a_reason_or_an_outcome_is_needed_where_the_guide_says(current: str, target: str) -> None:
    party = sorted(EXPECTED[(current, target)])[0]
    if target in NEED_REASON:
        with pytest.raises(ValueError, match="reason"):
            states.check(current, target, party, reason=None, outcome=None)
    elif target in NEED_OUTCOME:
        with pytest.raises(ValueError, match="outcome"):
            states.check(current, target, party, reason=None, outcome="")
    else:
        states.check(current, target, party, reason=None, outcome=None)


def test_unknown_names_are_refused_not_raised() -> None:
    assert states.allowed("nonsense", "accepted", R) is False
    assert states.allowed("requested", "accepted", "stranger") is False
    assert states.moves_for("draft", S) == []


def test_finished_states_have_no_way_out_but_entered_in_error() -> None:
    for state in states.FINISHED:
        targets = {target for (source, target) in EXPECTED if source == state.value}
        assert targets <= {"entered-in-error"}
    assert states.OPEN.isdisjoint(states.FINISHED)


@pytest.fixture(scope="module")
def connection(demo_city_connection):  # noqa: ANN001, ANN201
    return demo_city_connection


WHO = {R: "worker", C: "receiver"}


@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(ALL_STATES), st.sampled_from([R, C])), min_size=1, max_size=8))
def test_random_moves_through_the_service_never_reach_an_illegal_state(session, steps) -> None:  # noqa: ANN001
    settings = client_factories.settings()
    nested = session.begin_nested()
    try:
        world = factories.world(session, settings)
        referral = factories.sent(session, settings, world)
        for target, party in steps:
            before = referral.status
            expected = party in EXPECTED.get((before, target), set()) and target != "requested"
            try:
                factories.moved(session, settings, world, referral, target, who=WHO[party], reason="other",
                                words="Because", outcome="Done")
            except CarebridgeError:
                assert not expected, (before, target, party)
                assert referral.status == before
            else:
                assert expected, (before, target, party)
                assert referral.status == target
        events = list(session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == referral.id)
                                      .order_by(ReferralEvent.at, ReferralEvent.id)))
        # The clock is fixed: order by the chain itself (each event starts where the one before ended).
        [first] = [event for event in events if event.from_status is None]
        chain = [first]
        rest = [event for event in events if event is not first]
        while rest:
            following = [event for event in rest if event.from_status == chain[-1].to_status]
            assert following, "the events do not form a chain"
            chain.append(following[0])
            rest.remove(following[0])
        assert chain[0].from_status is None and chain[0].to_status == "draft"
        assert chain[-1].to_status == referral.status
        for event in chain[1:]:
            assert event.party in EXPECTED[(event.from_status, event.to_status)]
    finally:
        nested.rollback()
