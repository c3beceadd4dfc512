"""QA 2026-12-06 (link-worker-seen-by-ar-1280.png): "Who has seen this record", given to the person in their language,
said "Did something with the record (consent.explanation.read)" for everyday actions: the services record
client.channel.change, client.immigration.set, client.do-not-contact.set, client.reminder.queue, ... while the list of
plain sentences knew other names. Every action any service records on a person's record now has its sentence."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from carebridge.i18n import LANGUAGES
from carebridge.rights import service as rights

SOURCE = Path(rights.__file__).resolve().parents[1]
# Recorded on other kinds of records, or never shown to anyone (the record is gone with its key).
NOT_ON_A_PERSONS_RECORD = {"keys.rotate", "keys.retire", "client.demo-remove", "client.erase"}
# Where an action's record type is not spelled at the call: firewall's `_audit` records on the person's record too,
# and break-glass records on whatever record was opened (a person's, among others).
RECORDERS = {"record", "record_many", "_audit"}


def _parse(path: Path) -> ast.Module:
    """ast.parse, tried again on CPython 3.11's SystemError "AST constructor recursion depth mismatch".

    CPython before 3.11.8 keeps the AST converter's depth in one per-interpreter counter (gh-106905): when another
    thread of the test process (a test's HTTP server, a worker) runs Python while a tree is being built, the count
    goes wrong and parse raises. It happened once in CI (exit 2 on 92c67e1). The source is the same on every try, so
    a second parse gives the same tree; a real syntax error is a SyntaxError and is not retried."""
    source = path.read_text(encoding="utf-8")
    for attempt in range(3):
        try:
            return ast.parse(source, filename=str(path))
        except SystemError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@functools.cache
def _recorded_on_people() -> dict[str, str]:
    """Every audited action in the code that may be recorded with record_type "client": {action: file}."""
    found: dict[str, str] = {}
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(_parse(path)):
            if not isinstance(node, ast.Call) or getattr(node.func, "attr", getattr(node.func, "id", "")) not in RECORDERS:
                continue
            record_type = next((keyword.value for keyword in node.keywords if keyword.arg == "record_type"), None)
            if record_type is None and getattr(node.func, "id", "") != "_audit":
                continue
            if isinstance(record_type, ast.Constant) and record_type.value != "client":
                continue
            for argument in node.args[:2]:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and "." in argument.value:
                    found.setdefault(argument.value, str(path.relative_to(SOURCE)))
    # Chosen in a variable before the call (clients/contact.py).
    found.update({"client.do-not-contact.set": "clients/contact.py", "client.do-not-contact.clear": "clients/contact.py"})
    # Built from the decision (firewall/service.py: f"disclosure.propose-{decision}", f"disclosure.confirm-{...}").
    found.update({f"disclosure.{step}-{decision}": "firewall/service.py" for step in ("propose", "confirm") for decision in ("disclose", "refuse")})
    # clients/duplicates.py: f"client.link.{decision}".
    found.update({f"client.link.{decision}": "clients/duplicates.py" for decision in ("same-person", "not-same-person")})
    return {action: where for action, where in found.items() if action not in NOT_ON_A_PERSONS_RECORD}


def test_the_scan_finds_the_actions_it_should() -> None:
    actions = _recorded_on_people()
    for expected in ("client.create", "client.note.create", "consent.give", "client.reminder.send", "disclosure.person-told"):
        assert expected in actions


def test_every_action_on_a_persons_record_has_a_plain_sentence() -> None:
    missing = {action: where for action, where in _recorded_on_people().items() if action not in rights.ACTIONS}
    assert not missing, f"no plain sentence for: {missing}"


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_no_sentence_names_the_action_in_any_language(compiled_catalogs, language: str) -> None:
    for action in _recorded_on_people():
        sentence = rights.describe(action, language)
        assert action not in sentence, (language, action, sentence)
