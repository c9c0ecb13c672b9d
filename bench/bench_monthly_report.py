"""Benchmark: the monthly report of a large CPTS (a year of 200,000 requests).

Fills a SQLite database with a year of tracked requests, then builds each month's
report (figures, text, charts) and measures time and peak Python memory.

    python bench/bench_monthly_report.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_report import percentile, write_section
from cpts_bot.core.times import to_iso
from cpts_bot.features.reports.monthly_stats import Month, compute_monthly_stats
from cpts_bot.features.reports.tracking_repository import requests_between
from cpts_bot.i18n import Translator
from cpts_bot.reporting.monthly_report import build_monthly_report
from cpts_bot.storage.database import Database

PROFESSIONS = [
    "MG",
    "IDE",
    "MK",
    "SF",
    "orthophoniste",
    "psychologue",
    "podologue",
    "pharmacien",
    "dentiste",
    "diététicien",
    "orthoptiste",
    "ergothérapeute",
]
CATEGORIES = ["orientation", "duty", "unscheduled_care", "dispatch", "handoff", "update"]
COMMUNES = [f"69{n:03d}" for n in range(1, 40)]


async def fill(database: Database, rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    start = Month(2026, 1).start_utc()
    seconds = int((Month(2027, 1).start_utc() - start).total_seconds())
    batch = []
    async with database.transaction() as db:
        for _ in range(rows):
            at = start + timedelta(seconds=rng.randrange(seconds))
            kind = rng.choice(["question"] * 6 + ["dispatch"] * 2 + ["handoff", "update"])
            outcome = {
                "question": rng.choice(["answered"] * 4 + ["nothing_found"]),
                "dispatch": rng.choice(["dispatch_taken"] * 4 + ["dispatch_expired"]),
                "handoff": rng.choice(["handed_off", "handoff_answered"]),
                "update": "answered",
            }[kind]
            iso = to_iso(at)
            batch.append(
                (
                    iso,
                    kind,
                    rng.choice(CATEGORIES),
                    rng.choice(PROFESSIONS),
                    "IDE, domicile",
                    "texte libre de la demande",
                    outcome,
                    iso,
                    rng.randrange(200, 600_000),
                    rng.choice(PROFESSIONS),
                    rng.choice(COMMUNES),
                )
            )
            if len(batch) == 10_000:
                await db.executemany(INSERT, batch)
                batch.clear()
        if batch:
            await db.executemany(INSERT, batch)


INSERT = (
    "INSERT INTO tracked_requests (requested_at, kind, category, requester_profession, summary,"
    " free_text, outcome, outcome_at, response_ms, profession_asked, commune_asked)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


async def run(rows: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        database = await Database.open(Path(folder) / "bench.sqlite")
        started = time.perf_counter()
        await fill(database, rows)
        fill_seconds = time.perf_counter() - started
        translator = Translator("fr")
        report_times: list[float] = []
        figures_times: list[float] = []
        for number in range(1, 13):
            month = Month(2026, number)
            async with database.transaction() as db:
                started = time.perf_counter()
                report = await build_monthly_report(db, month, translator)
                report_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                compute_monthly_stats(
                    month, await requests_between(db, month.start_utc(), month.end_utc())
                )
                figures_times.append(time.perf_counter() - started)
            assert report.stats.total_requests > 0
        # Memory is measured apart: tracemalloc slows everything down.
        tracemalloc.start()
        async with database.transaction() as db:
            await build_monthly_report(db, Month(2026, 11), translator)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        # The whole year at once, for the worst case of an annual report.
        tracemalloc.start()
        async with database.transaction() as db:
            started = time.perf_counter()
            year = await requests_between(
                db, Month(2026, 1).start_utc(), Month(2027, 1).start_utc()
            )
            year_seconds = time.perf_counter() - started
        _, year_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        await database.close()
    per_month = rows / 12
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return "\n".join(
        [
            f"{rows:,} requests over 2026 (about {per_month:,.0f} a month) in SQLite; "
            f"filling took {fill_seconds:.1f} s.",
            "",
            "| step | median | max |",
            "|---|---|---|",
            f"| full monthly report (query, figures, text, 4 PNG charts) | "
            f"{percentile(report_times, 0.5) * 1000:.0f} ms | {max(report_times) * 1000:.0f} ms |",
            f"| figures only (query + aggregation) | {percentile(figures_times, 0.5) * 1000:.0f} ms"
            f" | {max(figures_times) * 1000:.0f} ms |",
            "",
            f"Peak Python memory while building one monthly report: {peak / 1024 / 1024:.1f} MiB"
            f" (tracemalloc); process peak RSS {rss_mib:.0f} MiB (matplotlib included).",
            f"Reading the whole year ({len(year):,} rows) as plain rows: "
            f"{year_seconds * 1000:.0f} ms, peak {year_peak / 1024 / 1024:.1f} MiB.",
            "Most of a report's time is matplotlib drawing the four charts; the figures "
            "themselves are one indexed range query on `requested_at` and one pass in Python.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    body = asyncio.run(run(args.rows))
    print(body)
    if not args.no_write:
        print(write_section("monthly-report", "Monthly report (a year of a large CPTS)", body))


if __name__ == "__main__":
    main()
