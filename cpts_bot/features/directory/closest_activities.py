"""The declared activities closest to a need nobody declares, with how many declare them.

When nobody declares what the question asks ("méthode Mézières" for a kiné at
Dieulefit), the reply says so first and offers what people do declare near it:
« Personne ne déclare « mézières » ; les plus proches : rééducation du genou (4), … ».
Proposals only: nobody is ever listed as doing the need on such a guess.

Candidates are the declared texts sharing a word (stem, prefix, close spelling) with the
question's activity words, the texts linked to the question's vocabulary concepts and
their related concepts, then a fuzzy comparison of the whole need with every distinct
declared text (a few thousand at most). They are ranked by the share of the need they
cover, then by how many people declare them in the asked scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from cpts_bot.core.concepts import ConceptKind, ConceptRef
from cpts_bot.core.vocabulary_loader import Vocabulary
from cpts_bot.features.directory.declared_activity_search import DeclaredActivityIndex, WantedPhrase

MAX_CLOSEST = 3
FUZZY_CUTOFF = 70.0


def closest_declared(
    declared: DeclaredActivityIndex,
    phrases: Sequence[WantedPhrase],
    activities: Iterable[str],
    vocabulary: Vocabulary,
    scopes: Sequence[set[int] | None],
) -> tuple[tuple[tuple[str, int], ...], bool]:
    """Up to :data:`MAX_CLOSEST` declared activities near the need, with their counts.

    ``scopes`` are tried in order (the asked profession in the asked place, then the
    profession anywhere, ...): the first where someone declares a candidate is used, so
    that the counts are those of people the GP could call; the flag says whether that
    was a wider scope than the first."""
    score = _scores(declared, phrases, activities, vocabulary)
    for number, scope in enumerate(scopes):
        counted = [
            (
                text_id,
                len(
                    declared.holders[text_id]
                    if scope is None
                    else declared.holders[text_id] & scope
                ),
            )
            for text_id in score
        ]
        counted = [item for item in counted if item[1]]
        if counted:
            counted.sort(key=lambda item: (-score[item[0]], -item[1], declared.texts[item[0]]))
            found = tuple(
                (declared.texts[text_id], count) for text_id, count in counted[:MAX_CLOSEST]
            )
            return found, number > 0
    return (), False


def _scores(
    declared: DeclaredActivityIndex,
    phrases: Sequence[WantedPhrase],
    activities: Iterable[str],
    vocabulary: Vocabulary,
) -> dict[int, float]:
    """Declared text -> how close it is to the need (words shared, concepts, spelling)."""
    words = [word for phrase in phrases for word in phrase.content_words]
    score: dict[int, float] = {}
    for word in words:
        for text_id in declared.texts_for_word(word):
            score[text_id] = score.get(text_id, 0.0) + 1.0
    codes = set(activities) | {
        code.rpartition(":")[2] for phrase in phrases for codes in phrase.concepts for code in codes
    }
    for code in codes:
        for text_id in declared.concept_texts.get(code, ()):
            score[text_id] = score.get(text_id, 0.0) + 1.0
        concept = vocabulary.get(ConceptRef(ConceptKind.ACTIVITY, code))
        for related in concept.related if concept is not None else ():
            for text_id in declared.concept_texts.get(related.code, ()):
                score.setdefault(text_id, 0.5)
    need = " ".join(words)
    if need and declared.texts:
        for _text, value, text_id in process.extract(
            need, declared.texts, scorer=fuzz.token_set_ratio, limit=10, score_cutoff=FUZZY_CUTOFF
        ):
            score[text_id] = score.get(text_id, 0.0) + value / 100.0
    return score
