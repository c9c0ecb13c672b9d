"""The usual professional in a request: the words people use, who they name, the policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cpts_bot.features.directory.models import PracticeSite, Professional
from cpts_bot.features.dispatch.phrases import RequestFields, parse_field_answer, parse_request
from cpts_bot.features.dispatch.policy import DispatchPolicy, EscalationAction
from cpts_bot.features.dispatch.usual_professional import (
    _english_mention,
    find_usual_mention,
    resolve_usual,
)
from cpts_bot.services.context import places_for
from tests.unit.dispatch_support import HYERES, TOULON, make_config

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
GAZETTEER = places_for(make_config())


@pytest.mark.parametrize(
    ("text", "typed", "profession"),
    [
        ("pansement, son IDE habituelle est Mme Martin", "Mme Martin", "60"),
        ("pansement\ninfirmière habituelle : Paul Durand\npatient : Mme D.", "Paul Durand", "60"),
        ("pansement, IDE habituel : M. Durand", "M. Durand", "60"),
        ("pansement, kiné référent : @paul:cpts.test", "@paul:cpts.test", "70"),
        ("pansement; l'infirmier habituel du patient est Durand", "Durand", "60"),
        ("soins, sage-femme habituelle = Mme Roux.", "Mme Roux", "50"),
        ("pansement, professionnel habituel : 81012345678", "81012345678", None),
    ],
)
def test_the_words_people_use(text: str, typed: str, profession: str | None) -> None:
    mention = find_usual_mention(text)
    assert mention is not None
    assert (mention.typed, mention.profession) == (typed, profession)


@pytest.mark.parametrize(
    "text",
    [
        "déclenchement IDE Hyères demain pansement habituel : compresses",  # no profession
        "déclenchement IDE Hyères demain, habituellement suivie par Mme Martin",
        "déclenchement IDE Hyères demain, IDE habituelle :",  # nobody named
    ],
)
def test_no_usual_professional_where_none_is_named(text: str) -> None:
    assert find_usual_mention(text) is None


def test_the_mention_is_never_broadcast() -> None:
    text = "déclenchement IDE Hyères ce soir 20h pansement, IDE habituelle : Mme Martin"
    fields = parse_request(text, NOW, GAZETTEER)
    assert fields.usual == "Mme Martin"
    assert (fields.profession, fields.communes, fields.what) == ("60", [HYERES], "pansement")
    assert fields.details == ""


def test_on_a_line_of_its_own_the_mention_stays_among_the_details() -> None:
    text = (
        "déclenchement IDE Hyères ce soir 20h pansement\n"
        "IDE habituelle : Mme Martin\npatient : Mme D., 3 rue des Lilas"
    )
    fields = parse_request(text, NOW, GAZETTEER)
    assert fields.usual == "Mme Martin"
    assert (fields.profession, fields.communes, fields.what) == ("60", [HYERES], "pansement")
    assert fields.details == "IDE habituelle : Mme Martin\npatient : Mme D., 3 rue des Lilas"


def test_the_patient_s_details_are_never_read_as_the_name() -> None:
    text = "déclenchement IDE Hyères ce soir pansement, IDE habituelle : Mme Martin patient : M. D."
    fields = parse_request(text, NOW, GAZETTEER)
    assert fields.usual == "Mme Martin"
    assert fields.details == "M. D."
    assert "Martin" not in (fields.what or "")


def test_the_profession_may_come_from_the_mention_only() -> None:
    text = "déclenchement Hyères ce soir 20h pansement, son infirmière habituelle est Mme Martin"
    fields = parse_request(text, NOW, GAZETTEER)
    assert (fields.profession, fields.usual, fields.missing()) == ("60", "Mme Martin", [])


def test_answering_the_usual_question() -> None:
    assert parse_field_answer("usual", "Alice Martin", NOW, GAZETTEER).usual == "Alice Martin"
    assert parse_field_answer("usual", "personne", NOW, GAZETTEER).usual == ""
    asked = RequestFields(profession="60", usual_needed=True)
    assert "usual" in asked.missing()
    merged = RequestFields.from_json(asked.to_json()).merge(RequestFields(usual="Alice Martin"))
    assert merged.usual == "Alice Martin" and "usual" not in merged.missing()


def person(key: str, first: str, last: str, *communes: str) -> Professional:
    return Professional(
        key=key,
        last_name=last,
        first_name=first,
        profession_code="60",
        sites=tuple(PracticeSite(c, c) for c in communes),
        matrix_id=f"@{first.lower()}.{last.lower()}:cpts.test",
    )


ALICE = person("810000000001", "Alice", "Martin", HYERES)
CLAIRE = person("810000000002", "Claire", "Martin", TOULON)
PAUL = person("cpts:paul", "Paul", "Durand", HYERES)
NURSES = [ALICE, CLAIRE, PAUL]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Paul Durand", (PAUL,)),
        ("M. Durand", (PAUL,)),
        ("Durand", (PAUL,)),
        ("Mme Durrand", (PAUL,)),  # a close spelling
        ("Alice Martin", (ALICE,)),  # the first name narrows
        ("Mme Martin", (ALICE, CLAIRE)),  # ambiguous
        ("Mme Lefebvre", ()),  # unknown
        ("@claire.martin:cpts.test", (CLAIRE,)),
        ("@nobody:cpts.test", ()),
        ("10000000001", (ALICE,)),  # RPPS number, as on the card
        ("Mme", ()),
    ],
)
def test_resolving_against_the_cards(typed: str, expected: tuple[Professional, ...]) -> None:
    assert resolve_usual(typed, NURSES) == expected


def test_the_usual_step_comes_first_in_the_chain() -> None:
    policy = DispatchPolicy()
    plain = policy.chain()
    assert [step.action for step in plain] == [step.action for step in policy.escalation]
    usual = policy.chain(usual=True)
    assert usual[0].action is EscalationAction.WIDEN_FROM_USUAL
    assert usual[0].delay == timedelta(minutes=30)
    assert usual[1:] == plain
    assert policy.chain(usual=True, urgent=True)[0].delay == timedelta(minutes=10)
    assert policy.step(0, usual=True).action is EscalationAction.WIDEN_FROM_USUAL
    assert policy.step(len(usual), usual=True) is None
    assert policy.expire_after_for(usual=True) == timedelta(minutes=90)
    assert policy.expire_after_for() == timedelta(minutes=60)
    trial = DispatchPolicy(usual_first_seconds=3, usual_first_urgent_seconds=1)
    assert trial.usual_first_delay(urgent=False) == timedelta(seconds=3)
    assert trial.usual_first_delay(urgent=True) == timedelta(seconds=1)


def test_usual_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="must not be longer than usual_first_minutes"):
        DispatchPolicy(usual_first_minutes=5, usual_first_urgent_minutes=20)
    with pytest.raises(ValueError, match="set usual_first_minutes instead"):
        DispatchPolicy.model_validate(
            {"escalation": [{"after_minutes": 5, "action": "widen_from_usual"}]}
        )
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        DispatchPolicy(usual_first_minutes=-1)


@pytest.mark.parametrize("words", ["usual professional", "their regular carer", "usual caregiver"])
def test_an_english_generic_word_names_the_person_not_a_profession(words: str) -> None:
    text = f"need a nurse at home, {words}: Mrs Martin"
    mention = _english_mention(text, text.lower())
    assert mention is not None and (mention.typed, mention.profession) == ("Mrs Martin", None)
