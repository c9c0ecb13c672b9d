"""Importing a CPTS directory file of 2,000 rows, each declared activity linked to the
care concepts. Goal: under 2 s.

Generates a national extract of 2,000 professionals on a sample territory (the extract's
published layout) and a CPTS file declaring, for each, two to four activities drawn from
a pool of free-word phrases (with modalities and languages), imports the extract, then
times ``import_directory_csv`` (parse, checks, concept linking, one transaction) — best
of three, each on a fresh database. Writes the "directory-import" section of
docs/benchmarks.md.

    python bench/bench_directory_import.py [--rows 2000] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data" / "heldout"))

from build_heldout import HEADER, extract_line, rpps  # noqa: E402

from bench.bench_report import write_section  # noqa: E402
from cpts_bot.core.vocabulary_loader import load_vocabulary  # noqa: E402
from cpts_bot.importers.directory_csv import import_directory_csv  # noqa: E402
from cpts_bot.importers.rpps_extract import import_rpps_extract  # noqa: E402
from cpts_bot.storage.database import Database  # noqa: E402

GOAL_S = 2.0
POSTAL = ["31200", "31500", "31240", "31140", "26220", "26160a", "26160b"]
COMMUNES = ["31555", "31561", "31282", "26114", "26045", "26243"]
PROFESSIONS = ["60", "70", "93", "80", "91", "21", "50", "95"]
PHRASES = [
    "cicatrisation des plaies",
    "suivi de l'hypertension artérielle",
    "soins d'escarres",
    "prise en charge des ulcères de jambe",
    "injection d'anticoagulants",
    "nursing et toilette",
    "rééducation du genou",
    "kinésithérapie respiratoire du nourrisson",
    "vertiges positionnels",
    "drainage des œdèmes",
    "incontinence urinaire de la femme",
    "thérapies brèves",
    "hypnose ericksonienne",
    "sophrologie",
    "psychologie de l'enfant et de l'adolescent",
    "thérapie cognitivo-comportementale",
    "pédicurie médicale",
    "orthèses plantaires",
    "examen du pied du diabétique",
    "tabacologie",
    "entretien AVK",
    "dépistage angine",
    "préparation de piluliers",
    "rééquilibrage alimentaire",
    "surpoids de l'enfant",
    "troubles de l'articulation",
    "retard de langage chez l'enfant",
    "méthode Mézières",
    "rééducation périnéale",
    "consultation en allaitement",
    "soins palliatifs à domicile",
    "accompagnement du deuil",
    "gestion du stress",
    "bilan de la déglutition",
]


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    randomness = random.Random(20261207)
    extract, lines, people = folder / "extract.txt", [HEADER], []
    for number in range(rows):
        profession = PROFESSIONS[number % len(PROFESSIONS)]
        person = (
            f"b{number}",
            "",
            "MME",
            f"NOM{number:05d}",
            "Alex",
            profession,
            "",
            [],
            [],
            [],
            [],
        )
        key = rpps(100_000 + number)
        lines.append(extract_line(person, key, randomness.choice(POSTAL), "L", number + 1))
        people.append((key, randomness.sample(PHRASES, randomness.randint(2, 4))))
    extract.write_text("\n".join(lines) + "\n", encoding="utf-8")
    directory = folder / "directory.csv"
    with directory.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["rpps", "matrix_id", "activities", "modalities", "languages"])
        for number, (key, phrases) in enumerate(people):
            writer.writerow(
                [
                    key,
                    f"@p{number}:cpts.example",
                    ";".join(phrases),
                    "domicile" if number % 3 == 0 else "",
                    "arabe" if number % 7 else "",
                ]
            )
    return extract, directory


async def one_run(folder: Path, extract: Path, directory: Path, run: int) -> tuple[float, int]:
    database = await Database.open(folder / f"run{run}.sqlite")
    try:
        now = datetime.now(UTC)
        await import_rpps_extract(database, extract, COMMUNES, now)
        start = time.perf_counter()
        summary = await import_directory_csv(database, directory, now, vocabulary=load_vocabulary())
        assert "rejected rows: 0" in summary.lines(), summary.lines()[:12]
        elapsed = time.perf_counter() - start
    finally:
        await database.close()
    return elapsed, len(summary.lines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    import os

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        extract, directory = write_files(folder, args.rows)
        times = [asyncio.run(one_run(folder, extract, directory, run))[0] for run in range(3)]
    best = min(times)
    body = (
        f"`python bench/bench_directory_import.py`: a CPTS file of {args.rows:,} rows (two to "
        f"four free-word activities each, from a pool of {len(PHRASES)} phrases; modalities "
        "and languages), after the national extract of the same professionals. Time of "
        "`import_directory_csv` (parse, checks, linking each declared activity to the care "
        "concepts, one SQLite transaction), best of 3 on fresh databases.\n\n"
        f"| rows | best | runs |\n|---|---|---|\n| {args.rows:,} | {best:.2f} s | "
        f"{', '.join(f'{value:.2f}' for value in times)} s |\n\n"
        f"Load average (1 min) on this 2-core shared machine: {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after.\n\n"
        f"Goal: under {GOAL_S:.0f} s — {'met' if best < GOAL_S else 'NOT met'}."
    )
    print(body)
    if not args.no_write:
        print(f"written to {write_section('directory-import', 'CPTS directory import', body)}")


if __name__ == "__main__":
    main()
