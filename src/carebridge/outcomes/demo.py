"""Demo case work: assessments, action plans, screenings and risk flags over the last six months for the demo people
(clients.demo; all FICTIONAL), so that the person's chart and the outcomes page show something real-looking.

Called by `carebridge demo load` after the demo people. Idempotent: when any demo person already has case work,
nothing is added. Deterministic: one seeded random generator, the people taken in clients.demo.PEOPLE's order, the
dates counted back from today (kit.clock). Rows are written by outcomes.rows (sealed with each person's data key in
the formats the other domains read) — the one place to switch to the assessments, plans, screening and risk services.

What it makes, for the open records:
- 1 to 3 assessments each, eight weeks or so apart, the category moving (mostly towards less support);
- PHQ-9 and GAD-7 every 4 to 6 weeks for about half of them, following a trajectory: some recover, some improve
  reliably without recovering, a few deteriorate, some stay where they are;
- a PC-PTSD-5 for a few;
- 1 to 3 goals each with steps (some done, some overdue);
- two closed risk flags (one closed within a day, one not) and one open flag assigned to the demo clinician, so
  that the clinician's banner shows.
The demo people who agreed to be counted for statistics (clients.demo's consents) make the outcomes page show some
figures and suppress others.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.assessments.models import Assessment
from carebridge.clients.models import Client
from carebridge.kit import clock
from carebridge.outcomes import rows
from carebridge.screening.models import Screening

SEED = 10
# (PHQ-9 first, PHQ-9 last, GAD-7 first, GAD-7 last) per trajectory.
TRAJECTORIES = {
    "recovers": (17, 6, 14, 5),
    "improves": (23, 15, 18, 12),
    "deteriorates": (7, 15, 6, 12),
    "steady": (12, 11, 9, 9),
    "mild": (6, 4, 5, 3),
}
# The people screened, in turn (about half of them): most recover or improve, a few deteriorate.
PATTERN = ("recovers", "improves", "recovers", "steady", "deteriorates", "recovers", "mild", "improves", "recovers",
           "steady", "recovers", "improves", "deteriorates", "recovers", "mild", "recovers", "improves", "steady",
           "recovers", "improves")
MOVES = (
    ("critical", "complex", "guidance"),
    ("complex", "complex", "guidance"),
    ("complex", "guidance", "resilience"),
    ("guidance", "guidance", "resilience"),
    ("complex", "critical", "complex"),
    ("guidance", "resilience"),
    ("complex", "guidance"),
    ("critical", "complex"),
    ("complex",),
    ("guidance",),
)
# An assessment's domain scores: 1 (doing well) to 4 (in crisis), around the category's level.
LEVEL = {"resilience": 1, "guidance": 2, "complex": 3, "critical": 4}
GOALS = (
    ("housing", "Move out of the hostel into a flat with my children", ("Register with the housing office", "Gather proof of income", "View the flats offered")),
    ("finances", "Get the benefits I am entitled to", ("Make the benefit claim with the advice centre", "Open a bank account")),
    ("health", "See a doctor about the pain in my back", ("Register with the GP surgery", "Book an interpreter for the appointment")),
    ("language", "Speak English well enough for the shops and the school", ("Join the Tuesday conversation class", "Enrol in the college course")),
    ("social-connections", "Meet people from my community", ("Go to the women's group at the community kitchen",)),
    ("employment", "Find work as an electrician", ("Have my qualifications recognised", "Write a CV with the employment adviser")),
    ("education", "Get my daughter a school place", ("Apply for a school place", "Ask about the uniform grant")),
    ("legal", "Understand what my asylum interview needs", ("See the legal advice clinic",)),
)
OUTCOME_NOTES = "Talked with the person the same day; safety plan agreed; follow-up booked with the team."


def _demo_people(session: Session, settings: Any) -> list[tuple[Client, Any]]:
    """The demo people in clients.demo.PEOPLE's order, with their description (the names read from the sealed
    profiles, as clients.demo does)."""
    from carebridge.accounts.models import Organisation
    from carebridge.clients import demo as people_demo
    from carebridge.clients import service as clients

    from carebridge.accounts import demo as accounts_demo

    organisation = session.scalar(select(Organisation).where(Organisation.name == accounts_demo.ORGANISATION))
    if organisation is None:
        return []
    fictional = list(
        session.scalars(select(Client).where(Client.organisation_id == organisation.id, Client.fictional.is_(True)))
    )
    by_name = {profile.preferred_name: client_id for client_id, profile in clients.open_profiles(session, settings, fictional).items()}
    found = {client.id: client for client in fictional}
    return [(found[by_name[person.name]], person) for person in people_demo.PEOPLE if person.name in by_name]


def _scores(category: str, generator: random.Random) -> dict[str, int]:
    """Domain scores around the category's level that the shipped rules (assessments/rules.yaml) place in that category,
    so that the demo's assessments show the rule that led to their category rather than an override."""
    level = LEVEL[category]
    ceiling = {"resilience": 1, "guidance": 2, "complex": 3, "critical": 3}[category]
    scores = {domain: max(1, min(ceiling, level + generator.choice((-1, 0, 0, 1)))) for domain in rows.DOMAINS}
    if category == "guidance" and 2 not in scores.values():
        scores["language"] = 2
    elif category == "complex" and 3 not in scores.values():
        scores["health"] = 3
    elif category == "critical":  # housing in crisis (an eviction) compounded by another domain needing support
        scores["housing"] = 4
        scores["finances"] = max(scores["finances"], 3)
    return scores


