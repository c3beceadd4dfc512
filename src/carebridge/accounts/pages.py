"""Staff sign-in pages, the staff home page and one's own account.

    GET  /staff/sign-in                 e-mail and password (PublicAccess: reachable signed out)
    POST /staff/sign-in                 → 303 to the second factor (or enrolment), or to where they were going
    GET  /staff/sign-in/code            a code from the authenticator app, or a recovery code
    POST /staff/sign-in/code            → 303 on (a new session id)
    GET  /staff/sign-in/enrol           set up the authenticator app: QR code and the key as text
    POST /staff/sign-in/enrol           → 303 to the recovery codes, shown once
    POST /staff/sign-out                ends this browser's session, whatever its state
    GET  /staff                         home: who you are, your organisation and roles, what you can do here
    GET  /staff/account                 your signed-in sessions; sign out everywhere; new recovery codes
    POST /staff/account/sign-out-everywhere
    POST /staff/account/recovery-codes  → 303 to /staff/recovery-codes
    GET  /staff/recovery-codes          the codes just made, once

Every form posts, then redirects (303) to a page; a form with a problem is shown again with an error summary.
Nothing personal travels in a URL: `next` is a staff path only (access.safe_next).

The routes are plain `def`: FastAPI runs them in its thread pool, so the argon2 check (about 50 ms of CPU) and every
database wait (SQLite's busy wait for the write lock above all) happen off the event loop. (An `async` route with
`run_in_threadpool` for the hash alone was tried: its SQLite writes then waited for the lock on the event loop and
stalled every other request.)
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from cryptography.exceptions import InvalidTag
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from carebridge import i18n
from carebridge.access import PublicAccess
from carebridge.accounts import csrf, passwords, service, sessions, throttle, totp
from carebridge.accounts import secrets as staff_secrets
from carebridge.accounts.access import (
    CODE_PATH,
    ENROL_PATH,
    HOME_PATH,
    SIGN_IN_PATH,
    Actor,
    needs_second_factor_step,
    redirect,
    requires,
    safe_next,
)
from carebridge.accounts.models import Organisation, StaffAccount
from carebridge.accounts.permissions import PERMISSIONS, ROLES, needs_second_factor
from carebridge.accounts.rendering import render_staff
from carebridge.audit import service as audit
from carebridge.config import Settings
from carebridge.errors import N_, Conflict
from carebridge.web import SessionDep, SettingsDep, request_id

sign_in_router = APIRouter(include_in_schema=False, dependencies=[PublicAccess])
router = APIRouter(include_in_schema=False)

RECOVERY_PATH = "/staff/recovery-codes"
ACCOUNT_PATH = "/staff/account"
RECOVERY_SECURE_COOKIE = "__Host-carebridge_recovery_codes"
RECOVERY_PLAIN_COOKIE = "carebridge_recovery_codes"

WRONG_PASSWORD = N_("The e-mail address or the password is not right. Check them and try again.")
WRONG_CODE = N_("The code is not right, or it was used already. Wait for a new code in your app and try again.")


def _translator(request: Request) -> Any:
    return i18n.get_translations(i18n.negotiate_language(request))


def _error(request: Request, name: str, message: str, **params: Any) -> dict[str, str]:
    text = _translator(request).gettext(message)
    return {"name": name, "message": text % params if params else text}


def _too_many(request: Request, name: str, wait: Any) -> dict[str, str]:
    minutes = throttle.minutes(wait)
    text = _translator(request).ngettext(
        "Too many attempts. Try again in %(minutes)s minute.", "Too many attempts. Try again in %(minutes)s minutes.", minutes
    )
    return {"name": name, "message": text % {"minutes": minutes}}


def _with_next(path: str, next_path: str) -> str:
    return path if next_path == HOME_PATH else f"{path}?next={quote(next_path, safe='/')}"


def _client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _current(request: Request, session: Any, settings: Settings) -> sessions.Current | None:
    current = sessions.current(session, request.cookies.get(sessions.cookie_name(settings, request)), settings)
    return current if current is not None and current.active else None


def _partial(request: Request, session: Any, settings: Settings, *, enrolling: bool) -> sessions.Current:
    """The password-only session of the second-factor pages; elsewhere with a redirect when there is none."""
    current = _current(request, session, settings)
    if current is None:
        raise redirect(SIGN_IN_PATH)
    if not needs_second_factor_step(current):
        raise redirect(HOME_PATH)
    if enrolling and current.totp_confirmed:
        raise redirect(CODE_PATH)
    if not enrolling and not current.totp_confirmed:
        raise redirect(ENROL_PATH)
    request.state.csrf_token = csrf.session_token(current.csrf_secret)
    return current


def _redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


# Signing in.


def _sign_in_form(
    request: Request, settings: Settings, *, next_path: str, email: str = "", errors: list | None = None, status: int = 200
) -> Response:
    cookies = Response()
    token = csrf.sign_in_token(request, cookies, settings)
    request.state.csrf_token = token
    response = render_staff(
        request,
        "staff/sign_in.html",
        {"email": email, "errors": errors or [], "next_path": next_path},
        status_code=status,
    )
    for value in cookies.headers.getlist("set-cookie"):
        response.headers.append("set-cookie", value)
    return response


@sign_in_router.get("/staff/sign-in")
def sign_in_page(
    request: Request, session: SessionDep, settings: SettingsDep, next_path: str | None = Query(None, alias="next")
) -> Response:
    current = _current(request, session, settings)
    if current is not None and not needs_second_factor_step(current):
        return _redirect(safe_next(next_path))
    return _sign_in_form(request, settings, next_path=safe_next(next_path))


@sign_in_router.post("/staff/sign-in")
def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: str = Form("", max_length=320),
    password: str = Form("", max_length=passwords.MAXIMUM_LENGTH),
    next_path: str = Form("", alias="next", max_length=200),
    csrf_token: str = Form("", max_length=200),
) -> Response:
    csrf.check_sign_in_form(request, settings, csrf_token)
    next_path = safe_next(next_path)
    email = email.strip()
    errors = []
    if not email:
        errors.append(_error(request, "email", N_("Enter your e-mail address.")))
    if not password:
        errors.append(_error(request, "password", N_("Enter your password.")))
    if errors:
        return _sign_in_form(request, settings, next_path=next_path, email=email, errors=errors, status=422)

    keys = throttle.Keys(
        account=throttle.account_key(settings, service.email_key(email)),
        address=throttle.address_key(settings, _client_address(request)),
    )
    wait = throttle.wait(session, keys)
    if wait:
        # Audited (never the e-mail address as typed): the account when there is one.
        known = service.account_by_email(session, email)
        audit.record(
            session,
            "sign-in.throttled",
            account_id=known.id if known else None,
            organisation_id=known.organisation_id if known else None,
            outcome="denied",
            request_id=request_id(request),
        )
        errors = [_too_many(request, "email", wait)]
        return _sign_in_form(request, settings, next_path=next_path, email=email, errors=errors, status=429)

    account = service.account_by_email(session, email)
    account_id = account.id if account else None
    organisation_id = account.organisation_id if account else None
    password_hash = account.password_hash if account else None
    active = bool(account and account.active)
    # Nothing is written yet: end the read-only transaction before the deliberate 50 ms of argon2, so that no
    # connection is held (PostgreSQL's pool) and no stale SQLite snapshot has to be upgraded to a write afterwards
    # (which SQLite refuses at once, busy_timeout or not, when another sign-in wrote meanwhile).
    session.rollback()
    if password_hash is None:
        # As long as checking a real password takes, so that the time says nothing about who has an account.
        passwords.verify_nothing(password)
        right = False
    else:
        right = passwords.verify_password(password_hash, password)
        right = right and active
    if not right:
        throttle.record(session, keys, succeeded=False)
        audit.record(
            session,
            "sign-in.failure",
            account_id=account_id,
            organisation_id=organisation_id,
            outcome="failure",
            request_id=request_id(request),
        )
        errors = [_error(request, "email", WRONG_PASSWORD)]
        return _sign_in_form(request, settings, next_path=next_path, email=email, errors=errors, status=401)

    # The first statement of the new transaction is a write (SQLite then waits for its turn instead of failing).
    throttle.record(session, keys, succeeded=True)
    account = service.account_by_id(session, account_id)
    if account is None or not account.active:  # disabled (or removed) while the password was being checked
        errors = [_error(request, "email", WRONG_PASSWORD)]
        return _sign_in_form(request, settings, next_path=next_path, email=email, errors=errors, status=401)
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    previous = _current(request, session, settings)
    if previous is not None:
        sessions.end(session, previous.session_id, "replaced")
    row, token = sessions.start(session, account.id)
    actor = service.actor_for(account, row.id)
    audit.record(session, "sign-in.success", actor=actor, request_id=request_id(request))
    if account.totp_confirmed_at is not None:
        location = _with_next(CODE_PATH, next_path)
    elif needs_second_factor(actor.roles):
        location = _with_next(ENROL_PATH, next_path)
    else:
        location = next_path
    response = _redirect(location)
    sessions.set_cookie(response, settings, token, request)
    response.delete_cookie(
        csrf.sign_in_cookie_name(settings, request), path="/", secure=sessions.secure(settings, request), httponly=True
    )
    return response


def _second_factor_done(
    request: Request, session: Any, settings: Settings, current: sessions.Current, location: str, action: str
) -> tuple[RedirectResponse, str]:
    """A new session id once the second factor is passed; the password-only one ends as `replaced`."""
    sessions.end(session, current.session_id, "replaced")
    row, token = sessions.start(session, current.account_id, second_factor=True)
    audit.record(
        session,
        action,
        account_id=current.account_id,
        organisation_id=current.organisation_id,
        record_type="staff_session",
        record_id=row.id,
        request_id=request_id(request),
    )
    response = _redirect(location)
    sessions.set_cookie(response, settings, token, request)
    return response, row.id


def _code_form(request: Request, next_path: str, errors: list | None = None, status: int = 200) -> Response:
    return render_staff(
        request, "staff/second_factor.html", {"errors": errors or [], "next_path": next_path}, status_code=status
    )


def _code_keys(request: Request, settings: Settings, current: sessions.Current) -> throttle.Keys:
    """Wrong second-factor codes are counted per account (and per address), on the code and the enrolment pages."""
    return throttle.Keys(
        account=throttle.code_key(settings, current.account_id),
        address=throttle.address_key(settings, _client_address(request)),
    )


def _audit_code_step(request: Request, session: Any, current: sessions.Current, action: str, outcome: str) -> None:
    """A refused (`sign-in.throttled`, naming the second-factor step) or wrong (`second-factor.failure`) code, for
    the session's own account."""
    step = {"record_type": "step", "record_id": "second-factor"} if action == "sign-in.throttled" else {}
    audit.record(
        session,
        action,
        account_id=current.account_id,
        organisation_id=current.organisation_id,
        outcome=outcome,
        request_id=request_id(request),
        **step,
    )


