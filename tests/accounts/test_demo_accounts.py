"""Demo staff accounts: one per role, only with CAREBRIDGE_DEMO=true, idempotent, published in docs/demo-city.md;
the server refuses to start with CAREBRIDGE_DEMO=false while any is active."""

import os
import subprocess
import sys
from datetime import timedelta

import pyotp
from sqlalchemy import select

from carebridge import cli
from carebridge.accounts import demo, passwords, service
from carebridge.accounts.models import StaffAccount
from carebridge.accounts.permissions import ROLES
from carebridge.referrals import demo as referrals_demo
from carebridge.config import PROJECT_ROOT, Settings
from carebridge.kit import clock


# `carebridge demo load` makes one account per role, and one receiver in each of the other demo organisations that
# receive referrals (referrals.demo); `demo remove` disables them all.
EVERY_DEMO_ACCOUNT = len(ROLES) + len(referrals_demo.ORGANISATIONS)


def _demo_accounts(session):
    return session.scalars(select(StaffAccount).where(StaffAccount.demo.is_(True))).all()


def test_one_account_per_role_with_the_published_password_and_a_confirmed_second_factor(session):
    message = demo.load_demo_accounts(session, Settings(demo=True))
    assert f"{len(ROLES)} created" in message
    accounts = _demo_accounts(session)
    assert len(accounts) == len(ROLES)
    for role in ROLES:
        account = service.account_by_email(session, f"{role}@demo.carebridge.example")
        assert account is not None and account.demo and account.active
        assert {held.role for held in account.roles} == {role}
        assert passwords.verify_password(account.password_hash, demo.PASSWORD)
        assert account.totp_secret and account.totp_confirmed_at is not None
    clinician = service.account_by_email(session, "clinician@demo.carebridge.example")
    assert len(clinician.memberships) == 2
    assert f"all {len(ROLES)} already there" in demo.load_demo_accounts(session, Settings(demo=True))
    assert len(_demo_accounts(session)) == len(ROLES)


def test_the_demo_load_command_makes_them_only_when_demo_is_on(session_factory):
    without = cli.load_demo(session_factory, settings=Settings(demo=False))
    assert "Demo staff accounts" not in without
    with session_factory() as session:
        assert _demo_accounts(session) == []
    first = cli.load_demo(session_factory, settings=Settings(demo=True))
    assert f"Demo staff accounts: {len(ROLES)} created" in first
    again = cli.load_demo(session_factory, settings=Settings(demo=True))
    assert "already loaded" in again and "already there" in again


def test_the_server_refuses_demo_accounts_when_demo_is_off_until_they_are_removed(session_factory):
    assert cli.demo_accounts_refusal(session_factory, Settings(demo=False)) is None
    cli.load_demo(session_factory, settings=Settings(demo=True))
    assert cli.demo_accounts_refusal(session_factory, Settings(demo=True)) is None
    refusal = cli.demo_accounts_refusal(session_factory, Settings(demo=False))
    assert refusal is not None and f"{EVERY_DEMO_ACCOUNT} demo staff accounts" in refusal and "carebridge demo remove" in refusal
    with session_factory() as session:
        assert demo.remove_demo_accounts(session) == EVERY_DEMO_ACCOUNT
        session.commit()
        assert all(not account.active and account.totp_secret is None for account in _demo_accounts(session))
    assert cli.demo_accounts_refusal(session_factory, Settings(demo=False)) is None


def test_the_demo_code_is_the_current_totp_code_of_the_published_key():
    now = clock.now()
    assert demo.current_code() == pyotp.TOTP(demo.TOTP_KEY).at(now)
    with clock.pinned(now + timedelta(seconds=30)):
        later = demo.current_code()
    assert later == pyotp.TOTP(demo.TOTP_KEY).at(now + timedelta(seconds=30))
    assert len(later) == 6 and later.isdigit()


def test_docs_and_the_summary_publish_the_accounts_password_and_key():
    text = (PROJECT_ROOT / "docs" / "demo-city.md").read_text(encoding="utf-8")
    summary = demo.summary()
    for role in ROLES:
        assert f"{role}@demo.carebridge.example" in text and f"{role}@demo.carebridge.example" in summary
    for published in (demo.PASSWORD, demo.TOTP_KEY, "carebridge demo code", "carebridge demo remove"):
        assert published in text
    assert demo.PASSWORD in summary and demo.TOTP_KEY in summary


def test_the_summary_names_the_command_as_it_is_called_from_a_checkout():
    """QA 17: `make run` printed `carebridge demo code`, which is not on the PATH of a checkout."""
    assert "`.venv/bin/carebridge demo code`" in demo.summary()


def test_serve_exits_2_with_demo_off_and_demo_accounts_present(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    cli.upgrade_database(url)
    from carebridge.db import make_engine
    from sqlalchemy.orm import sessionmaker

    engine = make_engine(url)
    cli.load_demo(sessionmaker(bind=engine), settings=Settings(demo=True))
    engine.dispose()
    env = {**os.environ, "CAREBRIDGE_DATABASE_URL": url, "CAREBRIDGE_DEMO": "false"}
    result = subprocess.run(
        [sys.executable, "-m", "carebridge.cli", "serve", "--port", "1"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "demo staff accounts are still active" in result.stderr
    removed = subprocess.run(
        [sys.executable, "-m", "carebridge.cli", "demo", "remove"], capture_output=True, text=True, env=env, timeout=60,
        check=False,
    )
    assert removed.returncode == 0 and f"disabled {EVERY_DEMO_ACCOUNT}" in removed.stdout
    code = subprocess.run(
        [sys.executable, "-m", "carebridge.cli", "demo", "code"], capture_output=True, text=True, env=env, timeout=60,
        check=False,
    )
    assert code.returncode == 0 and code.stdout.strip().isdigit()
