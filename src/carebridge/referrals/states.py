"""The referral state machine: one table, the only place a move is allowed or refused.

States and moves follow HL7's Gravity SDOH Clinical Care guide (the Task for referral management):

    draft        -(referrer)-> requested
    requested    -(receiver)-> accepted | rejected                 -(either)-> cancelled
    accepted     -(receiver)-> in-progress | on-hold | completed | failed      -(either)-> cancelled
    in-progress  -(receiver)-> on-hold | completed | failed                    -(either)-> cancelled
    on-hold      -(receiver)-> in-progress | completed | failed                -(either)-> cancelled
    any          -(referrer)-> entered-in-error

A referral to an organisation that does not use Carebridge is tracked by the referrer, who then plays the receiver's
part too (they phoned, wrote, heard back): `service.parties_of` says which parties an actor plays. The system (the no-answer job) may only close a
requested referral as rejected with reason "no-answer".

Rejected, cancelled, on-hold and failed need a reason; completed needs an outcome (what was done).
tests/referrals/test_states.py walks every state × every move × every party.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    FAILED = "failed"
    ENTERED_IN_ERROR = "entered-in-error"


class Party(StrEnum):
    REFERRER = "referrer"
    RECEIVER = "receiver"
    SYSTEM = "system"


REFERRER, RECEIVER, SYSTEM = Party.REFERRER, Party.RECEIVER, Party.SYSTEM
EITHER = frozenset({REFERRER, RECEIVER})

# (from, to) -> the parties that may make the move. Nothing else is allowed.
MOVES: dict[tuple[State, State], frozenset[Party]] = {
    (State.DRAFT, State.REQUESTED): frozenset({REFERRER}),
    (State.DRAFT, State.CANCELLED): frozenset({REFERRER}),
    (State.REQUESTED, State.ACCEPTED): frozenset({RECEIVER}),
    (State.REQUESTED, State.REJECTED): frozenset({RECEIVER, SYSTEM}),
    (State.REQUESTED, State.CANCELLED): EITHER,
    (State.ACCEPTED, State.IN_PROGRESS): frozenset({RECEIVER}),
    (State.ACCEPTED, State.ON_HOLD): frozenset({RECEIVER}),
    (State.ACCEPTED, State.COMPLETED): frozenset({RECEIVER}),
    (State.ACCEPTED, State.FAILED): frozenset({RECEIVER}),
    (State.ACCEPTED, State.CANCELLED): EITHER,
    (State.IN_PROGRESS, State.ON_HOLD): frozenset({RECEIVER}),
    (State.IN_PROGRESS, State.COMPLETED): frozenset({RECEIVER}),
    (State.IN_PROGRESS, State.FAILED): frozenset({RECEIVER}),
    (State.IN_PROGRESS, State.CANCELLED): EITHER,
    (State.ON_HOLD, State.IN_PROGRESS): frozenset({RECEIVER}),
    (State.ON_HOLD, State.COMPLETED): frozenset({RECEIVER}),
    (State.ON_HOLD, State.FAILED): frozenset({RECEIVER}),
    (State.ON_HOLD, State.CANCELLED): EITHER,
    **{
        (state, State.ENTERED_IN_ERROR): frozenset({REFERRER})
        for state in State
        if state is not State.ENTERED_IN_ERROR
    },
}

NEEDS_REASON = frozenset({State.REJECTED, State.CANCELLED, State.ON_HOLD, State.FAILED})
NEEDS_OUTCOME = frozenset({State.COMPLETED})
# The receiver sees the shared details only while the referral is in one of these.
OPEN = frozenset({State.REQUESTED, State.ACCEPTED, State.IN_PROGRESS, State.ON_HOLD})
FINISHED = frozenset({State.REJECTED, State.CANCELLED, State.COMPLETED, State.FAILED, State.ENTERED_IN_ERROR})
# Reason codes (statusReason); "other" carries the worker's words (sealed).
REASONS = ("no-answer", "not-eligible", "no-capacity", "person-declined", "person-unreachable", "duplicate",
           "safeguarding", "other")
NO_ANSWER = "no-answer"


class MoveRefused(Exception):
    """The move is not in the table for this party."""


def allowed(current: State | str, target: State | str, party: Party | str) -> bool:
    try:
        key = (State(current), State(target))
        who = Party(party)
    except ValueError:
        return False
    return who in MOVES.get(key, frozenset())


def moves_for(current: State | str, party: Party | str) -> list[State]:
    """The moves this party may make from this state, in the table's order (the buttons a page shows)."""
    return [target for (source, target), parties in MOVES.items() if source == State(current) and Party(party) in parties]


def check(current: State | str, target: State | str, party: Party | str, *, reason: str | None, outcome: str | None) -> None:
    """Raise MoveRefused unless the move is allowed and carries what it needs. ValueError names what is missing."""
    if not allowed(current, target, party):
        raise MoveRefused(f"{party} may not move a referral from {current} to {target}")
    if State(target) in NEEDS_REASON and not reason:
        raise ValueError("reason")
    if State(target) in NEEDS_OUTCOME and not outcome:
        raise ValueError("outcome")
