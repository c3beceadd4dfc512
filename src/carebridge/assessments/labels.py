"""What staff read of the assessment: the domains, each one's anchored scale in plain words, the categories and how
a domain moved. Message ids for the `staff` catalog (translated when the page is rendered)."""

from __future__ import annotations

from carebridge.errors import N_

DOMAIN_NAMES = {
    "housing": N_("Housing"),
    "finances": N_("Money and benefits"),
    "health": N_("Health"),
    "education": N_("Education"),
    "employment": N_("Work"),
    "social-connections": N_("Family, friends and community"),
    "language": N_("Language"),
    "legal": N_("Legal situation, as it affects care"),
    "safety": N_("Safety"),
}

DOMAIN_HINTS = {
    "finances": N_("Financial stability: income, benefits, debts."),
    "legal": N_(
        "Only what affects the person's care, such as a pending appeal that stops them getting help or a "
        "letter they need explained. Never record the immigration status itself here."
    ),
    "safety": N_("Whether the person is safe where they live and with the people around them."),
}

NOT_DISCUSSED_LABEL = N_("Not discussed")

# The anchors: what each score means for each domain, in plain words (1 managing well ... 4 in crisis).
ANCHORS: dict[str, dict[int, str]] = {
    "housing": {
        1: N_("Settled, safe housing; no help needed."),
        2: N_("Housed, but needs some guidance (a tenancy, repairs, bills)."),
        3: N_("Housing at risk or unsuitable; needs support and advocacy."),
        4: N_("Being evicted or homeless now."),
    },
    "finances": {
        1: N_("Enough money to live on; manages it without help."),
        2: N_("Needs some guidance with benefits, a bank account or a budget."),
        3: N_("Benefits stopped or delayed, debts; needs support and advocacy."),
        4: N_("No money for food or essentials now."),
    },
    "health": {
        1: N_("Well, or gets the care they need without help."),
        2: N_("Needs some guidance: registering with a doctor, understanding the health system."),
        3: N_("Physical or mental health problems; needs support to get care or go to appointments."),
        4: N_("Urgent health need that is not being met now."),
    },
    "education": {
        1: N_("In education or training as they wish, or none wanted."),
        2: N_("Needs some guidance to find a course, school or recognition of qualifications."),
        3: N_("Cannot get into education without support (fees, places, children's schooling)."),
        4: N_("A child is out of school, or education is breaking down, now."),
    },
    "employment": {
        1: N_("Working as they wish, or not looking for work."),
        2: N_("Needs some guidance on the right to work, a CV or job search."),
        3: N_("Barriers to work that need support and advocacy."),
        4: N_("Exploited at work or losing the only income now."),
    },
    "social-connections": {
        1: N_("Has people to turn to and takes part in a community."),
        2: N_("Needs some guidance to find groups, faith or community."),
        3: N_("Isolated; needs support to make connections or to be accompanied."),
        4: N_("Completely alone, or cut off from family in a way that harms them now."),
    },
    "language": {
        1: N_("Speaks the local language well enough for daily life."),
        2: N_("Needs some help with the language, or language qualifications."),
        3: N_("Needs an interpreter for most things, including appointments."),
        4: N_("Cannot communicate at all without an interpreter, and has none."),
    },
    "legal": {
        1: N_("Nothing in their legal situation gets in the way of their care."),
        2: N_("Needs some guidance to understand letters or rights that affect their care."),
        3: N_("A legal matter stops them getting care; needs advocacy or a referral to advice."),
        4: N_("A deadline or decision affecting their care is days away, with no adviser."),
    },
    "safety": {
        1: N_("Safe where they live and with the people around them."),
        2: N_("Some worries about safety; needs guidance."),
        3: N_("Not safe at times; needs support, a safety plan or a referral."),
        4: N_("Not safe now: risk of harm from others or to themselves."),
    },
}

SCORE_NAMES = {
    1: N_("1 — managing well, no help needed"),
    2: N_("2 — some guidance needed"),
    3: N_("3 — needs support and advocacy"),
    4: N_("4 — in crisis"),
}

CATEGORY_NAMES = {
    "resilience": N_("Resilience"),
    "guidance": N_("Guidance"),
    "complex": N_("Complex"),
    "critical": N_("Critical"),
}

CHANGE_NAMES = {
    "better": N_("better"),
    "worse": N_("worse"),
    "same": N_("same"),
    "not-discussed": N_("not discussed"),
}
# A mark drawn beside the word (aria-hidden: the word says it).
CHANGE_MARKS = {"better": "↓", "worse": "↑", "same": "=", "not-discussed": "–"}
