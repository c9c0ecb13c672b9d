"""Accuracy of the directory understanding on labelled questions (tests/data).

The core score (intent + professions + places all right) must stay at or above 95%;
the other fields and the expected search results are reported and must also reach 95%.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import yaml
from directory_fixtures import DATA, index, lexicon, places

from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.directory.professional_matcher import search
from cpts_bot.features.directory.query_parser import (
    ConversationContext,
    DirectoryQuery,
    parse_query,
)

THRESHOLD = 0.95


def cases() -> list[dict[str, Any]]:
    data = yaml.safe_load((DATA / "directory_queries.yaml").read_text(encoding="utf-8"))
    return data["queries"]


def understand(case: dict[str, Any]) -> DirectoryQuery:
    context = ConversationContext()
    for earlier in case.get("after", ()):
        context = parse_query(earlier, lexicon(), context).context
    return parse_query(case["q"], lexicon(), context).query


def parsed_fields(query: DirectoryQuery) -> dict[str, Any]:
    return {
        "intent": str(query.intent),
        "professions": sorted(query.professions),
        "specialties": sorted(query.specialties),
        "activities": sorted(query.activities),
        "modalities": sorted(str(code) for code in query.modalities),
        "structures": sorted(query.structure_types),
        "places": sorted(query.places),
        "languages": sorted(query.languages),
        "children": query.children,
    }


def expected_fields(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "intent": case["intent"],
        "professions": sorted(case.get("professions", ())),
        "specialties": sorted(case.get("specialties", ())),
        "activities": sorted(case.get("activities", ())),
        "modalities": sorted(case.get("modalities", ())),
        "structures": sorted(case.get("structures", ())),
        "places": sorted(case.get("places", ())),
        "languages": sorted(case.get("languages", ())),
        "children": bool(case.get("children", False)),
    }


def search_outcome(case: dict[str, Any], query: DirectoryQuery) -> dict[str, Any]:
    result = search(index(), replace(query, page=0), load_vocabulary(), places(), page_size=1000)
    outcome: dict[str, Any] = {}
    if "matches" in case:
        outcome["matches"] = sorted(m.professional.last_name for m in result.matches)
    if "total" in case:
        outcome["total"] = result.total
    if "relaxed" in case:
        outcome["relaxed"] = [str(step) for step in result.relaxations]
    return outcome


def expected_outcome(case: dict[str, Any]) -> dict[str, Any]:
    outcome: dict[str, Any] = {}
    if "matches" in case:
        outcome["matches"] = sorted(case["matches"])
    if "total" in case:
        outcome["total"] = case["total"]
    if "relaxed" in case:
        outcome["relaxed"] = list(case["relaxed"])
    return outcome


def test_the_labelled_set_is_large_enough() -> None:
    assert len(cases()) >= 200


def test_directory_accuracy() -> None:
    all_cases = cases()
    core_right = all_right = search_right = search_total = 0
    failures: list[str] = []
    for case in all_cases:
        query = understand(case)
        got, want = parsed_fields(query), expected_fields(case)
        core = all(got[key] == want[key] for key in ("intent", "professions", "places"))
        core_right += core
        all_right += got == want
        if got != want:
            diff = {key: (got[key], want[key]) for key in want if got[key] != want[key]}
            failures.append(f"{case['q']!r}: got/expected {diff}")
        if query.intent in ("find", "count") and expected_outcome(case):
            search_total += 1
            outcome, wanted = search_outcome(case, query), expected_outcome(case)
            search_right += outcome == wanted
            if outcome != wanted:
                failures.append(f"{case['q']!r}: search got {outcome}, expected {wanted}")
    count = len(all_cases)
    report = (
        f"\ncore (intent+professions+places): {core_right}/{count} = {core_right / count:.1%}"
        f"\nall parsed fields: {all_right}/{count} = {all_right / count:.1%}"
        f"\nsearch results: {search_right}/{search_total} = "
        f"{search_right / max(search_total, 1):.1%}\n" + "\n".join(failures)
    )
    print(report)
    assert core_right / count >= THRESHOLD, report
    assert all_right / count >= THRESHOLD, report
    assert search_right / max(search_total, 1) >= THRESHOLD, report
