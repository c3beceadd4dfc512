"""The README tells a deployer the truth (QA finding 17, and 2's "CAREBRIDGE_SMTP_* missing"): one settings table that
lists every setting in config.py, the staff side in what is here and what to open, and every staff command."""

from __future__ import annotations

import re
from pathlib import Path

from carebridge.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = re.search(r"^## ", text[start + len(heading):], re.M)
    return text[start: start + len(heading) + following.start()] if following else text[start:]


def test_the_settings_table_is_one_table_listing_every_setting() -> None:
    configuration = section(README.read_text(encoding="utf-8"), "## Configuration")
    lines = configuration.splitlines()
    rows = [number for number, line in enumerate(lines) if line.startswith("|")]
    assert rows, "the section has a table"
    assert rows == list(range(rows[0], rows[-1] + 1)), "nothing breaks the table in the middle"
    table = "\n".join(lines[rows[0]: rows[-1] + 1])
    documented = set(re.findall(r"`CAREBRIDGE_([A-Z0-9_]+)`", table))
    missing = {name.upper() for name in Settings.model_fields} - documented
    assert not missing, f"settings missing from the README's table: {sorted(missing)}"
    assert "no-smtp" in table  # with no SMTP server, what happens to a notification is said


def test_the_readme_shows_the_staff_side_and_its_commands() -> None:
    text = README.read_text(encoding="utf-8")
    here = text[text.index("What is here today"): text.index("## Set-up")]
    assert "/staff/sign-in" in here
    open_table = text[text.index("Then open:"): text.index("Other commands:")]
    assert "http://127.0.0.1:8000/staff/sign-in" in open_table and "demo" in open_table
    commands = text[text.index("Other commands:"): text.index("## Configuration")]
    for command in ("staff create", "staff list", "organisation create", "team create", "audit verify",
                    "audit head", "worker", "jobs status", "jobs retry-dead", "demo load", "accounts", "code",
                    "remove"):
        assert command in commands, command
    assert "`carebridge demo code`" not in text.replace(".venv/bin/carebridge demo code", "")
