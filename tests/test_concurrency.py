"""No overbooking, ever: hundreds of people registering at the same moment on a real server."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from bench.harness import Session, serve
from tests.conftest import BACKENDS, POSTGRES_URL

CAPACITY = 50
APPLICANTS = 500
TOKEN_RE = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')


def _register(base_url: str, n: int) -> int:
    session = Session(base_url)
    try:
        page = session.get("/bijeenkomsten/zwolle")
        token = TOKEN_RE.search(page.body)[1].decode()
        reply = session.post("/bijeenkomsten/zwolle", data={
            "csrf_token": token, "name": f"Deelnemer {n}", "email": f"p{n}@school.nl",
            "role": "vo", "consent": "y"})
        return reply.status
    except Exception as error:  # any failure is counted, not raised
        return f"error: {type(error).__name__}"
    finally:
        session.close()


def _counts(database_url: str) -> tuple[dict, int]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        statuses = dict(connection.execute(text(
            "SELECT r.status, COUNT(*) FROM registrations r JOIN meetings m ON m.id = r.meeting_id"
            " WHERE m.slug = 'zwolle' GROUP BY r.status")).all())
        taken = connection.execute(text(
            "SELECT taken FROM meetings WHERE slug = 'zwolle'")).scalar_one()
    engine.dispose()
    return statuses, taken


@pytest.mark.slow
@pytest.mark.parametrize("db_backend", BACKENDS)
def test_500_simultaneous_registrations_fill_50_places_exactly(db_backend):
    with serve(backend=db_backend, workers=4, threads=8, pg_url=POSTGRES_URL) as server:
        server.regio("meeting", "update", "zwolle", "--capacity", str(CAPACITY))
        with ThreadPoolExecutor(max_workers=64) as pool:
            answers = Counter(pool.map(lambda n: _register(server.base_url, n),
                                       range(APPLICANTS)))
        statuses, taken = _counts(server.database_url)
    assert answers == {303: APPLICANTS}
    assert statuses == {"held": CAPACITY, "waiting": APPLICANTS - CAPACITY}
    assert taken == CAPACITY
