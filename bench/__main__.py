"""Run every bench_*.py module in this folder: `python -m bench [NAME ...]`.

Each module's `main(argv=None) -> int` runs with no arguments (knobs: REGIO_BENCH_* variables,
see bench/harness.py). A module that fails to import is reported and skipped; the exit status
is 0 when every bench that ran met its goal.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

from bench import harness

HERE = Path(__file__).resolve().parent


def discover(names: list[str]) -> list[str]:
    found = sorted(path.stem for path in HERE.glob("bench_*.py"))
    if not names:
        return found
    wanted = {name if name.startswith("bench_") else f"bench_{name}" for name in names}
    return [name for name in found if name in wanted]


def main(argv: list[str] | None = None) -> int:
    names = discover(list(sys.argv[1:] if argv is None else argv))
    results: dict[str, str] = {}
    for name in names:
        print(f"=== {name}", flush=True)
        harness.CURRENT.update(bench=name, backend="")
        try:
            module = importlib.import_module(f"bench.{name}")
        except Exception:
            traceback.print_exc()
            results[name] = "skipped (import failed)"
            continue
        if not callable(getattr(module, "main", None)):
            results[name] = "skipped (no main())"
            continue
        try:
            code = module.main([])
        except Exception:
            traceback.print_exc()
            results[name] = "failed (error)"
            continue
        results[name] = "goal met" if not code else f"goal NOT met (exit {code})"
    print("\n=== every figure")
    harness.print_table(harness.FIGURES)
    print("\n=== summary")
    for name, outcome in results.items():
        print(f"  {name:<24} {outcome}")
    if not results:
        print("  no bench_*.py modules found")
    ran = [v for v in results.values() if not v.startswith("skipped")]
    return 0 if ran and all(v == "goal met" for v in ran) else 1


if __name__ == "__main__":
    sys.exit(main())
