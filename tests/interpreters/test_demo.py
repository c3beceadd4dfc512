"""Demo interpreters: twelve entries on the demo register (one the demo interpreter account), some bookings for
demo people, names sealed, and nothing added on a second load."""

from __future__ import annotations

from sqlalchemy import func, select

from carebridge.accounts.demo import load_demo_accounts
from carebridge.accounts.service import account_by_email
from carebridge.clients.demo import load_demo_people
from carebridge.config import Settings
from carebridge.interpreters.demo import REGISTER, load_demo
from carebridge.interpreters.models import Interpreter, InterpreterBooking


def test_the_demo_register_is_made_once_and_sealed(session, tmp_path) -> None:  # noqa: ANN001
    settings = Settings(demo=True, record_key_file=tmp_path / "record-keys", blind_index_key_file=tmp_path / "blind-index.key")
    load_demo_accounts(session, settings)
    load_demo_people(session, settings)
    said = load_demo(session, settings)
    assert said.startswith(f"Demo interpreters: {len(REGISTER)} on the register")
    assert session.scalar(select(func.count()).select_from(Interpreter)) == len(REGISTER)
    interpreter = account_by_email(session, "interpreter@demo.carebridge.example")
    assert session.scalar(select(Interpreter.id).where(Interpreter.account_id == interpreter.id)) is not None
    bookings = session.scalar(select(func.count()).select_from(InterpreterBooking))
    assert bookings >= 2
    for identity in session.scalars(select(Interpreter.identity).where(Interpreter.identity.is_not(None))):
        assert b"fictional" not in identity
    assert load_demo(session, settings) == "Demo interpreters: already there."
    assert session.scalar(select(func.count()).select_from(InterpreterBooking)) == bookings
