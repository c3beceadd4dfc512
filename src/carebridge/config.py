"""Settings from the environment (prefix CAREBRIDGE_)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
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
    # Cookies are Secure (and `__Host-` prefixed) whenever a request reached us over HTTPS (its scheme, after the
    # X-Forwarded-Proto a trusted proxy sends); true forces them on even for requests that look like plain HTTP
    # (set it in production behind a proxy; `carebridge serve` warns when demo is off and this is not on).
    secure_cookies: bool = False
    # How long a break-the-glass grant (opening one record outside one's scope, with a reason) lasts, in minutes.
    break_glass_minutes: int = Field(default=60, ge=1, le=24 * 60)

    # Background jobs and notifications (carebridge.jobs, carebridge.notifications; docs/deploying.md).
    # The site's public address, for the sign-in link in notifications (no trailing slash needed).
    public_base_url: str = "http://127.0.0.1:8000"
    # How often an idle worker looks for due jobs, and how long a job may stay claimed before it is thought to be
    # stuck (its worker crashed) and is run again: longer than the slowest job.
    worker_poll_seconds: float = 5.0
    job_stuck_seconds: float = 900.0
    # E-mail through SMTP. No host: e-mail notifications are not sent (the worker logs that, once per job).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    # STARTTLS before signing in (port 587); turn off only for a server on the same machine.
    smtp_starttls: bool = True
    smtp_from: str = "Carebridge <no-reply@localhost>"
    smtp_timeout_seconds: float = 10.0
    # SMS: "outbox" (development: written to the sms_outbox table, nothing leaves the machine), "http" (a
    # JSON-over-HTTPS provider: POST {"to", "from", "text"} to sms_http_url with a bearer token), or "" (none).
    sms_provider: str = "outbox"
    sms_http_url: str = ""
    sms_http_token: SecretStr = SecretStr("")
    sms_sender: str = "Carebridge"
    sms_timeout_seconds: float = 10.0

    # Staff sign-in (accounts/sessions.py, accounts/secrets.py; docs/decisions/0006-staff-sign-in.md).
    # A staff session ends after this long without a request, and this long after sign-in whatever happens.
    staff_session_idle_minutes: int = 30
    staff_session_absolute_hours: int = 12
    # The key that encrypts second-factor secrets and signs the sign-in form (32 random bytes). From
    # CAREBRIDGE_STAFF_SECRET_KEY (base64) when set, otherwise from this file, created (mode 0600) when missing.
    # Never in the database: a copy of the database alone must not give away anyone's second factor.
    staff_secret_key: str = ""
    staff_secret_key_file: Path = Field(
        default_factory=lambda: (PROJECT_ROOT / "var" if IN_CHECKOUT else Path.cwd() / "var") / "staff-secret.key"
    )

    # People's records (keys/, clients/; docs/decisions/0007-person-record-encryption.md, docs/deploying.md).
    # Key-encryption keys: each person's data key is wrapped by the first (active) one; the others are kept only
    # to unwrap keys not yet rotated (`carebridge keys rotate`, then `carebridge keys retire`). From
    # CAREBRIDGE_RECORD_KEYS (comma-separated base64 keys, active first) when set, otherwise from the key file (one
    # base64 key per line, active first). Never in the database. In demo mode a missing file is created.
    record_keys: SecretStr = SecretStr("")
    record_key_file: Path = Field(
        default_factory=lambda: (PROJECT_ROOT / "var" if IN_CHECKOUT else Path.cwd() / "var") / "record-keys"
    )
    # The key of the blind index (HMAC-SHA256 of normalised phone numbers, e-mails, name + date of birth) that finds
    # possible duplicates without decrypting: CAREBRIDGE_BLIND_INDEX_KEY (base64) or this file.
    blind_index_key: SecretStr = SecretStr("")
    blind_index_key_file: Path = Field(
        default_factory=lambda: (PROJECT_ROOT / "var" if IN_CHECKOUT else Path.cwd() / "var") / "blind-index.key"
    )
    # The region phone numbers without a country code are read in (ISO 3166 alpha-2), e.g. "GB" for 07700 900123.
    phone_region: str = "GB"
    # A closed person's record is erased (its data key destroyed) this many days after closing; the caseworker is
    # told this many days before.
    client_retention_days: int = Field(default=365, ge=1, le=36500)
    client_retention_warning_days: int = Field(default=30, ge=0, le=365)
    # Case work (issue 10).
    # The needs-assessment category rules (YAML, docs/assessments.md); empty: the rules shipped with Carebridge.
    assessment_rules_file: Path | None = None
    # Validated translations of the screening instruments: <dir>/<instrument>/<language>.json, each naming its
    # source (docs/screening.md). Only these are offered; other languages get "use an interpreter".
    screening_translations_dir: Path = Field(default_factory=lambda: Path("var/screening-translations"))
    # The deployment's licensed RHS-15 item texts (Pathways to Wellness); without it RHS-15 is not offered.
    rhs15_file: Path | None = None
    # PC-PTSD-5 is positive at this many "yes" answers (3: Prins 2016; 4: Bovin 2021).
    pc_ptsd5_cutoff: int = Field(default=3, ge=1, le=5)
    # A self-screening link works once, for this many hours.
    screening_link_hours: int = Field(default=48, ge=1, le=24 * 14)
    # A risk flag is due by the end of the day it is raised (the deployment's time zone), and never less than this
    # many hours after it is raised; still open then, it escalates to the service manager.
    risk_min_response_hours: int = Field(default=4, ge=1, le=24)
    # Crisis lines the peer supporter's "if there is risk now" box shows after the emergency numbers, comma-separated
    # "number=name", e.g. "116 123=Samaritans,0800 689 5652=Refugee Council helpline". Empty: emergency numbers only.
    crisis_lines: str = ""
    # Referrals nobody answered within this many days are closed as rejected ("no answer") by the referrals.no-answer
    # job, and the referrer is told (Joy, the UK social-prescribing platform, uses two weeks).
    referral_no_answer_days: int = Field(default=14, ge=1, le=90)
    # Video appointments get a meeting link made from this template; "{room}" is replaced by a random, unguessable room
    # name, e.g. "https://meet.jit.si/carebridge-{room}" or your own video service. Empty: no link is made (the
    # worker adds one by hand). Carebridge never calls the video service itself.
    video_link_template: str = ""
    # Inbound text messages (replies, STOP) arrive at /api/v1/sms/inbound signed with HMAC-SHA256 of the body under
    # this secret (header X-Carebridge-Signature: sha256=<hex>). Empty: the webhook refuses everything.
    sms_webhook_secret: SecretStr = SecretStr("")
    # Reminders are sent this many hours before an appointment, never in the quiet hours (deployment time zone),
    # and only in the person's own safe window when they gave one.
    reminder_hours_before: int = Field(default=24, ge=1, le=24 * 7)
    reminder_quiet_start: str = "20:00"
    reminder_quiet_end: str = "09:00"

    @field_validator("crisis_lines")
    @classmethod
    def _crisis_lines(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            number, separator, name = item.partition("=")
            if not separator or not CRISIS_NUMBER.fullmatch(number.strip()) or not name.strip() or len(name.strip()) > 100:
                raise ValueError(
                    f"{item!r} is not a crisis line: write number=name, e.g. 116 123=Samaritans (digits, spaces and "
                    "a leading +; a name of at most 100 characters), several separated by commas"
                )
        return value

    def crisis_line_list(self) -> list[tuple[str, str]]:
        """CAREBRIDGE_CRISIS_LINES as (number, name) pairs, in the order given."""
        pairs = []
        for item in filter(None, (part.strip() for part in self.crisis_lines.split(","))):
            number, _, name = item.partition("=")
            pairs.append((number.strip(), name.strip()))
        return pairs

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
CRISIS_NUMBER = re.compile(r"\+?[0-9]{2,6}( ?[0-9]{2,6}){0,4}")
EMERGENCY_ANSWERS = {"", "all", "ambulance", "ambulance-fire", "fire", "police"}


@lru_cache
def get_settings() -> Settings:
    return Settings()


# The settings of the app serving the current request (set by app.AppSettingsMiddleware around every request and by
# app._lifespan around start-up work). Only the two process-wide helpers that have no request at hand and are called
# from everywhere read it: the clock's deployment zone (kit.clock) and i18n's default language and formatting region.
# Domain code takes its settings from the app (web.SettingsDep, request.app.state.settings) or from its caller.
_in_effect: ContextVar[Settings | None] = ContextVar("carebridge_settings", default=None)


def settings_in_effect() -> Settings:
    """The settings of the app serving this request; outside any request (the CLI, the worker, a script), the
    process's own, from the environment."""
    return _in_effect.get() or get_settings()


@contextmanager
def using_settings(settings: Settings) -> Iterator[Settings]:
    """`with using_settings(app_settings):` — settings_in_effect() answers these inside the block."""
    token = _in_effect.set(settings)
    try:
        yield settings
    finally:
        _in_effect.reset(token)
