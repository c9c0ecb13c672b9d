"""« parler à la coordination »: the phrase read into a typed request (pure)."""

from __future__ import annotations

import pytest

from cpts_bot.features.handoff.phrases import HandoffRequest, parse_handoff_request


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("coordination", True),
        ("Je veux parler à la coordination", True),
        ("un humain svp", True),
        ("Humain !", True),
        ("je voudrais parler à quelqu’un pour un patient diabétique", False),
        ("pouvez-vous contacter la CPTS", False),
        ("talk to a human", False),
        ("Je veux parler à la coordination pour un patient sans médecin traitant", False),
    ],
)
def test_requests_for_a_person_are_typed(text: str, bare: bool) -> None:
    request = parse_handoff_request(text)
    assert request == HandoffRequest(text, bare)


@pytest.mark.parametrize(
    "text",
    ["kiné à domicile Bron ?", "la coordination est fermée ?", "IDE pour humain diabétique", ""],
)
def test_other_messages_are_not_requests(text: str) -> None:
    assert parse_handoff_request(text) is None
