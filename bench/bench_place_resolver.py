"""Place resolution cost: loading the official list of communes, indexing a territory, and
finding the places of a question.

Loads ``cpts_bot/core/places/geography/communes_fr.tsv.gz`` (every commune of France), builds
the resolver of ``tests/data/devset_rooms.yaml`` (12 communes, 8 sectors), then times
:meth:`PlaceResolver.find` + :meth:`find_fuzzy` on the labelled questions of
``tests/data/directory_queries.yaml`` and on generated questions naming random communes
of France by name or postal code (most of them outside the territory). Writes the
"place-resolver" section of docs/benchmarks.md.

    python bench/bench_place_resolver.py [--generated 3000] [--rounds 5] [--no-write]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_report import percentile, write_section  # noqa: E402
from cpts_bot.core.places.context import capitalised_words  # noqa: E402
from cpts_bot.core.places.french_communes import COMMUNES_FILE, load_french_communes  # noqa: E402
from cpts_bot.core.places.resolver import PlaceResolver  # noqa: E402
from cpts_bot.core.text_normalizer import singular, tokens  # noqa: E402
from cpts_bot.settings import load_rooms_config  # noqa: E402

ROOMS = ROOT / "tests" / "data" / "devset_rooms.yaml"
QUESTIONS = ROOT / "tests" / "data" / "directory_queries.yaml"
TEMPLATES = (
    "une infirmière à domicile à {name} ?",
    "kiné sur {name} pour une rééducation",
    "MG qui prend de nouveaux patients près de {name}",
    "orthophoniste {postal}",
)


def questions(generated: int) -> list[str]:
    data = yaml.safe_load(QUESTIONS.read_text("utf-8"))
    texts = [case["q"] for case in data["queries"] if case.get("q")]
    communes = sorted(load_french_communes().communes.values(), key=lambda item: item.insee)
    chooser = random.Random(20261125)
    for _ in range(generated):
        commune = chooser.choice(communes)
        template = chooser.choice(TEMPLATES)
        postal = commune.postal_codes[0] if commune.postal_codes else commune.insee
        texts.append(template.format(name=commune.name, postal=postal))
    return [*texts, "x" * 10_000, " ".join(["à Saint"] * 40)]


def places_of(resolver: PlaceResolver, text: str) -> int:
    words = tokens(text)[:60]
    keys = [singular(word) for word in words]
    consumed = [False] * len(keys)
    found = resolver.find(keys, consumed, capitals=capitalised_words(text)[:60], words=words)
    return len(found) + len(resolver.find_fuzzy(keys, consumed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    started = time.perf_counter()
    load_french_communes()
    load_s = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()  # a second, uncached load, for its memory only
    load_french_communes.__wrapped__(COMMUNES_FILE)
    official_mib = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    territory = load_rooms_config(ROOMS).territory
    started = time.perf_counter()
    resolver = PlaceResolver.build(territory.communes, territory.sectors, territory.name)
    build_ms = (time.perf_counter() - started) * 1000

    texts = questions(args.generated)
    timings: list[float] = []
    best = [float("inf")] * len(texts)
    named = 0
    for _ in range(args.rounds):
        for position, text in enumerate(texts):
            started = time.perf_counter()
            named += places_of(resolver, text) > 0
            timings.append((time.perf_counter() - started) * 1000)
            best[position] = min(best[position], timings[-1])
    body = "\n".join(
        [
            f"Official list: {COMMUNES_FILE.stat().st_size / 1024:.0f} KB compressed, "
            f"{len(load_french_communes().communes):,} communes and arrondissements; "
            f"read and indexed in {load_s:.2f} s, peak {official_mib:.1f} MiB (once per process).",
            f"Territory resolver (12 communes, 8 sectors): built in {build_ms:.1f} ms, "
            f"{len(resolver.forms):,} place forms.",
            "",
            f"{len(texts):,} questions ({args.generated:,} generated naming random communes of "
            f"France, the labelled set, a 10,000-character message) × {args.rounds} rounds = "
            f"{len(timings):,} timings; {named / args.rounds:.0f} questions a round named a place.",
            "",
            "| step (ms) | p50 | p90 | p99 | max |",
            "|---|---|---|---|---|",
            f"| find places | {percentile(timings, 0.5):.3f} | {percentile(timings, 0.9):.3f} | "
            f"{percentile(timings, 0.99):.3f} | {max(timings):.3f} |",
            f"| find places, best of the rounds per question | {percentile(best, 0.5):.3f} | "
            f"{percentile(best, 0.9):.3f} | {percentile(best, 0.99):.3f} | {max(best):.3f} |",
            "",
            "The machine is shared (other processes run alongside): the gap between all",
            "timings and each question's best is scheduling noise, not the resolver.",
            "Dictionary look-ups only (at most 8 per word for the territory and as many for",
            "the rest of France); rapidfuzz runs on the territory's few hundred forms only.",
        ]
    )
    print(body)
    if not args.no_write:
        print(f"written to {write_section('place-resolver', 'Place resolution', body)}")


if __name__ == "__main__":
    main()
