"""`carebridge organisation|team|staff ...`: one unit of work each, plain errors with exit code 2, passwords only
from standard input."""

import io
import os
import subprocess
import sys

import pytest
from factories import accounts as factories
from sqlalchemy import select

from carebridge import cli
from carebridge.accounts import cli as accounts_cli
from carebridge.accounts import passwords, service
from carebridge.accounts.models import Organisation


@pytest.fixture
def carebridge(session_factory, monkeypatch, capsys):
    """Run `carebridge ARGS` in this process against the test's database; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(accounts_cli, "SESSION_FACTORY", session_factory)

    def run(*args, stdin="correct horse battery staple\n"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_organisations_teams_and_accounts_from_the_command_line(carebridge, session_factory):
    assert carebridge("organisation", "create", "Harbour Health")[0] == 0
    assert carebridge("team", "create", "--organisation", "Harbour Health", "Night team")[0] == 0
    code, out, err = carebridge(
        "staff", "create", "--email", "Ana@Example.org", "--name", "Ana Lopez", "--role", "clinician",
        "--role", "link-worker", "--organisation", "Harbour Health", "--team", "Night team", "--languages", "es ar",
    )
    assert code == 0, err
    assert "created staff account" in out and "correct horse" not in out
    with session_factory() as session:
        account = service.account_by_email(session, "ana@example.org")
        actor = service.actor_for(account)
        assert actor.roles == {"clinician", "link-worker"} and len(actor.team_ids) == 1
        assert account.languages == "es ar"
        assert passwords.verify_password(account.password_hash, "correct horse battery staple")

    code, out, _ = carebridge("staff", "list", "--organisation", "Harbour Health")
    assert code == 0 and "Ana@Example.org" in out and "clinician,link-worker" in out and "active" in out
    assert "Night team" in carebridge("organisation", "list")[1]

    assert carebridge("staff", "roles", "ana@example.org", "--role", "peer-supporter")[0] == 0
    assert carebridge("staff", "disable", "ana@example.org")[0] == 0
    assert "disabled" in carebridge("staff", "list")[1]
    assert carebridge("staff", "enable", "ana@example.org")[0] == 0
    with session_factory() as session:
        account = service.account_by_email(session, "ana@example.org")
        assert account.active and {role.role for role in account.roles} == {"peer-supporter"}


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("team", "create", "--organisation", "Nowhere", "A team"), "", "there is no organisation called 'Nowhere'"),
        (("staff", "disable", "nobody@example.org"), "", "no staff account with that e-mail address"),
        (("staff", "create", "--email", "x@example.org", "--name", "X Y", "--role", "clinician",
          "--organisation", "Harbour Health"), "password\n", "Use at least 12 characters"),
        (("staff", "create", "--email", "x@example.org", "--name", "X Y", "--role", "border-officer",
          "--organisation", "Harbour Health"), "correct horse battery staple\n", "There is no role called border-officer"),
        (("staff", "create", "--email", "x@example.org", "--name", "X Y", "--role", "wizard",
          "--organisation", "Harbour Health"), "correct horse battery staple\n", "There is no role called wizard."),
        (("staff", "create", "--email", "x@example.org", "--name", "X Y", "--role", "<b>" + "w" * 100,
          "--organisation", "Harbour Health"), "correct horse battery staple\n", "One of the roles given does not exist"),
        (("staff", "create", "--email", "x@example.org", "--name", "\u202eevil\u202c Name", "--role", "clinician",
          "--organisation", "Harbour Health"), "correct horse battery staple\n", "hidden character"),
        (("organisation", "create", "HARBOUR health"), "", "already exists"),
        (("staff", "create", "--email", "x@example.org", "--name", "X Y", "--role", "clinician",
          "--organisation", "Harbour Health"), "", "no password on standard input"),
        (("staff", "create", "--email", "not-an-address", "--name", "X Y", "--role", "clinician",
          "--organisation", "Harbour Health"), "correct horse battery staple\n", "Enter an e-mail address"),
        (("organisation", "create", "Harbour Health"), "", "already exists"),
        (("organisation", "create", "Other", "--directory-organization", "nope"), "", "no organisation with that id"),
    ],
)
def test_bad_input_gets_a_plain_message_and_exit_code_2(carebridge, session_factory, args, stdin, message):
    assert carebridge("organisation", "create", "Harbour Health")[0] == 0
    code, out, err = carebridge(*args, stdin=stdin)
    assert code == 2
    assert message in err, err
    assert "Traceback" not in err and out == ""
    with session_factory() as session:
        assert session.scalars(select(Organisation.name)).all() == ["Harbour Health"]  # nothing else was kept


def test_resetting_a_second_factor_names_an_active_administrator(carebridge, session_factory, session):
    organisation = factories.organisation(session, "Harbour Health")
    factories.account(session, roles=("administrator",), organisation_=organisation, email="admin@example.org")
    factories.account(session, roles=("service-manager",), organisation_=organisation, email="manager@example.org")
    factories.account(session, organisation_=organisation, email="worker@example.org")
    session.commit()
    code, _, err = carebridge("staff", "reset-second-factor", "worker@example.org", "--by", "manager@example.org")
    assert code == 2 and "--by must name an active administrator" in err
    code, out, err = carebridge("staff", "reset-second-factor", "worker@example.org", "--by", "admin@example.org")
    assert code == 0, err
    assert "cleared the second factor" in out


@pytest.mark.parametrize(("smtp_host", "said"), [("", "nobody has told them"), ("mail.example.org", "will be told by e-mail")])
def test_a_second_factor_reset_says_whether_e_mail_can_tell_the_person(
    carebridge, session_factory, session, monkeypatch, smtp_host, said
):
    monkeypatch.setattr(accounts_cli, "_can_send_email", lambda: bool(smtp_host))
    organisation = factories.organisation(session, "Harbour Health")
    factories.account(session, roles=("administrator",), organisation_=organisation, email="admin@example.org")
    factories.account(session, organisation_=organisation, email="worker@example.org")
    session.commit()
    code, out, err = carebridge("staff", "reset-second-factor", "worker@example.org", "--by", "admin@example.org")
    assert code == 0, err
    assert said in out and "have been told by a notification" not in out


def test_the_password_is_asked_twice_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    answers = iter(["correct horse battery staple", "correct horse battery stapler"])
    monkeypatch.setattr(accounts_cli.getpass, "getpass", lambda prompt: next(answers))
    with pytest.raises(accounts_cli.Refused, match="differ"):
        accounts_cli.read_password(Terminal())
    answers = iter(["same words every time", "same words every time"])
    assert accounts_cli.read_password(Terminal()) == "same words every time"
    assert accounts_cli.read_password(io.StringIO("with a space at the end \nsecond line\n")) == "with a space at the end "


def test_the_command_runs_as_a_process_with_the_password_on_standard_input(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    cli.upgrade_database(url)
    env = {**os.environ, "CAREBRIDGE_DATABASE_URL": url}

    def run(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "carebridge.cli", *args], input=stdin, capture_output=True, text=True, env=env,
            timeout=60, check=False,
        )

    assert run("organisation", "create", "Harbour Health").returncode == 0
    made = run("staff", "create", "--email", "a@example.org", "--name", "A B", "--role", "planner",
               "--organisation", "Harbour Health", stdin="correct horse battery staple\n")
    assert made.returncode == 0, made.stderr
    listed = run("staff", "list")
    assert "a@example.org" in listed.stdout
    wrong = run("staff", "roles", "a@example.org")
    assert wrong.returncode == 2  # argparse: --role is required
