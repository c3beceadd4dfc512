"""`carebridge keys init|status|rotate|retire` — the keys that protect people's records (keys.keyring,
keys.service, keys.rotation; docs/deploying.md, "Keys").
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _init(_args: argparse.Namespace) -> int:
    """Create the record-key file and the blind-index key file when they are missing (never overwrite)."""
    from carebridge.config import get_settings
    from carebridge.kit.crypto import create_key_file

    settings = get_settings()
    for from_environment, variable, path in (
        (settings.record_keys, "CAREBRIDGE_RECORD_KEYS", Path(settings.record_key_file)),
        (settings.blind_index_key, "CAREBRIDGE_BLIND_INDEX_KEY", Path(settings.blind_index_key_file)),
    ):
        if from_environment.get_secret_value():
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


def _rotate(args: argparse.Namespace) -> int:
    from carebridge.config import get_settings
    from carebridge.keys import rotation
    from carebridge.keys.keyring import KeyringError

    settings = get_settings()
    if settings.record_keys.get_secret_value() and not args.rewrap_only:
        print(rotation.ENVIRONMENT_ROTATION)
        return 2

    def progress(report: rotation.RewrapReport) -> None:
        if report.batches % 10 == 0:
            print(f"  {report.rewrapped} data keys re-wrapped so far ({report.batches} batches)", flush=True)

    try:
        report = rotation.rotate(
            settings, rewrap_only=args.rewrap_only, batch_size=args.batch_size, after_batch=progress
        )
    except KeyringError as error:  # no key file, an unreadable one, ...: the message says what to do
        print(f"not rotated: {error}")
        return 2
    print(
        f"active key {report.active_id}: {report.rewrapped} data keys re-wrapped in {report.batches} batches "
        f"of up to {args.batch_size}, {report.seconds:.1f} s; {report.remaining} left under older keys"
        + (" (run it again to finish)" if report.remaining else "")
    )
    if report.unreadable:
        print(f"{report.unreadable} data keys are wrapped under keys that are NOT IN THE KEYRING: see `keys status`")
        return 1
    return 0


def _retire(args: argparse.Namespace) -> int:
    from carebridge.config import get_settings
    from carebridge.keys import rotation
    from carebridge.keys.keyring import KeyringError

    try:
        rotation.retire(get_settings(), None, args.key_id)
    except KeyringError as error:
        print(f"not retired: {error}")
        return 1
    print(f"key {args.key_id} retired: removed from the key file (backups made while it was active can no longer be read with the keys that remain; its own backed-up copies must go too)")
    return 0


def _batch_size(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError("between 1 and 100000")
    return value


def register(commands: argparse._SubParsersAction) -> None:
    keys = commands.add_parser("keys", help="the keys that protect people's records").add_subparsers(
        dest="keys_command", required=True
    )
    keys.add_parser("init", help="create the key files when missing (never overwrites)").set_defaults(func=_init)
    keys.add_parser("status", help="which key-encryption keys wrap how many data keys").set_defaults(func=_status)
    rotate = keys.add_parser(
        "rotate", help="add a new active key-encryption key, then re-wrap every data key under it (resumable)"
    )
    rotate.add_argument(
        "--rewrap-only",
        action="store_true",
        help="do not add a key: re-wrap under the active one (with CAREBRIDGE_RECORD_KEYS, or to finish a run)",
    )
    rotate.add_argument("--batch-size", type=_batch_size, default=500, help="data keys per transaction (default 500)")
    rotate.set_defaults(func=_rotate)
    retire = keys.add_parser("retire", help="remove a key-encryption key that no data key is wrapped under any more")
    retire.add_argument("key_id", help="the 8-hex-digit key id that `keys status` shows")
    retire.set_defaults(func=_retire)
