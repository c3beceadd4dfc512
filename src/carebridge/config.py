"""Settings from the environment (prefix CAREBRIDGE_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAREBRIDGE_", extra="ignore")

    # Embedded SQLite by default (zero set-up); PostgreSQL 15 in production, e.g.
    # postgresql+psycopg://carebridge@db.internal/carebridge
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'carebridge.db'}"
    # The deployment's place: the language spoken at reception desks, the time zone schedules default to,
    # and the entitlements jurisdiction the finder links to.
    local_language: str = "en"
    default_language: str = "en"
    timezone: str = "Europe/London"
    jurisdiction: str = "GB-ENG"
    # How long a worker process may serve searches from its in-memory index before checking for new data.
    search_index_check_seconds: float = 5.0
    # Records not verified for longer than this are flagged as stale.
    verification_stale_days: int = 365
    # Checker leaflets (PDF) and audio are made once per (rules, language, date, answers) and kept in memory, at
    # most this many and this many megabytes per worker process, least recently used out first. 0 turns it off.
    download_cache_items: int = 256
    download_cache_mb: float = 64.0
    locale_dir: Path = PROJECT_ROOT / "locale"
    # Shows that the site runs on made-up demo data (the banner and the note on /about). Off in a real deployment.
    demo: bool = True
    # Secure cookies need HTTPS; off for http://127.0.0.1 development.
    secure_cookies: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()
