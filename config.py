"""Configuration classes, read from the environment by `load_config`."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
INSTANCE_PATH = PROJECT_ROOT / "instance"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment; values the environment does not set."""

    ENV_NAME = "base"
    TESTING = False
    DEBUG = False
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_PATH / 'regio.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REGIO_BASE_URL = "http://localhost:5000"
    MAIL_URL = f"file://{INSTANCE_PATH / 'outbox'}"
    MAIL_FROM = "Regio <noreply@localhost>"
    MAIL_TIMEOUT = 10.0
    MAIL_STALE_AFTER = 300  # seconds before a row left in "sending" by a killed sender is retried
    REGIO_ORGANIZER_EMAIL: str | None = None
    REGIO_CONTACT_EMAIL: str | None = None  # where people write with questions
    REGIO_CONTACT_PHONE: str | None = None
    REGIO_CONFIRM_WITHIN_HOURS = 48
    REGIO_RETENTION_DAYS = 90
    REGIO_TIMEZONE = "Europe/Amsterdam"
    REGIO_REMINDER_DAYS = (7, 1)
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    REGIO_LIMIT_REGISTER_IP = "30 per minute;300 per hour"
    REGIO_LIMIT_REGISTER_EMAIL = "5 per hour"
    REGIO_LIMIT_LOGIN_IP = "10 per minute"
    REGIO_LIMIT_LOGIN_ACCOUNT = "5 per minute"
    REGIO_LIMIT_CODE_ACCOUNT = "5 per minute"  # wrong second-step codes per account
    REGIO_LIMIT_RESET_IP = "10 per hour"  # "Wachtwoord vergeten?" requests per IP address
    REGIO_LIMIT_RESET_EMAIL = "3 per hour"  # reset mails per address (more get no mail)
    # A back-office session ends after this long without a request, and this long after login.
    REGIO_SESSION_IDLE_MINUTES = 30
    REGIO_SESSION_MAX_HOURS = 12
    REGIO_REQUIRE_2FA = False  # admin and organiser accounts must use two-factor login
    # A slow form filler must not lose their input (WCAG 2.2.1): the CSRF token has no time limit
    # of its own; it is bound to the session, which lasts as long as the browser keeps it.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 12 * 3600  # set from REGIO_SESSION_MAX_HOURS
    REGIO_PROXY_FIX = 0
    REGIO_TRUSTED_HOSTS: str | None = None
    REGIO_METRICS_TOKEN: str | None = None  # /metrics answers 404 without it
    REGIO_LOG_FORMAT = "text"  # "json": one JSON line per request
    REGIO_ALLOW_SQLITE = False  # production refuses SQLite unless this is set
    REGIO_HSTS = False
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")
    MAX_CONTENT_LENGTH = 1024 * 1024


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    MAIL_URL = "file:///nonexistent-set-by-tests"
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = True


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REGIO_HSTS = True
    REGIO_REQUIRE_2FA = True
    MAIL_URL = "smtp://localhost:25"


CONFIGS = {c.ENV_NAME: c for c in (DevelopmentConfig, TestingConfig, ProductionConfig)}

