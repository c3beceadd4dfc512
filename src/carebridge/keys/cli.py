"""`carebridge keys init|status` — the keys that protect people's records (keys.keyring, keys.service).

`rotate` and `retire` are added by the key-rotation work (docs/deploying.md, "Keys").
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _init(_args: argparse.Namespace) -> int:
    """Create the record-key file and the blind-index key file when they are missing (never overwrite)."""
    from carebridge.config import get_settings
    from carebridge.kit.crypto import create_key_file

    settings = get_settings()
    for setting, variable, path in (
        ("record_key_file", "CAREBRIDGE_RECORD_KEYS", Path(settings.record_key_file)),
        ("blind_index_key_file", "CAREBRIDGE_BLIND_INDEX_KEY", Path(settings.blind_index_key_file)),
    ):
        if getattr(settings, setting.replace("_file", "")).get_secret_value():
            print(f"{variable} is set: {path} is not used")
        elif path.exists():
            print(f"{path} exists: kept as it is")
        else:
            create_key_file(path)
            print(f"{path} created (mode 0600). Keep a copy somewhere safe: without it no record can be read.")
    return 0


def _status(_args: argparse.Namespace) -> int:
    from carebridge.config import get_settings
    from carebridge.db import session_scope
    from carebridge.keys import service
    from carebridge.keys.keyring import keyring

    ring = keyring(get_settings())
    with session_scope() as session:
        usage = service.usage(session)
    for kek in ring.by_id:
        marker = " (active)" if kek.hex() == ring.active_id else ""
        print(f"key {kek.hex()}{marker}: wraps {usage.pop(kek.hex(), 0)} data keys")
    for kek_id, count in sorted(usage.items()):
        print(f"key {kek_id} (NOT IN THE KEYRING): wraps {count} data keys — these records cannot be read")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    keys = commands.add_parser("keys", help="the keys that protect people's records").add_subparsers(
        dest="keys_command", required=True
    )
    keys.add_parser("init", help="create the key files when missing (never overwrites)").set_defaults(func=_init)
    keys.add_parser("status", help="which key-encryption keys wrap how many data keys").set_defaults(func=_status)
