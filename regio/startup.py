"""Start-up checks: settings that work in development but fail people in production.

Each finding is one line an operator can act on. A refusal stops the start (the app factory
raises ConfigError, so the web server, every `regio` command and the mail senders refuse
alike); a warning is logged and the start goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from config import ConfigError, is_no_reply


@dataclass(frozen=True)
class Finding:
    text: str
    refuse: bool = False


def production_findings(settings: dict) -> list[Finding]:
    """What is wrong with production settings (nothing is checked in other configurations)."""
    if settings.get("REGIO_CONFIG") != "production":
        return []
    findings = []
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not settings.get(
            "REGIO_ALLOW_SQLITE"):
        findings.append(Finding(
            "DATABASE_URL is SQLite: production runs on PostgreSQL (postgresql://…); set "
            "REGIO_ALLOW_SQLITE=1 to run a single server on SQLite all the same", refuse=True))
    base_url = settings.get("REGIO_BASE_URL") or ""
    if not base_url.lower().startswith("https://"):
        findings.append(Finding(
            f"REGIO_BASE_URL={base_url!r} is not https: every link in mails, invites and QR "
            "codes would send people over plain http"))
    contact = (settings.get("REGIO_CONTACT_EMAIL") or "").strip()
    if not contact:
        findings.append(Finding(
            "REGIO_CONTACT_EMAIL is not set: mails, the personal page and the privacy "
            "statement give people no address to write to"))
    elif is_no_reply(contact):
        findings.append(Finding(
            f"REGIO_CONTACT_EMAIL={contact!r} looks like a no-reply address: people must be "
            "able to write to it"))
    return findings


def server_findings(settings: dict, *, workers: int) -> list[Finding]:
    """What is wrong with the rate limits of a server of `workers` processes."""
    storage = settings.get("RATELIMIT_STORAGE_URI") or "memory://"
    if workers > 1 and settings.get("RATELIMIT_ENABLED", True) and storage.startswith("memory"):
        return [Finding(
            f"RATELIMIT_STORAGE_URI is memory:// with {workers} workers: each worker counts on "
            f"its own, so every limit lets {workers} times as much through; use redis://…")]
    return []


def check_production(app: Flask) -> None:
    """Refuse to build an app that must not run; log the warnings."""
    findings = production_findings(app.config)
    for finding in findings:
        if finding.refuse:
            raise ConfigError(finding.text)
    for finding in findings:
        app.logger.warning("%s", finding.text)
