"""Cross-site request forgery: every state-changing staff request carries a token, and comes from this site.

Two checks, both required, on every POST/PUT/PATCH/DELETE (inside `access.requires()`, and by the sign-in routes):

1. **A token.** Signed in, the token is HMAC-SHA256(session's `csrf_secret`, purpose) — the same for the whole
   session, put in a hidden `csrf_token` field of every form (the staff API takes it in `X-CSRF-Token`). A new
   session (sign-in, second factor) has a new secret, so a token from before sign-in is worthless after it.
   Before sign-in there is no session, so the sign-in form uses a **signed double-submit** token: the sign-in page
   sets a random nonce in an HttpOnly, SameSite=Strict cookie (`__Host-carebridge_sign_in`, or `carebridge_sign_in`
   over plain HTTP) and puts `issued.HMAC(key, nonce ‖ issued)` in the form, with a key derived from the staff
   secret key (accounts.secrets). Another site can neither read the cookie nor forge the MAC without the key; the
   token is good for two hours. Chosen over a pre-session row: nothing is written for anonymous visitors.
2. **The origin.** `Sec-Fetch-Site`, when the browser sends it, must be `same-origin` (or `none`: typed by the
   person). `Origin` must name this site; staff pages set `Referrer-Policy: same-origin` so browsers send it, but a
   browser that applies `no-referrer` sends `Origin: null`, which passes only together with
   `Sec-Fetch-Site: same-origin`. Without `Origin`, `Referer` must name this site. A request with none of the three
   (no browser sends such a POST) is refused.

A failure is 403 "This form has expired" (FormExpired): the page says to go back and try again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import Request
from starlette.responses import Response

from carebridge.accounts import secrets as staff_secrets
from carebridge.accounts.sessions import secure as secure_cookies
from carebridge.config import Settings
from carebridge.errors import N_, CarebridgeError
from carebridge.kit import clock

FIELD = "csrf_token"
HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SIGN_IN_SECURE_COOKIE = "__Host-carebridge_sign_in"
SIGN_IN_PLAIN_COOKIE = "carebridge_sign_in"
SIGN_IN_TOKEN_LIFETIME = timedelta(hours=2)


class FormExpired(CarebridgeError):
    status_code = 403
    title = N_("This form has expired")
    type_slug = "form-expired"

    def __init__(self) -> None:
        super().__init__(N_("Go back, reload the page and try again."))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def session_token(csrf_secret: bytes) -> str:
    """The form token of a signed-in session."""
    return _b64(hmac.new(csrf_secret, b"carebridge-staff-form", hashlib.sha256).digest())


def session_token_matches(csrf_secret: bytes, supplied: str | None) -> bool:
    return bool(supplied) and hmac.compare_digest(session_token(csrf_secret), supplied or "")


# Before sign-in: a signed double-submit token.


def sign_in_cookie_name(settings: Settings, request: Request | None = None) -> str:
    return SIGN_IN_SECURE_COOKIE if secure_cookies(settings, request) else SIGN_IN_PLAIN_COOKIE


def _sign_in_mac(settings: Settings, nonce: str, issued: int) -> str:
    key = staff_secrets.derived_key(settings, "sign-in-form")
    return _b64(hmac.new(key, f"{nonce}|{issued}".encode(), hashlib.sha256).digest())


def sign_in_token(request: Request, response: Response, settings: Settings) -> str:
    """The token for a sign-in form; sets the nonce cookie on `response` when the browser has none yet."""
    nonce = request.cookies.get(sign_in_cookie_name(settings, request), "")
    if not (16 <= len(nonce) <= 64):
        nonce = secrets.token_urlsafe(24)
        response.set_cookie(
            sign_in_cookie_name(settings, request),
            nonce,
            path="/",
            secure=secure_cookies(settings, request),
            httponly=True,
            samesite="strict",
            max_age=int(SIGN_IN_TOKEN_LIFETIME.total_seconds()) * 6,
        )
    issued = int(clock.utc_now().timestamp())
    return f"{issued}.{_sign_in_mac(settings, nonce, issued)}"


def sign_in_token_matches(request: Request, settings: Settings, supplied: str | None) -> bool:
    nonce = request.cookies.get(sign_in_cookie_name(settings, request), "")
    issued_text, _, mac = (supplied or "").partition(".")
    if not nonce or not mac or not issued_text.isdigit() or len(issued_text) > 12:
        return False
    issued = int(issued_text)
    age = clock.utc_now().timestamp() - issued
    if not (-60 <= age <= SIGN_IN_TOKEN_LIFETIME.total_seconds()):
        return False
    return hmac.compare_digest(_sign_in_mac(settings, nonce, issued), mac)


# The origin check.


def _host_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    port = parts.port if parts.port not in (None, 80 if parts.scheme == "http" else 443) else None
    return f"{parts.hostname}:{port}" if port else parts.hostname


def _this_host(request: Request) -> str | None:
    return _host_of(f"{request.url.scheme}://{request.headers.get('host', '')}")


def comes_from_this_site(request: Request) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
        return False
    here = _this_host(request)
    origin = request.headers.get("origin")
    if origin is not None:
        if origin == "null":
            # A `no-referrer` policy makes a browser send `Origin: null`; only its own fetch metadata vouches then.
            return fetch_site == "same-origin"
        return here is not None and _host_of(origin) == here
    referer = request.headers.get("referer")
    if referer is not None:
        return here is not None and _host_of(referer) == here
    return fetch_site == "same-origin"


async def supplied_token(request: Request) -> str | None:
    """The token a request carries: the `X-CSRF-Token` header, else the form's `csrf_token` field."""
    header = request.headers.get(HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            form = await request.form()
        except Exception:  # noqa: BLE001 - an unreadable form carries no token
            return None
        value = form.get(FIELD)
        return value if isinstance(value, str) else None
    return None


async def check_session_request(request: Request, csrf_secret: bytes) -> None:
    """Raises FormExpired unless an unsafe request carries this session's token and comes from this site."""
    if request.method not in UNSAFE_METHODS:
        return
    if not comes_from_this_site(request) or not session_token_matches(csrf_secret, await supplied_token(request)):
        raise FormExpired()


def check_sign_in_form(request: Request, settings: Settings, token: str | None) -> None:
    """The sign-in form's check, for a route that has read its `csrf_token` field already."""
    if not comes_from_this_site(request) or not sign_in_token_matches(request, settings, token):
        raise FormExpired()


def check_session_form(request: Request, csrf_secret: bytes, token: str | None) -> None:
    """check_session_request's check for a (sync) route that has read its `csrf_token` field already."""
    if not comes_from_this_site(request) or not session_token_matches(csrf_secret, token):
        raise FormExpired()
