"""Dispatch requests written in English: the same request as the French words (the
profession, the commune, the time, the urgency and the consent), the guided exchange's
answers in English, and the questions and errors an English reader gets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.french_datetime import MomentError
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.phrases import (
    RequestFields,
    is_dispatch_request,
    parse_field_answer,
    parse_request,
)
from cpts_bot.i18n import Translator
from cpts_bot.services.context import places_for
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from tests.unit import dispatch_support as support

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)  # a Monday
VENISSIEUX, LYON_8 = "69259", "69388"
PLACES = places_for(
    RoomsConfig.model_validate(
        {
            "territory": {
                "name": "CPTS test",
                "communes": [
                    {"insee": VENISSIEUX, "name": "Vénissieux", "postal_codes": ["69200"]},
                    {"insee": LYON_8, "name": "Lyon 8e Arrondissement", "postal_codes": ["69008"]},
                ],
            },
            "coordinators": [support.COORDINATOR],
            "access": {"servers": ["cpts.test"]},
        }
    )
)

# (English request, the French request it means, the English care's words)
SAME_REQUESTS = [
    (
        "need a nurse at home tonight 8pm in Vénissieux for a dressing, patient agrees",
        "déclenchement IDE domicile Vénissieux ce soir 20h pansement, patient d'accord",
        "at home for a dressing",
    ),
    (
        "urgent physio tomorrow morning Lyon 8, bronchiolitis",
        "déclenchement urgent kiné demain matin Lyon 8 bronchiolite",
        "bronchiolitis",
    ),
    (
        "I need a GP in Vénissieux at 14:30 for a home visit, the patient does not agree",
        "déclenchement médecin Vénissieux à 14h30 visite à domicile, patient pas d'accord",
        "home visit",
    ),
    (
        "request: midwife saturday night Vénissieux, postnatal visit",
        "déclenchement sage-femme samedi nuit Vénissieux visite post-natale",
        "postnatal visit",
    ),
    (
        "need a speech therapist in Lyon 8 on 3 December at 6pm, swallowing assessment",
        "déclenchement orthophoniste Lyon 8 le 3 décembre à 18h bilan déglutition",
        "swallowing assessment",
    ),
    (
        "Need a pharmacist in Vénissieux in 2 hours, urgently, home delivery",
        "déclenchement pharmacien Vénissieux dans 2 heures urgent livraison à domicile",
        "home delivery",
    ),
]


def _same(fields: RequestFields) -> tuple[object, ...]:
    return (
        fields.profession,
        fields.communes,
        fields.needed_at,
        fields.precision,
        fields.urgent,
        fields.consent,
    )


@pytest.mark.parametrize(("english", "french", "care"), SAME_REQUESTS)
def test_an_english_request_is_the_french_request(english: str, french: str, care: str) -> None:
    assert is_dispatch_request(english, "en") and is_dispatch_request(french, "fr")
    read_english = parse_request(english, NOW, PLACES, "en")
    read_french = parse_request(french, NOW, PLACES, "fr")
    assert read_english.profession is not None and read_english.needed_at is not None
    assert _same(read_english) == _same(read_french)
    assert read_english.what == care


def test_what_starts_an_english_request() -> None:
    requests = (
        "need a nurse tonight",
        "I need a physio tomorrow in Lyon 8",
        "urgent: GP needed in Vénissieux now",
        "care request midwife tomorrow",
    )
    # A request for cover, a call for help, a question: a profession is not named first.
    others = (
        "I need cover for my shift tomorrow",
        "need cover saturday night",
        "I need someone to cover my nurse shift saturday night",
        "need a replacement nurse on 24/12",
        "I need help",
        "urgent question about the rota",
        "who is on call tonight",
    )
    assert [text for text in requests if not is_dispatch_request(text, "en")] == []
    assert [text for text in others if is_dispatch_request(text, "en")] == []
    # « urgent » opens a request for an English reader only: « urgent kiné Lyon 8 ? »
    # from a French reader stays a directory question; « need » is English either way.
    assert not is_dispatch_request("urgent kiné respi Lyon 8 demain ?", "fr")
    assert is_dispatch_request("urgent physio tomorrow Lyon 8", "en")
    assert is_dispatch_request("need a physio tomorrow Lyon 8", "fr")


def test_the_patient_details_and_the_usual_nurse_are_kept_apart_in_english() -> None:
    fields = parse_request(
        "need a nurse in Vénissieux tomorrow 9am for a blood test, usual nurse: Mrs Martin\n"
        "patient: Mr Smith, 3 rue Paul Bert, 06 12 34 56 78",
        NOW,
        PLACES,
        "en",
    )
    assert (fields.profession, fields.communes, fields.what) == ("60", [VENISSIEUX], "blood test")
    assert fields.usual == "Mrs Martin"
    assert "Mr Smith" in fields.details and "Mr Smith" not in str(fields.what)


@pytest.mark.parametrize(
    ("awaiting", "answer", "expected"),
    [
        ("when", "tomorrow 9am", ("needed_at", "2026-11-24T08:00:00+00:00")),
        ("when", "tonight", ("needed_at", "2026-11-23T21:00:00+00:00")),
        ("when", "in 2 hours", ("needed_at", "2026-11-23T16:00:00+00:00")),
        ("communes", "in Vénissieux", ("communes", [VENISSIEUX])),
        ("profession", "a physio", ("profession", "70")),
        ("what", "dressing at home", ("what", "dressing at home")),
        ("consent", "yes", ("consent", True)),
        ("consent", "no", ("consent", False)),
        ("consent", "the patient agrees", ("consent", True)),
        ("usual", "nobody", ("usual", "")),
    ],
)
def test_the_guided_answers_in_english(
    awaiting: str, answer: str, expected: tuple[str, object]
) -> None:
    fields = parse_field_answer(awaiting, answer, NOW, PLACES, "en")
    assert isinstance(fields, RequestFields)
    name, value = expected
    assert getattr(fields, name) == value


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ("whenever", "No date or time found in “whenever”."),
        ("13pm", "13pm is not a valid time."),
        ("on 31 November", "There is no 31 November."),
    ],
)
def test_an_unreadable_time_gets_a_clear_english_error(answer: str, said: str) -> None:
    error = parse_field_answer("when", answer, NOW, PLACES, "en")
    assert isinstance(error, MomentError)
    assert error.render(Translator("en")) == said


def test_the_english_help_examples_are_complete_requests() -> None:
    english = Translator("en")
    for example in (
        "déclenchement IDE domicile {commune} ce soir 20h pansement",
        "déclenchement IDE {commune} demain matin prise de sang, IDE habituelle : Mme Martin",
    ):
        text = english.gettext(example, commune="Vénissieux")
        assert text != example.format(commune="Vénissieux") and is_dispatch_request(text, "en"), (
            text
        )
        fields = parse_request(text, NOW, PLACES, "en")
        french = parse_request(example.format(commune="Vénissieux"), NOW, PLACES, "fr")
        assert fields.missing() == [] and _same(fields) == _same(french), text
        assert fields.usual == ("Mrs Martin" if "Martin" in text else None)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


async def _say_in_english(database: Database, server: support.FakeHomeserver, text: str) -> str:
    """What the coordinator, who reads English, is answered."""
    config = support.make_config()
    directory = support.FakeDirectory(
        [support.professional("@ann:cpts.test", "60", support.HYERES)]
    )
    incoming = support.message(support.COORDINATOR, text, NOW)
    async with database.transaction() as db:
        context = support.context_for(db, config, NOW, incoming)
        context.translator = Translator("en")
        await route_message(Routes.of(DispatchFeature(directory)), incoming, context)
    sent = await server.flush(NOW + timedelta(seconds=1))
    return "\n".join(s.text for s in sent if s.target != "@ann:cpts.test")


async def test_a_missing_commune_or_time_is_asked_for_in_english(database: Database) -> None:
    server = support.FakeHomeserver(database)
    asked = await _say_in_english(
        database, server, "need a nurse tonight 8pm for a dressing, patient agrees"
    )
    assert asked.startswith("Where? A commune of the territory (e.g. Hyères"), asked
    asked = await _say_in_english(database, server, "in Hyères")
    assert "Dispatch no. 1" in asked, asked
    asked = await _say_in_english(
        database, server, "need a nurse in Hyères for a dressing, patient agrees"
    )
    assert asked == "When? (e.g. “tonight 8pm”, “tomorrow morning”, “now”)", asked
    asked = await _say_in_english(database, server, "at 13pm")
    assert asked.startswith("at 13pm is not a valid time.\nWhen? (e.g. “tonight 8pm”"), asked
