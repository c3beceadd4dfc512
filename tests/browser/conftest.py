"""Browser tests in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Reusable fixtures for every public page of every domain:

- `live_server`: base URL of the app served by uvicorn in a subprocess (session-scoped) against a temporary SQLite
  database, migrated and loaded with the fictional demo city. `live_database_url` gives its URL.
- `browser`: one Chromium for the session.
- `page`: a fresh page with JavaScript DISABLED — public pages must work without it.
- `js_page`: a fresh page with JavaScript enabled, for the rare test that needs it.
- `axe_check(url, lang)`: loads the page in its own JavaScript-enabled context, checks `<html lang dir>`, runs
  axe-core with the WCAG 2.0/2.1/2.2 A and AA rules and fails with a readable list of violations.
- `transferred_bytes(url)`: what a page costs over the wire (itself, its stylesheets, scripts, images and fonts,
  gzip-compressed as served).
- `finder_pages`: every public page of the service finder worth checking, as {name: path}; `with_lang(path, lang)`
  adds the language. Other domains add a fixture like it for their own pages.

Without Chromium the browser tests skip loudly (fail under CI=true), through tests/conftest.py's `require()`.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_PATH = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS_DIR = Path(__file__).parent / "screenshots"
LOCALE_DIR = PROJECT_ROOT / "locale"


def compile_catalogs() -> None:
    """Compile any .po catalog whose .mo is missing or older (what `make translations` does), so that a test run
    never shows a stale translation."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


def require(config: pytest.Config, what: str, available: bool, how_to_get_it: str) -> None:
    """tests/conftest.py's `require()` (a loud skip; a failure under CI). Both files are called conftest.py, so
    `import conftest` would find this one: fetch the root one from pytest's plugin registry instead."""
    root_conftest = config.pluginmanager.get_plugin(str(PROJECT_ROOT / "tests" / "conftest.py"))
    root_conftest.require(what, available, how_to_get_it)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the live server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"the live server did not answer within {timeout:.0f} s:\n{log_path.read_text()}")


def load_demo_directory(database_url: str) -> None:
    """Migrate a database and load the fictional demo city into it."""
    from sqlalchemy.orm import sessionmaker

    from carebridge.cli import upgrade_database
    from carebridge.db import make_engine, session_scope
    from carebridge.directory.service import load_demo_data

    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with session_scope(sessionmaker(bind=engine, expire_on_commit=False)) as session:
            load_demo_data(session)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'carebridge.db'}"
    load_demo_directory(url)
    return url


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


@pytest.fixture(scope="session")
def finder_pages(live_database_url: str) -> dict[str, str]:
    """Every kind of public finder page, including its error states, a confidential service and an error page."""
    from sqlalchemy import select

    from carebridge.db import make_engine
    from carebridge.directory import models, taxonomy

    engine = make_engine(live_database_url)
    try:
        with engine.connect() as connection:
            emergency = connection.scalar(select(models.Service.id).where(models.Service.name == "Accident and Emergency (A&E)"))
            confidential_location = connection.scalar(
                select(models.Attribute.link_id).where(models.Attribute.taxonomy_term_id == taxonomy.CONFIDENTIAL_ADDRESS.id)
            )
            confidential = connection.scalar(
                select(models.ServiceAtLocation.service_id).where(models.ServiceAtLocation.location_id == confidential_location)
            )
    finally:
        engine.dispose()
    assert emergency and confidential, "the demo data should have A&E and a confidential service"
    answers = "category=housing&near=FH1+1AA&language=ar"
    return {
        "home": "/",
        "about": "/about",
        "need": "/find/need",
        "need with an error": "/find/need?answered=1",
        "where": "/find/where?category=housing",
        "where with an error": "/find/where?category=housing&near=Atlantis&answered=1",
        "language": "/find/language?category=housing&near=FH1+1AA",
        "language with an error": "/find/language?category=housing&near=FH1+1AA&answered=1",
        "results": f"/find/results?{answers}",
        "results page 2 with filters": "/find/results?anywhere=1&language=any&free=1&page=2",
        "no results": "/find/results?category=maternity&near=FH1+1AA&language=ti&free=1&no_documents=1&open_now=1",
        "service": f"/services/{emergency}?{answers}",
        "confidential service": f"/services/{confidential}?{answers}",
        "not found": "/no-such-page",
        "unknown service": "/services/no-such-service",
    }


