"""The directory vocabularies (professions, specialties, activities, modalities, structure
types, intent words), read from the YAML files in ``cpts_bot/core/vocabulary/``: data
shipped with the package, parsed once by :func:`load_vocabulary`, labelled in French and
English in the data itself (``label: {fr:, en:}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cpts_bot.core.concepts import Concept, ConceptKind, ConceptRef
from cpts_bot.core.text_normalizer import singular, term_key
from cpts_bot.features.directory.models import Modality

VOCABULARY_DIR = Path(__file__).parent / "vocabulary"


@dataclass(frozen=True)
class Vocabulary:
    """All vocabularies, indexed by reference."""

    concepts: dict[ConceptRef, Concept]
    phrases: dict[str, tuple[ConceptRef, ...]]
    ambiguous: dict[str, tuple[ConceptRef, ...]]
    intents: dict[str, tuple[str, ...]]
    children_words: tuple[str, ...]
    follow_up_words: tuple[str, ...]
    stopwords: frozenset[str] = field(default_factory=frozenset)
    # Groups of words naming the same thing in declared activities (synonyms.yaml).
    synonyms: tuple[tuple[str, ...], ...] = ()
    practice_modes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    contact_words: tuple[str, ...] = ()
    name_titles: tuple[str, ...] = ()
    generic_care_words: tuple[str, ...] = ()  # "méthode", "rééducation": a kind, not which
    no_constraint_words: tuple[str, ...] = ()  # "professionnels", "soignants", "qui parle"
    children_declared: frozenset[str] = frozenset()  # "enfants", "adolescents" in declarations
    need_cue_words: tuple[str, ...] = ()  # "qui fait", "pratique": what follows is a need

    def get(self, ref: ConceptRef) -> Concept | None:
        return self.concepts.get(ref)

    def of_kind(self, kind: ConceptKind) -> list[Concept]:
        return [concept for concept in self.concepts.values() if concept.kind == kind]

    def label(self, ref: ConceptRef, language: str, plural: bool = False) -> str:
        """Label of ``ref`` (its code when unknown, e.g. a specialty code from the extract)."""
        concept = self.concepts.get(ref)
        return concept.label(language, plural) if concept else ref.code

    def narrower(self, ref: ConceptRef) -> frozenset[str]:
        """``ref``'s code and the codes of every concept under it (same kind)."""
        found, changed = {ref.code}, True
        while changed:
            changed = False
            for concept in self.of_kind(ref.kind):
                if concept.code not in found and found & set(concept.broader):
                    found.add(concept.code)
                    changed = True
        return frozenset(found)

    def broader(self, ref: ConceptRef) -> frozenset[str]:
        """The codes of the concepts above ``ref`` (not itself). Related concepts are
        only proposed when nobody declares the need, never answered."""
        found: set[str] = set()
        todo = [ref.code]
        while todo:
            concept = self.concepts.get(ConceptRef(ref.kind, todo.pop()))
            for code in concept.broader if concept else ():
                if code not in found and code != ref.code:
                    found.add(code)
                    todo.append(code)
        return frozenset(found)

    def professions_of(self, ref: ConceptRef) -> frozenset[str]:
        """Profession codes a concept implies or is practised by."""
        concept = self.concepts.get(ref)
        if concept is None:
            return frozenset()
        if concept.kind == ConceptKind.PROFESSION:
            return frozenset({concept.code})
        return frozenset(concept.professions)

    def specialty_for_code(self, savoir_faire: str) -> Concept | None:
        """The specialty concept gathering the savoir-faire code ``savoir_faire``."""
        for concept in self.of_kind(ConceptKind.SPECIALTY):
            if savoir_faire in concept.codes:
                return concept
        return None


def _labels(raw: dict[str, Any], key: str) -> dict[str, str]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise ValueError(f"{key} of {raw.get('code') or raw.get('id')} must be {{fr:, en:}}")
    return {str(lang): str(text) for lang, text in value.items()}


def _concept(kind: ConceptKind, raw: dict[str, Any]) -> Concept:
    code = str(raw.get("code") or raw.get("id"))
    professions = raw.get("professions") or ([raw["profession"]] if raw.get("profession") else [])
    return Concept(
        kind=kind,
        code=code,
        labels=_labels(raw, "label"),
        plurals=_labels(raw, "plural"),
        shorts=_labels(raw, "short"),
        names_profession=bool(raw.get("names_profession", False)),
        terms=tuple(str(term) for term in raw.get("terms") or ()),
        professions=tuple(str(code) for code in professions),
        codes=tuple(str(code) for code in raw.get("codes") or ()),
        children=bool(raw.get("children", False)),
        context=bool(raw.get("context", False)),
        related=tuple(ConceptRef.parse(str(ref)) for ref in raw.get("related") or ()),
        broader=tuple(str(code) for code in raw.get("broader") or ()),
        links=tuple(str(term) for term in raw.get("links") or ()),
    )


def _read(folder: Path, name: str) -> dict[str, Any]:
    data = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping")
    return data


