"""What the person is told before they agree: one explanation per purpose, in plain words (reading age about 9),
versioned, in the six interface languages (staff gettext domain), printable
(`/staff/clients/{id}/consent/explanation?purpose=...&lang=...`).

Each says what is kept, who sees it, that it is never given to immigration enforcement, how to change one's mind,
and what happens on a "no". The version recorded with a consent (Consent.explanation_version) is the version shown.

Changing the words means a new version: add it to VERSIONS with its own texts and make it CURRENT; keep the old ones,
because consents given under them still name them.
"""

from __future__ import annotations

from dataclasses import dataclass

from carebridge.consent.service import (
    CASE_WORK,
    CONTACT,
    IMMIGRATION_SITUATION,
    PURPOSES,
    REMINDERS,
    SHARE,
    STATISTICS,
)
from carebridge.errors import N_

CURRENT = "2026-12"


@dataclass(frozen=True)
class Part:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    version: str
    purpose: str
    title: str
    parts: tuple[Part, ...]


# Headings shared by every explanation.
WHAT_WE_KEEP = N_("What this means")
WHO_SEES_IT = N_("Who can see it")
NEVER_IMMIGRATION = N_("Never for immigration checks")
CHANGE_YOUR_MIND = N_("If you change your mind")
IF_YOU_SAY_NO = N_("If you say no")

_NEVER = Part(
    NEVER_IMMIGRATION,
    (
        N_("We never give your information to immigration officers or to anyone who enforces immigration rules."),
        N_("If anyone asks us for your information, we write it down and we tell you, unless a court says we must "
           "not."),
    ),
)
_STOP = N_("You can change your mind at any time. Tell us in person, by phone, or through someone you trust. "
           "It takes effect straight away.")

