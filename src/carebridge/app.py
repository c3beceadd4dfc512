"""Builds the ASGI app: routers, middleware, static files, error handling."""

from __future__ import annotations

import logging
import traceback
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carebridge import __version__, i18n
from carebridge.db import get_session_factory
from carebridge.directory.search_index import SearchIndexHolder
from carebridge.errors import N_, CarebridgeError, FieldError
from carebridge.web import GZIP_MINIMUM_SIZE, STATIC_DIR, error_from_domain, problem_response, render

log = logging.getLogger("carebridge")

HTTP_TITLES = {
    400: N_("Something is wrong with the request"),
    404: N_("We could not find that page"),
    405: N_("That action is not allowed here"),
    413: N_("The file or request is too large"),
    422: N_("Some of the information given is not valid"),
    500: N_("Sorry, something went wrong on our side"),
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str | None = None,
    detail_params: dict | None = None,
    type_slug: str = "about:blank",
    errors: list[FieldError] | None = None,
) -> Response:
    if _is_api(request):
        return problem_response(
            request,
            status=status,
            title=title,
            detail=detail,
            detail_params=detail_params,
            type_slug=type_slug,
            errors=errors,
        )
    return render(
        request,
        "public/error.html",
        {"status": status, "title": title, "detail": detail, "detail_params": detail_params or {}, "errors": errors or []},
        status_code=status,
    )


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

    def __init__(self, app: ASGIApp, secure_cookies: bool = False) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie_value = None
        query = scope.get("query_string", b"")
        if b"lang=" in query:
            from starlette.requests import HTTPConnection

            cookie_value = i18n.language_or_none(HTTPConnection(scope).query_params.get("lang"))
        is_page = not scope["path"].startswith(("/api/", "/static/"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + self.SECURITY_HEADERS
                if is_page:
                    headers.append(self.PAGE_CSP)
                if cookie_value:
                    cookie = f"{i18n.LANG_COOKIE}={cookie_value}; Path=/; Max-Age=31536000; SameSite=Lax"
                    if self.secure_cookies:
                        cookie += "; Secure"
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    from carebridge.directory.search_index import search_index_for
    from carebridge.entitlements import service as entitlements

    # The checker's starting points (nothing answered, status only) are worked out once per process,
    # so that the first person to ask about a country does not wait for it.
    for rulebook in entitlements.jurisdictions():
        entitlements.precompute(rulebook)
    # Build the search index while the server starts answering (about 16 s at 100,000 services), rather than
    # on the first search. Only for a real database engine: tests bind sessions to one connection.
    holder = search_index_for(app)
    if holder.background:
        threading.Thread(target=_warm_search_index, args=(holder,), name="search-index-warm", daemon=True).start()
    yield


def _warm_search_index(holder: SearchIndexHolder) -> None:
    try:
        holder.get()
    except Exception as error:  # noqa: BLE001 - e.g. not migrated yet: the first search will say so
        log.warning("search index was not built at start-up: %s", type(error).__name__)


def create_app(session_factory: sessionmaker[Session] | None = None) -> FastAPI:
    from carebridge.config import get_settings

    settings = get_settings()
    app = FastAPI(
        title="Carebridge",
        version=__version__,
        description="Entitlements, service finder and case work for migrants' health and social care.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.session_factory = session_factory or get_session_factory()

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
        response = _error_response(request, status=exc.status_code, title=title)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _unexpected_error(request: Request, exc: Exception) -> Response:
        # The type, route and stack frames only: an exception's message can repeat what a person typed.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("unexpected error on %s %s: %s\n%s", request.method, request.url.path, type(exc).__name__, frames)
        return _error_response(request, status=500, title=HTTP_TITLES[500])

    _include_routers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Level 6: nearly level 9's size on small pages for much less CPU (the search route compresses its own JSON).
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=6)
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET"], allow_headers=["*"], allow_credentials=False
    )
    app.add_middleware(HeadersMiddleware, secure_cookies=settings.secure_cookies)
    return app


def _include_routers(app: FastAPI) -> None:
    from carebridge import health
    from carebridge.directory import api as directory_api
    from carebridge.directory import hsds_api as directory_hsds_api
    from carebridge.directory import pages as directory_pages
    from carebridge.entitlements import api as entitlements_api
    from carebridge.entitlements import pages as entitlements_pages

    app.include_router(health.router)
    app.include_router(directory_api.router)
    app.include_router(directory_hsds_api.router)
    app.include_router(entitlements_api.router)
    app.include_router(directory_pages.router)
    app.include_router(entitlements_pages.router)
