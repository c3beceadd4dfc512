"""How long the entitlements engine takes, in process: `python bench/bench_entitlements.py`.

The target (issue 3): evaluating all service categories for one person takes at most 1 ms median. Rules are
compiled once at start-up, as in the app; each figure is the median and 99th percentile of many evaluations,
with the trace and every text included. "Cold" clears the engine's analysis cache before every evaluation (nobody
gave these answers before; only the starting points, nothing answered or only the status, stay precomputed); "warm" is the same answers again, as when many people answer alike. Exits non-zero if a
cold median misses the target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

try:
    from carebridge.entitlements import service
except ModuleNotFoundError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from carebridge.entitlements import service

from carebridge.entitlements.rulebook import get_rulebooks

TARGET_MS = 1.0
ON_DATE = dt.date(2026, 11, 23)

PROFILES: list[tuple[str, str, dict]] = [
    ("GB-ENG", "every fact answered", {
        "status": "undocumented", "age": 34, "pregnant": True, "unaccompanied_minor": False,
        "months_in_country": 20, "receives_asylum_support": False, "paid_health_surcharge": False,
        "trafficking_victim": False, "torture_or_violence_survivor": False, "registered_residence_months": 0,
        "income_below_threshold": True, "has_health_insurance": False,
    }),
    ("GB-ENG", "issue example (status, age, pregnant)", {"status": "undocumented", "age": 34, "pregnant": True}),
    ("GB-ENG", "nothing answered", {}),
    ("GB-ENG", "only the age (status skipped: worst case)", {"age": 30}),
    ("DE", "AsylbLG, 20 months", {"receives_asylum_support": True, "months_in_country": 20}),
    ("FR", "asylum seeker, 1 month", {"status": "asylum-seeker", "age": 30, "months_in_country": 1}),
    ("SE", "undocumented adult", {"status": "undocumented", "age": 30}),
]


def measure(function, iterations: int) -> tuple[float, float]:
    timings = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        function()
        timings.append((time.perf_counter_ns() - start) / 1e6)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5000)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    rulebooks = get_rulebooks()
    compiled = time.perf_counter()
    for rulebook in rulebooks.values():
        service.precompute(rulebook)
    done = time.perf_counter()
    print(f"once per process: compile six rules bases {(compiled - start) * 1000:.1f} ms, "
          f"precompute the starting answers {(done - compiled) * 1000:.1f} ms")
    print(f"{'evaluate (all 10 categories)':52} {'cold median':>12} {'cold p99':>9} {'warm median':>12} {'warm p99':>9}")
    worst = 0.0
    for code, label, person in PROFILES:
        service.evaluate(code, person, ON_DATE)  # warm up the interpreter

        def cold(c: str = code, p: dict = person) -> None:
            service.clear_caches()  # as if nobody had given these answers before
            service.evaluate(c, p, ON_DATE)

        cold_median, cold_p99 = measure(cold, args.iterations)
        warm_median, warm_p99 = measure(lambda c=code, p=person: service.evaluate(c, p, ON_DATE), args.iterations)
        worst = max(worst, cold_median)
        print(f"  {code:7} {label:43} {cold_median:10.3f}ms {cold_p99:7.3f}ms {warm_median:10.3f}ms {warm_p99:7.3f}ms")
    print(f"{'next_question (informational, no target)':52}")
    for code, label, person in PROFILES[1:3]:

        def ask(c: str = code, p: dict = person) -> None:
            service.clear_caches()
            service.next_question(c, p, ON_DATE)

        median, p99 = measure(ask, max(args.iterations // 20, 50))
        print(f"  {code:7} {label:43} {median:10.3f}ms {p99:7.3f}ms")
    verdict = "meets" if worst <= TARGET_MS else "MISSES"
    print(f"slowest cold median evaluation {worst:.3f} ms {verdict} the {TARGET_MS:.0f} ms target")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
