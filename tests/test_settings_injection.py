"""Settings are given to the app (create_app(settings=...)), not read deep inside domain code.

Two apps built in one process with different settings answer differently side by side: the demo banner, the
deployment's jurisdiction, its time zone (the clock and the formatting of dates), its default language and its
database. And nothing in src/ reads the environment's settings but the entry points.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient

from carebridge import i18n
from carebridge.access import PublicAccess
from carebridge.app import create_app
from carebridge.cli import upgrade_database
from carebridge.config import Settings, get_settings, settings_in_effect
from carebridge.db import read_state, session_scope, write_state
from carebridge.kit import clock
from carebridge.web import SessionDep

SRC = Path(__file__).resolve().parents[1] / "src" / "carebridge"
DEMO_BANNER = "This is a demonstration. The services shown are made up."


def probe_router() -> APIRouter:
    router = APIRouter(dependencies=[PublicAccess])

    @router.get("/api/v1/settings-probe")
    def settings_probe(request: Request) -> dict:
        return {
            "zone": str(clock.now().tzinfo),
            "today": clock.today().isoformat(),
            "formatting_locale": i18n.formatting_locale("en"),
            "in_effect": settings_in_effect().jurisdiction,
            "language": i18n.negotiate_language(request),
        }

    @router.get("/api/v1/settings-probe/database")
    def database_probe(session: SessionDep) -> dict:
        return {"kept": read_state(session, "settings-probe")}

    return router


def app_with(settings: Settings, **kwargs) -> FastAPI:  # noqa: ANN003
    app = create_app(settings, **kwargs)
    app.include_router(probe_router())
    return app


@pytest.fixture(scope="module")
def london_and_auckland() -> tuple[TestClient, TestClient]:
    """Two apps from one process: an English demo in London, a German real deployment in Auckland's zone (a zone
    far enough that the fixed test moment, 12:00 UTC on 23 November, is already the 24th there)."""
    london = Settings(demo=True, timezone="Europe/London", jurisdiction="GB-ENG", default_language="en")
    auckland = Settings(demo=False, timezone="Pacific/Auckland", jurisdiction="DE", default_language="fr")
    no_database = lambda: None  # noqa: E731 - these pages do not touch it
    return (
        TestClient(app_with(london, session_factory=no_database)),
        TestClient(app_with(auckland, session_factory=no_database)),
    )


@pytest.fixture(scope="module", autouse=True)
def _catalogs(compiled_catalogs) -> None:  # noqa: ANN001
    pass


def test_the_demo_banner_follows_each_apps_own_setting(london_and_auckland):
    demo, real = london_and_auckland
    assert DEMO_BANNER in demo.get("/?lang=en").text
    assert DEMO_BANNER not in real.get("/?lang=en").text
    # ...and again, interleaved, so no cached environment hides a difference.
    assert DEMO_BANNER in demo.get("/about?lang=en").text
    assert DEMO_BANNER not in real.get("/about?lang=en").text


def test_the_jurisdiction_is_each_apps_own(london_and_auckland):
    england, germany = london_and_auckland
    assert '<option value="GB-ENG" selected>' in england.get("/staff/entitlements?lang=en").text
    assert '<option value="DE" selected>' in germany.get("/staff/entitlements?lang=en").text


def test_the_clock_and_formatting_follow_the_app_serving_the_request(london_and_auckland):
    london, auckland = london_and_auckland
    here, there = london.get("/api/v1/settings-probe").json(), auckland.get("/api/v1/settings-probe").json()
    assert (here["zone"], here["today"]) == ("Europe/London", "2026-11-23")
    assert (there["zone"], there["today"]) == ("Pacific/Auckland", "2026-11-24")
    assert (here["formatting_locale"], there["formatting_locale"]) == ("en_GB", "en_DE")
    assert (here["in_effect"], there["in_effect"]) == ("GB-ENG", "DE")
    # Outside any request the process's own settings apply again.
    assert settings_in_effect() is get_settings()


def test_the_default_language_is_each_apps_own(london_and_auckland):
    english, french = london_and_auckland
    for client in london_and_auckland:
        client.cookies.clear()  # an earlier ?lang= choice is remembered in a cookie, and would win
    assert english.get("/api/v1/settings-probe").json()["language"] == "en"
    assert french.get("/api/v1/settings-probe").json()["language"] == "fr"
    assert 'lang="fr"' in french.get("/about").text and 'lang="en"' in english.get("/about").text


def test_each_app_uses_its_own_database(tmp_path):
    first, second = (f"sqlite:///{tmp_path / name}.db" for name in ("first", "second"))
    for url, value in ((first, "kept in the first"), (second, "kept in the second")):
        upgrade_database(url)
        app = app_with(Settings(database_url=url))  # no session factory given: one for settings.database_url
        with session_scope(app.state.session_factory) as session:
            write_state(session, "settings-probe", value)
    one, two = TestClient(app_with(Settings(database_url=first))), TestClient(app_with(Settings(database_url=second)))
    assert one.get("/api/v1/settings-probe/database").json() == {"kept": "kept in the first"}
    assert two.get("/api/v1/settings-probe/database").json() == {"kept": "kept in the second"}


# The entry points that may read the environment's settings: the settings module itself, the command line, the
# migrations' environment when alembic is run by hand (no caller to give it a URL), create_app's default and the
# process-wide engine (db.get_engine). Domain code gets its settings from the app or from its caller.
ALLOWED = {
    "config.py": None,
    "cli.py": None,
    "migrations/env.py": None,
    "app.py": {"create_app"},
    "db.py": {"get_engine", "get_session_factory"},
}
CALL = re.compile(r"\bget_settings\(\)")
TOP_LEVEL_DEF = re.compile(r"^(?:async )?def (\w+)")


def test_nothing_in_src_reads_the_environments_settings_but_the_entry_points():
    offenders, allowed_uses = [], 0
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        function = None
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found = TOP_LEVEL_DEF.match(line)
            if found:
                function = found.group(1)
            if not CALL.search(line) or line.lstrip().startswith("#"):
                continue
            # A domain's command-line module (<domain>/cli.py) is an entry point too: a command has no app.
            if relative.endswith("/cli.py") or (
                relative in ALLOWED and (ALLOWED[relative] is None or function in ALLOWED[relative])
            ):
                allowed_uses += 1
                continue
            offenders.append(f"{relative}:{number} (in {function}): {line.strip()}")
    assert allowed_uses >= 4  # the grep itself works: it sees the allowed uses
    assert not offenders, "read settings from the app (web.SettingsDep) or take them as an argument:\n" + "\n".join(offenders)
