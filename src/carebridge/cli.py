"""The `carebridge` command. Every command honours CAREBRIDGE_DATABASE_URL.

Each domain adds its own sub-commands through a `register(subparsers)` function in its `cli` module, listed in
the registry (carebridge/domains.py).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from carebridge.config import Settings, get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class FramesOnlyFormatter(logging.Formatter):
    """Formats an exception as its type and stack frames, never its message: a message can repeat what a person
    typed. The app logs its own errors this way (carebridge.middleware); this keeps any server layer to the same."""

    def formatException(self, ei) -> str:  # noqa: ANN001, N802 - logging's own name
        error_type, _error, tb = ei
        frames = "".join(traceback.format_tb(tb))
        return f"Traceback (most recent call last):\n{frames}{getattr(error_type, '__name__', 'Exception')} (message withheld)"


# uvicorn's own logging set-up, with our formatter, and the app's `carebridge` logger on the same handler.
LOG_CONFIG: dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"frames_only": {"()": FramesOnlyFormatter, "fmt": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"default": {"formatter": "frames_only", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
    "loggers": {
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        "carebridge": {"handlers": ["default"], "level": "INFO", "propagate": False},
    },
}


def uvicorn_options() -> dict:
    """What `carebridge serve` gives uvicorn besides the address (tests/test_server.py serves with the same)."""
    # No access log: request lines carry search terms and postcodes, which can identify a person.
    return {"access_log": False, "proxy_headers": True, "log_config": LOG_CONFIG}


def secure_cookies_warning(settings: Settings) -> str | None:
    """What `serve` prints when a real deployment (demo off) has not forced Secure cookies on (QA defect 4)."""
    if settings.demo or settings.secure_cookies:
        return None
    return (
        "carebridge: warning: CAREBRIDGE_DEMO is false but CAREBRIDGE_SECURE_COOKIES is not true. Cookies are made "
        "Secure only for requests that arrive over HTTPS (directly, or with X-Forwarded-Proto: https from a trusted "
        "proxy); if your proxy does not send that, staff sign-in cookies travel without Secure. Serve staff over "
        "HTTPS only and set CAREBRIDGE_SECURE_COOKIES=true."
    )


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from carebridge.i18n import missing_catalogs

    missing = missing_catalogs()
    if missing:
        locale_dir = get_settings().locale_dir
        print(
            f"carebridge: not starting: {len(missing)} compiled translation catalogs are missing from {locale_dir} "
            f"(for example {missing[0]}). Without them every page would be in English whatever language a person "
            "chooses. In a checkout, run `make translations` (or `make install`); an installed package carries "
            "them, so reinstall it from a wheel built with `pip wheel .`; or set CAREBRIDGE_LOCALE_DIR to the "
            "folder that holds <language>/LC_MESSAGES/*.mo.",
            file=sys.stderr,
        )
        return 2
    refusal = keys_refusal() or demo_accounts_refusal()
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    warning = secure_cookies_warning(get_settings())
    if warning:
        print(warning, file=sys.stderr)
    from carebridge.entitlements import audio

    if not audio.available():
        print(
            "carebridge: note: espeak-ng or lame is not installed, so the checker's result page will not offer an "
            "audio reading (it says why). `scripts/install-system-deps --runtime` installs them.",
            file=sys.stderr,
        )

    uvicorn.run(
        "carebridge.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        **uvicorn_options(),
    )
    return 0


def upgrade_database(database_url: str | None = None) -> None:
    """Apply every migration. The migrations ship inside the package (carebridge/migrations), so this works from
    an installed wheel as well as from a checkout; alembic is configured here, without alembic.ini."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("sqlalchemy.url", (database_url or get_settings().database_url).replace("%", "%%"))
    command.upgrade(config, "head")


def _db_upgrade(_args: argparse.Namespace) -> int:
    upgrade_database()
    print("database is at the newest migration")
    return 0


