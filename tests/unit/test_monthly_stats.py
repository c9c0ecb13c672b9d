"""Monthly figures: month bounds in Paris time, month parsing, exact aggregation."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cpts_bot.features.reports.monthly_stats import (
    AlertRow,
    Month,
    RequestRow,
    compute_monthly_stats,
    parse_report_month,
)

PARIS = ZoneInfo("Europe/Paris")
CATEGORIES = ["orientation", "duty", "unscheduled_care", "dispatch", "handoff", "update"]
PROFESSIONS = ["MG", "IDE", "MK", "SF", "ortho", "psy", "podo", "pharmacien", "dentiste", None]
COMMUNES = ["69388", "69029", "69259", None]


def test_month_bounds_follow_paris_time_and_dst() -> None:
    november = Month(2026, 11)
    assert november.start_utc() == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    assert november.end_utc() == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    # March: winter time on the 1st, summer time on the 1st of April.
    march = Month(2026, 3)
    assert march.start_utc() == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert march.end_utc() == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    assert Month.containing(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == Month(2026, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("novembre", Month(2026, 11)),
        ("Novembre 2025", Month(2025, 11)),
        ("décembre", Month(2025, 12)),  # asked on 23 Nov 2026: last December
        ("fevrier", Month(2026, 2)),
        ("2026-11", Month(2026, 11)),
        ("11/2026", Month(2026, 11)),
        ("", Month(2026, 10)),
        ("november", Month(2026, 11)),
        ("nov.", Month(2026, 11)),
        ("2026-13", None),
        ("demain", None),
        ("novembre prochain", None),
    ],
)
def test_parse_report_month(text: str, expected: Month | None) -> None:
    assert parse_report_month(text, date(2026, 11, 23)) == expected


def test_month_parse_rejects_garbage() -> None:
    assert Month.parse("2026-02") == Month(2026, 2)
    with pytest.raises(ValueError):
        Month.parse("2026/02")
    with pytest.raises(ValueError):
        Month.parse("2026-00")


def generate_requests(seed: int, count: int) -> list[RequestRow]:
    """Requests spread over late October to early December 2026 (some outside November)."""
    rng = random.Random(seed)
    start = datetime(2026, 10, 29, tzinfo=UTC)
    span = int(timedelta(days=36).total_seconds())
    rows = []
    for _ in range(count):
        at = start + timedelta(seconds=rng.randrange(span))
        kind = rng.choice(["question", "question", "dispatch", "handoff", "update"])
        if kind == "question":
            outcome = rng.choice(["answered", "answered", "nothing_found"])
        elif kind == "dispatch":
            outcome = rng.choice(["dispatch_taken", "dispatch_expired", "dispatch_cancelled"])
        elif kind == "handoff":
            outcome = rng.choice(["handed_off", "handoff_answered"])
        else:
            outcome = "answered"
        response = rng.choice([None, rng.randrange(100, 3_600_000)])
        rows.append(
            RequestRow(
                requested_at=at,
                kind=kind,
                category=rng.choice(CATEGORIES),
                outcome=outcome,
                response_ms=response,
                profession_asked=rng.choice(PROFESSIONS),
                commune_asked=rng.choice(COMMUNES),
                requester_profession=rng.choice(PROFESSIONS),
            )
        )
    # Rows on the Paris month boundaries.
    rows.append(
        RequestRow(
            datetime(2026, 10, 31, 22, 59, 59, tzinfo=UTC), "question", "orientation", "answered"
        )
    )  # 31 Oct 23:59:59 Paris: out
    rows.append(
        RequestRow(datetime(2026, 10, 31, 23, 0, tzinfo=UTC), "question", "orientation", "answered")
    )  # 1 Nov 00:00 Paris: in
    rows.append(
        RequestRow(datetime(2026, 11, 30, 23, 0, tzinfo=UTC), "question", "orientation", "answered")
    )  # 1 Dec 00:00 Paris: out
    return rows


def simple_median(values: list[int]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def ranked(counts: dict[str, int], top: int | None = None) -> list[tuple[str, int]]:
    items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return items if top is None else items[:top]


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_aggregation_matches_an_independent_count(seed: int) -> None:
    rows = generate_requests(seed, 3000)
    rng = random.Random(seed + 1)
    alerts = [
        AlertRow(
            index,
            rng.choice(["info", "important", "urgent"]),
            datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=rng.randrange(40)),
            targeted=(targeted := rng.randrange(0, 50)),
            acknowledged=rng.randrange(0, targeted + 1),
        )
        for index in range(40)
    ]
    stats = compute_monthly_stats(Month(2026, 11), rows, alerts)

    inside = [
        row for row in rows if row.requested_at.astimezone(PARIS).strftime("%Y-%m") == "2026-11"
    ]
    assert stats.total_requests == len(inside)
    categories: dict[str, int] = {}
    weeks: dict[str, dict[str, int]] = {}
    for row in inside:
        categories[row.category] = categories.get(row.category, 0) + 1
        iso = row.requested_at.astimezone(PARIS).date().isocalendar()
        week = weeks.setdefault(f"{iso[0]}-W{iso[1]:02d}", {})
        week[row.category] = week.get(row.category, 0) + 1
    assert dict(stats.by_category) == categories
    assert stats.by_week == sorted(weeks.items())
    assert stats.by_week[0][0] == "2026-W44"  # Sunday 1 November

    asked: dict[str, int] = {}
    for row in inside:
        if row.profession_asked and row.kind != "handoff":  # counted with its question
            asked[row.profession_asked] = asked.get(row.profession_asked, 0) + 1
    assert stats.top_professions == ranked(asked, 8)

    questions = [row for row in inside if row.kind == "question"]
    unanswered = [row for row in questions if row.outcome == "nothing_found"]
    assert stats.questions_total == len(questions)
    assert stats.unanswered_total == len(unanswered)
    by_profession: dict[str, int] = {}
    by_commune: dict[str, int] = {}
    for row in unanswered:
        by_profession[row.profession_asked or "?"] = (
            by_profession.get(row.profession_asked or "?", 0) + 1
        )
        by_commune[row.commune_asked or "?"] = by_commune.get(row.commune_asked or "?", 0) + 1
    assert stats.unanswered_by_profession == ranked(by_profession, 8)
    assert stats.unanswered_by_commune == ranked(by_commune, 8)
    assert stats.median_answer_ms == simple_median(
        [
            row.response_ms
            for row in questions
            if row.outcome != "nothing_found" and row.response_ms is not None
        ]
    )

    dispatches = [row for row in inside if row.kind == "dispatch"]
    outcomes: dict[str, int] = {}
    for row in dispatches:
        outcomes[row.outcome] = outcomes.get(row.outcome, 0) + 1
    assert dict(stats.dispatch_outcomes) == outcomes
    assert stats.dispatches_total == len(dispatches)
    assert stats.median_time_to_accept_ms == simple_median(
        [row.response_ms for row in dispatches if row.response_ms is not None]
    )

    handoffs = [row for row in inside if row.kind == "handoff"]
    assert stats.handoffs_total == len(handoffs)
    assert stats.handoffs_answered == sum(r.outcome == "handoff_answered" for r in handoffs)

    posted = [a for a in alerts if a.fired_at.astimezone(PARIS).strftime("%Y-%m") == "2026-11"]
    assert stats.alerts_total == len(posted)
    acked = [a for a in posted if a.level != "info"]
    expected_rate = sum(a.acknowledged for a in acked) / sum(a.targeted for a in acked)
    assert stats.acknowledgement_rate == pytest.approx(expected_rate)


def test_a_question_and_its_hand_off_count_once_among_professions() -> None:
    at = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    rows = [
        RequestRow(at, "question", "directory", "nothing_found", profession_asked="70"),
        RequestRow(at, "handoff", "handoff", "handed_off", profession_asked="70"),
        RequestRow(at, "question", "directory", "answered", profession_asked="60"),
    ]
    stats = compute_monthly_stats(Month(2026, 11), rows, [])
    assert stats.top_professions == [("60", 1), ("70", 1)]
    assert stats.total_requests == 3 and stats.handoffs_total == 1


def test_an_empty_month_has_no_medians() -> None:
    stats = compute_monthly_stats(Month(2026, 11), [], [])
    assert stats.total_requests == 0
    assert stats.median_answer_ms is None
    assert stats.median_time_to_accept_ms is None
    assert stats.acknowledgement_rate is None
    assert stats.by_week == []