@pytest.fixture(scope="session")
def live_server(live_database_url: str, tmp_path_factory: pytest.TempPathFactory,
                pytestconfig: pytest.Config) -> Iterator[str]:
    """The app served over real HTTP by uvicorn in its own process (its own settings, caches and search index)."""
    compile_catalogs()
    port = _free_port()
    log_path = tmp_path_factory.mktemp("live-log") / "uvicorn.log"
    # The live server runs at the tests' fixed moment too (FIXED_NOW of tests/conftest.py; tests/browser/pinned_app.py).
    fixed_now = pytestconfig.pluginmanager.get_plugin(str(PROJECT_ROOT / "tests" / "conftest.py")).FIXED_NOW
    env = {**os.environ, "CAREBRIDGE_DATABASE_URL": live_database_url, "CAREBRIDGE_TEST_FIXED_NOW": fixed_now.isoformat()}
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable, "-m", "uvicorn", "pinned_app:create_app", "--factory",
                "--app-dir", str(PROJECT_ROOT / "tests" / "browser"),
                "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base_url}/api/v1/health", process, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser(pytestconfig: pytest.Config) -> Iterator[object]:
    require(
        pytestconfig,
        "Chromium",
        CHROMIUM.exists(),
        f"{CHROMIUM} is missing; install Debian's chromium package (`make system-deps`)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # noqa: ANN001
    """A page with JavaScript disabled: the finder must work without it."""
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def js_page(browser) -> Iterator[object]:  # noqa: ANN001
    context = browser.new_context(java_script_enabled=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


@pytest.fixture
def axe_check(browser, pytestconfig: pytest.Config) -> Iterator[Callable[[str, str], None]]:  # noqa: ANN001
    """`axe_check(url, lang)`: zero WCAG 2.2 AA violations, and `<html lang dir>` right for `lang`."""
    require(pytestconfig, "axe-core", AXE_PATH.is_file(), f"{AXE_PATH} is missing; run `npm ci` (or `make test`)")
    from carebridge.i18n import direction

    axe_source = AXE_PATH.read_text(encoding="utf-8")
    contexts = []

    def check(url: str, lang: str) -> None:
        # axe needs JavaScript; the page's CSP forbids injected scripts, so this context bypasses it.
        context = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        response = page.goto(url)
        assert response is not None, url
        assert page.get_attribute("html", "lang") == lang, url
        assert page.get_attribute("html", "dir") == direction(lang), url
        page.add_script_tag(content=axe_source)
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        violations = results["violations"]
        assert not violations, format_violations(url, violations)
        context.close()
        contexts.remove(context)

    yield check
    for context in contexts:
        context.close()


class _Subresources(HTMLParser):
    """The URLs a page makes the browser fetch: stylesheets, scripts, images, icons and preloaded fonts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("href") and set((values.get("rel") or "").split()) & {
            "stylesheet", "icon", "preload", "modulepreload", "manifest",
        }:
            self.urls.append(values["href"])
        elif tag in {"script", "img", "source", "audio", "video", "iframe"} and values.get("src"):
            self.urls.append(values["src"])


CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def _fetch(url: str) -> tuple[bytes, str, int]:
    """One GET as a browser on a slow connection would make it: gzip accepted; returns the compressed body."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip", "User-Agent": "carebridge-tests"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.read(), response.headers.get("Content-Type", ""), response.status
    except urllib.error.HTTPError as error:  # an error page is still a page a person gets
        return error.read(), error.headers.get("Content-Type", ""), error.code


def _decoded(body: bytes) -> str:
    import gzip

    return (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body).decode("utf-8", "replace")


@pytest.fixture(scope="session")
def transferred_bytes() -> Callable[[str], dict[str, int]]:
    """`transferred_bytes(url)` → {url: compressed bytes} for the page and everything it makes a browser load
    (data: URLs cost nothing extra; they are inside the page already)."""

    def measure(url: str) -> dict[str, int]:
        sizes: dict[str, int] = {}
        body, _content_type, _status = _fetch(url)
        sizes[url] = len(body)
        parser = _Subresources()
        parser.feed(_decoded(body))
        queue = [urljoin(url, found) for found in parser.urls if not found.startswith("data:")]
        while queue:
            resource = queue.pop()
            if resource in sizes:
                continue
            assert urlsplit(resource).netloc == urlsplit(url).netloc, f"{url} loads {resource} from another site"
            body, content_type, status = _fetch(resource)
            assert status == 200, f"{resource} (loaded by {url}) answered {status}"
            sizes[resource] = len(body)
            if "css" in content_type:
                queue += [urljoin(resource, found) for found in CSS_URL.findall(_decoded(body)) if not found.startswith("data:")]
        return sizes

    return measure
