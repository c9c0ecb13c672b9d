"""Directory question latency: parse + search (+ reply rendering) on a large directory.

Generates N professionals (default 100,000) on the sample territory (8 communes, so
candidate sets are as large as they get), builds the in-memory index once, then times
realistic questions taken from the labelled accuracy set. Writes the "directory-query"
section of docs/benchmarks.md. Goal: p99 of parse + search under 20 ms.

    python bench/bench_directory_query.py [--professionals 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_report import percentile, write_section  # noqa: E402
from cpts_bot.chat.directory_replies import DirectoryReplies  # noqa: E402
from cpts_bot.domain.place_index import PlaceIndex  # noqa: E402
from cpts_bot.domain.professional_matcher import DirectoryIndex, search  # noqa: E402
from cpts_bot.domain.query_parser import Lexicon, parse_query  # noqa: E402
from cpts_bot.domain.sample_directory import generate_directory  # noqa: E402
from cpts_bot.domain.vocabulary_loader import load_vocabulary  # noqa: E402
from cpts_bot.i18n import Translator  # noqa: E402
from cpts_bot.settings import Territory  # noqa: E402

TERRITORY = ROOT / "cpts_bot" / "sample" / "territory.yaml"
QUESTIONS = ROOT / "tests" / "data" / "directory_queries.yaml"


def questions() -> list[str]:
    """The labelled questions (those without a follow-up), places mapped to the sample."""
    data = yaml.safe_load(QUESTIONS.read_text("utf-8"))
    texts = [case["q"] for case in data["queries"] if not case.get("after") and case["q"]]
    texts += [
        "infirmier",
        "kiné",
        "combien d'infirmiers ?",
        "médecin lyon 8",
        "infirmier à domicile",
        "kiné Bron",
        "x" * 10_000,
    ]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--professionals", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    territory = Territory.model_validate(yaml.safe_load(TERRITORY.read_text("utf-8"))["territory"])
    vocabulary = load_vocabulary()
    places = PlaceIndex.build(territory.communes)
    started = time.perf_counter()
    lexicon = Lexicon.build(vocabulary, places)
    lexicon_ms = (time.perf_counter() - started) * 1000

    professionals = generate_directory(args.professionals, territory.communes)
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    index = DirectoryIndex.build(professionals)
    build_s = time.perf_counter() - started
    index_mib = tracemalloc.get_traced_memory()[0] / 1024 / 1024
    tracemalloc.stop()

    replies = DirectoryReplies(vocabulary, places, Translator("fr"))
    texts = questions()
    parse_ms: list[float] = []
    search_ms: list[float] = []
    total_ms: list[float] = []
    render_ms: list[float] = []
    largest = 0
    for _ in range(args.rounds):
        for text in texts:
            t0 = time.perf_counter()
            query = parse_query(text, lexicon).query
            t1 = time.perf_counter()
            if query.intent in ("find", "count"):
                result = search(index, replace(query, page=0), vocabulary, places)
                largest = max(largest, result.total)
            else:
                result = None
            t2 = time.perf_counter()
            if result is not None:
                replies.search_reply(result)
            t3 = time.perf_counter()
            parse_ms.append((t1 - t0) * 1000)
            search_ms.append((t2 - t1) * 1000)
            total_ms.append((t2 - t0) * 1000)
            if result is not None:
                render_ms.append((t3 - t2) * 1000)

    def row(name: str, values: list[float]) -> str:
        return (
            f"| {name} | {percentile(values, 0.5):.3f} | {percentile(values, 0.9):.3f} | "
            f"{percentile(values, 0.99):.3f} | {max(values):.3f} |"
        )

    body = "\n".join(
        [
            f"{args.professionals:,} generated professionals on the sample territory "
            f"({len(territory.communes)} communes); {len(texts)} questions from the labelled "
            f"set (plus a 10,000-character message) × {args.rounds} rounds = "
            f"{len(total_ms)} timings. Largest result set: {largest:,} professionals.",
            "",
            f"Index build: {build_s:.2f} s, {index_mib:.1f} MiB (index only, not the records); "
            f"lexicon build: {lexicon_ms:.1f} ms ({len(lexicon.terms)} terms).",
            "",
            "| step (ms) | p50 | p90 | p99 | max |",
            "|---|---|---|---|---|",
            row("parse", parse_ms),
            row("search", search_ms),
            row("parse + search", total_ms),
            row("reply rendering", render_ms),
            "",
            f"Goal: p99 of parse + search under 20 ms — "
            f"{'met' if percentile(total_ms, 0.99) < 20 else 'NOT met'}.",
        ]
    )
    print(body)
    if not args.no_write:
        path = write_section("directory-query", "Directory question latency", body)
        print(f"written to {path}")


if __name__ == "__main__":
    main()
