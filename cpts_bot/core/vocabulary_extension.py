"""A CPTS's own additions to the vocabulary, from a YAML file it keeps (no code change).

```yaml
synonyms:                      # words that name the same thing in declared activities
  - [TROD, test rapide d'orientation diagnostique]
terms:                         # more words for a concept the bot knows
  activity:wound_care: [plaies chroniques]
  language:ar: [darija]
activities:                    # new concepts (so do languages:, with a code)
  - code: eating_disorders
    label: {fr: troubles du comportement alimentaire, en: eating disorders}
    professions: ["93", "95"]
    terms: [tca, anorexie, boulimie]
```

Every problem is reported with the file and the entry, so the file can be fixed
before the bot starts.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from cpts_bot.core.concepts import Concept, ConceptKind, ConceptRef
from cpts_bot.core.errors import ConfigurationError
from cpts_bot.core.vocabulary_loader import Vocabulary, _concept, load_vocabulary, synonym_groups

_NEW_CONCEPT_SECTIONS = {"activities": ConceptKind.ACTIVITY, "languages": ConceptKind.LANGUAGE}
_KEYS = {"synonyms", "terms", *_NEW_CONCEPT_SECTIONS}


class VocabularyFileError(ConfigurationError, ValueError):
    """The CPTS vocabulary file cannot be used; the message names the file and the entry."""


def extend_vocabulary(vocabulary: Vocabulary, data: Any, source: str) -> Vocabulary:
    """``vocabulary`` with the synonyms, terms and concepts of ``data`` added."""
    if data is None:
        return vocabulary
    if not isinstance(data, dict):
        raise VocabularyFileError(f"{source}: expected a mapping (synonyms:, terms:, ...)")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise VocabularyFileError(
            f"{source}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})"
        )
    concepts = dict(vocabulary.concepts)
    for section, kind in _NEW_CONCEPT_SECTIONS.items():
        for raw in data.get(section) or ():
            if not isinstance(raw, dict) or not raw.get("code"):
                raise VocabularyFileError(f"{source}: {section}: every entry needs a code")
            concept = _concept(kind, raw)
            if not concept.labels:
                concept = replace(
                    concept, labels={"fr": concept.terms[0] if concept.terms else concept.code}
                )
            if concept.ref in concepts:
                raise VocabularyFileError(
                    f"{source}: {section}: {concept.code} exists already (add words under terms:)"
                )
            concepts[concept.ref] = concept
    for key, words in (data.get("terms") or {}).items():
        concepts = _with_terms(concepts, str(key), words, source)
    try:
        groups = synonym_groups(data.get("synonyms"), source)
    except ValueError as error:
        raise VocabularyFileError(str(error)) from None
    return replace(vocabulary, concepts=concepts, synonyms=vocabulary.synonyms + groups)


def _with_terms(
    concepts: dict[ConceptRef, Concept], key: str, words: Any, source: str
) -> dict[ConceptRef, Concept]:
    try:
        ref = ConceptRef.parse(key)
    except ValueError as error:
        raise VocabularyFileError(f"{source}: terms: {error}") from None
    concept = concepts.get(ref)
    if concept is None:
        raise VocabularyFileError(f"{source}: terms: {key} is not a concept of the vocabulary")
    if not isinstance(words, list):
        raise VocabularyFileError(f"{source}: terms: {key} must be a list of words")
    concepts[ref] = replace(concept, terms=concept.terms + tuple(str(word) for word in words))
    return concepts


def load_vocabulary_extension(vocabulary: Vocabulary, path: Path) -> Vocabulary:
    """``vocabulary`` extended with the CPTS's file at ``path``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VocabularyFileError(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise VocabularyFileError(f"{path}: not a readable YAML file ({error})") from None
    return extend_vocabulary(vocabulary, data, str(path))


def load_cpts_vocabulary(path: Path | None) -> Vocabulary:
    """The shipped vocabulary, extended with the CPTS's file at ``path`` when given."""
    vocabulary = load_vocabulary()
    return load_vocabulary_extension(vocabulary, path) if path is not None else vocabulary
