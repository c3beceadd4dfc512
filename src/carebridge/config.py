"""Settings from the environment (prefix CAREBRIDGE_)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parents[1]
# A checkout (or an editable install) has pyproject.toml two levels up; an installed wheel does not.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()


def _default_locale_dir() -> Path:
    """The compiled catalogs: inside the package in a wheel (the build compiles them there), the checkout's
    locale/ folder otherwise (`make install` compiles them there)."""
    packaged = PACKAGE_DIR / "locale"
    return packaged if packaged.is_dir() or not IN_CHECKOUT else PROJECT_ROOT / "locale"


def _default_database_url() -> str:
    """var/carebridge.db in the checkout; in the working directory for an installed package (a deployment sets
    CAREBRIDGE_DATABASE_URL anyway)."""
    folder = PROJECT_ROOT / "var" if IN_CHECKOUT else Path.cwd() / "var"
    return f"sqlite:///{folder / 'carebridge.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAREBRIDGE_", extra="ignore")

    # Embedded SQLite by default (zero set-up); PostgreSQL 15 in production, e.g.
    # postgresql+psycopg://carebridge@db.internal/carebridge
    database_url: str = Field(default_factory=_default_database_url)
    # The deployment's place: the language spoken at reception desks, the time zone schedules default to,
    # and the entitlements jurisdiction the finder links to.
    local_language: str = "en"
    default_language: str = "en"
    timezone: str = "Europe/London"
    jurisdiction: str = "GB-ENG"
    # The emergency numbers pages show first (finder's urgent care, A&E pages, the checker's result), in order:
    # comma-separated, each optionally with who answers it, e.g. "999,112" or "112=ambulance-fire,110=police"
    # (all, ambulance, ambulance-fire, fire, police; all by default). Empty: the numbers of the jurisdiction's
    # rules base (rules/<JURISDICTION>.yaml, `emergency`), which carry their sources.
    emergency_numbers: str = ""
    # How long a worker process may serve searches from its in-memory index before checking for new data.
    search_index_check_seconds: float = 5.0
    # Records not verified for longer than this are flagged as stale.
    verification_stale_days: int = 365
    # Checker leaflets (PDF) and audio are made once per (rules, language, date, answers) and kept in memory, at
    # most this many and this many megabytes per worker process, least recently used out first. 0 turns it off.
    download_cache_items: int = 256
    download_cache_mb: float = 64.0
    # Where the compiled gettext catalogs (*.mo) are; the server refuses to start if they are missing.
    locale_dir: Path = Field(default_factory=_default_locale_dir)
    # Shows that the site runs on made-up demo data (the banner and the note on /about). Off in a real deployment.
    demo: bool = True
    # The audit trail's parallel hash chains ("stripes") on PostgreSQL: writers on different stripes commit in
    # parallel (docs/decisions/0004-audit-trail.md). SQLite always uses 1 (it has one writer). More stripes: more
    # parallel appends, and more heads in `carebridge audit head`.
    audit_stripes: int = Field(default=8, ge=1, le=64)
    # Secure cookies need HTTPS; off for http://127.0.0.1 development.
    secure_cookies: bool = False

    @field_validator("emergency_numbers")
    @classmethod
    def _emergency_numbers(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            number, _, answers = item.partition("=")
            if not EMERGENCY_NUMBER.fullmatch(number.strip()) or answers.strip() not in EMERGENCY_ANSWERS:
                raise ValueError(
                    f"{item!r} is not an emergency number: digits (e.g. 112), optionally =all, =ambulance, "
                    "=ambulance-fire, =fire or =police"
                )
        return value

    def emergency_number_list(self) -> list[tuple[str, str]]:
        """The setting as (number, who answers) pairs; empty when the rules base's numbers apply."""
        pairs = []
        for item in filter(None, (part.strip() for part in self.emergency_numbers.split(","))):
            number, _, answers = item.partition("=")
            pairs.append((number.strip(), answers.strip() or "all"))
        return pairs


EMERGENCY_NUMBER = re.compile(r"[0-9]{2,4}( ?[0-9]{2,4})?")
EMERGENCY_ANSWERS = {"", "all", "ambulance", "ambulance-fire", "fire", "police"}


@lru_cache
def get_settings() -> Settings:
    return Settings()
