"""Rooms in rooms.yaml: IDs with a server part, server-less IDs (room version 12), aliases."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cpts_bot.settings import Rooms


@pytest.mark.parametrize(
    "reference",
    [
        "!abcdef:example.org",
        "!abcdef:example.org:8448",
        "#alertes:example.org",
        "!Mcr5mqqFmIWl-pfhS_cbtvEeQVve4N08E-WR49lG4dI",  # room version 12
    ],
)
def test_room_ids_and_aliases_are_accepted(reference: str) -> None:
    assert Rooms(alerts=[reference]).alerts == [reference]


@pytest.mark.parametrize(
    "reference", ["general", "#alertes", "!has space:example.org", "@user:example.org"]
)
def test_anything_else_is_refused(reference: str) -> None:
    with pytest.raises(ValidationError, match="is not a room ID"):
        Rooms(coordination=reference)