_2026_12: dict[str, Explanation] = {
    CASE_WORK: Explanation(
        "2026-12",
        CASE_WORK,
        N_("Keeping a record so that we can help you"),
        (
            Part(WHAT_WE_KEEP, (
                N_("We write down what we need to help you: the name you want us to use, how to reach you safely, "
                   "the languages you speak, and notes about the help you asked for."),
                N_("Your record is locked with a secret key. Only our staff can open it."),
            )),
            Part(WHO_SEES_IT, (
                N_("Only the people in our team who help you can see your record."),
                N_("Each time someone opens your record, we write down who it was and when. You can ask us for "
                   "this list."),
            )),
            _NEVER,
            Part(CHANGE_YOUR_MIND, (
                _STOP,
                N_("We then close your record and delete it."),
            )),
            Part(IF_YOU_SAY_NO, (
                N_("We can still help you today. But we cannot keep a record without your yes, so we cannot "
                   "follow up with you later."),
            )),
        ),
    ),
    SHARE: Explanation(
        "2026-12",
        SHARE,
        N_("Sharing your information with another organisation"),
        (
            Part(WHAT_WE_KEEP, (
                N_("We give one other organisation the information it needs to help you, for example to book an "
                   "appointment for you."),
                N_("We tell you the name of that organisation before we share anything."),
            )),
            Part(WHO_SEES_IT, (
                N_("Only that one organisation gets your information. Nobody else does."),
            )),
            _NEVER,
            Part(CHANGE_YOUR_MIND, (
                _STOP,
                N_("We stop sharing from that moment. We cannot take back what was already sent, but we can ask "
                   "them to delete it."),
            )),
            Part(IF_YOU_SAY_NO, (
                N_("Your care with us stays the same. We can give you the organisation's details, so that you can "
                   "contact them yourself."),
            )),
        ),
    ),
    REMINDERS: Explanation(
        "2026-12",
        REMINDERS,
        N_("Sending you reminders"),
        (
            Part(WHAT_WE_KEEP, (
                N_("We send you short messages, for example before an appointment, in the way you choose: a text "
                   "message or an e-mail."),
                N_("The message only says who it is from and asks you to contact us. It never says why, so it is "
                   "safer if someone else sees your phone."),
            )),
            Part(WHO_SEES_IT, (
                N_("Only our staff send these messages. Tell us when it is safe to contact you, and if it is never "
                   "safe."),
            )),
            _NEVER,
            Part(CHANGE_YOUR_MIND, (_STOP, N_("We then send you no more messages."))),
            Part(IF_YOU_SAY_NO, (
                N_("Your care with us stays the same. We do not send you messages, and you can contact us when you "
                   "want."),
            )),
        ),
    ),
    CONTACT: Explanation(
        "2026-12",
        CONTACT,
        N_("Contacting you"),
        (
            Part(WHAT_WE_KEEP, (
                N_("We may need to reach you, for example to tell you about an appointment or to ask how you are."),
                N_("You choose each way we may use: a phone call, a text message, an e-mail, or a message through an "
                   "organisation you name. You say yes or no to each one."),
                N_("We only say who we are. We never say why in a message, so it is safer if someone else sees it."),
            )),
            Part(WHO_SEES_IT, (
                N_("Only the people in our team who help you contact you."),
                N_("Tell us when it is safe to contact you. We try to keep to those times. If it is never safe, "
                   "tell us and we will not contact you at all."),
            )),
            _NEVER,
            Part(CHANGE_YOUR_MIND, (_STOP, N_("We then stop using that way to contact you."))),
            Part(IF_YOU_SAY_NO, (
                N_("Your care with us stays the same. We do not contact you that way, and you can contact us when "
                   "you want."),
            )),
        ),
    ),
    STATISTICS: Explanation(
        "2026-12",
        STATISTICS,
        N_("Counting how many people we help"),
        (
            Part(WHAT_WE_KEEP, (
                N_("We count how many people we help and what kind of help they need. The numbers never show your "
                   "name or anything that shows it is you."),
            )),
            Part(WHO_SEES_IT, (
                N_("We share only totals, for example with the people who plan health services. When a number is "
                   "very small, we hide it, so that nobody can guess who it is."),
            )),
            _NEVER,
            Part(CHANGE_YOUR_MIND, (_STOP, N_("We then leave you out of the counting."))),
            Part(IF_YOU_SAY_NO, (N_("Your care with us stays the same. We leave you out of the counting."),)),
        ),
    ),
    IMMIGRATION_SITUATION: Explanation(
        "2026-12",
        IMMIGRATION_SITUATION,
        N_("Keeping a note of your immigration situation"),
        (
            Part(WHAT_WE_KEEP, (
                N_("Some help depends on your immigration situation. We keep a note of it only if it changes what "
                   "help you can get."),
            )),
            Part(WHO_SEES_IT, (
                N_("Only the people in our team who help you can see it. It is never shown in lists or searches. "
                   "We delete it when your case is closed."),
            )),
            _NEVER,
            Part(CHANGE_YOUR_MIND, (_STOP, N_("We then delete the note straight away."))),
            Part(IF_YOU_SAY_NO, (
                N_("We do not keep the note. We can still help you, but we may need to ask you again when it "
                   "matters."),
            )),
        ),
    ),
}

VERSIONS: dict[str, dict[str, Explanation]] = {"2026-12": _2026_12}
assert all(set(texts) == set(PURPOSES) for texts in VERSIONS.values()), "every version explains every purpose"

TITLES = {purpose: _2026_12[purpose].title for purpose in PURPOSES}


def exists(version: str, purpose: str) -> bool:
    return purpose in VERSIONS.get(version, {})


def versions_of(purpose: str) -> list[str]:
    return [version for version, texts in VERSIONS.items() if purpose in texts]


def explanation(purpose: str, version: str = CURRENT) -> Explanation:
    """The explanation of `purpose` in `version`; KeyError for an unknown one (callers check with exists())."""
    return VERSIONS[version][purpose]
