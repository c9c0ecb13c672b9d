"""One language kit: one folding function, one vocabulary, one reader of place names, one
user-language query. Checked on the code itself, like ``test_layering.py``: a second
copy fails here, and so does an exception that no longer exists (the lists shrink)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from cpts_bot.core.concepts import ConceptKind
from cpts_bot.core.text_normalizer import normalize
from cpts_bot.core.vocabulary_loader import load_vocabulary

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"
FOLDING_MODULE = "core/text_normalizer.py"
# Functions whose name says they fold or normalise text, outside FOLDING_MODULE: each is
# built on ``text_normalizer.fold`` (or is about something else) and says why it exists.
KNOWN_FOLDING_NAMES = {
    "chat/commands.py:fold_command": "the message as commands are matched: fold of the trimmed text",
    "importers/extract_columns.py:normalize_label": "a column label's key: fold, minus filler words",
    "features/directory/card.py:normalize_phone": "phone numbers, not words",
}
FOLDING_NAME = re.compile(r"^_?(?:fold|folded|normali[sz]e|strip_accents|remove_accents|unaccent)")
# The modules that read what a commune is called (aliases, localities, postal codes).
PLACE_READERS = {
    "settings.py": "rooms.yaml's communes are declared there",
    "core/places/french_communes.py": "the official list of French communes",
    "core/places/resolver.py": "the one reader of place names",
    "core/places/index.py": "the territory's places, built on the resolver",
    "core/places/commune_parts.py": "communes covered in part: rooms.yaml's postal codes against"
    " the official list",
}
PLACE_FIELDS = frozenset({"aliases", "localities", "postal_codes"})


@cache
def modules() -> dict[str, ast.Module]:
    return {
        path.relative_to(PACKAGE).as_posix(): ast.parse(path.read_text("utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def imported_modules(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def strings(tree: ast.Module) -> list[str]:
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_unicode_normalisation_happens_in_one_module() -> None:
    users = sorted(
        name
        for name, tree in modules().items()
        if "unicodedata" in imported_modules(tree)
        or any(value in ("NFD", "NFKD", "NFC", "NFKC") for value in strings(tree))
    )
    assert users == [FOLDING_MODULE]


def test_no_second_folding_function() -> None:
    found = {
        f"{name}:{node.name}"
        for name, tree in modules().items()
        if name != FOLDING_MODULE
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and FOLDING_NAME.match(node.name)
    }
    assert found == set(KNOWN_FOLDING_NAMES), (
        "fold text with cpts_bot.core.text_normalizer.fold (keep_positions=True when spans"
        " must map back to the message)"
    )


def test_professions_are_described_once() -> None:
    """A module naming three words of the professions vocabulary holds a second one."""
    words = {
        normalize(term)
        for concept in load_vocabulary().of_kind(ConceptKind.PROFESSION)
        for term in concept.terms
    }
    copies = {}
    for name, tree in modules().items():
        named = {normalize(value) for value in strings(tree)} & words
        if len(named) >= 3:
            copies[name] = sorted(named)
    assert copies == {}, "professions are words of core/vocabulary/professions.yaml"


def test_commune_names_are_read_in_one_place() -> None:
    readers = set()
    for name, tree in modules().items():
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        if (attributes | set(strings(tree))) & PLACE_FIELDS:
            readers.add(name)
    assert readers == set(PLACE_READERS), "read places through core/places/index.PlaceIndex"


def test_vocabulary_files_have_one_reader() -> None:
    readers = {
        name
        for name, tree in modules().items()
        if any(value.endswith("professions.yaml") for value in strings(tree))
    }
    assert readers == {"core/vocabulary_loader.py"}


def test_the_user_language_is_queried_in_storage_only() -> None:
    outside = {
        name
        for name, tree in modules().items()
        if not name.startswith("storage/")
        and any("user_preferences" in value for value in strings(tree))
    }
    assert outside == set(), "use storage.core_repository.language_of"
