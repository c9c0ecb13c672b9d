"""« parler à la coordination »: the phrase read into a typed request (pure)."""

from __future__ import annotations

import pytest

from cpts_bot.domain.handoff_phrases import HandoffRequest, parse_handoff_request


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


def test_the_question_before_is_passed_on_with_the_persons_own_words() -> None:
    question = "orthophoniste Bron"
    assert parse_handoff_request("coordination").with_question(question) == question  # type: ignore[union-attr]
    request = parse_handoff_request("parler à un humain, c'est urgent")
    assert request is not None
    assert (
        request.with_question(question) == "orthophoniste Bron — parler à un humain, c'est urgent"
    )
