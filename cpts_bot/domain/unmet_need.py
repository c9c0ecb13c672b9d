"""Whether a question's need is only words nobody declares.

« diététicienne pour maladie zorglub »: listing every dietitian as matching would be
untrue. Nobody matches, and the search widens saying so. Words that only describe the
patient are no need: a phrase about the patient (« pour une patiente alitée »), a short
word (« sans », « voir »), or a word of the asked profession's own field (« une rage de
dents » for a dentist). A need said another way (a modality, a language, a known
activity) keeps the unknown words as details, set aside and named.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cpts_bot.domain.declared_activity_search import WantedPhrase
from cpts_bot.domain.text_normalizer import tokens

MIN_NEED_LENGTH = 5  # a shorter unknown word (« sans », « voir ») is no need
FIELD_PREFIX = 4  # « dents » shares « dent » with « dentiste »
PATIENT_WORDS = frozenset({"patient", "patiente", "patients", "patientes"})


def need_not_understood(
    phrases: Sequence[WantedPhrase],
    unknown: Iterable[str],
    subject_terms: Iterable[str],
) -> bool:
    """Whether an unknown word of ``phrases`` is the need (the caller has checked that no
    word was used and that nothing else was asked beside the profession and place)."""
    details = {
        word for phrase in phrases if PATIENT_WORDS & set(phrase.words) for word in phrase.words
    }
    field = {
        word[:FIELD_PREFIX]
        for term in subject_terms
        for word in tokens(term)
        if len(word) >= FIELD_PREFIX
    }
    return any(
        len(word) >= MIN_NEED_LENGTH and word not in details and word[:FIELD_PREFIX] not in field
        for word in unknown
    )
