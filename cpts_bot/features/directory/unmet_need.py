"""Whether a question's need is only words nobody declares.

« diététicienne pour maladie zorglub »: listing every dietitian as matching would be
untrue. Nobody matches, and the search widens saying so. A need is said after « pour »
or a need cue (« qui fait », « spécialisé en »); other words (« Pourriez-vous
m'indiquer … ») are no need, nor are words that only describe the patient: a phrase
about the patient (« pour une patiente alitée »), a short word (« sans », « voir »), or
a word of the asked profession's own field (« une rage de dents » for a dentist). A need
said another way (a modality, a language, a known activity) keeps the unknown words as
details, set aside and named.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from cpts_bot.core.text_normalizer import tokens
from cpts_bot.features.directory.declared_activity_search import WantedPhrase

MIN_NEED_LENGTH = 5  # a shorter unknown word (« sans », « voir ») is no need
FIELD_PREFIX = 4  # « dents » shares « dent » with « dentiste »
# « pour une patiente alitée », « pour ma maman qui … »: the phrase is about the patient.
PATIENT_WORDS = frozenset(
    {
        "patient", "patiente", "patients", "patientes", "maman", "papa", "mere", "pere",
        "fils", "fille", "femme", "mari", "epouse", "epoux", "conjoint", "conjointe",
        "mamie", "papy", "grand", "monsieur", "madame", "dame", "homme", "resident",
        "residente", "voisin", "voisine", "personne",
    }
)  # fmt: skip
NEED_WORDS = frozenset({"pour", "pr", "for"})  # « diététicienne pour … »


def need_not_understood(
    phrases: Sequence[WantedPhrase],
    unknown: Iterable[str],
    subject_terms: Iterable[str],
    cues: frozenset[str],
) -> bool:
    """Whether an unknown word of ``phrases`` is the need (the caller has checked that no
    word was used and that nothing else was asked beside the profession and place).

    Only words said as a need count: in a phrase led by « pour » or a need cue (« qui
    fait », « spécialisé »), not « Pourriez-vous m'indiquer … »."""
    needs = {
        word
        for phrase in phrases
        if not PATIENT_WORDS & set(phrase.words) and (NEED_WORDS | cues) & set(phrase.words)
        for word in phrase.words
    }
    field = _field(tuple(subject_terms))
    return any(
        len(word) >= MIN_NEED_LENGTH and word in needs and word[:FIELD_PREFIX] not in field
        for word in unknown
    )


@lru_cache(maxsize=256)
def _field(terms: tuple[str, ...]) -> frozenset[str]:
    """The first letters of the words of a profession's terms (read once per profession)."""
    return frozenset(
        word[:FIELD_PREFIX] for term in terms for word in tokens(term) if len(word) >= FIELD_PREFIX
    )
