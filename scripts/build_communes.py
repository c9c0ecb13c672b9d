#!/usr/bin/env python3
"""Write ``cpts_bot/core/places/geography/communes_fr.tsv.gz`` from the official list of communes.

Run by a developer when the official list changes, never at test or run time:

    npm pack @etalab/decoupage-administratif@6.0.0
    tar xzf etalab-decoupage-administratif-6.0.0.tgz
    python scripts/build_communes.py package/data/communes.json --version 6.0.0

The source is the npm package ``@etalab/decoupage-administratif`` (data from INSEE's
Code officiel géographique and La Poste's postal codes, Licence Ouverte / Open Licence
2.0). One line per entry, tab-separated, gzip-compressed:

    kind  insee  name  department  postal codes (comma-separated)  parent  population

``kind`` is ``C`` (current commune), ``D`` (commune déléguée or associée: a former
commune, ``parent`` = the commune it now belongs to) or ``A`` (arrondissement municipal,
``parent`` = the city).
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

OUTPUT = (
    Path(__file__).resolve().parent.parent / "cpts_bot/core/places/geography/communes_fr.tsv.gz"
)
KINDS = {
    "commune-actuelle": "C",
    "commune-deleguee": "D",
    "commune-associee": "D",
    "arrondissement-municipal": "A",
}


def _line(entry: dict[str, object]) -> str | None:
    kind = KINDS.get(str(entry.get("type")))
    if kind is None:
        return None
    parent = entry.get("chefLieu") if kind == "D" else entry.get("commune", "")
    fields = [
        kind,
        str(entry["code"]),
        str(entry["nom"]),
        str(entry.get("departement", "")),
        ",".join(entry.get("codesPostaux", []) or []),  # type: ignore[arg-type]
        str(parent or ""),
        str(entry.get("population", "") or ""),
    ]
    if any("\t" in field or "\n" in field for field in fields):
        raise ValueError(f"unexpected separator in {entry!r}")
    return "\t".join(fields)


def build(source: Path, version: str, output: Path = OUTPUT) -> int:
    """Write ``output`` from ``source`` (communes.json); return the number of lines."""
    entries = json.loads(source.read_text(encoding="utf-8"))
    lines = sorted({line for entry in entries if (line := _line(entry)) is not None})
    header = [
        f"# source: npm @etalab/decoupage-administratif {version}, data/communes.json",
        "# data: INSEE Code officiel géographique and La Poste postal codes,"
        " Licence Ouverte / Open Licence 2.0",
        "# columns: kind (C current, D former commune, A arrondissement), insee, name,"
        " department, postal codes, parent insee, population",
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join([*header, *lines]) + "\n"
    # mtime=0: the same source gives a byte-identical file.
    with (
        output.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as packed,
    ):
        packed.write(text.encode("utf-8"))
    return len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("communes_json", type=Path, help="package/data/communes.json")
    parser.add_argument("--version", required=True, help="the npm package version, e.g. 6.0.0")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    count = build(args.communes_json, args.version, args.output)
    print(f"{count} entries written to {args.output}")


if __name__ == "__main__":
    main()
