"""Latency at a fixed arrival rate (an open loop), corrected for coordinated omission.

A closed loop of N connections measures N ÷ throughput as its latency (Little's law); a real
crowd does not wait for the server before the next person arrives. Here requests are due at
fixed times (`rate` a second, spread over `processes` load processes so the generator's own
interpreter is not the bottleneck), and each latency counts from the time the request was due,
not from when a free connection could send it: a server that stalls for a second is charged a
second for every request that fell due meanwhile, as wrk2 does.

    stats = fixed_rate(GetPage("/bijeenkomsten/zwolle"), base_url=..., rate=400, duration=8)
"""

from __future__ import annotations

import multiprocessing
import queue
import re
import threading
import time
import uuid
from dataclasses import dataclass

from bench.harness import Session

TOKEN_RE = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')


class GetPage:
    """GET one path, as a new visitor each time (no cookies kept)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def setup(self, session: Session) -> None:
        pass

    def run(self, session: Session) -> int:
        session.cookies.clear()
        return session.get(self.path).status


class Register:
    """POST the registration form with a fresh address; the form is opened once per connection
    (its session cookie and CSRF token), as a browser holds them."""

    def __init__(self, path: str) -> None:
        self.path = path

    def setup(self, session: Session) -> None:
        session.state["token"] = TOKEN_RE.search(session.get(self.path).body)[1].decode()

    def run(self, session: Session) -> int:
        return session.post(self.path, {
            "csrf_token": session.state["token"], "name": "Bench Deelnemer", "role": "vo",
            "consent": "y", "email": f"r{uuid.uuid4().hex[:16]}@school.nl"}).status


@dataclass
class LatencyStats:
    name: str
    rate: float
    sent: int
    errors: int
    p50_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float


def _percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, round(fraction * (len(values) - 1)))] if values else 0.0


def _load(scenario, base_url, rate, duration, start, connections, results) -> None:
    """One load process: requests due every 1/rate s from `start`, served by a pool."""
    due: queue.Queue = queue.Queue()
    latencies, errors = [], [0]
    lock = threading.Lock()

    def worker() -> None:
        session = Session(base_url)
        scenario.setup(session)
        while (when := due.get()) is not None:
            try:
                status = scenario.run(session)
            except Exception:
                status = 0
            took = (time.perf_counter() - when) * 1000
            with lock:
                latencies.append(took)
                if not 200 <= status < 400:
                    errors[0] += 1
        session.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    count = int(rate * duration)
    for n in range(count):
        when = start + n / rate
        pause = when - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put(when)
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join(timeout=60)
    results.put((latencies, errors[0]))


def fixed_rate(scenario, *, base_url: str, rate: float, duration: float = 8.0,
               processes: int = 2, connections: int = 32, warmup: float = 1.0,
               name: str = "") -> LatencyStats:
    """Send `rate` requests a second for `duration` s (after `warmup` s not counted)."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    share = rate / processes
    if warmup:
        fixed_rate(scenario, base_url=base_url, rate=rate, duration=warmup,
                   processes=processes, connections=connections, warmup=0)
    start = time.perf_counter() + 0.5  # every process has forked and connected by then
    workers = [context.Process(target=_load, args=(
        scenario, base_url, share, duration, start + n / rate, connections // processes,
        results)) for n in range(processes)]
    for process in workers:
        process.start()
    latencies, errors = [], 0
    for _ in workers:
        got, failed = results.get(timeout=duration + 120)
        latencies += got
        errors += failed
    for process in workers:
        process.join()
    latencies.sort()
    return LatencyStats(name or type(scenario).__name__, rate, len(latencies), errors,
                        _percentile(latencies, 0.5), _percentile(latencies, 0.99),
                        _percentile(latencies, 0.999), latencies[-1] if latencies else 0.0)