def demo_fingerprint() -> str:
    """What the demo data is: a hash of the two files it is loaded from."""
    import hashlib

    from carebridge.directory import demo

    digest = hashlib.sha256()
    for path in (demo.SERVICES_PATH, demo.GAZETTEER_PATH):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_demo(session_factory=None, *, force: bool = False, settings=None) -> str:  # noqa: ANN001 - for tests
    """Load the demo city unless this very demo data is already loaded and nothing has changed the directory
    since (then say so and do nothing: `make run` calls this on every start). With CAREBRIDGE_DEMO=true, also the
    demo staff accounts (accounts.demo), which are created only where missing."""
    settings = settings or get_settings()
    directory = _load_demo_directory(session_factory, force=force)
    if not settings.demo:
        return directory
    from carebridge.accounts.demo import load_demo_accounts
    from carebridge.clients.demo import load_demo_people
    from carebridge.db import session_scope
    from carebridge.outcomes.demo import load_demo_casework

    with session_scope(session_factory) as session:
        accounts = load_demo_accounts(session, settings)
        people = load_demo_people(session, settings)
        casework = load_demo_casework(session, settings)
        # Issue 11: other demo organisations, referrals among them, appointments and reminders, interpreters,
        # volunteers, social prescribing — each domain's own `demo.load_demo(session, settings) -> str`.
        referrals = [
            importlib.import_module(f"carebridge.{name}.demo").load_demo(session, settings)
            for name in ("referrals", "interpreters", "volunteers", "prescribing", "appointments")
        ]
    return "\n".join(part for part in (directory, accounts, people, casework, *referrals) if part)


def _load_demo_directory(session_factory=None, *, force: bool = False) -> str:  # noqa: ANN001
    from carebridge.db import read_state, session_scope, write_state
    from carebridge.directory.repository import current_revision
    from carebridge.directory.service import load_demo_data

    fingerprint = demo_fingerprint()
    with session_scope(session_factory) as session:
        revision = current_revision(session)
        if not force and read_state(session, "demo") == f"{fingerprint} {revision}":
            return (
                f"The FICTIONAL demo city of Fairhaven is already loaded (demo data {fingerprint}, directory "
                f"revision {revision}); nothing to do."
            )
        summary = load_demo_data(session)
        write_state(session, "demo", f"{fingerprint} {current_revision(session)}")
    return summary


def keys_refusal(session_factory=None, settings=None) -> str | None:  # noqa: ANN001 - for tests
    """Why the server must not start, if it must not: the keys of people's records (keys.keyring) cannot be read —
    a key file missing with CAREBRIDGE_DEMO=false, unreadable, not base64 keys — or data keys are still wrapped by a
    key-encryption key that is no longer in the keyring (taken out by hand). Either way every person's page would
    fail. In demo mode missing key files are made, as `make run` does. Never prints a key or a key file's content."""
    from sqlalchemy.exc import SQLAlchemyError

    from carebridge.db import session_scope
    from carebridge.keys import keyring
    from carebridge.keys import service as keys
    from carebridge.kit.crypto import CryptoError

    settings = settings or get_settings()
    how = "Keep the key files (or CAREBRIDGE_RECORD_KEYS and CAREBRIDGE_BLIND_INDEX_KEY) as docs/deploying.md says."
    try:
        ring = keyring.keyring(settings)
        keyring.blind_index_key(settings)
    except CryptoError as error:
        # Its message names the setting or the file and what to do, never a key.
        return f"carebridge: not starting: {error}. {how}"
    except (OSError, UnicodeError) as error:
        return (
            f"carebridge: not starting: a key file ({settings.record_key_file} or {settings.blind_index_key_file}) "
            f"cannot be read as base64 keys ({type(error).__name__}). {how}"
        )
    try:
        with session_scope(session_factory) as session:
            usage = keys.usage(session)
    except SQLAlchemyError:
        return None
    known = {kek.hex() for kek in ring.by_id}
    lost = {kek_id: count for kek_id, count in usage.items() if kek_id not in known}
    if not lost:
        return None
    named = ", ".join(f"{kek_id} ({count} data keys)" for kek_id, count in sorted(lost.items()))
    return (
        f"carebridge: not starting: people's data keys are wrapped by key-encryption keys that are not in the "
        f"keyring: {named}. Put those keys back after the active one, run `carebridge keys rotate`, then `carebridge "
        f"keys retire` each old key (it checks that nothing needs it). {how}"
    )


