"""Screening test data: stand-in 'validated translations' of the instruments (tests only — no real translation
ships), written where CAREBRIDGE_SCREENING_TRANSLATIONS_DIR points."""

from __future__ import annotations

import json
from pathlib import Path

from carebridge.screening import instruments


def fake_wording(code: str, language: str) -> dict:
    """A complete wording file for `code`, every text marked with `language` ("[ar] question item-9")."""
    link_ids, option_codes = instruments._expected_keys(instruments.structure(code))  # noqa: SLF001
    return {
        "source": f"Test wording ({language})",
        "licence": "Test only",
        "preamble": f"[{language}] preamble",
        "items": {link_id: f"[{language}] question {link_id}" for link_id in link_ids},
        "options": {option: f"[{language}] answer {option}" for option in option_codes},
    }


def write_wording(folder: Path, code: str, language: str) -> Path:
    """Put a fake wording of `code` in `language` into the translations folder `folder`."""
    path = folder / code / f"{language}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fake_wording(code, language), ensure_ascii=False), encoding="utf-8")
    return path
