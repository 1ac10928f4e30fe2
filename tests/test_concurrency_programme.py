"""No workshop overbooked: 300 people register at once for 200 places and three workshops."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from bench.harness import Session, serve
from tests.conftest import BACKENDS, POSTGRES_URL

CAPACITY = 200
WORKSHOP_CAPACITY = 40
APPLICANTS = 300
TOKEN_RE = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
WORKSHOP_RE = re.compile(rb'name="ronde_1" id="[^"]+" value="(\d+)"')


def _register(base_url: str, n: int) -> str | int:
    """Pick workshop n % 3; when it is full while another has room, pick the next, as a
    person would. The last answer's status."""
    session = Session(base_url)
    try:
        page = session.get("/bijeenkomsten/zwolle")
        token = TOKEN_RE.search(page.body)[1].decode()
        workshops = [match.decode() for match in WORKSHOP_RE.findall(page.body)]
        status = None
        for attempt in range(len(workshops)):
            pick = workshops[(n + attempt) % len(workshops)]
            reply = session.post("/bijeenkomsten/zwolle", data={
                "csrf_token": token, "name": f"Deelnemer {n}", "email": f"p{n}@school.nl",
                "role": "vo", "consent": "y", "ronde_1": pick})
            status = reply.status
            if status != 422 or b"vol" not in reply.body:
                break
        return status
    except Exception as error:  # any failure is counted, not raised
        return f"error: {type(error).__name__}"
    finally:
        session.close()


def _facts(database_url: str) -> dict:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        facts = {
            "statuses": dict(connection.execute(text(
                "SELECT status, COUNT(*) FROM registrations GROUP BY status")).all()),
            "taken": connection.execute(text(
                "SELECT taken FROM meetings WHERE slug = 'zwolle'")).scalar_one(),
            "workshops": connection.execute(text(
                "SELECT w.taken, w.capacity, (SELECT COUNT(*) FROM workshop_choices c"
                " WHERE c.workshop_id = w.id AND c.status = 'chosen')"
                " FROM programme_items w WHERE w.round = 1 ORDER BY w.id")).all(),
            "choices_per_registration": Counter(n for (n,) in connection.execute(text(
                "SELECT (SELECT COUNT(*) FROM workshop_choices c"
                " WHERE c.registration_id = r.id AND c.round = 1) FROM registrations r")).all()),
            "chosen_without_place": connection.execute(text(
                "SELECT COUNT(*) FROM workshop_choices c JOIN registrations r"
                " ON r.id = c.registration_id WHERE c.status = 'chosen'"
                " AND r.status NOT IN ('held', 'confirmed')")).scalar_one(),
        }
    engine.dispose()
    return facts


@pytest.mark.slow
@pytest.mark.parametrize("db_backend", BACKENDS)
def test_300_simultaneous_sign_ups_never_overbook_a_workshop(db_backend):
    with serve(backend=db_backend, workers=4, threads=8, pg_url=POSTGRES_URL) as server:
        server.regio("meeting", "update", "zwolle", "--capacity", str(CAPACITY))
        server.regio("programme", "add", "zwolle", "--title", "Opening", "--start", "13:00",
                     "--end", "13:30", "--room", "Grote zaal")
        for room in ("Zaal 1", "Zaal 2", "Zaal 3"):
            server.regio("programme", "add", "zwolle", "--title", f"Workshop {room}",
                         "--start", "13:45", "--end", "14:30", "--round", "1",
                         "--capacity", str(WORKSHOP_CAPACITY), "--room", room)
        with ThreadPoolExecutor(max_workers=64) as pool:
            answers = Counter(pool.map(lambda n: _register(server.base_url, n),
                                       range(APPLICANTS)))
        facts = _facts(server.database_url)
    assert answers == {303: APPLICANTS}
    assert facts["statuses"] == {"held": CAPACITY, "waiting": APPLICANTS - CAPACITY}
    assert facts["taken"] == CAPACITY
    assert facts["workshops"] == [(WORKSHOP_CAPACITY, WORKSHOP_CAPACITY, WORKSHOP_CAPACITY)] * 3
    assert facts["choices_per_registration"] == {1: APPLICANTS}
    assert facts["chosen_without_place"] == 0
