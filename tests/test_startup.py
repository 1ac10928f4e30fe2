"""Production start-up checks: a clear line for each setting that would fail people."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, load_config
from regio import create_app
from regio.startup import production_findings, server_findings

REGIO = Path(sys.executable).with_name("regio")
GOOD = {"SECRET_KEY": "k" * 40, "DATABASE_URL": "postgresql://regio@db.internal/regio",
        "REGIO_BASE_URL": "https://regio.example.nl"}


def findings(**environ) -> list[str]:
    settings = load_config("production", environ=GOOD | environ)
    settings["REGIO_CONTACT_EMAIL"] = environ.get("REGIO_CONTACT_EMAIL", "opp@ocw.example.nl")
    return [finding.text for finding in production_findings(settings)]


def test_good_production_settings_give_no_findings():
    assert findings() == []


def test_sqlite_in_production_is_refused_unless_allowed(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    sqlite = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    with pytest.raises(ConfigError, match="REGIO_ALLOW_SQLITE=1"):
        create_app({"REGIO_CONFIG": "production", "SQLALCHEMY_DATABASE_URI": sqlite})
    app = create_app({"REGIO_CONFIG": "production", "SQLALCHEMY_DATABASE_URI": sqlite,
                      "REGIO_ALLOW_SQLITE": True})
    assert app.config["REGIO_ALLOW_SQLITE"] is True


def test_the_regio_command_refuses_sqlite_in_production_with_one_line(tmp_path):
    env = {**os.environ, **GOOD, "REGIO_CONFIG": "production",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"}
    env.pop("REGIO_ALLOW_SQLITE", None)
    done = subprocess.run([str(REGIO), "seed"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: DATABASE_URL is SQLite: production runs on PostgreSQL (postgresql://…); set "
        "REGIO_ALLOW_SQLITE=1 to run a single server on SQLite all the same"]
    assert "Traceback" not in done.stderr
    allowed = subprocess.run([str(REGIO), "db", "upgrade"], env=env | {"REGIO_ALLOW_SQLITE": "1"},
                             capture_output=True, text=True, timeout=60)
    assert allowed.returncode == 0, allowed.stderr


@pytest.mark.parametrize("value", ["0", "yes", "true"])
def test_only_1_allows_sqlite(value):
    settings = load_config("production", environ=GOOD | {"DATABASE_URL": "sqlite:///x",
                                                         "REGIO_ALLOW_SQLITE": value})
    assert any(f.refuse for f in production_findings(settings))


def test_plain_http_base_url_warns():
    assert findings(REGIO_BASE_URL="http://regio.example.nl") == [
        "REGIO_BASE_URL='http://regio.example.nl' is not https: every link in mails, invites "
        "and QR codes would send people over plain http"]


def test_missing_contact_address_warns():
    assert findings(REGIO_CONTACT_EMAIL="") == [
        "REGIO_CONTACT_EMAIL is not set: mails, the personal page and the privacy statement "
        "give people no address to write to"]


@pytest.mark.parametrize("address", ["noreply@ocw.example.nl", "Regio <No-Reply@ocw.nl>",
                                     "donotreply@ocw.nl"])
def test_no_reply_contact_address_warns(address):
    (text,) = findings(REGIO_CONTACT_EMAIL=address)
    assert "looks like a no-reply address" in text


def test_warnings_are_logged_and_the_app_starts(tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    with caplog.at_level(logging.WARNING, logger="regio"):
        app = create_app({"REGIO_CONFIG": "production",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}",
                          "REGIO_ALLOW_SQLITE": True, "REGIO_BASE_URL": "http://x.example"})
    warnings = [r.getMessage() for r in caplog.records if r.name == "regio"]
    assert len(warnings) == 2
    assert warnings[0].startswith("REGIO_BASE_URL='http://x.example' is not https")
    assert warnings[1].startswith("REGIO_CONTACT_EMAIL is not set")
    assert app.test_client().get("/healthz").status_code == 200


def test_other_configurations_are_not_checked():
    settings = load_config("development", environ={"DATABASE_URL": "sqlite:///x"})
    assert production_findings(settings) == []


@pytest.mark.parametrize(("storage", "workers", "warns"), [
    ("memory://", 2, True), ("memory://", 1, False), ("redis://127.0.0.1:6379/0", 4, False)])
def test_memory_rate_limits_with_several_workers_warn(storage, workers, warns):
    settings = load_config("production", environ=GOOD | {"RATELIMIT_STORAGE_URI": storage})
    found = server_findings(settings, workers=workers)
    assert bool(found) is warns
    if warns:
        assert found[0].text.startswith(
            f"RATELIMIT_STORAGE_URI is memory:// with {workers} workers")


def test_memory_rate_limits_do_not_warn_when_limits_are_off():
    settings = load_config("production", environ=GOOD | {"RATELIMIT_ENABLED": "false"})
    assert server_findings(settings, workers=4) == []
