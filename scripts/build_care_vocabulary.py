#!/usr/bin/env python3
"""Check the care vocabulary and write its reference page, ``docs/care-vocabulary.md``.

The care concepts live in ``cpts_bot/core/vocabulary/activities.yaml``: written by hand
from public nomenclatures — the act families of the CCAM (Classification commune des
actes médicaux) and of the NGAP (Nomenclature générale des actes professionnels: nursing
AMI, physiotherapy AMK, podiatry AMP acts), the care themes of the Haute Autorité de
santé (chronic wounds, hypertension, smoking cessation, palliative care...) — and the
words GPs and patients use for them. Nothing is downloaded, at build or run time.

Run by a developer after editing the vocabulary:

    python scripts/build_care_vocabulary.py          # check, then write the page
    python scripts/build_care_vocabulary.py --check  # check, and that the page is current

A problem makes it exit with 1: a relation to an unknown concept or a cycle of
``broader`` relations, a question word that is also a profession's or a specialty's (it
would be read as both: use ``links`` for words tying declared activities only), or one
word naming two concepts with no relation between them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cpts_bot.core.concepts import ConceptKind, ConceptRef  # noqa: E402
from cpts_bot.core.text_normalizer import term_key  # noqa: E402
from cpts_bot.core.vocabulary_loader import Vocabulary, load_vocabulary  # noqa: E402

PAGE = ROOT / "docs" / "care-vocabulary.md"
SHOWN_TERMS = 8


def problems(vocabulary: Vocabulary) -> list[str]:
    """Everything that would make the vocabulary read a question wrongly."""
    found: list[str] = []
    concepts = vocabulary.of_kind(ConceptKind.ACTIVITY)
    for concept in concepts:
        if concept.code in vocabulary.broader(concept.ref):
            found.append(f"{concept.code}: its broader concepts lead back to it")
        for code in concept.broader:
            if vocabulary.get(ConceptRef(ConceptKind.ACTIVITY, code)) is None:
                found.append(f"{concept.code}: broader concept {code!r} is not defined")
    subjects: dict[tuple[str, ...], str] = {}
    for kind in (ConceptKind.PROFESSION, ConceptKind.SPECIALTY):
        for concept in vocabulary.of_kind(kind):
            for term in concept.terms:
                subjects[term_key(term)] = f"{kind}:{concept.code}"
    owners: dict[tuple[str, ...], list[str]] = {}
    for concept in concepts:
        for term in concept.terms:
            key = term_key(term)
            if key in subjects:
                found.append(
                    f"{concept.code}: « {term} » is also {subjects[key]} (move it to links)"
                )
            owners.setdefault(key, []).append(concept.code)
    for key, codes in sorted(owners.items()):
        for first in codes:
            for second in codes:
                if first < second and not _linked(vocabulary, first, second):
                    found.append(f"« {' '.join(key)} » names both {first} and {second}")
    return found


def _linked(vocabulary: Vocabulary, first: str, second: str) -> bool:
    one, two = ConceptRef(ConceptKind.ACTIVITY, first), ConceptRef(ConceptKind.ACTIVITY, second)
    return second in vocabulary.broader(one) or first in vocabulary.broader(two)


def page(vocabulary: Vocabulary) -> str:
    """The reference page: one line per concept, its place among the others."""
    lines = [
        "# Care vocabulary",
        "",
        "Written by `python scripts/build_care_vocabulary.py` from",
        "`cpts_bot/core/vocabulary/activities.yaml` (do not edit by hand). Sources: the act",
        "families of the CCAM and the NGAP (nursing, physiotherapy, podiatry acts), the care",
        "themes of the Haute Autorité de santé, and the words GPs and patients use; written by",
        "hand, nothing downloaded. How questions use it: [directory-questions.md]"
        "(directory-questions.md#concepts-the-need-in-the-gps-words-the-activity-in-the-cptss).",
        "",
        "| concept | label | professions | broader | related | words (first ones) |",
        "|---|---|---|---|---|---|",
    ]
    for concept in sorted(vocabulary.of_kind(ConceptKind.ACTIVITY), key=lambda item: item.code):
        words = ", ".join(concept.terms[:SHOWN_TERMS])
        more = len(concept.terms) - SHOWN_TERMS
        if more > 0:
            words += f" (+{more})"
        related = ", ".join(ref.code for ref in concept.related if ref.kind == ConceptKind.ACTIVITY)
        lines.append(
            f"| `{concept.code}` | {concept.label('fr')} | {', '.join(concept.professions)} "
            f"| {', '.join(concept.broader)} | {related} | {words} |"
        )
    total = sum(len(concept.terms) for concept in vocabulary.of_kind(ConceptKind.ACTIVITY))
    lines += ["", f"{len(vocabulary.of_kind(ConceptKind.ACTIVITY))} concepts, {total} words.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check only; the page must be current")
    args = parser.parse_args(argv)
    vocabulary = load_vocabulary()
    found = problems(vocabulary)
    for problem in found:
        print(f"problem: {problem}", file=sys.stderr)
    text = page(vocabulary)
    if args.check:
        current = PAGE.exists() and PAGE.read_text(encoding="utf-8") == text
        if not current:
            print(f"{PAGE.relative_to(ROOT)} is not current: run the script", file=sys.stderr)
        return 1 if found or not current else 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"written: {PAGE.relative_to(ROOT)}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