@sign_in_router.get("/staff/sign-in/code")
def code_page(
    request: Request, session: SessionDep, settings: SettingsDep, next_path: str | None = Query(None, alias="next")
) -> Response:
    _partial(request, session, settings, enrolling=False)
    return _code_form(request, safe_next(next_path))


@sign_in_router.post("/staff/sign-in/code")
def code(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    code: str = Form("", max_length=64),
    next_path: str = Form("", alias="next", max_length=200),
    csrf_token: str = Form("", max_length=200),
) -> Response:
    current = _partial(request, session, settings, enrolling=False)
    csrf.check_session_form(request, current.csrf_secret, csrf_token)
    next_path = safe_next(next_path)
    if not code.strip():
        errors = [_error(request, "code", N_("Enter the 6-digit code from your app, or one of your recovery codes."))]
        return _code_form(request, next_path, errors, 422)
    keys = _code_keys(request, settings, current)
    wait = throttle.wait(session, keys)
    if wait:
        _audit_code_step(request, session, current, "sign-in.throttled", "denied")
        return _code_form(request, next_path, [_too_many(request, "code", wait)], 429)
    account = session.get(StaffAccount, current.account_id)
    assert account is not None  # the session's own account
    recovery = totp.looks_like_recovery_code(code)
    right = (
        totp.use_recovery_code(session, account.id, code) if recovery else totp.accept_code(session, settings, account, code)
    )
    if not right:
        throttle.record(session, keys, succeeded=False)
        _audit_code_step(request, session, current, "second-factor.failure", "failure")
        return _code_form(request, next_path, [_error(request, "code", WRONG_CODE)], 401)
    throttle.record(session, keys, succeeded=True)
    action = "recovery-code.use" if recovery else "second-factor.success"
    return _second_factor_done(request, session, settings, current, next_path, action)[0]


