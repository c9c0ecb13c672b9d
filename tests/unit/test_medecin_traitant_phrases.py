"""What GPs, referrers and coordinators type, and the command each becomes."""

from __future__ import annotations

import pytest

from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.features.medecin_traitant.models import CapacityScope, Priority, age_band
from cpts_bot.features.medecin_traitant.phrases import (
    BadPlaces,
    CancelRequest,
    ConfirmRoom,
    DeclareRoom,
    PrioritiesNotUnderstood,
    RegisterError,
    RegisterPatient,
    RegisterProblem,
    SetPriorities,
    SetReminders,
    ShowRoom,
    StopTaking,
    WaitingList,
    parse_coordination_command,
    parse_details,
    parse_gp_command,
    parse_registration,
)
from cpts_bot.settings import Territory

P = Priority
GAZETTEER = PlaceIndex.from_territory(
    Territory.model_validate(
        {
            "name": "T",
            "communes": [
                {"insee": "69259", "name": "Vénissieux", "postal_codes": ["69200"]},
                {"insee": "69029", "name": "Bron", "postal_codes": ["69500"]},
                {"insee": "69388", "name": "Lyon 8e", "aliases": ["Lyon 8"]},
            ],
        }
    )
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "je peux prendre 3 nouveaux patients ce mois-ci",
            DeclareRoom(3, CapacityScope.THIS_MONTH),
        ),
        (
            "Je peux prendre 3 nouveaux patients ce mois ci.",
            DeclareRoom(3, CapacityScope.THIS_MONTH),
        ),
        (
            "je peux prendre deux nouveaux patients par mois",
            DeclareRoom(2, CapacityScope.EVERY_MONTH),
        ),
        ("je prends 1 nouveau patient", DeclareRoom(1, CapacityScope.ONCE)),
        ("j'ai 4 places", DeclareRoom(4, CapacityScope.ONCE)),
        ("je peux prendre 0 nouveaux patients", BadPlaces(0)),
        ("je peux prendre 900 nouveaux patients", BadPlaces(900)),
        ("je ne prends plus de nouveaux patients", StopTaking()),
        ("Je ne prends plus de nouveaux patients !", StopTaking()),
        ("je suis complet", StopTaking()),
        ("plus de place", StopTaking()),
        ("priorité ALD et plus de 70 ans", SetPriorities(frozenset({P.ALD, P.AGE}))),
        ("priorités : femmes enceintes, C2S", SetPriorities(frozenset({P.PREGNANCY, P.C2S}))),
        ("priorite handicap", SetPriorities(frozenset({P.DISABILITY}))),
        ("priorité sortie d'hospitalisation", SetPriorities(frozenset({P.HOSPITAL_DISCHARGE}))),
        ("priorité aucune", SetPriorities(frozenset())),
        ("priorité les gentils", PrioritiesNotUnderstood("les gentils")),
        ("je confirme", ConfirmRoom()),
        ("mes places", ShowRoom()),
        ("stop rappels", SetReminders(False)),
        ("pas de rappel médecin traitant", SetReminders(False)),
        ("reprendre les rappels", SetReminders(True)),
        ("kiné à domicile Bron", None),
        ("je prends", None),
    ],
)
def test_gp_phrases(text: str, expected: object) -> None:
    assert parse_gp_command(text) == expected


@pytest.mark.parametrize(
    ("text", "commune", "age", "priorities"),
    [
        (
            "patient sans médecin traitant, 78 ans, ALD diabète, Vénissieux, vu à la pharmacie",
            "69259",
            78,
            {P.ALD, P.AGE},
        ),
        ("Patiente sans MT 34 ans enceinte Bron", "69029", 34, {P.PREGNANCY}),
        ("patient sans medecin traitant 50 ans Lyon 8 CMU-C", "69388", 50, {P.C2S}),
        (
            "personne sans médecin traitant, 66 ans, 69200, sortie d'hôpital hier, AAH",
            "69259",
            66,
            {P.HOSPITAL_DISCHARGE, P.DISABILITY},
        ),
        ("patient sans médecin traitant, 45 ans, Bron", "69029", 45, set()),
    ],
)
def test_registration_keeps_commune_age_and_criteria(
    text: str, commune: str, age: int, priorities: set[Priority]
) -> None:
    parsed = parse_registration(text, GAZETTEER)
    assert isinstance(parsed, RegisterPatient)
    assert (parsed.commune, parsed.age, parsed.priorities) == (commune, age, frozenset(priorities))
    assert parsed.private == text


def test_priority_age_is_configurable() -> None:
    parsed = parse_registration("patient sans médecin traitant, 66 ans, Bron", GAZETTEER, 65)
    assert isinstance(parsed, RegisterPatient) and parsed.priorities == {P.AGE}


def test_contact_details_after_a_marker_do_not_count_as_the_commune() -> None:
    parsed = parse_registration(
        "patient sans médecin traitant 80 ans Bron\ncoordonnées : M. X, 3 rue de Lyon 8",
        GAZETTEER,
    )
    assert isinstance(parsed, RegisterPatient) and parsed.commune == "69029"
    assert "M. X" in parsed.private


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("patient sans médecin traitant, 78 ans", RegisterProblem.NO_COMMUNE),
        ("patient sans médecin traitant, Bron", RegisterProblem.NO_AGE),
        ("patient sans médecin traitant 300 ans Bron", RegisterProblem.BAD_AGE),
        (
            "patient sans médecin traitant 30 ans Bron ou Vénissieux",
            RegisterProblem.SEVERAL_COMMUNES,
        ),
    ],
)
def test_registration_problems_are_specific(text: str, problem: RegisterProblem) -> None:
    assert parse_registration(text, GAZETTEER) == RegisterError(problem)


def test_other_messages_are_not_registrations() -> None:
    assert parse_registration("déclenchement IDE Bron ce soir", GAZETTEER) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("liste d'attente", WaitingList()),
        ("Liste d’attente MT", WaitingList()),
        (
            "patients prioritaires en attente depuis plus de 30 jours",
            WaitingList(priority_only=True, older_than_days=30),
        ),
        ("patients en attente depuis 10 jours", WaitingList(older_than_days=10)),
        ("annuler patient 12", CancelRequest(12)),
        ("annuler demande MT n°7", CancelRequest(7)),
        ("annuler 12", None),
    ],
)
def test_coordination_phrases(text: str, expected: object) -> None:
    assert parse_coordination_command(text) == expected


def test_details_follow_up() -> None:
    assert parse_details("Coordonnées 12 : Mme D., 06 12 34 56 78") == (
        12,
        "Mme D., 06 12 34 56 78",
    )
    assert parse_details("coordonnées 12 :") is None
    assert parse_details("coordonnées de Mme D.") is None


@pytest.mark.parametrize(
    ("age", "band"),
    [(0, "0-17"), (17, "0-17"), (18, "18-39"), (69, "60-69"), (79, "70-79"), (80, "80+")],
)
def test_age_bands(age: int, band: str) -> None:
    assert age_band(age) == band
