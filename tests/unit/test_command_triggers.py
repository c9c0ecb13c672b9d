"""Routing that reads a message once: a command declares its trigger words, the router
folds a message once and asks only the phrases whose triggers it holds.

Routing must be the same as when every phrase read every message: checked on every
declared example (both languages, every place it may be said) and on the conversations
of the routing tests."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from command_support import GP, context_for, direct, make_config, router_for, say

from cpts_bot.chat.command_checks import problems, sample_message
from cpts_bot.chat.commands import (
    Command,
    CommandRegistry,
    Heard,
    MessageParser,
    Parser,
    Pattern,
    Topic,
)
from cpts_bot.chat.help_texts import example_text
from cpts_bot.chat.triggers import (
    MessageText,
    derived,
    every_message,
    required_fragments,
    words,
)
from cpts_bot.core.messages import IncomingMessage
from cpts_bot.storage.database import Database

HERE = Path(__file__).parent
DIRECTORY_QUESTION = "kiné à domicile Saint-Exemple-sur-Mer"
PLACES = [
    frozenset({Heard.DIRECT}),
    frozenset({Heard.ROOM}),
    frozenset({Heard.ROOM, Heard.MENTION}),
    frozenset({Heard.ROOM, Heard.MENTION, Heard.COORDINATION_ROOM}),
]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


@pytest.fixture
def count_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The phrases read, one entry per call into a phrase (a parser or a pattern)."""
    calls: list[str] = []
    for kind in (Pattern, Parser, MessageParser):
        original = kind.read

        def counted(self: Any, message: Any, context: Any, _original: Any = original) -> Any:
            calls.append(type(self).__name__)
            return _original(self, message, context)

        monkeypatch.setattr(kind, "read", counted)
    yield calls


# ------------------------------------------------------------------ the declarations


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_example_holds_one_of_its_commands_triggers(
    database: Database, language: str
) -> None:
    router = router_for(database, make_config())
    context = context_for(None, make_config(), language)
    for command in router.commands.commands:
        triggers = command.trigger_words
        assert triggers is not None, command.name
        for example in command.examples:
            text = example_text(example, context.translator, context.config)
            assert triggers.could_match(MessageText(text)), (command.name, text)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_fragments_found_once_select_the_same_readers_as_each_search(
    database: Database, language: str
) -> None:
    """The registry looks for every trigger fragment once per message; each command's
    triggers are then held exactly when its own search would find one."""
    router = router_for(database, make_config())
    context = context_for(None, make_config(), language)
    commands = router.commands.commands
    everything = frozenset().union(*(c.trigger_words.fragments for c in commands))  # type: ignore[union-attr]
    texts = [
        example_text(e, context.translator, context.config) for c in commands for e in c.examples
    ]
    for text in [*texts, "kiné à domicile bronchiolite lyon 8", "merci", ""]:
        message = MessageText(text)
        present = message.present(everything)
        for command in commands:
            triggers = command.trigger_words
            assert triggers is not None
            assert triggers.held_in(present) == triggers.could_match(message), (command.name, text)


def test_only_free_text_reads_every_message_and_says_why(database: Database) -> None:
    router = router_for(database, make_config())
    reading_all = {
        command.name: command.trigger_words.reads_every_message
        for command in router.commands.commands
        if command.trigger_words is not None and command.trigger_words.reads_every_message
    }
    assert list(reading_all) == ["annuaire"]
    assert "free text" in reading_all["annuaire"]


def test_a_parser_without_triggers_nor_reason_is_a_problem() -> None:
    blind = Command(
        "aveugle",
        Parser(lambda text, _c: text == "vu" or None, 10),
        _noop,
        "x",
        ("vu",),
        Topic.DUTY,
    )
    found = problems(CommandRegistry([blind]), context_for(None, make_config()))
    assert found == ["aveugle: no trigger words, nor why it reads every message"]


def test_an_example_holding_none_of_the_triggers_is_a_problem() -> None:
    deaf = Command(
        "sourd",
        Parser(lambda text, _c: text == "vu" or None, 10),
        _noop,
        "x",
        ("vu",),
        Topic.DUTY,
        triggers=words("entendu"),
    )
    found = problems(CommandRegistry([deaf]), context_for(None, make_config()))
    assert found == ["sourd: its example « vu » holds none of its trigger words"]


def test_reading_every_message_needs_a_reason() -> None:
    with pytest.raises(ValueError):
        every_message(" ")


# ------------------------------------------------------------------ derived from the phrase


