"""Directory question latency: parse + search (+ reply rendering) on a large directory.

Generates N professionals (default 100,000) on the sample territory (8 communes, so
candidate sets are as large as they get), builds the in-memory index once, then times
realistic questions taken from the labelled accuracy set, free-word activity questions
and name look-ups. Every professional gets a surname drawn from about 20,000 and up to
four activities declared in free words (vocabulary terms and synonyms, with the
variations people write), so the declared-word index and the name index have the size
of a large real directory. Writes the "directory-query" section of docs/benchmarks.md.
Goal: p99 of parse + search under 10 ms.

    python bench/bench_directory_query.py [--professionals 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_report import percentile, write_section  # noqa: E402
from cpts_bot.core.places.index import PlaceIndex  # noqa: E402
from cpts_bot.core.vocabulary_loader import load_vocabulary  # noqa: E402
from cpts_bot.features.directory.professional_matcher import DirectoryIndex, search  # noqa: E402
from cpts_bot.features.directory.query_parser import Lexicon, parse_query  # noqa: E402
from cpts_bot.features.directory.replies import DirectoryReplies  # noqa: E402
from cpts_bot.features.directory.sample_directory import generate_directory  # noqa: E402
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


_SYLLABLES = (
    "ber bou car da dé fer gal gui ker la le lo ma mar mo na no pa pi ra ré ro sa "
    "sé ta ti tou va vi zo bri cha dru fla gre plo tra"
).split()
_VARIANTS = ("", " au cabinet", " à domicile", " enfant", " adulte", " (formé)", " DU")
_NAME_QUESTIONS = (
    "Dr {first} {last}, il consulte où ?",
    "le numéro de Mme {last}, {profession}",
    "{first_lower} {last_lower} {profession} son tel ?",
    "la pharmacie {last}",
    "Mme {typo} {profession}",
)
_FREE_WORD_QUESTIONS = (
    "kiné méthode McKenzie à Bron",
    "infirmière à domicile pour une prise de sang, patiente alitée",
    "IDE pansements post-opératoires après une opération de la hanche",
    "psychologue EMDR pour un adulte de 45 ans",
    "orthophoniste troubles de l'oralité pour un petit de 3 ans",
    "sage-femme rééducation du périnée post-partum",
    "podologue ongle incarné",
    "combien de kinés font du drainage lymphatique ?",
    "infirmière libérale qui gère les pompes à insuline",
    "dentiste sédation MEOPA patient autiste",
)


def surname(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).upper()


def declared_words(vocabulary: object) -> list[str]:
    """Free-word activities: the vocabulary's activity terms and synonyms, varied."""
    base = [word for group in vocabulary.synonyms for word in group]  # type: ignore[attr-defined]
    for concept in vocabulary.of_kind("activity"):  # type: ignore[attr-defined]
        base += list(concept.terms)
    return [word + variant for word in base for variant in _VARIANTS]


def with_words_and_names(professionals: list, vocabulary: object, seed: int = 9) -> list:
    """The generated directory with varied surnames and free-word activities."""
    rng = random.Random(seed)
    words = declared_words(vocabulary)
    surnames = [surname(rng) for _ in range(20_000)]
    return [
        replace(
            person,
            last_name=rng.choice(surnames),
            declared_activities=tuple(rng.sample(words, k=rng.randint(0, 4))),
        )
        for person in professionals
    ]


def name_questions(professionals: list, count: int, seed: int = 10) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for person in rng.sample(professionals, count):
        template = rng.choice(_NAME_QUESTIONS)
        last = person.last_name
        typo = last[:2] + last[3:] if len(last) > 5 else last
        texts.append(
            template.format(
                first=person.first_name,
                last=last.title(),
                first_lower=person.first_name.lower(),
                last_lower=last.lower(),
                typo=typo.title(),
                profession="kiné" if person.profession_code == "70" else "infirmière",
            )
        )
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--professionals", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    territory = Territory.model_validate(yaml.safe_load(TERRITORY.read_text("utf-8"))["territory"])
    vocabulary = load_vocabulary()
    places = PlaceIndex.build(territory.communes, territory.sectors, territory.name)
    started = time.perf_counter()
    lexicon = Lexicon.build(vocabulary, places)
    lexicon_ms = (time.perf_counter() - started) * 1000

    professionals = with_words_and_names(
        generate_directory(args.professionals, territory.communes), vocabulary
    )
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    index = DirectoryIndex.build(professionals, (), vocabulary)
    build_s = time.perf_counter() - started
    index_mib = tracemalloc.get_traced_memory()[0] / 1024 / 1024
    tracemalloc.stop()

    replies = DirectoryReplies(vocabulary, places, Translator("fr"))
    texts = questions() + list(_FREE_WORD_QUESTIONS) + name_questions(professionals, 40)
    parse_ms: list[float] = []
    search_ms: list[float] = []
    total_ms: list[float] = []
    render_ms: list[float] = []
    cpu_ms: list[float] = []  # the thread's CPU time: what the code costs, without waits
    load_before = os.getloadavg()[0]
    largest = 0
    for _ in range(args.rounds):
        for text in texts:
            c0 = time.thread_time()
            t0 = time.perf_counter()
            query = parse_query(text, lexicon).query
            t1 = time.perf_counter()
            if query.intent in ("find", "count"):
                result = search(index, replace(query, page=0), vocabulary, places)
                largest = max(largest, result.total)
            else:
                result = None
            t2 = time.perf_counter()
            cpu_ms.append((time.thread_time() - c0) * 1000)
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
            f"set, {len(_FREE_WORD_QUESTIONS)} free-word activity questions and 40 name"
            f" look-ups (plus a 10,000-character message) × {args.rounds} rounds = "
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
            row("parse + search, CPU time of the thread", cpu_ms),
            row("reply rendering", render_ms),
            "",
            f"Load average (1 min) on this {os.cpu_count()}-core machine: {load_before:.1f}"
            f" before the timings, {os.getloadavg()[0]:.1f} after. Wall-clock times include"
            " the waits for a core when the machine is shared; the CPU time of the thread"
            " does not.",
            "",
            f"Declared activities: {len(index.declared.texts):,} distinct texts,"
            f" {len(index.declared.by_stem):,} stems; {len(index.names.by_surname):,} surnames.",
            "",
            f"Goal: p99 of parse + search under 10 ms — wall clock: "
            f"{'met' if percentile(total_ms, 0.99) < 10 else 'NOT met'}; CPU time: "
            f"{'met' if percentile(cpu_ms, 0.99) < 10 else 'NOT met'}.",
        ]
    )
    print(body)
    if not args.no_write:
        path = write_section("directory-query", "Directory question latency", body)
        print(f"written to {path}")


if __name__ == "__main__":
    main()
