"""The request guards around the app, all pure ASGI (no BaseHTTPMiddleware) so they cost next to nothing on the hot
search path. The order they run in, outermost first, is set in app.create_app and explained in
docs/decisions/0002-request-hardening.md:

    HeadersMiddleware          security and privacy headers (also on the answers of the layers below)
    UnexpectedErrorMiddleware  an error nobody handled: logged once, by us, without its message; a 500 page or problem
    RequestGuardMiddleware     control characters, broken percent-escapes, bodies over 1 MB: a 422/404/413 before routing
    ApiCorsMiddleware          CORS for GET on /api/hsds/ and /api/v1/ only
    GZipMiddleware             (Starlette's)
    the routes
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any
from urllib.parse import unquote_to_bytes

import orjson
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carebridge import i18n
from carebridge.errors import N_, FieldError
from carebridge.web import HTTP_TITLES, error_response, is_staff_path

log = logging.getLogger("carebridge")

MAX_BODY_BYTES = 1024 * 1024

# U+0000–U+001F and U+007F–U+009F: no parameter of ours has a use for them, and they break parsers, logs and links.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
# In bodies (forms and JSON), line breaks and tabs are text: a note or a person's safe times run over several lines.
# Every other control character is refused there too. URLs and headers keep the strict set above.
BODY_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bytes that send a query string or path down the careful check: escapes, raw control bytes, anything not ASCII.
_SUSPICIOUS_BYTES = re.compile(rb"[%\x00-\x1f\x7f-\xff]")
_BROKEN_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_SAFE_NAME = re.compile(r"[A-Za-z0-9_.\-\[\]]{1,64}")

INVALID_CHARACTERS = N_("This contains a character that cannot be used here. Type it again with letters, numbers and punctuation only.")
INVALID_ENCODING = N_("This was sent in a form we cannot read. Go back and try again.")
BODY_TOO_LARGE = N_("What was sent is larger than %(limit)s MB, the most we accept.")


class RejectedInput(Exception):
    """One parameter we refuse to pass to the routes. `name` is safe to show; the value is never kept."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(name)
        self.name = name
        self.message = message


class BodyTooLarge(StarletteHTTPException):
    """Raised from `receive` when a streamed body passes the limit; FastAPI lets an HTTPException through."""

    def __init__(self, limit_bytes: int = MAX_BODY_BYTES) -> None:
        super().__init__(status_code=413)
        self.field_errors = [_body_too_large_error(limit_bytes)]