def test_triggers_come_from_the_words_a_pattern_requires() -> None:
    assert required_fragments(re.compile(r"^!?(?:aide|help|\?)\s*$")) == {"aide", "help", "?"}
    # The longest word of what is required: « garde » rather than « de ».
    assert required_fragments(re.compile(r"(?<![a-z])de\s+garde(?![a-z])")) == {"garde"}
    # Optional words are never required; an alternative without a word makes it unknown.
    assert required_fragments(re.compile(r"^(?:nouveau\s+)?statut\s+(\d+)$")) == {"statut"}
    assert required_fragments(re.compile(r"^(?:statut|(\d+))$")) is None
    with pytest.raises(ValueError):
        derived(re.compile(r"^(.+)$"))


def test_a_message_is_folded_once_for_every_trigger() -> None:
    text = MessageText("Déclenchement  IDE\nŒdème")
    assert text.holds("declenchement ide") and text.holds("oedeme")
    assert words("Déclenchement") == words("declenchement")


# ------------------------------------------------------------------ routing reads once


async def test_a_directory_question_is_read_by_few_phrases(
    database: Database, count_reads: list[str]
) -> None:
    router = router_for(database, make_config())
    answer = await say(database, router, DIRECTORY_QUESTION)
    assert "Saint-Exemple-sur-Mer" in answer or "kiné" in answer.lower()
    # The directory's own free-text parser, and the card's (« domicile » may be part of
    # « je fais des visites à domicile »): not every declared phrase, twice.
    assert len(count_reads) <= 2, count_reads
    assert len(router.commands.commands) > 30


async def test_aide_is_read_by_the_help_phrases_only(
    database: Database, count_reads: list[str]
) -> None:
    router = router_for(database, make_config())
    await say(database, router, "aide")
    assert len(count_reads) <= 2, count_reads


# ------------------------------------------------------------------ the same routing as before


def _reading_everything(registry: CommandRegistry) -> CommandRegistry:
    everything = every_message("the routing before trigger words")
    return CommandRegistry(dataclasses.replace(c, triggers=everything) for c in registry.commands)


def _routed(found: list[tuple[Command, Any]]) -> list[tuple[str, int, str]]:
    return [
        (command.name, understood.specificity, repr(understood.value))
        for command, understood in found
    ]


def _same_routing(registry: CommandRegistry, message: IncomingMessage, context: Any) -> None:
    everything = _reading_everything(registry).candidates(message, context)
    assert _routed(registry.candidates(message, context)) == _routed(everything), message.body
    for places in PLACES:
        for free_text in (False, True):
            expected = [
                (command, understood)
                for command, understood in everything
                if command.is_heard(places) and (understood.specificity == 0) == free_text
            ]
            found = registry.heard(message, context, places, free_text)
            assert _routed(found) == _routed(expected), (message.body, places, free_text)


def _test_strings(*names: str) -> list[str]:
    found: set[str] = set()
    for name in names:
        for node in ast.walk(ast.parse((HERE / name).read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
                found.add(node.value)
    return sorted(found)


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_routing_is_the_same_on_every_declared_example(
    database: Database, language: str
) -> None:
    registry = router_for(database, make_config()).commands
    context = context_for(None, make_config(), language)
    messages = {
        (message.body, message.room_id, message.is_direct): message
        for command in registry.commands
        for example in command.examples
        for sayer in registry.commands
        for message in [
            sample_message(
                example_text(example, context.translator, context.config), sayer, context
            )
        ]
    }
    for message in messages.values():
        _same_routing(registry, message, context)


async def test_routing_is_the_same_on_the_routing_tests_conversations(database: Database) -> None:
    registry = router_for(database, make_config()).commands
    context = context_for(None, make_config())
    for text in _test_strings("test_routing_order.py", "test_declared_commands.py"):
        for message in (direct(text), dataclasses.replace(direct(text), is_direct=False)):
            _same_routing(registry, message, context)
            _same_routing(registry, dataclasses.replace(message, sender=GP), context)


async def _noop(call: Any) -> None:
    return None


async def test_routing_is_the_same_on_every_loose_phrasing(database: Database) -> None:
    """Phone French (« c ki de garde dem1 ») is read loosened too: the loosened form
    reaches the same trigger words as reading every message would."""
    registry = router_for(database, make_config()).commands
    context = context_for(None, make_config())
    data = yaml.safe_load((HERE / "data" / "loose_phrasings.yaml").read_text(encoding="utf-8"))
    communes = {"commune": "Saint-Exemple-sur-Mer", "other_commune": "Val-Témoin"}
    for phrasings in data.values():
        for entry in phrasings:
            text = (entry if isinstance(entry, str) else entry["text"]).format(**communes)
            for message in (direct(text), dataclasses.replace(direct(text), is_direct=False)):
                _same_routing(registry, message, context)
