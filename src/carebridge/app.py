"""Builds the ASGI app: routers, middleware, static files, error handling."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import swagger_ui_bundle
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carebridge import __version__, domains, i18n
from carebridge.access import PublicAccess, check_routes
from carebridge.config import Settings, get_settings, using_settings
from carebridge.db import get_session_factory, make_engine
from carebridge.errors import CarebridgeError, FieldError
from carebridge.middleware import ApiCorsMiddleware, RequestGuardMiddleware, UnexpectedErrorMiddleware
from carebridge.web import GZIP_MINIMUM_SIZE, HTTP_TITLES, STATIC_DIR, error_from_domain, request_id
from carebridge.web import error_response as _error_response

log = logging.getLogger("carebridge")

# Responses that show nothing a person searched for or answered, and so may be kept by a browser or a proxy.
# Every other route's answer carries `Cache-Control: no-store` (shared computers in libraries and shelters).
# Static files are cacheable too (their URLs carry a digest). tests/test_route_sweep.py walks the route table.
CACHEABLE_ROUTES = frozenset({"/api/v1/health", "/api/openapi.json", "/api/docs"})
SWAGGER_UI_URL = "/static/swagger-ui"


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path", "header")]
        name = ".".join(location) or "request"
        errors.append(FieldError(name=name, message=str(error.get("msg", "invalid value")), pointer="/" + "/".join(location)))
    return errors


class HeadersMiddleware:
    """Remembers a `?lang=` choice in a cookie and adds privacy and security headers to every response.

    Pure ASGI (not BaseHTTPMiddleware) so that it costs next to nothing on the hot search path.
    """

    SECURITY_HEADERS = [
        (b"x-content-type-options", b"nosniff"),
        # Where a person came from (a clinic's page, a search for a refuge) is nobody else's business.
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"geolocation=(), camera=(), microphone=(), interest-cohort=()"),
    ]
    PAGE_CSP = (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
    # The API answers data: it loads nothing. /api/docs (Swagger UI, served by us) gets the page policy.
    API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
    NO_STORE = (b"cache-control", b"no-store")
    # A static file asked for by its content digest (web.static_url adds ?v=...) never changes under that URL: cheap
    # phones on slow connections keep it for a year. Without the digest, a day, revalidated by its ETag after that.
    STATIC_VERSIONED = (b"cache-control", b"public, max-age=31536000, immutable")
    STATIC_PLAIN = (b"cache-control", b"public, max-age=86400")

    def __init__(self, app: ASGIApp, secure_cookies: bool = False) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Fixed here, before any inner layer copies the scope (the guard does), so the route sees the same id.
        reference = request_id(scope).encode("ascii")
        cookie_value = None
        query = scope.get("query_string", b"")
        if b"lang=" in query:
            from starlette.requests import HTTPConnection

            cookie_value = i18n.language_or_none(HTTPConnection(scope).query_params.get("lang"))
        path = scope["path"]
        is_static = path.startswith("/static/")
        is_api = path.startswith("/api/") and not path.startswith("/api/docs")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + self.SECURITY_HEADERS
                # The request's id (web.request_id: the one in audit events and on error pages), so a person
                # reporting a problem can quote it and we can find what happened.
                headers.append((b"x-request-id", reference))
                if is_static:
                    if message.get("status", 200) == 200:
                        headers.append(self.STATIC_VERSIONED if b"v=" in query else self.STATIC_PLAIN)
                else:
                    headers.append(self.API_CSP if is_api else self.PAGE_CSP)
                    route = scope.get("route")
                    if getattr(route, "path", None) not in CACHEABLE_ROUTES:
                        headers = [(name, value) for name, value in headers if name.lower() != b"cache-control"]
                        headers.append(self.NO_STORE)
                if cookie_value:
                    cookie = f"{i18n.LANG_COOKIE}={cookie_value}; Path=/; Max-Age=31536000; SameSite=Lax"
                    if self.secure_cookies or scope.get("scheme") == "https":
                        cookie += "; Secure"
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AdmissionMiddleware:
    """At most `limit` requests inside the app at once; the others wait here, in the event loop, holding nothing.

    200 staff at once (bench/staff_mix.py) once froze the server: `requires()` looked the session up on the event
    loop, so once the pool (db.make_engine: 10 + 10 overflow) was used up, the next checkout blocked the loop itself
    for the pool's 30-second timeout while the requests holding connections waited for that loop — connections "idle
    in transaction" for minutes, 500s. The lookup now runs in the thread pool (accounts.access), and this limit stays
    as back-pressure: admitting fewer requests than the pool holds, a request never waits 30 seconds for a connection
    (and then fails); it waits its turn here, cheaply, and is served. Static files touch no database and are not
    counted.
    """

    def __init__(self, app: ASGIApp, limit: int = 16) -> None:
        self.app = app
        self.limit = limit
        # One semaphore per event loop (a test client may serve the same app from a new loop).
        self.slots: tuple[object, asyncio.Semaphore] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        if self.slots is None or self.slots[0] is not loop:
            self.slots = (loop, asyncio.Semaphore(self.limit))
        async with self.slots[1]:
            await self.app(scope, receive, send)


class AppSettingsMiddleware:
    """Outermost: while this app serves a request, config.settings_in_effect() answers this app's settings. Only
    the clock's deployment zone and i18n's defaults read it (they are called from everywhere, with no request at
    hand); everything else takes the app's settings from the request (web.SettingsDep) or from its caller."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Starlette puts the app in the scope before its middleware runs; app.state.settings is the one source.
        with using_settings(scope["app"].state.settings):
            await self.app(scope, receive, send)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Each domain's start-up work (domains.py), e.g. the checker's starting points and the search index warm-up.
    with using_settings(app.state.settings):
        for startup in domains.startup_functions():
            startup(app)
    yield