def _enrol_form(
    request: Request, session: Any, settings: Settings, current: sessions.Current, next_path: str,
    errors: list | None = None, status: int = 200,
) -> Response:
    account = session.get(StaffAccount, current.account_id)
    assert account is not None
    secret = totp.secret_of(settings, account)
    if secret is None:
        secret = totp.new_secret()
        totp.store_secret(settings, account, secret)
        session.flush()
    translate = _translator(request).gettext
    context = {
        "errors": errors or [],
        "next_path": next_path,
        "qr_code": totp.qr_svg(totp.provisioning_uri(secret, account.email), translate("QR code for your authenticator app")),
        "key": totp.grouped(secret),
    }
    return render_staff(request, "staff/enrol.html", context, status_code=status)


@sign_in_router.get("/staff/sign-in/enrol")
def enrol_page(
    request: Request, session: SessionDep, settings: SettingsDep, next_path: str | None = Query(None, alias="next")
) -> Response:
    current = _partial(request, session, settings, enrolling=True)
    return _enrol_form(request, session, settings, current, safe_next(next_path))


@sign_in_router.post("/staff/sign-in/enrol")
def enrol(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    code: str = Form("", max_length=64),
    next_path: str = Form("", alias="next", max_length=200),
    csrf_token: str = Form("", max_length=200),
) -> Response:
    current = _partial(request, session, settings, enrolling=True)
    csrf.check_session_form(request, current.csrf_secret, csrf_token)
    next_path = safe_next(next_path)
    if not totp.looks_like_totp(code):
        errors = [_error(request, "code", N_("Enter the 6-digit code your app shows now."))]
        return _enrol_form(request, session, settings, current, next_path, errors, 422)
    keys = _code_keys(request, settings, current)
    wait = throttle.wait(session, keys)
    if wait:
        _audit_code_step(request, session, current, "sign-in.throttled", "denied")
        return _enrol_form(request, session, settings, current, next_path, [_too_many(request, "code", wait)], 429)
    account = session.get(StaffAccount, current.account_id)
    assert account is not None
    if account.totp_secret is None or not totp.confirm(session, settings, account, code):
        throttle.record(session, keys, succeeded=False)
        _audit_code_step(request, session, current, "second-factor.failure", "failure")
        errors = [_error(request, "code", WRONG_CODE)]
        return _enrol_form(request, session, settings, current, next_path, errors, 401)
    throttle.record(session, keys, succeeded=True)
    codes = totp.new_recovery_codes(session, account.id)
    response, new_session_id = _second_factor_done(
        request, session, settings, current, _with_next(RECOVERY_PATH, next_path), "second-factor.enrol"
    )
    _set_recovery_cookie(request, response, settings, new_session_id, codes)
    return response


