"""Shared benchmark harness: a real server, a load generator and a small report.

    from bench.harness import serve, measure, report, Scenario

    with serve(backend="sqlite", workers=2, threads=4) as server:
        health = server.measure(("GET", "/healthz"))
        page = measure(("GET", "/bijeenkomsten/zwolle"), base_url=server.base_url)
        report("meeting page", page, health)

`serve()` makes a fresh database (a SQLite file in a temporary folder, or a fresh schema in the
PostgreSQL database `pg_url`), runs `regio db upgrade` and `regio seed --demo` in subprocesses,
starts gunicorn (gthread workers) on a free loopback port, waits for /healthz and yields a
`Server` (`.base_url`, `.database_url`, `.env`: the environment the app runs with, for further
`regio` commands through `server.regio(...)`). On exit gunicorn is stopped and the schema or
folder removed. Settings: REGIO_CONFIG=production (REGIO_ALLOW_SQLITE=1 on SQLite), a random
SECRET_KEY, RATELIMIT_ENABLED=false, MAIL_URL=file://<tmp>/outbox,
REGIO_BASE_URL=https://regio.example.nl; `env` overrides any.

`measure(make_request, ...)` keeps `connections` keep-alive connections busy for `warmup` (not
counted) and then `duration` seconds, and returns `Stats` (rps, p50_ms, p99_ms, errors,
statuses). `make_request` is one of:

- a tuple `(method, path)` or `(method, path, body, headers)`: the same request every time.
  With tool="auto" these go through wrk when /usr/bin/wrk (or wrk on PATH) exists — it loads
  the server without competing for the GIL — and through the Python generator otherwise;
- a `Scenario` subclass (or `PerConnection(factory)` for any zero-argument factory of objects
  with `run(session)` and `setup(session)`): one instance per connection. `setup` runs once,
  untimed (e.g. GET a form for its session cookie and CSRF token); each `run` is one timed
  iteration and returns the HTTP status it counts (e.g. POST the form with a fresh address);
- a plain function `fn(session)`, called per iteration: it returns a request tuple, which the
  harness sends, or the status of the request(s) it made itself.

A `Session` is one keep-alive http.client connection with a cookie jar:
`session.get(path)`, `session.post(path, data=dict)`, `session.request(method, path, body,
headers)` → `Reply(status, headers, body)`; it reconnects after a dropped connection.
Errors are exceptions (connection refused or reset, timeouts) and 5xx answers.

Every bench_*.py module defines `main(argv=None) -> int` (0: goal met); `python -m bench`
runs them all. Common knobs come from the environment, read by `options()`:
REGIO_BENCH_BACKEND (sqlite|postgresql), REGIO_BENCH_POSTGRES_URL (a database whose schemas
the bench may create and drop), REGIO_BENCH_DURATION, REGIO_BENCH_CONNECTIONS, REGIO_BENCH_TOOL
(auto|python|wrk), REGIO_BENCH_WORKERS, REGIO_BENCH_THREADS.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BASE_URL = "https://regio.example.nl"


def _bin_dir() -> Path:
    here = Path(sys.executable).parent
    return here if (here / "gunicorn").exists() else PROJECT_ROOT / ".venv" / "bin"


# --- options ---------------------------------------------------------------------------------


@dataclass
class Options:
    backend: str = "sqlite"
    pg_url: str | None = None
    duration: float = 8.0
    warmup: float = 1.0
    connections: int = 32
    tool: str = "auto"
    workers: int = 2
    threads: int = 4


def options(environ: dict | None = None) -> Options:
    """The common settings of every bench, from REGIO_BENCH_* environment variables."""
    env = os.environ if environ is None else environ
    pg_url = env.get("REGIO_BENCH_POSTGRES_URL") or None
    return Options(
        backend=env.get("REGIO_BENCH_BACKEND") or ("postgresql" if pg_url else "sqlite"),
        pg_url=pg_url,
        duration=float(env.get("REGIO_BENCH_DURATION") or 8.0),
        warmup=float(env.get("REGIO_BENCH_WARMUP") or 1.0),
        connections=int(env.get("REGIO_BENCH_CONNECTIONS") or 32),
        tool=env.get("REGIO_BENCH_TOOL") or "auto",
        workers=int(env.get("REGIO_BENCH_WORKERS") or 2),
        threads=int(env.get("REGIO_BENCH_THREADS") or 4),
    )


def server_run(doc: str, argv: list[str] | None) -> tuple[Options, dict]:
    """Command-line options of a server benchmark on top of `options()`, and the load settings.

    Returns the options (backend, pg_url, workers, …) and the keyword arguments for `measure`
    (connections, duration, warmup, tool); prints the line that says what runs.
    """
    import argparse
    from dataclasses import replace

    defaults = options()
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default=defaults.backend)
    parser.add_argument("--pg-url", default=defaults.pg_url)
    parser.add_argument("--duration", type=float, default=defaults.duration)
    parser.add_argument("--connections", type=int, default=defaults.connections)
    parser.add_argument("--tool", choices=("auto", "python", "wrk"), default=defaults.tool)
    args = parser.parse_args(argv)
    chosen = replace(defaults, backend=args.backend, pg_url=args.pg_url, duration=args.duration,
                     connections=args.connections, tool=args.tool)
    load = {"connections": chosen.connections, "duration": chosen.duration,
            "warmup": chosen.warmup, "tool": chosen.tool}
    print(f"backend {chosen.backend}, {chosen.workers} gthread workers × {chosen.threads} "
          f"threads, {chosen.connections} connections, {chosen.duration:g} s per run")
    return chosen, load


# --- the server ------------------------------------------------------------------------------


@dataclass
class Server:
    base_url: str
    database_url: str
    env: dict
    log: Path

    def regio(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        """Run a `regio` command against this server's database."""
        return _run([str(_bin_dir() / "regio"), *args], self.env, input=input)

    def measure(self, make_request, **options) -> Stats:
        return measure(make_request, base_url=self.base_url, **options)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(command: list[str], env: dict, input: str | None = None):
    done = subprocess.run(command, env=env, cwd=PROJECT_ROOT, input=input, text=True,
                          capture_output=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return done


def _with_search_path(url: str, schema: str) -> str:
    url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def _fresh_schema(pg_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text

    schema = f"bench_{secrets.token_hex(4)}"
    admin_url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", pg_url)
    engine = create_engine(admin_url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _with_search_path(pg_url, schema)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def _wait_healthy(base_url: str, process: subprocess.Popen, log: Path, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # graceful: gunicorn stops its own workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextlib.contextmanager
def serve(*, backend: str = "sqlite", workers: int = 2, threads: int = 4, env: dict | None = None,
          pg_url: str | None = None, seed: bool = True,
          connections: int | None = None,
          database_url: str | None = None) -> Iterator[Server]:
    """A gunicorn server on a fresh, migrated and seeded database (see the module docstring).

    `database_url`: serve the database of another server (`server.database_url`) instead of
    a fresh one, as a second app server behind the same load balancer would.

    `connections`: the load's number of keep-alive connections. Each worker then takes at most
    its share, as a proxy in front of gunicorn would spread them; left alone, one worker often
    accepts all of them and the other idles (seen here: 32 + 0 in one run of four, at half
    the rate), so two runs of the same bench differed by 2 ×.
    """
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"unknown backend {backend!r}")
    if backend == "postgresql" and not (pg_url or database_url):
        raise ValueError("backend='postgresql' needs pg_url (REGIO_BENCH_POSTGRES_URL)")
    CURRENT["backend"] = "PostgreSQL" if backend == "postgresql" else "SQLite"
    with (tempfile.TemporaryDirectory(prefix="regio-bench-") as scratch,
          contextlib.ExitStack() as stack):
        folder = Path(scratch)
        if database_url is not None:
            pass  # migrating and seeding again change nothing
        elif backend == "sqlite":
            database_url = f"sqlite:///{folder / 'regio.sqlite3'}"
        else:
            database_url = stack.enter_context(_fresh_schema(pg_url))
        port = free_port()
        settings = {
            **os.environ,
            "REGIO_CONFIG": "production",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "DATABASE_URL": database_url,
            "REGIO_BASE_URL": BASE_URL,
            "RATELIMIT_ENABLED": "false",
            "MAIL_URL": f"file://{folder / 'outbox'}",
            "REGIO_ALLOW_SQLITE": "1" if backend == "sqlite" else "",
            **(env or {}),
        }
        bin_dir = _bin_dir()
        _run([str(bin_dir / "regio"), "db", "upgrade"], settings)
        if seed:
            _run([str(bin_dir / "regio"), "seed", "--demo"], settings)
        log = folder / "gunicorn.log"
        # The production settings (gunicorn.conf.py), with workers and threads from the bench.
        command = [str(bin_dir / "gunicorn"), "-c", str(PROJECT_ROOT / "gunicorn.conf.py"),
                   "--no-control-socket", "-k", "gthread",
                   "-w", str(workers), "--threads", str(threads), "--log-level", "warning",
                   "-b", f"127.0.0.1:{port}", "regio:create_app()"]
        if connections:
            command[-1:-1] = ["--worker-connections", str(-(-connections // workers))]
        with log.open("w") as log_file:
            process = subprocess.Popen(command, env=settings, cwd=PROJECT_ROOT,
                                       stdout=log_file, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base_url, process, log)
            yield Server(base_url=base_url, database_url=database_url, env=settings, log=log)
        finally:
            _stop(process)


# --- the client side -------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


class Session:
    """One keep-alive connection to the server with its own cookies."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.state: dict = {}  # free for scenarios (CSRF token, counters …)
        self._connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(self.host, self.port,
                                                          timeout=self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(self, method: str, path: str, body: bytes | str | dict | None = None,
                headers: dict | None = None) -> Reply:
        headers = dict(headers or {})
        if isinstance(body, dict):
            body = urlencode(body)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection = self._connect()
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        for value in answer.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        if answer.will_close:
            self.close()
        return Reply(answer.status, answer.headers, data)

    def get(self, path: str, headers: dict | None = None) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: dict | bytes | str, headers: dict | None = None) -> Reply:
        return self.request("POST", path, body=data, headers=headers)


class Scenario:
    """What one connection does; measure() makes one instance per connection."""

    def setup(self, session: Session) -> None:
        """Untimed preparation, e.g. fetch a form's cookie and CSRF token."""

    def run(self, session: Session) -> int:
        """One timed iteration; returns the HTTP status to count."""
        raise NotImplementedError


class PerConnection:
    """Marks a factory that is not a class, e.g. `PerConnection(partial(Register, "zwolle"))`."""

    def __init__(self, factory: Callable[[], Scenario]) -> None:
        self.factory = factory

    def __call__(self) -> Scenario:
        return self.factory()


class _Fixed(Scenario):
    def __init__(self, request: tuple) -> None:
        self.request = request

    def run(self, session: Session) -> int:
        return session.request(*self.request).status


class _PerCall(Scenario):
    def __init__(self, build: Callable) -> None:
        self.build = build

    def run(self, session: Session) -> int:
        made = self.build(session)
        return made if isinstance(made, int) else session.request(*made).status


def _scenario_factory(make_request) -> Callable[[], Scenario]:
    if isinstance(make_request, tuple):
        return lambda: _Fixed(make_request)
    if isinstance(make_request, (type, PerConnection)):
        return make_request
    if callable(make_request):
        return lambda: _PerCall(make_request)
    raise TypeError("make_request: a (method, path) tuple, a Scenario class or a function")


@dataclass
class Stats:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    statuses: dict = field(default_factory=dict)
    tool: str = "python"

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def _measure_python(factory, base_url: str, connections: int, duration: float,
                    warmup: float, name: str) -> Stats:
    start_at = time.monotonic() + 0.5  # after every connection has finished its setup
    count_from, stop_at = start_at + warmup, start_at + warmup + duration
    latencies: list[list[float]] = [[] for _ in range(connections)]
    statuses: list[Counter] = [Counter() for _ in range(connections)]
    failures: list[BaseException] = []

    def work(slot: int) -> None:
        session = Session(base_url)
        scenario = factory()
        try:
            scenario.setup(session)
        except Exception as exc:  # a broken setup must show, not hang the run
            failures.append(exc)
            return
        time.sleep(max(0.0, start_at - time.monotonic()))
        mine, seen = latencies[slot], statuses[slot]
        while (began := time.monotonic()) < stop_at:
            try:
                status = scenario.run(session)
            except (OSError, http.client.HTTPException):
                status = "error"
            ended = time.monotonic()
            if began >= count_from:
                mine.append(ended - began)
                seen[status] += 1
        session.close()

    workers = [threading.Thread(target=work, args=(slot,), daemon=True)
               for slot in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(duration + warmup + 60)
    if failures:
        raise RuntimeError(f"scenario setup failed: {failures[0]!r}") from failures[0]
    every = sorted(value for values in latencies for value in values)
    total = sum(statuses, Counter())
    errors = total.get("error", 0) + sum(n for s, n in total.items()
                                         if isinstance(s, int) and s >= 500)
    return Stats(name=name, requests=len(every), seconds=duration,
                 p50_ms=_percentile(every, 0.5) * 1000, p99_ms=_percentile(every, 0.99) * 1000,
                 errors=errors, statuses=dict(total), tool="python")


_WRK_SCRIPT = """
counts = {}  -- a global: done() reads it from every thread with thread:get
local threads = {}
wrk.method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY")
if body ~= "" then wrk.body = body end
local headers = os.getenv("BENCH_HEADERS")
for name, value in string.gmatch(headers, "([^\\n:]+): ([^\\n]*)") do wrk.headers[name] = value end
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for status, n in pairs(c) do all[tostring(status)] = (all[tostring(status)] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(all) do table.insert(parts, string.format('"%s": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "micros": %d, "p50": %f, "p99": %f, "socket_errors": %d, '
    .. '"statuses": {%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""


def wrk_path() -> str | None:
    return shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)


def _measure_wrk(request: tuple, base_url: str, connections: int, duration: float,
                 warmup: float, name: str, lua: str = "") -> Stats:
    method, path, body, headers = (*request, None, None)[:4]
    if isinstance(body, dict):
        body = urlencode(body)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_BODY": body or "",
           "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in (headers or {}).items())}
    threads = max(1, min(connections, os.cpu_count() or 2))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_WRK_SCRIPT + lua)
        script.flush()

        def run(seconds: float) -> str:
            command = [wrk_path(), "-t", str(threads), "-c", str(connections),
                       "-d", f"{max(1, round(seconds))}s", "--timeout", "30s",
                       "-s", script.name, base_url + path]
            return subprocess.run(command, env=env, capture_output=True, text=True,
                                  timeout=seconds + 120, check=True).stdout

        if warmup > 0:
            run(warmup)
        output = run(duration)
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    data = json.loads(line.removeprefix("BENCH "))
    statuses = {int(status): n for status, n in data["statuses"].items()}
    errors = data["socket_errors"] + sum(n for status, n in statuses.items() if status >= 500)
    return Stats(name=name, requests=data["requests"], seconds=data["micros"] / 1e6,
                 p50_ms=data["p50"] / 1000, p99_ms=data["p99"] / 1000, errors=errors,
                 statuses=statuses, tool="wrk")


def measure(make_request, *, base_url: str, connections: int = 32, duration: float = 8.0,
            warmup: float = 1.0, tool: str = "auto", name: str | None = None,
            lua: str = "") -> Stats:
    """Load the server with `make_request` (see the module docstring) and return the figures.

    `lua` is appended to wrk's script: a `request()` function there makes every request
    different (e.g. a fresh e-mail address per registration) while wrk keeps the load.
    """
    if name is None:
        name = " ".join(make_request[:2]) if isinstance(make_request, tuple) else getattr(
            make_request, "__name__", "scenario")
    use_wrk = tool == "wrk" or (tool == "auto" and isinstance(make_request, tuple)
                                and wrk_path() is not None)
    if use_wrk:
        if not isinstance(make_request, tuple):
            raise TypeError("wrk can only send a fixed (method, path) request")
        if wrk_path() is None:
            raise RuntimeError("wrk is not installed; use tool='python'")
        return _measure_wrk(make_request, base_url, connections, duration, warmup, name, lua)
    return _measure_python(_scenario_factory(make_request), base_url, connections, duration,
                           warmup, name)


# --- one table of every figure ------------------------------------------------------------


@dataclass
class Figure:
    bench: str
    backend: str
    what: str
    figure: str
    goal: str = ""
    met: bool | None = None


FIGURES: list[Figure] = []
CURRENT = {"bench": "", "backend": ""}  # set by `python -m bench` and by `serve()`


def record(what: str, figure: str, *, goal: str = "", met: bool | None = None) -> None:
    """Keep one figure for the table `python -m bench` prints at the end."""
    FIGURES.append(Figure(CURRENT["bench"], CURRENT["backend"], what, figure, goal, met))


def print_table(figures: list[Figure]) -> None:
    """Every recorded figure, one line each: what `make bench` ends with."""
    if not figures:
        return
    rows = [("bench", "database", "what", "figure", "goal", "")] + [
        (f.bench.removeprefix("bench_"), f.backend, f.what, f.figure, f.goal,
         "" if f.met is None else ("met" if f.met else "NOT met")) for f in figures]
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    for number, row in enumerate(rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  " + "  ".join(cells).rstrip())
        if number == 0:
            print("  " + "  ".join("-" * width for width in widths))


def report(name: str, stats_a: Stats, stats_b: Stats, *, goal: float | None = None) -> bool:
    """Print both runs side by side and the ratio of their rates; True when `goal` is met."""
    ratio = stats_a.rps / stats_b.rps if stats_b.rps else float("inf")
    print(f"\n{name}")
    print(f"  {'what':<44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  statuses")
    for stats in (stats_a, stats_b):
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(stats.statuses.items(), key=str))
        print(f"  {stats.name[:44]:<44} {stats.rps:>9.0f} {stats.p50_ms:>8.2f} "
              f"{stats.p99_ms:>8.2f} {stats.errors:>7}  {statuses} ({stats.tool})")
    met = goal is None or ratio >= goal
    verdict = "" if goal is None else f" (goal ≥ {goal:g}: {'met' if met else 'NOT met'})"
    print(f"  ratio {stats_a.name} / {stats_b.name}: {ratio:.2f}{verdict}")
    record(f"{stats_a.name} / {stats_b.name}",
           f"{ratio:.2f} × ({stats_a.rps:,.0f} / {stats_b.rps:,.0f} req/s)",
           goal="" if goal is None else f"≥ {goal:g} ×", met=None if goal is None else met)
    return met
