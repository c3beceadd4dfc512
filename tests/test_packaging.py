"""The wheel is a working product, and the server will not start without its translations.

The end-to-end test builds the wheel from this checkout, installs it into a fresh virtual environment outside the
checkout (pip's cache makes this take well under a minute once the dependencies are cached), then runs the
installed `carebridge db upgrade` against a new SQLite file and `carebridge serve` on a free port, and reads a page
in Arabic. Before the migrations and compiled catalogs went into the package, `db upgrade` failed ("Path doesn't
exist ... migrations") and the page came back in English.
"""

from __future__ import annotations

import fcntl
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from carebridge import i18n

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = list(i18n.LANGUAGES)


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without this checkout's settings or import paths, so the installed copy is what runs."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAREBRIDGE_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(extra)
    return env


def _run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert completed.returncode == 0, f"{command} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
    return completed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built once per test run. setuptools builds inside the checkout (its build/ folder), so two xdist
    workers building at once collide ("File exists: …dist-info"): they share one build, under a lock, in the run's
    temporary folder (the workers' common parent; a run without xdist has its own)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = shared / "carebridge-wheel"
    with (shared / "carebridge-wheel.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not list(out.glob("carebridge-*.whl")):
            out.mkdir(exist_ok=True)
            _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)], cwd=out, env=_clean_env())
    (built,) = out.glob("carebridge-*.whl")
    return built


def test_the_wheel_carries_the_migrations_and_every_compiled_catalog(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = {name for name in names if re.fullmatch(r"carebridge/migrations/versions/[^/]+\.py", name)}
    assert migrations == {
        f"carebridge/migrations/versions/{path.name}" for path in (ROOT / "src/carebridge/migrations/versions").glob("*.py")
    }
    assert {"carebridge/migrations/env.py", "carebridge/migrations/script.py.mako"} <= names
    wanted = {
        f"carebridge/locale/{language}/LC_MESSAGES/{domain}.mo" for language in LANGUAGES for domain in i18n.CATALOG_DOMAINS
    }
    assert wanted <= names, sorted(wanted - names)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local test server
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _arabic_translations_on(english_page: str) -> dict[str, str]:
    """Whole interface sentences seen on the English page, with their Arabic translations."""
    with (ROOT / "locale/ar/LC_MESSAGES/messages.po").open("rb") as file:
        catalog = read_po(file, locale="ar", domain="messages")
    return {
        message.id: message.string
        for message in catalog
        if isinstance(message.id, str) and len(message.id) >= 20 and message.string and message.string != message.id
        and not re.search(r"[%<>&\"']", message.id + message.string) and message.id in english_page
    }


def test_the_installed_wheel_creates_its_database_and_serves_arabic_in_arabic(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, env=_clean_env())
    bin_dir = venv / "bin"
    # pip's own cache (not --no-cache-dir) keeps the dependency downloads out of the test's time.
    _run([str(bin_dir / "pip"), "install", "--quiet", "--disable-pip-version-check", str(wheel)], cwd=tmp_path, env=_clean_env())
    env = _clean_env(CAREBRIDGE_DATABASE_URL=f"sqlite:///{tmp_path / 'installed.db'}")
    where = _run([str(bin_dir / "python"), "-c", "import carebridge; print(carebridge.__file__)"], cwd=tmp_path, env=env)
    assert where.stdout.strip().startswith(str(venv)), "the test must run the installed copy, not the checkout"

    upgraded = _run([str(bin_dir / "carebridge"), "db", "upgrade"], cwd=tmp_path, env=env)
    assert "newest migration" in upgraded.stdout

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - the installed console script
        [str(bin_dir / "carebridge"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        english = _get(f"http://127.0.0.1:{port}/?lang=en", deadline)
        arabic = _get(f"http://127.0.0.1:{port}/?lang=ar", deadline)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert re.search(r'<html lang="ar" dir="rtl">', arabic), output[-2000:]
    translations = _arabic_translations_on(english)
    assert len(translations) >= 5, "the English home page should show several whole interface sentences"
    untranslated = [msgid for msgid, msgstr in translations.items() if msgstr not in arabic]
    assert not untranslated, untranslated
    assert not any(msgid in arabic for msgid in translations)


def test_serve_refuses_to_start_without_compiled_catalogs(tmp_path: Path) -> None:
    empty = tmp_path / "locale"
    (empty / "ar" / "LC_MESSAGES").mkdir(parents=True)
    env = _clean_env(
        CAREBRIDGE_LOCALE_DIR=str(empty),
        CAREBRIDGE_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
        PYTHONPATH=str(ROOT / "src"),
    )
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "carebridge.cli", "serve", "--port", str(_free_port())],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert completed.returncode != 0
    assert time.monotonic() - started < 30
    assert "not starting" in completed.stderr and "translation catalogs are missing" in completed.stderr
    assert str(empty) in completed.stderr and "make translations" in completed.stderr
    assert "Uvicorn running" not in completed.stderr + completed.stdout


def test_missing_catalogs_names_every_missing_language_and_domain(tmp_path: Path) -> None:
    assert i18n.missing_catalogs(ROOT / "locale") == []
    (tmp_path / "fa" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "fa" / "LC_MESSAGES" / "messages.mo").write_bytes(b"")
    missing = i18n.missing_catalogs(tmp_path)
    assert len(missing) == len(LANGUAGES) * len(i18n.CATALOG_DOMAINS) - 1
    assert tmp_path / "fa" / "LC_MESSAGES" / "entitlements.mo" in missing
    assert tmp_path / "fa" / "LC_MESSAGES" / "messages.mo" not in missing


def test_make_run_takes_host_and_port() -> None:
    # Not as a sub-make of `make test`: without the parent's flags, and without "Entering/Leaving directory" lines.
    environment = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    planned = subprocess.run(
        ["make", "--no-print-directory", "--dry-run", "--always-make", "run", "HOST=0.0.0.0", "PORT=8001"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True, env=environment,
    ).stdout.splitlines()
    assert planned[-1].endswith("carebridge serve --host 0.0.0.0 --port 8001"), planned[-3:]
    assert any("install-system-deps --runtime" in line for line in planned), "make run installs what the pages use"


def _a_result_page(client):  # noqa: ANN001, ANN202
    from carebridge.entitlements import presentation

    answers = {"lang": "en", "jurisdiction": "GB-ENG", "status": "undocumented", "age": "34", "pregnant": "no",
               "trafficking_victim": "no", "torture_or_violence_survivor": "no"}
    result = client.get(presentation.RESULT_PATH, params=answers)
    assert result.status_code == 200
    return result


@pytest.mark.parametrize("espeak_installed", [True, False])
def test_the_result_page_offers_audio_only_when_the_server_can_make_it(client, monkeypatch, espeak_installed) -> None:  # noqa: ANN001
    from carebridge.entitlements import audio

    monkeypatch.setattr(audio, "tools_available", lambda: espeak_installed)
    audio.available.cache_clear()
    try:
        page = _a_result_page(client).text
    finally:
        audio.available.cache_clear()
    offered = 'type="audio/mpeg"' in page
    explained = "speech program (espeak-ng) is not installed" in page
    assert (offered, explained) == (espeak_installed, not espeak_installed)
