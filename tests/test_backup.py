"""`regio backup` while people register, and `regio restore` into a new instance."""

from __future__ import annotations

import gc
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from bench.harness import Session, serve
from regio.backup import code_revisions
from tests.conftest import make_app
from tests.test_concurrency import TOKEN_RE

HEAD = next(iter(code_revisions()))  # the migrations' one head

REGIO = Path(sys.executable).with_name("regio")
WRITERS = 8


def regio(*args: str, database: Path | str, input: str | None = None, **env):
    url = f"sqlite:///{database}" if isinstance(database, Path) else database
    environ = {**os.environ, "REGIO_CONFIG": "development", "DATABASE_URL": url, **env}
    return subprocess.run([str(REGIO), *args], env=environ, input=input, capture_output=True,
                          text=True, timeout=120)


def emails(database: Path) -> set[str]:
    with closing(sqlite3.connect(database)) as connection:
        return {row[0] for row in connection.execute("SELECT email FROM registrations")}


class Registering:
    """Threads that register people until stopped; remembers when each 303 came back."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.stop = threading.Event()
        self.done: list[tuple[float, str]] = []  # (monotonic time of the answer, address)
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(WRITERS)]

    def _run(self, writer: int) -> None:
        session = Session(self.base_url)
        token = TOKEN_RE.search(session.get("/bijeenkomsten/zwolle").body)[1].decode()
        n = 0
        while not self.stop.is_set():
            address = f"w{writer}n{n}@school.nl"
            answer = session.post("/bijeenkomsten/zwolle", data={
                "csrf_token": token, "name": f"Deelnemer {writer} {n}", "email": address,
                "role": "vo", "consent": "y"})
            if answer.status == 303:
                self.done.append((time.monotonic(), address))
            else:
                self.failures.append(f"{address}: {answer.status}")
            n += 1
        session.close()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def committed_before(self, moment: float) -> set[str]:
        return {address for at, address in list(self.done) if at < moment}


@pytest.mark.slow
def test_backup_under_write_load_restores_every_earlier_registration(tmp_path):
    copy = tmp_path / "regio-backup.sqlite3"
    with serve(backend="sqlite", workers=2, threads=2) as server:
        live = Path(server.database_url.removeprefix("sqlite:///"))
        with Registering(server.base_url) as load:
            while len(load.done) < 150:
                time.sleep(0.05)
            started = time.monotonic()
            made = regio("backup", str(copy), database=server.database_url)
            before = load.committed_before(started)
            while len(load.done) < len(before) + 100:  # writes go on during and after
                time.sleep(0.05)
        assert made.returncode == 0, made.stderr
        assert load.failures == []
        assert len(load.committed_before(time.monotonic())) > len(before) + 50

        refused = regio("restore", str(copy), "--yes", database=server.database_url)
        assert refused.returncode == 1
        assert "Regio is running on this database" in refused.stderr
        assert len(emails(live)) >= len(before) + 100  # the live database is untouched

    assert "backed up" in made.stdout and f"schema revision {HEAD}" in made.stdout
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    new_instance = tmp_path / "new" / "regio.sqlite3"
    restored = regio("restore", str(copy), database=new_instance)
    assert restored.returncode == 0, restored.stderr
    restored_emails = emails(new_instance)
    assert before <= restored_emails
    assert f"{len(restored_emails)} registrations" in restored.stdout
    # The restored instance works: Regio reads it and takes new registrations.
    assert regio("registrations", "release-expired", database=new_instance).returncode == 0


def instance(tmp_path: Path, name: str, url: str | None = None):
    """A `regio` command line (in this process) for the database `name` in tmp_path."""
    return make_app(url or f"sqlite:///{tmp_path / name}", tmp_path).test_cli_runner()


@pytest.fixture
def seeded(tmp_path):
    runner = instance(tmp_path, "regio.sqlite3")
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["seed"]).exit_code == 0
    return runner


def test_restore_refuses_a_backup_of_another_schema_revision(seeded, tmp_path):
    copy = tmp_path / "backup.sqlite3"
    assert seeded.invoke(args=["backup", str(copy)]).exit_code == 0
    with closing(sqlite3.connect(copy)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
        connection.commit()
    refused = instance(tmp_path, "new.sqlite3").invoke(args=["restore", str(copy), "--yes"])
    assert refused.exit_code == 1
    assert f"is at schema revision 0001, this version of Regio is at {HEAD}" in refused.stderr
    assert not (tmp_path / "new.sqlite3").exists()


def test_restore_refuses_what_is_not_a_regio_backup(tmp_path):
    new = instance(tmp_path, "new.sqlite3")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database at all, " * 100)
    refused = new.invoke(args=["restore", str(text_file), "--yes"])
    assert refused.exit_code == 1
    assert "is not a SQLite database" in refused.stderr
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE notes (text)")
    refused = new.invoke(args=["restore", str(other), "--yes"])
    assert "is not a Regio database" in refused.stderr


def test_restore_asks_before_replacing_a_database_with_data(seeded, tmp_path):
    copy = tmp_path / "backup.sqlite3"
    assert seeded.invoke(args=["backup", str(copy)]).exit_code == 0
    live = tmp_path / "regio.sqlite3"
    with closing(sqlite3.connect(live)) as connection:
        connection.execute("DELETE FROM meetings WHERE slug = 'zwolle'")
        connection.commit()
    declined = seeded.invoke(args=["restore", str(copy)], input="n\n")
    assert declined.exit_code == 1
    assert "replace everything in" in declined.stdout
    assert "zwolle" not in slugs(live)
    accepted = seeded.invoke(args=["restore", str(copy)], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "zwolle" in slugs(live)


def test_restore_refuses_while_another_app_holds_the_database(seeded, tmp_path):
    copy = tmp_path / "backup.sqlite3"
    assert seeded.invoke(args=["backup", str(copy)]).exit_code == 0
    other = instance(tmp_path, "regio.sqlite3")  # a second app: as a running server would
    refused = seeded.invoke(args=["restore", str(copy), "--yes"])
    assert refused.exit_code == 1
    assert "Regio is running on this database" in refused.stderr
    del other
    gc.collect()  # the second app is gone, and with it its lock
    assert seeded.invoke(args=["restore", str(copy), "--yes"]).exit_code == 0


def test_backup_never_replaces_the_database_itself(seeded, tmp_path):
    for name in ("regio.sqlite3", "regio.sqlite3-wal"):
        refused = seeded.invoke(args=["backup", str(tmp_path / name)])
        assert refused.exit_code == 1
        assert "is the database itself" in refused.stderr
    assert "zwolle" in slugs(tmp_path / "regio.sqlite3")


def slugs(database: Path) -> set[str]:
    with closing(sqlite3.connect(database)) as connection:
        return {row[0] for row in connection.execute("SELECT slug FROM meetings")}


def test_on_postgresql_the_pg_tools_are_named_without_the_password(tmp_path):
    url = "postgresql+psycopg://regio:geheim@db.internal:5432/regio"
    runner = instance(tmp_path, "", url=url)
    dump = runner.invoke(args=["backup", str(tmp_path / "regio.dump")])
    assert dump.exit_code == 1
    assert dump.stdout.strip() == (f"pg_dump --format=custom --file={tmp_path}/regio.dump "
                                   "--dbname=postgresql://regio@db.internal:5432/regio")
    assert "geheim" not in dump.output
    backup_file = tmp_path / "regio.dump"
    backup_file.write_bytes(b"PGDMP")
    back = runner.invoke(args=["restore", str(backup_file)])
    assert back.exit_code == 1
    assert back.stdout.startswith("pg_restore --clean --if-exists")
    assert "geheim" not in back.output
