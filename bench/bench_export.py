"""Peak memory and time of a 20,000-attendee export against a 2,000-attendee one, per format.

    .venv/bin/python -m bench.bench_export [--database-url URL] [--tracemalloc]

Each export runs in a fresh subprocess that first warms up (imports, fonts, SQL compilation:
an export of an empty meeting), then resets the kernel's peak-RSS counter (VmHWM, the figure
ru_maxrss reports; `echo 5 > /proc/self/clear_refs`), reads the resident set size, runs
`write_export` into a file and reads the peak again. The figure is peak minus that baseline:
what the export itself added. Without the reset, ru_maxrss would still hold the peak of start-up
(and, after fork+exec, of the parent), which hides the export. Where the reset is refused the
plain ru_maxrss difference is used and the output says so. `--tracemalloc` also reports the peak
of Python allocations during the export (it misses C memory such as lxml's, and slows the run).
Before the baseline a full scan fills SQLite's page cache, bounded by PRAGMA cache_size, as in
a server that has been running (`--cold` skips that). Without --database-url a temporary
SQLite file is used; a given database is RESET.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.harness import record

SIZES = {"oostzaan": 2_000, "zwolle": 20_000}  # slug -> attendees
EMPTY = "rotterdam"
FORMATS = ("csv", "xlsx", "pdf")
GOAL = 1.2
ROLES = ("po", "vo", "go", "ouder", "leerling")


def _app(database_url: str, scratch: Path):
    from regio import create_app

    return create_app({
        "REGIO_CONFIG": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_URL": f"file://{scratch / 'outbox'}",
        "REGIO_BASE_URL": "http://regio.bench",
    })


def prepare(database_url: str, scratch: Path) -> None:
    """A fresh schema with the four meetings; SIZES attendees in two of them."""
    from sqlalchemy import create_engine, insert, text

    from regio.db import db
    from regio.meetings.seed import seed_meetings
    from regio.registrations.models import Registration, Status
    from regio.registrations.search import keys_for

    if database_url.startswith("postgresql"):
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = _app(database_url, scratch)
    with app.app_context():
        db.create_all()
        meetings = {m.slug: m for m in seed_meetings(demo=True, today=date.today())}
        db.session.commit()
        start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
        for slug, size in SIZES.items():
            rows = []
            for n in range(size):
                status = (Status.WAITING if n % 20 == 7 else Status.CANCELLED if n % 20 == 13
                          else Status.CONFIRMED)
                rows.append({
                    "meeting_id": meetings[slug].id, "uid": f"{slug}-{n}@regio.bench",
                    "status": status, "name": f"Deelnemer {n:05d} van den Heuvel-Çelik",
                    "email": f"deelnemer.{n}@school{n % 97}.example.nl", "role": ROLES[n % 5],
                    "organisation": "=Basisschool De Regenboog" if n % 50 == 0
                    else f"Scholengemeenschap Noord {n % 300}",
                    "source": ("poster", "brief", "dia", None)[n % 4],
                    "created_at": start + timedelta(minutes=n),
                    "checked_in_at": start + timedelta(days=40, seconds=n) if n % 3 == 0 else None,
                })
                # A bulk INSERT skips the ORM's events that keep the derived name keys.
                rows[-1].update(keys_for(rows[-1]["name"], rows[-1]["email"],
                                         rows[-1]["organisation"]))
            for offset in range(0, size, 5_000):
                db.session.execute(insert(Registration), rows[offset:offset + 5_000])
            db.session.commit()
        db.engine.dispose()


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _peak_kib(reset: bool) -> int:
    if reset:
        return _status_kib("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def child(database_url: str, slug: str, fmt: str, out: Path, traced: bool, warm: bool) -> dict:
    import gc
    import tracemalloc

    from sqlalchemy import text

    from regio.db import db
    from regio.exports import write_export
    from regio.meetings.services import get_meeting

    app = _app(database_url, out.parent)
    with app.app_context():
        now = datetime.now(UTC)
        with open(os.devnull, "wb") as sink:
            write_export(get_meeting(EMPTY), fmt, sink, now=now)
        if warm:
            # A server that has run a while has SQLite's page cache (PRAGMA cache_size, 2 MB by
            # default, per connection) full already; fill it so it is not counted as export.
            db.session.execute(text("SELECT count(name), count(organisation) FROM registrations"))
        meeting = get_meeting(slug)
        gc.collect()
        if traced:
            tracemalloc.start()
        reset = _reset_peak()
        baseline = _status_kib("VmRSS") if reset else _peak_kib(reset)
        started = time.perf_counter()
        with open(out, "wb") as handle:
            rows = write_export(meeting, fmt, handle, now=now)
        seconds = time.perf_counter() - started
        peak = _peak_kib(reset)
        traced_peak = tracemalloc.get_traced_memory()[1] if traced else None
        db.session.rollback()
    return {"rows": rows, "seconds": seconds, "baseline_kib": baseline, "peak_kib": peak,
            "method": "VmHWM after clear_refs" if reset else "ru_maxrss (no reset)",
            "growth_kib": peak - baseline, "traced_peak_kib": traced_peak and traced_peak // 1024,
            "bytes": out.stat().st_size}


def _run_child(database_url: str, slug: str, fmt: str, scratch: Path, traced: bool,
               warm: bool) -> dict:
    command = [sys.executable, "-m", "bench.bench_export", "--child", slug, fmt,
               "--database-url", database_url, "--scratch", str(scratch)]
    if traced:
        command.append("--tracemalloc")
    if not warm:
        command.append("--cold")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ratio(large: float, small: float) -> float:
    return large / small if small > 0 else float("inf")


def report(database_url: str, scratch: Path, traced: bool, warm: bool) -> bool:
    small_slug, large_slug = SIZES
    print(f"database: {database_url.split('@')[-1]}; page cache "
          f"{'filled before the baseline' if warm else 'cold (--cold)'}")
    print("growth = peak RSS during the export minus RSS before it, in a fresh warmed-up process"
          + ("; traced = tracemalloc peak during the export" if traced else ""))
    header = (f"{'format':<6} {'rows':>13} {'growth KiB':>17} {'ratio':>6} {'peak RSS KiB':>17}"
              f" {'seconds':>13}")
    if traced:
        header += f" {'traced KiB':>17} {'ratio':>6}"
    print(header)
    ok = True
    methods = set()
    for fmt in FORMATS:
        small = _run_child(database_url, small_slug, fmt, scratch, traced, warm)
        large = _run_child(database_url, large_slug, fmt, scratch, traced, warm)
        methods.update((small["method"], large["method"]))
        ratio = _ratio(large["growth_kib"], small["growth_kib"])
        streaming = fmt != "pdf"
        ok = ok and (ratio <= GOAL or not streaming)
        line = (f"{fmt:<6} {small['rows']:>6}/{large['rows']:<6} "
                f"{small['growth_kib']:>8}/{large['growth_kib']:<8} {ratio:>5.2f}x "
                f"{small['peak_kib']:>8}/{large['peak_kib']:<8} "
                f"{small['seconds']:>6.2f}/{large['seconds']:<6.2f}")
        if traced:
            line += (f" {small['traced_peak_kib']:>8}/{large['traced_peak_kib']:<8} "
                     f"{_ratio(large['traced_peak_kib'], small['traced_peak_kib']):>5.2f}x")
        print(line + ("" if streaming else "  (fpdf2 keeps the document in memory)"))
        record(f"{fmt} export memory, {large['rows']:,} / {small['rows']:,} rows",
               f"{ratio:.2f} × ({large['seconds']:.1f} s for {large['rows']:,})",
               goal=f"≤ {GOAL} ×" if streaming else "", met=ratio <= GOAL if streaming else None)
    print(f"peak measured as: {', '.join(sorted(methods))}")
    print(f"goal for the streaming formats (csv, xlsx): ratio <= {GOAL}x: "
          f"{'met' if ok else 'NOT met'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a database to RESET and use (default: SQLite)")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--cold", action="store_true",
                        help="do not fill the database page cache before the baseline")
    parser.add_argument("--child", nargs=2, metavar=("SLUG", "FORMAT"), help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.database_url, Path(args.scratch))
        return 0
    if args.child:
        slug, fmt = args.child
        result = child(args.database_url, slug, fmt, Path(args.scratch) / f"out.{fmt}",
                       args.tracemalloc, not args.cold)
        print(json.dumps(result))
        return 0
    with tempfile.TemporaryDirectory(prefix="regio-bench-") as folder:
        scratch = Path(folder)
        database_url = args.database_url or f"sqlite:///{scratch / 'bench.sqlite3'}"
        if database_url.startswith(("postgres://", "postgresql://")):
            database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
        started = time.perf_counter()
        # In a subprocess of its own, so this process stays small for the ones it starts.
        subprocess.run([sys.executable, "-m", "bench.bench_export", "--prepare",
                        "--database-url", database_url, "--scratch", str(scratch)],
                       cwd=Path(__file__).resolve().parent.parent, check=True)
        print(f"prepared {sum(SIZES.values())} registrations in "
              f"{time.perf_counter() - started:.1f} s")
        return 0 if report(database_url, scratch, args.tracemalloc, not args.cold) else 1


if __name__ == "__main__":
    sys.exit(main())