# Environment variables read on top of the class, with their converter.
_ENV = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "REGIO_BASE_URL": str,
    "MAIL_URL": str,
    "MAIL_FROM": str,
    "MAIL_TIMEOUT": float,
    "MAIL_STALE_AFTER": int,
    "REGIO_ORGANIZER_EMAIL": str,
    "REGIO_CONTACT_EMAIL": str,
    "REGIO_CONTACT_PHONE": str,
    "REGIO_CONFIRM_WITHIN_HOURS": int,
    "REGIO_RETENTION_DAYS": int,
    "REGIO_TIMEZONE": str,
    "RATELIMIT_ENABLED": None,
    "RATELIMIT_STORAGE_URI": str,
    "REGIO_LIMIT_REGISTER_IP": str,
    "REGIO_LIMIT_REGISTER_EMAIL": str,
    "REGIO_LIMIT_LOGIN_IP": str,
    "REGIO_LIMIT_LOGIN_ACCOUNT": str,
    "REGIO_PROXY_FIX": int,
    "REGIO_TRUSTED_HOSTS": str,
    "REGIO_METRICS_TOKEN": str,
    "REGIO_LOG_FORMAT": str,
    "REGIO_ALLOW_SQLITE": None,
    "REGIO_REMINDER_DAYS": None,
    "REGIO_LIMIT_CODE_ACCOUNT": str,
    "REGIO_LIMIT_RESET_IP": str,
    "REGIO_LIMIT_RESET_EMAIL": str,
    "REGIO_SESSION_IDLE_MINUTES": int,
    "REGIO_SESSION_MAX_HOURS": int,
    "REGIO_REQUIRE_2FA": None,
}


class ConfigError(RuntimeError):
    """The configuration cannot run; the message says which variable to set."""


def load_config(name: str | None = None, environ: dict | None = None) -> dict:
    """Return the settings for `name` (default: REGIO_CONFIG) with the environment applied."""
    environ = os.environ if environ is None else environ
    name = name or environ.get("REGIO_CONFIG") or "development"
    if name not in CONFIGS:
        raise ConfigError(f"REGIO_CONFIG={name!r} is unknown; use one of {', '.join(CONFIGS)}")
    cls = CONFIGS[name]
    settings = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    for key, convert in _ENV.items():
        raw = environ.get(key)
        if raw is None or raw == "":
            continue
        target = "SQLALCHEMY_DATABASE_URI" if key == "DATABASE_URL" else key
        if key in ("RATELIMIT_ENABLED", "REGIO_REQUIRE_2FA"):
            settings[target] = _bool(raw, bool(settings[target]))
        elif key == "REGIO_ALLOW_SQLITE":
            settings[target] = raw.strip() == "1"
        elif key == "REGIO_REMINDER_DAYS":
            settings[target] = tuple(int(part) for part in raw.split(",") if part.strip())
        else:
            try:
                settings[target] = convert(raw)
            except ValueError as exc:
                raise ConfigError(f"{key}={raw!r} is not a valid value") from exc
    if not settings.get("SECRET_KEY"):
        if name == "production":
            raise ConfigError("SECRET_KEY is not set: production refuses to start without it")
        settings["SECRET_KEY"] = _development_secret()
    if not settings.get("REGIO_ORGANIZER_EMAIL"):
        from email.utils import parseaddr

        settings["REGIO_ORGANIZER_EMAIL"] = parseaddr(settings["MAIL_FROM"])[1]
    settings["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(settings["SQLALCHEMY_DATABASE_URI"])
    settings["PERMANENT_SESSION_LIFETIME"] = settings["REGIO_SESSION_MAX_HOURS"] * 3600
    settings["REGIO_CONFIG"] = name
    return settings


_NO_REPLY = re.compile(r"^(no[-_]?reply|do[-_]?not[-_]?reply|bounces?|mailer-daemon)\b",
                       re.IGNORECASE)


def is_no_reply(address: str | None) -> bool:
    """An address nobody reads: noreply@…, no-reply@…, donotreply@…, or one on localhost."""
    from email.utils import parseaddr

    local, _, domain = parseaddr((address or "").strip())[1].rpartition("@")
    return not local or bool(_NO_REPLY.match(local)) or domain.lower() in ("localhost", "")


def _development_secret() -> str:
    """One random key per development checkout, kept in the instance folder.

    Ticket QR codes are derived from the key, so a key that changed on every start would
    invalidate every ticket printed since the last restart.
    """
    path = INSTANCE_PATH / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        INSTANCE_PATH.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


def _normalise_db_url(url: str) -> str:
    """Let `postgresql://` and `postgres://` URLs use psycopg 3, the driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
