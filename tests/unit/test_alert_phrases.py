"""What people write about alerts, read into typed commands (pure), and « plus tard »."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cpts_bot.features.alerts.fields import interpret_creation, parse_audience
from cpts_bot.features.alerts.models import Problem
from cpts_bot.features.alerts.phrases import (
    AlertCommand,
    AlertCommandKind,
    DraftAnswer,
    is_snooze,
    is_snooze_reaction,
    parse_alert_command,
    parse_draft_answer,
)
from cpts_bot.features.alerts.snooze import (
    DEFAULT_SNOOZE,
    Snooze,
    due_snoozes,
    round_recipients,
    snooze_delay,
    snoozed_until,
)

K = AlertCommandKind
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alertes", AlertCommand(K.LIST)),
        ("Liste des alertes ?", AlertCommand(K.LIST)),
        ("alerte", AlertCommand(K.USAGE)),
        ("nouvelle alerte", AlertCommand(K.USAGE)),
        ("alerte 12", AlertCommand(K.SHOW, 12)),
        ("Alerte n° 7 ?", AlertCommand(K.SHOW, 7)),
        ("qui a lu l'alerte 3 ?", AlertCommand(K.WHO_READ, 3)),
        ("pause alerte 4", AlertCommand(K.PAUSE, 4)),
        ("suspendre l'alerte 4", AlertCommand(K.PAUSE, 4)),
        ("reprendre alerte 4", AlertCommand(K.RESUME, 4)),
        ("Arrêter alerte 4", AlertCommand(K.CANCEL, 4)),
        ("annuler alerte 4", AlertCommand(K.CANCEL, 4)),
        (
            "modifier alerte 4 quand: lundi 9h | texte: Réunion",
            AlertCommand(K.EDIT, 4, rest="quand: lundi 9h | texte: Réunion"),
        ),
        (
            "alerte urgent: Pénurie | pour: tous",
            AlertCommand(K.CREATE, level_word="urgent", rest="Pénurie | pour: tous"),
        ),
        (
            "Alerte URGENTE Pénurie d'amoxicilline",
            AlertCommand(K.CREATE, level_word="urgente", rest="Pénurie d'amoxicilline"),
        ),
        ("alerte: Réunion", AlertCommand(K.CREATE, level_word="", rest="Réunion")),
    ],
)
def test_commands_are_typed(text: str, expected: AlertCommand) -> None:
    assert parse_alert_command(text) == expected


@pytest.mark.parametrize("text", ["annuler 42", "kiné Bron ?", "alerter la mairie", "oui", ""])
def test_other_phrases_are_not_alert_commands(text: str) -> None:
    assert parse_alert_command(text) is None


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Oui", DraftAnswer.CONFIRM),
        ("oui !", DraftAnswer.CONFIRM),
        ("je confirme", DraftAnswer.CONFIRM),
        ("yes", DraftAnswer.CONFIRM),
        ("non", DraftAnswer.DROP),
        ("Annuler.", DraftAnswer.DROP),
        ("no", DraftAnswer.DROP),
        ("oui mais demain", None),
        ("plus tard", None),
    ],
)
def test_draft_answers(text: str, answer: DraftAnswer | None) -> None:
    assert parse_draft_answer(text) is answer


@pytest.mark.parametrize(
    "text",
    [
        "plus tard",
        "Plus tard !",
        "rappelle-moi plus tard",
        "Rappelez-moi plus tard",
        "later",
        "Remind me later",
        "snooze",
        "pas maintenant",
    ],
)
def test_snooze_phrases_in_french_and_english(text: str) -> None:
    assert is_snooze(text)


@pytest.mark.parametrize("text", ["bien reçu", "ok", "plus tard demain 8h ?", "lu", "👍"])
def test_other_answers_are_not_snoozes(text: str) -> None:
    assert not is_snooze(text)


def test_snooze_reactions() -> None:
    assert is_snooze_reaction("💤") and is_snooze_reaction("⏰\ufe0f")
    assert not is_snooze_reaction("👍") and not is_snooze_reaction("👀")


def test_the_snooze_delay_is_the_alert_reminder_delay_else_the_default() -> None:
    assert snooze_delay(30) == timedelta(minutes=30)
    assert snooze_delay(None) == DEFAULT_SNOOZE == timedelta(hours=1)
    assert snooze_delay(None, timedelta(hours=2)) == timedelta(hours=2)
    assert snoozed_until(NOW, 45) == NOW + timedelta(minutes=45)


def test_a_snoozed_reader_is_left_out_of_the_round_reminder() -> None:
    pending = ["@c:x", "@a:x", "@b:x"]
    assert round_recipients(pending, {}) == ["@a:x", "@b:x", "@c:x"]
    assert round_recipients(pending, {"@b:x": NOW + timedelta(minutes=5)}) == ["@a:x", "@c:x"]
    # Even once their own reminder went: one reminder per reader, never two.
    assert round_recipients(pending, {"@b:x": NOW - timedelta(minutes=5)}) == ["@a:x", "@c:x"]


def test_due_snoozes_remind_or_forget_who_acknowledged_since() -> None:
    early = Snooze(1, "@a:x", NOW - timedelta(minutes=1))
    acked = Snooze(1, "@b:x", NOW)
    later = Snooze(1, "@c:x", NOW + timedelta(seconds=1))
    other = Snooze(2, "@b:x", NOW - timedelta(hours=1))
    remind, forget = due_snoozes([early, acked, later, other], {1: {"@b:x"}}, NOW)
    assert remind == [early, other]
    assert forget == [acked]


def test_audience_and_creation_problems_are_values() -> None:
    assert parse_audience("tous, IDE et gardes", ["IDE", "MK"]) == [
        "alerts",
        "profession:IDE",
        "duty",
    ]
    problem = parse_audience("dentistes", ["IDE"])
    assert isinstance(problem, Problem) and dict(problem.values)["word"] == "dentistes"
    assert isinstance(interpret_creation("tres", "x", [], NOW), Problem)
    assert isinstance(interpret_creation("urgent", "  | quand: demain", [], NOW), Problem)
    fields = interpret_creation("", "Réunion | rappel: 2 h", [], NOW)
    assert not isinstance(fields, Problem)
    assert fields.level == "info" and fields.audience == ["alerts"]
    assert fields.reminder_minutes == 120 and fields.text == "Réunion"


def test_audience_professions_are_read_through_the_vocabulary() -> None:
    """Any word of the shared vocabulary for a duty room's profession names it."""
    assert parse_audience("infirmières, kinés", ["IDE", "MK"]) == [
        "profession:IDE",
        "profession:MK",
    ]
    assert isinstance(parse_audience("sages-femmes", ["IDE", "MK"]), Problem)
