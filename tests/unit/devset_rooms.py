"""The rooms file for a development set: ours, or one written from the set's README.

The development set beside the repository is described by ``tests/data/devset_rooms.yaml``
(its three territories merged, each CPTS and its sectors declared as sectors). Another
set of the same kind (other territories) brings its own README with a ``territories:``
snippet, as a CPTS administrator would write it; it is merged the same way: the
communes (postal codes, aliases, localities), each CPTS as a sector, and the sectors the
snippet lists as comments (``#   nord: ["44190", "44009"]   # bords de Loire``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from cpts_bot.core.public_holidays import territory_subdivision

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ROOT / "tests" / "data" / "devset_rooms.yaml"
_TERRITORY = re.compile(r"^\s*-\s*name:\s*(.+?)\s*$")
_SECTOR = re.compile(r"^\s*#\s+(\w[\w '-]*?)\s*:\s*(\[[^\]]*\])\s*(?:#\s*(.*))?$")
_QUOTED = re.compile(r"[\"“«]\s*([^\"”»]+?)\s*[\"”»]")
_PLACE_WORD = re.compile(r"^(?:à|a|au|aux|sur|dans|vers)\s", re.IGNORECASE)


def rooms_for(folder: Path, work: Path) -> Path:
    """``tests/data/devset_rooms.yaml`` for the development set; for another set of the
    same kind, a rooms file written in ``work`` from its README's snippet."""
    readme = folder / "README.md"
    snippet, text = None, ""
    if readme.exists():
        for block in readme.read_text(encoding="utf-8").split("```yaml")[1:]:
            raw = block.split("```")[0]
            data = yaml.safe_load(raw)
            if isinstance(data, dict) and data.get("territories"):
                snippet, text = data, raw
    if snippet is None:
        return ROOMS
    communes = [c for t in snippet["territories"] for c in t.get("communes", ())]
    ours = yaml.safe_load(ROOMS.read_text(encoding="utf-8"))
    codes = {str(c["insee"]) for c in communes}
    if codes == {str(c["insee"]) for c in ours["territory"]["communes"]}:
        return ROOMS
    merged = dict(ours)
    merged["territory"] = {
        "name": " / ".join(str(t["name"]) for t in snippet["territories"]),
        "communes": communes,
        "sectors": snippet_sectors(snippet, text, codes),
    }
    try:
        territory_subdivision(codes)
    except ValueError:
        # Territories merged across holiday calendars (Alsace-Moselle, overseas): one
        # must be named for the rooms file to load; it plays no part in the directory.
        merged["territory"]["public_holidays"] = "metropole"
    path = work / "rooms.yaml"
    path.write_text(yaml.safe_dump(merged, allow_unicode=True), encoding="utf-8")
    return path


def snippet_sectors(snippet: dict[str, Any], text: str, codes: set[str]) -> list[dict[str, Any]]:
    """Each territory of the snippet as a sector, then the sectors its comments list."""
    sectors = [
        {"name": str(t["name"]), "communes": [str(c["insee"]) for c in t.get("communes", ())]}
        for t in snippet["territories"]
    ]
    for territory in snippet["territories"]:
        sectors += _declared_sectors(territory.get("sectors"), codes)
    for line in text.splitlines():
        if _TERRITORY.match(line):
            continue
        found = _SECTOR.match(line)
        if found is None:
            continue
        members = [str(code) for code in yaml.safe_load(found.group(2)) or ()]
        if not members or not set(members) <= codes:
            continue
        key = found.group(1).replace("_", " ").replace("-", " ")
        name = (
            key[:1].upper() + key[1:] if key.casefold().startswith("secteur") else f"Secteur {key}"
        )
        sector: dict[str, Any] = {"name": name, "communes": members}
        aliases = _aliases(found.group(3) or "")
        if aliases:
            sector["aliases"] = aliases
        sectors.append(sector)
    unique: dict[str, dict[str, Any]] = {}
    for sector in sectors:
        unique.setdefault(sector["name"].casefold(), sector)
    return list(unique.values())


def _declared_sectors(declared: Any, codes: set[str]) -> list[dict[str, Any]]:
    """Sectors written as YAML in the snippet: a list as in rooms.yaml, or name: [codes]."""
    if isinstance(declared, dict):
        declared = [
            {"name": f"Secteur {key}", "communes": value} for key, value in declared.items()
        ]
    found = []
    for sector in declared if isinstance(declared, list) else ():
        if not isinstance(sector, dict) or not sector.get("name"):
            continue
        members = [str(code) for code in sector.get("communes") or ()]
        if members and set(members) <= codes:
            entry = {"name": str(sector["name"]), "communes": members}
            if sector.get("aliases"):
                entry["aliases"] = [str(alias) for alias in sector["aliases"]]
            found.append(entry)
    return found


def _aliases(comment: str) -> list[str]:
    """Other names a sector's comment gives: its quoted words, or a short plain name."""
    quoted = _QUOTED.findall(comment)
    if not quoted and comment and "=" not in comment and len(comment.split()) <= 4:
        quoted = [comment.strip()]
    return [name for name in quoted if not _PLACE_WORD.match(name) and "=" not in name]