def _body_too_large_error(limit_bytes: int) -> FieldError:
    return FieldError(name="body", message=BODY_TOO_LARGE, params={"limit": limit_bytes // (1024 * 1024) or 1})


def _safe_name(raw: bytes | str) -> str:
    name = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    return name if _SAFE_NAME.fullmatch(name) else "request"


def _decode_component(raw: bytes, *, plus_is_space: bool) -> str:
    """Percent-decodes one part of a URL strictly: a `%` must start a two-digit escape and the result must be UTF-8."""
    if plus_is_space:
        raw = raw.replace(b"+", b" ")
    if _BROKEN_ESCAPE.search(raw):
        raise ValueError("broken percent-escape")
    return unquote_to_bytes(raw).decode("utf-8")  # UnicodeDecodeError is a ValueError


def _is_clean(raw: bytes, *, plus_is_space: bool, control: re.Pattern[str] = CONTROL_CHARACTERS) -> bool:
    try:
        return not control.search(_decode_component(raw, plus_is_space=plus_is_space))
    except ValueError:
        return False


def check_query_string(query: bytes, *, control: re.Pattern[str] = CONTROL_CHARACTERS) -> None:
    """Raises RejectedInput, naming the parameter, for a control character or an escape that decodes to nothing.
    `control` is what counts as one: every control character in a URL, all but line breaks and tabs in a body."""
    # Fast path: the whole string at once. The separators (`&`, `=`) are ASCII, so the whole decodes cleanly exactly
    # when every part does; only a refused string is taken apart to name the parameter.
    if not _SUSPICIOUS_BYTES.search(query) or _is_clean(query, plus_is_space=True, control=control):
        return
    for pair in query.split(b"&"):
        raw_name, _, raw_value = pair.partition(b"=")
        try:
            name = _decode_component(raw_name, plus_is_space=True)
        except ValueError:
            raise RejectedInput("request", INVALID_ENCODING) from None
        shown = _safe_name(name)
        if CONTROL_CHARACTERS.search(name):
            raise RejectedInput("request", INVALID_CHARACTERS)
        try:
            value = _decode_component(raw_value, plus_is_space=True)
        except ValueError:
            raise RejectedInput(shown, INVALID_ENCODING) from None
        if control.search(value):
            raise RejectedInput(shown, INVALID_CHARACTERS)


def check_path(scope: Scope) -> None:
    raw_path = scope.get("raw_path")
    if raw_path is None:
        if CONTROL_CHARACTERS.search(scope["path"]):
            raise RejectedInput("path", INVALID_CHARACTERS)
        return
    if not _SUSPICIOUS_BYTES.search(raw_path):
        return
    for segment in raw_path.split(b"/"):
        try:
            value = _decode_component(segment, plus_is_space=False)
        except ValueError:
            raise RejectedInput("path", INVALID_ENCODING) from None
        if CONTROL_CHARACTERS.search(value):
            raise RejectedInput("path", INVALID_CHARACTERS)


def _json_pointer_part(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def find_control_character_in_json(value: Any, pointer: str = "") -> str | None:
    """The JSON pointer of the first key or string holding a control character, or None. A string value may hold line
    breaks and tabs (BODY_CONTROL_CHARACTERS); a key may not."""
    if isinstance(value, str):
        return pointer or "/" if BODY_CONTROL_CHARACTERS.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{pointer}/{_json_pointer_part(key)}"
            if CONTROL_CHARACTERS.search(key):
                return pointer or "/"
            found = find_control_character_in_json(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = find_control_character_in_json(item, f"{pointer}/{index}")
            if found is not None:
                return found
    return None


def check_body(content_type: bytes, body: bytes) -> None:
    """JSON and urlencoded form bodies get the same check as the query string. Bodies that are not valid JSON are left
    to the route, which answers them with its own 422."""
    media_type = content_type.split(b";", 1)[0].strip().lower()
    if media_type == b"application/x-www-form-urlencoded":
        check_query_string(body, control=BODY_CONTROL_CHARACTERS)
    elif media_type == b"application/json" or media_type.endswith(b"+json"):
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            return
        pointer = find_control_character_in_json(document)
        if pointer is not None:
            name = pointer.strip("/").replace("/", ".") or "body"
            raise RejectedInput(_safe_name(name), INVALID_CHARACTERS)


def form_fields(body: bytes) -> list[tuple[str, str]] | None:
    """A urlencoded form's fields in order, each name and value decoded; None when any part cannot be decoded (a
    broken escape, not UTF-8): then nothing can be shown again."""
    fields: list[tuple[str, str]] = []
    for pair in body.split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        try:
            fields.append(
                (_decode_component(raw_name, plus_is_space=True), _decode_component(raw_value, plus_is_space=True))
            )
        except ValueError:
            return None
    return fields


# Fields never shown again, whatever they held: a password or a one-time code is typed again into an empty box (on
# the screen it could be read over a shoulder, and a browser could keep it in its history of the page).
SECRET_FIELDS = frozenset({"password", "current_password", "new_password", "code", "recovery_code"})


async def send_refused_form(scope: Scope, receive: Receive, send: Send, fields: list[tuple[str, str]]) -> None:
    """A staff form held a control character: the 422 page names each field that held one (by its name: the guard
    cannot know the form's labels) and shows everything that was typed (but a password or a code: SECRET_FIELDS), without the control characters, in a form
    that posts to the same address with the session's form token, so nothing typed is lost. The values are
    HTML-escaped by the template, never logged, and the answer is `no-store` (HeadersMiddleware sets it on every
    page, and it is set here too so that this page never depends on it)."""
    from carebridge.accounts.rendering import render_staff

    request = Request(_without_bad_query(scope), receive)
    shown: list[dict[str, Any]] = []
    csrf_token = ""
    seen_ids: set[str] = set()
    for index, (name, value) in enumerate(fields):
        clean_name = CONTROL_CHARACTERS.sub("", name)
        clean_value = BODY_CONTROL_CHARACTERS.sub("", value)
        if clean_name == "csrf_token":
            csrf_token = clean_value
            continue
        safe = _safe_name(clean_name)
        element_id = safe if safe == clean_name and safe not in seen_ids else f"field-{index}"
        seen_ids.add(element_id)
        held = clean_name != name or clean_value != value
        secret = clean_name in SECRET_FIELDS
        shown.append({"name": clean_name, "value": "" if secret else clean_value, "id": element_id, "refused": held,
                      "secret": secret, "label": clean_name.replace("_", " ").replace("-", " ")})
    query = scope.get("query_string", b"").decode("latin-1")
    response = render_staff(
        request,
        "staff/form_refused.html",
        {
            "fields": shown,
            "form_token": csrf_token,
            "action": scope["path"] + (f"?{query}" if query else ""),
        },
        status_code=422,
    )
    response.headers["Cache-Control"] = "no-store"
    await response(scope, receive, send)


NO_SUCH_ADDRESS = N_("There is no page or record at this address.")
_TYPE_SLUGS = {404: "not-found", 413: "request-too-large", 422: "invalid-input"}


async def send_error(
    scope: Scope, receive: Receive, send: Send, *, status: int, errors: list[FieldError], detail: str | None = None
) -> None:
    request = Request(scope, receive)
    response = error_response(
        request, status=status, title=HTTP_TITLES[status], detail=detail, type_slug=_TYPE_SLUGS[status], errors=errors
    )
    await response(scope, receive, send)


class RequestGuardMiddleware:
    """Refuses, before any route sees it, input no route should have to survive:

    - a control character (U+0000–U+001F, U+007F–U+009F) or a broken percent-escape in the query string, a urlencoded
      form or a JSON body (where line feed, carriage return and tab are allowed: multi-line text): 422 (malformed input) with an error naming the parameter (never echoing its value); in the
      path: 404, since no page or record can have that address. A staff page's form (POST, urlencoded, under
      /staff) is the exception to "never echoing": its 422 page shows what was typed again without the control
      characters, in a form that posts to the same address (send_refused_form), so that nothing typed is lost;
    - a body over `max_body_bytes`: 413 at once when Content-Length says so, otherwise as soon as the streamed
      (chunked) body passes the limit, without reading the rest.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_path(scope)
        except RejectedInput as rejected:
            # No record or page can have such an address: a 404, as for any other unknown one.
            await self._reject(scope, receive, send, rejected, status=404, detail=NO_SUCH_ADDRESS)
            return
        try:
            check_query_string(scope.get("query_string", b""))
        except RejectedInput as rejected:
            await self._reject(scope, receive, send, rejected)
            return

        content_type = b""
        declared_length: int | None = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared_length = int(value)
                except ValueError:
                    declared_length = None
            elif name == b"content-type":
                content_type = value
        if declared_length is not None and declared_length > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return

        media_type = content_type.split(b";", 1)[0].strip().lower()
        needs_check = media_type in (b"application/x-www-form-urlencoded", b"application/json") or media_type.endswith(
            b"+json"
        )
        if needs_check and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            # Read it whole (it is at most 1 MB), check it, then hand it on in one piece.
            try:
                body = await self._read_limited(receive)
            except BodyTooLarge:
                await self._too_large(scope, receive, send)
                return
            try:
                check_body(content_type, body)
            except RejectedInput as rejected:
                # A staff page's form: show what was typed again, without the control characters, so nothing is
                # lost. The JSON API (and any body we cannot decode) keeps the plain 422 naming the field.
                fields = form_fields(body) if media_type == b"application/x-www-form-urlencoded" else None
                if fields is not None and is_staff_path(scope["path"]) and scope["method"] == "POST":
                    await send_refused_form(scope, receive, send, fields)
                    return
                await self._reject(scope, receive, send, rejected)
                return
            await self.app(scope, _replay(body, receive), send)
            return

        await self.app(scope, self._counting(receive), send)

    async def _read_limited(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLarge(self.max_body_bytes)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _counting(self, receive: Receive) -> Receive:
        received = 0
        limit = self.max_body_bytes

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        return counting_receive

    async def _reject(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        rejected: RejectedInput,
        *,
        status: int = 422,
        detail: str | None = None,
    ) -> None:
        await send_error(
            _without_bad_query(scope),
            receive,
            send,
            status=status,
            detail=detail,
            errors=[FieldError(name=rejected.name, message=rejected.message)],
        )

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_error(
            _without_bad_query(scope), receive, send, status=413, errors=[_body_too_large_error(self.max_body_bytes)]
        )


def _without_bad_query(scope: Scope) -> Scope:
    """A copy of the scope for the error page: the refused path and query are not reused; only a valid `lang`, and
    `category=emergency` when the request asked for it (the error page then shows the emergency numbers first)."""
    from starlette.requests import HTTPConnection

    from carebridge.emergency import asks_for_emergency

    language = None
    for pair in scope.get("query_string", b"").split(b"&"):
        name, _, value = pair.partition(b"=")
        if name == b"lang" and value.isalnum():
            language = i18n.language_or_none(value.decode("ascii")) or language
    emergency = asks_for_emergency(HTTPConnection(scope))
    clean = dict(scope)
    kept = ([f"lang={language}"] if language else []) + (["category=emergency"] if emergency else [])
    clean["query_string"] = "&".join(kept).encode()
    try:
        check_path(scope)
    except RejectedInput:
        # An API path keeps its /api/ prefix so that the answer is still a problem document.
        prefix = "/api/" if scope["path"].startswith("/api/") else "/"
        clean["path"] = prefix
        clean["raw_path"] = prefix.encode()
    clean.pop("route", None)
    return clean


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _frames_only(error: BaseException) -> str:
    return "".join(traceback.format_tb(error.__traceback__))


def log_unexpected_error(scope: Scope, error: BaseException) -> None:
    """Type, route template and stack frames: never the message, which can repeat what a person typed."""
    route = scope.get("route")
    where = getattr(route, "path", None) or "(no route)"
    log.error("unexpected error on %s %s: %s\n%s", scope.get("method"), where, type(error).__name__, _frames_only(error))


class UnexpectedErrorMiddleware:
    """Turns an error nobody handled into a 500 page or problem document, and logs it once.

    It does not re-raise: Starlette's ServerErrorMiddleware and uvicorn would otherwise log the exception again,
    message and all ("Exception in ASGI application").
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:  # noqa: BLE001 - this is the last place that can answer for it
            log_unexpected_error(scope, error)
            if response_started:
                return  # the server closes the connection: the answer was cut short, nothing more to say
            try:
                await send_error_500(scope, receive, send)
            except Exception as second:  # noqa: BLE001 - e.g. the error page itself failed: a plain 500
                log_unexpected_error(scope, second)
                await _plain_500(send)


async def send_error_500(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    response = error_response(request, status=500, title=HTTP_TITLES[500])
    await response(scope, receive, send)


async def _plain_500(send: Send) -> None:
    await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
    await send({"type": "http.response.body", "body": b"Internal Server Error"})


CORS_PREFIXES = ("/api/hsds/", "/api/v1/")
CORS_METHODS = {"GET", "HEAD"}
_HEADER_LIST = re.compile(r"[A-Za-z0-9\-]+(\s*,\s*[A-Za-z0-9\-]+)*")


class ApiCorsMiddleware:
    """CORS for reading the open API from any origin: GET and HEAD on /api/hsds/ and /api/v1/, nothing else.

    No credentials are ever allowed (`*`), so another site can read only what anyone could read.
    A preflight for another method, or any CORS request to another path, gets no CORS headers: the browser refuses.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(CORS_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = {name: value for name, value in scope.get("headers", ())}
        if b"origin" not in headers:
            await self.app(scope, receive, send)
            return
        requested = headers.get(b"access-control-request-method")
        if scope["method"] == "OPTIONS" and requested is not None:
            if requested.decode("latin-1") in CORS_METHODS:
                await self._preflight(send, headers.get(b"access-control-request-headers"))
            else:
                await self.app(scope, receive, send)
            return
        if scope["method"] not in CORS_METHODS:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"access-control-allow-origin", b"*"),
                    (b"access-control-expose-headers", b"Content-Language"),
                ]
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, send: Send, requested_headers: bytes | None) -> None:
        headers = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-allow-methods", b"GET, HEAD"),
            (b"access-control-max-age", b"600"),
            (b"content-length", b"0"),
        ]
        if requested_headers and _HEADER_LIST.fullmatch(requested_headers.decode("latin-1").strip()):
            headers.append((b"access-control-allow-headers", requested_headers.strip()))
        # 200, as Starlette's CORSMiddleware answered before (API clients' own tests may expect it).
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
