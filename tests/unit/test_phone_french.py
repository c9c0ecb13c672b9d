"""Phone French, read once for every feature: the loose forms spelt out, and what each
feature's phrases now read in them (a duty given up, an alert said in words)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from privacy_session import COORD, GP, NURSE, Session

from cpts_bot.core.text_normalizer import loosen
from cpts_bot.core.times import PARIS
from cpts_bot.features.alerts.phrases import AlertCommandKind, parse_alert_command
from cpts_bot.features.cover.phrases import SwapRequest, parse_swap
from cpts_bot.features.dispatch.command_phrases import (
    CommandKind,
    parse_command,
)

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "spelt"),
    [
        ("c qui le kiné de garde ce we ?", "c'est qui le kiné de garde ce week-end ?"),
        ("ki est de garde dem1 stp", "qui est de garde demain"),
        ("Désolée, jpeux plus faire le 24", "je peux plus faire le 24"),
        ("qqn pr me remplacer sam", "quelqu'un pour me remplacer samedi"),
        ("alerte Canicule a tt le monde", "alerte Canicule a tout le monde"),
        ("pt sans MT 80 ans", "patient sans médecin traitant 80 ans"),
        ("je peux prendre 2 nvx patients svp", "je peux prendre 2 nouveaux patients"),
    ],
)
def test_loose_forms_are_spelt_out(typed: str, spelt: str) -> None:
    assert loosen(typed) == spelt


def test_words_it_does_not_know_keep_their_spelling() -> None:
    assert (
        loosen("Kiné à Saint-Étienne, cabinet d'Hélène") == "Kiné à Saint-Étienne, cabinet d'Hélène"
    )


@pytest.mark.parametrize(
    "text",
    [
        "je peux plus y aller pour le 3",
        "je ne peux plus assurer ma garde du 3",
        "je ne pourrai pas assurer la garde du 3",
        "je peux pas etre de garde le 3",
    ],
)
def test_a_duty_given_up_is_a_request_for_cover_of_that_day(text: str) -> None:
    found = parse_swap(text, NOW)
    assert isinstance(found, SwapRequest) and found.when is not None
    assert found.when.start.astimezone(PARIS).date().isoformat() == "2026-12-03"


def test_a_duty_given_up_without_a_day_is_no_cover_request() -> None:
    # « je ne peux plus 42 » gives back dispatch request 42, not a duty.
    assert parse_swap("je ne peux plus 42", NOW) is None
    assert parse_command("je peux plus assurer le 42") == parse_command("je ne peux plus 42")
    assert parse_command("desistement 42").kind is CommandKind.HAND_BACK  # type: ignore[union-attr]


def test_an_alert_said_in_words_has_its_fields() -> None:
    found = parse_alert_command("envoie une alerte Canicule à tout le monde demain 8h")
    assert found is not None and found.kind is AlertCommandKind.CREATE
    assert found.rest == "Canicule | quand: demain 8h | pour: tous"
    to_nurses = parse_alert_command("alerte urgente grippe pour les IDE")
    assert to_nurses is not None and to_nurses.level_word == "urgente"
    assert to_nurses.rest == "grippe | pour: ide"


def test_the_keyed_alert_form_is_unchanged() -> None:
    found = parse_alert_command("alerte urgent: Canicule | quand: demain 8h | pour: tous")
    assert found is not None and found.rest == "Canicule | quand: demain 8h | pour: tous"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c qui le kiné de garde ce we ?", "pas de planning de garde pour : kiné"),
        ("kiné de garde dimanche à Bron ?", "« kiné à Bron »"),
        ("médecin de garde samedi aprem à Bron", "116 117"),
        ("pharmacie de garde ce soir", "3237"),
        ("ki est de garde ce soir", "De garde du ven. 20 nov."),
    ],
)
async def test_who_is_on_duty_without_a_rota_for_that_profession_gets_a_pointer(
    tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / "data").mkdir()
    session = await Session.open(tmp_path, NOW)
    try:
        answer = [sent.text for sent in await session.say(GP, text)]
    finally:
        await session.database.close()
    assert len(answer) == 1 and expected in answer[0], answer


async def test_a_nurse_giving_up_her_duty_asks_for_cover_of_that_day(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    session = await Session.open(tmp_path, NOW)
    try:
        sent = [d.text for d in await session.say(NURSE, "je peux plus y aller pour le 3 desolee")]
    finally:
        await session.database.close()
    assert sent[-1].startswith("Demande de remplacement n°1 envoyée")
    assert "jeu. 3 déc." in sent[-1]


async def test_what_is_passed_on_is_quoted_as_typed(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    session = await Session.open(tmp_path, NOW)
    try:
        sent = [d.text for d in await session.say(GP, "parler a qqn de la coordination stp")]
    finally:
        await session.database.close()
    assert any("« parler a qqn de la coordination stp »" in text for text in sent), sent


async def test_an_alert_said_in_words_is_drafted_for_confirmation(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    session = await Session.open(tmp_path, NOW)
    try:
        text = "envoie une alerte canicule a tout le monde demain 8h"
        sent = [d.text for d in await session.say(COORD, text)]
    finally:
        await session.database.close()
    assert sent[0].startswith("Alerte n° 1 à confirmer"), sent
    assert "samedi 21 novembre 2026 à 08:00" in sent[0]


async def test_osteo_at_a_commune_is_an_activity_there_not_a_name(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    session = await Session.open(tmp_path, NOW)
    try:
        sent = [d.text for d in await session.say(GP, "osteo a bron")]
    finally:
        await session.database.close()
    assert len(sent) == 1 and "Bron" in sent[0], sent
    assert "MARTIN" not in sent[0].upper()
