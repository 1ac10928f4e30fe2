"""Registration with two workshop rounds against registration without a programme, one server.

    .venv/bin/python -m bench.bench_programme [--backend sqlite|postgresql] [--duration S]

Two meetings on the same server: Zwolle without a programme (the fast booking path) and
Rotterdam with a plenary opening and two rounds of three workshops, each roomy enough that
every booking takes a place in both of its workshops. wrk posts real registrations with a
fresh address each (as `bench_registration` does), to one meeting at a time, in turns (plain,
programme, plain, programme), so the machine's drift hits both alike. Goal: the programme's
rate ≥ 0.8 × the plain one.
"""

from __future__ import annotations

import os
import re
import sys
from urllib.parse import urlencode

from bench.bench_registration import REQUEST_LUA, TOKEN_RE, _together
from bench.harness import Session, report, serve, server_run

RATIO_GOAL = 0.8
ROUNDS = 2
PLAIN, PROGRAMME = "/bijeenkomsten/zwolle", "/bijeenkomsten/rotterdam"
WORKSHOP_RE = re.compile(rb'name="ronde_(\d+)" id="[^"]+" value="(\d+)"')


def _add_programme(server) -> None:
    server.regio("programme", "add", "rotterdam", "--title", "Opening", "--start", "13:00",
                 "--end", "13:30", "--room", "Grote zaal")
    for number, (start, end) in enumerate((("13:45", "14:30"), ("14:45", "15:30")), 1):
        for room in ("Zaal 1", "Zaal 2", "Zaal 3"):
            server.regio("programme", "add", "rotterdam", "--title", f"Workshop {room}",
                         "--start", start, "--end", end, "--round", str(number),
                         "--capacity", "100000", "--room", room)


def _request(base_url: str, path: str) -> tuple:
    """The form POST for `path` with a session cookie, its CSRF token and, when the form has
    rounds, the first workshop of each; the address is filled in per request by wrk."""
    session = Session(base_url)
    page = session.get(path)
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    session.close()
    fields = {"csrf_token": TOKEN_RE.search(page.body)[1].decode(), "name": "Bench Deelnemer",
              "role": "vo", "consent": "y"}
    for number, workshop in WORKSHOP_RE.findall(page.body):
        fields.setdefault(f"ronde_{number.decode()}", workshop.decode())
    body = urlencode(fields) + "&email=p%s%%40school.nl"
    return ("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                 "Cookie": cookie})


def main(argv: list[str] | None = None) -> int:
    chosen, load = server_run(__doc__, argv)
    load["tool"] = "wrk"
    threads = int(os.environ.get("REGIO_BENCH_THREADS") or 1)  # as bench_registration
    with serve(backend=chosen.backend, pg_url=chosen.pg_url, workers=chosen.workers,
               threads=threads, connections=chosen.connections) as server:
        for slug in ("zwolle", "rotterdam"):
            server.regio("meeting", "update", slug, "--capacity", "100000")
        _add_programme(server)
        requests = {path: _request(server.base_url, path) for path in (PLAIN, PROGRAMME)}
        assert requests[PROGRAMME][2].count("ronde_") == 2, "the programme's form lacks rounds"
        runs = {PLAIN: [], PROGRAMME: []}
        for _ in range(ROUNDS):
            for path in (PLAIN, PROGRAMME):
                runs[path].append(server.measure(requests[path], lua=REQUEST_LUA, name=path,
                                                 **load))
        chosen_places = server.regio("programme", "list", "rotterdam").stdout
    plain = _together("POST registration, no programme", runs[PLAIN])
    programme = _together("POST registration, two workshop rounds", runs[PROGRAMME])
    met = report("registration with two workshop rounds against none", programme, plain,
                 goal=RATIO_GOAL)
    for path, turns in runs.items():
        print(f"  {path} turns: " + ", ".join(f"{run.rps:.0f} req/s p99 {run.p99_ms:.1f} ms"
                                             for run in turns))
    print("  workshops after the run:\n" + "\n".join(
        "    " + line for line in chosen_places.splitlines()))
    only_303 = all(s.statuses.keys() <= {303} for s in (plain, programme))
    if not only_303:
        print(f"  unexpected answers: {plain.statuses} / {programme.statuses}")
    return 0 if met and only_303 else 1


if __name__ == "__main__":
    sys.exit(main())
