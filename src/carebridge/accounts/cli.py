"""`carebridge organisation ...`, `carebridge team ...` and `carebridge staff ...`: the installation's operator
manages organisations, teams and staff accounts at the command line.

Each command is one unit of work (db.session_scope): all of it is kept, or nothing. Bad input gets a plain message
on standard error and exit code 2. A password is never an argument (it would stay in the shell's history and in the
process list): it is read from standard input, one line, or asked for twice without echo on a terminal. Only
resetting a second factor names an administrator (`--by`), because that is how a stolen password becomes an account.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any

from carebridge.errors import CarebridgeError

# Tests give their own session factory (joined to the test's transaction); None = the configured database.
SESSION_FACTORY: Any = None


def register(commands: argparse._SubParsersAction) -> None:  # noqa: SLF001
    organisation = commands.add_parser("organisation", help="staff organisations")
    organisation_sub = organisation.add_subparsers(dest="organisation_command", required=True)
    create = organisation_sub.add_parser("create", help="create a staff organisation")
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--directory-organization",
        metavar="ID",
        help="the id of the same body in the service directory (HSDS organization), so referrals can reach it",
    )
    create.set_defaults(func=_command(organisation_create))
    organisation_sub.add_parser("list", help="list organisations and their teams").set_defaults(
        func=_command(organisation_list)
    )

    team = commands.add_parser("team", help="teams within an organisation")
    team_sub = team.add_subparsers(dest="team_command", required=True)
    create = team_sub.add_parser("create", help="create a team")
    create.add_argument("--organisation", required=True, metavar="O", help="the organisation's name")
    create.add_argument("name", metavar="NAME")
    create.set_defaults(func=_command(team_create))

    staff = commands.add_parser("staff", help="staff accounts")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    create = staff_sub.add_parser(
        "create",
        help="create a staff account (the password is read from standard input)",
        description="Create a staff account. The password is read from standard input (one line), or asked for "
        "twice when standard input is a terminal; it is never an argument.",
    )
    create.add_argument("--email", required=True, metavar="E")
    create.add_argument("--name", required=True, metavar="N")
    create.add_argument("--role", required=True, action="append", metavar="R", help="a role; repeat for several")
    create.add_argument("--organisation", required=True, metavar="O", help="the organisation's name")
    create.add_argument("--team", action="append", default=[], metavar="T", help="a team's name; repeat for several")
    create.add_argument("--languages", default="", help='languages spoken, as BCP 47 tags: "ar fa"')
    create.set_defaults(func=_command(staff_create))

    for name, function, text in (
        ("disable", staff_disable, "disable an account (it can no longer sign in; its sessions end)"),
        ("enable", staff_enable, "enable a disabled account"),
    ):
        command = staff_sub.add_parser(name, help=text)
        command.add_argument("email", metavar="E")
        command.set_defaults(func=_command(function))

    roles = staff_sub.add_parser("roles", help="replace an account's roles (its sessions end)")
    roles.add_argument("email", metavar="E")
    roles.add_argument("--role", required=True, action="append", metavar="R", help="a role; repeat for several")
    roles.set_defaults(func=_command(staff_roles))

    reset = staff_sub.add_parser(
        "reset-second-factor",
        help="clear a lost second factor (recorded; the owner is told by e-mail if e-mail is set up); they enrol "
        "again at their next sign-in",
    )
    reset.add_argument("email", metavar="E")
    reset.add_argument("--by", required=True, metavar="ADMIN_EMAIL", help="the administrator doing it")
    reset.set_defaults(func=_command(staff_reset_second_factor))

    listing = staff_sub.add_parser("list", help="list staff accounts")
    listing.add_argument("--organisation", metavar="O", help="only this organisation's")
    listing.set_defaults(func=_command(staff_list))

    doc = staff_sub.add_parser("permissions-doc", help="write docs/permissions.md from the permission table")
    doc.add_argument("--check", action="store_true", help="only check that the file is up to date (exit 1 if not)")
    doc.add_argument("--output", default=None, help="the file (default: docs/permissions.md in the checkout)")
    doc.set_defaults(func=permissions_doc)


class Refused(Exception):
    """Bad input at the command line: the message is printed and the command exits 2."""


def _command(function: Callable[..., str]) -> Callable[[argparse.Namespace], int]:
    """Run `function(session, args)` in one unit of work; print what it returns, or the problem in plain words."""

    def run(args: argparse.Namespace) -> int:
        from carebridge.db import session_scope

        try:
            with session_scope(SESSION_FACTORY) as session:
                message = function(session, args)
        except Refused as problem:
            print(f"carebridge: {problem}", file=sys.stderr)
            return 2
        except CarebridgeError as problem:
            print(f"carebridge: {describe(problem)}", file=sys.stderr)
            return 2
        print(message)
        return 0

    return run


def describe(problem: CarebridgeError) -> str:
    """A domain error in plain English: its message, then each field's problem."""
    lines = [problem.detail or problem.title]
    for error in problem.errors:
        reason = error.message % error.params if error.params else error.message
        allowed = f" (one of: {', '.join(error.allowed)})" if error.allowed else ""
        lines.append(f"  {error.name.replace('_', ' ')}: {reason}{allowed}")
    return "\n".join(lines)


