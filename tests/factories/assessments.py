"""Needs-assessment answers for tests (assessments.service.create_assessment takes them)."""

from __future__ import annotations


def answers(**scores) -> dict:  # noqa: ANN003
    """Answers with these scores (domain names with _ for -), words and strengths for each scored domain."""
    domains = {}
    for name, score in scores.items():
        domain = name.replace("_", "-")
        domains[domain] = {"score": score, "words": f"Words about {domain}", "strengths": f"Strong in {domain}"}
    return {"domains": domains, "what_matters": "Getting my children to school"}
