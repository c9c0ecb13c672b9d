import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpts_bot.core.text_normalizer import fold
from cpts_bot.features.card.update_parser import (
    AddActivity,
    AddLanguages,
    BadPhone,
    CardTarget,
    NotUnderstood,
    RemoveActivity,
    RemoveLanguages,
    SetModality,
    SetPhone,
    UnknownLanguage,
    parse_card_command,
)
from cpts_bot.features.directory.card import normalize_phone
from cpts_bot.features.directory.models import Modality

M = Modality


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        ("je ne prends plus de nouveaux patients", SetModality(M.NEW_PATIENTS, False)),
        ("Je prends de nouveaux patients", SetModality(M.NEW_PATIENTS, True)),
        ("j'accepte les nouveaux patients.", SetModality(M.NEW_PATIENTS, True)),
        ("je n'accepte plus de nouvelles patientes", SetModality(M.NEW_PATIENTS, False)),
        ("nouveaux patients : non", SetModality(M.NEW_PATIENTS, False)),
        ("je fais des visites à domicile le mardi", SetModality(M.HOME_VISITS, True, "le mardi")),
        ("je fais des visites a domicile", SetModality(M.HOME_VISITS, True)),
        ("je me déplace à domicile le matin", SetModality(M.HOME_VISITS, True, "le matin")),
        ("j'arrête les visites à domicile", SetModality(M.HOME_VISITS, False)),
        ("visites à domicile : oui, le jeudi", SetModality(M.HOME_VISITS, True, "le jeudi")),
        ("je ne fais plus de téléconsultation", SetModality(M.TELECONSULTATION, False)),
        ("je fais de la teleconsult le soir", SetModality(M.TELECONSULTATION, True, "le soir")),
        ("je fais des soins non programmés", SetModality(M.UNSCHEDULED_CARE, True)),
        ("je ne fais pas de soins non programmés", SetModality(M.UNSCHEDULED_CARE, False)),
        (
            "mon cabinet est accessible aux fauteuils roulants",
            SetModality(M.WHEELCHAIR_ACCESS, True),
        ),
        ("mon cabinet n'est pas accessible PMR", SetModality(M.WHEELCHAIR_ACCESS, False)),
        ("je travaille le samedi", SetModality(M.SATURDAY, True)),
        ("je ne travaille plus le samedi", SetModality(M.SATURDAY, False)),
        ("ajoute activité: plaies complexes", AddActivity("plaies complexes")),
        ("Ajouter l'activité « bilan du langage oral »", AddActivity("bilan du langage oral")),
        ("retire activité plaies complexes", RemoveActivity("plaies complexes")),
        ("supprime activité : plaies", RemoveActivity("plaies")),
        ("mon téléphone 04 78 00 00 00", SetPhone("04 78 00 00 00")),
        ("Mon numéro de téléphone est le 06.12.34.56.78", SetPhone("06 12 34 56 78")),
        ("tel: +33 4 78 00 00 00", SetPhone("04 78 00 00 00")),
        ("mon téléphone 12", BadPhone("12")),
        ("je parle anglais et arabe", AddLanguages(("en", "ar"))),
        ("je parle klingon", UnknownLanguage("klingon")),
        ("ajoute langue : espagnol", AddLanguages(("es",))),
        ("retire langue espagnol", RemoveLanguages(("es",))),
    ],
)
def test_own_card_phrases(text: str, edit: object) -> None:
    command = parse_card_command(text)
    assert command is not None
    assert command.target is None and not command.show
    assert command.edits == (edit,)


@pytest.mark.parametrize(
    "text",
    [
        "qui fait des visites à domicile ?",
        "je cherche un kiné qui fait des VAD à Bron",
        "kiné respi bronchiolite lyon 8",
        "un IDE pour des pansements à domicile",
        "pour info : réunion demain à 20h",
        "je prends de nouveaux patients ?",
        "bonjour",
        "",
    ],
)
def test_questions_and_chatter_are_not_card_updates(text: str) -> None:
    assert parse_card_command(text) is None


def test_show_own_card() -> None:
    command = parse_card_command("Ma fiche !")
    assert command is not None and command.show and command.target is None


def test_several_updates_in_one_message() -> None:
    command = parse_card_command(
        "je prends de nouveaux patients\nje fais des visites à domicile le mardi; ma fiche"
    )
    assert command is not None and command.show
    assert command.edits == (
        SetModality(M.NEW_PATIENTS, True),
        SetModality(M.HOME_VISITS, True, "le mardi"),
    )


@pytest.mark.parametrize(
    ("text", "target"),
    [
        (
            "fiche de @bob:example.org : je ne prends plus de nouveaux patients",
            CardTarget(matrix_id="@bob:example.org", text="@bob:example.org"),
        ),
        (
            "pour Dr Martin : je ne prends plus de nouveaux patients",
            CardTarget(name="Martin", text="Dr Martin"),
        ),
        (
            "pour la fiche de Claire Martin: je ne prends plus de nouveaux patients",
            CardTarget(name="Claire Martin", text="Claire Martin"),
        ),
        (
            "fiche 10000000001 : je ne prends plus de nouveaux patients",
            CardTarget(rpps="10000000001", text="10000000001"),
        ),
    ],
)
def test_coordinator_prefix(text: str, target: CardTarget) -> None:
    command = parse_card_command(text)
    assert command is not None
    assert command.target == target
    assert command.edits == (SetModality(M.NEW_PATIENTS, False),)


def test_coordinator_show_and_not_understood() -> None:
    shown = parse_card_command("fiche de Dr Martin")
    assert (
        shown is not None
        and shown.show
        and shown.target == CardTarget(name="Martin", text="Dr Martin")
    )
    unclear = parse_card_command("fiche de @bob:example.org : blabla")
    assert unclear is not None and unclear.edits == (NotUnderstood("blabla"),)


@given(st.text(max_size=80))
def test_fold_keeps_positions(text: str) -> None:
    assert len(fold(text, keep_positions=True)) == len(text)


@given(st.text(max_size=120))
def test_parser_never_crashes(text: str) -> None:
    parse_card_command(text)


@given(
    st.sampled_from(
        [
            "je ne prends plus de nouveaux patients",
            "je fais des visites à domicile le mardi",
            "ajoute activité: plaies complexes",
        ]
    ),
    st.sampled_from(["@a:b.org", "Dr Dupont", "Marie Curie"]),
)
def test_prefix_keeps_the_update(phrase: str, who: str) -> None:
    own = parse_card_command(phrase)
    other = parse_card_command(f"pour {who} : {phrase}")
    assert own is not None and other is not None
    assert other.edits == own.edits and other.target is not None


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("0478000000", "04 78 00 00 00"),
        ("04-78-00-00-00", "04 78 00 00 00"),
        ("+33 (0)6 12 34 56 78", "06 12 34 56 78"),
        ("0033612345678", "06 12 34 56 78"),
        ("12", None),
        ("0078000000", None),
        ("04 78 00 00 0", None),
    ],
)
def test_phone_numbers(raw: str, phone: str | None) -> None:
    assert normalize_phone(raw) == phone
