"""While the database cannot be reached, every page is a 503 with Retry-After; Regio comes
back by itself when the database does, and nothing answered 303 before is lost."""

from __future__ import annotations

import shutil
import socket
import threading
from contextlib import suppress
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from regio.db import db
from regio.registrations.models import Registration
from tests.conftest import _postgres_url, _reset_postgres, csrf_token, free_port, make_app

pytestmark = pytest.mark.slow


class Proxy:
    """A TCP relay in front of PostgreSQL that can be pulled like a network cable."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=True)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and cut every open one."""
        for sock in [self.listener, *self.sockets]:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                sock.close()
        self.sockets.clear()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)


class SqliteOutage:
    """The folder holding the database goes away (a lost volume) and comes back."""

    def __init__(self, folder) -> None:
        self.folder, self.away = folder, folder.with_name("away")

    def stop(self, app) -> None:
        with app.app_context():
            db.engine.dispose()  # open connections would keep the moved file
        shutil.move(self.folder, self.away)

    def start(self) -> None:
        shutil.move(self.away, self.folder)


@pytest.fixture
def unreliable(backend, tmp_path):
    """(app, cut, restore): an app whose database can be taken away and given back."""
    if backend == "sqlite":
        folder = tmp_path / "data"
        folder.mkdir()
        app = make_app(f"sqlite:///{folder / 'regio.sqlite3'}", tmp_path)
        outage = SqliteOutage(folder)
        cut, restore = (lambda: outage.stop(app)), outage.start
    else:
        url = _postgres_url()
        _reset_postgres(url)
        parts = urlsplit(url)
        proxy = Proxy((parts.hostname, parts.port or 5432))
        proxy.start()
        app = make_app(url.replace(f"{parts.hostname}:{parts.port or 5432}",
                                   f"127.0.0.1:{proxy.port}"), tmp_path)
        cut, restore = proxy.stop, proxy.start
    with app.app_context():
        db.create_all()
        from regio.meetings.seed import seed_meetings

        seed_meetings(demo=True, today=date.today())
        db.session.commit()
        db.session.remove()
    yield app, cut, restore
    with suppress(Exception):
        restore()
    with app.app_context():
        db.engine.dispose()


def register(client, token: str, n: int):
    return client.post("/bijeenkomsten/zwolle", data={
        "csrf_token": token, "name": f"Persoon {n}", "email": f"p{n}@school.nl",
        "role": "po", "consent": "y"})


def test_an_outage_is_a_page_and_regio_recovers_by_itself(unreliable):
    app, cut, restore = unreliable
    client = app.test_client()
    token = csrf_token(client, "/bijeenkomsten/zwolle")
    accepted = [n for n in range(20) if register(client, token, n).status_code == 303]
    assert len(accepted) == 20

    cut()
    for path in ("/", "/bijeenkomsten/zwolle", "/r/zwolle", "/healthz",
                 "/bijeenkomsten/zwolle.ics", "/agenda.ics"):
        response = client.get(path)
        assert response.status_code == 503, (path, response.status_code)
        assert int(response.headers["Retry-After"]) > 0
    page = client.get("/bijeenkomsten/zwolle").get_data(as_text=True)
    assert "Even niet beschikbaar" in page
    login = client.post("/beheer/inloggen", data={
        "csrf_token": token, "email": "ann@ocw.example.org", "password": "x" * 12})
    assert login.status_code == 503
    lost = register(client, token, 99)
    assert lost.status_code == 503
    assert "niet opgeslagen" in lost.get_data(as_text=True)

    restore()
    answers = [client.get("/bijeenkomsten/zwolle").status_code for _ in range(3)]
    assert answers[-1] == 200, answers  # at most the pool's first try finds a dead connection
    assert register(client, token, 20).status_code == 303
    with app.app_context():
        emails = set(db.session.execute(select(Registration.email)).scalars())
        assert {f"p{n}@school.nl" for n in [*accepted, 20]} <= emails
        assert "p99@school.nl" not in emails
        assert db.session.execute(select(func.count(Registration.id))).scalar() == 21
