import pytest

from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.card.activity_resolver import vocabulary_activity_resolver

RESOLVE = vocabulary_activity_resolver(load_vocabulary())


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ("plaies complexes", "wound_care"),
        ("Plaies et pansements complexes", "wound_care"),
        ("kiné respi", "respiratory_physio"),
        ("bronchiolite", "respiratory_physio"),
        ("bilan du langage", "language_assessment"),
        ("soins palliatifs", "palliative_care"),
        ("kinesitherapie respiratoir", "respiratory_physio"),
        ("wound care", "wound_care"),
    ],
)
def test_words_resolve_to_the_vocabulary_code(words: str, code: str) -> None:
    resolved = RESOLVE(words)
    assert resolved is not None and resolved[0] == code


@pytest.mark.parametrize("words", ["zorglubothérapie", "", "!!", "le mardi"])
def test_unknown_words_resolve_to_nothing(words: str) -> None:
    assert RESOLVE(words) is None


def test_labels_follow_the_language() -> None:
    english = vocabulary_activity_resolver(load_vocabulary(), "en")
    assert english("plaies complexes") == ("wound_care", "complex wound care")
    assert RESOLVE("plaies complexes") == ("wound_care", "plaies et pansements complexes")
