"""A feature's command table: shared fields said once, each row's own fields winning."""

from __future__ import annotations

import re

import pytest

from cpts_bot.chat.command_table import command_table, row
from cpts_bot.chat.commands import ADDRESSED, Audience, Parser, Pattern, Topic
from cpts_bot.chat.triggers import derived

LIST = re.compile(r"^!?liste\s*$")
SHOW = re.compile(r"^!?voir\s+(\d+)\s*$")


async def handle(call: object) -> None:
    return None


async def other(call: object) -> None:
    return None


def _parse(text: str, context: object) -> str | None:
    return text if text.startswith("voir") else None


def test_rows_share_the_table_fields_and_keep_their_own() -> None:
    listing, showing = command_table(
        row("liste", LIST, 10, "the list", "liste"),
        row("voir", _parse, 11, "one item", "voir 1", "voir 2", handler=other, heard=ADDRESSED),
        topic=Topic.DUTY,
        audience=Audience.COORDINATOR,
        handler=handle,
        specificity=20,
        patterns=(SHOW,),
    )
    assert (listing.name, listing.priority, listing.help, listing.examples) == (
        "liste",
        10,
        "the list",
        ("liste",),
    )
    assert listing.phrase == Pattern(LIST)
    assert listing.handler is handle and showing.handler is other
    assert showing.phrase == Parser(_parse, 20)
    assert showing.examples == ("voir 1", "voir 2")
    assert showing.heard == ADDRESSED and listing.heard != ADDRESSED
    assert {listing.topic, showing.topic} == {Topic.DUTY}
    assert {listing.audience, showing.audience} == {Audience.COORDINATOR}
    assert listing.triggers == showing.triggers == derived(SHOW)


def test_a_row_may_set_its_own_trigger_patterns() -> None:
    (command,) = command_table(
        row("voir", _parse, 11, "one item", "voir 1", patterns=(SHOW, LIST)),
        topic=Topic.DUTY,
        handler=handle,
        specificity=20,
    )
    assert command.trigger_words == derived(SHOW, LIST)


def test_a_parse_function_needs_the_table_specificity() -> None:
    with pytest.raises(ValueError, match="specificity"):
        command_table(
            row("voir", _parse, 11, "one item", "voir 1"), topic=Topic.DUTY, handler=handle
        )
