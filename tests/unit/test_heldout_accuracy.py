"""Accuracy on the held-out set (``tests/data/heldout``): data written apart.

Other territories than the development set's (part of Toulouse by postal code and two
suburbs; three communes of the Drôme), a fresh list of declared activities (its phrases
are not the development set's) and questions in another style. It was written before
the vocabulary was extended and is not tuned on: the figure is reported by kind (run
with ``-s``) and in docs/directory-questions.md, and the test fails only if it falls
below the floor recorded there, so that a change that loses ground shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_devset_accuracy import cases, load_set, report, score

HELDOUT = Path(__file__).resolve().parents[1] / "data" / "heldout"
FLOOR = 0.66  # the figure recorded in docs/directory-questions.md, rounded down


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    index, lexicon = load_set(HELDOUT, tmp_path_factory.mktemp("heldout-data"))
    scored = [score(case, index, lexicon) for case in cases(HELDOUT)]
    assert scored, "no find or count question in the held-out set"
    return report(scored, "held-out set")


def test_heldout_accuracy_does_not_fall(figures: dict[str, float]) -> None:
    assert figures["all"] >= FLOOR, f"held-out accuracy {figures['all']:.0%} < {FLOOR:.0%}"