def _already_there(session: Session, client_ids: list[str]) -> bool:
    return bool(
        session.scalar(select(Assessment.id).where(Assessment.client_id.in_(client_ids)).limit(1))
        or session.scalar(select(Screening.id).where(Screening.client_id.in_(client_ids)).limit(1))
    )


def _path(first: int, last: int, steps: int, generator: random.Random, maximum: int) -> list[int]:
    """A believable series from `first` to `last`: the straight line with a little noise, the ends exact."""
    values = []
    for index in range(steps):
        share = index / (steps - 1) if steps > 1 else 1
        value = round(first + (last - first) * share)
        if 0 < index < steps - 1:
            value += generator.choice((-2, -1, 0, 1, 1, 2))
        values.append(max(0, min(maximum, value)))
    return values


def load_demo_casework(session: Session, settings: Any) -> str:
    """Add the demo people's case work where it is missing; say what was done ("" for nothing)."""
    from carebridge.clients import demo as people_demo

    people = [(client, person) for client, person in _demo_people(session, settings) if client.status == "open"]
    if not people:
        return ""
    if _already_there(session, [client.id for client, _ in people]):
        return "Demo case work: already there."
    context = people_demo._context(session)
    if context is None:
        return ""
    accounts = context.accounts
    clinician = accounts[people_demo.C].id
    generator = random.Random(SEED)
    now = clock.utc_now()
    made = {"assessments": 0, "screenings": 0, "goals": 0, "steps": 0, "flags": 0}
    screened = 0
    first_screened = []
    for number, (client, person) in enumerate(people):
        worker = accounts[person.owner].id if person.owner in accounts else accounts[people_demo.L].id
        # Assessments: the first 150 to 180 days ago, then every 8 weeks or so.
        moves = MOVES[number % len(MOVES)]
        start = now - dt.timedelta(days=generator.randint(150, 180), hours=generator.randint(0, 6))
        for index, category in enumerate(moves):
            at = start + dt.timedelta(days=56 * index + generator.randint(0, 10))
            scores = _scores(category, generator)
            rows.add_assessment(session, settings, client, category=category, assessed_at=at, scores=scores,
                                what_matters="Being safe and near my family.", assessed_by=worker)
            made["assessments"] += 1
        # PHQ-9 and GAD-7 for about half of them (every other person), every 4 to 6 weeks.
        if number % 2 == 0:
            trajectory = TRAJECTORIES[PATTERN[screened % len(PATTERN)]]
            screened += 1
            steps = generator.randint(3, 5)
            phq = _path(trajectory[0], trajectory[1], steps, generator, 27)
            gad = _path(trajectory[2], trajectory[3], steps, generator, 21)
            at = start + dt.timedelta(days=generator.randint(1, 7))
            for index in range(steps):
                rows.add_screening(session, settings, client, instrument="phq-9", total=phq[index], completed_at=at,
                                   administered_by=worker)
                rows.add_screening(session, settings, client, instrument="gad-7", total=gad[index],
                                   completed_at=at + dt.timedelta(minutes=10), administered_by=worker)
                made["screenings"] += 2
                at += dt.timedelta(days=generator.randint(28, 42))
                if at > now - dt.timedelta(days=1):
                    break
            first_screened.append((client, person, worker))
            # A PC-PTSD-5 for every third person screened.
            if screened % 3 == 1:
                total = generator.choice((1, 3, 4))
                rows.add_screening(session, settings, client, instrument="pc-ptsd-5", total=total, positive=total >= 3,
                                   completed_at=start + dt.timedelta(days=3), administered_by=worker)
                made["screenings"] += 1
        # Goals with steps.
        for index in range(1 + number % 3):
            domain, text, steps_text = GOALS[(number + index) % len(GOALS)]
            created = start + dt.timedelta(days=2 + 14 * index)
            status = ("achieved", "open", "open", "stopped", "achieved", "open")[(number + index) % 6]
            achieved = created + dt.timedelta(days=generator.randint(30, 90)) if status == "achieved" else None
            goal = rows.add_goal(session, settings, client, domain=domain, text=text, status=status, created_at=created,
                                 created_by=worker, achieved_at=achieved,
                                 review_on=(now + dt.timedelta(days=generator.randint(7, 40))).date() if status == "open" else None)
            made["goals"] += 1
            for step_index, description in enumerate(steps_text):
                due = (created + dt.timedelta(days=21 * (step_index + 1))).date()
                done = status == "achieved" or (step_index == 0 and generator.random() < 0.6)
                step_status = "done" if done else ("cancelled" if status == "stopped" else "todo")
                # An open step past its date is overdue: the caseload shows it.
                rows.add_step(session, settings, client, goal, description=description,
                              who=("person", "worker", "organisation")[step_index % 3], due_on=due, status=step_status,
                              created_at=created, done_at=created + dt.timedelta(days=10 * (step_index + 1)) if done else None)
                made["steps"] += 1
    # Risk flags: two closed (within a day, and not), one open for the demo clinician.
    flagged = first_screened[:3]
    for index, (client, person, worker) in enumerate(flagged):
        if index < 2:
            raised = now - dt.timedelta(days=60 + 30 * index, hours=3)
            closed = raised + dt.timedelta(hours=4 if index == 0 else 30)
            rows.add_flag(session, settings, client, source="worker", raised_at=raised, raised_by=worker,
                          seen="Said they had thought about not wanting to be alive.", done="Stayed with them and called the clinician on duty.",
                          assigned_to=clinician, closed_at=closed, closed_by=clinician, outcome="plan-made",
                          outcome_notes=OUTCOME_NOTES)
        else:
            rows.add_flag(session, settings, client, source="worker", raised_at=now - dt.timedelta(hours=2), raised_by=worker,
                          seen="Very low today and not sleeping; worried about their safety at the hostel.",
                          done="Gave the crisis line number and asked the clinician to call today.", assigned_to=clinician)
        made["flags"] += 1
    session.flush()
    return (
        f"Demo case work: {made['assessments']} assessments, {made['screenings']} screenings, {made['goals']} goals with "
        f"{made['steps']} steps, {made['flags']} risk flags."
    )
