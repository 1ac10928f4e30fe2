"""QR code requests per second against /healthz on the same server, in one run.

    .venv/bin/python -m bench.bench_qr [--backend sqlite|postgresql] [--duration S]

Goal: each QR endpoint reaches at least 0.8 × the rate of /healthz (both do one small database
query; the QR image itself comes from the in-process cache after its first rendering).
"""

from __future__ import annotations

import sys

from bench.harness import report, serve, server_run

GOAL = 0.8
HEALTH = ("GET", "/healthz")
ENDPOINTS = (
    ("GET", "/bijeenkomsten/zwolle/qr.png?bron=poster"),
    ("GET", "/bijeenkomsten/zwolle/qr.svg?bron=poster"),
)


def main(argv: list[str] | None = None) -> int:
    chosen, load = server_run(__doc__, argv)
    with serve(backend=chosen.backend, pg_url=chosen.pg_url, workers=chosen.workers,
               threads=chosen.threads, connections=chosen.connections) as server:
        health = server.measure(HEALTH, **load)
        met = True
        for request in ENDPOINTS:
            stats = server.measure(request, **load)
            met &= report(f"{request[1]} against /healthz", stats, health, goal=GOAL)
            if stats.statuses.keys() != {200}:
                print(f"  unexpected answers: {stats.statuses}")
                met = False
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