def demo_accounts_refusal(session_factory=None, settings=None) -> str | None:  # noqa: ANN001 - for tests
    """Why the server must not start, if it must not: CAREBRIDGE_DEMO=false while active demo staff accounts (with
    their published password and second-factor key) exist. None otherwise, and when the database is not set up."""
    from sqlalchemy.exc import SQLAlchemyError

    from carebridge.accounts.demo import active_demo_accounts
    from carebridge.db import session_scope

    settings = settings or get_settings()
    if settings.demo:
        return None
    try:
        with session_scope(session_factory) as session:
            count = active_demo_accounts(session)
    except SQLAlchemyError:
        return None
    if not count:
        return None
    return (
        f"carebridge: not starting: CAREBRIDGE_DEMO=false, but {count} demo staff accounts are still active, and "
        "their password and second-factor key are published in docs/demo-city.md: anyone could sign in with them. "
        "Run `carebridge demo remove` to disable them all (or `carebridge staff disable EMAIL` for each; "
        "`carebridge staff list` shows them), then start again. Or set CAREBRIDGE_DEMO=true for a demonstration."
    )


def _demo_code(_args: argparse.Namespace) -> int:
    from carebridge.accounts.demo import current_code

    print(current_code())
    return 0


def _demo_accounts(_args: argparse.Namespace) -> int:
    from carebridge.accounts.demo import summary

    if get_settings().demo:
        print(summary())
    return 0


def _demo_remove(_args: argparse.Namespace) -> int:
    from carebridge.accounts.demo import remove_demo_accounts
    from carebridge.clients.demo import remove_demo_people
    from carebridge.db import session_scope

    with session_scope() as session:
        people = remove_demo_people(session)
        count = remove_demo_accounts(session)
    print(f"erased {people} fictional demo people (their data keys destroyed)")
    print(f"disabled {count} demo staff accounts (kept, disabled, because the audit trail refers to them)")
    return 0


def _demo_load(args: argparse.Namespace) -> int:
    print(load_demo(force=args.force))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from carebridge import domains

    parser = argparse.ArgumentParser(prog="carebridge", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the web app and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=_serve)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply all migrations").set_defaults(func=_db_upgrade)

    demo = commands.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    load = demo.add_parser(
        "load",
        help="load the fictional demo city (idempotent; does nothing if the same demo data is already loaded)",
    )
    load.add_argument("--force", action="store_true", help="load it again even if it is already there")
    load.set_defaults(func=_demo_load)
    demo.add_parser("code", help="print the demo staff accounts' current second-factor (TOTP) code").set_defaults(
        func=_demo_code
    )
    demo.add_parser("accounts", help="print the demo staff accounts, their password and key (with CAREBRIDGE_DEMO=true)").set_defaults(
        func=_demo_accounts
    )
    demo.add_parser("remove", help="disable every demo staff account (before running with CAREBRIDGE_DEMO=false)").set_defaults(
        func=_demo_remove
    )

    for module in domains.cli_modules():
        module.register(commands)
    return parser


def _plain_message(error) -> str:  # noqa: ANN001 - a CarebridgeError
    """An error's English message: its detail (or title) and each field's reason, for a person at a terminal."""
    text = error.detail or error.title
    if error.params:
        try:
            text = text % error.params
        except (KeyError, TypeError, ValueError):
            pass
    reasons = [item.as_dict()["reason"] for item in error.errors]
    return " ".join([text, *(f"({reason})" for reason in reasons)])


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command. A domain error (CarebridgeError) is a plain message on standard error, never a traceback:
    exit 1 when nothing was saved (NotSaved: the unit of work's commit failed; trying again may work), 2 for
    anything else (wrong input, not found, refused)."""
    from carebridge.errors import CarebridgeError, NotSaved

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CarebridgeError as error:
        print(f"carebridge: {_plain_message(error)}", file=sys.stderr)
        return 1 if isinstance(error, NotSaved) else 2


if __name__ == "__main__":
    sys.exit(main())