def create_app(settings: Settings | None = None, session_factory: sessionmaker[Session] | None = None) -> FastAPI:
    """The app, built with these settings (default: from the environment) and this session factory (default: one
    for settings.database_url). Domain code reads settings from the app (web.SettingsDep), so two apps with
    different settings can run side by side in one process."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Carebridge",
        version=__version__,
        description="Entitlements, service finder and case work for migrants' health and social care.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # our own /api/docs below: Swagger UI from our static files, under our CSP
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    if session_factory is None:
        session_factory = get_session_factory() if settings == get_settings() else sessionmaker(
            bind=make_engine(settings.database_url), expire_on_commit=False,
            info={"audit_stripes": settings.audit_stripes},
        )
    app.state.session_factory = session_factory

    @app.exception_handler(CarebridgeError)
    async def _domain_error(request: Request, exc: CarebridgeError) -> Response:
        return _error_response(request, **error_from_domain(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return _error_response(
            request, status=422, title=HTTP_TITLES[422], type_slug="invalid-input", errors=_validation_errors(exc)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = HTTP_TITLES.get(exc.status_code, HTTP_TITLES[400])
        # BodyTooLarge (raised while a route reads a streamed body) says which input and why.
        errors = getattr(exc, "field_errors", None)
        response = _error_response(request, status=exc.status_code, title=title, errors=errors)
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            # Starlette answers from the first route whose path matches, so its Allow names only that route's
            # methods; a path served by several routes (GET and POST of /api/v1/clients) names them all here.
            allowed = allowed_methods(request.app, request.scope)
            if allowed:
                response.headers["Allow"] = ", ".join(sorted(allowed))
        return response

    @app.get("/api/docs", include_in_schema=False, dependencies=[PublicAccess])
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS_HTML)

    routers = tuple(domains.routers())
    for router in routers:
        app.include_router(router)
    # Deny by default: a route that does not say who may use it stops the app here (once per process for the same
    # routers: the app's own two routes above never change).
    check_routes(app, routers)
    app.mount(SWAGGER_UI_URL, SwaggerUIFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Added innermost first; the order, outermost first, is in carebridge/middleware.py and docs/decisions/0002.
    # Level 6: nearly level 9's size on small pages for much less CPU (the search route compresses its own JSON).
    # Innermost: what waits for admission holds no connection (see AdmissionMiddleware).
    app.add_middleware(AdmissionMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=6)
    app.add_middleware(ApiCorsMiddleware)
    app.add_middleware(RequestGuardMiddleware)
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(HeadersMiddleware, secure_cookies=settings.secure_cookies)
    app.add_middleware(AppSettingsMiddleware)
    return app


def allowed_methods(app: ASGIApp, scope: Scope) -> set[str]:
    """Every method of every route whose path matches this request's (empty if none does)."""
    methods: set[str] = set()
    # Since FastAPI 0.163 app.routes holds each included router as one entry: iter_route_contexts expands them.
    for context in iter_route_contexts(getattr(app, "routes", ())):
        route = context.route
        if not isinstance(route, Route):
            continue
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            methods |= set(route.methods or ())
    return methods


class SwaggerUIFiles(StaticFiles):
    """Only the two files /api/docs uses. The package's own index.html (inline script, a demo API on another site)
    and its source maps are not served."""

    FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css"})

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if path not in self.FILES:
            return "", None
        return super().lookup_path(path)


# Swagger UI from our own static files; the start-up script is a file too, so that the CSP needs no 'unsafe-inline'.
API_DOCS_HTML = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Carebridge API</title>
<link rel="stylesheet" href="{SWAGGER_UI_URL}/swagger-ui.css">
<link rel="icon" href="data:,">
</head>
<body>
<div id="swagger-ui" data-openapi-url="/api/openapi.json"></div>
<script src="{SWAGGER_UI_URL}/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script>
</body>
</html>
"""
