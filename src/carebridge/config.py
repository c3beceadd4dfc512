"""Settings from the environment (prefix CAREBRIDGE_)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
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
    # The emergency numbers pages show first (finder's urgent care, A&E pages, the checker's result), in order:
    # comma-separated, each optionally with who answers it, e.g. "999,112" or "112=ambulance-fire,110=police"
    # (all, ambulance, ambulance-fire, fire, police; all by default). Empty: the numbers of the jurisdiction's
    # rules base (rules/<JURISDICTION>.yaml, `emergency`), which carry their sources.
    emergency_numbers: str = ""
    # How long a worker process may serve searches from its in-memory index before checking for new data.
    search_index_check_seconds: float = 5.0
    # Records not verified for longer than this are flagged as stale.
    verification_stale_days: int = 365
    locale_dir: Path = PROJECT_ROOT / "locale"
    # Shows that the site runs on made-up demo data (the banner and the note on /about). Off in a real deployment.
    demo: bool = True
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
