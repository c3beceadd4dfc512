"""What every HTTP route shares: typed dependency aliases, template rendering in the reader's language,
and the rendering of errors (problem documents for the API, an error summary for pages)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import orjson
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.types import Scope

from carebridge import i18n
from carebridge.config import Settings, settings_in_effect
from carebridge.db import session_scope
from carebridge.emergency import asks_for_emergency, emergency_numbers
from carebridge.errors import N_, PROBLEM_TYPE_BASE, CarebridgeError, FieldError
from carebridge.kit.text import is_left_to_right, isolate

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
# Responses this size or larger are gzipped (by the app's middleware, or by a route that compresses its own).
GZIP_MINIMUM_SIZE = 800

HTTP_TITLES = {
    400: N_("Something is wrong with the request"),
    404: N_("We could not find that page"),
    405: N_("That action is not allowed here"),
    413: N_("The file or request is too large"),
    422: N_("Some of the information given is not valid"),
    500: N_("Sorry, something went wrong on our side"),
}


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work (db.session_scope, shared with the CLI and the worker): committed once if the
    route succeeds, rolled back as a whole if it raises.

    Declared with `scope="function"` (SessionDep), so the commit runs after the route returns and **before** the
    response is sent: a commit that fails becomes NotSaved (a problem document or the error page, 503), never a 2xx
    with nothing kept. Jobs and audit events written in the same session commit or vanish with it.
    """
    with session_scope(request.app.state.session_factory) as session:
        yield session


def get_settings_of(request: Request) -> Settings:
    """The settings the app was built with (create_app(settings=...)), never read from the environment here."""
    return request.app.state.settings


def request_id(request: Request | Scope) -> str:
    """A random id for this request, the same wherever it is asked for (audit events, logs, error pages, and the
    X-Request-ID response header). Takes a Request or a bare ASGI scope (middleware)."""
    scope = request if isinstance(request, dict) else request.scope
    return scope.setdefault("carebridge.request_id", uuid.uuid4().hex)


def get_language(request: Request) -> str:
    return i18n.negotiate_language(request)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_of)]
LanguageDep = Annotated[str, Depends(get_language)]


@lru_cache(maxsize=64)
def static_url(path: str) -> str:
    """A cache-busting URL for a static file: it can then be cached for a year."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def route_path(request: Request) -> str:
    """The path of the route that answered this request, rebuilt from its template and its path parameters.

    Never the raw request path: for `GET //evil.example/x` that would make a link to another site. A request that no
    route answered (a 404, or one refused before routing) links to the home page.
    """
    route = request.scope.get("route")
    path_format = getattr(route, "path_format", None)
    if not path_format or not path_format.startswith("/"):
        return "/"
    try:
        params = {name: quote(str(value), safe="") for name, value in request.path_params.items()}
        path = path_format.format(**params)
    except (KeyError, IndexError, ValueError):
        return "/"
    # A template is ours, so this holds; checked anyway because an off-site link is the one thing this must not make.
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"


def url_with(request: Request, **changes: Any) -> str:
    """The current page's URL with some query parameters replaced (None removes one).

    The path comes from the route (see route_path); the query is re-encoded from the parsed parameters.
    """
    path = route_path(request)
    params = dict(request.query_params) if path != "/" or request.scope.get("route") is not None else {}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return path + (f"?{query}" if query else "")


def keep(value: object, kind: str = "date") -> Markup:
    """The `keep` template filter: a date, a number with its unit, a postcode, a phone number or a code as one
    isolated piece that never reorders in right-to-left text and never breaks across lines (kit.text.isolate;
    `.keep` in the CSS stops wrapping). `{{ day|keep }}`, `{{ phone|keep('phone') }}`. Empty values stay empty."""
    text = isolate(value, kind, unbreak=False)
    if not text.strip():
        return Markup("")
    direction = Markup(' dir="ltr"') if is_left_to_right(kind) else Markup("")
    return Markup('<bdi class="keep"%s>%s</bdi>') % (direction, text)


def template_environment(language: str, locale_dir: Path | None = None) -> Environment:
    """One Jinja environment per language (and catalog folder: `locale_dir`, default that of the settings in effect,
    i.e. of the app serving the request), each with that language's catalog installed (thread-safe)."""
    return _template_environment(language, locale_dir or settings_in_effect().locale_dir)


@lru_cache(maxsize=2 * len(i18n.LANGUAGES) + 2)
def _template_environment(language: str, locale_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Match babel.cfg's `trimmed = true`: whitespace inside {% trans %} blocks is collapsed the same way on
    # extraction and at render time, so wrapped template text still finds its translation.
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(i18n.get_translations(language, locale_dir), newstyle=True)  # type: ignore[attr-defined]
    env.filters["keep"] = keep
    env.globals.update(
        languages=i18n.LANGUAGES,
        static_url=static_url,
        language_name=i18n.language_name,
        text_direction=i18n.direction,
    )
    # No `settings` global: each render passes the settings of the app serving the request (see render()), so two
    # apps built with different settings in one process show different pages.
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    language: str | None = None,
) -> HTMLResponse:
    language = language or i18n.negotiate_language(request)
    env = template_environment(language)
    html = env.get_template(template).render(
        request=request,
        settings=request.app.state.settings,
        request_id=request_id(request),
        lang=language,
        dir=i18n.direction(language),
        url_with=lambda **changes: url_with(request, **changes),
        **(context or {}),
    )
    return HTMLResponse(html, status_code=status_code)


def problem_response(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str | None = None,
    detail_params: dict[str, Any] | None = None,
    type_slug: str = "about:blank",
    errors: list[FieldError] | None = None,
) -> Response:
    """An RFC 9457 problem document, its texts in the reader's language."""
    language = i18n.negotiate_language(request)
    translate = i18n.get_translations(language).gettext
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + type_slug if type_slug != "about:blank" else type_slug,
        "title": translate(title),
        "status": status,
        "instance": request.url.path,
    }
    if detail:
        body["detail"] = translate(detail) % detail_params if detail_params else translate(detail)
    if errors:
        body["errors"] = [error.as_dict(translate) for error in errors]
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type="application/problem+json",
        headers={"Content-Language": language},
    )


def error_from_domain(error: CarebridgeError) -> dict[str, Any]:
    return {
        "status": error.status_code,
        "title": error.title,
        "detail": error.detail,
        "detail_params": error.params,
        "type_slug": error.type_slug,
        "errors": error.errors,
    }


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def is_staff_path(path: str) -> bool:
    return path == "/staff" or path.startswith("/staff/")


def error_response(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str | None = None,
    detail_params: dict | None = None,
    type_slug: str = "about:blank",
    errors: list[FieldError] | None = None,
) -> Response:
    """A problem document under /api/; the staff error page under /staff; the public error page (with its error
    summary) everywhere else."""
    if is_api_path(request.url.path):
        return problem_response(
            request,
            status=status,
            title=title,
            detail=detail,
            detail_params=detail_params,
            type_slug=type_slug,
            errors=errors,
        )
    context = {"status": status, "title": title, "detail": detail, "detail_params": detail_params or {}, "errors": errors or []}
    # Emergencies come first on every page, an error page included: a request about urgent or emergency care
    # (category=emergency, whatever else is wrong with it) shows the numbers above the error (layouts/base.html).
    if is_staff_path(request.url.path):
        from carebridge.accounts.rendering import render_staff

        return render_staff(request, "staff/error.html", context, status_code=status)
    if asks_for_emergency(request):
        context["emergency_numbers"] = emergency_numbers(settings=request.app.state.settings)
    return render(request, "public/error.html", context, status_code=status)
