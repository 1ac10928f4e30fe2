"""Where people land: the home page, a meeting's page and the registration POST against
/healthz on the same server in one run, then the meeting page and the registration at a fixed
arrival rate (half of each one's measured maximum).

    .venv/bin/python -m bench.bench_pages [--backend sqlite|postgresql] [--duration S]

Without --backend (or REGIO_BENCH_BACKEND) it runs on SQLite and then, when
REGIO_BENCH_POSTGRES_URL names a database, on PostgreSQL too.

Goals: home ≥ 0.6 ×, meeting page ≥ 0.4 ×, registration ≥ 0.2 × /healthz; at half their
maximum rate, p99 ≤ 50 ms for both. The meeting page is fetched as a new visitor every time
(no cookie: a fresh session and CSRF token each time), as from a QR code.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace

from bench.bench_registration import REQUEST_LUA, _form_session, _registration_request
from bench.harness import record, report, serve, server_run
from bench.open_loop import GetPage, Register, fixed_rate

RATIO_GOALS = {"home page": 0.6, "meeting page": 0.4, "registration POST": 0.2}
P99_GOAL_MS = 50.0
LOAD_SHARE = 0.5
MEETING = "/bijeenkomsten/zwolle"


def _closed_loop(server, load) -> tuple[bool, dict]:
    health = server.measure(("GET", "/healthz"), name="/healthz", **load)
    measured, met = {}, True
    for name, request, lua in (
            ("home page", ("GET", "/"), None),
            ("meeting page", ("GET", MEETING), None),
            ("registration POST", _registration_request(*_form_session(server.base_url)),
             REQUEST_LUA)):
        stats = server.measure(request, name=name, lua=lua or "", **load)
        met &= report(f"{name} against /healthz", stats, health, goal=RATIO_GOALS[name])
        measured[name] = stats
    return met, measured


def _open_loop(server, measured, duration) -> bool:
    print(f"\nat {LOAD_SHARE:.0%} of the measured maximum, open loop (latency from the time "
          "each request was due)")
    print(f"  {'what':<22} {'req/s':>7} {'sent':>7} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'p99.9 ms':>9} {'max ms':>8}")
    met = True
    for name, scenario in (("meeting page", GetPage(MEETING)),
                           ("registration POST", Register(MEETING))):
        rate = measured[name].rps * LOAD_SHARE
        stats = fixed_rate(scenario, base_url=server.base_url, rate=rate, duration=duration,
                           name=name)
        print(f"  {name:<22} {stats.rate:>7.0f} {stats.sent:>7} {stats.errors:>7} "
              f"{stats.p50_ms:>8.2f} {stats.p99_ms:>8.2f} {stats.p999_ms:>9.2f} "
              f"{stats.max_ms:>8.2f}")
        within = stats.p99_ms <= P99_GOAL_MS and not stats.errors
        record(f"{name} at {stats.rate:,.0f} req/s (open loop)",
               f"p50 {stats.p50_ms:.1f} / p99 {stats.p99_ms:.1f} / p99.9 {stats.p999_ms:.1f} ms"
               f", {stats.errors} errors", goal=f"p99 ≤ {P99_GOAL_MS:g} ms", met=within)
        met &= within
    print(f"  goal p99 ≤ {P99_GOAL_MS:g} ms: {'met' if met else 'NOT met'}")
    return met


def _backends(chosen, argv: list[str] | None) -> list[str]:
    named = "--backend" in (sys.argv[1:] if argv is None else argv) \
        or os.environ.get("REGIO_BENCH_BACKEND")
    if named:
        return [chosen.backend]
    return ["sqlite"] + (["postgresql"] if chosen.pg_url else [])


def main(argv: list[str] | None = None) -> int:
    chosen, load = server_run(__doc__, argv)
    met = True
    for backend in _backends(chosen, argv):
        print(f"\n--- {backend}")
        run = replace(chosen, backend=backend)
        with serve(backend=run.backend, pg_url=run.pg_url, workers=run.workers,
                   threads=run.threads, connections=run.connections) as server:
            closed_met, measured = _closed_loop(server, load)
            met &= closed_met & _open_loop(server, measured, load.get("duration", 8.0))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