# Recovery codes are shown once, on the page the form redirects to: they travel there in a short-lived cookie,
# encrypted with the staff key and bound to the session (never in a URL, never stored in the clear).


def _recovery_cookie_name(settings: Settings, request: Request) -> str:
    return RECOVERY_SECURE_COOKIE if sessions.secure(settings, request) else RECOVERY_PLAIN_COOKIE


def _recovery_associated(session_id: str) -> bytes:
    return staff_secrets.associated_data("cookie", "recovery_codes", session_id)


def _set_recovery_cookie(
    request: Request, response: Response, settings: Settings, session_id: str | None, codes: list[str]
) -> None:
    key = staff_secrets.master_key(settings)
    sealed = staff_secrets.encrypt(key, "\n".join(codes).encode("ascii"), _recovery_associated(session_id or ""))
    response.set_cookie(
        _recovery_cookie_name(settings, request),
        base64.urlsafe_b64encode(sealed).decode("ascii"),
        path="/",
        secure=sessions.secure(settings, request),
        httponly=True,
        samesite="strict",
        max_age=600,
    )


def _codes_from_cookie(request: Request, settings: Settings, session_id: str | None) -> list[str]:
    value = request.cookies.get(_recovery_cookie_name(settings, request))
    if not value or not session_id:
        return []
    try:
        sealed = base64.urlsafe_b64decode(value.encode("ascii"))
        plain = staff_secrets.decrypt(staff_secrets.master_key(settings), sealed, _recovery_associated(session_id))
    except (ValueError, InvalidTag, staff_secrets.SecretKeyError):
        return []
    return plain.decode("ascii").split("\n")