def load_vocabulary_from(folder: Path) -> Vocabulary:
    """Read and check the vocabulary files in ``folder``."""
    professions = _read(folder, "professions.yaml")
    modalities = _read(folder, "modalities.yaml")
    grammar = _read(folder, "grammar.yaml")
    concepts = _concepts(
        [
            (ConceptKind.PROFESSION, professions.get("professions")),
            (ConceptKind.SPECIALTY, professions.get("specialties")),
            (ConceptKind.ACTIVITY, _read(folder, "activities.yaml").get("activities")),
            (ConceptKind.MODALITY, modalities.get("modalities")),
            (ConceptKind.STRUCTURE, _read(folder, "structures.yaml").get("structure_types")),
            (ConceptKind.LANGUAGE, _read(folder, "languages.yaml").get("languages")),
        ]
    )
    phrases = _refs_by_word(modalities.get("phrases"))
    ambiguous = _refs_by_word(professions.get("ambiguous"))
    _check_references(concepts, [*phrases.values(), *ambiguous.values()])
    stopwords = grammar.get("stopwords") or ()
    return Vocabulary(
        concepts=concepts,
        phrases=phrases,
        ambiguous=ambiguous,
        intents=_words_by_name(grammar.get("intents")),
        children_words=_words(grammar.get("children")),
        follow_up_words=_words(grammar.get("follow_up")),
        stopwords=frozenset(" ".join(term_key(str(word))) for word in stopwords)
        | frozenset(singular(str(word)) for word in stopwords),
        synonyms=synonym_groups(_read(folder, "synonyms.yaml").get("synonyms"), "synonyms.yaml"),
        practice_modes=_words_by_name(grammar.get("practice_modes")),
        contact_words=_words(grammar.get("contact_words")),
        name_titles=_words(grammar.get("name_titles")),
        generic_care_words=_words(grammar.get("generic_care_words")),
        no_constraint_words=_words(grammar.get("no_constraint")),
        need_cue_words=_words(grammar.get("need_cues")),
        children_declared=frozenset(
            singular(str(w)) for w in grammar.get("children_declared") or ()
        ),
    )


def _check_references(
    concepts: dict[ConceptRef, Concept], refs: list[tuple[ConceptRef, ...]]
) -> None:
    """Every concept named (phrases, ambiguous words, related, broader) exists."""
    for concept in concepts.values():
        refs.append(concept.related)
        refs.append(tuple(ConceptRef(concept.kind, code) for code in concept.broader))
    for group in refs:
        for ref in group:
            if ref not in concepts:
                raise ValueError(f"unknown concept {ref}")


def _concepts(sections: list[tuple[str, Any]]) -> dict[ConceptRef, Concept]:
    concepts: dict[ConceptRef, Concept] = {}
    for kind, items in sections:
        for raw in items or ():
            concept = _concept(kind, raw)
            if concept.ref in concepts:
                raise ValueError(f"{concept.ref} defined twice")
            if kind == ConceptKind.MODALITY:
                Modality(concept.code)  # raises on a modality the models do not know
            concepts[concept.ref] = concept
    return concepts


def _refs_by_word(raw: Any) -> dict[str, tuple[ConceptRef, ...]]:
    return {
        str(term): tuple(ConceptRef.parse(str(ref)) for ref in refs)
        for term, refs in (raw or {}).items()
    }


def _words(raw: Any) -> tuple[str, ...]:
    return tuple(str(word) for word in raw or ())


def _words_by_name(raw: Any) -> dict[str, tuple[str, ...]]:
    return {str(name): _words(words) for name, words in (raw or {}).items()}


def synonym_groups(raw: Any, source: str) -> tuple[tuple[str, ...], ...]:
    """``[[a, b], [c, d, e]]`` checked: each group a list of at least two words."""
    groups: list[tuple[str, ...]] = []
    for number, group in enumerate(raw or (), start=1):
        if not isinstance(group, list) or len(group) < 2:
            raise ValueError(f"{source}: synonyms group {number} must list two words or more")
        groups.append(tuple(str(word) for word in group))
    return tuple(groups)


@cache
def load_vocabulary() -> Vocabulary:
    """The vocabulary shipped with the bot (read once)."""
    return load_vocabulary_from(VOCABULARY_DIR)


@cache
def _shipped_term_keys() -> frozenset[tuple[str, ...]]:
    vocabulary = load_vocabulary()
    keys = {term_key(term) for concept in vocabulary.concepts.values() for term in concept.terms}
    keys |= {term_key(word) for word in [*vocabulary.phrases, *vocabulary.ambiguous]}
    keys |= {(word,) for word in vocabulary.stopwords if " " not in word}
    return frozenset(keys)


def is_vocabulary_term(key: tuple[str, ...]) -> bool:
    """Whether ``key`` (a :func:`term_key`) is a word of the shipped vocabularies or a
    common word: never read as a short form of a commune or a commune outside."""
    return key in _shipped_term_keys()
