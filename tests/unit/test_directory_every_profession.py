"""Words naming every profession at once (« professionnels », « soignants », « pros »,
« PS ») choose no profession and are not searched as declared activities."""

from __future__ import annotations

import pytest
from concept_fixtures import ask, names
from directory_fixtures import lexicon

from cpts_bot.features.directory.query_parser import parse_query


@pytest.mark.parametrize(
    "text",
    [
        "Combien de professionnels parlent arabe à Lyon 8 ?",
        "des soignants qui parlent arabe à Lyon 8",
        "cb de pros parlant arabe lyon 8",
        "un PS qui parle arabe dans le 8e",
        "professionnels de santé parlant arabe à Lyon 8",
        "les praticiens arabophones du 8e",
    ],
)
def test_every_profession_word_chooses_no_profession(text: str) -> None:
    query = parse_query(text, lexicon()).query
    assert not query.professions and not query.specialties
    assert not any(any(run.phrase.content) for run in query.free_runs), query.free_runs


def test_every_profession_word_answers_every_profession() -> None:
    result = ask("des soignants qui parlent arabe à Lyon 8 ?")
    assert names(result) == {"Escoffier", "Gimenez", "Jacquet"}
    assert ask("Combien de professionnels parlent arabe à Lyon 8 ?").total == 3
