"""What dispatch messages mean: answers, reactions, requests, commands (table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cpts_bot.core.french_datetime import MomentError
from cpts_bot.core.offers import Answer, classify_answer, classify_reaction
from cpts_bot.core.profession_words import find_profession, profession_code
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.command_phrases import (
    CommandKind,
    DispatchCommand,
    parse_command,
)
from cpts_bot.features.dispatch.phrases import (
    is_dispatch_request,
    parse_field_answer,
    parse_request,
)
from cpts_bot.services.context import places_for
from tests.unit.dispatch_support import CARQUEIRANNE, HYERES, LA_CRAU, make_config

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)
GAZETTEER = places_for(make_config())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ok", Answer.ACCEPT),
        ("OK !", Answer.ACCEPT),
        ("ok je prends", Answer.ACCEPT),
        ("je prends", Answer.ACCEPT),
        ("Je prends 42", Answer.ACCEPT),
        ("j'accepte", Answer.ACCEPT),
        ("J’accepte", Answer.ACCEPT),
        ("dispo", Answer.ACCEPT),
        ("je suis dispo", Answer.ACCEPT),
        ("oui", Answer.ACCEPT),
        ("c'est bon pour moi", Answer.ACCEPT),
        ("👍", Answer.ACCEPT),
        ("✅", Answer.ACCEPT),
        ("non", Answer.DECLINE),
        ("pas dispo", Answer.DECLINE),
        ("Pas disponible", Answer.DECLINE),
        ("indispo", Answer.DECLINE),
        ("je ne peux pas", Answer.DECLINE),
        ("désolé", Answer.DECLINE),
        ("❌", Answer.DECLINE),
        ("I'll take it", Answer.ACCEPT),  # English users answer in English
        ("available", Answer.ACCEPT),
        ("not available", Answer.DECLINE),
        ("I can't", Answer.DECLINE),
        ("je ne peux plus", Answer.HAND_BACK),
        ("désolée, je ne peux plus", Answer.HAND_BACK),
        ("je me désiste", Answer.HAND_BACK),
        ("c'est pour quel patient ?", None),
        ("bonjour", None),
        ("", None),
        ("ok mais je ne serai pas là avant 21h ce soir, je vous confirme plus tard", None),
    ],
)
def test_classify_answer(text: str, expected: Answer | None) -> None:
    assert classify_answer(text) is expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("👍", Answer.ACCEPT),
        ("👍🏽", Answer.ACCEPT),
        ("✅", Answer.ACCEPT),
        ("✔️", Answer.ACCEPT),
        ("👌", Answer.ACCEPT),
        ("❌", Answer.DECLINE),
        ("👎", Answer.DECLINE),
        ("❤️", None),
        ("😂", None),
    ],
)
def test_classify_reaction(key: str, expected: Answer | None) -> None:
    assert classify_reaction(key) is expected


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("IDE", "60"),
        ("idel", "60"),
        ("infirmière", "60"),
        ("kiné", "70"),
        ("MK", "70"),
        ("médecin", "10"),
        ("MG", "10"),
        ("sage-femme", "50"),
        ("SF", "50"),
        ("60", "60"),
        ("plombier", None),
    ],
)
def test_profession_words(word: str, code: str | None) -> None:
    assert profession_code(word) == code


def test_profession_is_not_found_inside_other_words() -> None:
    assert find_profession("idée de génie") is None
    assert find_profession("@ide:hs") is None


@pytest.mark.parametrize(
    ("text", "profession", "communes", "at", "what", "urgent", "details"),
    [
        (
            "déclenchement IDE domicile Hyères ce soir 20h pansement post-op",
            "60",
            [HYERES],
            datetime(2026, 11, 23, 20, 0, tzinfo=PARIS),
            "domicile pansement post-op",
            False,
            "",
        ),
        (
            "Declenchement urgent kiné à La Crau demain matin kiné respiratoire\n"
            "Patient : M. X, 06 00 00 00 00",
            "70",
            [LA_CRAU],
            datetime(2026, 11, 24, 8, 0, tzinfo=PARIS),
            "kiné respiratoire",
            True,
            "M. X, 06 00 00 00 00",  # its label is not kept: the details have their own
        ),
        (
            "déclenchement: infirmière Porquerolles maintenant injection // Mme Y",
            "60",
            [HYERES],
            NOW,
            "injection",
            False,
            "Mme Y",
        ),
        (
            "déclenchement sage-femme 83320 le 3 décembre à 18h suivi post-natal",
            "50",
            [CARQUEIRANNE],
            datetime(2026, 12, 3, 18, 0, tzinfo=PARIS),
            "suivi post-natal",
            False,
            "",
        ),
    ],
)
def test_parse_request(text, profession, communes, at, what, urgent, details) -> None:
    assert is_dispatch_request(text)
    fields = parse_request(text, NOW, GAZETTEER)
    assert fields.profession == profession
    assert fields.communes == communes
    assert fields.needed_at == at.astimezone(UTC).isoformat()
    assert (fields.what, fields.urgent, fields.details) == (what, urgent, details)
    assert fields.missing() == []


def test_incomplete_request_lists_what_is_missing_in_order() -> None:
    fields = parse_request("déclenchement", NOW, GAZETTEER)
    assert fields.missing() == ["profession", "communes", "when", "what"]
    fields = parse_request("déclenchement IDE pansement", NOW, GAZETTEER)
    assert fields.missing() == ["communes", "when"]


def test_invalid_time_in_a_request_is_reported() -> None:
    fields = parse_request("déclenchement IDE Hyères le 31 novembre pansement", NOW, GAZETTEER)
    assert fields.time_error == ("There is no {detail}.", "31 novembre")


def test_field_answers() -> None:
    assert parse_field_answer("communes", "à La Crau", NOW, GAZETTEER).communes == [LA_CRAU]
    when = parse_field_answer("when", "25h", NOW, GAZETTEER)
    assert isinstance(when, MomentError) and when.detail == "25h"
    assert isinstance(parse_field_answer("when", "bientôt", NOW, GAZETTEER), MomentError)
    assert parse_field_answer("what", "Hyères", NOW, GAZETTEER).what == "Hyères"
    assert parse_field_answer("profession", "kiné", NOW, GAZETTEER).what is None


def test_not_a_request() -> None:
    assert not is_dispatch_request("qui est de garde ce soir ?")
    assert not is_dispatch_request("le déclenchement d'hier")


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("mes déclenchements", DispatchCommand(CommandKind.MY_DISPATCHES)),
        ("Mes déclenchements ?", DispatchCommand(CommandKind.MY_DISPATCHES)),
        ("statut 42", DispatchCommand(CommandKind.STATUS, 42)),
        ("statut n°42", DispatchCommand(CommandKind.STATUS, 42)),
        ("état du 42", DispatchCommand(CommandKind.STATUS, 42)),
        ("annuler 42", DispatchCommand(CommandKind.CANCEL, 42)),
        ("annuler le déclenchement 42", DispatchCommand(CommandKind.CANCEL, 42)),
        ("je ne peux plus 42", DispatchCommand(CommandKind.HAND_BACK, 42)),
        ("fait 42", DispatchCommand(CommandKind.COMPLETE, 42)),
        ("relancer 42", DispatchCommand(CommandKind.RELAUNCH, 42)),
        ("annuler", DispatchCommand(CommandKind.CANCEL_DRAFT)),
        ("annuler congé 3", None),
        ("statut", None),
        ("bonjour", None),
    ],
)
def test_parse_command(text: str, command: DispatchCommand | None) -> None:
    assert parse_command(text) == command
