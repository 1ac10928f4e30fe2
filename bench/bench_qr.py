"""QR code requests per second against /healthz on the same server, in one run.

    .venv/bin/python -m bench.bench_qr [--backend sqlite|postgresql] [--duration S]

Goal: each QR endpoint reaches at least 0.8 × the rate of /healthz (both do one small database
query; the QR image itself comes from the in-process cache after its first rendering).
"""

from __future__ import annotations

import argparse
import sys

from bench.harness import options, report, serve

GOAL = 0.8
HEALTH = ("GET", "/healthz")
ENDPOINTS = (
    ("GET", "/bijeenkomsten/zwolle/qr.png?bron=poster"),
    ("GET", "/bijeenkomsten/zwolle/qr.svg?bron=poster"),
)


def main(argv: list[str] | None = None) -> int:
    defaults = options()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default=defaults.backend)
    parser.add_argument("--pg-url", default=defaults.pg_url)
    parser.add_argument("--duration", type=float, default=defaults.duration)
    parser.add_argument("--connections", type=int, default=defaults.connections)
    parser.add_argument("--tool", choices=("auto", "python", "wrk"), default=defaults.tool)
    args = parser.parse_args(argv)
    load = {"connections": args.connections, "duration": args.duration,
            "warmup": defaults.warmup, "tool": args.tool}

    print(f"backend {args.backend}, {defaults.workers} gthread workers × {defaults.threads} "
          f"threads, {args.connections} connections, {args.duration:g} s per run")
    with serve(backend=args.backend, pg_url=args.pg_url, workers=defaults.workers,
               threads=defaults.threads) as server:
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
