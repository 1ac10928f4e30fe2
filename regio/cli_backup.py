"""`regio backup FILE` and `regio restore FILE`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from regio import backup as backups
from regio.backup import BackupError

# What the operator reads for each of BackupError's codes.
PROBLEMS = {
    "in_use": "Regio is running on this database: stop the web server, the mail senders and "
              "cron jobs first (they hold {lock})",
    "revision_differs": "{path} is at schema revision {found}, this version of Regio is at "
                        "{expected}: restore it with the version that made it, then run "
                        "`regio db upgrade`",
    "not_sqlite": "{path} is not a SQLite database",
    "not_regio": "{path} is not a Regio database (no schema revision or registrations)",
    "damaged": "{path} fails SQLite's quick_check: it is damaged",
    "same_file": "{path} is the database itself: name another file",
}


def _database() -> str:
    """The SQLite file to work on; on PostgreSQL the command is printed and we stop."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    database = backups.sqlite_file(url)
    if database is None and not url.startswith("postgresql"):
        raise click.ClickException("backup and restore need a database in a file")
    return database


def _fail(error: BackupError, **extra):
    raise click.ClickException(PROBLEMS[error.code].format(**error.params, **extra))


def _on_postgresql(tool: str, command: str):
    click.echo(f"this database is PostgreSQL: use {tool}, for example", err=True)
    click.echo(command)
    raise SystemExit(1)  # nothing was copied: a cron job must not look successful


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path):
    """Copy the database to FILE while Regio runs (PostgreSQL: prints the pg_dump command)."""
    database = _database()
    if database is None:
        _on_postgresql("pg_dump", backups.pg_dump_command(
            current_app.config["SQLALCHEMY_DATABASE_URI"], file))
    try:
        made = backups.backup(database, file)
    except BackupError as error:
        _fail(error)
    except (sqlite3.Error, OSError) as error:
        raise click.ClickException(f"backup to {file} failed: {error}") from None
    click.echo(f"backed up {database} to {made.path}: schema revision {made.revision}, "
               f"{made.registrations} registrations, {made.size} bytes")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that holds data without asking.")
@with_appcontext
def restore_command(file: Path, yes: bool):
    """Replace the database with the backup in FILE (Regio must be stopped)."""
    database = _database()
    if database is None:
        _on_postgresql("pg_restore", backups.pg_restore_command(
            current_app.config["SQLALCHEMY_DATABASE_URI"], file))
    app = current_app._get_current_object()
    try:
        restored = backups.check_backup(file)
        with backups.sole_use(app):
            if not yes and backups.has_data(database):
                click.confirm(f"replace everything in {database} with {file}?", abort=True)
            backups.restore(restored, database)
    except BackupError as error:
        _fail(error, lock=f"{database}.in-use")
    except (sqlite3.Error, OSError) as error:
        raise click.ClickException(f"restore from {file} failed: {error}") from None
    click.echo(f"restored {database} from {file}: schema revision {restored.revision}, "
               f"{restored.registrations} registrations")


BACKUP_COMMANDS = (backup_command, restore_command)