@router.get("/staff/recovery-codes")
def recovery_codes_page(
    request: Request,
    settings: SettingsDep,
    actor: Actor = Depends(requires("self.manage")),
    next_path: str | None = Query(None, alias="next"),
) -> Response:
    codes = _codes_from_cookie(request, settings, actor.session_id)
    response = render_staff(request, "staff/recovery_codes.html", {"codes": codes, "next_path": safe_next(next_path)})
    response.delete_cookie(_recovery_cookie_name(settings, request), path="/", secure=sessions.secure(settings, request), httponly=True)
    return response


@router.post("/staff/account/recovery-codes")
def new_recovery_codes(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Actor = Depends(requires("self.manage"))
) -> Response:
    account = session.get(StaffAccount, actor.account_id)
    if account is None or account.totp_confirmed_at is None:
        raise Conflict(N_("Set up an authenticator app first: recovery codes replace its codes."))
    codes = totp.new_recovery_codes(session, actor.account_id)
    audit.record(
        session, "recovery-codes.create", actor=actor, record_type="staff_account", record_id=actor.account_id,
        request_id=request_id(request),
    )
    response = _redirect(_with_next(RECOVERY_PATH, ACCOUNT_PATH))
    _set_recovery_cookie(request, response, settings, actor.session_id, codes)
    return response


# Signing out.


@sign_in_router.post("/staff/sign-out")
def sign_out(
    request: Request, session: SessionDep, settings: SettingsDep, csrf_token: str = Form("", max_length=200)
) -> Response:
    """Ends this browser's session in any state (a password-only one too, from the second-factor pages)."""
    current = _current(request, session, settings)
    if current is not None:
        csrf.check_session_form(request, current.csrf_secret, csrf_token)
        sessions.end(session, current.session_id, "signed-out")
        audit.record(
            session,
            "sign-out.this-session",
            account_id=current.account_id,
            organisation_id=current.organisation_id,
            record_type="staff_session",
            record_id=current.session_id,
            request_id=request_id(request),
        )
    response = _redirect(SIGN_IN_PATH)
    sessions.clear_cookie(response, settings, request)
    return response


@router.post("/staff/account/sign-out-everywhere")
def sign_out_everywhere(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Actor = Depends(requires("self.manage"))
) -> Response:
    sessions.end_sessions(session, actor.account_id, "signed-out-everywhere")
    audit.record(
        session, "sign-out.everywhere", actor=actor, record_type="staff_account", record_id=actor.account_id,
        request_id=request_id(request),
    )
    response = _redirect(SIGN_IN_PATH)
    sessions.clear_cookie(response, settings, request)
    return response


# Home and account.


def _organisation_name(session: Any, organisation_id: str) -> str:
    return session.scalar(select(Organisation.name).where(Organisation.id == organisation_id)) or ""


@router.get("/staff")
def home(request: Request, session: SessionDep, actor: Actor = Depends(requires("self.manage"))) -> Response:
    translate = _translator(request).gettext
    context = {
        "organisation_name": _organisation_name(session, actor.organisation_id),
        "roles": [(name, ROLES[name].purpose) for name in sorted(actor.roles) if name in ROLES],
        "permissions": [PERMISSIONS[name].purpose for name in PERMISSIONS if name in actor.permissions],
        "translate": translate,
    }
    return render_staff(request, "staff/home.html", context)


def _moment(value: Any, lang: str, settings: Settings) -> str:
    return format_datetime(value, format="medium", tzinfo=ZoneInfo(settings.timezone), locale=i18n.formatting_locale(lang))


@router.get("/staff/account")
def account_page(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Actor = Depends(requires("self.manage"))
) -> Response:
    lang = i18n.negotiate_language(request)
    account = session.get(StaffAccount, actor.account_id)
    assert account is not None
    rows = sessions.open_sessions(session, actor.account_id, settings)
    context = {
        "sessions": [
            {
                "started": _moment(row.created_at, lang, settings),
                "last_seen": _moment(row.last_seen_at, lang, settings),
                "this_one": row.id == actor.session_id,
            }
            for row in rows
        ],
        "has_second_factor": account.totp_confirmed_at is not None,
        "recovery_codes_left": totp.recovery_codes_left(session, actor.account_id),
        "email": account.email,
    }
    return render_staff(request, "staff/account.html", context)