def read_password(stdin: Any = None) -> str:
    """The new password: asked twice without echo on a terminal, otherwise the first line of standard input."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first = getpass.getpass("Password for the new account: ")
        if getpass.getpass("The same password again: ") != first:
            raise Refused("the two passwords differ; nothing was created")
        return first
    line = stdin.readline()
    if not line:
        raise Refused("no password on standard input; give it as one line, e.g. from a password manager")
    return line.rstrip("\r\n")


def _organisation(session: Any, name: str) -> Any:
    from carebridge.accounts import service

    try:
        return service.organisation_by_name(session, name)
    except CarebridgeError:
        raise Refused(f"there is no organisation called {name!r} (see `carebridge organisation list`)") from None


def _account(session: Any, email: str) -> Any:
    from carebridge.accounts import service

    account = service.account_by_email(session, email)
    if account is None:
        raise Refused("there is no staff account with that e-mail address (see `carebridge staff list`)")
    return account


def organisation_create(session: Any, args: argparse.Namespace) -> str:
    from carebridge.accounts import service

    organisation = service.create_organisation(
        session, args.name, directory_organization_id=args.directory_organization
    )
    return f"created organisation {organisation.name!r} ({organisation.id})"


def organisation_list(session: Any, _args: argparse.Namespace) -> str:
    from carebridge.accounts import service

    lines = []
    for organisation in service.list_organisations(session):
        link = f" (directory: {organisation.directory_organization_id})" if organisation.directory_organization_id else ""
        lines.append(f"{organisation.name}{link}")
        lines.extend(f"  team: {team.name}" for team in organisation.teams)
    return "\n".join(lines) or "no organisations yet (`carebridge organisation create NAME`)"


def team_create(session: Any, args: argparse.Namespace) -> str:
    from carebridge.accounts import service

    team = service.create_team(session, _organisation(session, args.organisation), args.name)
    return f"created team {team.name!r} in {args.organisation!r}"


def staff_create(session: Any, args: argparse.Namespace) -> str:
    from carebridge.accounts import service

    organisation = _organisation(session, args.organisation)
    teams = []
    for name in args.team:
        try:
            teams.append(service.team_by_name(session, organisation, name))
        except CarebridgeError:
            raise Refused(f"{args.organisation!r} has no team called {name!r}") from None
    account = service.create_account(
        session,
        email=args.email,
        name=args.name,
        organisation=organisation,
        roles=args.role,
        password=read_password(),
        languages=args.languages,
        teams=teams,
    )
    return f"created staff account {account.id} with roles {', '.join(sorted(args.role))}"


def staff_disable(session: Any, args: argparse.Namespace) -> str:
    from carebridge.accounts import service

    account = service.disable_account(session, None, _account(session, args.email).id)
    return f"disabled staff account {account.id}; its sessions have ended"


def staff_enable(session: Any, args: argparse.Namespace) -> str:
    from carebridge.accounts import service

    account = service.enable_account(session, None, _account(session, args.email).id)
    return f"enabled staff account {account.id}"


def staff_roles(session: Any, args: argparse.Namespace) -> str:
    from carebridge.accounts import service

    account = service.change_roles(session, None, _account(session, args.email).id, args.role)
    return f"staff account {account.id} now has roles {', '.join(sorted(args.role))}; its sessions have ended"


def staff_reset_second_factor(session: Any, args: argparse.Namespace) -> str:
    from carebridge.accounts import service

    admin = _account(session, args.by)
    actor = service.actor_for(admin)
    if not admin.active or not actor.can("staff.manage"):
        raise Refused("--by must name an active administrator's account")
    account = service.reset_second_factor(session, actor, _account(session, args.email).id)
    cleared = f"cleared the second factor of staff account {account.id}; they set up a new one at their next sign-in"
    if not _can_send_email():
        return (
            f"{cleared}. This installation cannot send e-mail (CAREBRIDGE_SMTP_HOST is not set), so nobody has told "
            "them: tell them yourself, in another way"
        )
    return f"{cleared}, and will be told by e-mail"


def _can_send_email() -> bool:
    """Whether a mail server is configured (read here, at the command line's edge, as the pages read the app's)."""
    from carebridge.config import get_settings

    return bool(get_settings().smtp_host)


def staff_list(session: Any, args: argparse.Namespace) -> str:
    from carebridge.accounts import service

    organisation_id = _organisation(session, args.organisation).id if args.organisation else None
    names = {organisation.id: organisation.name for organisation in service.list_organisations(session)}
    lines = []
    for account in service.list_accounts(session, organisation_id=organisation_id):
        roles = ",".join(sorted(role.role for role in account.roles))
        state = "active" if account.active else "disabled"
        demo = " demo" if account.demo else ""
        lines.append(f"{account.email}\t{account.name}\t{names.get(account.organisation_id, '')}\t{roles}\t{state}{demo}")
    return "\n".join(lines) or "no staff accounts"


def permissions_doc(args: argparse.Namespace) -> int:
    from pathlib import Path

    from carebridge.accounts.permissions_doc import DOC_PATH, render

    path = Path(args.output) if args.output else DOC_PATH
    text = render()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            print(f"carebridge: {path} is out of date: run `carebridge staff permissions-doc`", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0
